/* Unit tests for netlink.c and netns.c against the real kernel. main()
 * first moves the whole program into private network and mount
 * namespaces, so links, addresses, routes and mounts made here never reach
 * the machine's own; without root every test is skipped. What the code
 * under test did is read back by other means where there are some:
 * interface ioctls, sysfs, getifaddrs(), /proc/net. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/nsfs.h>

#include <cmocka.h>

#include "net/netlink.h"
#include "net/netns.h"
#include "util/cleanup.h"

static bool isolated;
static char scratch[] = "/tmp/silo-unit-netlink.XXXXXX";
static struct silo_err err;

/* Runs a call that must succeed, and shows its error when it does not. */
#define assert_ok(call)                                            \
	do {                                                       \
		silo_err_clear(&err);                              \
		int _r = (call);                                   \
		if (_r < 0)                                        \
			fail_msg("%s: %d: %s", #call, _r, err.msg); \
	} while (0)

static void require_isolation(void)
{
	if (!isolated)
		skip();
}

static void scratch_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", scratch, name);
}

/* What the interface ioctls say about a link, in the namespace of the
 * calling thread: independent of the netlink code under test. */
struct probe {
	const char *name;
	int index;
	short flags;
	int mtu;
	unsigned char mac[6];
};

static int probe_link(void *opaque, struct silo_err *e)
{
	struct probe *p = opaque;
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };

	(void)e;
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->name);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	p->index = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	p->flags = ifr.ifr_flags;
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		return -errno;
	p->mtu = ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static struct probe probe_here(const char *name)
{
	struct probe p = { .name = name };
	int r = probe_link(&p, NULL);

	if (r < 0)
		fail_msg("link \"%s\": %s", name, strerror(-r));
	return p;
}

static struct probe probe_in(int netns_fd, const char *name)
{
	struct probe p = { .name = name };

	assert_ok(netns_run(netns_fd, probe_link, &p, &err));
	return p;
}

static bool link_exists_in(int netns_fd, const char *name)
{
	struct probe p = { .name = name };
	int r = netns_fd < 0 ? probe_link(&p, NULL) : netns_run(netns_fd, probe_link, &p, &err);

	if (r < 0 && r != -ENODEV)
		fail_msg("probe \"%s\": %s", name, strerror(-r));
	return r == 0;
}

/* sysfs mounted in main(), from inside the private namespace. */
static bool sysfs_exists(const char *link, const char *entry)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/sys/class/net/%s/%s", scratch, link, entry);
	return lstat(path, &st) == 0;
}

static void sysfs_master(const char *link, char *buf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *slash;

	snprintf(path, sizeof(path), "%s/sys/class/net/%s/master", scratch, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		buf[0] = '\0';
		return;
	}
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(buf, size, "%s", slash ? slash + 1 : target);
}

static ino_t netns_inode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static bool mounted_at(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], needle[PATH_MAX + 2];

	assert_non_null(f);
	snprintf(needle, sizeof(needle), " %s ", path);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			return true;
	return false;
}

static void test_bridge_add_and_exists(void **state)
{
	struct netlink nl;
	struct probe p;

	(void)state;
	require_isolation();
	assert_ok(netlink_open(&nl, -1, &err));
	assert_ok(netlink_bridge_add(&nl, "tbr0", 1400, &err));
	p = probe_here("tbr0");
	assert_int_equal(p.mtu, 1400);
	assert_true(sysfs_exists("tbr0", "bridge"));
	assert_int_equal(netlink_link_index(&nl, "tbr0", &err), p.index);
	assert_int_equal(netlink_link_mtu(&nl, "tbr0", &err), 1400);

	silo_err_clear(&err);
	assert_int_equal(netlink_bridge_add(&nl, "tbr0", 0, &err), -EEXIST);
	assert_int_equal(err.code, EEXIST);
	assert_string_equal(err.msg, "create bridge \"tbr0\": File exists");

	assert_ok(netlink_link_delete(&nl, "tbr0", &err));
	assert_false(link_exists_in(-1, "tbr0"));
	assert_int_equal(netlink_link_index(&nl, "tbr0", &err), 0);
	netlink_close(&nl);
}

