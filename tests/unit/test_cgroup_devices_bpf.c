/* Unit tests for the cgroup v2 device filter (eBPF). The program is built
 * for a set of rules; as root, where a cgroup v2 hierarchy is mounted (the
 * unified one of a hybrid host is enough: device programs belong to v2
 * cgroups, whatever the v1 controllers do), it is loaded, attached to a
 * scratch cgroup, and a child in that cgroup tries real opens and mknods:
 * the kernel must decide what cgroup_devices_allowed() says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/cgroup_devices_bpf.h"
#include "util/fs.h"

#define RWM (CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE | CGROUP_DEVICE_MKNOD)

static const struct cgroup_device_rule rules[] = {
	{ 0, 'a', -1, -1, RWM },
	{ 1, 'c', 1, 3, RWM },
	{ 1, 'c', 1, -1, CGROUP_DEVICE_READ },
	{ 0, 'c', 1, 7, CGROUP_DEVICE_READ },
	{ 1, 'b', -1, -1, CGROUP_DEVICE_MKNOD },
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static void test_program_is_built(void **state)
{
	struct bpf_insn *insns = NULL;
	struct silo_err err;
	size_t count = 0;

	(void)state;
	assert_int_equal(cgroup_devices_bpf_build(rules, N_RULES, &insns, &count, &err), 0);
	assert_true(count > 10);
	/* It ends by allowing what no rule refused. */
	assert_int_equal(insns[count - 1].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(insns[count - 2].imm, 1);
	free(insns);
	/* No rules at all is a valid (allow-everything) program too. */
	assert_int_equal(cgroup_devices_bpf_build(NULL, 0, &insns, &count, &err), 0);
	free(insns);
}

/* What the child tries, each bit of its exit status one probe. */
struct probe {
	const char *path; /* open this, or mknod in a scratch directory if NULL */
	int flags;
	char type;
	unsigned major, minor, access;
};

static const struct probe probes[] = {
	{ "/dev/null", O_RDWR, 'c', 1, 3, CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE },
	{ "/dev/zero", O_RDONLY, 'c', 1, 5, CGROUP_DEVICE_READ },
	{ "/dev/zero", O_WRONLY, 'c', 1, 5, CGROUP_DEVICE_WRITE },
	{ "/dev/full", O_RDONLY, 'c', 1, 7, CGROUP_DEVICE_READ },
	{ "/dev/urandom", O_RDONLY, 'c', 1, 9, CGROUP_DEVICE_READ },
	{ NULL, 0, 'c', 1, 3, CGROUP_DEVICE_MKNOD },
	{ NULL, 0, 'c', 1, 5, CGROUP_DEVICE_MKNOD },
	{ NULL, 0, 'b', 7, 0, CGROUP_DEVICE_MKNOD },
};
#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

static int try_probe(const struct probe *p, const char *scratch, int i)
{
	char node[4200];
	int fd;

	if (p->path) {
		fd = open(p->path, p->flags | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		return fd >= 0;
	}
	snprintf(node, sizeof(node), "%s/node%d", scratch, i);
	if (mknod(node, (p->type == 'b' ? S_IFBLK : S_IFCHR) | 0600, makedev(p->major, p->minor)) < 0)
		return 0;
	unlink(node);
	return 1;
}

static void test_kernel_agrees_with_the_rules(void **state)
{
	struct cgroup_host host;
	const struct cgroup_hierarchy *v2;
	struct silo_err err;
	char dir[4200], procs[4300], scratch[] = "/tmp/silo-unit-bpf.XXXXXX";
	int fd, status, r;
	pid_t child;

	(void)state;
	if (geteuid() != 0)
		skip();
	if (cgroup_detect(&host, &err) < 0)
		skip();
	v2 = cgroup_v2_hierarchy(&host);
	if (!v2) {
		cgroup_host_free(&host);
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/silo-unit-bpf-%d", v2->mountpoint, getpid());
	cgroup_host_free(&host);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_non_null(mkdtemp(scratch));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	r = cgroup_devices_bpf_apply(fd, rules, N_RULES, &err);
	/* Applying again replaces the program (what `update` does). */
	if (r == 0)
		r = cgroup_devices_bpf_apply(fd, rules, N_RULES, &err);
	close(fd);
	if (r < 0) {
		rmdir(dir);
		rmdir(scratch);
		fail_msg("%s", err.msg);
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int result = 0;
		char pid[32];

		snprintf(pid, sizeof(pid), "%d", getpid());
		if (fs_write_string(procs, pid, NULL) < 0)
			_exit(255);
		for (size_t i = 0; i < N_PROBES; i++)
			if (try_probe(&probes[i], scratch, (int)i))
				result |= 1 << i;
		_exit(result);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	/* The cgroup is busy until the kernel has finished with its task. */
	for (int tries = 0; rmdir(dir) < 0 && errno == EBUSY && tries < 1000; tries++)
		usleep(1000);
	rmdir(scratch);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 255);
	for (size_t i = 0; i < N_PROBES; i++) {
		const struct probe *p = &probes[i];
		int want = cgroup_devices_allowed(rules, N_RULES, p->type, p->major, p->minor, p->access);
		int have = (WEXITSTATUS(status) >> i) & 1;

		if (want != have)
			fail_msg("%s %c %u:%u: the rules say %s, the kernel said %s",
				 p->path ? p->path : "mknod", p->type, p->major, p->minor,
				 want ? "allow" : "deny", have ? "allow" : "deny");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_is_built),
		cmocka_unit_test(test_kernel_agrees_with_the_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
