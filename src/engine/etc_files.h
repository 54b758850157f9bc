/* /etc/hostname, /etc/hosts and /etc/resolv.conf of an engine container:
 * written into the container's directory and bind-mounted over the image's,
 * so the image's own files stay untouched in its layers. */
#ifndef SILO_ENGINE_ETC_FILES_H
#define SILO_ENGINE_ETC_FILES_H

#include "util/err.h"

/* network_host: the host's hosts and resolv.conf, as they are; otherwise
 * loopback entries and the hostname, and the host's resolv.conf without
 * loopback name servers (they would not be reachable from the container). */
int etc_files_write(const char *dir, const char *hostname, int network_host, struct silo_err *err);

#endif
