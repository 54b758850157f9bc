/* The OCI lifecycle, on the runtime's side of the socket pair.
 *
 * create: load and check the config, take the container's state directory,
 * clone the init process into its new namespaces, put it in its cgroup, let
 * it build the container (init.c), then write state.json. Any failure on
 * the way undoes all of it: the process, the cgroup and the state directory.
 * start: connect to the exec socket the init waits on (run and the
 * engine, which start right after create, send the go over the socket pair
 * instead: container_create_to_start). Everything else
 * works from state.json and the live process it names. */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/capabilities.h"
#include "runtime/cgroup.h"
#include "runtime/exe_protect.h"
#include "runtime/hooks.h"
#include "runtime/idmap.h"
#include "runtime/lsm.h"
#include "runtime/init.h"
#include "runtime/namespaces.h"
#include "runtime/process_attrs.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "runtime/state.h"
#include "runtime/supervise.h"
#include "runtime/sync.h"
#include "runtime/sysctl.h"
#include "runtime/userns.h"
#include "runtime/terminal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/subid.h"

/* Everything a create has made so far, so a failure can undo it. */
struct create_job {
	const struct runtime_context *ctx;
	const struct create_options *opts;
	struct spec *spec;
	struct cgroup_host cgroups;
	char *cgroup_path;
	int cgroup_default_parent;
	int cgroup_made;
	char *dir;
	int lock_fd;
	int listen_fd;
	int console_fd;
	int sync_fd;
	pid_t pid;
	int in_v2_cgroup; /* cloned straight into it */
	int *idmap_fds; /* detached idmapped mounts, one per spec mount or -1 */
	struct sock_fprog seccomp; /* compiled here (ctx->seccomp_cache), or empty */
	int *own_console; /* run: where to hand our end of a console pair */
	/* run: where to hand the sync socket, through which start then goes
	 * (no exec socket is made) */
	int *start_fd;
};

static void create_job_undo(struct create_job *job)
{
	if (job->pid > 0) {
		kill(job->pid, SIGKILL);
		waitpid(job->pid, NULL, 0);
		job->pid = 0;
	}
	if (job->cgroup_made)
		cgroup_destroy(&job->cgroups, job->cgroup_path, job->cgroup_default_parent, NULL);
	if (job->dir)
		fs_remove_tree(job->dir, NULL);
}

static void create_job_free(struct create_job *job)
{
	if (job->idmap_fds)
		idmap_close(job->spec, job->idmap_fds);
	free(job->idmap_fds);
	free(job->seccomp.filter);
	spec_free(job->spec);
	cgroup_host_free(&job->cgroups);
	free(job->cgroup_path);
	free(job->dir);
	for (int *fd = &job->lock_fd; fd <= &job->sync_fd; fd++)
		if (*fd >= 0)
			close(*fd);
}

static int check_systemd(const struct runtime_context *ctx, struct silo_err *err)
{
	if (!ctx->systemd_cgroup)
		return 0;
	if (access("/run/systemd/system", F_OK) < 0)
		return silo_err_set(err, ENOTSUP,
				    "--systemd-cgroup: systemd is not running on this host (no /run/systemd/system); drop the flag to use cgroupfs");
	return silo_err_set(err, ENOTSUP,
			    "--systemd-cgroup: the systemd cgroup driver is not supported yet; drop the flag to use cgroupfs");
}

