/* The container's first process, from clone until execve. */
#ifndef SILO_RUNTIME_INIT_H
#define SILO_RUNTIME_INIT_H

#include "runtime/cgroup.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

struct init_config {
	const struct spec *spec;
	const char *id;
	int sync_fd;        /* our end of the runtime's socket pair */
	int exec_listen_fd; /* `start` connects here to let us exec; -1: run, whose
			     * start comes over sync_fd */
	int console_fd;     /* where the pty master goes; -1 without a terminal */
	int first_open_fd;  /* 3 + --preserve-fds: everything from here is closed */
	int no_pivot;
	int no_new_keyring;
	const struct cgroup_host *cgroups;
	const char *cgroup_path;
	struct cgroup_join *cgroup_join; /* the v1 hierarchies, to join first */
	const int *idmap_fds; /* per spec mount: a detached idmapped tree, or -1 */
	unsigned long joined; /* CLONE_NEW* of path namespaces the runtime entered for us */
	const struct sock_fprog *seccomp; /* compiled by the runtime, or empty */
};

/* What init learns on the way: filled by init itself. */
struct init_result {
	char *executable;
	struct seccomp_filter *seccomp;
	pid_t host_pid; /* our PID as the runtime sees it, sent with the first GO */
};

/* Builds the container, reports to the runtime, waits for start, execs.
 * Never returns. */
_Noreturn void init_run(const struct init_config *cfg);

#endif
