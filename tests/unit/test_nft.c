/* Unit tests for silo's nftables table, against the real kernel. main()
 * first moves the test into a private network namespace (and a private
 * mount namespace), so the ruleset, interfaces and sysctls it changes are
 * its own and vanish with it; the machine's firewall is never touched.
 *
 * Inside, a bridge tb0 (10.231.0.1/24, fd00:231::1/64) stands for a silo
 * network, and a forked child in a network namespace of its own stands for
 * a container: it holds 10.231.0.2 / fd00:231::2 on a veth into the bridge
 * and answers on port 80, TCP and UDP, with the address it saw the request
 * come from. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/nft.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define HOST_PORT 18080
#define RULES_IN_TABLE 17

static pid_t container_pid = -1;

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	_cleanup_free_ char *cmd = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (r < 0)
		fail_msg("out of memory");
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The whole of a command's standard output. */
static char *output_of(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	assert_non_null(mem);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	pclose(f);
	fclose(mem);
	return buf;
}

/* The container: serves until killed. */
static void container_serve(void)
{
	int one = 1, zero = 0;
	int tcp = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int udp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(80) };
	struct pollfd fds[2] = { { .fd = tcp, .events = POLLIN }, { .fd = udp, .events = POLLIN } };

	/* One dual-stack socket per protocol answers IPv4 and IPv6. */
	setsockopt(tcp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(udp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(tcp, (struct sockaddr *)&any, sizeof(any)) < 0 || listen(tcp, 16) < 0 ||
	    bind(udp, (struct sockaddr *)&any, sizeof(any)) < 0)
		_exit(3);
	if (write(STDOUT_FILENO, "r", 1) != 1)
		_exit(3);
	for (;;) {
		struct sockaddr_in6 peer;
		socklen_t len = sizeof(peer);
		char addr[INET6_ADDRSTRLEN], reply[128], buf[64];

		if (poll(fds, 2, -1) < 0)
			continue;
		if (fds[0].revents & POLLIN) {
			int c = accept4(tcp, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);

			if (c >= 0) {
				inet_ntop(AF_INET6, &peer.sin6_addr, addr, sizeof(addr));
				snprintf(reply, sizeof(reply), "tcp from %s", addr);
				if (write(c, reply, strlen(reply)) < 0)
					_exit(4);
				close(c);
			}
		}
		if (fds[1].revents & POLLIN) {
			ssize_t n = recvfrom(udp, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len);

			if (n >= 0) {
				inet_ntop(AF_INET6, &peer.sin6_addr, addr, sizeof(addr));
				snprintf(reply, sizeof(reply), "udp from %s", addr);
				sendto(udp, reply, strlen(reply), 0, (struct sockaddr *)&peer, len);
			}
		}
	}
}

/* Forks the container into a network namespace of its own and wires it to
 * tb0 with a veth pair, whose container end the parent moves in by PID. */
static void container_start(void)
{
	int up[2], go[2];
	char c;

	assert_int_equal(pipe2(up, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	container_pid = fork();
	assert_true(container_pid >= 0);
	if (container_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0 || dup2(up[1], STDOUT_FILENO) < 0 ||
		    write(STDOUT_FILENO, "u", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		if (system("ip link set lo up && ip addr add 10.231.0.2/24 dev tv1 &&"
			   " ip -6 addr add fd00:231::2/64 dev tv1 nodad && ip link set tv1 up &&"
			   " ip route add default via 10.231.0.1 &&"
			   " ip -6 route add default via fd00:231::1") != 0)
			_exit(2);
		container_serve();
	}
	close(up[1]);
	close(go[0]);
	assert_int_equal(read(up[0], &c, 1), 1);
	run("ip link add tv0 type veth peer name tv1 netns %d", (int)container_pid);
	/* Hairpin mode lets the bridge send a frame back out of the port it
	 * came in on: a container reaching its own published port needs it. */
	run("ip link set tv0 master tb0 up && ip link set tv0 type bridge_slave hairpin on");
	assert_int_equal(write(go[1], "g", 1), 1);
	if (read(up[0], &c, 1) != 1 || c != 'r')
		fail_msg("the container did not start serving");
	close(up[0]);
	close(go[1]);
}

static int network_setup(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	run("ip link set lo up");
	run("ip link add tb0 type bridge && ip addr add 10.231.0.1/24 dev tb0 &&"
	    " ip -6 addr add fd00:231::1/64 dev tb0 nodad && ip link set tb0 up");
	/* What silo's caller does for a bridge: let 127.0.0.1 be routed to it
	 * once DNATed, and forward. */
	if (fs_write_string("/proc/sys/net/ipv4/conf/tb0/route_localnet", "1", &err) < 0 ||
	    fs_write_string("/proc/sys/net/ipv4/ip_forward", "1", &err) < 0 ||
	    fs_write_string("/proc/sys/net/ipv6/conf/all/forwarding", "1", &err) < 0)
		fail_msg("%s", err.msg);
	container_start();
	return 0;
}

static int network_teardown(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	if (container_pid > 0) {
		kill(container_pid, SIGKILL);
		waitpid(container_pid, NULL, 0);
	}
	/* The veth went with the container's namespace. */
	if (system("ip link del tb0") != 0)
		return -1;
	return nft_remove_table(&err);
}

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static socklen_t make_addr(const char *ip, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, ip, &in6->sin6_addr) != 1)
		return 0;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons((uint16_t)port);
	return sizeof(*in6);
}

/* Sends a request to ip:port; returns the reply, or NULL with errno. No
 * cmocka assertions: a forked child calls it too. */
static char *request(int type, const char *ip, int port, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(ip, port, &ss);
	_cleanup_close_ int fd = -1;
	char buf[128];
	ssize_t n;

	if (!len) {
		errno = EINVAL;
		return NULL;
	}
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	set_timeout(fd, timeout_ms);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return NULL;
	if (type == SOCK_DGRAM && send(fd, "ping", 4, 0) != 4)
		return NULL;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		if (n == 0)
			errno = ECONNRESET;
		return NULL;
	}
	buf[n] = '\0';
	return strdup(buf);
}

