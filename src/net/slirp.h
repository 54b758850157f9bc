/* User-mode networking through slirp4netns (Debian's slirp4netns): a tap
 * device in the container's network namespace, 10.0.2.100/24 behind a
 * gateway 10.0.2.2 that the slirp4netns process answers with sockets of its
 * own, so it needs no privilege, no bridge and no firewall rule: the
 * network an unprivileged user can have. Published ports are sockets
 * slirp4netns listens on, added through its API socket. */
#ifndef SILO_NET_SLIRP_H
#define SILO_NET_SLIRP_H

#include <sys/types.h>

#include "net/ports.h"
#include "util/err.h"

#define SLIRP_ADDRESS "10.0.2.100"
#define SLIRP_GATEWAY "10.0.2.2"
#define SLIRP_DNS "10.0.2.3"
#define SLIRP_PREFIX_LEN 24

struct slirp {
	pid_t pid;
	char dir[64];         /* a private directory for the API socket */
	char api_socket[108];
};

/* Starts slirp4netns for the namespace bound at netns_path and waits until
 * the interface (tap0) is configured. It exits by itself when the caller
 * does (it holds the read end of a pipe whose write end the caller keeps
 * open for its whole life: the monitor's), or on slirp_stop. */
int slirp_start(const char *netns_path, unsigned int mtu, struct slirp *out, struct silo_err *err);

/* Publishes m (host_port already chosen) to the container's port. */
int slirp_add_port(const struct slirp *s, const struct port_mapping *m, struct silo_err *err);

/* Stops the process pid if it still is the slirp4netns of netns_path, and
 * removes dir. */
void slirp_stop(pid_t pid, const char *netns_path, const char *dir);

#endif
