/* The lean monitor's copy phase (see monitor_lean.h). */
#include "engine/monitor_lean.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/relay.h"

long monitor_lean_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int fd_of(json_t *state, const char *key)
{
	json_t *v = json_object_get(state, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

void monitor_lean_attach_from_state(json_t *state, struct attach_server *attach)
{
	const char *path = json_string_value(json_object_get(state, "attachPath"));
	json_t *client;
	size_t i;

	attach_server_init(attach);
	attach->listen_fd = fd_of(state, "attachListen");
	attach->path = path && *path ? strdup(path) : NULL;
	json_array_foreach(json_object_get(state, "attachClients"), i, client)
		if (json_is_integer(client))
			attach_server_add(attach, (int)json_integer_value(client));
}

int monitor_lean_attach_to_state(json_t *state, const struct attach_server *attach)
{
	json_t *clients = json_array();

	for (size_t i = 0; clients && i < attach->n_clients; i++)
		if (json_array_append_new(clients, json_integer(attach->clients[i].fd)) < 0) {
			json_decref(clients);
			return -1;
		}
	return clients ? json_object_set_new(state, "attachClients", clients) : -1;
}

int monitor_lean_relay(json_t *state, struct attach_server *attach, int *exit_status, long *ran_ms)
{
	struct logfile_stream out = { .name = "stdout" }, err = { .name = "stderr" };
	struct logfile log;
	int out_fd = fd_of(state, "out"), err_fd = fd_of(state, "err"), stdin_fd = fd_of(state, "stdin");
	int no_input = -1, tty = json_is_true(json_object_get(state, "tty"));
	pid_t pid = (pid_t)fd_of(state, "pid");
	int pidfd, status = 255 << 8, input = -1;

	if (pid <= 0 || out_fd < 0)
		return -1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Exec'd through /proc/self/exe, ps would call it "exe". */
	prctl(PR_SET_NAME, MONITOR_LEAN_NAME);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	monitor_lean_attach_from_state(state, attach);
	if (json_is_true(json_object_get(state, "openStdin")))
		input = tty ? out_fd : stdin_fd;
	attach_server_set_target(attach, input, tty ? out_fd : -1, pidfd);
	logfile_from_json(&log, json_object_get(state, "log"));
	{
		struct relay r = { .log = &log, .out_fd = &out_fd, .err_fd = &err_fd,
				   .in_fd = &no_input, .out = &out, .err = &err,
				   .attach = attach->listen_fd >= 0 ? attach : NULL };

		relay_run(&r, pidfd);
	}
	/* A rotation may have moved the log to another descriptor. */
	json_object_set_new(state, "log", logfile_to_json(&log));
	free(log.path);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	attach_server_set_target(attach, -1, -1, -1);
	if (pidfd >= 0)
		close(pidfd);
	if (stdin_fd >= 0)
		close(stdin_fd);
	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	*exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	*ran_ms = monitor_lean_now_ms() - (long)json_integer_value(json_object_get(state, "startedMs"));
	return 0;
}
