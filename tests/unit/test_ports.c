/* Unit tests for published ports: -p parsing, and the free-port checks,
 * which bind real sockets. As root they run in a private network
 * namespace, so no port of the machine is ever bound, even briefly. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/ports.h"
#include "util/cleanup.h"

static size_t parse(const char *spec, struct port_mapping **list)
{
	struct silo_err err = { 0 };
	size_t n = 0;

	*list = NULL;
	if (ports_parse(spec, list, &n, &err) < 0)
		fail_msg("%s: %s", spec, err.msg);
	return n;
}

static void assert_mapping(const struct port_mapping *m, const char *ip, int host, int container,
			   int protocol)
{
	assert_string_equal(m->host_ip, ip);
	assert_int_equal(m->host_port, host);
	assert_int_equal(m->container_port, container);
	assert_int_equal(m->protocol, protocol);
}

static void test_parse_forms(void **state)
{
	_cleanup_free_ struct port_mapping *list = NULL;

	(void)state;
	assert_int_equal(parse("80", &list), 1);
	assert_mapping(&list[0], "", 0, 80, IPPROTO_TCP);
	free(list);
	assert_int_equal(parse("8080:80", &list), 1);
	assert_mapping(&list[0], "", 8080, 80, IPPROTO_TCP);
	free(list);
	assert_int_equal(parse("8080:80/udp", &list), 1);
	assert_mapping(&list[0], "", 8080, 80, IPPROTO_UDP);
	free(list);
	assert_int_equal(parse("127.0.0.1:8080:80/tcp", &list), 1);
	assert_mapping(&list[0], "127.0.0.1", 8080, 80, IPPROTO_TCP);
	free(list);
	assert_int_equal(parse("127.0.0.1::80", &list), 1);
	assert_mapping(&list[0], "127.0.0.1", 0, 80, IPPROTO_TCP);
	free(list);
	assert_int_equal(parse("[::1]:8080:80/udp", &list), 1);
	assert_mapping(&list[0], "::1", 8080, 80, IPPROTO_UDP);
	free(list);
	assert_int_equal(parse("[fd00:0::1]::53", &list), 1);
	assert_mapping(&list[0], "fd00::1", 0, 53, IPPROTO_TCP);
	free(list);
	assert_int_equal(parse("0:80", &list), 1);
	assert_mapping(&list[0], "", 0, 80, IPPROTO_TCP);
}

static void test_parse_ranges(void **state)
{
	_cleanup_free_ struct port_mapping *list = NULL;
	struct silo_err err = { 0 };
	size_t n;

	(void)state;
	assert_int_equal(parse("8000-8009:80-89/udp", &list), 10);
	for (int i = 0; i < 10; i++)
		assert_mapping(&list[i], "", 8000 + i, 80 + i, IPPROTO_UDP);
	free(list);
	assert_int_equal(parse("80-82", &list), 3);
	assert_mapping(&list[2], "", 0, 82, IPPROTO_TCP);
	free(list);
	/* A host range for one container port is "any one of them". */
	assert_int_equal(parse("8000-8009:80", &list), 1);
	assert_mapping(&list[0], "", 8000, 80, IPPROTO_TCP);
	assert_int_equal(list[0].host_port_last, 8009);

	/* Several specs append to one list. */
	n = 1;
	assert_int_equal(ports_parse("9000-9001:90-91", &list, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_mapping(&list[1], "", 9000, 90, IPPROTO_TCP);
	assert_mapping(&list[2], "", 9001, 91, IPPROTO_TCP);
}

static void assert_bad(const char *spec, const char *needle)
{
	struct port_mapping *list = NULL;
	struct silo_err err = { 0 };
	size_t n = 0;

	if (ports_parse(spec, &list, &n, &err) == 0)
		fail_msg("\"%s\" parsed", spec);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(n, 0);
	if (!strstr(err.msg, needle))
		fail_msg("\"%s\": \"%s\" does not say \"%s\"", spec, err.msg, needle);
	assert_non_null(strstr(err.msg, spec));
	free(list);
}

static void test_parse_bad(void **state)
{
	(void)state;
	assert_bad("80/sctp", "unsupported protocol \"sctp\"");
	assert_bad("80/", "unsupported protocol");
	assert_bad("0", "not a port");
	assert_bad("65536", "not a port");
	assert_bad("8080:99999", "not a port");
	assert_bad("70000:80", "not a port");
	assert_bad("web", "not a port");
	assert_bad("", "not a port");
	assert_bad("8080:", "not a port");
	assert_bad("-5:80", "not a port");
	assert_bad("80-70", "ends before it starts");
	assert_bad("8000-8001:80-89", "different lengths");
	assert_bad("8080:80-81", "different lengths");
	assert_bad("1.2.3:8080:80", "is not an IPv4 address");
	assert_bad("[1.2.3.4]:8080:80", "is not an IPv6 address");
	assert_bad("::1:8080:80", "brackets");
	assert_bad("[::1]:80", "[::1]:8080:80");
	assert_bad("[::1:8080:80", "[::1]:8080:80");
}

static int bound_port(int type, struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

static void test_check_free(void **state)
{
	struct silo_err err = { 0 };
	struct sockaddr_in sin;
	_cleanup_close_ int tcp = bound_port(SOCK_STREAM, &sin);
	struct port_mapping m = { .host_ip = "127.0.0.1", .host_port = ntohs(sin.sin_port),
				  .container_port = 80, .protocol = IPPROTO_TCP };
	char want[128];

	(void)state;
	assert_int_equal(ports_check_free(&m, &err), -EADDRINUSE);
	snprintf(want, sizeof(want), "port %d/tcp on 127.0.0.1 is already in use", m.host_port);
	assert_string_equal(err.msg, want);
	/* Every address includes 127.0.0.1. */
	m.host_ip[0] = '\0';
	assert_int_equal(ports_check_free(&m, &err), -EADDRINUSE);
	snprintf(want, sizeof(want), "port %d/tcp on 0.0.0.0 is already in use", m.host_port);
	assert_string_equal(err.msg, want);
	/* The same number in the other protocol is another port. */
	m.protocol = IPPROTO_UDP;
	assert_int_equal(ports_check_free(&m, &err), 0);
	close(tcp);
	tcp = -1;
	m.protocol = IPPROTO_TCP;
	assert_int_equal(ports_check_free(&m, &err), 0);
}

static void test_check_free_udp(void **state)
{
	struct silo_err err = { 0 };
	struct sockaddr_in sin;
	_cleanup_close_ int udp = bound_port(SOCK_DGRAM, &sin);
	struct port_mapping m = { .host_ip = "127.0.0.1", .host_port = ntohs(sin.sin_port),
				  .container_port = 53, .protocol = IPPROTO_UDP };

	(void)state;
	assert_int_equal(ports_check_free(&m, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "/udp on 127.0.0.1 is already in use"));
}

static void test_check_free_bad_address(void **state)
{
	struct silo_err err = { 0 };
	/* 192.0.2.0/24 is TEST-NET-1: never an address of this host. */
	struct port_mapping m = { .host_ip = "192.0.2.7", .host_port = 8080, .container_port = 80,
				  .protocol = IPPROTO_TCP };

	(void)state;
	assert_int_equal(ports_check_free(&m, &err), -EADDRNOTAVAIL);
	assert_non_null(strstr(err.msg, "192.0.2.7 is not an address of this host"));
}

static void test_pick_free(void **state)
{
	struct silo_err err = { 0 };
	struct port_mapping m = { .host_ip = "127.0.0.1", .container_port = 80, .protocol = IPPROTO_TCP };
	struct port_mapping v6 = { .host_ip = "::1", .container_port = 80, .protocol = IPPROTO_UDP };

	(void)state;
	assert_int_equal(ports_pick_free(&m, &err), 0);
	assert_true(m.host_port > 0 && m.host_port <= 65535);
	assert_int_equal(ports_check_free(&m, &err), 0);
	if (ports_pick_free(&v6, &err) == 0)
		assert_true(v6.host_port > 0);
	else
		assert_int_equal(err.code, EADDRNOTAVAIL); /* no IPv6 here */
}

static int bind_tcp(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_pick_free_in_range(void **state)
{
	struct silo_err err = { 0 };
	struct sockaddr_in sin;
	_cleanup_close_ int first = bound_port(SOCK_STREAM, &sin);
	_cleanup_close_ int second = -1;
	int port = ntohs(sin.sin_port);
	struct port_mapping m = { .host_ip = "127.0.0.1", .host_port = port, .host_port_last = port + 2,
				  .container_port = 80, .protocol = IPPROTO_TCP };
	struct port_mapping full = m;

	(void)state;
	if (port > 65533 || (second = bind_tcp(port + 1)) < 0)
		skip();
	assert_int_equal(ports_pick_free(&m, &err), 0);
	assert_int_equal(m.host_port, port + 2);
	assert_int_equal(m.host_port_last, 0);

	full.host_port_last = port + 1;
	assert_int_equal(ports_pick_free(&full, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "are all in use"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_ranges),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_check_free),
		cmocka_unit_test(test_check_free_udp),
		cmocka_unit_test(test_check_free_bad_address),
		cmocka_unit_test(test_pick_free),
		cmocka_unit_test(test_pick_free_in_range),
	};

	if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0 && system("ip link set lo up") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
