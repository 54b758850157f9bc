/* /etc/hostname, /etc/hosts and /etc/resolv.conf of an engine container:
 * written into the container's directory and bind-mounted over the image's,
 * so the image's own files stay untouched in its layers. */
#ifndef SILO_ENGINE_ETC_FILES_H
#define SILO_ENGINE_ETC_FILES_H

#include <jansson.h>

#include "util/err.h"

struct etc_files {
	const char *hostname;
	int network_host;      /* the host's hosts and resolv.conf, as they are */
	const char *address;   /* the container's address, or NULL: 127.0.0.1 */
	json_t *extra_hosts;   /* ["name:ip", …] (--add-host), or NULL */
	json_t *peers;         /* [{"address", "names"}, …]: containers on its networks */
	json_t *dns;           /* {servers[], search[], options[]} (--dns…), or NULL */
};

/* Writes all three. Without network_host, hosts has the loopback entries,
 * the hostname, --add-host entries and the peers, and resolv.conf is the
 * host's without loopback name servers (unreachable from the container)
 * with --dns, --dns-search and --dns-option in place of the host's. */
int etc_files_write(const char *dir, const struct etc_files *files, struct silo_err *err);

/* Rewrites hosts alone, in place: the container has the file bound, so a
 * new inode (rename) would never reach it. */
int etc_files_update_hosts(const char *dir, const struct etc_files *files, struct silo_err *err);

#endif
