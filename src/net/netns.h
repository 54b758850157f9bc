/* Persistent network namespaces: a namespace kept alive by a bind mount of
 * its nsfs file on a path, as `ip netns` keeps them, so it can be set up
 * before the container exists and joined by path (config.json
 * linux.namespaces[].path). */
#ifndef SILO_NET_NETNS_H
#define SILO_NET_NETNS_H

#include "util/err.h"

/* Makes a new network namespace with lo up and binds it on path (a file
 * created for it; its directory must exist). The caller's own namespace is
 * unchanged. On failure nothing is left at path. */
int netns_create(const char *path, struct silo_err *err);

/* An O_RDONLY|O_CLOEXEC descriptor of the namespace bound at path; fails
 * when path is not a bound network namespace. */
int netns_open(const char *path, struct silo_err *err);

/* Unmounts (detached) and unlinks path; a path that is not there is fine. */
int netns_remove(const char *path, struct silo_err *err);

/* Runs fn(opaque) with the calling thread inside the namespace netns_fd,
 * then returns to the caller's. Returns fn's result. */
int netns_run(int netns_fd, int (*fn)(void *opaque, struct silo_err *err), void *opaque,
	      struct silo_err *err);

#endif
