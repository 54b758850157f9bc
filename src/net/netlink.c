/* rtnetlink through libmnl. Every request goes through netlink_talk(): it
 * asks for an acknowledgement, reads replies until the ack (or the end of a
 * dump), hands data messages to a callback, and turns a kernel error into
 * -errno with the kernel's extended-ack text when there is one. The
 * functions above it only build messages and read attributes. */
#include "net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/netns.h"

/* Requests carry a name or two and a few numbers. */
#define REQUEST_SIZE 1024
/* The kernel fits a dump into datagrams of at most 32 KiB; a smaller buffer
 * would see them truncated (ENOSPC from libmnl). */
#define RECEIVE_SIZE 32768

#define KIND_SIZE 32

struct link_info {
	int index;
	int master;
	unsigned int mtu;
	char name[IFNAMSIZ];
	char kind[KIND_SIZE];
};

/* One exchange in progress: the caller's callback, and what the kernel
 * said at the end. */
struct talk {
	mnl_cb_t cb;
	void *data;
	int error;           /* positive errno, 0 for success */
	bool done;
	bool interrupted;    /* the dump changed under us (NLM_F_DUMP_INTR) */
	char message[256];   /* extended ack text, or "" */
};

static int open_socket(void *opaque, struct silo_err *err)
{
	struct netlink *nl = opaque;

	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return silo_err_errno(err, "open a netlink socket");
	return 0;
}

int netlink_open(struct netlink *nl, int netns_fd, struct silo_err *err)
{
	int one = 1;
	int r;

	memset(nl, 0, sizeof(*nl));
	r = netns_fd >= 0 ? netns_run(netns_fd, open_socket, nl, err) : open_socket(nl, err);
	if (r < 0)
		return r;
	/* Extended acks add the kernel's reason to an error ("Device can not
	 * be enslaved while up"); capped acks leave our request out of them.
	 * Kernels without either still report the errno, so failures to set
	 * them are ignored. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = silo_err_errno(err, "bind a netlink socket");
		netlink_close(nl);
		return r;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

void netlink_close(struct netlink *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct talk *t = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(t->message, sizeof(t->message), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static void talk_error(const struct nlmsghdr *nlh, struct talk *t)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*e);

	t->done = true;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		t->error = EBADMSG;
		return;
	}
	t->error = -e->error;
	if (!e->error || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* The TLVs follow our request unless the kernel capped it. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (offset < mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, offset, extack_attr, t);
}

/* A failed dump ends with NLMSG_DONE carrying the error. */
static void talk_dump_done(const struct nlmsghdr *nlh, struct talk *t)
{
	t->done = true;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int status = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (status < 0)
			t->error = -status;
	}
}

/* A callback that fails sets errno; the rest of the replies are still
 * read, so the socket stays in step with the kernel. */
static void talk_data(const struct nlmsghdr *nlh, struct talk *t)
{
	errno = 0;
	if (t->cb(nlh, t->data) < MNL_CB_OK)
		t->error = errno ? errno : EBADMSG;
}

/* Hands one datagram's messages to the talk. Messages of another sequence
 * number are left over from an earlier request whose reading failed
 * midway; skipping them keeps this socket usable. */
static void talk_dispatch(const struct netlink *nl, struct talk *t, const void *buf, int len)
{
	const struct nlmsghdr *nlh = buf;

	for (; mnl_nlmsg_ok(nlh, len) && !t->done; nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != nl->seq || !mnl_nlmsg_portid_ok(nlh, nl->portid))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			t->interrupted = true;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			talk_error(nlh, t);
		else if (nlh->nlmsg_type == NLMSG_DONE)
			talk_dump_done(nlh, t);
		else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && t->cb && !t->error)
			talk_data(nlh, t);
	}
}

/* Sends the request in nlh and reads until the kernel acknowledges it (or
 * a dump ends), calling cb for each data message. On failure err says
 * "<what>: <cause>", what being the printf-formatted rest. */
