/* Bridges and veth pairs (see bridge.h). Everything here is idempotent: a
 * silo killed half-way leaves state the next call completes or the
 * teardown removes. */
#include "net/bridge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/netlink.h"
#include "net/nft.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void netlink_closep(struct netlink *nl)
{
	netlink_close(nl);
}
#define _cleanup_netlink_ __attribute__((cleanup(netlink_closep)))

/* Writes a sysctl of our network namespace unless it has the value: on a
 * host, the write needs privileges a second run does not want to need. */
static int sysctl_ensure(const char *path, const char *value, struct silo_err *err)
{
	char now[32] = "";
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, now, sizeof(now) - 1) : -1;

	if (n > 0 && !strncmp(now, value, strlen(value)) && (now[strlen(value)] == '\n'))
		return 0;
	return fs_write_string(path, value, err);
}

int bridge_ensure(const struct bridge_network *net, struct silo_err *err)
{
	_cleanup_netlink_ struct netlink nl = { 0 };
	char cidr[64], path[128];
	int mtu, r;

	if (netlink_open(&nl, -1, err) < 0)
		return -1;
	r = netlink_link_index(&nl, net->bridge, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		mtu = netlink_uplink_mtu(&nl, err);
		if (mtu < 0)
			return -1;
		/* Another silo may make it at the same moment: both are fine. */
		if (netlink_bridge_add(&nl, net->bridge, (unsigned int)mtu, err) < 0 && err->code != EEXIST)
			return -1;
		silo_err_clear(err);
	}
	if (netlink_addr_add(&nl, net->bridge, net->subnet->family, net->subnet->gateway,
			     net->subnet->prefix_len, err) < 0 && err->code != EEXIST)
		return -1;
	silo_err_clear(err);
	if (netlink_link_set_up(&nl, net->bridge, err) < 0)
		return -1;
	if (net->subnet->family == AF_INET) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", net->bridge);
		if (sysctl_ensure(path, "1", err) < 0)
			return -1;
		if (!net->internal && sysctl_ensure("/proc/sys/net/ipv4/ip_forward", "1", err) < 0)
			return -1;
	} else if (!net->internal &&
		   sysctl_ensure("/proc/sys/net/ipv6/conf/all/forwarding", "1", err) < 0) {
		return -1;
	}
	ipam_subnet_format(net->subnet, cidr, sizeof(cidr));
	if (nft_ensure_table(err) < 0)
		return -1;
	if (!net->internal && nft_subnet_add(cidr, err) < 0)
		return -1;
	return 0;
}

int bridge_remove(const struct bridge_network *net, struct silo_err *err)
{
	_cleanup_netlink_ struct netlink nl = { 0 };
	char cidr[64];

	ipam_subnet_format(net->subnet, cidr, sizeof(cidr));
	if (netlink_open(&nl, -1, err) < 0 || netlink_link_delete(&nl, net->bridge, err) < 0)
		return -1;
	return nft_subnet_remove(cidr, err);
}

void bridge_mac_for(const char *address, unsigned char mac[6])
{
	struct in_addr v4 = { 0 };

	mac[0] = 0x02;
	mac[1] = 0x5a;
	inet_pton(AF_INET, address, &v4);
	memcpy(mac + 2, &v4, 4);
}

int bridge_mac_parse(const char *text, unsigned char mac[6], struct silo_err *err)
{
	unsigned int b[6];
	char tail;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
	    strlen(text) != 17)
		return silo_err_set(err, EINVAL, "invalid MAC address \"%s\": want six hex pairs like 02:42:ac:11:00:02",
				    text);
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	if (mac[0] & 1)
		return silo_err_set(err, EINVAL, "invalid MAC address \"%s\": a multicast address", text);
	return 0;
}

int bridge_attach(const struct bridge_network *net, int netns_fd, const struct bridge_attachment *a,
		  struct silo_err *err)
{
	_cleanup_netlink_ struct netlink host = { 0 };
	_cleanup_netlink_ struct netlink inside = { 0 };
	unsigned char addr[16], mac[6];
	int mtu;

	if (inet_pton(net->subnet->family, a->address, addr) != 1)
		return silo_err_set(err, EINVAL, "invalid address \"%s\"", a->address);
	if (a->mac)
		memcpy(mac, a->mac, 6);
	else
		bridge_mac_for(a->address, mac);
	if (netlink_open(&host, -1, err) < 0)
		return -1;
	/* The uplink's MTU, so a container's packets fit a tunnel or VPN
	 * the host sits behind without fragmenting. */
	mtu = netlink_uplink_mtu(&host, err);
	if (mtu < 0)
		return -1;
	if (netlink_veth_add(&host, a->host_veth, a->ifname, netns_fd, (unsigned int)mtu, err) < 0 ||
	    netlink_link_set_master(&host, a->host_veth, net->bridge, err) < 0 ||
	    netlink_link_set_hairpin(&host, a->host_veth, err) < 0 ||
	    netlink_link_set_up(&host, a->host_veth, err) < 0)
		return -1;
	if (netlink_open(&inside, netns_fd, err) < 0 ||
	    netlink_link_set_mac(&inside, a->ifname, mac, err) < 0 ||
	    netlink_addr_add(&inside, a->ifname, net->subnet->family, addr, net->subnet->prefix_len, err) < 0 ||
	    netlink_link_set_up(&inside, a->ifname, err) < 0)
		return -1;
	if (a->default_route && !net->internal &&
	    netlink_route_add_default(&inside, a->ifname, net->subnet->family, net->subnet->gateway, err) < 0)
		return -1;
	return 0;
}

int bridge_add_address(const struct bridge_network *net, int netns_fd, const char *ifname,
		       const char *address, int default_route, struct silo_err *err)
{
	_cleanup_netlink_ struct netlink inside = { 0 };
	unsigned char addr[16];

	if (inet_pton(net->subnet->family, address, addr) != 1)
		return silo_err_set(err, EINVAL, "invalid address \"%s\"", address);
	if (netlink_open(&inside, netns_fd, err) < 0 ||
	    netlink_addr_add(&inside, ifname, net->subnet->family, addr, net->subnet->prefix_len, err) < 0)
		return -1;
	if (default_route && !net->internal &&
	    netlink_route_add_default(&inside, ifname, net->subnet->family, net->subnet->gateway, err) < 0)
		return -1;
	return 0;
}

int bridge_detach(const char *host_veth, struct silo_err *err)
{
	_cleanup_netlink_ struct netlink nl = { 0 };

	if (netlink_open(&nl, -1, err) < 0)
		return -1;
	return netlink_link_delete(&nl, host_veth, err);
}
