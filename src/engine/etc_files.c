/* Writing the container's hostname, hosts and resolv.conf (see etc_files.h). */
#include "engine/etc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int is_loopback_nameserver(const char *line, size_t n)
{
	char copy[256];

	if (n >= sizeof(copy) || strncmp(line, "nameserver", 10))
		return 0;
	memcpy(copy, line, n);
	copy[n] = '\0';
	return strstr(copy, " 127.") || strstr(copy, "\t127.") || strstr(copy, " ::1") ||
	       strstr(copy, "\t::1");
}

/* The host's lines, without loopback name servers, and without the kind
 * of line --dns, --dns-search or --dns-option replace. */
static void host_resolv_lines(FILE *out, const char *text, int drop_servers, int drop_search,
			      int drop_options)
{
	const char *line = text;

	while (*line) {
		size_t n = strcspn(line, "\n");
		int skip = is_loopback_nameserver(line, n) ||
			   (drop_servers && !strncmp(line, "nameserver", 10)) ||
			   (drop_search && (!strncmp(line, "search", 6) || !strncmp(line, "domain", 6))) ||
			   (drop_options && !strncmp(line, "options", 7));

		if (!skip)
			fprintf(out, "%.*s\n", (int)n, line);
		line += n;
		if (*line == '\n')
			line++;
	}
}

static void words_line(FILE *out, const char *keyword, json_t *words)
{
	size_t i;
	json_t *w;

	if (!json_array_size(words))
		return;
	fputs(keyword, out);
	json_array_foreach(words, i, w)
		fprintf(out, " %s", json_string_value(w));
	fputc('\n', out);
}

static char *resolv_text(const struct etc_files *f)
{
	_cleanup_free_ char *host = host_file("/etc/resolv.conf");
	json_t *servers = json_object_get(f->dns, "servers");
	json_t *search = json_object_get(f->dns, "search");
	json_t *options = json_object_get(f->dns, "options");
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	size_t i;
	json_t *s;

	if (!out || !host) {
		if (out)
			fclose(out);
		free(text);
		return NULL;
	}
	if (f->network_host && !f->dns)
		fputs(host, out);
	else
		host_resolv_lines(out, host, json_array_size(servers) > 0, json_array_size(search) > 0,
				  json_array_size(options) > 0);
	json_array_foreach(servers, i, s)
		fprintf(out, "nameserver %s\n", json_string_value(s));
	words_line(out, "search", search);
	words_line(out, "options", options);
	fclose(out);
	return text;
}

static char *hosts_text(const struct etc_files *f)
{
	char *text = NULL;
	size_t size = 0, i;
	FILE *out;
	json_t *entry;

	if (f->network_host && !json_array_size(f->extra_hosts))
		return host_file("/etc/hosts");
	out = open_memstream(&text, &size);
	if (!out)
		return NULL;
	if (f->network_host) {
		_cleanup_free_ char *host = host_file("/etc/hosts");

		fputs(host ? host : "", out);
	} else {
		fprintf(out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
		fprintf(out, "%s\t%s\n", f->address ? f->address : "127.0.0.1", f->hostname);
	}
	json_array_foreach(f->extra_hosts, i, entry) {
		const char *spec = json_string_value(entry);
		const char *colon = spec ? strchr(spec, ':') : NULL;

		if (colon)
			fprintf(out, "%s\t%.*s\n", colon + 1, (int)(colon - spec), spec);
	}
	json_array_foreach(f->peers, i, entry)
		fprintf(out, "%s\t%s\n", json_string_value(json_object_get(entry, "address")),
			json_string_value(json_object_get(entry, "names")));
	fclose(out);
	return text;
}

int etc_files_write(const char *dir, const struct etc_files *f, struct silo_err *err)
{
	_cleanup_free_ char *hostname_text = NULL;
	_cleanup_free_ char *hosts = hosts_text(f);
	_cleanup_free_ char *resolv = resolv_text(f);

	if (asprintf(&hostname_text, "%s\n", f->hostname) < 0 || !hosts || !resolv)
		return silo_err_sys(err, ENOMEM, "write hostname, hosts and resolv.conf");
	if (write_file(dir, "hostname", hostname_text, err) < 0 || write_file(dir, "hosts", hosts, err) < 0 ||
	    write_file(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}

int etc_files_update_hosts(const char *dir, const struct etc_files *f, struct silo_err *err)
{
	_cleanup_free_ char *hosts = hosts_text(f);
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (!hosts || asprintf(&path, "%s/hosts", dir) < 0)
		return silo_err_sys(err, ENOMEM, "write hosts");
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return silo_err_errno(err, "open \"%s\"", path);
	/* Truncating after the write, not before, keeps the window in which
	 * a reader sees no entries as short as it can be. */
	r = fs_write_all(fd, hosts, strlen(hosts));
	if (r < 0)
		return silo_err_sys(err, -r, "write \"%s\"", path);
	if (ftruncate(fd, (off_t)strlen(hosts)) < 0)
		return silo_err_errno(err, "write \"%s\"", path);
	return 0;
}