static int netlink_talk(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
			struct silo_err *err, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int netlink_talk(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
			struct silo_err *err, const char *fmt, ...)
{
	char buf[RECEIVE_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct talk t = { .cb = cb, .data = data };
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return silo_err_errno(err, "%s: send to netlink", what);
	while (!t.done) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return silo_err_errno(err, "%s: receive from netlink", what);
		talk_dispatch(nl, &t, buf, (int)n);
	}
	if (t.error && t.message[0])
		return silo_err_set(err, t.error, "%s: %s (%s)", what, strerror(t.error), t.message);
	if (t.error)
		return silo_err_sys(err, t.error, "%s", what);
	if (t.interrupted)
		return silo_err_set(err, EINTR, "%s: links or routes changed during the dump", what);
	return 0;
}

/* A dump that the kernel saw interrupted by a concurrent change is
 * incomplete; it is asked again (after reset) a few times. */
static int netlink_dump(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
			void (*reset)(void *data), struct silo_err *err, const char *what)
{
	int r = -EINTR;

	for (int attempt = 0; attempt < 5 && r == -EINTR; attempt++) {
		reset(data);
		r = netlink_talk(nl, nlh, cb, data, err, "%s", what);
	}
	return r;
}

static int check_name(const char *name, struct silo_err *err)
{
	if (!name || !name[0])
		return silo_err_set(err, EINVAL, "link name is empty");
	if (strlen(name) >= IFNAMSIZ)
		return silo_err_set(err, EINVAL, "link name \"%s\" is longer than %d characters", name,
				    IFNAMSIZ - 1);
	return 0;
}

static struct nlmsghdr *link_message(char *buf, uint16_t type, uint16_t flags, int index,
				     const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static int linkinfo_attr(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(info->kind, sizeof(info->kind), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(info->name, sizeof(info->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->master = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, linkinfo_attr, info);
		break;
	}
	return MNL_CB_OK;
}

static int parse_link(const struct nlmsghdr *nlh, struct link_info *info)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	memset(info, 0, sizeof(*info));
	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	info->index = ifm->ifi_index;
	return mnl_attr_parse(nlh, sizeof(*ifm), link_attr, info);
}

static int link_reply(const struct nlmsghdr *nlh, void *data)
{
	return parse_link(nlh, data);
}

/* The link named name (or, name NULL, of index index). */
static int link_get(struct netlink *nl, int index, const char *name, struct link_info *info,
		    struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;

	if (name && check_name(name, err) < 0)
		return -EINVAL;
	nlh = link_message(buf, RTM_GETLINK, 0, name ? 0 : index, name);
	memset(info, 0, sizeof(*info));
	if (name)
		return netlink_talk(nl, nlh, link_reply, info, err, "look up link \"%s\"", name);
	return netlink_talk(nl, nlh, link_reply, info, err, "look up link %d", index);
}

int netlink_link_index(struct netlink *nl, const char *name, struct silo_err *err)
{
	struct silo_err lookup = { 0 };
	struct link_info info;
	int r = link_get(nl, 0, name, &info, &lookup);

	if (r == -ENODEV)
		return 0;
	if (r < 0) {
		if (err)
			*err = lookup;
		return r;
	}
	return info.index;
}

/* The index of a link that must exist, for requests that name it by
 * index; what says what the index is for. */
static int existing_index(struct netlink *nl, const char *name, const char *what,
			  struct silo_err *err)
{
	int index = netlink_link_index(nl, name, err);

	if (index == 0)
		return silo_err_set(err, ENODEV, "%s: link \"%s\" does not exist", what, name);
	return index;
}

int netlink_bridge_add(struct netlink *nl, const char *name, unsigned int mtu, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	struct nlattr *linkinfo;

	if (check_name(name, err) < 0)
		return -EINVAL;
	nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	return netlink_talk(nl, nlh, NULL, NULL, err, "create bridge \"%s\"", name);
}

int netlink_veth_add(struct netlink *nl, const char *host_name, const char *peer_name,
		     int peer_netns_fd, unsigned int mtu, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlattr *linkinfo, *info_data, *peer;
	struct nlmsghdr *nlh;
	struct ifinfomsg *peer_ifm;

	if (check_name(host_name, err) < 0 || check_name(peer_name, err) < 0)
		return -EINVAL;
	nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, host_name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	info_data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer is described by a link message of its own inside the
	 * nest: a struct ifinfomsg, then its attributes. */
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer_ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifm));
	peer_ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);
	return netlink_talk(nl, nlh, NULL, NULL, err, "create veth \"%s\" with peer \"%s\"",
			    host_name, peer_name);
}

int netlink_link_set_up(struct netlink *nl, const char *name, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	if (check_name(name, err) < 0)
		return -EINVAL;
	nlh = link_message(buf, RTM_SETLINK, 0, 0, name);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return netlink_talk(nl, nlh, NULL, NULL, err, "set link \"%s\" up", name);
}

