/* Address management: the addresses of one network's subnet, leased to
 * containers. Leases live in one JSON file per network and change only
 * under an exclusive flock of that file's lock, so concurrent silo commands
 * never hand out one address twice; each change is write-temp, fsync,
 * rename. */
#ifndef SILO_NET_IPAM_H
#define SILO_NET_IPAM_H

#include <jansson.h>
#include <netinet/in.h>

#include "util/err.h"

struct ipam_subnet {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];  /* network address, in network byte order */
	int prefix_len;
	unsigned char gateway[16];
};

/* "10.77.0.0/16" or "fd00:77::/64". The address is masked to the network.
 * The gateway is set to the first host address. */
int ipam_subnet_parse(const char *cidr, struct ipam_subnet *out, struct silo_err *err);
/* "10.77.0.0/16" */
void ipam_subnet_format(const struct ipam_subnet *subnet, char *buf, size_t size);
/* Whether addr (same family) lies in subnet. */
int ipam_subnet_contains(const struct ipam_subnet *subnet, const unsigned char *addr);
/* Whether two subnets overlap. */
int ipam_subnet_overlaps(const struct ipam_subnet *a, const struct ipam_subnet *b);

/* One lease. */
struct ipam_lease_request {
	const char *owner;     /* the container ID */
	const char *requested; /* --ip, or NULL: the lowest free address */
	json_t *data;          /* kept with the lease (name, aliases…), or NULL */
};

/* Leases an address of subnet (never the network, gateway or broadcast
 * address) to req->owner in the lease file at path; an owner holding one
 * already gets the same one back. out gets the address as text. Fails with
 * EADDRINUSE when req->requested is taken, ENOSPC when none is free. */
int ipam_lease(const char *path, const struct ipam_subnet *subnet,
	       const struct ipam_lease_request *req, char *out, size_t out_size,
	       struct silo_err *err);

/* Returns owner's address to the pool; no lease is fine. */
int ipam_release(const char *path, const char *owner, struct silo_err *err);

/* All leases: {"ADDRESS": {"owner": ID, "data": …}, …}; {} when the file
 * does not exist. *out is a new reference. */
int ipam_leases(const char *path, json_t **out, struct silo_err *err);

#endif
