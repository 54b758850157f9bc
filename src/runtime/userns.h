/* User and time namespaces: the ID maps a new user namespace gets from the
 * runtime, and the clock offsets of a new time namespace. */
#ifndef SILO_RUNTIME_USERNS_H
#define SILO_RUNTIME_USERNS_H

#include <jansson.h>
#include <sys/types.h>

#include "runtime/spec.h"
#include "util/err.h"

/* Checks linux.uidMappings / gidMappings (required with a new user
 * namespace) and linux.timeOffsets. */
int userns_validate(const struct spec *spec, struct silo_err *err);

/* Writes /proc/PID/uid_map and gid_map from two arrays of OCI mappings
 * ({containerID, hostID, size}). */
int userns_write_map_arrays(const json_t *uid_maps, const json_t *gid_maps, pid_t pid,
			    struct silo_err *err);

/* Writes /proc/PID/uid_map and gid_map from the config. */
int userns_write_maps(const struct spec *spec, pid_t pid, struct silo_err *err);

/* In the child, once the maps are written: become the container's root, so
 * the rest of the setup runs with an identity the namespace knows. */
int userns_become_root(struct silo_err *err);

/* Whether the container lives in a user namespace (new or joined). */
int userns_wanted(const struct spec *spec);

/* For a new time namespace: unshares it for our children and writes
 * linux.timeOffsets, before the init is cloned (offsets can only be set
 * while no process is inside). */
int userns_prepare_time(const struct spec *spec, struct silo_err *err);

#endif
