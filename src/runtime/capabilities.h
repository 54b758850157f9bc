/* The five capability sets of a container process. */
#ifndef SILO_RUNTIME_CAPABILITIES_H
#define SILO_RUNTIME_CAPABILITIES_H

#include "runtime/spec.h"
#include "util/err.h"

/* "CAP_SYS_ADMIN" for 21; NULL for a number without a name here. */
const char *capabilities_name(int cap);
/* 21 for "CAP_SYS_ADMIN" (in any case); -1 for anything else, numbers too. */
int capabilities_from_name(const char *name);

/* Highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
int capabilities_last_cap(void);

/* Refuses capabilities the host cannot grant: one that is not in our own
 * bounding set can never be given to a child. Names the capability. */
int capabilities_check_host(const struct spec_capabilities *caps, struct silo_err *err);

/* Shrinks the bounding set. Needs CAP_SETPCAP, so it runs while still root. */
int capabilities_apply_bounding(const struct spec_capabilities *caps, struct silo_err *err);

/* Sets effective, permitted and inheritable, then raises ambient. Runs after
 * the switch to the container user (with PR_SET_KEEPCAPS set before it). */
int capabilities_apply(const struct spec_capabilities *caps, struct silo_err *err);

#endif