static void test_absent_links(void **state)
{
	struct netlink nl;

	(void)state;
	require_isolation();
	assert_ok(netlink_open(&nl, -1, &err));
	assert_int_equal(netlink_link_index(&nl, "nosuch0", &err), 0);
	assert_ok(netlink_link_delete(&nl, "nosuch0", &err));

	silo_err_clear(&err);
	assert_int_equal(netlink_link_mtu(&nl, "nosuch0", &err), -ENODEV);
	assert_string_equal(err.msg, "look up link \"nosuch0\": No such device");
	assert_int_equal(netlink_link_set_up(&nl, "nosuch0", &err), -ENODEV);
	assert_int_equal(netlink_link_rename(&nl, "nosuch0", "other0", &err), -ENODEV);
	assert_non_null(strstr(err.msg, "\"nosuch0\" does not exist"));

	silo_err_clear(&err);
	assert_int_equal(netlink_bridge_add(&nl, "a-name-much-too-long", 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "a-name-much-too-long"));
	assert_false(link_exists_in(-1, "a-name-much-to"));
	netlink_close(&nl);
}

static bool has_address(const char *link, int family, const char *text, int prefix_len)
{
	struct ifaddrs *list, *a;
	bool found = false;

	assert_int_equal(getifaddrs(&list), 0);
	for (a = list; a && !found; a = a->ifa_next) {
		char buf[INET6_ADDRSTRLEN] = "";
		const void *addr, *mask;
		int bits = 0;
		size_t len;

		if (!a->ifa_addr || a->ifa_addr->sa_family != family || strcmp(a->ifa_name, link))
			continue;
		if (family == AF_INET) {
			addr = &((struct sockaddr_in *)a->ifa_addr)->sin_addr;
			mask = &((struct sockaddr_in *)a->ifa_netmask)->sin_addr;
			len = 4;
		} else {
			addr = &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
			mask = &((struct sockaddr_in6 *)a->ifa_netmask)->sin6_addr;
			len = 16;
		}
		for (size_t i = 0; i < len; i++)
			bits += __builtin_popcount(((const unsigned char *)mask)[i]);
		inet_ntop(family, addr, buf, sizeof(buf));
		found = !strcmp(buf, text) && bits == prefix_len;
	}
	freeifaddrs(list);
	return found;
}

struct address_check {
	const char *link;
	int found_v4, found_v6;
};

static int check_addresses(void *opaque, struct silo_err *e)
{
	struct address_check *c = opaque;

	(void)e;
	c->found_v4 = has_address(c->link, AF_INET, "10.88.0.2", 16);
	c->found_v6 = has_address(c->link, AF_INET6, "fd00:88::2", 64);
	return 0;
}

/* The default routes of the calling thread's namespace, from /proc/net. */
struct route_check {
	const char *link;
	const char *gateway4;  /* as /proc/net/route prints it */
	const char *gateway6;  /* as /proc/net/ipv6_route prints it */
	bool found_v4, found_v6;
};

static int check_routes(void *opaque, struct silo_err *e)
{
	struct route_check *c = opaque;
	char line[512], iface[32], dst[40], gw[40], dlen[4], src[40], slen[4];
	FILE *f;

	(void)e;
	f = fopen("/proc/thread-self/net/route", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %39s %39s", iface, dst, gw) == 3 && !strcmp(iface, c->link) &&
		    !strcmp(dst, "00000000") && !strcmp(gw, c->gateway4))
			c->found_v4 = true;
	fclose(f);
	f = fopen("/proc/thread-self/net/ipv6_route", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%39s %3s %39s %3s %39s %*s %*s %*s %*s %31s", dst, dlen, src, slen,
			   gw, iface) == 6 &&
		    !strcmp(iface, c->link) && !strcmp(dst, "00000000000000000000000000000000") &&
		    !strcmp(dlen, "00") && !strcmp(gw, c->gateway6))
			c->found_v6 = true;
	fclose(f);
	return 0;
}

