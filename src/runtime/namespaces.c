/* Namespace selection and joining. The order in which a new container enters
 * its namespaces is decided in init.c; this file only knows how. */
#include "runtime/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

unsigned long namespaces_clone_flags(const struct spec *spec)
{
	unsigned long flags = 0;

	for (size_t i = 0; i < spec->n_namespaces; i++) {
		const struct spec_namespace *ns = &spec->namespaces[i];

		/* cgroup: see above; time: userns_prepare_time unshares it
		 * in the runtime so its offsets can be set before the clone. */
		if (!ns->path && ns->type != CLONE_NEWCGROUP && ns->type != CLONE_NEWTIME)
			flags |= (unsigned long)ns->type;
	}
	return flags;
}

/* struct clone_args of <linux/sched.h>, whose CLONE_* macros clash with
 * glibc's <sched.h>. The layout is the kernel ABI. */
struct silo_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

#define SILO_CLONE_INTO_CGROUP 0x200000000ULL

pid_t namespaces_clone(unsigned long flags, int cgroup_fd, int *into_cgroup,
		       struct silo_err *err)
{
	/* With CLONE_PARENT clone3 wants no exit signal: the child has its
	 * cloner's (SIGCHLD, as a fork's). */
	struct silo_clone_args args = { .flags = flags,
					.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD };
	long pid;

	*into_cgroup = 0;
	if (cgroup_fd >= 0) {
		args.flags |= SILO_CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && cgroup_fd >= 0 && (errno == E2BIG || errno == EINVAL)) {
		args.flags = flags;
		args.cgroup = 0;
		pid = syscall(SYS_clone3, &args, sizeof(args));
	} else if (pid >= 0 && cgroup_fd >= 0) {
		*into_cgroup = 1;
	}
	if (pid < 0 && errno == ENOSYS) {
		/* Kernels before 5.3: the same, through clone(2) without a
		 * new stack (fork semantics). */
		pid = syscall(SYS_clone, flags | ((flags & CLONE_PARENT) ? 0 : SIGCHLD), 0, 0, 0, 0);
	}
	if (pid < 0)
		return silo_err_errno(err, "clone");
	return (pid_t)pid;
}

int namespaces_validate(const struct spec *spec, struct silo_err *err)
{
	if (!spec_find_namespace(spec, CLONE_NEWNS))
		return silo_err_set(err, EINVAL,
				    "config.json: linux.namespaces: a mount namespace is required");
	if (spec->hostname && !spec_find_namespace(spec, CLONE_NEWUTS))
		return silo_err_set(err, EINVAL,
				    "config.json: hostname: setting a hostname needs a uts namespace");
	if (spec->domainname && !spec_find_namespace(spec, CLONE_NEWUTS))
		return silo_err_set(err, EINVAL,
				    "config.json: domainname: setting a domainname needs a uts namespace");
	for (size_t i = 0; i < spec->n_namespaces; i++) {
		const struct spec_namespace *ns = &spec->namespaces[i];

		if (ns->path && access(ns->path, F_OK) < 0)
			return silo_err_errno(err, "config.json: linux.namespaces: %s namespace \"%s\"",
					      spec_namespace_name(ns->type), ns->path);
	}
	return 0;
}

int namespaces_join(const struct spec_namespace *ns, struct silo_err *err)
{
	_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return silo_err_errno(err, "open %s namespace \"%s\"", spec_namespace_name(ns->type),
				      ns->path);
	if (setns(fd, ns->type) < 0)
		return silo_err_errno(err, "join %s namespace \"%s\"", spec_namespace_name(ns->type),
				      ns->path);
	return 0;
}

int namespaces_join_all(const struct spec *spec, unsigned long skip_mask, struct silo_err *err)
{
	/* A joined user namespace goes first: the others are then joined
	 * with the capabilities it gives. */
	const struct spec_namespace *user = spec_find_namespace(spec, CLONE_NEWUSER);

	if (user && user->path && !(skip_mask & CLONE_NEWUSER) && namespaces_join(user, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->n_namespaces; i++) {
		const struct spec_namespace *ns = &spec->namespaces[i];

		if (!ns->path || ns->type == CLONE_NEWPID || ns->type == CLONE_NEWUSER ||
		    ((unsigned long)ns->type & skip_mask))
			continue;
		if (namespaces_join(ns, err) < 0)
			return -1;
	}
	return 0;
}
