/* The container's init process: what happens between clone and execve.
 *
 * It starts already inside the new namespaces the kernel made at clone time
 * (see container.c). The runtime waits for it on a socket pair and each step
 * below either succeeds or sends one line back saying what failed; the
 * runtime then removes everything. Once built, it waits on the exec socket
 * until `start` (for `run`, on the socket pair), and only then becomes the
 * container user and execs. Doing
 * the privileged steps in this fixed order is what keeps them safe:
 *
 *   join the cgroup's v1 hierarchies (cloned into the v2 one already; our
 *                                     cgroup is then the right root for a
 *                                     new cgroup namespace)
 *   join namespaces given by path, become root of the user namespace
 *   cgroup namespace, session keyring, new session
 *   root filesystem                  (rootfs.c)
 *   prestart/createRuntime hooks     (the runtime runs them while we wait)
 *   createContainer hooks, pivot_root
 *   hostname, terminal
 *   sysctl, then masked and read-only paths, read-only root
 *   rlimits, personality, scheduling, find the executable     (errors reach `create`, not `start`)
 *   ready -> wait for start
 *   startContainer hooks
 *   user, capabilities, no_new_privs, close descriptors, cwd, execve
 *   (the seccomp filter goes in before the user's identity without
 *    no_new_privs, right after it with: see init_run)
 */
#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "runtime/hooks.h"
#include "runtime/lsm.h"
#include "runtime/mount.h"
#include "runtime/namespaces.h"
#include "runtime/process_attrs.h"
#include "runtime/process.h"
#include "runtime/rootfs.h"
#include "runtime/sync.h"
#include "runtime/sysctl.h"
#include "runtime/terminal.h"
#include "runtime/userns.h"
#include "util/cleanup.h"
#include "util/subid.h"

static int init_join_keyring(const struct init_config *cfg, struct silo_err *err)
{
	char name[256];

	if (cfg->no_new_keyring)
		return 0;
	/* A session keyring of its own, so the container cannot read the
	 * keys of whoever started it. */
	snprintf(name, sizeof(name), "_ses.%s", cfg->id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0) < 0 && errno != ENOSYS)
		return silo_err_errno(err, "create session keyring");
	return 0;
}

static int init_set_names(const struct spec *spec, struct silo_err *err)
{
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return silo_err_errno(err, "config.json: hostname: set \"%s\"", spec->hostname);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return silo_err_errno(err, "config.json: domainname: set \"%s\"", spec->domainname);
	return 0;
}

/* prestart and createRuntime hooks run in the runtime's namespaces, so the
 * runtime runs them while we wait; createContainer hooks run here, in the
 * container's namespaces, still before pivot_root. */
static int init_run_creation_hooks(const struct init_config *cfg, const struct init_result *res,
				   struct silo_err *err)
{
	const json_t *config = cfg->spec->document;
	_cleanup_json_ json_t *state = NULL;

	if (hooks_present(config, HOOK_PRESTART) || hooks_present(config, HOOK_CREATE_RUNTIME)) {
		if (sync_send(cfg->sync_fd, SYNC_HOOKS, NULL) < 0)
			return silo_err_errno(err, "ask the runtime to run hooks");
		if (sync_expect(cfg->sync_fd, SYNC_GO, err) < 0)
			return -1;
	}
	if (!hooks_present(config, HOOK_CREATE_CONTAINER))
		return 0;
	state = hooks_state(cfg->id, "creating", res->host_pid, cfg->spec);
	if (!state)
		return silo_err_sys(err, ENOMEM, "hook state");
	return hooks_run(config, HOOK_CREATE_CONTAINER, state, err);
}

static int init_run_start_hooks(const struct init_config *cfg, const struct init_result *res,
				struct silo_err *err)
{
	_cleanup_json_ json_t *state = NULL;

	if (!hooks_present(cfg->spec->document, HOOK_START_CONTAINER))
		return 0;
	state = hooks_state(cfg->id, "created", res->host_pid, cfg->spec);
	if (!state)
		return silo_err_sys(err, ENOMEM, "hook state");
	return hooks_run(cfg->spec->document, HOOK_START_CONTAINER, state, err);
}

