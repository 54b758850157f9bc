/* User-mode networking through pasta (Debian's passt): the container's
 * network namespace gets a tap interface with a copy of the host's
 * addresses and routes, and the pasta process carries its traffic with
 * sockets of its own on the host, so it needs no privilege, no bridge and
 * no firewall rule. Published ports are given when it starts (-t, -u); it
 * forwards nothing else. It needs an interface of the host with a route
 * to copy. */
#ifndef SILO_NET_PASTA_H
#define SILO_NET_PASTA_H

#include <stddef.h>
#include <sys/types.h>

#include "net/ports.h"
#include "util/err.h"

struct pasta {
	pid_t pid;
	char dir[64]; /* a private directory for its PID file and log */
};

/* Starts pasta for the namespace bound at netns_path with the published
 * ports (host ports already chosen) and waits until the namespace's
 * interface is configured. The caller (the monitor) is its parent. */
int pasta_start(const char *netns_path, const struct port_mapping *ports, size_t n_ports,
		struct pasta *out, struct silo_err *err);

/* Stops the process pid if it still is the pasta of netns_path, and
 * removes dir. */
void pasta_stop(pid_t pid, const char *netns_path, const char *dir);

#endif