static void test_veth_into_netns(void **state)
{
	static const unsigned char mac[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 };
	char path[PATH_MAX], gateway4[16];
	struct in_addr v4, gw4;
	struct in6_addr v6, gw6;
	struct netlink nl, inside;
	struct address_check addresses = { .link = "eth0" };
	struct route_check routes = { .link = "eth0",
				      .gateway4 = gateway4,
				      .gateway6 = "fd000088000000000000000000000001" };
	struct probe p;
	int fd;

	(void)state;
	require_isolation();
	scratch_path(path, sizeof(path), "veth-ns");
	assert_ok(netns_create(path, &err));
	fd = netns_open(path, &err);
	assert_true(fd >= 0);
	assert_ok(netlink_open(&nl, -1, &err));
	assert_ok(netlink_open(&inside, fd, &err));

	assert_ok(netlink_veth_add(&nl, "tvh0", "tvp0", fd, 1450, &err));
	assert_int_equal(probe_here("tvh0").mtu, 1450);
	assert_false(link_exists_in(-1, "tvp0"));
	assert_int_equal(probe_in(fd, "tvp0").mtu, 1450);
	assert_int_equal(netlink_link_index(&nl, "tvp0", &err), 0);
	assert_int_equal(netlink_link_index(&inside, "tvp0", &err), probe_in(fd, "tvp0").index);

	assert_ok(netlink_link_rename(&inside, "tvp0", "eth0", &err));
	assert_false(link_exists_in(fd, "tvp0"));
	assert_true(link_exists_in(fd, "eth0"));

	assert_ok(netlink_link_set_mac(&inside, "eth0", mac, &err));
	assert_memory_equal(probe_in(fd, "eth0").mac, mac, 6);

	inet_pton(AF_INET, "10.88.0.2", &v4);
	inet_pton(AF_INET6, "fd00:88::2", &v6);
	assert_ok(netlink_addr_add(&inside, "eth0", AF_INET, &v4, 16, &err));
	assert_ok(netlink_addr_add(&inside, "eth0", AF_INET6, &v6, 64, &err));
	assert_ok(netns_run(fd, check_addresses, &addresses, &err));
	assert_true(addresses.found_v4);
	assert_true(addresses.found_v6);
	silo_err_clear(&err);
	assert_int_equal(netlink_addr_add(&inside, "eth0", AF_INET, &v4, 16, &err), -EEXIST);

	assert_false(probe_in(fd, "eth0").flags & IFF_UP);
	assert_ok(netlink_link_set_up(&inside, "eth0", &err));
	assert_ok(netlink_link_set_up(&nl, "tvh0", &err));
	p = probe_in(fd, "eth0");
	assert_true(p.flags & IFF_UP);
	assert_true(probe_here("tvh0").flags & IFF_UP);

	inet_pton(AF_INET, "10.88.0.1", &gw4);
	inet_pton(AF_INET6, "fd00:88::1", &gw6);
	snprintf(gateway4, sizeof(gateway4), "%08X", gw4.s_addr);
	assert_int_equal(netlink_uplink_mtu(&inside, &err), 0);
	assert_ok(netlink_route_add_default(&inside, "eth0", AF_INET, &gw4, &err));
	assert_ok(netlink_route_add_default(&inside, "eth0", AF_INET6, &gw6, &err));
	assert_ok(netns_run(fd, check_routes, &routes, &err));
	assert_true(routes.found_v4);
	assert_true(routes.found_v6);
	assert_int_equal(netlink_uplink_mtu(&inside, &err), 1450);

	/* Deleting one end of a veth deletes the other. */
	assert_ok(netlink_link_delete(&nl, "tvh0", &err));
	assert_false(link_exists_in(-1, "tvh0"));
	assert_false(link_exists_in(fd, "eth0"));
	netlink_close(&inside);
	netlink_close(&nl);
	close(fd);
	assert_ok(netns_remove(path, &err));
}

