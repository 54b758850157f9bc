/* --userns for rootless containers: the default runs the container as
 * root of the user's namespace (engine/rootless.h) itself; keep-id gives
 * it a user namespace of its own inside that one where the user's UID and
 * GID are the same as on the host, so a bind-mounted work directory shows
 * the user's own files as theirs and what the container writes there is
 * the user's.
 *
 * keep-id's map (container → user's namespace): 0..U-1 → 1..U, U → 0 (the
 * user), U+1.. → U+1... Files of the image keep their owners only if they
 * are stored shifted the other way, so the container's lower layers are
 * copies of the image's layers with shifted owners, made once for each
 * layer and UID:GID (LAYER/keep-id-U-G, removed with the layer). */
#ifndef SILO_ENGINE_USERNS_MODE_H
#define SILO_ENGINE_USERNS_MODE_H

#include <jansson.h>

#include "image/store.h"
#include "util/err.h"

enum engine_userns_mode { ENGINE_USERNS_DEFAULT, ENGINE_USERNS_KEEP_ID };

/* --userns VALUE: "" or "host" (the default) or "keep-id". */
int engine_userns_parse(const char *value, enum engine_userns_mode *mode, struct silo_err *err);

/* The container's lower directories for mode: *lowers replaced by the
 * shifted copies (made if missing) for keep-id. */
int engine_userns_lowers(const struct store *store, enum engine_userns_mode mode, json_t **lowers,
			 struct silo_err *err);

/* config.json for mode: keep-id adds the user namespace and its maps, and
 * the user's UID and GID as the process's unless user_given (-u). */
int engine_userns_apply(enum engine_userns_mode mode, int user_given, json_t *config,
			struct silo_err *err);

#endif
