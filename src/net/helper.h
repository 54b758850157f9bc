/* The user-mode network helpers (slirp4netns, pasta): processes started for
 * a container's network namespace, which live as long as it does. */
#ifndef SILO_NET_HELPER_H
#define SILO_NET_HELPER_H

#include <sys/types.h>

/* Stops pid if it still is the helper prog (its argv[0]) for netns_path: a
 * PID of a process gone long ago may belong to anything now. SIGTERM, then
 * SIGKILL after half a second; reaped when it is our child (the monitor's),
 * else waited for until it is gone, a second at most. */
void net_helper_stop(pid_t pid, const char *prog, const char *netns_path);

/* Removes the helper's private directory dir, with the files named in it
 * (NULL-terminated), when dir starts with prefix: a directory the helper's
 * start made, never another. */
void net_helper_remove_dir(const char *dir, const char *prefix, const char *const *files);

#endif
