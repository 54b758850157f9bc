/* The per-container monitor (see monitor.h). Its story: take monitor.lock
 * (its liveness signal), mount the rootfs, give the container pipes (or a
 * pty) for its output, create and start it through the runtime library,
 * record it running, copy its output to the log until it exits, then
 * release everything and record the exit; and as the restart policy says,
 * wait and do it all again. Detached, it copies the output as the lean
 * binary (exec_lean) and comes back here through monitor_resume(). */
#include "engine/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine/attach.h"
#include "engine/config.h"
#include "engine/logfile.h"
#include "engine/monitor_lean.h"
#include "engine/network.h"
#include "engine/record.h"
#include "engine/relay.h"
#include "engine/restart.h"
#include "engine/snapshot.h"
#include "engine/volume.h"
#include "runtime/exe_protect.h"
#include "runtime/supervise.h"
#include "runtime/terminal.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct monitor {
	const struct monitor_request *req;
	char *dir;
	int tty;
	struct logfile log;
	int out_fd; /* stdout pipe, or the pty master */
	int err_fd; /* stderr pipe; -1 with a pty */
	int in_fd;  /* our stdin, copied to the pty master; -1 when not */
	int stdin_fd; /* the write end of the container's stdin (detached -i) */
	int open_stdin; /* detached, created with -i: attach clients give input */
	int serving;  /* detached: attach clients are served (attach.h) */
	struct attach_server attach;
	int lock;   /* monitor.lock's descriptor */
	long delay; /* the restart policy's back-off before this run */
	pid_t pid;
	int on_started_done;
	struct logfile_stream out, err;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int take_monitor_lock(const char *dir, struct silo_err *err)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/monitor.lock", dir) < 0)
		return silo_err_sys(err, ENOMEM, "monitor lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return silo_err_errno(err, "open \"%s\"", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return silo_err_set(err, EBUSY, "the container is already running");
	}
	return fd;
}

/* A monitor that has recorded its container exited still finishes (--rm,
 * its attach clients, the release) with the lock held: a start right
 * after a stop waits for it, five seconds at most. A container recorded
 * anything but exited is running: that fails at once. */
static int take_monitor_lock_after_exit(const struct monitor_request *req, const char *dir,
					struct silo_err *err)
{
	for (int i = 0;; i++) {
		_cleanup_json_ json_t *rec = NULL;
		struct silo_err ignored = { 0 };
		int fd = take_monitor_lock(dir, err);

		if (fd >= 0 || err->code != EBUSY || i >= 500 ||
		    record_load(req->env->store->root, req->id, &rec, &ignored) < 0 ||
		    strcmp(engine_container_status(rec), "exited"))
			return fd;
		silo_err_clear(err);
		usleep(10000);
	}
}

/* A listening socket for the runtime's --console-socket. Its path must fit
 * in sun_path, which a store path may not: it lives in a private /tmp dir. */
static int console_listen(char **dir_out, char **path_out, struct silo_err *err)
{
	char dir[] = "/tmp/silo-console.XXXXXX";
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (!mkdtemp(dir))
		return silo_err_errno(err, "console socket directory");
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
		silo_err_errno(err, "console socket \"%s\"", addr.sun_path);
		if (fd >= 0)
			close(fd);
		unlink(addr.sun_path);
		rmdir(dir);
		return -1;
	}
	*dir_out = strdup(dir);
	*path_out = strdup(addr.sun_path);
	return fd;
}

static void console_unlink(char *dir, char *path)
{
	if (path)
		unlink(path);
	if (dir)
		rmdir(dir);
	free(path);
	free(dir);
}

/* The runtime's init inherits our descriptors 0, 1 and 2: for the length of
 * the create they are the container's stdio. The monitor starts what it
 * creates at once, so the init waits for the go on its socket pair,
 * *start_fd (container_create_to_start), not on an exec socket. */
