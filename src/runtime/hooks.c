/* Running OCI hooks: fork, the state JSON into stdin, the hook's stderr
 * kept for the error message, and a deadline enforced with a pidfd. */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "util/cleanup.h"
#include "util/strv.h"

static const char *const hook_names[] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};
#define N_KINDS (sizeof(hook_names) / sizeof(hook_names[0]))

static json_t *hook_list(const json_t *config, enum hook_kind kind)
{
	return json_object_get(json_object_get(config, "hooks"), hook_names[kind]);
}

int hooks_present(const json_t *config, enum hook_kind kind)
{
	return json_array_size(hook_list(config, kind)) > 0;
}

static int check_strings(const json_t *v, const char *field, struct silo_err *err)
{
	size_t i;
	json_t *s;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return silo_err_set(err, EINVAL, "config.json: %s: expected an array of strings", field);
	json_array_foreach (v, i, s)
		if (!json_is_string(s))
			return silo_err_set(err, EINVAL, "config.json: %s[%zu]: expected a string", field, i);
	return 0;
}

int hooks_validate(const json_t *config, struct silo_err *err)
{
	json_t *hooks = json_object_get(config, "hooks");

	if (!hooks || json_is_null(hooks))
		return 0;
	if (!json_is_object(hooks))
		return silo_err_set(err, EINVAL, "config.json: hooks: expected an object");
	for (size_t k = 0; k < N_KINDS; k++) {
		json_t *list = json_object_get(hooks, hook_names[k]);
		size_t i;
		json_t *hook;

		if (!list || json_is_null(list))
			continue;
		if (!json_is_array(list))
			return silo_err_set(err, EINVAL, "config.json: hooks.%s: expected an array",
					    hook_names[k]);
		json_array_foreach (list, i, hook) {
			char field[128];
			const char *path = json_string_value(json_object_get(hook, "path"));
			json_t *timeout = json_object_get(hook, "timeout");

			snprintf(field, sizeof(field), "hooks.%s[%zu]", hook_names[k], i);
			if (!json_is_object(hook))
				return silo_err_set(err, EINVAL, "config.json: %s: expected an object", field);
			if (!path || path[0] != '/')
				return silo_err_set(err, EINVAL, "config.json: %s.path: an absolute path is required",
						    field);
			if (timeout && !json_is_null(timeout) &&
			    (!json_is_integer(timeout) || json_integer_value(timeout) <= 0))
				return silo_err_set(err, EINVAL,
						    "config.json: %s.timeout: must be a positive number of seconds",
						    field);
			strncat(field, ".args", sizeof(field) - strlen(field) - 1);
			if (check_strings(json_object_get(hook, "args"), field, err) < 0)
				return -1;
			field[strlen(field) - 5] = '\0';
			strncat(field, ".env", sizeof(field) - strlen(field) - 1);
			if (check_strings(json_object_get(hook, "env"), field, err) < 0)
				return -1;
		}
	}
	return 0;
}

static char **strings_of(const json_t *array, const char *fallback)
{
	char **out = calloc(1, sizeof(char *));
	size_t i;
	json_t *s;

	if (!out)
		return NULL;
	json_array_foreach (array, i, s)
		if (strv_push(&out, json_string_value(s)) < 0)
			return NULL;
	if (fallback && strv_length(out) == 0 && strv_push(&out, fallback) < 0)
		return NULL;
	return out;
}

_Noreturn static void hook_child(const char *path, char **args, char **env, int in_fd, int err_fd)
{
	dup2(in_fd, STDIN_FILENO);
	dup2(err_fd, STDERR_FILENO);
	/* The hook's stdout is not ours to fill (it may be the container's
	 * log): send it where its stderr goes. */
	dup2(err_fd, STDOUT_FILENO);
	syscall(SYS_close_range, 3, ~0U, 0);
	execve(path, args, env);
	dprintf(STDERR_FILENO, "exec: %s", strerror(errno));
	_exit(127);
}

/* Waits for the hook, killing it at the deadline; returns its wait status
 * or -ETIMEDOUT. */
static int wait_hook(pid_t pid, int timeout_s)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status;

	if (pidfd >= 0 && timeout_s > 0) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int r;

		do
			r = poll(&pfd, 1, timeout_s * 1000);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(pidfd);
			return -ETIMEDOUT;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

static int run_one(const json_t *hook, const char *name, size_t index, const char *state_text,
		   struct silo_err *err)
{
	const char *path = json_string_value(json_object_get(hook, "path"));
	json_t *timeout = json_object_get(hook, "timeout");
	_cleanup_strv_ char **args = strings_of(json_object_get(hook, "args"), path);
	_cleanup_strv_ char **env = strings_of(json_object_get(hook, "env"), NULL);
	int in[2], out[2], status;
	char message[512] = "";
	ssize_t n;
	pid_t pid;

	if (!args || !env)
		return silo_err_sys(err, ENOMEM, "hook %s[%zu]", name, index);
	/* stdin is a socket so that a hook which never reads it costs us
	 * EPIPE (MSG_NOSIGNAL), not a SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return silo_err_errno(err, "hook %s[%zu]", name, index);
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return silo_err_errno(err, "hook %s[%zu]", name, index);
	}
	pid = fork();
	if (pid == 0)
		hook_child(path, args, env, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return silo_err_errno(err, "hook %s[%zu]: fork", name, index);
	}
	if (send(in[1], state_text, strlen(state_text), MSG_NOSIGNAL) < 0) {
		/* The hook exited early or closed stdin: its status decides. */
	}
	close(in[1]);
	status = wait_hook(pid, json_is_integer(timeout) ? (int)json_integer_value(timeout) : 0);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	n = read(out[0], message, sizeof(message) - 1);
	close(out[0]);
	message[n > 0 ? n : 0] = '\0';
	message[strcspn(message, "\n")] = '\0';
	if (status == -ETIMEDOUT)
		return silo_err_set(err, ETIMEDOUT, "hook %s[%zu] \"%s\": killed after its timeout of %llds",
				    name, index, path, (long long)json_integer_value(timeout));
	if (status < 0)
		return silo_err_sys(err, -status, "hook %s[%zu] \"%s\"", name, index, path);
	if (WIFSIGNALED(status))
		return silo_err_set(err, ECHILD, "hook %s[%zu] \"%s\": killed by signal %d%s%s", name,
				    index, path, WTERMSIG(status), message[0] ? ": " : "", message);
	if (WEXITSTATUS(status) != 0)
		return silo_err_set(err, ECHILD, "hook %s[%zu] \"%s\": exit status %d%s%s", name, index,
				    path, WEXITSTATUS(status), message[0] ? ": " : "", message);
	return 0;
}

int hooks_run(const json_t *config, enum hook_kind kind, const json_t *state,
	      struct silo_err *err)
{
	json_t *list = hook_list(config, kind);
	_cleanup_free_ char *text = NULL;
	size_t i;
	json_t *hook;

	if (json_array_size(list) == 0)
		return 0;
	text = json_dumps(state, JSON_COMPACT);
	if (!text)
		return silo_err_sys(err, ENOMEM, "hooks %s", hook_names[kind]);
	json_array_foreach (list, i, hook)
		if (run_one(hook, hook_names[kind], i, text, err) < 0)
			return -1;
	return 0;
}

json_t *hooks_state(const char *id, const char *status, pid_t pid, const struct spec *spec)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:O}", "ociVersion", SILO_OCI_VERSION, "id", id,
			 "status", status, "pid", (json_int_t)pid, "bundle", spec->bundle,
			 "annotations", spec->annotations);
}
