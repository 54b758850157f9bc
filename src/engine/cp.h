/* `silo cp` and `silo export`: files in and out of a container's
 * filesystem, as docker does them.
 *
 * Every path inside the container is resolved inside its root
 * (util/resolve.c: openat2 RESOLVE_IN_ROOT, or the equally strict walk), so
 * a symlink the container made, absolute or with "..", leads back into the
 * container and never to the host. For a running container the work
 * happens in a child that joins the container's mount namespace: its root
 * is the container's, and the container's volumes, tmpfs and bind mounts
 * are where the container sees them. A stopped container is read and
 * written through its rootfs snapshot (mounted for the copy when it is not,
 * and unmounted after), with its volumes and binds attached over it in a
 * mount namespace of the child's own. Data crosses
 * between the child and silo as a tar stream on a pipe, written by
 * image/tar_tree.c and extracted by image/unpack.c's safe writer. */
#ifndef SILO_ENGINE_CP_H
#define SILO_ENGINE_CP_H

#include "engine/lifecycle.h"
#include "util/err.h"

struct engine_cp_request {
	const char *container_path; /* SRC or DEST in the container */
	const char *host_path;      /* SRC or DEST on the host; "-": a tar stream on stdin/stdout */
	int to_container;           /* host -> container */
	int archive;                /* -a: keep the source's uid:gid */
	int follow;                 /* -L: a symlink SRC is copied as what it points to */
};

int engine_cp(const struct engine_env *env, const char *id, const struct engine_cp_request *req,
	      struct silo_err *err);

/* The container's filesystem (its rootfs, not its volumes) as a tar stream
 * on out_fd. */
int engine_export(const struct engine_env *env, const char *id, int out_fd, struct silo_err *err);

#endif