/* The same request, made from inside the container's network namespace. */
static char *request_from_container(int type, const char *ip, int port)
{
	char path[64], buf[128];
	int fds[2];
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_cleanup_free_ char *reply = NULL;
		int ns;

		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)container_pid);
		ns = open(path, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET) < 0)
			_exit(1);
		reply = request(type, ip, port, 3000);
		if (reply && write(fds[1], reply, strlen(reply)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	waitpid(pid, NULL, 0);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static void assert_reply(int type, const char *ip, int port, const char *want)
{
	_cleanup_free_ char *reply = request(type, ip, port, 3000);

	if (!reply)
		fail_msg("%s %s:%d: no reply: %s", type == SOCK_STREAM ? "tcp" : "udp", ip, port,
			 strerror(errno));
	assert_string_equal(reply, want);
}

static void assert_no_reply(int type, const char *ip, int port)
{
	_cleanup_free_ char *reply = request(type, ip, port, 500);

	if (reply)
		fail_msg("%s %s:%d still answers: %s", type == SOCK_STREAM ? "tcp" : "udp", ip, port,
			 reply);
}

static struct port_mapping mapping(const char *host_ip, int port, int protocol)
{
	struct port_mapping m = { .host_port = port, .container_port = 80, .protocol = protocol };

	snprintf(m.host_ip, sizeof(m.host_ip), "%s", host_ip);
	return m;
}

static size_t count_rules(void)
{
	_cleanup_free_ char *text = output_of("nft -j list table inet silo");
	_cleanup_json_ json_t *doc = json_loads(text, 0, NULL);
	json_t *item;
	size_t i, rules = 0;

	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "nftables"), i, item)
		rules += json_object_get(item, "rule") != NULL;
	return rules;
}

static void test_ensure_table_twice(void **state)
{
	struct silo_err err = { 0 };

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(count_rules(), RULES_IN_TABLE);
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(count_rules(), RULES_IN_TABLE);
}

/* Racing silo commands: "create table" in the same batch as the rules
 * makes all but the first batch fail whole, so the rules are there once. */
static void test_ensure_table_concurrently(void **state)
{
	struct silo_err err = { 0 };
	enum { CHILDREN = 8 };
	pid_t pids[CHILDREN];

	(void)state;
	assert_int_equal(nft_remove_table(&err), 0);
	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(nft_ensure_table(&err) < 0 ? 1 : 0);
	}
	for (int i = 0; i < CHILDREN; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(count_rules(), RULES_IN_TABLE);
}

