/* exec into a running container.
 *
 * The new process is a child of the runtime that joins the container piece
 * by piece, in this order:
 *   the pid namespace   (joined by the runtime itself before the fork: it
 *                        only affects children)
 *   the cgroup          (cloned into the v2 one; joins the v1 ones itself,
 *                        first thing, see cgroup.h)
 *   a seccomp listener  (connected while host paths are still visible)
 *   every other namespace of the init, the mount namespace last
 *   the container's root (chroot to the init's root: right for --no-pivot)
 *   session, terminal, rlimits, then the steps every container process
 *   takes last (process.c), the seccomp filter, execve.
 * The process object is checked by the same parser as config.json, so
 * `exec --process` fails on bad input exactly as `create` does. */
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/capabilities.h"
#include "runtime/cgroup.h"
#include "runtime/exe_protect.h"
#include "runtime/lsm.h"
#include "runtime/namespaces.h"
#include "runtime/process.h"
#include "runtime/process_attrs.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "runtime/state.h"
#include "runtime/supervise.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/subid.h"

static const struct {
	int type;
	const char *proc_name;
} ns_files[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWIPC, "ipc" },	  { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWNET, "net" },   { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
	{ CLONE_NEWPID, "pid" },   { CLONE_NEWNS, "mnt" },
};
#define N_NS (sizeof(ns_files) / sizeof(ns_files[0]))

struct exec_job {
	const struct exec_options *opts;
	struct container_state state;
	struct spec *spec;
	struct cgroup_host cgroups;
	struct cgroup_join cgroup_join; /* the child's, for the v1 hierarchies */
	int ns_fds[N_NS]; /* in ns_files order; -1 when not joined */
	int root_fd;
	int console_fd;
	int own_console; /* our end, when we are the console */
	int sync_fd;
	pid_t pid;
	struct sock_fprog seccomp; /* compiled here (ctx->seccomp_cache), or empty */
};

int container_config(const struct runtime_context *ctx, const char *id, json_t **out,
		     struct silo_err *err)
{
	struct container_state state;

	if (state_read(ctx->root, id, &state, err) < 0)
		return -1;
	*out = json_incref(state.config);
	state_free(&state);
	if (!*out)
		return silo_err_set(err, EINVAL, "container \"%s\": its state holds no config", id);
	return 0;
}

/* The container's config with the exec process in place of its own,
 * parsed and checked as a whole. */
static int exec_load_spec(struct exec_job *job, struct silo_err *err)
{
	_cleanup_json_ json_t *doc = json_deep_copy(job->state.config);
	_cleanup_free_ char *text = NULL;

	if (!doc || json_object_set(doc, "process", job->opts->process) < 0)
		return silo_err_sys(err, ENOMEM, "exec");
	text = json_dumps(doc, JSON_INDENT(1));
	if (!text)
		return silo_err_sys(err, ENOMEM, "exec");
	if (spec_parse(text, strlen(text), "exec process", job->state.bundle, &job->spec, err) < 0)
		return -1;
	if (!job->spec->has_process)
		return silo_err_set(err, EINVAL, "exec: no process given");
	return 0;
}

static int exec_open_namespaces(struct exec_job *job, struct silo_err *err)
{
	char path[64];

	for (size_t i = 0; i < N_NS; i++) {
		job->ns_fds[i] = -1;
		if (!spec_find_namespace(job->spec, ns_files[i].type))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", job->state.pid, ns_files[i].proc_name);
		job->ns_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (job->ns_fds[i] < 0)
			return silo_err_errno(err, "open %s namespace of container \"%s\"",
					      ns_files[i].proc_name, job->state.id);
	}
	snprintf(path, sizeof(path), "/proc/%d/root", job->state.pid);
	job->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (job->root_fd < 0)
		return silo_err_errno(err, "open root of container \"%s\"", job->state.id);
	/* The PID might have been reused since the state was read. */
	if (state_process_start_time(job->state.pid, NULL) != job->state.start_time)
		return silo_err_set(err, ESRCH, "container \"%s\": container not running", job->state.id);
	return 0;
}

/* Joins the namespaces and the root, and closes their descriptors: they
 * are of no more use, and what the process holds until execve can be seen
 * by the container in /proc/PID/fd. */