static int create_with_stdio(struct monitor *m, int in, int out, int errfd,
			     const struct create_options *opts, int *start_fd, struct silo_err *err)
{
	struct runtime_context rt = m->req->env->rt;
	_cleanup_free_ char *seccomp_cache = engine_seccomp_cache_dir(m->req->env);
	int saved[3], r;

	rt.seccomp_cache = seccomp_cache;

	for (int i = 0; i < 3; i++)
		saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		r = silo_err_errno(err, "container stdio");
	else
		r = container_create_to_start(&rt, opts, &m->pid, start_fd, err);
	for (int i = 0; i < 3; i++) {
		if (saved[i] >= 0) {
			dup2(saved[i], i);
			close(saved[i]);
		}
	}
	return r;
}

static int spawn(struct monitor *m, struct silo_err *err)
{
	_cleanup_free_ char *bundle = NULL;
	struct create_options opts = { .id = m->req->id };
	_cleanup_close_ int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int in = m->req->interactive && !m->tty ? STDIN_FILENO : null_fd;
	int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, in_pipe[2] = { -1, -1 };
	char *console_dir = NULL, *console_path = NULL;
	_cleanup_close_ int start_fd = -1;
	int listen_fd = -1, r;

	if (asprintf(&bundle, "%s/bundle", m->dir) < 0 || null_fd < 0)
		return silo_err_sys(err, ENOMEM, "bundle");
	opts.bundle = bundle;
	if (m->tty) {
		listen_fd = console_listen(&console_dir, &console_path, err);
		if (listen_fd < 0)
			return -1;
		opts.console_socket = console_path;
		r = create_with_stdio(m, null_fd, null_fd, null_fd, &opts, &start_fd, err);
		if (r == 0) {
			_cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

			if (conn < 0 || terminal_recv_fd(conn, &m->out_fd, err) < 0) {
				if (!err->msg[0])
					silo_err_errno(err, "receive the container's terminal");
				r = -1;
			} else if (m->req->rows) {
				/* Before the process runs: its first look at
				 * the size is the client's. */
				struct winsize ws = { .ws_row = m->req->rows, .ws_col = m->req->cols };

				ioctl(m->out_fd, TIOCSWINSZ, &ws);
			}
		}
		close(listen_fd);
		console_unlink(console_dir, console_path);
	} else {
		if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0)
			return silo_err_errno(err, "pipes for the container's output");
		/* A detached -i container keeps a stdin of its own that
		 * attach clients write to; it sees EOF only when the monitor
		 * goes. */
		if (m->open_stdin) {
			if (pipe2(in_pipe, O_CLOEXEC) < 0)
				return silo_err_errno(err, "a pipe for the container's stdin");
			in = in_pipe[0];
		}
		r = create_with_stdio(m, in, out_pipe[1], err_pipe[1], &opts, &start_fd, err);
		close(out_pipe[1]);
		close(err_pipe[1]);
		if (in_pipe[0] >= 0) {
			close(in_pipe[0]);
			m->stdin_fd = in_pipe[1];
			fcntl(m->stdin_fd, F_SETFL, O_NONBLOCK);
		}
		m->out_fd = out_pipe[0];
		m->err_fd = err_pipe[0];
	}
	if (r < 0)
		return -1;
	return container_start_pair(&m->req->env->rt, m->req->id, start_fd, err);
}

/* docker run's exit codes when the command itself cannot run. */
static int start_failure_status(const struct silo_err *err)
{
	if (strstr(err->msg, "executable file not found") ||
	    (strstr(err->msg, "exec \"") && strstr(err->msg, "No such file")))
		return 127;
	if (strstr(err->msg, "not an executable file") ||
	    (strstr(err->msg, "exec \"") && strstr(err->msg, "ermission denied")))
		return 126;
	return 125;
}


/* Copies output until the container's init exits, then what is left. */
static void relay(struct monitor *m, int pidfd)
{
	struct relay r = { .log = &m->log, .out_fd = &m->out_fd, .err_fd = &m->err_fd,
			   .in_fd = &m->in_fd, .echo = m->req->foreground, .out = &m->out, .err = &m->err,
			   .attach = m->serving ? &m->attach : NULL };

	relay_run(&r, pidfd);
}

static void set_state(const struct monitor *m, json_t *fields)
{
	struct silo_err ignored = { 0 };

	if (fields)
		record_set_state(m->req->env->store->root, m->req->id, fields, &ignored);
	json_decref(fields);
}

