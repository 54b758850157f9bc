/* A container's mounts as the user asks for them: -v/--volume, --mount and
 * --tmpfs parsed into record entries, the image's Volumes added as
 * anonymous volumes, and the entries turned into config.json's mounts and
 * docker's inspect "Mounts". Pure: nothing here touches the disk (the
 * volumes themselves are volume.h's).
 *
 * Record entries (the record's "mounts" array):
 *
 *   type          "bind", "volume" or "tmpfs"
 *   source        the host path (bind), the volume's name (volume; empty
 *                 for an anonymous one until create names it), "" (tmpfs)
 *   destination   the absolute path in the container, cleaned
 *   rw            false for a read-only mount
 *   mode          the mode field as given (-v's third field), for inspect
 *   propagation   a bind's propagation, "rprivate" unless asked
 *   anonymous     a volume made for this container (-v DST, the image's
 *                 Volumes, --mount without a source)
 *   copy          a volume is seeded with the image's content at the
 *                 destination when it is empty (not with nocopy)
 *   createSource  -v creates a missing host directory; --mount does not
 *   options       a tmpfs's options (size=, mode=, noexec ...) */
#ifndef SILO_ENGINE_MOUNTS_H
#define SILO_ENGINE_MOUNTS_H

#include <jansson.h>

#include "util/err.h"

/* Docker's rule for local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+. */
int mounts_valid_volume_name(const char *name);

/* -v/--volume SRC:DST[:MODE] or DST. */
int mounts_parse_volume_flag(const char *spec, json_t **out, struct silo_err *err);

/* --mount type=bind|volume|tmpfs,source=…,target=…,readonly,… */
int mounts_parse_mount_flag(const char *spec, json_t **out, struct silo_err *err);

/* --tmpfs DST[:OPTIONS] */
int mounts_parse_tmpfs_flag(const char *spec, json_t **out, struct silo_err *err);

/* Appends an anonymous volume for each of the image's config Volumes that
 * no entry already mounts over, then refuses two entries on one
 * destination ("Duplicate mount point"). */
int mounts_finish(json_t *mounts, json_t *image_config, struct silo_err *err);

/* The host directory a volume's content lives in: STORE/volumes/NAME/_data. */
char *mounts_volume_path(const char *store_root, const char *name);

/* config.json's entries for the record's mounts, parents before their
 * children (sorted by depth, as docker mounts them). */
json_t *mounts_oci(const char *store_root, json_t *mounts);

/* docker inspect's "Mounts". */
json_t *mounts_inspect(const char *store_root, json_t *mounts);

#endif
