/* Subordinate ID ranges (/etc/subuid, /etc/subgid) and whether this process
 * is the host's root or someone less: what an unprivileged user may map
 * into a user namespace of their own. */
#ifndef SILO_UTIL_SUBID_H
#define SILO_UTIL_SUBID_H

#include <sys/types.h>

#include "util/err.h"

struct subid_range {
	unsigned long start;
	unsigned long count;
};

/* The ranges FILE gives the user NAME (or their numeric ID): at most max of
 * them, in file order. Returns how many there are; a missing file is none. */
int subid_ranges(const char *file, const char *name, unsigned long id, struct subid_range *out,
		 size_t max, struct silo_err *err);

/* Whether we run as root of the host's user namespace: the only identity
 * that may make cgroups, bridges and firewall rules on the host. Root of
 * any other user namespace (0 mapped onto someone's own ID) is not. */
int subid_host_root(void);

/* When uid or gid is not mapped in our user namespace (chown fails with
 * EINVAL): writes what to add to /etc/subuid and /etc/subgid into buf and
 * returns 1; else 0. */
int subid_explain_unmapped(unsigned long uid, unsigned long gid, char *buf, size_t len);

#endif