/* Released before the exit is recorded: whoever sees "exited" (rm, wait)
 * finds no mount and no runtime state left. "restarting" says the policy
 * starts it again after a delay. */
static void record_exit(const struct monitor *m, int status, const char *error, int restarting)
{
	_cleanup_free_ char *now = record_now();

	engine_container_release(m->req->env, m->req->id);
	set_state(m, json_pack("{s:s, s:i, s:i, s:s, s:s}", "status", restarting ? "restarting" : "exited",
			       "pid", 0, "exitCode", status, "finishedAt", now ? now : "", "error",
			       error ? error : ""));
}

static int terminal_raw(int fd, struct termios *saved)
{
	struct termios raw;

	if (!isatty(fd) || tcgetattr(fd, saved) < 0)
		return 0;
	raw = *saved;
	cfmakeraw(&raw);
	return tcsetattr(fd, TCSANOW, &raw) == 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int keep_across_exec(int fd)
{
	return fd < 0 ? 0 : fcntl(fd, F_SETFD, 0);
}

/* silo-monitor, the static lean monitor, next to the engine module (as
 * silo-init is: the module's own file, found from one of its functions,
 * whatever the environment says). NULL when it is not installed. */
static char *static_monitor_path(void)
{
	char *path = engine_helper_path(MONITOR_LEAN_NAME);

	if (!path)
		return NULL;
	if (access(path, X_OK) < 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* A detached monitor spends the container's life as a lean program
 * (monitor_lean.h): the static silo-monitor, or else the silo binary
 * itself. Returns only when neither could be executed: then this process
 * copies the output itself. */
static void exec_lean(struct monitor *m, int restart_count, long started)
{
	_cleanup_json_ json_t *clients = json_array();
	_cleanup_json_ json_t *state = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *lean = static_monitor_path();
	int bad = 0;

	for (size_t i = 0; i < m->attach.n_clients; i++) {
		json_array_append_new(clients, json_integer(m->attach.clients[i].fd));
		bad |= keep_across_exec(m->attach.clients[i].fd);
	}
	state = json_pack("{s:s, s:s, s:s, s:i, s:o, s:i, s:i, s:i, s:b, s:b, s:i, s:i, s:I, s:I, s:i, s:s, s:O}",
			  "id", m->req->id, "storeRoot", m->req->env->store->root, "runtimeRoot",
			  m->req->env->rt.root, "lock", m->lock, "log", logfile_to_json(&m->log), "out", m->out_fd, "err",
			  m->err_fd, "stdin", m->stdin_fd, "tty", m->tty, "openStdin", m->open_stdin, "pid",
			  m->pid, "restarts", restart_count, "delay", (json_int_t)m->delay, "startedMs",
			  (json_int_t)started, "attachListen", m->attach.listen_fd, "attachPath",
			  m->attach.path ? m->attach.path : "", "attachClients", clients);
	text = state ? json_dumps(state, JSON_COMPACT) : NULL;
	bad |= keep_across_exec(m->lock) | keep_across_exec(m->log.fd) | keep_across_exec(m->out_fd) |
	       keep_across_exec(m->err_fd) | keep_across_exec(m->stdin_fd) |
	       keep_across_exec(m->attach.listen_fd);
	if (!text || bad)
		return;
	/* The static monitor comes back at the container's exit through a
	 * new sealed copy of the binary this process was copied from
	 * (exe_protect.h), which it makes then: keeping this copy open for
	 * the container's life would cost its size in memory. Without a
	 * source it is not used: silo on disk must never be what clones the
	 * next init of a restart. */
	if (lean && exe_protect_source()) {
		_cleanup_free_ char *lean_text = NULL;

		if (json_object_set_new(state, "silo", json_string(exe_protect_source())) == 0 &&
		    (lean_text = json_dumps(state, JSON_COMPACT)))
			execv(lean, (char *[]){ MONITOR_LEAN_NAME, lean_text, NULL });
	}
	/* /proc/self/exe is the sealed copy run and start re-executed from,
	 * never the binary on disk: a restart clones the next init from
	 * this process, and a container that could reach its
	 * /proc/self/exe must not find a writable silo (CVE-2019-5736). */
	execv("/proc/self/exe", (char *[]){ MONITOR_LEAN_NAME, text, NULL });
}

/* One run of the container's process: the rootfs and network, the
 * process, "running" in the record, its output until it exits. Returns -1
 * when it could not start (err says why), else 0 with the exit status and
 * how long it ran. The exit is the caller's to record. */
static int run_once(struct monitor *m, json_t *rec, int restart_count, int *exit_status, long *ran_ms,
		    struct silo_err *err)
{
	const struct monitor_request *req = m->req;
	_cleanup_close_ int pidfd = -1;
	_cleanup_free_ char *now = NULL;
	struct termios saved_termios;
	json_t *fields;
	int raw = 0, status;
	long started;

	if (snapshot_mount(m->dir, json_object_get(rec, "lowerDirs"), err) < 0 ||
	    engine_network_setup(req->env, req->id, err) < 0 || spawn(m, err) < 0)
		return -1;
	started = now_ms();
	pidfd = (int)syscall(SYS_pidfd_open, m->pid, 0);
	now = record_now();
	fields = json_pack("{s:s, s:i, s:i, s:i, s:s, s:s, s:s, s:i}", "status", "running", "pid", m->pid,
			   "monitorPid", getpid(), "exitCode", 0, "startedAt", now ? now : "", "finishedAt", "",
			   "error", "", "restartCount", restart_count);
	/* A start by the user takes back an earlier stop; a restart by the
	 * policy must not take back one made meanwhile. */
	if (fields && restart_count == 0)
		json_object_set_new(fields, "stoppedByUser", json_false());
	set_state(m, fields);
	if (req->on_started) {
		req->on_started(req->opaque, NULL);
		m->on_started_done = 1;
	}
	if (m->serving) {
		int input = -1;

		if (m->open_stdin)
			input = m->tty ? m->out_fd : m->stdin_fd;
		/* The monitor must never block on the container's input. */
		if (m->tty)
			fcntl(m->out_fd, F_SETFL, fcntl(m->out_fd, F_GETFL) | O_NONBLOCK);
		attach_server_set_target(&m->attach, input, m->tty ? m->out_fd : -1, pidfd);
	}
	if (req->foreground) {
		supervise_forward_signals(m->pid, 1);
		if (m->tty) {
			struct winsize ws;

			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(m->out_fd, TIOCSWINSZ, &ws);
			if (req->interactive) {
				m->in_fd = STDIN_FILENO;
				raw = terminal_raw(STDIN_FILENO, &saved_termios);
			}
		}
	}
	if (m->serving && !req->foreground)
		exec_lean(m, restart_count, started);
	relay(m, pidfd);
	if (waitpid(m->pid, &status, 0) < 0)
		status = 255 << 8;
	m->pid = 0;
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
	if (req->foreground)
		supervise_forward_signals(0, 0);
	m->in_fd = -1;
	if (m->serving)
		attach_server_set_target(&m->attach, -1, -1, -1);
	close_fd(&m->stdin_fd);
	close_fd(&m->out_fd);
	close_fd(&m->err_fd);
	*exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	*ran_ms = now_ms() - started;
	return 0;
}

/* A start that failed: the runtime state deleted (which kills an init
 * that was created but not started; then it can be reaped) and the error
 * recorded. */
static void record_start_failure(struct monitor *m, const struct silo_err *err, int status)
{
	close_fd(&m->stdin_fd);
	close_fd(&m->out_fd);
	close_fd(&m->err_fd);
	record_exit(m, status, err->msg, 0);
	if (m->pid > 0)
		waitpid(m->pid, NULL, WNOHANG);
	m->pid = 0;
}

/* The policy's delay before a restart, watching the record: a stop, kill
 * or rm by the user meanwhile ends it (0), and the exit stays. */
static int wait_for_restart(struct monitor *m, long delay_ms)
{
	for (long waited = 0;; waited += 50) {
		_cleanup_json_ json_t *rec = NULL;
		struct silo_err ignored = { 0 };
		struct timespec ts = { 0, 50 * 1000000L };

		if (record_load(m->req->env->store->root, m->req->id, &rec, &ignored) < 0)
			return 0;
		if (json_is_true(json_object_get(json_object_get(rec, "state"), "stoppedByUser"))) {
			set_state(m, json_pack("{s:s}", "status", "exited"));
			return 0;
		}
		if (waited >= delay_ms)
			return 1;
		nanosleep(&ts, NULL);
	}
}

static void hand_off(struct monitor *m, int lock, int restarts, long delay);

/* After a run's exit: records it, and says whether the policy starts the
 * container again (1; *delay is then the back-off). */
static int after_run(struct monitor *m, int restarts, int exit_status, long ran_ms, long *delay)
{
	_cleanup_json_ json_t *rec = NULL;
	struct silo_err ignored = { 0 };
	int again;

	if (record_load(m->req->env->store->root, m->req->id, &rec, &ignored) < 0)
		rec = NULL;
	again = restart_wanted(rec, exit_status, restarts);
	*delay = restart_next_delay(*delay, ran_ms);
	record_exit(m, exit_status, NULL, again);
	/* Attached clients exit with the container, as docker's do. */
	if (again && m->serving)
		attach_server_exit(&m->attach, exit_status);
	return again;
}

/* The container stays exited: --rm removes it (and its anonymous
 * volumes, as docker's does; it and a restart policy exclude each other),
 * and only then are the attach clients told, so one that exits with the
 * container finds it recorded exited, or gone. */
static void monitor_finish(struct monitor *m, json_t *rec, int exit_status)
{
	struct silo_err ignored = { 0 };

	logfile_close(&m->log);
	if (rec && json_is_true(json_object_get(rec, "autoRemove")) &&
	    record_remove(m->req->env->store->root, m->req->id, &ignored) == 0)
		volume_remove_unused(m->req->env->store->root, json_object_get(rec, "mounts"), 1);
	if (m->serving)
		attach_server_exit(&m->attach, exit_status);
	attach_server_close(&m->attach);
}

/* Runs the container, then again for as long as its restart policy says,
 * until it stays exited. Returns -1 when the first start failed. */
static int supervise(struct monitor *m, int lock, int restarts, long delay, int *exit_status,
		     struct silo_err *err)
{
	for (;; restarts++) {
		_cleanup_json_ json_t *rec = NULL;
		long ran_ms = 0;
		int again;

		if (restarts > 0 && !wait_for_restart(m, delay))
			return 0;
		if (record_load(m->req->env->store->root, m->req->id, &rec, err) < 0)
			return restarts ? 0 : -1;
		m->lock = lock;
		m->delay = delay;
		if (run_once(m, rec, restarts, exit_status, &ran_ms, err) < 0) {
			if (restarts == 0)
				return -1;
			record_start_failure(m, err, start_failure_status(err));
			return 0;
		}
		again = after_run(m, restarts, *exit_status, ran_ms, &delay);
		if (!again)
			return 0;
		/* In the foreground, silo exits with the container, as docker's
		 * attached run does; a detached monitor carries on. */
		if (m->req->foreground) {
			hand_off(m, lock, restarts + 1, delay);
			return 0;
		}
	}
}

/* A detached monitor that takes over the restarts of a foreground one. It
 * inherits monitor.lock's open file (a flock belongs to that, not to a
 * process): the lock is held without a gap. */
static void hand_off(struct monitor *m, int lock, int restarts, long delay)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid != 0)
		return;
	{
		struct monitor_request req = *m->req;
		struct monitor child = *m;
		struct silo_err ignored = { 0 };
		int null_fd, status;

		req.foreground = 0;
		req.interactive = 0;
		req.on_started = NULL;
		req.attach_fd = 0;
		req.rows = 0;
		child.req = &req;
		if (dup2(lock, 3) < 0 || (m->log.fd >= 0 && dup2(m->log.fd, 4) < 0))
			_exit(1);
		child.log.fd = m->log.fd >= 0 ? 4 : -1;
		syscall(SYS_close_range, 5U, ~0U, 0);
		setsid();
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		signal(SIGPIPE, SIG_IGN);
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null_fd >= 0) {
			dup2(null_fd, 0);
			dup2(null_fd, 1);
			dup2(null_fd, 2);
			close(null_fd);
		}
		attach_server_init(&child.attach);
		child.serving = attach_server_listen(&child.attach, child.dir, &ignored) == 0;
		status = 0;
		supervise(&child, 3, restarts, delay, &status, &ignored);
		monitor_finish(&child, NULL, status);
		_exit(0);
	}
}

