/* A detached monitor is a fork of silo with the engine module and its ~50
 * libraries mapped; their relocated pages alone are most of its memory. So
 * once the container runs, the monitor execs a lean program for the
 * container's life (same PID: the container stays its child, and
 * monitor.lock's descriptor stays open) that only copies the output and
 * serves attach clients (relay.h). When the container exits, the engine
 * takes over again in monitor_resume() for everything else: the release,
 * the exit record, --rm, restarts (each run execs the lean monitor again).
 *
 * The lean program is, when it is installed, `silo-monitor`: a static
 * executable next to the engine module (src/monitor/silo-monitor.c), with
 * nothing but these files, jansson and the C library in it. It cannot load
 * the module, so at the container's exit it makes a new sealed copy of
 * silo (runtime/exe_protect.h) from the binary the monitor's copy was made
 * from, and executes it as `silo-monitor --resume`, which loads the module
 * and resumes. Without it, or without that binary's path, the monitor
 * execs its own binary (the sealed copy) as "silo-monitor", which relays,
 * then loads the module in the same process.
 *
 * What passes each exec is a JSON object in argv[1]:
 *   {id, storeRoot, runtimeRoot, lock, log: {fd, path, maxSize, maxFiles},
 *    out, err, stdin, tty, openStdin,
 *    pid, restarts, delay, startedMs, attachListen, attachPath,
 *    attachClients: [fd…], silo}
 * (descriptors by number; silo, for the static monitor only, is the path
 * of the binary to copy; output an attach client had queued and input the
 * container had not read yet do not pass.) Back to silo, the static
 * monitor adds exitStatus and ranMs and sets attachClients and log to what
 * it has then. */
#ifndef SILO_ENGINE_MONITOR_LEAN_H
#define SILO_ENGINE_MONITOR_LEAN_H

#include <jansson.h>

#include "engine/attach.h"

#define MONITOR_LEAN_NAME "silo-monitor"
/* silo-monitor --resume STATE: the static monitor's way back into silo. */
#define MONITOR_RESUME_FLAG "--resume"
#define MONITOR_RESUME_SYMBOL "monitor_resume"

/* In the engine module: carries on after the container's exit, with the
 * attach server the lean monitor kept (now the caller's to forget).
 * Returns the monitor's exit status. */
typedef int (*monitor_resume_fn)(json_t *state, struct attach_server *attach, int exit_status,
				 long ran_ms);

/* The lean monitor's part: rebuilds the attach server from state, copies
 * the output until the container exits, reaps it. *exit_status is its
 * status (128+N for signal N), *ran_ms how long it ran. */
int monitor_lean_relay(json_t *state, struct attach_server *attach, int *exit_status, long *ran_ms);

/* The attach server's socket and clients from state (attachListen,
 * attachPath, attachClients), and back: attachClients set to the clients
 * the server has now. */
void monitor_lean_attach_from_state(json_t *state, struct attach_server *attach);
int monitor_lean_attach_to_state(json_t *state, const struct attach_server *attach);

/* Milliseconds of CLOCK_MONOTONIC, which an exec does not reset. */
long monitor_lean_now_ms(void);

#endif
