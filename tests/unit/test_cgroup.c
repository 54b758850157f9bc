/* Unit tests for the cgroup module: the v1 -> v2 conversions, the parsing
 * of linux.resources, the device rules, and which file gets which value on
 * v1, v2 and hybrid hosts. The hosts are plain directories shaped like
 * cgroupfs (cgroup_write appends, so a file shows every write, one a line);
 * the real v2 controllers cannot be had on the development machines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/cgroup_v1.h"
#include "runtime/cgroup_v2.h"
#include "util/fs.h"

/* --- a fake cgroupfs in a temporary directory --- */

static char root[PATH_MAX];

static void put(const char *rel, const char *content)
{
	char path[PATH_MAX * 2];
	struct silo_err err;
	char *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	assert_int_equal(fs_mkdir_p(path, 0755, &err), 0);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* Creates each file (empty) under DIR. */
static void put_files(const char *dir, const char *const *files)
{
	for (size_t i = 0; files[i]; i++) {
		char rel[PATH_MAX];

		snprintf(rel, sizeof(rel), "%s/%s", dir, files[i]);
		put(rel, "");
	}
}

static void drop(const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

static char *got(const char *rel)
{
	char path[PATH_MAX * 2];
	char *text = NULL;
	struct silo_err err;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (fs_read_file(path, 65536, &text, NULL, &err) < 0)
		return strdup("<missing>");
	return text;
}

#define assert_file(rel, expected)                    \
	do {                                          \
		char *text_ = got(rel);               \
		assert_string_equal(text_, expected); \
		free(text_);                          \
	} while (0)

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/cgroup-unit.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
	(void)state;
	return nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void add(struct cgroup_host *host, const char *name, const char *controllers, int v2)
{
	char mountpoint[PATH_MAX * 2];

	snprintf(mountpoint, sizeof(mountpoint), "%s/%s", root, name);
	assert_int_equal(cgroup_host_add(host, mountpoint, controllers, v2), 0);
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (!v)
		fail_msg("bad test JSON: %s", jerr.text);
	return v;
}

/* Applies resources (JSON text) at create time; returns the result and
 * leaves the message in msg. */
static int apply(const struct cgroup_host *host, const char *resources, const char *devices,
		 char *msg)
{
	json_t *res = parse(resources);
	json_t *dev = devices ? parse(devices) : NULL;
	struct silo_err err = { 0 };
	int r = cgroup_apply_resources(host, "/silo/t", res, dev, &err);

	strcpy(msg, r < 0 ? err.msg : "");
	json_decref(res);
	json_decref(dev);
	return r;
}

/* --- conversions --- */

static void test_cpu_shares_to_weight(void **state)
{
	(void)state;
	assert_int_equal(cgroup_v2_cpu_weight(2), 1);
	assert_int_equal(cgroup_v2_cpu_weight(262144), 10000);
	assert_int_equal(cgroup_v2_cpu_weight(1024), 39);
	assert_int_equal(cgroup_v2_cpu_weight(512), 20);
	/* Out of range: clamped. */
	assert_int_equal(cgroup_v2_cpu_weight(1), 1);
	assert_int_equal(cgroup_v2_cpu_weight(1000000), 10000);
}

static void test_blkio_weight_to_io_weight(void **state)
{
	(void)state;
	assert_int_equal(cgroup_v2_io_weight(10), 1);
	assert_int_equal(cgroup_v2_io_weight(1000), 10000);
	assert_int_equal(cgroup_v2_io_weight(500), 4950);
	assert_int_equal(cgroup_v2_io_weight(100), 910);
	assert_int_equal(cgroup_v2_io_weight(1), 1);
	assert_int_equal(cgroup_v2_io_weight(5000), 10000);
}

static void test_cpu_max(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(cgroup_v2_cpu_max(1, 50000, 1, 100000, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "50000 100000");
	assert_int_equal(cgroup_v2_cpu_max(1, -1, 1, 250000, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "max 250000");
	/* One of the two keeps the other as it is now. */
	assert_int_equal(cgroup_v2_cpu_max(1, 20000, 0, 0, "max 50000\n", out, sizeof(out)), 0);
	assert_string_equal(out, "20000 50000");
	assert_int_equal(cgroup_v2_cpu_max(0, 0, 1, 200000, "30000 100000\n", out, sizeof(out)), 0);
	assert_string_equal(out, "30000 200000");
	assert_int_equal(cgroup_v2_cpu_max(1, 20000, 0, 0, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "20000 100000");
	assert_int_equal(cgroup_v2_cpu_max(0, 0, 0, 0, NULL, out, sizeof(out)), -1);
}

static void test_swap_max(void **state)
{
	struct silo_err err;
	char out[32];

	(void)state;
	assert_int_equal(cgroup_v2_swap_max(-1, 1000, out, sizeof(out), &err), 0);
	assert_string_equal(out, "max");
	assert_int_equal(cgroup_v2_swap_max(3000, 1000, out, sizeof(out), &err), 0);
	assert_string_equal(out, "2000");
	/* swap == limit: no swap at all. */
	assert_int_equal(cgroup_v2_swap_max(1000, 1000, out, sizeof(out), &err), 0);
	assert_string_equal(out, "0");
	assert_true(cgroup_v2_swap_max(500, 1000, out, sizeof(out), &err) < 0);
	assert_non_null(strstr(err.msg, "below the memory limit"));
	assert_true(cgroup_v2_swap_max(500, UINT64_MAX, out, sizeof(out), &err) < 0);
	assert_non_null(strstr(err.msg, "needs a memory limit"));
}

/* --- paths --- */

static void test_resolve_path(void **state)
{
	int dp;
	char *p;

	(void)state;
	p = cgroup_resolve_path(NULL, "web", &dp);
	assert_string_equal(p, "/silo-web");
	assert_int_equal(dp, 0);
	free(p);
	p = cgroup_resolve_path("pods/web", "web", &dp);
	assert_string_equal(p, "/silo/pods/web");
	assert_int_equal(dp, 1);
	free(p);
	p = cgroup_resolve_path("/kubepods//pod1/web/", "web", &dp);
	assert_string_equal(p, "/kubepods/pod1/web");
	assert_int_equal(dp, 0);
	free(p);
	assert_null(cgroup_resolve_path("/a/../../etc", "web", &dp));
	assert_null(cgroup_resolve_path("../x", "web", &dp));
	assert_null(cgroup_resolve_path("/", "web", &dp));
}

/* --- parsing --- */

static void expect_parse_error(const char *text, const char *message)
{
	json_t *res = parse(text);
	struct cgroup_resources out;
	struct silo_err err = { 0 };

	assert_true(cgroup_resources_parse(res, NULL, &out, &err) < 0);
	if (!strstr(err.msg, message))
		fail_msg("expected \"%s\" in \"%s\"", message, err.msg);
	json_decref(res);
}

static void test_parse_errors_name_the_field(void **state)
{
	(void)state;
	expect_parse_error("{\"memory\": {\"limit\": \"big\"}}",
			   "linux.resources.memory.limit: expected an integer, got a string");
	expect_parse_error("{\"memory\": {\"limit\": -2}}", "linux.resources.memory.limit: -2 is neither");
	expect_parse_error("{\"memory\": {\"swappiness\": 101}}", "memory.swappiness: 101 is not between 0 and 100");
	expect_parse_error("{\"memory\": []}", "linux.resources.memory: expected an object, got an array");
	expect_parse_error("{\"cpu\": {\"shares\": -5}}", "linux.resources.cpu.shares: -5 is negative");
	expect_parse_error("{\"cpu\": {\"quota\": 1000, \"burst\": 2000}}", "cpu.burst: 2000 is larger than quota");
	expect_parse_error("{\"cpu\": {\"idle\": 2}}", "cpu.idle: 2 is neither 0 nor 1");
	expect_parse_error("{\"blockIO\": {\"weight\": 70000}}", "blockIO.weight: 70000 is above the maximum");
	expect_parse_error("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0}]}}",
			   "linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight");
	expect_parse_error("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"rate\": 1}]}}",
			   "throttleReadBpsDevice[0].minor: missing");
	expect_parse_error("{\"hugepageLimits\": [{\"pageSize\": \"2mb\", \"limit\": 1}]}",
			   "hugepageLimits[0].pageSize: \"2mb\" is not a size");
	expect_parse_error("{\"hugepageLimits\": [{\"pageSize\": \"2MB\"}]}", "hugepageLimits[0].limit: missing");
	expect_parse_error("{\"network\": {\"classID\": 4294967296}}", "network.classID: 4294967296 is above");
	expect_parse_error("{\"rdma\": {\"mlx\": {}}}", "linux.resources.rdma[\"mlx\"]: needs hcaHandles or hcaObjects");
	expect_parse_error("{\"unified\": {\"../etc/passwd\": \"x\"}}", "not the name of a cgroup file");
	expect_parse_error("{\"unified\": {\"memory.max\": 5}}", "unified[\"memory.max\"]: expected a string");
	expect_parse_error("{\"devices\": [{\"access\": \"rwm\"}]}", "devices[0].allow: missing");
	expect_parse_error("{\"devices\": [{\"allow\": true, \"type\": \"x\"}]}", "devices[0].type: \"x\" is not a, c or b");
	expect_parse_error("{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}",
			   "devices[0].access: \"rwx\" is not made of r, w and m");
}

static void test_parse_zero_means_unset(void **state)
{
	json_t *res = parse("{\"memory\": {\"limit\": 0, \"swap\": 0, \"swappiness\": -1},"
			    " \"cpu\": {\"shares\": 0, \"quota\": 0, \"period\": 0, \"cpus\": \"\"},"
			    " \"blockIO\": {\"weight\": 0}, \"pids\": {\"limit\": 0}}");
	struct cgroup_resources out;
	struct silo_err err;

	(void)state;
	assert_int_equal(cgroup_resources_parse(res, NULL, &out, &err), 0);
	assert_false(out.has_memory);
	assert_false(out.has_cpu);
	assert_false(out.has_cpuset);
	assert_false(out.has_block_io);
	/* pids.limit 0 is kept: it means "no limit". */
	assert_true(out.has_pids);
	cgroup_resources_free(&out);
	json_decref(res);
}

/* --- device rules --- */

static const unsigned rwm = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE | CGROUP_DEVICE_MKNOD;

static void test_device_defaults_follow_the_last_deny_all(void **state)
{
	struct cgroup_device_rule config[] = {
		{ 0, 'a', -1, -1, rwm },
		{ 0, 'c', 1, 5, rwm },
	};
	json_t *linux_devices = parse("[{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229},"
				      " {\"path\": \"/dev/fifo\", \"type\": \"p\", \"major\": 0, \"minor\": 0}]");
	struct cgroup_device_rule *rules;
	struct silo_err err;
	size_t n;

	(void)state;
	assert_int_equal(cgroup_devices_rules(config, 2, linux_devices, &rules, &n, &err), 0);
	/* deny all, 9 defaults, /dev/fuse, then the config's own deny. */
	assert_int_equal(n, 12);
	assert_int_equal(rules[0].allow, 0);
	assert_int_equal(rules[1].major, 1);
	assert_int_equal(rules[1].minor, 3);
	assert_int_equal(rules[9].major, 136);
	assert_int_equal(rules[9].minor, -1);
	assert_int_equal(rules[10].major, 10);
	assert_int_equal(rules[10].minor, 229);
	assert_int_equal(rules[11].minor, 5);
	/* The later, precise deny wins over the default allowance. */
	assert_true(cgroup_devices_allowed(rules, n, 'c', 1, 3, CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE));
	assert_false(cgroup_devices_allowed(rules, n, 'c', 1, 5, CGROUP_DEVICE_READ));
	assert_true(cgroup_devices_allowed(rules, n, 'c', 10, 229, CGROUP_DEVICE_WRITE));
	assert_true(cgroup_devices_allowed(rules, n, 'c', 136, 7, CGROUP_DEVICE_READ));
	assert_false(cgroup_devices_allowed(rules, n, 'c', 1, 4, CGROUP_DEVICE_READ));
	assert_false(cgroup_devices_allowed(rules, n, 'b', 8, 0, CGROUP_DEVICE_READ));
	free(rules);

	/* Without a rule covering everything, nothing is added. */
	assert_int_equal(cgroup_devices_rules(config + 1, 1, linux_devices, &rules, &n, &err), 0);
	assert_int_equal(n, 1);
	free(rules);
	json_decref(linux_devices);
}

static void test_device_rules_decide_per_access_bit(void **state)
{
	struct cgroup_device_rule rules[] = {
		{ 0, 'a', -1, -1, rwm },
		{ 1, 'c', 1, 3, CGROUP_DEVICE_READ },
		{ 1, 'c', 1, 3, CGROUP_DEVICE_WRITE },
		{ 1, 'c', 1, -1, CGROUP_DEVICE_READ },
		{ 0, 'c', 1, 7, CGROUP_DEVICE_READ },
		{ 1, 'b', -1, -1, CGROUP_DEVICE_MKNOD },
	};

	(void)state;
	assert_true(cgroup_devices_allowed(rules, 6, 'c', 1, 3, CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE));
	assert_false(cgroup_devices_allowed(rules, 6, 'c', 1, 3, CGROUP_DEVICE_MKNOD));
	assert_true(cgroup_devices_allowed(rules, 6, 'c', 1, 9, CGROUP_DEVICE_READ));
	assert_false(cgroup_devices_allowed(rules, 6, 'c', 1, 9, CGROUP_DEVICE_WRITE));
	assert_false(cgroup_devices_allowed(rules, 6, 'c', 1, 7, CGROUP_DEVICE_READ));
	assert_true(cgroup_devices_allowed(rules, 6, 'b', 8, 0, CGROUP_DEVICE_MKNOD));
	assert_false(cgroup_devices_allowed(rules, 6, 'b', 8, 0, CGROUP_DEVICE_READ));
	/* No rules: a new v1 cgroup inherits "everything". */
	assert_true(cgroup_devices_allowed(rules, 0, 'b', 8, 0, CGROUP_DEVICE_READ));
}

static void test_v1_device_lines(void **state)
{
	struct cgroup_device_rule all = { 0, 'a', -1, -1, rwm };
	struct cgroup_device_rule pts = { 1, 'c', 136, -1, rwm };
	struct cgroup_device_rule block_read = { 1, 'b', 8, 0, CGROUP_DEVICE_READ };
	struct cgroup_device_rule any_major_1 = { 1, 'a', 1, -1, CGROUP_DEVICE_MKNOD };
	char lines[2][64];

	(void)state;
	assert_int_equal(cgroup_v1_device_lines(&all, lines), 1);
	assert_string_equal(lines[0], "a");
	assert_int_equal(cgroup_v1_device_lines(&pts, lines), 1);
	assert_string_equal(lines[0], "c 136:* rwm");
	assert_int_equal(cgroup_v1_device_lines(&block_read, lines), 1);
	assert_string_equal(lines[0], "b 8:0 r");
	/* v1 reads "a" as "everything", whatever follows: split it. */
	assert_int_equal(cgroup_v1_device_lines(&any_major_1, lines), 2);
	assert_string_equal(lines[0], "c 1:* m");
	assert_string_equal(lines[1], "b 1:* m");
}

/* --- v2 host --- */

static const char *const v2_files[] = {
	"cgroup.procs", "cgroup.freeze", "memory.max", "memory.swap.max", "memory.low",
	"cpu.weight", "cpu.max.burst", "cpu.idle", "io.weight", "io.max", "pids.max",
	"hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max", "cpuset.cpus",
	"cpuset.mems", "rdma.max", NULL,
};

static void make_v2(struct cgroup_host *host)
{
	const char *controllers = "cpuset cpu io memory hugetlb pids rdma\n";

	memset(host, 0, sizeof(*host));
	put("unified/cgroup.controllers", controllers);
	put("unified/cgroup.subtree_control", "");
	put("unified/silo/cgroup.controllers", controllers);
	put("unified/silo/cgroup.subtree_control", "");
	put("unified/silo/t/cgroup.controllers", controllers);
	put("unified/silo/t/cgroup.events", "populated 0\nfrozen 0\n");
	put("unified/silo/t/cpu.max", "max 100000\n");
	put_files("unified/silo/t", v2_files);
	add(host, "unified", NULL, 1);
	host->mode = CGROUP_MODE_V2;
}

static void test_v2_host_reads_its_controllers(void **state)
{
	struct cgroup_host host;

	(void)state;
	make_v2(&host);
	assert_string_equal(host.hierarchies[0].controllers, "cpuset,cpu,io,memory,hugetlb,pids,rdma");
	assert_ptr_equal(cgroup_find(&host, "memory"), &host.hierarchies[0]);
	assert_ptr_equal(cgroup_find(&host, "devices"), &host.hierarchies[0]);
	assert_ptr_equal(cgroup_find(&host, "freezer"), &host.hierarchies[0]);
	assert_null(cgroup_find(&host, "net_cls"));
	assert_null(cgroup_find(&host, "misc"));
	cgroup_host_free(&host);
}

static void test_v2_files_and_values(void **state)
{
	struct cgroup_host host;
	char msg[1024];

	(void)state;
	make_v2(&host);
	assert_int_equal(apply(&host,
			       "{\"memory\": {\"limit\": 1048576, \"swap\": 3145728, \"reservation\": 524288,"
			       "              \"kernel\": 1000, \"kernelTCP\": 1000},"
			       " \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 200000, \"burst\": 1000,"
			       "           \"cpus\": \"0-1\", \"mems\": \"0\", \"idle\": 1},"
			       " \"pids\": {\"limit\": 42},"
			       " \"blockIO\": {\"weight\": 500, \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 1000}],"
			       "               \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
			       "               \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 16, \"rate\": 0}]},"
			       " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],"
			       " \"rdma\": {\"mlx5_0\": {\"hcaHandles\": 3, \"hcaObjects\": 100}},"
			       " \"unified\": {\"memory.low\": \"4096\"}}",
			       NULL, msg),
			 0);
	assert_file("unified/silo/t/memory.max", "1048576\n");
	assert_file("unified/silo/t/memory.swap.max", "2097152\n");
	/* The raw unified value comes last and wins. */
	assert_file("unified/silo/t/memory.low", "524288\n4096\n");
	assert_file("unified/silo/t/cpu.weight", "39\n");
	assert_file("unified/silo/t/cpu.max", "max 100000\n50000 200000\n");
	assert_file("unified/silo/t/cpu.max.burst", "1000\n");
	assert_file("unified/silo/t/cpu.idle", "1\n");
	assert_file("unified/silo/t/cpuset.cpus", "0-1\n");
	assert_file("unified/silo/t/cpuset.mems", "0\n");
	assert_file("unified/silo/t/pids.max", "42\n");
	assert_file("unified/silo/t/io.weight", "default 4950\n8:0 10000\n");
	assert_file("unified/silo/t/io.max", "8:0 rbps=1048576\n8:16 wiops=max\n");
	assert_file("unified/silo/t/hugetlb.2MB.max", "4194304\n");
	assert_file("unified/silo/t/hugetlb.2MB.rsvd.max", "4194304\n");
	assert_file("unified/silo/t/rdma.max", "mlx5_0 hca_handle=3 hca_object=100\n");
	/* Each controller was enabled down the path, and only once. */
	assert_file("unified/cgroup.subtree_control", "+cpuset\n+memory\n+cpu\n+pids\n+io\n+hugetlb\n+rdma\n");
	assert_file("unified/silo/cgroup.subtree_control", "+cpuset\n+memory\n+cpu\n+pids\n+io\n+hugetlb\n+rdma\n");
	cgroup_host_free(&host);
}

static void test_v2_bfq_weight_keeps_the_v1_scale(void **state)
{
	struct cgroup_host host;
	char msg[1024];

	(void)state;
	make_v2(&host);
	put("unified/silo/t/io.bfq.weight", "");
	assert_int_equal(apply(&host, "{\"blockIO\": {\"weight\": 500}}", NULL, msg), 0);
	assert_file("unified/silo/t/io.bfq.weight", "default 500\n");
	assert_file("unified/silo/t/io.weight", "");
	cgroup_host_free(&host);
}

static void test_v2_swap_uses_the_current_limit(void **state)
{
	struct cgroup_host host;
	char msg[1024];

	(void)state;
	make_v2(&host);
	put("unified/silo/t/memory.max", "1000000\n");
	assert_int_equal(apply(&host, "{\"memory\": {\"swap\": 3000000}}", NULL, msg), 0);
	assert_file("unified/silo/t/memory.swap.max", "2000000\n");
	put("unified/silo/t/memory.max", "max\n");
	assert_true(apply(&host, "{\"memory\": {\"swap\": 3000000}}", NULL, msg) < 0);
	assert_non_null(strstr(msg, "config.json: linux.resources.memory.swap: cgroup v2 limits swap alone"));
	cgroup_host_free(&host);
}

static void expect_apply_error(struct cgroup_host *host, const char *resources, const char *message)
{
	char msg[1024];

	assert_true(apply(host, resources, NULL, msg) < 0);
	if (!strstr(msg, message))
		fail_msg("expected \"%s\" in \"%s\"", message, msg);
}

static void test_v2_refuses_what_it_cannot_express(void **state)
{
	struct cgroup_host host;

	(void)state;
	make_v2(&host);
	expect_apply_error(&host, "{\"memory\": {\"swappiness\": 10}}",
			   "config.json: linux.resources.memory.swappiness: cgroup v2 has no swappiness");
	expect_apply_error(&host, "{\"memory\": {\"disableOOMKiller\": true}}",
			   "memory.disableOOMKiller: cgroup v2 cannot turn the OOM killer off");
	expect_apply_error(&host, "{\"memory\": {\"useHierarchy\": false}}", "always hierarchical");
	expect_apply_error(&host, "{\"cpu\": {\"realtimeRuntime\": 1000}}",
			   "cpu.realtimeRuntime: cgroup v2 has no realtime");
	expect_apply_error(&host, "{\"blockIO\": {\"leafWeight\": 100}}", "blockIO.leafWeight: cgroup v2 has no leaf weights");
	expect_apply_error(&host, "{\"network\": {\"classID\": 1}}",
			   "linux.resources.network.classID: cgroup v2 has no net_cls controller");
	expect_apply_error(&host, "{\"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": 1}]}}",
			   "cgroup v2 has no net_prio controller");
	expect_apply_error(&host, "{\"hugepageLimits\": [{\"pageSize\": \"64KB\", \"limit\": 1}]}",
			   "hugepageLimits[0].pageSize: no 64KB huge pages on this host");
	expect_apply_error(&host, "{\"unified\": {\"misc.max\": \"x 1\"}}",
			   "linux.resources.unified[\"misc.max\"]: no misc controller on this host");
	expect_apply_error(&host, "{\"unified\": {\"memory.nonexistent\": \"1\"}}", "has no file memory.nonexistent");
	expect_apply_error(&host, "{\"memory\": {\"limit\": 5, \"swap\": 2}}", "below the memory limit");
	cgroup_host_free(&host);
}

/* --- v1 host --- */

static void make_v1(struct cgroup_host *host)
{
	static const char *const memory[] = { "cgroup.procs", "memory.limit_in_bytes",
					      "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
					      "memory.swappiness", "memory.oom_control",
					      "memory.kmem.limit_in_bytes", NULL };
	static const char *const cpu[] = { "cgroup.procs", "cpu.shares", "cpu.cfs_quota_us",
					   "cpu.cfs_period_us", "cpu.cfs_burst_us", "cpu.rt_runtime_us",
					   "cpu.rt_period_us", "cpu.idle", NULL };
	static const char *const blkio[] = { "cgroup.procs", "blkio.bfq.weight", "blkio.bfq.weight_device",
					     "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
					     "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
					     NULL };
	static const char *const devices[] = { "cgroup.procs", "devices.allow", "devices.deny", NULL };
	static const char *const pids[] = { "cgroup.procs", "pids.max", NULL };
	static const char *const net_cls[] = { "cgroup.procs", "net_cls.classid", NULL };
	static const char *const net_prio[] = { "cgroup.procs", "net_prio.ifpriomap", NULL };

	memset(host, 0, sizeof(*host));
	put_files("memory/silo/t", memory);
	put("memory/silo/t/memory.use_hierarchy", "1\n");
	put_files("cpu/silo/t", cpu);
	put_files("blkio/silo/t", blkio);
	put_files("devices/silo/t", devices);
	put_files("pids/silo/t", pids);
	put_files("net_cls/silo/t", net_cls);
	put_files("net_prio/silo/t", net_prio);
	add(host, "memory", "memory", 0);
	add(host, "cpu", "cpu", 0);
	add(host, "blkio", "blkio", 0);
	add(host, "devices", "devices", 0);
	add(host, "pids", "pids", 0);
	add(host, "net_cls", "net_cls", 0);
	add(host, "net_prio", "net_prio", 0);
	host->mode = CGROUP_MODE_V1;
}

static void test_v1_files_and_values(void **state)
{
	struct cgroup_host host;
	char msg[1024];

	(void)state;
	make_v1(&host);
	assert_int_equal(apply(&host,
			       "{\"memory\": {\"limit\": 1048576, \"swap\": 2097152, \"reservation\": 524288,"
			       "              \"swappiness\": 10, \"disableOOMKiller\": true, \"kernel\": 4096,"
			       "              \"useHierarchy\": true},"
			       " \"cpu\": {\"shares\": 512, \"quota\": 20000, \"period\": 100000, \"burst\": 0,"
			       "           \"realtimeRuntime\": 0, \"realtimePeriod\": 1000000, \"idle\": 0},"
			       " \"pids\": {\"limit\": -1},"
			       " \"blockIO\": {\"weight\": 300, \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 200}],"
			       "               \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1000}]},"
			       " \"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 5}]},"
			       " \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
			       "               {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\"}]}",
			       "[{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229}]", msg),
			 0);
	assert_file("memory/silo/t/memory.limit_in_bytes", "1048576\n");
	assert_file("memory/silo/t/memory.memsw.limit_in_bytes", "2097152\n");
	assert_file("memory/silo/t/memory.soft_limit_in_bytes", "524288\n");
	assert_file("memory/silo/t/memory.swappiness", "10\n");
	assert_file("memory/silo/t/memory.oom_control", "1\n");
	assert_file("memory/silo/t/memory.kmem.limit_in_bytes", "4096\n");
	/* Already hierarchical: not written (newer kernels refuse it). */
	assert_file("memory/silo/t/memory.use_hierarchy", "1\n");
	assert_file("cpu/silo/t/cpu.shares", "512\n");
	assert_file("cpu/silo/t/cpu.cfs_period_us", "100000\n");
	assert_file("cpu/silo/t/cpu.cfs_quota_us", "20000\n");
	assert_file("cpu/silo/t/cpu.cfs_burst_us", "0\n");
	assert_file("cpu/silo/t/cpu.rt_period_us", "1000000\n");
	assert_file("cpu/silo/t/cpu.rt_runtime_us", "0\n");
	assert_file("cpu/silo/t/cpu.idle", "0\n");
	assert_file("pids/silo/t/pids.max", "max\n");
	/* No CFQ here: BFQ's files, on the same scale. */
	assert_file("blkio/silo/t/blkio.bfq.weight", "300\n");
	assert_file("blkio/silo/t/blkio.bfq.weight_device", "8:0 200\n");
	assert_file("blkio/silo/t/blkio.throttle.write_bps_device", "8:0 1000\n");
	assert_file("net_cls/silo/t/net_cls.classid", "1048577\n");
	assert_file("net_prio/silo/t/net_prio.ifpriomap", "eth0 5\n");
	assert_file("devices/silo/t/devices.deny", "a\nc 1:5 rwm\n");
	assert_file("devices/silo/t/devices.allow",
		    "c 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\n"
		    "c 136:* rwm\nc 10:229 rwm\n");
	cgroup_host_free(&host);
}

static void test_v1_missing_controllers_and_files(void **state)
{
	struct cgroup_host host;

	(void)state;
	make_v1(&host);
	expect_apply_error(&host, "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}",
			   "config.json: linux.resources.hugepageLimits: no hugetlb controller on this host");
	expect_apply_error(&host, "{\"rdma\": {\"mlx\": {\"hcaHandles\": 1}}}",
			   "config.json: linux.resources.rdma: no rdma controller on this host");
	expect_apply_error(&host, "{\"cpu\": {\"cpus\": \"0\"}}",
			   "config.json: linux.resources.cpu: no cpuset controller on this host");
	expect_apply_error(&host, "{\"unified\": {\"memory.max\": \"1\"}}",
			   "linux.resources.unified: needs cgroup v2, and this host has only cgroup v1");
	expect_apply_error(&host, "{\"blockIO\": {\"leafWeight\": 100}}",
			   "blockIO.leafWeight: leaf weights came with the CFQ I/O scheduler");
	drop("memory/silo/t/memory.memsw.limit_in_bytes");
	expect_apply_error(&host, "{\"memory\": {\"swap\": 5000}}", "the kernel does not account swap");
	cgroup_host_free(&host);
}

/* --- hybrid host: v1 controllers, and what is left on v2 --- */

static void test_hybrid_uses_v2_for_what_v1_lacks(void **state)
{
	struct cgroup_host host;
	char msg[1024];

	(void)state;
	memset(&host, 0, sizeof(host));
	put("memory/silo/t/memory.limit_in_bytes", "");
	put("unified/cgroup.controllers", "hugetlb\n");
	put("unified/cgroup.subtree_control", "");
	put("unified/silo/cgroup.controllers", "hugetlb\n");
	put("unified/silo/cgroup.subtree_control", "");
	put("unified/silo/t/cgroup.controllers", "hugetlb\n");
	put("unified/silo/t/hugetlb.2MB.max", "");
	put("unified/silo/t/hugetlb.1GB.max", "");
	put("unified/silo/t/cgroup.max.depth", "");
	add(&host, "memory", "memory", 0);
	add(&host, "unified", NULL, 1);
	host.mode = CGROUP_MODE_HYBRID;

	assert_ptr_equal(cgroup_find(&host, "memory"), &host.hierarchies[0]);
	assert_ptr_equal(cgroup_find(&host, "hugetlb"), &host.hierarchies[1]);
	/* No v1 freezer or devices: the v2 features stand in. */
	assert_ptr_equal(cgroup_find(&host, "freezer"), &host.hierarchies[1]);
	assert_ptr_equal(cgroup_find(&host, "devices"), &host.hierarchies[1]);
	assert_null(cgroup_find(&host, "pids"));

	assert_int_equal(apply(&host,
			       "{\"memory\": {\"limit\": 1000000},"
			       " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 2097152}],"
			       " \"unified\": {\"hugetlb.1GB.max\": \"0\", \"cgroup.max.depth\": \"3\"}}",
			       NULL, msg),
			 0);
	assert_file("memory/silo/t/memory.limit_in_bytes", "1000000\n");
	assert_file("unified/silo/t/hugetlb.2MB.max", "2097152\n");
	assert_file("unified/silo/t/hugetlb.1GB.max", "0\n");
	assert_file("unified/silo/t/cgroup.max.depth", "3\n");
	/* Only what was asked for is enabled on a hybrid host. */
	assert_file("unified/cgroup.subtree_control", "+hugetlb\n");
	expect_apply_error(&host, "{\"unified\": {\"memory.max\": \"1\"}}",
			   "unified[\"memory.max\"]: the memory controller is bound to cgroup v1 on this hybrid host");
	expect_apply_error(&host, "{\"hugepageLimits\": [{\"pageSize\": \"16GB\", \"limit\": 1}]}",
			   "no 16GB huge pages on this host (it has: ");
	cgroup_host_free(&host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_shares_to_weight),
		cmocka_unit_test(test_blkio_weight_to_io_weight),
		cmocka_unit_test(test_cpu_max),
		cmocka_unit_test(test_swap_max),
		cmocka_unit_test(test_resolve_path),
		cmocka_unit_test(test_parse_errors_name_the_field),
		cmocka_unit_test(test_parse_zero_means_unset),
		cmocka_unit_test(test_device_defaults_follow_the_last_deny_all),
		cmocka_unit_test(test_device_rules_decide_per_access_bit),
		cmocka_unit_test(test_v1_device_lines),
		cmocka_unit_test_setup_teardown(test_v2_host_reads_its_controllers, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v2_files_and_values, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v2_bfq_weight_keeps_the_v1_scale, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v2_swap_uses_the_current_limit, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v2_refuses_what_it_cannot_express, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v1_files_and_values, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_v1_missing_controllers_and_files, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_hybrid_uses_v2_for_what_v1_lacks, make_root, remove_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