static int create_check_config(struct create_job *job, struct silo_err *err)
{
	const struct spec *spec = job->spec;
	struct stat st;

	if (!spec->has_process)
		return silo_err_set(err, EINVAL, "config.json: process: missing, nothing to run");
	if (namespaces_validate(spec, err) < 0 || userns_validate(spec, err) < 0 ||
	    hooks_validate(spec->document, err) < 0 || sysctl_validate(spec, err) < 0 ||
	    idmap_validate(spec, err) < 0 || lsm_validate(spec, err) < 0 ||
	    process_attrs_validate(spec, err) < 0)
		return -1;
	if (spec->process.has_capabilities &&
	    capabilities_check_host(&spec->process.capabilities, err) < 0)
		return -1;
	if (seccomp_load_library(spec, err) < 0)
		return -1;
	if (stat(spec->root_path, &st) < 0)
		return silo_err_errno(err, "rootfs \"%s\"", spec->root_path);
	if (!S_ISDIR(st.st_mode))
		return silo_err_set(err, ENOTDIR, "rootfs \"%s\": not a directory", spec->root_path);
	if (spec->process.terminal && job->console_fd < 0)
		return silo_err_set(err, EINVAL,
				    "config.json: process.terminal is true, so --console-socket is required");
	if (!spec->process.terminal && job->opts->console_socket)
		return silo_err_set(err, EINVAL,
				    "--console-socket was given but process.terminal is false in config.json");
	return 0;
}

static int listen_exec_socket(struct create_job *job, struct silo_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", job->dir, STATE_EXEC_SOCKET) >=
	    (int)sizeof(addr.sun_path))
		return silo_err_set(err, ENAMETOOLONG, "state directory \"%s\" is too long for a socket path",
				    job->dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return silo_err_errno(err, "exec socket");
	job->listen_fd = fd;
	unlink(addr.sun_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)
		return silo_err_errno(err, "exec socket \"%s\"", addr.sun_path);
	return 0;
}

/* A helper process joins the network namespace and clones the init
 * there as our child (CLONE_PARENT), so the runtime itself never leaves
 * its own: an unprivileged one could not come back. Returns like
 * namespaces_clone: 0 in the init. */
static pid_t clone_in_netns(const struct spec_namespace *netns, unsigned long flags, int cgroup_fd,
			    int *into_cgroup, struct silo_err *err)
{
	struct {
		pid_t pid;
		int into_cgroup;
		struct silo_err err;
	} reply = { .pid = -1 };
	int p[2], status;
	pid_t helper;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return silo_err_errno(err, "clone the init: pipe");
	helper = fork();
	if (helper == 0) {
		struct spec_namespace copy = *netns;

		close(p[0]);
		if (namespaces_join(&copy, &reply.err) == 0)
			reply.pid = namespaces_clone(flags | CLONE_PARENT, cgroup_fd, &reply.into_cgroup,
						     &reply.err);
		if (reply.pid == 0) {
			close(p[1]);
			return 0;
		}
		_exit(write(p[1], &reply, sizeof(reply)) == sizeof(reply) ? 0 : 1);
	}
	close(p[1]);
	if (helper < 0) {
		close(p[0]);
		return silo_err_errno(err, "clone the init: fork");
	}
	do
		n = read(p[0], &reply, sizeof(reply));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
		;
	if (n != sizeof(reply))
		return silo_err_set(err, EIO, "clone the init: the helper process failed");
	if (reply.pid < 0) {
		*err = reply.err;
		return -1;
	}
	*into_cgroup = reply.into_cgroup;
	return reply.pid;
}

