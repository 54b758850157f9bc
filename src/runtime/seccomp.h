/* seccomp: the filter of linux.seccomp, compiled with libseccomp while the
 * container is built (so a bad profile fails `create`), and loaded as the
 * very last step before execve, so it never breaks silo's own setup. */
#ifndef SILO_RUNTIME_SECCOMP_H
#define SILO_RUNTIME_SECCOMP_H

#include <sys/types.h>

#include "runtime/spec.h"
#include "util/err.h"

struct seccomp_filter;

/* Compiles spec's linux.seccomp (NULL *out when there is none). Runs in the
 * container's init before pivot_root, so a listenerPath on the host can
 * still be connected to here. */
int seccomp_prepare(const struct spec *spec, struct seccomp_filter **out, struct silo_err *err);

/* Loads the filter into the calling process. With SCMP_ACT_NOTIFY actions,
 * sends the listener descriptor and the container state (id, pid as the
 * host sees it, bundle, annotations) to the listener socket. */
int seccomp_install(struct seccomp_filter *filter, const char *id, pid_t host_pid,
		    struct silo_err *err);

void seccomp_filter_free(struct seccomp_filter *filter);

#endif
