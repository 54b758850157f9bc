/* seccomp: the filter of linux.seccomp, compiled with libseccomp while the
 * container is built (so a bad profile fails `create`), and loaded at the
 * end of the init's setup, so it gets in the way of as little of silo's own
 * work as the kernel allows (see seccomp_install). */
#ifndef SILO_RUNTIME_SECCOMP_H
#define SILO_RUNTIME_SECCOMP_H

#include <jansson.h>
#include <linux/filter.h>
#include <sys/types.h>

#include "runtime/spec.h"
#include "util/err.h"

struct seccomp_filter;

/* Opens libseccomp if spec has linux.seccomp (nothing otherwise). Called
 * by the runtime before it clones the process that calls seccomp_prepare,
 * so that the library comes from the host's filesystem; seccomp_prepare
 * opens it itself where nobody did (the unit tests). */
int seccomp_load_library(const struct spec *spec, struct silo_err *err);

/* Compiles spec's linux.seccomp (NULL *out when there is none). Runs in the
 * container's init before pivot_root, so a listenerPath on the host can
 * still be connected to here. A malformed profile names the field:
 * `config.json: linux.seccomp.syscalls[3].action: unknown action "X"`.
 * Syscall names this kernel and libseccomp do not know are skipped, as
 * runc does, so one profile serves several kernels. spec must outlive the
 * filter. */
int seccomp_prepare(const struct spec *spec, struct seccomp_filter **out, struct silo_err *err);

/* In the runtime, before the clone: spec's profile compiled, through the
 * cache of compiled programs in cache_dir (seccomp_cache.h), into
 * *program (the caller frees program->filter). An empty program (len 0)
 * when there is no cache_dir, no profile, or one with SCMP_ACT_NOTIFY:
 * then the init compiles it. A malformed profile fails here, with the
 * same messages as seccomp_prepare. */
int seccomp_compile_cached(const struct spec *spec, const char *cache_dir, struct sock_fprog *program,
			   struct silo_err *err);

/* seccomp_prepare, with the program already compiled when compiled is
 * not NULL and not empty. */
int seccomp_prepare_compiled(const struct spec *spec, const struct sock_fprog *compiled,
			     struct seccomp_filter **out, struct silo_err *err);

/* Loads the filter into the calling process (nothing when filter is NULL).
 * With SCMP_ACT_NOTIFY actions, sends the listener descriptor and the
 * container process state (id, pid as the host sees it, bundle,
 * annotations, listenerMetadata) to the listener socket, then closes both.
 *
 * Without no_new_privs the kernel only lets a process holding CAP_SYS_ADMIN
 * load a filter, so the init must call this before it takes the user's
 * identity and capabilities; with no_new_privs, after. */
int seccomp_install(struct seccomp_filter *filter, const char *id, pid_t host_pid,
		    struct silo_err *err);

void seccomp_filter_free(struct seccomp_filter *filter);

/* The "seccomp" object of `features`: enabled, the actions, operators,
 * architectures and flags silo recognizes, and the flags this kernel
 * supports. NULL when out of memory. */
json_t *seccomp_features(void);

#endif