int monitor_run(const struct monitor_request *req, int *exit_status, struct silo_err *err)
{
	struct monitor m = { .req = req, .log = { .fd = -1 }, .out_fd = -1, .err_fd = -1, .in_fd = -1,
			     .stdin_fd = -1, .out = { .name = "stdout" }, .err = { .name = "stderr" } };
	_cleanup_free_ char *dir = record_path(req->env->store->root, req->id, NULL);
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_close_ int lock = -1;
	struct silo_err ignored = { 0 };

	*exit_status = 125;
	m.dir = dir;
	attach_server_init(&m.attach);
	if (!dir)
		return silo_err_sys(err, ENOMEM, "container %s", req->id);
	lock = take_monitor_lock_after_exit(req, dir, err);
	if (lock < 0 || record_load(req->env->store->root, req->id, &rec, err) < 0)
		goto not_started;
	m.tty = json_is_true(json_object_get(rec, "tty"));
	/* A detached monitor serves attach clients; in the foreground silo
	 * is the client itself. */
	if (!req->foreground) {
		m.open_stdin = json_is_true(json_object_get(rec, "openStdin"));
		if (attach_server_listen(&m.attach, dir, err) < 0)
			goto not_started;
		m.serving = 1;
		if (req->attach_fd > STDERR_FILENO && attach_server_add(&m.attach, req->attach_fd) < 0)
			close(req->attach_fd);
	}
	if (logfile_open(&m.log, dir, json_object_get(rec, "logConfig"), err) < 0)
		goto not_started;
	if (supervise(&m, lock, 0, 0, exit_status, err) < 0)
		goto not_started;
	monitor_finish(&m, rec, *exit_status);
	return 0;

not_started:
	attach_server_close(&m.attach);
	logfile_close(&m.log);
	*exit_status = start_failure_status(err);
	if (lock >= 0) {
		record_start_failure(&m, err, *exit_status);
		if (rec && json_is_true(json_object_get(rec, "autoRemove")) &&
		    record_remove(req->env->store->root, req->id, &ignored) == 0)
			volume_remove_unused(req->env->store->root, json_object_get(rec, "mounts"), 1);
	}
	if (req->on_started && !m.on_started_done)
		req->on_started(req->opaque, err);
	return -1;
}