static int init_build(const struct init_config *cfg, struct init_result *res, struct silo_err *err)
{
	const struct spec *spec = cfg->spec;
	const struct spec_namespace *cgroupns = spec_find_namespace(spec, CLONE_NEWCGROUP);
	struct rootfs_context rootfs = {
		.spec = spec,
		.cgroups = cfg->cgroups,
		.cgroup_path = cfg->cgroup_path,
		.cgroup_namespace = cgroupns != NULL,
		.no_pivot = cfg->no_pivot,
		/* In a user namespace, new or inherited, the kernel makes no
		 * device nodes: the host's are bound instead. */
		.user_namespace = userns_wanted(spec) || !subid_host_root(),
		.idmap_fds = cfg->idmap_fds,
	};

	struct sync_msg msg;

	if (sync_recv(cfg->sync_fd, &msg, err) < 0)
		return -1;
	if (msg.type != SYNC_GO)
		return silo_err_set(err, EPROTO, "unexpected message %d from the runtime", msg.type);
	res->host_pid = (pid_t)msg.code;
	if (cgroup_join_self(cfg->cgroup_join, err) < 0)
		return -1;
	if (namespaces_join_all(spec, cfg->joined, err) < 0)
		return -1;
	/* In a user namespace we start as its overflow ID: become its root,
	 * now that the runtime has written the maps. */
	if (rootfs.user_namespace && userns_become_root(err) < 0)
		return -1;
	if (cgroupns && !cgroupns->path && unshare(CLONE_NEWCGROUP) < 0)
		return silo_err_errno(err, "create cgroup namespace");
	if (init_join_keyring(cfg, err) < 0)
		return -1;
	if (setsid() < 0)
		return silo_err_errno(err, "start a new session");
	/* Before pivot_root: a seccomp listener socket lives on the host. */
	if (seccomp_prepare_compiled(spec, cfg->seccomp, &res->seccomp, err) < 0)
		return -1;
	if (rootfs_prepare(&rootfs, err) < 0)
		return -1;
	if (init_run_creation_hooks(cfg, res, err) < 0)
		return -1;
	if (rootfs_enter(&rootfs, err) < 0)
		return -1;
	if (init_set_names(spec, err) < 0)
		return -1;
	if (cfg->console_fd >= 0) {
		if (terminal_setup(cfg->console_fd, spec->process.console_height,
				   spec->process.console_width, 1, err) < 0)
			return -1;
		close(cfg->console_fd);
	}
	/* Before rootfs_finish: it makes /proc/sys read-only. */
	if (sysctl_apply(spec, err) < 0)
		return -1;
	if (rootfs_finish(&rootfs, err) < 0)
		return -1;
	/* The host's /proc, held for the mount(2) fallback: gone before the
	 * container can see the init's descriptors (CVE-2024-21626). */
	mount_release_fd_dir();
	if (process_apply_rlimits(&spec->process, err) < 0 || process_attrs_apply(spec, err) < 0)
		return -1;
	return process_find_executable(&spec->process, &res->executable, err);
}

/* Blocks until `start` connects; returns the connection, on which an exec
 * failure is reported (it closes by itself when execve succeeds). */
static int init_wait_for_start(int listen_fd)
{
	int conn;
	char go;

	do
		conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return -1;
	if (read(conn, &go, 1) != 1) {
		close(conn);
		return -1;
	}
	return conn;
}

static void report_and_exit(int conn, const struct silo_err *err, int status)
{
	size_t len = strlen(err->msg);

	if (write(conn, err->msg, len) < 0) {
		/* `start` went away: nobody is left to tell. */
	}
	_exit(status);
}

_Noreturn void init_run(const struct init_config *cfg)
{
	struct init_result res = { 0 };
	struct silo_err err = { 0 };
	int conn;

	/* At once, so that the caller's descriptors do not wait in the
	 * container's namespaces until start, where a process of the container
	 * allowed to ptrace the init would find them in /proc/1/fd (a host
	 * directory there is a way out, as in CVE-2024-21626). /proc is still
	 * the host's here. */
	process_close_callers_fds(cfg->first_open_fd);
	if (init_build(cfg, &res, &err) < 0) {
		sync_send(cfg->sync_fd, SYNC_ERROR, &err);
		_exit(1);
	}
	if (sync_send(cfg->sync_fd, SYNC_READY, NULL) < 0)
		_exit(1);
	/* The runtime answers once the container's state is on disk; if it
	 * died before that, nobody knows this container: go away. */
	if (sync_expect(cfg->sync_fd, SYNC_GO, &err) < 0)
		_exit(1);
	if (cfg->exec_listen_fd >= 0) {
		close(cfg->sync_fd);
		conn = init_wait_for_start(cfg->exec_listen_fd);
		if (conn < 0)
			_exit(1);
		close(cfg->exec_listen_fd);
	} else {
		/* run: start comes over the socket pair, which then carries
		 * what the exec socket's connection would. */
		if (sync_expect(cfg->sync_fd, SYNC_GO, &err) < 0)
			_exit(1);
		conn = cfg->sync_fd;
	}

	if (init_run_start_hooks(cfg, &res, &err) < 0)
		report_and_exit(conn, &err, 1);
	/* The filter goes in as late as the kernel allows. Without
	 * no_new_privs, seccomp(2) needs CAP_SYS_ADMIN, which the user's
	 * capabilities may lack: then before taking the user's identity (as
	 * runc does). With it, right after; still before the descriptor sweep,
	 * which would close the SCMP_ACT_NOTIFY listener's socket. */
	/* The LSM label is for the coming execve; set it while procfs is still
	 * ours to open and no filter can stand in the way. */
	if (lsm_apply_exec(&cfg->spec->process, &err) < 0)
		report_and_exit(conn, &err, 1);
	if (!cfg->spec->process.no_new_privileges &&
	    seccomp_install(res.seccomp, cfg->id, res.host_pid, &err) < 0)
		report_and_exit(conn, &err, 1);
	if (process_take_identity(&cfg->spec->process, &err) < 0)
		report_and_exit(conn, &err, 1);
	if (cfg->spec->process.no_new_privileges &&
	    seccomp_install(res.seccomp, cfg->id, res.host_pid, &err) < 0)
		report_and_exit(conn, &err, 1);
	if (process_leave_runtime(&cfg->spec->process, cfg->first_open_fd, conn, &err) < 0)
		report_and_exit(conn, &err, 1);
	execve(res.executable, cfg->spec->process.args, cfg->spec->process.env);
	silo_err_errno(&err, "exec \"%s\"", res.executable);
	report_and_exit(conn, &err, 127);
	_exit(127);
}