static int create_spawn(struct create_job *job, struct silo_err *err)
{
	const struct spec_namespace *pidns = spec_find_namespace(job->spec, CLONE_NEWPID);
	const struct spec_namespace *netns = spec_find_namespace(job->spec, CLONE_NEWNET);
	const struct spec_namespace *userns = spec_find_namespace(job->spec, CLONE_NEWUSER);
	struct cgroup_join join = { 0 };
	int pair[2], cgroup_fd = -1;
	unsigned long joined = 0;
	pid_t pid;

	if (sync_pair(pair, err) < 0)
		return -1;
	/* Joining a pid namespace only affects children, so the runtime
	 * joins it itself right before the clone. */
	if (pidns && pidns->path) {
		struct spec_namespace copy = *pidns;

		if (namespaces_join(&copy, err) < 0) {
			close(pair[0]);
			close(pair[1]);
			return -1;
		}
	}
	if (userns_prepare_time(job->spec, err) < 0) {
		close(pair[0]);
		close(pair[1]);
		return -1;
	}
	/* --- cgroups: the init starts inside its v2 cgroup, and joins the
	 * v1 hierarchies itself, first thing (cgroup.h says why). --- */
	if (job->cgroup_path) {
		if (cgroup_join_open(&job->cgroups, job->cgroup_path, &join, err) < 0) {
			close(pair[0]);
			close(pair[1]);
			return -1;
		}
		cgroup_fd = cgroup_open_v2(&job->cgroups, job->cgroup_path);
	}
	/* An init in a new user namespace has no capability in a network
	 * namespace of ours, so it could not join one named by path: it is
	 * cloned from there instead (clone_in_netns). */
	if (userns && !userns->path && netns && netns->path) {
		joined |= CLONE_NEWNET;
		pid = clone_in_netns(netns, namespaces_clone_flags(job->spec), cgroup_fd,
				     &job->in_v2_cgroup, err);
	} else {
		pid = namespaces_clone(namespaces_clone_flags(job->spec), cgroup_fd, &job->in_v2_cgroup,
				       err);
	}
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	if (pid < 0) {
		cgroup_join_close(&join);
		close(pair[0]);
		close(pair[1]);
		return silo_err_prefix(err, "container init");
	}
	if (pid == 0) {
		struct init_config cfg = {
			.spec = job->spec,
			.id = job->opts->id,
			.sync_fd = pair[1],
			.exec_listen_fd = job->listen_fd,
			.console_fd = job->console_fd,
			.first_open_fd = 3 + job->opts->preserve_fds,
			.no_pivot = job->opts->no_pivot,
			.no_new_keyring = job->opts->no_new_keyring,
			.joined = joined,
			.cgroups = &job->cgroups,
			.cgroup_path = job->cgroup_path,
			.cgroup_join = &join,
			.idmap_fds = job->idmap_fds,
			.seccomp = &job->seccomp,
		};

		/* The state lock is the runtime's: held through this copy it
		 * would outlive `create` and block every later command. */
		close(job->lock_fd);
		close(pair[0]);
		init_run(&cfg);
	}
	cgroup_join_close(&join);
	close(pair[1]);
	job->sync_fd = pair[0];
	job->pid = pid;
	return 0;
}

/* Writes the cgroup path down before the cgroup is made, so that `delete`
 * can remove it if this create is killed. */
static int create_note_cgroup(struct create_job *job, struct silo_err *err)
{
	if (state_note_cgroup(job->lock_fd, job->cgroup_path, err) < 0)
		return silo_err_prefix(err, "\"%s\"", job->dir);
	return 0;
}

/* --- cgroups: the cgroup and its limits exist before the init does (it
 * may be cloned straight into it); then the init joins every hierarchy. */
static int create_make_cgroup(struct create_job *job, struct silo_err *err)
{
	if (cgroup_create(&job->cgroups, job->cgroup_path, err) < 0) {
		/* An unprivileged user may have no cgroup of their own: run
		 * without one when no limit was asked for, and say what is
		 * missing when one was. */
		if (!subid_host_root() && err && (err->code == EACCES || err->code == EPERM ||
					      err->code == EROFS)) {
			if (json_object_size(job->spec->resources) > 0)
				return silo_err_set(err, EPERM,
						    "config.json: linux.resources: an unprivileged user can only set limits in a cgroup v2 subtree delegated to them (owned by their uid); none is writable here");
			free(job->cgroup_path);
			job->cgroup_path = NULL;
			return 0;
		}
		return -1;
	}
	job->cgroup_made = 1;
	return cgroup_apply_resources(&job->cgroups, job->cgroup_path, job->spec->resources,
				      json_object_get(json_object_get(job->spec->document, "linux"),
						      "devices"),
				      err);
}