/* The child tells `run -d` how the start went: "K", or "E" and the error. */
static void report_ready(void *opaque, const struct silo_err *err)
{
	int *fd = opaque;
	char buf[SILO_ERR_MAX + 2];
	int n = err ? snprintf(buf, sizeof(buf), "E%s", err->msg) : snprintf(buf, sizeof(buf), "K");

	fs_write_all(*fd, buf, (size_t)n);
	close(*fd);
	*fd = -1;
}

int monitor_spawn_detached(const struct engine_env *env, const char *id,
			   const struct monitor_detach_options *opts, struct silo_err *err)
{
	int ready[2];
	pid_t pid;
	char buf[SILO_ERR_MAX];
	size_t len = 0;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return silo_err_errno(err, "start the monitor");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return silo_err_errno(err, "fork the monitor");
	}
	if (pid == 0) {
		int report_fd = 3;
		struct monitor_request req = { .env = env, .id = id, .on_started = report_ready,
					       .opaque = &report_fd };
		struct silo_err merr = { 0 };
		int null_fd, status, ready_fd, attach_fd = -1;

		/* Nothing of the caller's stays open in the monitor: a shell or
		 * test harness waiting on a pipe of ours would wait for the
		 * container's whole life. Only the report pipe (3) and a
		 * client's socket (4) come along. */
		ready_fd = fcntl(ready[1], F_DUPFD_CLOEXEC, 10);
		if (opts && opts->attach_fd >= 0)
			attach_fd = fcntl(opts->attach_fd, F_DUPFD_CLOEXEC, 10);
		if (ready_fd < 0 || dup2(ready_fd, 3) < 0)
			_exit(1);
		if (attach_fd >= 0) {
			if (dup3(attach_fd, 4, O_CLOEXEC) < 0)
				_exit(1);
			req.attach_fd = 4;
			syscall(SYS_close_range, 5U, ~0U, 0);
		} else {
			syscall(SYS_close_range, 4U, ~0U, 0);
		}
		if (opts) {
			req.rows = opts->rows;
			req.cols = opts->cols;
		}
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* Its own session: the terminal's hangup or ^C in the shell
		 * that ran `silo run -d` must not reach it. A subreaper, so
		 * what the container's init leaves behind comes back to it. */
		setsid();
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		signal(SIGPIPE, SIG_IGN);
		if (null_fd >= 0) {
			dup2(null_fd, 0);
			dup2(null_fd, 1);
			dup2(null_fd, 2);
			close(null_fd);
		}
		monitor_run(&req, &status, &merr);
		_exit(0);
	}
	close(ready[1]);
	for (;;) {
		ssize_t n = read(ready[0], buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(ready[0]);
	buf[len] = '\0';
	if (len > 0 && buf[0] == 'K')
		return 0;
	waitpid(pid, NULL, 0);
	if (len == 0)
		return silo_err_set(err, EIO, "the monitor of container %s exited before starting it", id);
	return silo_err_set(err, EINVAL, "%s", buf + 1);
}

/* Exported for the lean monitor (monitor_lean.h): the same monitor, after
 * the exec, once the container has exited. */
int monitor_resume(json_t *state, struct attach_server *attach, int exit_status, long ran_ms);

static int state_int(json_t *state, const char *key)
{
	json_t *v = json_object_get(state, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

int monitor_resume(json_t *state, struct attach_server *attach, int exit_status, long ran_ms)
{
	const char *id = json_string_value(json_object_get(state, "id"));
	const char *store_root = json_string_value(json_object_get(state, "storeRoot"));
	const char *runtime_root = json_string_value(json_object_get(state, "runtimeRoot"));
	struct store store = { .root_fd = -1 };
	struct engine_env env = { .store = &store, .rt = { .root = runtime_root } };
	struct monitor_request req = { .env = &env, .id = id };
	struct monitor m = { .req = &req, .log = { .fd = -1 }, .out_fd = -1, .err_fd = -1,
			     .in_fd = -1, .stdin_fd = -1, .out = { .name = "stdout" },
			     .err = { .name = "stderr" }, .serving = 1, .lock = state_int(state, "lock") };
	int restarts = state_int(state, "restarts");
	long delay = (long)json_integer_value(json_object_get(state, "delay"));
	_cleanup_free_ char *dir = NULL;
	_cleanup_json_ json_t *rec = NULL;
	struct silo_err err = { 0 };

	m.attach = *attach;
	attach_server_init(attach);
	/* Back to close-on-exec: only the exec to the lean monitor keeps
	 * them. */
	fcntl(m.lock, F_SETFD, FD_CLOEXEC);
	logfile_from_json(&m.log, json_object_get(state, "log"));
	fcntl(m.log.fd, F_SETFD, FD_CLOEXEC);
	fcntl(m.attach.listen_fd, F_SETFD, FD_CLOEXEC);
	for (size_t i = 0; i < m.attach.n_clients; i++)
		fcntl(m.attach.clients[i].fd, F_SETFD, FD_CLOEXEC);
	if (!id || !store_root || !runtime_root || store_open(store_root, &store, &err) < 0) {
		attach_server_close(&m.attach);
		return 1;
	}
	dir = record_path(store.root, id, NULL);
	m.dir = dir;
	m.tty = json_is_true(json_object_get(state, "tty"));
	m.open_stdin = json_is_true(json_object_get(state, "openStdin"));
	if (record_load(store.root, id, &rec, &err) < 0)
		rec = NULL;
	if (dir && after_run(&m, restarts, exit_status, ran_ms, &delay))
		supervise(&m, m.lock, restarts + 1, delay, &exit_status, &err);
	monitor_finish(&m, rec, exit_status);
	store_close(&store);
	return 0;
}
