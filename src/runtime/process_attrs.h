/* Per-process scheduling attributes of the OCI spec: linux.personality,
 * process.ioPriority, process.scheduler and linux.memoryPolicy. */
#ifndef SILO_RUNTIME_PROCESS_ATTRS_H
#define SILO_RUNTIME_PROCESS_ATTRS_H

#include "runtime/spec.h"
#include "util/err.h"

/* Checks the fields' names and values, so create fails before it builds. */
int process_attrs_validate(const struct spec *spec, struct silo_err *err);

/* Applies them to the calling process; runs while it still has its
 * capabilities (a real-time policy needs CAP_SYS_NICE). */
int process_attrs_apply(const struct spec *spec, struct silo_err *err);

#endif
