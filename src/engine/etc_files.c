/* Writing the container's hostname, hosts and resolv.conf (see etc_files.h). */
#include "engine/etc_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"

#define ETC_FILE_MAX (256 * 1024)

static int write_file(const char *dir, const char *name, const char *text, struct silo_err *err)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return silo_err_sys(err, ENOMEM, "write %s", name);
	return fs_write_file_atomic(path, text, strlen(text), 0644, err);
}

/* The host's file, or "" when it has none. */
static char *host_file(const char *path)
{
	char *text = NULL;
	size_t len;
	struct silo_err ignored = { 0 };

	if (fs_read_file(path, ETC_FILE_MAX, &text, &len, &ignored) < 0)
		return strdup("");
	return text;
}

static char *without_loopback_nameservers(const char *text)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out = malloc(cap);
	const char *line = text;

	if (!out)
		return NULL;
	while (*line) {
		size_t n = strcspn(line, "\n");
		int skip = !strncmp(line, "nameserver", 10) &&
			   (strstr(line, " 127.") || strstr(line, "\t127.") || strstr(line, " ::1"));

		if (line[n] == '\n')
			n++;
		if (!skip) {
			memcpy(out + len, line, n);
			len += n;
		}
		line += n;
	}
	out[len] = '\0';
	return out;
}

int etc_files_write(const char *dir, const char *hostname, int network_host, struct silo_err *err)
{
	_cleanup_free_ char *hostname_text = NULL;
	_cleanup_free_ char *hosts = NULL;
	_cleanup_free_ char *host_resolv = host_file("/etc/resolv.conf");
	_cleanup_free_ char *resolv = NULL;

	if (asprintf(&hostname_text, "%s\n", hostname) < 0)
		return silo_err_sys(err, ENOMEM, "write hostname");
	if (network_host) {
		hosts = host_file("/etc/hosts");
		resolv = host_resolv ? strdup(host_resolv) : NULL;
	} else {
		if (asprintf(&hosts,
			     "127.0.0.1\tlocalhost\n"
			     "::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "127.0.0.1\t%s\n",
			     hostname) < 0)
			hosts = NULL;
		resolv = host_resolv ? without_loopback_nameservers(host_resolv) : NULL;
	}
	if (!hosts || !resolv)
		return silo_err_sys(err, ENOMEM, "write hosts and resolv.conf");
	if (write_file(dir, "hostname", hostname_text, err) < 0 || write_file(dir, "hosts", hosts, err) < 0 ||
	    write_file(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}
