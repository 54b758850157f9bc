/* Named volumes: directories in the store that outlive containers.
 *
 *   volumes/<name>/volume.json   {name, created, labels{}, anonymous}
 *   volumes/<name>/_data/        the content, bind-mounted into containers
 *   volumes/<name>/lock          flock while the volume is seeded
 *
 * A volume appears in one rename (volumes/.new-<name> -> volumes/<name>)
 * and disappears the same way (-> volumes/.removing-<name>, then deleted),
 * both under the store's locks/volumes flock. A container's create holds
 * that lock from making its volumes until its record is stored, and a
 * removal holds it while it checks that no record uses the volume: a
 * volume is never removed from under a container being made.
 *
 * Anonymous volumes (-v DST, the image's Volumes) get a random 64-hex
 * name and the label com.docker.volume.anonymous, as docker gives them;
 * `rm -v` and `run --rm` remove them with their container. */
#ifndef SILO_ENGINE_VOLUME_H
#define SILO_ENGINE_VOLUME_H

#include <jansson.h>
#include <stdint.h>

#include "util/err.h"

#define VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"

/* Takes the store's volumes lock; returns the descriptor to close. */
int volume_lock(const char *store_root, struct silo_err *err);

/* Makes the volume NAME unless it exists (*created says which). labels may
 * be NULL. The caller holds the volumes lock. */
int volume_create_locked(const char *store_root, const char *name, json_t *labels, int anonymous,
			 int *created, struct silo_err *err);

/* The same, taking the lock itself. */
int volume_create(const char *store_root, const char *name, json_t *labels, int *created,
		  struct silo_err *err);

/* For a new container's mounts, under the volumes lock: names its
 * anonymous volumes and makes every volume that does not exist yet. The
 * names of the volumes it made are appended to made (for undoing). */
int volume_prepare_mounts_locked(const char *store_root, json_t *mounts, json_t *made,
				 struct silo_err *err);

/* ENOENT: "No such volume: NAME". */
int volume_load(const char *store_root, const char *name, json_t **out, struct silo_err *err);

/* Every volume's record, sorted by name. */
int volume_list(const char *store_root, json_t **out, struct silo_err *err);

/* The container records that mount the volume, running or not. */
json_t *volume_users(const char *store_root, const char *name);

/* Removes a volume no container uses; EBUSY names the container that
 * does, ENOENT says there is no such volume. */
int volume_remove(const char *store_root, const char *name, struct silo_err *err);

/* Removes the listed volumes (names, or mount entries with a "source")
 * that no container uses any more; what cannot go stays, silently. With
 * anonymous_only, entries that are not anonymous are skipped. */
void volume_remove_unused(const char *store_root, json_t *names_or_mounts, int anonymous_only);

/* Removes every unused volume (all), or every unused anonymous one.
 * removed gets the names; *reclaimed the bytes their content took. */
int volume_prune(const char *store_root, int all, json_t *removed, uint64_t *reclaimed,
		 struct silo_err *err);

/* docker's copy-up: when the volume's content is empty and the image has
 * a directory at destination (resolved inside rootfs), copies that
 * directory's content, ownership and mode into it. */
int volume_seed(const char *store_root, const char *name, const char *rootfs,
		const char *destination, struct silo_err *err);

#endif
