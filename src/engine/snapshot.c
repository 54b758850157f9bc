/* Overlay mounts for container roots (see snapshot.h). The overlay is made
 * in the host's mount namespace, at a path under the store, so any silo
 * command (a monitor, `rm -f` after a monitor was killed) can unmount it;
 * the runtime then binds it as the container's root. */
#include "engine/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/subid.h"

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* mount(2) copies at most one page of options. */
#define MOUNT_OPTIONS_MAX 4096

int snapshot_prepare(const char *dir, struct silo_err *err)
{
	static const char *const subdirs[] = { "upper", "work", "bundle/rootfs" };

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", dir, subdirs[i]) < 0)
			return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
		if (fs_mkdir_p(path, 0755, err) < 0)
			return -1;
	}
	return 0;
}

/* overlayfs splits its options at ',' and lower directories at ':'. */
static int safe_in_options(const char *path)
{
	return !strpbrk(path, ",:\\");
}

char *snapshot_overlay_options(const char *dir, json_t *lower_dirs, struct silo_err *err)
{
	_cleanup_free_ char *out = NULL;
	size_t n = json_array_size(lower_dirs), len = 0, cap = MOUNT_OPTIONS_MAX;

	if (n == 0) {
		silo_err_set(err, EINVAL, "snapshot \"%s\": the image has no layers", dir);
		return NULL;
	}
	if (!safe_in_options(dir)) {
		silo_err_set(err, EINVAL, "snapshot \"%s\": the path has ',' or ':' in it", dir);
		return NULL;
	}
	out = malloc(cap);
	if (!out) {
		silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
		return NULL;
	}
	len = (size_t)snprintf(out, cap, "lowerdir=");
	/* overlayfs wants the topmost layer first. */
	for (size_t i = n; i-- > 0;) {
		const char *lower = json_string_value(json_array_get(lower_dirs, i));

		if (!lower || !safe_in_options(lower)) {
			silo_err_set(err, EINVAL, "snapshot \"%s\": layer path \"%s\" cannot be an overlay lower directory",
				     dir, lower ? lower : "");
			return NULL;
		}
		len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", lower, i ? ":" : "");
		if (len >= cap)
			break;
	}
	if (len < cap)
		len += (size_t)snprintf(out + len, cap - len, ",upperdir=%s/upper,workdir=%s/work%s", dir, dir,
					/* A user namespace's overlay keeps its whiteouts and
					 * opaque marks in user.overlay.* (unpack.c). */
					subid_host_root() ? "" : ",userxattr");
	if (len >= cap) {
		silo_err_set(err, E2BIG, "snapshot \"%s\": %zu layers make overlay options longer than %d bytes",
			     dir, n, MOUNT_OPTIONS_MAX);
		return NULL;
	}
	return steal_pointer(&out);
}

static int is_overlay_mounted(const char *target)
{
	struct statfs sf;
	struct stat here, parent;
	_cleanup_free_ char *up = NULL;

	if (statfs(target, &sf) < 0 || (unsigned long)sf.f_type != OVERLAYFS_SUPER_MAGIC)
		return 0;
	if (asprintf(&up, "%s/..", target) < 0 || stat(target, &here) < 0 || stat(up, &parent) < 0)
		return 0;
	return here.st_dev != parent.st_dev;
}

int snapshot_mount(const char *dir, json_t *lower_dirs, struct silo_err *err)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_free_ char *options = NULL;

	if (asprintf(&target, "%s/bundle/rootfs", dir) < 0)
		return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
	if (is_overlay_mounted(target))
		return 0;
	options = snapshot_overlay_options(dir, lower_dirs, err);
	if (!options)
		return -1;
	if (mount("overlay", target, "overlay", MS_NODEV, options) < 0)
		return silo_err_errno(err, "mount the overlay on \"%s\"", target);
	return 0;
}

int snapshot_unmount(const char *dir, struct silo_err *err)
{
	_cleanup_free_ char *target = NULL;

	if (asprintf(&target, "%s/bundle/rootfs", dir) < 0)
		return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
	/* Stacked mounts (a second mount by a racing silo) all go. */
	while (is_overlay_mounted(target)) {
		if (umount2(target, MNT_DETACH) < 0)
			return silo_err_errno(err, "unmount \"%s\"", target);
	}
	return 0;
}
