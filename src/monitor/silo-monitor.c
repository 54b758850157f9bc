/* silo-monitor: what a detached container's monitor runs while the
 * container lives (engine/monitor_lean.h). A static program holding only
 * the copy of the output to the log and the attach server (relay.c,
 * logfile.c, attach.c), jansson and the C library, so that an idle
 * container's monitor maps its one file and no shared library.
 *
 * The engine's monitor execs it once the container runs, with its state in
 * argv[1]; the container's init is already its child. It never clones a
 * process, never enters a namespace of the container and never opens
 * anything inside the container's root. When the init has exited it makes
 * a sealed copy of silo, as every `silo run` does (runtime/exe_protect.h),
 * from the binary the monitor's own copy came from, and executes that,
 * never the binary itself: the engine there may restart the container,
 * cloning the next init from itself, and that process must be a sealed
 * copy (CVE-2019-5736).
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

/* Back to silo with the exit: a new sealed copy of silo (state's "silo",
 * the binary the monitor's own copy was made from) runs as
 * `silo-monitor --resume STATE` (cli/engine_loader.c). Returns only when
 * it could not be made or executed. */
static void exec_resume(json_t *state, struct attach_server *attach, int exit_status, long ran_ms)
{
	const char *silo = json_string_value(json_object_get(state, "silo"));
	struct silo_err err = { 0 };
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int sealed = -1;
	int bad = 0;

	if (!silo || (sealed = exe_protect_copy(silo, &err)) < 0 || !exe_protect_fd_is_sealed(sealed)) {
		fprintf(stderr, "%s: %s\n", MONITOR_LEAN_NAME, err.msg[0] ? err.msg : "no sealed copy of silo");
		return;
	}
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
		fprintf(stderr, "%s: the state for silo: %s\n", MONITOR_LEAN_NAME, strerror(bad ? errno : ENOMEM));
		return;
	}
	fexecve(sealed, (char *[]){ MONITOR_LEAN_NAME, MONITOR_RESUME_FLAG, text, NULL }, environ);
	fprintf(stderr, "%s: execute the sealed copy of \"%s\": %s\n", MONITOR_LEAN_NAME, silo, strerror(errno));
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
	attach_server_close(&attach);
	return 1;
}
