/* The container process: its limits, its identity, and the exec. */
#ifndef SILO_RUNTIME_PROCESS_H
#define SILO_RUNTIME_PROCESS_H

#include "runtime/spec.h"
#include "util/err.h"

/* setrlimit for each configured limit; a limit above what the host allows
 * names the limit and the host's hard limit. */
int process_apply_rlimits(const struct spec_process *proc, struct silo_err *err);

/* Finds args[0] in the container (after pivot_root) through the process's
 * PATH, as execvp would, and checks that it is an executable file. */
int process_find_executable(const struct spec_process *proc, char **path, struct silo_err *err);

/* Closes what crossed execve into silo from its caller, open without
 * close-on-exec (silo opens its own descriptors close-on-exec), from
 * first_open_fd (3 + --preserve-fds) up: it is not the container's, and
 * must not wait in the container's namespaces while silo sets the process
 * up there, where a process of the container allowed to ptrace it would
 * find it in /proc/PID/fd (CVE-2024-21626). Call it before joining the
 * container: it reads /proc/self/fd. */
void process_close_callers_fds(int first_open_fd);

/* The last steps before execve, in two halves, so that the caller can load
 * the seccomp filter where the kernel lets it (see init_run).
 * process_take_identity: umask; bounding set; the user and groups
 * (capabilities kept across the switch); capability sets; no_new_privs.
 * process_leave_runtime: every descriptor from first_open_fd up closed
 * except keep_fd (marked close-on-exec); chdir to cwd, verified to be
 * inside the container (CVE-2024-21626). */
int process_take_identity(const struct spec_process *proc, struct silo_err *err);
int process_leave_runtime(const struct spec_process *proc, int first_open_fd, int keep_fd,
			  struct silo_err *err);

#endif
