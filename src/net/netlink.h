/* Netlink (rtnetlink through libmnl): the links, addresses and routes that
 * bridge networking needs. A struct netlink is one socket bound to one
 * network namespace (ours, or a container's): the namespace a socket is
 * made in is the one it talks to for its whole life. */
#ifndef SILO_NET_NETLINK_H
#define SILO_NET_NETLINK_H

#include <netinet/in.h>

#include "util/err.h"

struct mnl_socket;

struct netlink {
	struct mnl_socket *sock;
	unsigned int seq;
	unsigned int portid;
};

/* Opens a socket in the network namespace netns_fd (-1: the caller's).
 * Entering another namespace for the socket() call needs CAP_SYS_ADMIN;
 * the caller's namespace is restored before this returns. */
int netlink_open(struct netlink *nl, int netns_fd, struct silo_err *err);
void netlink_close(struct netlink *nl);

/* The link's index, 0 when there is no such link, negative on failure. */
int netlink_link_index(struct netlink *nl, const char *name, struct silo_err *err);

/* A bridge named name (mtu 0: the kernel's default). EEXIST is returned
 * (with err filled) when a link of that name exists. */
int netlink_bridge_add(struct netlink *nl, const char *name, unsigned int mtu, struct silo_err *err);

/* A veth pair: host_name stays in nl's namespace, peer_name is made
 * directly inside the namespace peer_netns_fd. Both get mtu (0: default). */
int netlink_veth_add(struct netlink *nl, const char *host_name, const char *peer_name,
		     int peer_netns_fd, unsigned int mtu, struct silo_err *err);

int netlink_link_set_up(struct netlink *nl, const char *name, struct silo_err *err);
/* Enslaves name to the bridge master. */
int netlink_link_set_master(struct netlink *nl, const char *name, const char *master,
			    struct silo_err *err);
/* Lets a bridge port send a frame back out the port it came in on: a
 * container reaching its own published port through a host address. */
int netlink_link_set_hairpin(struct netlink *nl, const char *name, struct silo_err *err);
int netlink_link_rename(struct netlink *nl, const char *name, const char *new_name,
			struct silo_err *err);
int netlink_link_set_mac(struct netlink *nl, const char *name, const unsigned char mac[6],
			 struct silo_err *err);
/* Deletes the link; a link that does not exist is fine (returns 0). */
int netlink_link_delete(struct netlink *nl, const char *name, struct silo_err *err);
/* The link's MTU, or negative on failure (ENODEV when absent). */
int netlink_link_mtu(struct netlink *nl, const char *name, struct silo_err *err);

/* family is AF_INET or AF_INET6; addr points to a struct in_addr or in6_addr. */
int netlink_addr_add(struct netlink *nl, const char *name, int family, const void *addr,
		     int prefix_len, struct silo_err *err);
/* The default route through gateway (on-link via name). */
int netlink_route_add_default(struct netlink *nl, const char *name, int family,
			      const void *gateway, struct silo_err *err);

/* The MTU of the link that holds the IPv4 default route in nl's namespace,
 * or 0 when there is no default route. */
int netlink_uplink_mtu(struct netlink *nl, struct silo_err *err);

/* Calls fn for every link: its name, its kind ("bridge", "veth", "" when
 * none) and its master's name ("" when none). */
int netlink_links_foreach(struct netlink *nl,
			  void (*fn)(void *opaque, const char *name, const char *kind, const char *master),
			  void *opaque, struct silo_err *err);

#endif