/* The init joins the v1 hierarchies itself (init_build); the v2 one is
 * ours to do only when the kernel could not clone it there. */
static int create_place_in_cgroup(struct create_job *job, struct silo_err *err)
{
	if (!job->cgroup_path || job->in_v2_cgroup)
		return 0;
	return cgroup_enter_v2(&job->cgroups, job->cgroup_path, job->pid, err);
}
/* --- end cgroups --- */

static int create_set_oom_score(struct create_job *job, struct silo_err *err)
{
	char path[64], value[16];

	if (!job->spec->process.has_oom_score_adj)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", job->pid);
	snprintf(value, sizeof(value), "%d", job->spec->process.oom_score_adj);
	if (fs_write_string(path, value, err) < 0) {
		if (err && err->code == EACCES)
			return silo_err_set(err, EACCES,
					    "config.json: process.oomScoreAdj: %d is below the runtime's own score, and lowering it needs CAP_SYS_RESOURCE",
					    job->spec->process.oom_score_adj);
		return silo_err_prefix(err, "config.json: process.oomScoreAdj");
	}
	return 0;
}

/* Waits for the init to be built, running the hooks it asks for on the way. */
static int create_wait_ready(struct create_job *job, struct silo_err *err)
{
	for (;;) {
		struct sync_msg msg;
		_cleanup_json_ json_t *state = NULL;

		if (sync_recv(job->sync_fd, &msg, err) < 0)
			return -1;
		if (msg.type == SYNC_READY)
			return 0;
		if (msg.type == SYNC_ERROR) {
			silo_err_set(err, msg.code, "%s", msg.text);
			return -1;
		}
		if (msg.type != SYNC_HOOKS)
			return silo_err_set(err, EPROTO, "unexpected message %d from container init", msg.type);
		state = hooks_state(job->opts->id, "creating", job->pid, job->spec);
		if (!state)
			return silo_err_sys(err, ENOMEM, "hook state");
		if (hooks_run(job->spec->document, HOOK_PRESTART, state, err) < 0 ||
		    hooks_run(job->spec->document, HOOK_CREATE_RUNTIME, state, err) < 0)
			return -1;
		if (sync_send(job->sync_fd, SYNC_GO, NULL) < 0)
			return silo_err_errno(err, "container init went away");
	}
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char base[32];
	char *out;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&out, "%s.%09ldZ", base, ts.tv_nsec) < 0)
		return NULL;
	return out;
}

static int create_record(struct create_job *job, struct silo_err *err)
{
	_cleanup_free_ char *created = now_rfc3339();
	struct container_state state = {
		.id = (char *)job->opts->id,
		.dir = job->dir,
		.pid = job->pid,
		.start_time = state_process_start_time(job->pid, NULL),
		.bundle = job->spec->bundle,
		.rootfs = job->spec->root_path,
		.created = created,
		.cgroup_path = job->cgroup_path,
		.cgroup_default_parent = job->cgroup_default_parent,
		.owner = geteuid(),
		.annotations = job->spec->annotations,
		.config = job->spec->document,
	};

	if (!created)
		return silo_err_sys(err, ENOMEM, "record container");
	if (state_write(&state, err) < 0)
		return -1;
	if (job->opts->pid_file) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%d", job->pid);
		if (fs_write_file_replace(job->opts->pid_file, pid, strlen(pid), 0644, err) < 0)
			return silo_err_prefix(err, "--pid-file");
	}
	return 0;
}

