/* Unit tests for address management: subnets, leases in a lease file under
 * a scratch directory, and many processes leasing at once. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/ipam.h"
#include "util/cleanup.h"

#include "scratch.h"

struct scratch {
	char dir[SCRATCH_DIR_SIZE]; /* first: scratch_new makes it */
	char path[128];
};

static int scratch_setup(void **state)
{
	struct scratch *s = scratch_new(sizeof(*s), "ipam");

	if (!s)
		return -1;
	snprintf(s->path, sizeof(s->path), "%s/leases.json", s->dir);
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	return scratch_free(*state);
}

static struct ipam_subnet subnet(const char *cidr)
{
	struct ipam_subnet out;
	struct silo_err err = { 0 };

	if (ipam_subnet_parse(cidr, &out, &err) < 0)
		fail_msg("%s", err.msg);
	return out;
}

/* Leases for owner; returns the address, or "" with err filled. */
static const char *lease(const char *path, const char *cidr, const char *owner,
			 const char *requested, struct silo_err *err)
{
	static char addr[INET6_ADDRSTRLEN];
	struct ipam_subnet net = subnet(cidr);
	struct ipam_lease_request req = { .owner = owner, .requested = requested };

	addr[0] = '\0';
	if (ipam_lease(path, &net, &req, addr, sizeof(addr), err) < 0)
		return "";
	return addr;
}

/* leases[addr].owner, or leases[addr].data.name */
static const char *lease_owner(json_t *leases, const char *addr)
{
	return json_string_value(json_object_get(json_object_get(leases, addr), "owner"));
}

static const char *lease_name(json_t *leases, const char *addr)
{
	json_t *data = json_object_get(json_object_get(leases, addr), "data");

	return json_string_value(json_object_get(data, "name"));
}

static void test_subnet_parse(void **state)
{
	struct ipam_subnet s;
	struct silo_err err = { 0 };
	char buf[64], gw[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(ipam_subnet_parse("10.77.3.9/16", &s, &err), 0);
	ipam_subnet_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "10.77.0.0/16");
	inet_ntop(AF_INET, s.gateway, gw, sizeof(gw));
	assert_string_equal(gw, "10.77.0.1");

	assert_int_equal(ipam_subnet_parse("fd00:77:0::5/64", &s, &err), 0);
	assert_int_equal(s.family, AF_INET6);
	ipam_subnet_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "fd00:77::/64");
	inet_ntop(AF_INET6, s.gateway, gw, sizeof(gw));
	assert_string_equal(gw, "fd00:77::1");

	assert_int_equal(ipam_subnet_parse("10.77.0.0", &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "prefix length"));
	assert_int_equal(ipam_subnet_parse("10.77.0.0/33", &s, &err), -EINVAL);
	assert_int_equal(ipam_subnet_parse("10.77.0.0/1x", &s, &err), -EINVAL);
	assert_int_equal(ipam_subnet_parse("banana/8", &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "banana"));
	assert_int_equal(ipam_subnet_parse("10.0.0.0/31", &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "too small"));
}

static void test_subnet_contains_overlaps(void **state)
{
	struct ipam_subnet a = subnet("10.77.0.0/16"), b = subnet("10.77.128.0/17");
	struct ipam_subnet c = subnet("10.78.0.0/16"), d = subnet("fd00::/64");
	unsigned char in[4] = { 10, 77, 200, 1 }, out[4] = { 10, 78, 0, 1 };

	(void)state;
	assert_true(ipam_subnet_contains(&a, in));
	assert_false(ipam_subnet_contains(&a, out));
	assert_true(ipam_subnet_overlaps(&a, &b));
	assert_true(ipam_subnet_overlaps(&b, &a));
	assert_false(ipam_subnet_overlaps(&a, &c));
	assert_false(ipam_subnet_overlaps(&a, &d));
}

static void test_lease_release_reuse(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	_cleanup_json_ json_t *leases = NULL;

	assert_string_equal(lease(s->path, "10.77.0.0/24", "a", NULL, &err), "10.77.0.2");
	assert_string_equal(lease(s->path, "10.77.0.0/24", "b", NULL, &err), "10.77.0.3");
	/* The same owner gets its address back, not a second one. */
	assert_string_equal(lease(s->path, "10.77.0.0/24", "a", NULL, &err), "10.77.0.2");
	assert_int_equal(ipam_release(s->path, "a", &err), 0);
	assert_int_equal(ipam_release(s->path, "a", &err), 0);
	assert_string_equal(lease(s->path, "10.77.0.0/24", "c", NULL, &err), "10.77.0.2");

	assert_int_equal(ipam_leases(s->path, &leases, &err), 0);
	assert_int_equal(json_object_size(leases), 2);
	assert_string_equal(lease_owner(leases, "10.77.0.2"), "c");
	assert_string_equal(lease_owner(leases, "10.77.0.3"), "b");
}

static void test_lease_keeps_data(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	struct ipam_subnet net = subnet("10.77.0.0/24");
	_cleanup_json_ json_t *data = json_pack("{s:s}", "name", "web");
	_cleanup_json_ json_t *leases = NULL;
	struct ipam_lease_request req = { .owner = "a", .data = data };
	char addr[INET6_ADDRSTRLEN];

	assert_int_equal(ipam_lease(s->path, &net, &req, addr, sizeof(addr), &err), 0);
	assert_int_equal(ipam_leases(s->path, &leases, &err), 0);
	assert_string_equal(lease_name(leases, addr), "web");

	/* Asked for again without data, the lease keeps it. */
	req.data = NULL;
	assert_int_equal(ipam_lease(s->path, &net, &req, addr, sizeof(addr), &err), 0);
	json_decref(leases);
	assert_int_equal(ipam_leases(s->path, &leases, &err), 0);
	assert_string_equal(lease_name(leases, addr), "web");
}