static int exec_join(struct exec_job *job, struct silo_err *err)
{
	for (size_t i = 0; i < N_NS; i++) {
		if (job->ns_fds[i] < 0 || ns_files[i].type == CLONE_NEWPID)
			continue;
		if (setns(job->ns_fds[i], ns_files[i].type) < 0)
			return silo_err_errno(err, "join the %s namespace", ns_files[i].proc_name);
	}
	if (fchdir(job->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return silo_err_errno(err, "enter the container's root");
	for (size_t i = 0; i < N_NS; i++)
		if (job->ns_fds[i] >= 0) {
			close(job->ns_fds[i]);
			job->ns_fds[i] = -1;
		}
	close(job->root_fd);
	job->root_fd = -1;
	return 0;
}

static int exec_child_setup(struct exec_job *job, int sync_fd, char **exe, struct silo_err *err)
{
	const struct spec_process *proc = &job->spec->process;
	struct seccomp_filter *filter = NULL;
	struct sync_msg msg;

	/* First of all: from here the process is in the container's pid
	 * namespace and soon in all its others, and what the caller left
	 * open must not be found there (CVE-2024-21626); init_run does the
	 * same for create. /proc is still the host's. */
	process_close_callers_fds(3 + job->opts->preserve_fds);
	if (sync_recv(sync_fd, &msg, err) < 0 || msg.type != SYNC_GO)
		return -1;
	if (cgroup_join_self(&job->cgroup_join, err) < 0)
		return -1;
	if (seccomp_prepare_compiled(job->spec, &job->seccomp, &filter, err) < 0 ||
	    exec_join(job, err) < 0)
		return -1;
	if (setsid() < 0)
		return silo_err_errno(err, "start a new session");
	if (job->console_fd >= 0) {
		if (terminal_setup(job->console_fd, proc->console_height, proc->console_width, 0,
				   err) < 0)
			return -1;
		close(job->console_fd);
	}
	if (process_apply_rlimits(proc, err) < 0 || process_attrs_apply(job->spec, err) < 0 ||
	    process_find_executable(proc, exe, err) < 0)
		return -1;
	if (lsm_apply_exec(proc, err) < 0)
		return -1;
	/* The filter goes in where init_run puts it, for the same reasons. */
	if (!proc->no_new_privileges && seccomp_install(filter, job->state.id, msg.code, err) < 0)
		return -1;
	if (process_take_identity(proc, err) < 0)
		return -1;
	if (proc->no_new_privileges && seccomp_install(filter, job->state.id, msg.code, err) < 0)
		return -1;
	return process_leave_runtime(proc, 3 + job->opts->preserve_fds, sync_fd, err);
}

_Noreturn static void exec_child(struct exec_job *job, int sync_fd)
{
	_cleanup_free_ char *exe = NULL;
	struct silo_err err = { 0 };

	if (exec_child_setup(job, sync_fd, &exe, &err) == 0) {
		execve(exe, job->spec->process.args, job->spec->process.env);
		silo_err_errno(&err, "exec \"%s\"", exe);
	}
	sync_send(sync_fd, SYNC_ERROR, &err);
	_exit(127);
}

static int exec_check(struct exec_job *job, struct silo_err *err)
{
	enum container_status status = state_status(&job->state);
	const struct spec_process *proc = &job->spec->process;

	if (status == STATUS_STOPPED)
		return silo_err_set(err, ESRCH, "container \"%s\": container not running", job->state.id);
	if (status == STATUS_PAUSED)
		return silo_err_set(err, EBUSY, "cannot exec in container \"%s\": it is paused",
				    job->state.id);
	if (proc->has_capabilities && capabilities_check_host(&proc->capabilities, err) < 0)
		return -1;
	if (process_attrs_validate(job->spec, err) < 0 || lsm_validate(job->spec, err) < 0 ||
	    seccomp_load_library(job->spec, err) < 0)
		return -1;
	if (proc->terminal && !job->opts->console_socket && job->opts->detach)
		return silo_err_set(err, EINVAL, "exec --tty --detach needs --console-socket");
	if (!proc->terminal && job->opts->console_socket)
		return silo_err_set(err, EINVAL, "--console-socket was given without --tty");
	return 0;
}

static int exec_prepare(struct exec_job *job, const struct runtime_context *ctx,
			struct silo_err *err)
{
	const struct exec_options *opts = job->opts;

	if (state_read(ctx->root, opts->id, &job->state, err) < 0 || exec_load_spec(job, err) < 0 ||
	    exec_check(job, err) < 0 || exec_open_namespaces(job, err) < 0)
		return -1;
	if (cgroup_detect(&job->cgroups, err) < 0)
		return -1;
	if (opts->console_socket) {
		job->console_fd = terminal_connect(opts->console_socket, err);
		if (job->console_fd < 0)
			return -1;
	} else if (job->spec->process.terminal) {
		int pair[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return silo_err_errno(err, "console");
		job->own_console = pair[0];
		job->console_fd = pair[1];
	}
	return 0;
}

static int exec_spawn(struct exec_job *job, struct silo_err *err)
{
	int pid_ns = -1, cgroup_fd = -1, in_v2_cgroup = 0;
	int pair[2];

	for (size_t i = 0; i < N_NS; i++)
		if (ns_files[i].type == CLONE_NEWPID)
			pid_ns = job->ns_fds[i];

	if (sync_pair(pair, err) < 0)
		return -1;
	/* An unprivileged caller has no capability outside the container's
	 * user namespace: it joins that first, to be allowed into the
	 * others, and the child inherits it; so does root of another user
	 * namespace (a rootless engine's), whose processes in the container
	 * must have the container's IDs. (The host's root needs no such step
	 * and keeps its host privileges for the cgroup and the pid file.) */
	/* A network namespace the engine made for a container with a user
	 * namespace of its own belongs to the namespace above that one: it
	 * can only be joined from out here. */
	for (size_t i = 0; !subid_host_root() && i < N_NS; i++) {
		if (ns_files[i].type != CLONE_NEWNET || job->ns_fds[i] < 0)
			continue;
		if (setns(job->ns_fds[i], CLONE_NEWNET) == 0) {
			close(job->ns_fds[i]);
			job->ns_fds[i] = -1;
		}
	}
	for (size_t i = 0; !subid_host_root() && i < N_NS; i++) {
		if (ns_files[i].type != CLONE_NEWUSER || job->ns_fds[i] < 0)
			continue;
		if (setns(job->ns_fds[i], CLONE_NEWUSER) < 0 && errno != EINVAL) {
			close(pair[0]);
			close(pair[1]);
			return silo_err_errno(err, "join the user namespace");
		}
		close(job->ns_fds[i]);
		job->ns_fds[i] = -1;
	}
	/* Joining a pid namespace only moves our future children. */
	if (pid_ns >= 0 && setns(pid_ns, CLONE_NEWPID) < 0) {
		close(pair[0]);
		close(pair[1]);
		return silo_err_errno(err, "join the pid namespace");
	}
	if (job->state.cgroup_path) {
		if (cgroup_join_open(&job->cgroups, job->state.cgroup_path, &job->cgroup_join, err) < 0) {
			close(pair[0]);
			close(pair[1]);
			return -1;
		}
		cgroup_fd = cgroup_open_v2(&job->cgroups, job->state.cgroup_path);
	}
	job->pid = namespaces_clone(0, cgroup_fd, &in_v2_cgroup, err);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	if (job->pid < 0) {
		close(pair[0]);
		close(pair[1]);
		return silo_err_prefix(err, "exec process");
	}
	if (job->pid == 0) {
		close(pair[0]);
		if (job->own_console >= 0)
			close(job->own_console);
		exec_child(job, pair[1]);
	}
	cgroup_join_close(&job->cgroup_join);
	close(pair[1]);
	job->sync_fd = pair[0];
	if (job->console_fd >= 0) {
		close(job->console_fd);
		job->console_fd = -1;
	}
	if (job->state.cgroup_path && !in_v2_cgroup &&
	    cgroup_enter_v2(&job->cgroups, job->state.cgroup_path, job->pid, err) < 0)
		return -1;
	if (sync_send_code(job->sync_fd, SYNC_GO, job->pid) < 0)
		return silo_err_set(err, EPIPE, "exec process went away");
	return 0;
}

/* The child reports a failure before execve; a successful execve closes
 * the socket (close-on-exec), which we read as end of file. */
static int exec_wait_for_exec(struct exec_job *job, struct silo_err *err)
{
	struct sync_msg msg;
	struct silo_err inner;

	if (sync_recv(job->sync_fd, &msg, &inner) < 0)
		return 0;
	if (msg.type == SYNC_ERROR) {
		silo_err_set(err, msg.code, "%s", msg.text);
		return -1;
	}
	return 0;
}

static void exec_job_free(struct exec_job *job)
{
	for (size_t i = 0; i < N_NS; i++)
		if (job->ns_fds[i] >= 0)
			close(job->ns_fds[i]);
	for (int *fd = &job->root_fd; fd <= &job->sync_fd; fd++)
		if (*fd >= 0)
			close(*fd);
	cgroup_join_close(&job->cgroup_join);
	cgroup_host_free(&job->cgroups);
	free(job->seccomp.filter);
	spec_free(job->spec);
	state_free(&job->state);
}

int container_exec(const struct runtime_context *ctx, const struct exec_options *opts,
		   int *exit_status, struct silo_err *err)
{
	struct exec_job job = { .opts = opts, .root_fd = -1, .console_fd = -1, .own_console = -1,
				.sync_fd = -1 };
	_cleanup_close_ int master = -1;
	int r;

	for (size_t i = 0; i < N_NS; i++)
		job.ns_fds[i] = -1;
	*exit_status = 0;
	/* The exec'd process is forked from us into the container: it must
	 * not reach our binary (CVE-2019-5736). */
	r = exe_protect_reexec(err);
	if (r == 0)
		r = exec_prepare(&job, ctx, err);
	/* With a cache, the container's profile is read, not compiled again. */
	if (r == 0)
		r = seccomp_compile_cached(job.spec, ctx->seccomp_cache, &job.seccomp, err);
	if (r == 0)
		r = exec_spawn(&job, err);
	if (r == 0)
		r = exec_wait_for_exec(&job, err);
	if (r == 0 && job.own_console >= 0)
		r = terminal_recv_fd(job.own_console, &master, err);
	if (r == 0 && opts->pid_file) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%d", job.pid);
		r = fs_write_file_replace(opts->pid_file, pid, strlen(pid), 0644, err);
	}
	if (r < 0) {
		if (job.pid > 0) {
			kill(job.pid, SIGKILL);
			waitpid(job.pid, NULL, 0);
		}
		silo_err_prefix(err, "exec in container \"%s\"", opts->id);
	} else if (!opts->detach) {
		supervise_forward_signals(job.pid, 1);
		if (master >= 0)
			terminal_proxy(master, NULL);
		r = supervise_wait(job.pid, exit_status, err);
		supervise_forward_signals(job.pid, 0);
	}
	exec_job_free(&job);
	return r;
}