static void test_subnet_add_remove(void **state)
{
	struct silo_err err = { 0 };
	_cleanup_free_ char *listed = NULL;
	_cleanup_free_ char *after = NULL;

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_subnet_add("10.232.0.0/16", &err), 0);
	assert_int_equal(nft_subnet_add("10.232.0.0/16", &err), 0);
	assert_int_equal(nft_subnet_add("10.232.5.7/16", &err), 0);
	assert_int_equal(nft_subnet_add("fd00:232::/64", &err), 0);
	listed = output_of("nft list set inet silo subnets4; nft list set inet silo subnets6");
	assert_non_null(strstr(listed, "10.232.0.0/16"));
	assert_null(strstr(strstr(listed, "10.232.0.0/16") + 1, "10.232.0.0/16"));
	assert_non_null(strstr(listed, "fd00:232::/64"));

	assert_int_equal(nft_subnet_remove("10.232.0.0/16", &err), 0);
	assert_int_equal(nft_subnet_remove("10.232.0.0/16", &err), 0);
	assert_int_equal(nft_subnet_remove("fd00:232::/64", &err), 0);
	assert_int_equal(nft_subnet_remove("10.233.0.0/24", &err), 0);
	after = output_of("nft list set inet silo subnets4; nft list set inet silo subnets6");
	assert_null(strstr(after, "10.232."));
	assert_null(strstr(after, "fd00:232"));

	assert_true(nft_subnet_add("not-a-subnet", &err) < 0);
	assert_int_equal(err.code, EINVAL);
	/* nft's own refusal comes back as one line naming the subnet. */
	assert_int_equal(nft_subnet_add("10.232.0.0/16", &err), 0);
	assert_true(nft_subnet_add("10.232.1.0/24", &err) < 0);
	assert_non_null(strstr(err.msg, "nftables: add subnet 10.232.1.0/24: "));
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(nft_subnet_remove("10.232.0.0/16", &err), 0);
	assert_int_equal(nft_subnet_remove("10.232.1.0/24", &err), 0);
}

/* Published ports reach the container from the host's own 127.0.0.1 (the
 * output chain, route_localnet and the loopback masquerade together) and
 * from the bridge's address; the container sees the gateway as the source. */
static void test_port_reaches_container(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping tcp = mapping("", HOST_PORT, IPPROTO_TCP);
	struct port_mapping udp = mapping("127.0.0.1", HOST_PORT, IPPROTO_UDP);

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_subnet_add("10.231.0.0/24", &err), 0);
	assert_no_reply(SOCK_STREAM, "127.0.0.1", HOST_PORT);
	assert_int_equal(nft_port_add(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_add(&udp, "10.231.0.2", &err), 0);

	assert_reply(SOCK_STREAM, "127.0.0.1", HOST_PORT, "tcp from ::ffff:10.231.0.1");
	assert_reply(SOCK_STREAM, "10.231.0.1", HOST_PORT, "tcp from ::ffff:10.231.0.1");
	assert_reply(SOCK_DGRAM, "127.0.0.1", HOST_PORT, "udp from ::ffff:10.231.0.1");
	/* The UDP port is published on 127.0.0.1 only. */
	assert_no_reply(SOCK_DGRAM, "10.231.0.1", HOST_PORT);

	assert_int_equal(nft_port_remove(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_remove(&udp, "10.231.0.2", &err), 0);
	assert_no_reply(SOCK_STREAM, "127.0.0.1", HOST_PORT);
	assert_no_reply(SOCK_DGRAM, "127.0.0.1", HOST_PORT);
	assert_int_equal(nft_port_remove(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_subnet_remove("10.231.0.0/24", &err), 0);
}

static void test_port_reaches_container_ipv6(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping any = mapping("", HOST_PORT, IPPROTO_TCP);
	struct port_mapping addr = mapping("fd00:231::1", HOST_PORT + 1, IPPROTO_UDP);

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_subnet_add("fd00:231::/64", &err), 0);
	assert_int_equal(nft_port_add(&any, "fd00:231::2", &err), 0);
	assert_int_equal(nft_port_add(&addr, "fd00:231::2", &err), 0);
	assert_reply(SOCK_STREAM, "fd00:231::1", HOST_PORT, "tcp from fd00:231::1");
	assert_reply(SOCK_DGRAM, "fd00:231::1", HOST_PORT + 1, "udp from fd00:231::1");
	assert_int_equal(nft_port_remove(&any, "fd00:231::2", &err), 0);
	assert_int_equal(nft_port_remove(&addr, "fd00:231::2", &err), 0);
	assert_no_reply(SOCK_STREAM, "fd00:231::1", HOST_PORT);
	assert_int_equal(nft_subnet_remove("fd00:231::/64", &err), 0);
}

/* The kernel drops packets from ::1 that DNAT would send out of the
 * bridge, so [::1] is not DNATed: it is refused instead of hanging. */
static void test_ipv6_loopback_refused(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping any = mapping("", HOST_PORT, IPPROTO_TCP);
	_cleanup_free_ char *reply = NULL;

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_port_add(&any, "fd00:231::2", &err), 0);
	reply = request(SOCK_STREAM, "::1", HOST_PORT, 3000);
	assert_null(reply);
	assert_int_equal(errno, ECONNREFUSED);
	assert_int_equal(nft_port_remove(&any, "fd00:231::2", &err), 0);
}

