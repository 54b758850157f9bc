/* no_openat2: runs a program on which openat2(2) and the new mount API
 * (open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr)
 * fail with ENOSYS, as on a kernel before 5.2 or under a seccomp profile
 * (or valgrind) that does not know them, so that the integration suite can
 * prove silo's fallback path resolution and its mount(2) fallback.
 *
 *   no_openat2 [--argv0 NAME] PROGRAM [ARG...]
 *
 * Installs a seccomp filter that allows everything except those calls,
 * which fail with ENOSYS, then execs PROGRAM with ARGs (argv[0] is NAME if
 * given, else PROGRAM). The filter is inherited by every child, the
 * container included. As root (CAP_SYS_ADMIN) it is loaded without
 * no_new_privs, so that setuid programs and the containers' own NoNewPrivs
 * are the same as without it; an unprivileged caller gets no_new_privs,
 * which the kernel then requires. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int install_filter(int no_new_privs)
{
	static const int missing[] = {
		SCMP_SYS(openat2),   SCMP_SYS(open_tree), SCMP_SYS(move_mount),
		SCMP_SYS(fsopen),    SCMP_SYS(fsconfig),  SCMP_SYS(fsmount),
		SCMP_SYS(fspick),    SCMP_SYS(mount_setattr),
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, no_new_privs);
	for (size_t i = 0; r == 0 && i < sizeof(missing) / sizeof(missing[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), missing[i], 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int main(int argc, char **argv)
{
	const char *argv0 = NULL;
	char **args = argv + 1;
	int r;

	if (argc > 2 && !strcmp(argv[1], "--argv0")) {
		argv0 = argv[2];
		args = argv + 3;
	}
	if (!args[0]) {
		fprintf(stderr, "usage: no_openat2 [--argv0 NAME] PROGRAM [ARG...]\n");
		return 2;
	}
	/* Without CAP_SYS_ADMIN (the rootless tests) the kernel takes a filter
	 * only with no_new_privs. */
	r = install_filter(0);
	if (r < 0)
		r = install_filter(1);
	if (r < 0) {
		fprintf(stderr, "no_openat2: seccomp filter: %s\n", strerror(-r));
		return 1;
	}
	const char *program = args[0];
	if (argv0)
		args[0] = (char *)argv0;
	execv(program, args);
	fprintf(stderr, "no_openat2: exec %s: %s\n", program, strerror(errno));
	return 127;
}
