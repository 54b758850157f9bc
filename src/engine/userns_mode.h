/* --userns for rootless containers: the default runs the container as
 * root of the user's namespace (engine/rootless.h) itself; keep-id gives
 * it a user namespace of its own inside that one where the user's UID and
 * GID are the same as on the host, so a bind-mounted work directory shows
 * the user's own files as theirs and what the container writes there is
 * the user's.
 *
 * keep-id's map (container → user's namespace): 0..U-1 → 1..U, U → 0 (the
 * user), U+1.. → U+1... --uidmap/--gidmap give the maps themselves (for
 * root too). Files of the image keep their owners only if they are stored
 * under the IDs the map turns them into, so the container's lower layers
 * are copies of the image's layers with the owners mapped, made once for
 * each layer and map (LAYER/idmap-HASH, removed with the layer). */
#ifndef SILO_ENGINE_USERNS_MODE_H
#define SILO_ENGINE_USERNS_MODE_H

#include <jansson.h>

#include "image/store.h"
#include "util/err.h"

enum engine_userns_mode {
	ENGINE_USERNS_DEFAULT, /* no user namespace of the container's own */
	ENGINE_USERNS_KEEP_ID, /* --userns keep-id */
	ENGINE_USERNS_MAPS,    /* --uidmap / --gidmap */
	ENGINE_USERNS_AUTO,    /* --userns auto: a free range of the host's root */
};

/* What --userns, --uidmap and --gidmap asked for. */
struct engine_userns {
	enum engine_userns_mode mode; /* set by engine_userns_check */
	int keep_id;                  /* --userns keep-id */
	int automatic;                /* --userns auto */
	json_t *uid_maps; /* --uidmap entries {containerID, hostID, size}, or NULL */
	json_t *gid_maps; /* --gidmap entries, or NULL: the same as --uidmap's */
};

void engine_userns_free(struct engine_userns *u);

/* --userns VALUE: "" or "host" (the default), "keep-id" or "auto". */
int engine_userns_parse(struct engine_userns *u, const char *value, struct silo_err *err);

/* --uidmap / --gidmap CONTAINER_ID:HOST_ID:SIZE (host IDs are the user's
 * namespace's when rootless: 0 is the user, 1… their subordinate IDs). */
int engine_userns_add_map(struct engine_userns *u, int gid, const char *value, struct silo_err *err);

/* After the flags: --gidmap defaults to --uidmap; keep-id and maps
 * conflict; container ID 0 must be mapped. */
int engine_userns_check(struct engine_userns *u, struct silo_err *err);

/* --userns auto, for the host's root: 65536 IDs of the ranges /etc/subuid
 * and /etc/subgid give the user "containers" (podman's convention) that no
 * container of the store has, set as u's maps; *lock (the store's
 * locks/userns, else -1) is to be held until the record that names them
 * is stored. Nothing for the other modes. */
int engine_userns_allocate(const char *store_root, struct engine_userns *u, int *lock,
			   struct silo_err *err);

/* The record's "idMaps" ({uid, gid}) for u, or NULL. */
json_t *engine_userns_record(const struct engine_userns *u);

/* The container's lower directories: *lowers replaced by copies with the
 * owners the maps need (made if missing), for keep-id and maps. u may be
 * NULL. */
int engine_userns_lowers(const struct store *store, const struct engine_userns *u, json_t **lowers,
			 struct silo_err *err);

/* The container's directory, before its rootfs is first mounted: the root
 * of its writable layer (its /) goes to the container's root, and when the
 * maps leave out our own ID 0 (the store's owner) the path to dir/bundle
 * from the store root is made traversable (0711) for the container's IDs.
 * u may be NULL. */
int engine_userns_prepare_dir(const struct engine_userns *u, const char *dir, struct silo_err *err);

/* config.json: the user namespace and its maps; with keep-id the user's
 * UID and GID as the process's unless user_given (-u). u may be NULL. */
int engine_userns_apply(const struct engine_userns *u, int user_given, json_t *config,
			struct silo_err *err);

#endif
