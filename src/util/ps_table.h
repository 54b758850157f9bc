/* The host's ps(1), limited to some processes: what `silo top` and
 * `silo-runtime ps` print. ps reads /proc as the host sees it; the rows
 * kept are those whose PID column is one of the PIDs given. */
#ifndef SILO_UTIL_PS_TABLE_H
#define SILO_UTIL_PS_TABLE_H

#include <sys/types.h>

#include "util/err.h"

/* Runs `ps ARGS…` (no ARGS: `ps -ef`) and returns its header line and the
 * lines of the processes in pids, each ending in a newline. Fails when ps
 * cannot run or fails, and when its output has no PID column (EINVAL). */
char *ps_table(char **args, size_t n_args, const pid_t *pids, size_t n, struct silo_err *err);

#endif
