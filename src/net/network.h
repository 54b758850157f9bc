/* Network definitions: the networks containers can join, kept in the
 * engine store:
 *
 *   networks/<name>.json     one user-defined network (below)
 *   networks/<id>.leases     its IPAM leases (ipam.h)
 *   networks/lock            flock for creating and removing networks
 *
 * The default network "bridge" (bridge silo0, NETWORK_DEFAULT_SUBNET) is
 * built in and never stored; "host" and "none" are modes, listed beside it.
 * Fields: name, id (64 hex), driver ("bridge"), bridge (the link's name),
 * subnet, gateway, created, internal, and on dual-stack networks subnet6
 * and gateway6 (leases in networks/<id>.leases6). */
#ifndef SILO_NET_NETWORK_H
#define SILO_NET_NETWORK_H

#include <jansson.h>

#include "util/err.h"

#define NETWORK_DEFAULT_NAME "bridge"
#define NETWORK_DEFAULT_BRIDGE "silo0"
/* A fixed ID: the built-in network is the same in every store. */
#define NETWORK_DEFAULT_ID "0000000000000000000000000000000000000000000000000000000000000000"
/* Neither docker's 172.17.0.0/16 nor podman's 10.88.0.0/16. */
#define NETWORK_DEFAULT_SUBNET "10.77.0.0/16"
/* User-defined networks get a /24 from here when --subnet is not given. */
#define NETWORK_POOL_FIRST "10.78.0.0/24"
/* IPv6 networks get a /64 from here (unique local addresses). */
#define NETWORK_POOL6_FIRST "fd77:5110:0:1::/64"

struct network_create_request {
	const char *name;
	const char *subnet;  /* NULL: the first free /24 of the pool */
	const char *gateway; /* NULL: the subnet's first address */
	int ipv6;            /* dual-stack: an IPv6 subnet too */
	const char *subnet6; /* NULL: the first free /64 of the IPv6 pool */
	const char *gateway6;
	int internal;
};

/* Whether name is one of the built-in modes/networks (bridge, host, none). */
int network_is_builtin(const char *name);

/* Makes a user-defined network. EEXIST when the name is taken; an
 * overlapping subnet is refused, naming the network that has it. *out (may
 * be NULL) gets the new definition. */
int network_create(const char *store_root, const struct network_create_request *req,
		   json_t **out, struct silo_err *err);

/* The definition of a network by name, ID or unique ID prefix ("bridge":
 * the built-in one). ENOENT: "network NAME not found". */
int network_load(const char *store_root, const char *name, json_t **out, struct silo_err *err);

/* All definitions, the built-in bridge first, then by name. */
int network_list(const char *store_root, json_t **out, struct silo_err *err);

/* Removes a user-defined network's definition and lease file. The caller
 * has checked that no container uses it. */
int network_remove(const char *store_root, const char *name, struct silo_err *err);

/* networks/<id>.leases (family AF_INET) or .leases6 of a definition. */
char *network_leases_path(const char *store_root, json_t *network);
char *network_leases6_path(const char *store_root, json_t *network);

/* Whether the host has IPv6 (not disabled by sysctl or boot option). */
int network_host_has_ipv6(void);

#endif
