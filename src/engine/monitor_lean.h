/* A detached monitor is a fork of silo with the engine module and its ~50
 * libraries mapped; their relocated pages alone are most of its memory. So
 * once the container runs, the monitor execs the silo binary again under
 * the name "silo-monitor" (same PID: the container stays its child, and
 * monitor.lock's descriptor stays open), which links only what the runtime
 * needs, and copies the output there (relay.h). When the container exits
 * it loads the engine module and hands over to monitor_resume() for
 * everything else: the release, the exit record, --rm, restarts (each run
 * execs the lean monitor again).
 *
 * What passes the exec is a JSON object in argv[1]:
 *   {id, storeRoot, runtimeRoot, lock, log: {fd, path, maxSize, maxFiles},
 *    out, err, stdin, tty, openStdin,
 *    pid, restarts, delay, startedMs, attachListen, attachPath,
 *    attachClients: [fd…]}
 * (descriptors by number; output an attach client had queued and input
 * the container had not read yet do not pass.) */
#ifndef SILO_ENGINE_MONITOR_LEAN_H
#define SILO_ENGINE_MONITOR_LEAN_H

#include <jansson.h>

#include "engine/attach.h"

#define MONITOR_LEAN_NAME "silo-monitor"
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

/* Milliseconds of CLOCK_MONOTONIC, which an exec does not reset. */
long monitor_lean_now_ms(void);

#endif