static void test_uplink_mtu(void **state)
{
	struct netlink nl;
	struct in_addr addr, gateway;

	(void)state;
	require_isolation();
	assert_ok(netlink_open(&nl, -1, &err));
	assert_int_equal(netlink_uplink_mtu(&nl, &err), 0);

	assert_ok(netlink_veth_add(&nl, "tup0", "tup1", -1, 1380, &err));
	assert_true(link_exists_in(-1, "tup1"));
	inet_pton(AF_INET, "10.99.0.2", &addr);
	inet_pton(AF_INET, "10.99.0.1", &gateway);
	assert_ok(netlink_addr_add(&nl, "tup0", AF_INET, &addr, 24, &err));
	assert_ok(netlink_link_set_up(&nl, "tup0", &err));
	assert_int_equal(netlink_uplink_mtu(&nl, &err), 0);
	assert_ok(netlink_route_add_default(&nl, "tup0", AF_INET, &gateway, &err));
	assert_int_equal(netlink_uplink_mtu(&nl, &err), 1380);

	assert_ok(netlink_link_delete(&nl, "tup0", &err));
	assert_false(link_exists_in(-1, "tup1"));
	assert_int_equal(netlink_uplink_mtu(&nl, &err), 0);
	netlink_close(&nl);
}

struct seen_link {
	char name[IFNAMSIZ];
	char kind[32];
	char master[IFNAMSIZ];
};

struct seen {
	struct seen_link links[64];
	size_t n;
};

static void collect_link(void *opaque, const char *name, const char *kind, const char *master)
{
	struct seen *s = opaque;

	if (s->n < sizeof(s->links) / sizeof(s->links[0])) {
		struct seen_link *l = &s->links[s->n++];

		snprintf(l->name, sizeof(l->name), "%s", name);
		snprintf(l->kind, sizeof(l->kind), "%s", kind);
		snprintf(l->master, sizeof(l->master), "%s", master);
	}
}

static const struct seen_link *seen_find(const struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->links[i].name, name))
			return &s->links[i];
	fail_msg("links_foreach did not report \"%s\"", name);
	return NULL;
}

static void assert_seen(const struct seen *s, const char *name, const char *kind,
			const char *master)
{
	const struct seen_link *l = seen_find(s, name);

	assert_string_equal(l->kind, kind);
	assert_string_equal(l->master, master);
}

static void test_links_foreach(void **state)
{
	struct netlink nl;
	struct seen seen = { 0 };
	char master[PATH_MAX];

	(void)state;
	require_isolation();
	assert_ok(netlink_open(&nl, -1, &err));
	assert_ok(netlink_bridge_add(&nl, "tfbr0", 0, &err));
	assert_ok(netlink_veth_add(&nl, "tfv0", "tfv1", -1, 0, &err));
	assert_ok(netlink_link_set_master(&nl, "tfv0", "tfbr0", &err));
	sysfs_master("tfv0", master, sizeof(master));
	assert_string_equal(master, "tfbr0");
	assert_true(sysfs_exists("tfbr0", "brif/tfv0"));

	assert_ok(netlink_links_foreach(&nl, collect_link, &seen, &err));
	assert_seen(&seen, "lo", "", "");
	assert_seen(&seen, "tfbr0", "bridge", "");
	assert_seen(&seen, "tfv0", "veth", "tfbr0");
	assert_seen(&seen, "tfv1", "veth", "");

	silo_err_clear(&err);
	assert_int_equal(netlink_link_set_master(&nl, "tfv1", "nosuchbr", &err), -ENODEV);
	assert_non_null(strstr(err.msg, "nosuchbr"));

	assert_ok(netlink_link_delete(&nl, "tfv0", &err));
	assert_ok(netlink_link_delete(&nl, "tfbr0", &err));
	assert_false(link_exists_in(-1, "tfv1"));
	assert_false(link_exists_in(-1, "tfbr0"));
	netlink_close(&nl);
}