/* A container reaching a published port through the host's address (here
 * its own): the source is rewritten to the gateway, or the container's
 * answer would go straight back to itself, or across the bridge, and never
 * match the connection. */
static void test_port_hairpin(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping tcp = mapping("", HOST_PORT, IPPROTO_TCP);
	struct port_mapping udp = mapping("", HOST_PORT, IPPROTO_UDP);
	_cleanup_free_ char *tcp_reply = NULL;
	_cleanup_free_ char *udp_reply = NULL;

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_subnet_add("10.231.0.0/24", &err), 0);
	assert_int_equal(nft_port_add(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_add(&udp, "10.231.0.2", &err), 0);
	tcp_reply = request_from_container(SOCK_STREAM, "10.231.0.1", HOST_PORT);
	udp_reply = request_from_container(SOCK_DGRAM, "10.231.0.1", HOST_PORT);
	assert_int_equal(nft_port_remove(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_remove(&udp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_subnet_remove("10.231.0.0/24", &err), 0);
	assert_non_null(tcp_reply);
	assert_string_equal(tcp_reply, "tcp from ::ffff:10.231.0.1");
	assert_non_null(udp_reply);
	assert_string_equal(udp_reply, "udp from ::ffff:10.231.0.1");
}

static void test_port_add_twice(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping any = mapping("", HOST_PORT, IPPROTO_TCP);
	struct port_mapping any4 = mapping("0.0.0.0", HOST_PORT, IPPROTO_TCP);
	struct port_mapping local = mapping("127.0.0.1", HOST_PORT, IPPROTO_TCP);
	struct port_mapping other_protocol = mapping("", HOST_PORT, IPPROTO_UDP);

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_port_add(&any, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_add(&any, "10.231.0.2", &err), -EADDRINUSE);
	assert_string_equal(err.msg, "port 18080/tcp is already published");
	/* 0.0.0.0 is every address, as "" is; another container is no
	 * different. */
	assert_int_equal(nft_port_add(&any4, "10.231.0.3", &err), -EADDRINUSE);
	assert_int_equal(nft_port_add(&local, "10.231.0.3", &err), 0);
	assert_int_equal(nft_port_add(&local, "10.231.0.2", &err), -EADDRINUSE);
	assert_string_equal(err.msg, "port 18080/tcp is already published on 127.0.0.1");
	assert_int_equal(nft_port_add(&other_protocol, "10.231.0.2", &err), 0);

	/* Removing for another container leaves the element alone. */
	assert_int_equal(nft_port_remove(&any, "10.231.0.9", &err), 0);
	assert_int_equal(nft_port_add(&any, "10.231.0.2", &err), -EADDRINUSE);

	assert_int_equal(nft_port_remove(&any, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_remove(&local, "10.231.0.3", &err), 0);
	assert_int_equal(nft_port_remove(&other_protocol, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_add(&any, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_remove(&any, "10.231.0.2", &err), 0);
}

static void test_port_add_bad(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping v6_host = mapping("::1", HOST_PORT, IPPROTO_TCP);
	struct port_mapping unpicked = mapping("", 0, IPPROTO_TCP);
	struct port_mapping injected = mapping("1.2.3.4 }; flush ruleset; {", HOST_PORT, IPPROTO_TCP);

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_true(nft_port_add(&v6_host, "10.231.0.2", &err) < 0);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "not of one family"));
	assert_true(nft_port_add(&unpicked, "10.231.0.2", &err) < 0);
	assert_int_equal(err.code, EINVAL);
	assert_true(nft_port_add(&v6_host, "web", &err) < 0);
	assert_int_equal(err.code, EINVAL);
	assert_true(nft_port_add(&injected, "10.231.0.2", &err) < 0);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(count_rules(), RULES_IN_TABLE);
}

static json_t *find_listed(json_t *list, const char *host_ip, int port, const char *protocol)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
		if (!strcmp(json_string_value(json_object_get(item, "hostIp")), host_ip) &&
		    json_integer_value(json_object_get(item, "hostPort")) == port &&
		    !strcmp(json_string_value(json_object_get(item, "protocol")), protocol))
			return item;
	return NULL;
}

static void test_ports_list(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping tcp = mapping("", HOST_PORT, IPPROTO_TCP);
	struct port_mapping udp = mapping("127.0.0.1", HOST_PORT + 1, IPPROTO_UDP);
	struct port_mapping v6 = mapping("fd00:231::1", HOST_PORT + 2, IPPROTO_TCP);
	_cleanup_json_ json_t *list = NULL;
	_cleanup_json_ json_t *empty = NULL;
	json_t *item;

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	udp.container_port = 53;
	assert_int_equal(nft_port_add(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_add(&udp, "10.231.0.3", &err), 0);
	assert_int_equal(nft_port_add(&v6, "fd00:231::2", &err), 0);
	assert_int_equal(nft_ports_list(&list, &err), 0);
	assert_int_equal(json_array_size(list), 3);

	item = find_listed(list, "", HOST_PORT, "tcp");
	assert_non_null(item);
	assert_string_equal(json_string_value(json_object_get(item, "containerIp")), "10.231.0.2");
	assert_int_equal(json_integer_value(json_object_get(item, "containerPort")), 80);
	item = find_listed(list, "127.0.0.1", HOST_PORT + 1, "udp");
	assert_non_null(item);
	assert_string_equal(json_string_value(json_object_get(item, "containerIp")), "10.231.0.3");
	assert_int_equal(json_integer_value(json_object_get(item, "containerPort")), 53);
	item = find_listed(list, "fd00:231::1", HOST_PORT + 2, "tcp");
	assert_non_null(item);
	assert_string_equal(json_string_value(json_object_get(item, "containerIp")), "fd00:231::2");

	assert_int_equal(nft_port_remove(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_port_remove(&udp, "10.231.0.3", &err), 0);
	assert_int_equal(nft_port_remove(&v6, "fd00:231::2", &err), 0);
	assert_int_equal(nft_ports_list(&empty, &err), 0);
	assert_int_equal(json_array_size(empty), 0);
}

/* Runs last: the namespace's ruleset is empty afterwards. */
static void test_remove_table(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping tcp = mapping("", HOST_PORT, IPPROTO_TCP);
	_cleanup_free_ char *ruleset = NULL;
	_cleanup_json_ json_t *list = NULL;

	(void)state;
	assert_int_equal(nft_ensure_table(&err), 0);
	assert_int_equal(nft_subnet_add("10.231.0.0/24", &err), 0);
	assert_int_equal(nft_port_add(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_remove_table(&err), 0);
	ruleset = output_of("nft list ruleset");
	assert_string_equal(ruleset, "");
	assert_int_equal(nft_remove_table(&err), 0);

	assert_true(nft_port_add(&tcp, "10.231.0.2", &err) < 0);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.msg, "nftables: publish port 18080/tcp to 10.231.0.2:80: table inet silo does not exist");

	/* Without a table: nothing published, nothing to remove. */
	assert_int_equal(nft_ports_list(&list, &err), 0);
	assert_int_equal(json_array_size(list), 0);
	assert_int_equal(nft_port_remove(&tcp, "10.231.0.2", &err), 0);
	assert_int_equal(nft_subnet_remove("10.231.0.0/24", &err), 0);
	assert_no_reply(SOCK_STREAM, "127.0.0.1", HOST_PORT);
}

/* Into namespaces of the test's own, or skip (77) where it cannot make them. */
static int enter_private_namespaces(void)
{
	struct silo_err err = { 0 };

	if (geteuid() != 0) {
		fprintf(stderr, "skipped: needs root\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "skipped: unshare: %s\n", strerror(errno));
		return 77;
	}
	/* Nothing mounted from here on reaches the machine's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "mount / private: %s\n", strerror(errno));
		return 1;
	}
	if (nft_remove_table(&err) < 0) {
		fprintf(stderr, "skipped: no nftables here: %s\n", err.msg);
		return 77;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ensure_table_twice),
		cmocka_unit_test(test_ensure_table_concurrently),
		cmocka_unit_test(test_subnet_add_remove),
		cmocka_unit_test(test_port_reaches_container),
		cmocka_unit_test(test_port_reaches_container_ipv6),
		cmocka_unit_test(test_ipv6_loopback_refused),
		cmocka_unit_test(test_port_hairpin),
		cmocka_unit_test(test_port_add_twice),
		cmocka_unit_test(test_port_add_bad),
		cmocka_unit_test(test_ports_list),
		cmocka_unit_test(test_remove_table),
	};
	int r = enter_private_namespaces();

	if (r)
		return r;
	return cmocka_run_group_tests(tests, network_setup, network_teardown);
}
