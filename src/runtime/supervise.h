/* Staying with a container process in the foreground (run, exec): passing
 * the signals we get on to it, and waiting for its exit status. */
#ifndef SILO_RUNTIME_SUPERVISE_H
#define SILO_RUNTIME_SUPERVISE_H

#include <sys/types.h>

#include "util/err.h"

/* Forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to pid
 * (on), or restores their default handling (off). */
void supervise_forward_signals(pid_t pid, int on);

/* Waits for our child pid. *exit_status is its exit code, or 128+N when
 * signal N killed it, as a shell reports it. */
int supervise_wait(pid_t pid, int *exit_status, struct silo_err *err);

#endif
