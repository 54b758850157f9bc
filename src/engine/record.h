/* Container records: what the engine knows about each container, one
 * directory per container under the store root:
 *
 *   containers/<id>/container.json   the record (below)
 *   containers/<id>/lock             flock for read-modify-write of the record
 *   containers/<id>/bundle/          config.json and rootfs/ (the overlay mount,
 *                                    or the copy of a copy snapshot)
 *   containers/<id>/upper, work      the overlay's writable layer
 *   containers/<id>/snapshotter      "copy" for a copy snapshot (snapshot.h)
 *   containers/<id>/hostname, hosts, resolv.conf   bound into the container
 *   containers/<id>/container.log    stdout/stderr as JSON lines (logfile.h),
 *                                    rotated to container.log.1, .2 …
 *
 * A record appears in one rename (containers/.new-<id> -> containers/<id>)
 * under the store's "containers" flock, which also keeps names unique; it is
 * rewritten by write-temp, fsync, rename under its own lock. Fields:
 *
 *   id, name, created, image (as the user named it), imageId, args[],
 *   env[] (the -e flags), user, workingDir, hostname, tty, openStdin,
 *   autoRemove, networkMode, readOnly, stopSignal, stopTimeout, lowerDirs[],
 *   mounts[] (mounts.h: -v, --mount, --tmpfs and the image's Volumes),
 *   restartPolicy {Name, MaximumRetryCount} (restart.h),
 *   logConfig {Type: json-file|none, Config: {max-size, max-file}} (logfile.h),
 *   state: {status: created|running|restarting|exited, pid, monitorPid,
 *           exitCode, startedAt, finishedAt, error, restartCount,
 *           stoppedByUser} */
#ifndef SILO_ENGINE_RECORD_H
#define SILO_ENGINE_RECORD_H

#include <jansson.h>

#include "util/err.h"

#define RECORD_ID_LENGTH 64
#define RECORD_SHORT_ID_LENGTH 12

/* root/containers/<id>[/<file>]; file may be NULL. */
char *record_path(const char *store_root, const char *id, const char *file);

/* Stores a new record. Fills rec's "id" (random, 64 hex) and, when it has
 * none, "name". Fails with EEXIST when the name is taken. */
int record_create(const char *store_root, json_t *rec, struct silo_err *err);

/* Resolves a name, full ID or unique ID prefix to the full ID. ENOENT:
 * "No such container: TEXT". */
int record_find(const char *store_root, const char *text, char id[RECORD_ID_LENGTH + 1],
		struct silo_err *err);

int record_load(const char *store_root, const char *id, json_t **out, struct silo_err *err);

/* Applies change to the record under its lock and saves it. */
int record_update(const char *store_root, const char *id,
		  int (*change)(json_t *rec, void *opaque), void *opaque, struct silo_err *err);

/* Sets state.<key> fields from a JSON object, under the lock. */
int record_set_state(const char *store_root, const char *id, json_t *fields, struct silo_err *err);

/* Gives the container another name, under the same lock and checks as
 * record_create's: EINVAL for a bad name, EEXIST when it is taken. */
int record_rename(const char *store_root, const char *id, const char *name, struct silo_err *err);

/* Every record, sorted by creation time (newest first). */
int record_list(const char *store_root, json_t **out, struct silo_err *err);

/* Removes the container's directory: first renamed out of sight, so a
 * killed silo never leaves half a record. */
int record_remove(const char *store_root, const char *id, struct silo_err *err);

/* "2026-12-01T09:30:00.123456789Z" */
char *record_now(void);

#endif