static void test_leases_without_file(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	_cleanup_json_ json_t *leases = NULL;

	assert_int_equal(ipam_leases(s->path, &leases, &err), 0);
	assert_true(json_is_object(leases));
	assert_int_equal(json_object_size(leases), 0);
	assert_int_equal(ipam_release("/tmp/silo-test-ipam-no-such-dir/leases.json", "a", &err), 0);
}

static void test_requested(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };

	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "10.77.0.5", &err), "10.77.0.5");
	assert_string_equal(lease(s->path, "10.77.0.0/16", "b", "10.77.0.5", &err), "");
	assert_int_equal(err.code, EADDRINUSE);
	assert_string_equal(err.msg, "address 10.77.0.5 is already in use on 10.77.0.0/16");
	/* The lowest free address skips the requested one. */
	assert_string_equal(lease(s->path, "10.77.0.0/16", "b", NULL, &err), "10.77.0.2");
	/* Asking for another address moves the lease. */
	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "10.77.0.9", &err), "10.77.0.9");
	assert_string_equal(lease(s->path, "10.77.0.0/16", "c", "10.77.0.5", &err), "10.77.0.5");
}

static void test_requested_invalid(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };

	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "10.78.0.5", &err), "");
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(err.msg, "address 10.78.0.5 is not in subnet 10.77.0.0/16");
	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "10.77.0.1", &err), "");
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "gateway"));
	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "10.77.0.0", &err), "");
	assert_non_null(strstr(err.msg, "network address"));
	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "10.77.255.255", &err), "");
	assert_non_null(strstr(err.msg, "broadcast"));
	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "fd00::5", &err), "");
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(lease(s->path, "10.77.0.0/16", "a", "web", &err), "");
	assert_int_equal(err.code, EINVAL);
}

static void test_full_subnet(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };

	/* A /30 has one container address besides network, gateway and
	 * broadcast. */
	assert_string_equal(lease(s->path, "10.77.0.0/30", "a", NULL, &err), "10.77.0.2");
	assert_string_equal(lease(s->path, "10.77.0.0/30", "b", NULL, &err), "");
	assert_int_equal(err.code, ENOSPC);
	assert_non_null(strstr(err.msg, "10.77.0.0/30"));
	assert_int_equal(ipam_release(s->path, "a", &err), 0);
	assert_string_equal(lease(s->path, "10.77.0.0/30", "b", NULL, &err), "10.77.0.2");
}

static void test_ipv6(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };

	assert_string_equal(lease(s->path, "fd00:77::/64", "a", NULL, &err), "fd00:77::2");
	assert_string_equal(lease(s->path, "fd00:77::/64", "b", NULL, &err), "fd00:77::3");
	/* Canonical form: the same address written differently is one lease. */
	assert_string_equal(lease(s->path, "fd00:77::/64", "c", "fd00:77:0:0::10", &err), "fd00:77::10");
	assert_string_equal(lease(s->path, "fd00:77::/64", "d", "fd00:77::0010", &err), "");
	assert_int_equal(err.code, EADDRINUSE);
	assert_string_equal(lease(s->path, "fd00:77::/64", "d", "fd00:77::1", &err), "");
	assert_non_null(strstr(err.msg, "gateway"));
	/* The last address of an IPv6 subnet is no broadcast address. */
	assert_string_equal(lease(s->path, "fd00:77::/64", "e", "fd00:77::ffff:ffff:ffff:ffff", &err),
			    "fd00:77::ffff:ffff:ffff:ffff");
	assert_string_equal(lease(s->path, "fd00:78::/126", "f", NULL, &err), "fd00:78::2");
	assert_string_equal(lease(s->path, "fd00:78::/126", "g", NULL, &err), "fd00:78::3");
	assert_string_equal(lease(s->path, "fd00:78::/126", "h", NULL, &err), "");
	assert_int_equal(err.code, ENOSPC);
}

/* Every process leases under the lock file's flock, so none sees another's
 * half-finished change and no two get one address. */
static void test_concurrent_leases(void **state)
{
	struct scratch *s = *state;
	struct silo_err err = { 0 };
	_cleanup_json_ json_t *leases = NULL;
	enum { CHILDREN = 20 };
	pid_t pids[CHILDREN];
	const char *addr;
	json_t *entry;

	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char owner[16];

			snprintf(owner, sizeof(owner), "c%d", i);
			_exit(*lease(s->path, "10.77.0.0/16", owner, NULL, &err) ? 0 : 1);
		}
	}
	for (int i = 0; i < CHILDREN; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(ipam_leases(s->path, &leases, &err), 0);
	assert_int_equal(json_object_size(leases), CHILDREN);
	for (int i = 2; i < 2 + CHILDREN; i++) {
		char want[32];

		snprintf(want, sizeof(want), "10.77.0.%d", i);
		assert_non_null(json_object_get(leases, want));
	}
	/* Twenty distinct owners too. */
	json_object_foreach(leases, addr, entry) {
		const char *owner = json_string_value(json_object_get(entry, "owner"));
		const char *other;
		json_t *ignored;
		int same = 0;

		json_object_foreach(leases, other, ignored)
			same += !strcmp(owner, lease_owner(leases, other));
		assert_int_equal(same, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subnet_parse),
		cmocka_unit_test(test_subnet_contains_overlaps),
		cmocka_unit_test_setup_teardown(test_lease_release_reuse, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_lease_keeps_data, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_leases_without_file, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_requested, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_requested_invalid, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_full_subnet, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_leases, scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
