/* Paths resolved inside a root directory, never leaving it. */
#ifndef SILO_UTIL_RESOLVE_H
#define SILO_UTIL_RESOLVE_H

#include <linux/openat2.h>

/* openat2(rootfd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra)
 * with open_flags (O_CLOEXEC is added), retried on EAGAIN; where openat2
 * fails with ENOSYS (kernels before 5.6, a seccomp filter that does not know
 * it), an equally strict walk by hand, one component at a time: symlinks
 * expanded inside the root, ".." never above it, procfs magic links
 * refused; extra may hold RESOLVE_NO_SYMLINKS and RESOLVE_NO_XDEV (anything
 * else is EINVAL there). Returns a descriptor, or -1 and errno as openat2
 * would. After one ENOSYS, every later call walks at once. */
int resolve_in_root(int rootfd, const char *path, int open_flags, unsigned long long extra_resolve);

/* Tests: nonzero makes resolve_in_root always take the walk. */
void resolve_force_walk(int force);

#endif