static int create_run(struct create_job *job, struct silo_err *err)
{
	const struct create_options *opts = job->opts;

	/* The init is a clone of this process: it must not reach our binary
	 * (CVE-2019-5736). Re-executes from a sealed copy the first time. */
	if (exe_protect_reexec(err) < 0)
		return -1;
	if (state_validate_id(opts->id, err) < 0)
		return -1;
	if (check_systemd(job->ctx, err) < 0)
		return -1;
	if (spec_load(opts->bundle, &job->spec, err) < 0)
		return -1;
	if (opts->console_socket) {
		job->console_fd = terminal_connect(opts->console_socket, err);
		if (job->console_fd < 0)
			return -1;
	} else if (job->own_console && job->spec->process.terminal) {
		int pair[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return silo_err_errno(err, "console");
		*job->own_console = pair[0];
		job->console_fd = pair[1];
	}
	if (create_check_config(job, err) < 0)
		return -1;
	/* With a cache, here: a profile compiled once is then only read. */
	if (seccomp_compile_cached(job->spec, job->ctx->seccomp_cache, &job->seccomp, err) < 0)
		return -1;
	if (cgroup_detect(&job->cgroups, err) < 0)
		return -1;
	job->cgroup_path = cgroup_resolve_path(job->spec->cgroups_path, opts->id,
					       &job->cgroup_default_parent);
	if (!job->cgroup_path)
		return silo_err_set(err, EINVAL, "config.json: linux.cgroupsPath: \"%s\" is not a usable cgroup path",
				    job->spec->cgroups_path ? job->spec->cgroups_path : "");

	if (state_dir_create(job->ctx->root, opts->id, &job->lock_fd, err) < 0)
		return -1;
	job->dir = state_dir_path(job->ctx->root, opts->id);
	if (!job->dir)
		return silo_err_sys(err, ENOMEM, "state directory");
	if (!job->start_fd && listen_exec_socket(job, err) < 0)
		return -1;
	if (create_note_cgroup(job, err) < 0)
		return -1;
	job->idmap_fds = calloc(job->spec->n_mounts + 1, sizeof(int));
	if (!job->idmap_fds || idmap_prepare(job->spec, job->idmap_fds, err) < 0)
		return job->idmap_fds ? -1 : silo_err_sys(err, ENOMEM, "idmap");

	if (create_make_cgroup(job, err) < 0)
		return -1;
	if (create_spawn(job, err) < 0)
		return -1;
	if (userns_write_maps(job->spec, job->pid, err) < 0)
		return -1;
	if (create_place_in_cgroup(job, err) < 0 || create_set_oom_score(job, err) < 0)
		return -1;
	if (sync_send_code(job->sync_fd, SYNC_GO, job->pid) < 0)
		return silo_err_errno(err, "container init went away");
	if (create_wait_ready(job, err) < 0)
		return -1;
	if (create_record(job, err) < 0)
		return -1;
	/* From here on the container exists; its init may go on. */
	if (sync_send_code(job->sync_fd, SYNC_GO, job->pid) < 0)
		return silo_err_errno(err, "container init went away");
	if (job->start_fd) {
		*job->start_fd = job->sync_fd;
		job->sync_fd = -1;
	}
	return 0;
}

/* The shared body of create and run. With own_console (run in the
 * foreground), a config asking for a terminal without a console socket gets
 * one made here, and *own_console is the end the pty master arrives on.
 * With start_fd (run, container_create_to_start), the init waits for start
 * on the socket pair it was built over, which *start_fd then is, rather
 * than on an exec socket: the container counts as running once created (no
 * socket says "created"), which nobody can tell from the moment between
 * create and start that run leaves. */
static int create_container(const struct runtime_context *ctx, const struct create_options *opts,
			    int *own_console, int *start_fd, pid_t *pid, struct silo_err *err)
{
	struct create_job job = {
		.ctx = ctx,
		.opts = opts,
		.lock_fd = -1,
		.listen_fd = -1,
		.console_fd = -1,
		.sync_fd = -1,
		.own_console = own_console,
		.start_fd = start_fd,
	};
	int r = create_run(&job, err);

	if (r < 0) {
		create_job_undo(&job);
		silo_err_prefix(err, "create container \"%s\"", opts->id);
		if (own_console && *own_console >= 0) {
			close(*own_console);
			*own_console = -1;
		}
	} else {
		*pid = job.pid;
	}
	create_job_free(&job);
	return r;
}

int container_create(const struct runtime_context *ctx, const struct create_options *opts,
		     pid_t *pid, struct silo_err *err)
{
	return create_container(ctx, opts, NULL, NULL, pid, err);
}

int container_create_to_start(const struct runtime_context *ctx, const struct create_options *opts,
			      pid_t *pid, int *start_fd, struct silo_err *err)
{
	*start_fd = -1;
	return create_container(ctx, opts, NULL, start_fd, pid, err);
}

/* poststart and poststop hooks: a failure is logged, and the lifecycle
 * goes on, as the spec says. state is NULL to read it from disk. */
static void run_post_hooks(const struct runtime_context *ctx, const char *id,
			   enum hook_kind kind, struct container_state *known)
{
	struct container_state state;
	struct container_state *s = known;
	_cleanup_json_ json_t *obj = NULL;
	struct silo_err err;

	if (!s) {
		if (state_read(ctx->root, id, &state, NULL) < 0)
			return;
		s = &state;
	}
	if (hooks_present(s->config, kind)) {
		obj = state_to_json(s, kind == HOOK_POSTSTART ? STATUS_RUNNING : STATUS_STOPPED);
		if (obj && hooks_run(s->config, kind, obj, &err) < 0)
			log_warning("container \"%s\": %s", id, err.msg);
	}
	if (!known)
		state_free(&state);
}

/* After the go: the init writes on fd only if its last steps or execve
 * fail; a successful execve closes it (close-on-exec). Then poststart. */
static int start_finish(const struct runtime_context *ctx, const char *id, int fd,
			struct silo_err *err)
{
	char reply[SILO_ERR_MAX];
	ssize_t n;

	do
		n = read(fd, reply, sizeof(reply) - 1);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		reply[n] = '\0';
		return silo_err_set(err, EINVAL, "start container \"%s\": %s", id, reply);
	}
	run_post_hooks(ctx, id, HOOK_POSTSTART, NULL);
	return 0;
}

