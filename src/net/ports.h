/* Published ports: parsing -p specs, choosing free host ports, and checking
 * that a host port is free before a container starts. */
#ifndef SILO_NET_PORTS_H
#define SILO_NET_PORTS_H

#include <netinet/in.h>

#include "util/err.h"

struct port_mapping {
	char host_ip[INET6_ADDRSTRLEN]; /* "" for every address */
	int host_port;                  /* 0: pick a free one */
	int host_port_last;             /* docker's "any one of" host range
					 * (8000-8009:80): pick a free one in
					 * host_port..host_port_last; else 0 */
	int container_port;
	int protocol;                   /* IPPROTO_TCP or IPPROTO_UDP */
};

/* Parses one -p value: [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], where
 * either port may be a range (8000-8009:80-89, equal lengths; a host range
 * with a single container port is docker's "any one of"). IPv6 addresses
 * come in brackets: [::1]:8080:80. Appends to *list (realloc'd, *n grows).
 * A bad value gets one line naming it. */
int ports_parse(const char *spec, struct port_mapping **list, size_t *n, struct silo_err *err);

/* "tcp" or "udp" */
const char *ports_protocol_name(int protocol);

/* Fails with EADDRINUSE and "port 8080/tcp on 0.0.0.0 is already in use"
 * when a socket can't bind host_ip:host_port now. */
int ports_check_free(const struct port_mapping *m, struct silo_err *err);

/* Sets m->host_port to a port that binds now: from the kernel's ephemeral
 * range, or the first free one in host_port..host_port_last when that is
 * set (which it then clears). */
int ports_pick_free(struct port_mapping *m, struct silo_err *err);

#endif
