/* Bridge networking: a network's bridge on the host (made on first use,
 * with the gateway address, forwarding and silo's nftables table), and a
 * container's veth pair between that bridge and the container's network
 * namespace. */
#ifndef SILO_NET_BRIDGE_H
#define SILO_NET_BRIDGE_H

#include "net/ipam.h"
#include "util/err.h"

struct bridge_network {
	const char *bridge;               /* the link's name, silo0 */
	const struct ipam_subnet *subnet; /* with the gateway */
	int internal;                     /* no NAT to the outside */
};

/* Makes the bridge when it is missing, gives it the gateway address, sets
 * it up and turns on forwarding and route_localnet (published ports reach
 * containers from 127.0.0.1), then makes sure the nftables table has the
 * subnet. Safe to call from any number of silo commands at once. */
int bridge_ensure(const struct bridge_network *net, struct silo_err *err);

/* Deletes the bridge and takes its subnet out of the table; a bridge that
 * is not there is fine. */
int bridge_remove(const struct bridge_network *net, struct silo_err *err);

struct bridge_attachment {
	const char *host_veth;    /* the host end's name */
	const char *ifname;       /* the container end's name, eth0 */
	const char *address;      /* the container's address in the subnet */
	const unsigned char *mac; /* 6 bytes, or NULL: derived from address */
	int default_route;        /* route everything through the gateway */
};

/* A veth pair with one end on the bridge and the other, with its address,
 * MAC, MTU (the host uplink's) and routes, inside netns_fd. */
int bridge_attach(const struct bridge_network *net, int netns_fd, const struct bridge_attachment *a,
		  struct silo_err *err);

/* One more address on the container's end (the IPv6 one of a dual-stack
 * network), with the default route through net's gateway when asked. */
int bridge_add_address(const struct bridge_network *net, int netns_fd, const char *ifname,
		       const char *address, int default_route, struct silo_err *err);

/* Deletes the host end (the container end goes with it); absent is fine. */
int bridge_detach(const char *host_veth, struct silo_err *err);

/* The MAC silo gives an address by default: 02:5a and the IPv4 address,
 * so it is stable and unique within a subnet. */
void bridge_mac_for(const char *address, unsigned char mac[6]);

/* Parses "aa:bb:cc:dd:ee:ff"; a multicast address is refused. */
int bridge_mac_parse(const char *text, unsigned char mac[6], struct silo_err *err);

#endif
