/* silo-monitor: what a detached container's monitor runs while the
 * container lives (engine/monitor_lean.h). A static program holding only
 * the copy of the output to the log and the attach server (relay.c,
 * logfile.c, attach.c), jansson and the C library, so that an idle
 * container's monitor maps one small file and no shared library.
 *
 * The engine's monitor execs it once the container runs, with its state in
 * argv[1]; the container's init is already its child. It never clones a
 * process, never enters a namespace of the container and never opens
 * anything inside the container's root. When the init has exited it
 * executes, through the descriptor it was given, the sealed copy of silo
 * the monitor ran from (runtime/exe_protect.h), never a binary found by
 * path: the engine there may restart the container, cloning the next init
 * from itself, and that process must be the sealed copy (CVE-2019-5736).
 * Usage (silo starts it):
 *   silo-monitor STATE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/attach.h"
#include "engine/monitor_lean.h"
#include "runtime/exe_protect.h"
#include "util/cleanup.h"

/* A slow attach client gets this long to take the output queued for it:
 * the queue does not pass the exec. */
#define FLUSH_MS 1000

extern char **environ;

static int fd_of(json_t *state, const char *key)
{
	json_t *v = json_object_get(state, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

static int keep_across_exec(int fd)
{
	return fd < 0 ? 0 : fcntl(fd, F_SETFD, 0);
}

/* Back to silo with the exit: the sealed copy runs as
 * `silo-monitor --resume STATE` (cli/engine_loader.c). Returns only when
 * it could not be executed. */
static void exec_resume(json_t *state, struct attach_server *attach, int exit_status, long ran_ms)
{
	int sealed = fd_of(state, "silo"), bad = 0;
	_cleanup_free_ char *text = NULL;

	if (!exe_protect_fd_is_sealed(sealed)) {
		errno = EPERM;
		return;
	}
	/* Executed through its descriptor, which the engine does not keep. */
	fcntl(sealed, F_SETFD, FD_CLOEXEC);
	json_object_del(state, "silo");
	attach_server_flush(attach, FLUSH_MS);
	/* Clients accepted here, and a log reopened by a rotation, are
	 * close-on-exec. */
	for (size_t i = 0; i < attach->n_clients; i++)
		bad |= keep_across_exec(attach->clients[i].fd);
	bad |= keep_across_exec(attach->listen_fd) | keep_across_exec(fd_of(state, "lock")) |
	       keep_across_exec(fd_of(json_object_get(state, "log"), "fd"));
	if (bad || json_object_set_new(state, "exitStatus", json_integer(exit_status)) < 0 ||
	    json_object_set_new(state, "ranMs", json_integer(ran_ms)) < 0 ||
	    monitor_lean_attach_to_state(state, attach) < 0 || !(text = json_dumps(state, JSON_COMPACT))) {
		errno = ENOMEM;
		return;
	}
	fexecve(sealed, (char *[]){ MONITOR_LEAN_NAME, MONITOR_RESUME_FLAG, text, NULL }, environ);
}

int main(int argc, char **argv)
{
	_cleanup_json_ json_t *state = NULL;
	struct attach_server attach;
	long ran_ms;
	int status;

	if (argc != 2 || !(state = json_loads(argv[1], 0, NULL))) {
		fprintf(stderr, "%s: the lean monitor of a detached container; silo starts it\n", MONITOR_LEAN_NAME);
		return 125;
	}
	if (monitor_lean_relay(state, &attach, &status, &ran_ms) < 0)
		return 1;
	exec_resume(state, &attach, status, ran_ms);
	/* The next command that looks finds no monitor and records the exit
	 * itself. */
	fprintf(stderr, "%s: execute silo again: %s\n", MONITOR_LEAN_NAME, strerror(errno));
	attach_server_close(&attach);
	return 1;
}