int netlink_link_set_master(struct netlink *nl, const char *name, const char *master,
			    struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char what[128];
	struct nlmsghdr *nlh;
	int master_index;

	if (check_name(name, err) < 0)
		return -EINVAL;
	snprintf(what, sizeof(what), "attach link \"%s\" to bridge \"%s\"", name, master);
	master_index = existing_index(nl, master, what, err);
	if (master_index < 0)
		return master_index;
	nlh = link_message(buf, RTM_SETLINK, 0, 0, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_index);
	return netlink_talk(nl, nlh, NULL, NULL, err, "%s", what);
}

int netlink_link_set_hairpin(struct netlink *nl, const char *name, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char what[128];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nlattr *protinfo;
	int index;

	if (check_name(name, err) < 0)
		return -EINVAL;
	snprintf(what, sizeof(what), "turn on hairpin mode of bridge port \"%s\"", name);
	index = existing_index(nl, name, what, err);
	if (index < 0)
		return index;
	/* The bridge's port settings: an AF_BRIDGE request with the port's
	 * attributes nested in IFLA_PROTINFO. */
	nlh = link_message(buf, RTM_SETLINK, 0, index, NULL);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_family = AF_BRIDGE;
	protinfo = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, 1);
	mnl_attr_nest_end(nlh, protinfo);
	return netlink_talk(nl, nlh, NULL, NULL, err, "%s", what);
}

int netlink_link_rename(struct netlink *nl, const char *name, const char *new_name,
			struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char what[128];
	struct nlmsghdr *nlh;
	int index;

	if (check_name(new_name, err) < 0)
		return -EINVAL;
	snprintf(what, sizeof(what), "rename link \"%s\" to \"%s\"", name, new_name);
	/* IFLA_IFNAME carries the new name, so the link is named by index. */
	index = existing_index(nl, name, what, err);
	if (index < 0)
		return index;
	nlh = link_message(buf, RTM_SETLINK, 0, index, new_name);
	return netlink_talk(nl, nlh, NULL, NULL, err, "%s", what);
}

int netlink_link_set_mac(struct netlink *nl, const char *name, const unsigned char mac[6],
			 struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;

	if (check_name(name, err) < 0)
		return -EINVAL;
	nlh = link_message(buf, RTM_SETLINK, 0, 0, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return netlink_talk(nl, nlh, NULL, NULL, err,
			    "set MAC address of link \"%s\" to %02x:%02x:%02x:%02x:%02x:%02x", name,
			    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int netlink_link_delete(struct netlink *nl, const char *name, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct silo_err delete = { 0 };
	struct nlmsghdr *nlh;
	int r;

	if (check_name(name, err) < 0)
		return -EINVAL;
	nlh = link_message(buf, RTM_DELLINK, 0, 0, name);
	r = netlink_talk(nl, nlh, NULL, NULL, &delete, "delete link \"%s\"", name);
	if (r == -ENODEV)
		return 0;
	if (r < 0 && err)
		*err = delete;
	return r;
}

int netlink_link_mtu(struct netlink *nl, const char *name, struct silo_err *err)
{
	struct link_info info;
	int r = link_get(nl, 0, name, &info, err);

	return r < 0 ? r : (int)info.mtu;
}

static size_t family_addr_len(int family)
{
	if (family == AF_INET)
		return sizeof(struct in_addr);
	if (family == AF_INET6)
		return sizeof(struct in6_addr);
	return 0;
}

int netlink_addr_add(struct netlink *nl, const char *name, int family, const void *addr,
		     int prefix_len, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len = family_addr_len(family);
	char text[INET6_ADDRSTRLEN] = "?";
	char what[160];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int index;

	if (!len)
		return silo_err_set(err, EAFNOSUPPORT,
				    "add address to link \"%s\": family %d is not IPv4 or IPv6", name,
				    family);
	inet_ntop(family, addr, text, sizeof(text));
	snprintf(what, sizeof(what), "add address %s/%d to link \"%s\"", text, prefix_len, name);
	if (prefix_len < 0 || (size_t)prefix_len > len * 8)
		return silo_err_set(err, EINVAL, "%s: invalid prefix length", what);
	index = existing_index(nl, name, what, err);
	if (index < 0)
		return index;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix_len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)index;
	/* IPAM hands each address to one container only, so duplicate
	 * detection would only keep an IPv6 address "tentative", unusable by
	 * bind(), for its first second or more. */
	if (family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer's on
	 * point-to-point links, the same on all others. */
	mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	return netlink_talk(nl, nlh, NULL, NULL, err, "%s", what);
}

int netlink_route_add_default(struct netlink *nl, const char *name, int family,
			      const void *gateway, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len = family_addr_len(family);
	char text[INET6_ADDRSTRLEN] = "?";
	char what[160];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int index;

	if (!len)
		return silo_err_set(err, EAFNOSUPPORT,
				    "add default route on link \"%s\": family %d is not IPv4 or IPv6",
				    name, family);
	inet_ntop(family, gateway, text, sizeof(text));
	snprintf(what, sizeof(what), "add default route via %s on link \"%s\"", text, name);
	index = existing_index(nl, name, what, err);
	if (index < 0)
		return index;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, len, gateway);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	return netlink_talk(nl, nlh, NULL, NULL, err, "%s", what);
}

/* The IPv4 default route with the lowest metric: the one the kernel uses. */
struct default_route {
	bool found;
	int oif;
	uint32_t priority;
};

struct route_attrs {
	uint32_t table;
	uint32_t priority;
	int oif;
};

static int route_attr(const struct nlattr *attr, void *data)
{
	struct route_attrs *ra = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			ra->table = mnl_attr_get_u32(attr);
		break;
	case RTA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			ra->priority = mnl_attr_get_u32(attr);
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			ra->oif = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_MULTIPATH:
		/* A multipath route: the first hop's link stands for all. */
		if (!ra->oif && mnl_attr_get_payload_len(attr) >= sizeof(struct rtnexthop))
			ra->oif = ((const struct rtnexthop *)mnl_attr_get_payload(attr))->rtnh_ifindex;
		break;
	}
	return MNL_CB_OK;
}

static int route_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct default_route *best = data;
	struct route_attrs ra = { 0 };

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	if (rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	ra.table = rtm->rtm_table;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr, &ra) < 0)
		return MNL_CB_ERROR;
	if (ra.table != RT_TABLE_MAIN || ra.oif <= 0)
		return MNL_CB_OK;
	if (!best->found || ra.priority < best->priority) {
		best->found = true;
		best->oif = ra.oif;
		best->priority = ra.priority;
	}
	return MNL_CB_OK;
}

