/* archive_stub: a shared library the integration tests put in the search
 * path as libarchive.so.13. It has none of libarchive's functions, so a
 * command that opens libarchive fails as it would on a host where the
 * library is broken, and one that does not open it runs as usual. */
int archive_stub_marker(void);

int archive_stub_marker(void)
{
	return 0;
}