int container_start(const struct runtime_context *ctx, const char *id, struct silo_err *err)
{
	struct container_state state;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int lock_fd = -1;
	_cleanup_close_ int fd = -1;
	enum container_status status;

	if (state_lock(ctx->root, id, &lock_fd, err) < 0 || state_read(ctx->root, id, &state, err) < 0)
		return -1;
	status = state_status(&state);
	if (status != STATUS_CREATED) {
		state_free(&state);
		if (status == STATUS_STOPPED)
			return silo_err_set(err, EINVAL, "cannot start container \"%s\": it has stopped", id);
		return silo_err_set(err, EINVAL, "cannot start container \"%s\": it is already %s", id,
				    state_status_name(status));
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", state.dir, STATE_EXEC_SOCKET);
	state_free(&state);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return silo_err_errno(err, "start container \"%s\"", id);
	/* The socket's presence is what says "created": once we are through,
	 * it goes, and the container counts as running. */
	unlink(addr.sun_path);
	if (write(fd, "S", 1) != 1)
		return silo_err_errno(err, "start container \"%s\"", id);
	return start_finish(ctx, id, fd, err);
}

/* start for run and the engine: the init waits on the socket pair rather
 * than on an exec socket. */
int container_start_pair(const struct runtime_context *ctx, const char *id, int start_fd,
			 struct silo_err *err)
{
	if (sync_send(start_fd, SYNC_GO, NULL) < 0)
		return silo_err_errno(err, "start container \"%s\"", id);
	return start_finish(ctx, id, start_fd, err);
}

static int open_container_process(const struct container_state *state, struct silo_err *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, state->pid, 0);

	if (pidfd < 0)
		return silo_err_set(err, ESRCH, "container \"%s\": container not running", state->id);
	/* The PID could have been reused between reading the state and the
	 * pidfd_open: the start time tells. */
	if (state_process_start_time(state->pid, NULL) != state->start_time) {
		close(pidfd);
		return silo_err_set(err, ESRCH, "container \"%s\": container not running", state->id);
	}
	return pidfd;
}