static void test_netns_create_open_remove(void **state)
{
	char path[PATH_MAX];
	struct probe lo;
	struct stat st;
	int fd;

	(void)state;
	require_isolation();
	scratch_path(path, sizeof(path), "life-ns");
	assert_ok(netns_create(path, &err));
	assert_int_equal(lstat(path, &st), 0);
	assert_true(mounted_at(path));

	fd = netns_open(path, &err);
	if (fd < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ioctl(fd, NS_GET_NSTYPE), CLONE_NEWNET);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_not_equal(st.st_ino, netns_inode_of("/proc/self/ns/net"));
	lo = probe_in(fd, "lo");
	assert_true(lo.flags & IFF_UP);

	/* A second create on the same path fails and leaves the first alone. */
	silo_err_clear(&err);
	assert_int_equal(netns_create(path, &err), -EEXIST);
	assert_non_null(strstr(err.msg, path));
	assert_true(mounted_at(path));
	assert_int_equal(netns_inode_of(path), st.st_ino);
	close(fd);

	assert_ok(netns_remove(path, &err));
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(mounted_at(path));
	assert_ok(netns_remove(path, &err));
}

static void test_netns_create_in_missing_directory(void **state)
{
	char path[PATH_MAX];

	(void)state;
	require_isolation();
	scratch_path(path, sizeof(path), "missing/ns");
	silo_err_clear(&err);
	assert_int_equal(netns_create(path, &err), -ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_false(mounted_at(path));
}

/* Without CAP_SYS_ADMIN the namespace cannot be made, after the file for
 * it was: the file must go again. Runs in a child, which drops it. */
static int create_without_cap_sys_admin(const char *path)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	struct silo_err e = { 0 };

	if (syscall(SYS_capget, &header, data) < 0)
		return 10;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &header, data) < 0)
		return 10;
	if (netns_create(path, &e) != -EPERM)
		return 11;
	if (!strstr(e.msg, path) || !strstr(e.msg, "unshare"))
		return 12;
	if (access(path, F_OK) == 0 || errno != ENOENT)
		return 13;
	return 0;
}

static void test_netns_create_failure_leaves_nothing(void **state)
{
	char path[PATH_MAX];
	int status;
	pid_t pid;

	(void)state;
	require_isolation();
	scratch_path(path, sizeof(path), "unprivileged-ns");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(create_without_cap_sys_admin(path));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_false(mounted_at(path));
}