static void default_route_reset(void *data)
{
	memset(data, 0, sizeof(struct default_route));
}

int netlink_uplink_mtu(struct netlink *nl, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct default_route best;
	struct link_info info;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int r;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	r = netlink_dump(nl, nlh, route_reply, &best, default_route_reset, err, "list IPv4 routes");
	if (r < 0)
		return r;
	if (!best.found)
		return 0;
	r = link_get(nl, best.oif, NULL, &info, err);
	if (r < 0)
		return silo_err_prefix(err, "find the uplink's MTU");
	return (int)info.mtu;
}

struct link_list {
	struct link_info *links;
	size_t n;
	size_t capacity;
};

static int link_list_reply(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *list = data;

	if (list->n == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 16;
		struct link_info *links = realloc(list->links, capacity * sizeof(*links));

		if (!links) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		list->links = links;
		list->capacity = capacity;
	}
	if (parse_link(nlh, &list->links[list->n]) < MNL_CB_OK)
		return MNL_CB_ERROR;
	list->n++;
	return MNL_CB_OK;
}

static void link_list_reset(void *data)
{
	((struct link_list *)data)->n = 0;
}

static const char *link_list_name(const struct link_list *list, int index)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->links[i].index == index)
			return list->links[i].name;
	return "";
}

int netlink_links_foreach(struct netlink *nl,
			  void (*fn)(void *opaque, const char *name, const char *kind, const char *master),
			  void *opaque, struct silo_err *err)
{
	char buf[REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct link_list list = { 0 };
	struct nlmsghdr *nlh;
	int r;

	nlh = link_message(buf, RTM_GETLINK, NLM_F_DUMP, 0, NULL);
	r = netlink_dump(nl, nlh, link_list_reply, &list, link_list_reset, err, "list links");
	/* fn runs after the dump, so it may use nl itself. */
	for (size_t i = 0; r == 0 && i < list.n; i++) {
		const struct link_info *link = &list.links[i];

		fn(opaque, link->name, link->kind, link->master ? link_list_name(&list, link->master) : "");
	}
	free(list.links);
	return r;
}