int container_kill(const struct runtime_context *ctx, const char *id, int sig, int all,
		   struct silo_err *err)
{
	struct container_state state;
	_cleanup_close_ int pidfd = -1;
	int r = 0;

	if (state_read(ctx->root, id, &state, err) < 0)
		return -1;
	if (state_status(&state) == STATUS_STOPPED && !all) {
		state_free(&state);
		return silo_err_set(err, ESRCH, "container \"%s\": container not running", id);
	}
	if (all) {
		/* --- cgroups: every process of the cgroup (cgroup.kill for SIGKILL) --- */
		struct cgroup_host host;

		r = state.cgroup_path ? cgroup_detect(&host, err) : 1;
		if (r == 0) {
			r = cgroup_signal_all(&host, state.cgroup_path, sig, err);
			cgroup_host_free(&host);
			if (r < 0)
				silo_err_prefix(err, "signal container \"%s\"", id);
		}
		if (r == 0)
			r = silo_err_set(err, ESRCH, "container \"%s\": container not running", id);
		/* Without a cgroup (an unprivileged container) the init is all
		 * we know of: its pid namespace takes the rest with it. */
		if (r != 1) {
			state_free(&state);
			return r < 0 ? r : 0;
		}
	}
	pidfd = open_container_process(&state, err);
	if (pidfd < 0) {
		state_free(&state);
		return -1;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		r = silo_err_errno(err, "signal container \"%s\"", id);
	state_free(&state);
	return r;
}

/* Waits (bounded) for the process behind pidfd to exit. */
static int wait_for_exit(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

static int destroy_container(const struct runtime_context *ctx, struct container_state *state,
			     int *lock_fd, struct silo_err *err)
{
	struct cgroup_host host;
	_cleanup_close_ int pidfd = -1;
	/* cgroups: detected first, to thaw a paused container for its SIGKILL */
	int have_cgroups = state->cgroup_path && cgroup_detect(&host, NULL) == 0;
	int r = 0;

	if (state->pid > 0 && state_process_start_time(state->pid, NULL) == state->start_time) {
		pidfd = open_container_process(state, NULL);
		if (pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			if (have_cgroups) /* cgroups: the rest, and thaw if frozen */
				cgroup_signal_all(&host, state->cgroup_path, SIGKILL, NULL);
			if (wait_for_exit(pidfd, 10000) < 0)
				r = silo_err_set(err, ETIMEDOUT,
						 "delete container \"%s\": its process did not exit after SIGKILL",
						 state->id);
		}
	}
	if (r == 0 && have_cgroups &&
	    cgroup_destroy(&host, state->cgroup_path, state->cgroup_default_parent, err) < 0)
		r = silo_err_prefix(err, "delete container \"%s\"", state->id);
	if (have_cgroups)
		cgroup_host_free(&host);
	return r < 0 ? r : state_remove(ctx->root, state->id, lock_fd, err);
}

/* What a create killed half-way leaves: its state directory, and the
 * cgroup it had made (its path is written down before the cgroup is). */
static void remove_half_made(const struct runtime_context *ctx, const char *id)
{
	_cleanup_free_ char *path = state_cgroup_note(ctx->root, id);
	struct cgroup_host host;

	if (path && cgroup_detect(&host, NULL) == 0) {
		cgroup_destroy(&host, path, str_has_prefix(path, CGROUP_DEFAULT_PARENT "/"), NULL);
		cgroup_host_free(&host);
	}
	state_remove(ctx->root, id, NULL, NULL);
}

int container_delete(const struct runtime_context *ctx, const char *id, int force,
		     struct silo_err *err)
{
	struct container_state state;
	_cleanup_close_ int lock_fd = -1;
	struct silo_err inner;
	enum container_status status;
	int r;

	if (state_validate_id(id, NULL) < 0)
		return silo_err_set(err, ENOENT, "container \"%s\" does not exist", id);
	if (state_lock(ctx->root, id, &lock_fd, err) < 0)
		return -1;
	if (state_read(ctx->root, id, &state, &inner) < 0) {
		/* A directory without state.json is what a create that died
		 * half-way leaves, and one whose state.json cannot be parsed
		 * what a machine crash leaves (state.json is not flushed to
		 * disk, state_write): we hold its lock, so it is ours to
		 * clear. */
		if (inner.code == ENOENT || inner.code == EINVAL) {
			remove_half_made(ctx, id);
			return silo_err_set(err, ENOENT, "container \"%s\" does not exist", id);
		}
		*err = inner;
		return -1;
	}
	status = state_status(&state);
	if ((status == STATUS_RUNNING || status == STATUS_PAUSED) && !force) {
		state_free(&state);
		return silo_err_set(err, EBUSY,
				    "cannot delete container \"%s\" that is not stopped: %s (use --force)",
				    id, state_status_name(status));
	}
	r = destroy_container(ctx, &state, &lock_fd, err);
	if (r == 0)
		run_post_hooks(ctx, id, HOOK_POSTSTOP, &state);
	state_free(&state);
	return r;
}

int container_state(const struct runtime_context *ctx, const char *id, json_t **out,
		    struct silo_err *err)
{
	struct container_state state;

	if (state_read(ctx->root, id, &state, err) < 0)
		return -1;
	*out = state_to_json(&state, state_status(&state));
	state_free(&state);
	return *out ? 0 : silo_err_sys(err, ENOMEM, "state of \"%s\"", id);
}

int container_list(const struct runtime_context *ctx, json_t **out, struct silo_err *err)
{
	_cleanup_strv_ char **ids = NULL;
	json_t *list;

	if (state_list_ids(ctx->root, &ids, err) < 0)
		return -1;
	list = json_array();
	if (!list)
		return silo_err_sys(err, ENOMEM, "list containers");
	for (size_t i = 0; ids[i]; i++) {
		json_t *one = NULL;

		/* A container deleted while we list is simply not listed. */
		if (container_state(ctx, ids[i], &one, NULL) == 0)
			json_array_append_new(list, one);
	}
	*out = list;
	return 0;
}

/* --- run: create, start, wait, delete --- */

int container_run(const struct runtime_context *ctx, const struct create_options *opts,
		  int detach, int *exit_status, struct silo_err *err)
{
	_cleanup_close_ int console = -1;
	_cleanup_close_ int master = -1;
	_cleanup_close_ int start_fd = -1;
	pid_t pid;
	int r;

	*exit_status = 0;
	/* In the foreground with a terminal and no console socket, we are the
	 * console: the pty master comes to us and we copy our stdio to it. */
	r = create_container(ctx, opts, detach ? NULL : &console, &start_fd, &pid, err);
	if (r < 0)
		return r;
	if (console >= 0 && terminal_recv_fd(console, &master, err) < 0) {
		container_delete(ctx, opts->id, 1, NULL);
		return -1;
	}
	if (!detach)
		supervise_forward_signals(pid, 1);
	if (container_start_pair(ctx, opts->id, start_fd, err) < 0) {
		supervise_forward_signals(pid, 0);
		container_delete(ctx, opts->id, 1, NULL);
		waitpid(pid, NULL, WNOHANG);
		return -1;
	}
	if (detach)
		return 0;
	if (master >= 0)
		terminal_proxy(master, NULL);
	r = supervise_wait(pid, exit_status, err);
	supervise_forward_signals(pid, 0);
	if (container_delete(ctx, opts->id, 1, r < 0 ? NULL : err) < 0 && r == 0)
		return -1;
	return r;
}