static void test_netns_open_rejects_what_is_not_a_netns(void **state)
{
	char plain[PATH_MAX], uts[PATH_MAX], missing[PATH_MAX];
	int fd;

	(void)state;
	require_isolation();
	scratch_path(plain, sizeof(plain), "plain");
	scratch_path(uts, sizeof(uts), "uts-ns");
	scratch_path(missing, sizeof(missing), "missing-ns");

	fd = open(plain, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	silo_err_clear(&err);
	assert_int_equal(netns_open(plain, &err), -EINVAL);
	assert_non_null(strstr(err.msg, plain));

	/* nsfs, but the wrong type of namespace. */
	fd = open(uts, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mount("/proc/self/ns/uts", uts, NULL, MS_BIND, NULL), 0);
	silo_err_clear(&err);
	assert_int_equal(netns_open(uts, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a network namespace"));

	silo_err_clear(&err);
	assert_int_equal(netns_open(missing, &err), -ENOENT);

	/* remove takes plain files and mounts of any kind alike. */
	assert_ok(netns_remove(uts, &err));
	assert_false(mounted_at(uts));
	assert_ok(netns_remove(plain, &err));
	assert_int_equal(access(plain, F_OK), -1);
	assert_ok(netns_remove(missing, &err));
}

struct run_probe {
	ino_t inode;
	int result;
};

static int record_netns(void *opaque, struct silo_err *e)
{
	struct run_probe *r = opaque;

	r->inode = netns_inode_of("/proc/thread-self/ns/net");
	if (r->result < 0)
		return silo_err_set(e, -r->result, "failing on purpose");
	return r->result;
}

static void test_netns_run_enters_and_returns(void **state)
{
	char path[PATH_MAX], plain[PATH_MAX];
	ino_t ours = netns_inode_of("/proc/self/ns/net");
	struct run_probe probe = { .result = 7 };
	struct stat st;
	int fd, bad;

	(void)state;
	require_isolation();
	scratch_path(path, sizeof(path), "run-ns");
	assert_ok(netns_create(path, &err));
	fd = netns_open(path, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);

	assert_int_equal(netns_run(fd, record_netns, &probe, &err), 7);
	assert_int_equal(probe.inode, st.st_ino);
	assert_int_equal(netns_inode_of("/proc/self/ns/net"), ours);

	/* fn's failure comes back as it was, and so does the caller. */
	probe = (struct run_probe){ .result = -EIO };
	silo_err_clear(&err);
	assert_int_equal(netns_run(fd, record_netns, &probe, &err), -EIO);
	assert_string_equal(err.msg, "failing on purpose");
	assert_int_equal(probe.inode, st.st_ino);
	assert_int_equal(netns_inode_of("/proc/self/ns/net"), ours);

	/* A descriptor that is no namespace is refused before fn runs. */
	scratch_path(plain, sizeof(plain), "run-plain");
	bad = open(plain, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	assert_true(bad >= 0);
	probe = (struct run_probe){ .result = 1 };
	silo_err_clear(&err);
	assert_true(netns_run(bad, record_netns, &probe, &err) < 0);
	assert_int_equal(probe.inode, 0);
	assert_int_equal(netns_inode_of("/proc/self/ns/net"), ours);
	close(bad);
	unlink(plain);

	close(fd);
	assert_ok(netns_remove(path, &err));
	assert_false(mounted_at(path));
}

/* Everything runs in namespaces of this process's own: a failure of any
 * step here means the tests must not run at all. */
static bool isolate(void)
{
	char sys[PATH_MAX];

	if (geteuid() != 0)
		return false;
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "unshare: %s; skipping\n", strerror(errno));
		return false;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "make / private: %s; skipping\n", strerror(errno));
		return false;
	}
	if (!mkdtemp(scratch))
		return false;
	/* A sysfs mounted from inside the new network namespace shows its
	 * links (and only those). */
	scratch_path(sys, sizeof(sys), "sys");
	if (mkdir(sys, 0755) < 0 || mount("sysfs", sys, "sysfs", 0, NULL) < 0) {
		fprintf(stderr, "mount sysfs: %s; skipping\n", strerror(errno));
		rmdir(sys);
		rmdir(scratch);
		return false;
	}
	return true;
}

static void unisolate(void)
{
	char sys[PATH_MAX];
	struct silo_err e;

	scratch_path(sys, sizeof(sys), "sys");
	umount2(sys, MNT_DETACH);
	rmdir(sys);
	/* Left behind only by a failed test. */
	for (const char *const *name = (const char *const[]){ "veth-ns", "life-ns", "run-ns",
							       "uts-ns", "plain", "run-plain",
							       "unprivileged-ns", NULL };
	     *name; name++) {
		char path[PATH_MAX];

		scratch_path(path, sizeof(path), *name);
		netns_remove(path, &e);
	}
	rmdir(scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridge_add_and_exists),
		cmocka_unit_test(test_absent_links),
		cmocka_unit_test(test_veth_into_netns),
		cmocka_unit_test(test_uplink_mtu),
		cmocka_unit_test(test_links_foreach),
		cmocka_unit_test(test_netns_create_open_remove),
		cmocka_unit_test(test_netns_create_in_missing_directory),
		cmocka_unit_test(test_netns_create_failure_leaves_nothing),
		cmocka_unit_test(test_netns_open_rejects_what_is_not_a_netns),
		cmocka_unit_test(test_netns_run_enters_and_returns),
	};
	int r;

	isolated = isolate();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (isolated)
		unisolate();
	return r;
}
