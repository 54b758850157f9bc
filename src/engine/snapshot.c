/* Container roots (see snapshot.h): overlay mounts, and copies where
 * there can be none (snapshot_copy.c). The overlay is made in the host's
 * mount namespace, at a path under the store, so any silo command (a
 * monitor, `rm -f` after a monitor was killed) can unmount it; the runtime
 * then binds it, or the copy's directory, as the container's root. */
#include "engine/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "engine/snapshot_copy.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/subid.h"

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* mount(2) copies at most one page of options. */
#define MOUNT_OPTIONS_MAX 4096

#define SNAPSHOT_MARKER "snapshotter"

int snapshot_default_mode(enum snapshot_mode *mode, struct silo_err *err)
{
	const char *v = getenv("SILO_SNAPSHOTTER");

	if (!v || !*v || !strcmp(v, "overlay"))
		*mode = SNAPSHOT_OVERLAY;
	else if (!strcmp(v, "copy"))
		*mode = SNAPSHOT_COPY;
	else
		return silo_err_set(err, EINVAL, "SILO_SNAPSHOTTER=\"%s\": want overlay or copy", v);
	return 0;
}

enum snapshot_mode snapshot_mode_of(const char *dir)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	struct silo_err ignored = { 0 };
	size_t len;

	if (asprintf(&path, "%s/" SNAPSHOT_MARKER, dir) < 0 ||
	    fs_read_file(path, 64, &text, &len, &ignored) < 0)
		return SNAPSHOT_OVERLAY;
	return !strncmp(text, "copy", 4) ? SNAPSHOT_COPY : SNAPSHOT_OVERLAY;
}

static int make_subdirs(const char *dir, const char *const *subdirs, size_t n, struct silo_err *err)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", dir, subdirs[i]) < 0)
			return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
		if (fs_mkdir_p(path, 0755, err) < 0)
			return -1;
	}
	return 0;
}

static int mark_copy(const char *dir, struct silo_err *err)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/" SNAPSHOT_MARKER, dir) < 0)
		return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
	return fs_write_file_atomic(path, "copy\n", 5, 0644, err);
}

int snapshot_prepare_mode(const char *dir, enum snapshot_mode mode, struct silo_err *err)
{
	static const char *const overlay[] = { "upper", "work", "bundle/rootfs" };
	static const char *const copy[] = { "bundle" };
	_cleanup_free_ char *upper = NULL;

	if (asprintf(&upper, "%s/upper", dir) < 0)
		return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
	if (snapshot_mode_of(dir) == SNAPSHOT_COPY)
		mode = SNAPSHOT_COPY;
	else if (access(upper, F_OK) == 0)
		mode = SNAPSHOT_OVERLAY;
	if (mode == SNAPSHOT_OVERLAY)
		return make_subdirs(dir, overlay, 3, err);
	if (make_subdirs(dir, copy, 1, err) < 0)
		return -1;
	return mark_copy(dir, err);
}

int snapshot_prepare(const char *dir, struct silo_err *err)
{
	enum snapshot_mode mode;

	if (snapshot_default_mode(&mode, err) < 0)
		return -1;
	return snapshot_prepare_mode(dir, mode, err);
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

static int is_empty_dir(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return errno == ENOENT;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			return 0;
	return 1;
}

/* The copy is built aside and renamed onto the (empty) mount point in one
 * step: a killed silo leaves a stale DIR/rootfs.copy, never a half root. A
 * root that has anything in it is complete. */
static int make_copy(const char *dir, const char *target, json_t *lower_dirs,
		     struct silo_err *err)
{
	_cleanup_free_ char *building = NULL;
	_cleanup_close_ int fd = -1;

	if (!is_empty_dir(target))
		return 0;
	if (json_array_size(lower_dirs) == 0)
		return silo_err_set(err, EINVAL, "snapshot \"%s\": the image has no layers", dir);
	if (asprintf(&building, "%s/rootfs.copy", dir) < 0)
		return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
	if (fs_remove_tree(building, err) < 0)
		return -1;
	if (mkdir(building, 0755) < 0)
		return silo_err_errno(err, "snapshot: create \"%s\"", building);
	fd = open(building, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return silo_err_errno(err, "snapshot: open \"%s\"", building);
	if (snapshot_copy_layers(fd, lower_dirs, err) < 0) {
		fs_remove_tree(building, NULL);
		return silo_err_prefix(err, "snapshot \"%s\"", dir);
	}
	if (rename(building, target) < 0) {
		int saved = errno;

		fs_remove_tree(building, NULL);
		/* Another silo finished the same copy first. */
		if ((saved == ENOTEMPTY || saved == EEXIST) && !is_empty_dir(target))
			return 0;
		errno = saved;
		return silo_err_errno(err, "snapshot: rename \"%s\" to \"%s\"", building, target);
	}
	return 0;
}

/* The overlay was refused before the container changed anything: it
 * becomes a copy container for good. */
static int switch_to_copy(const char *dir, struct silo_err *err)
{
	static const char *const overlay_dirs[] = { "upper", "work" };

	if (mark_copy(dir, err) < 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", dir, overlay_dirs[i]) < 0)
			return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
		if (fs_remove_tree(path, err) < 0)
			return -1;
	}
	return 0;
}

int snapshot_mount(const char *dir, json_t *lower_dirs, struct silo_err *err)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_free_ char *options = NULL;
	_cleanup_free_ char *upper = NULL;
	struct silo_err options_err = { 0 };

	if (asprintf(&target, "%s/bundle/rootfs", dir) < 0 || asprintf(&upper, "%s/upper", dir) < 0)
		return silo_err_sys(err, ENOMEM, "snapshot \"%s\"", dir);
	if (snapshot_mode_of(dir) == SNAPSHOT_COPY)
		return make_copy(dir, target, lower_dirs, err);
	if (is_overlay_mounted(target))
		return 0;
	options = snapshot_overlay_options(dir, lower_dirs, &options_err);
	if (!options) {
		/* More layers than one page of mount options holds. */
		if (options_err.code != E2BIG || !is_empty_dir(upper)) {
			if (err)
				*err = options_err;
			return -1;
		}
		if (switch_to_copy(dir, err) < 0)
			return -1;
		return make_copy(dir, target, lower_dirs, err);
	}
	if (mount("overlay", target, "overlay", MS_NODEV, options) == 0)
		return 0;
	if ((errno == ENODEV || errno == EPERM || errno == EINVAL) && is_empty_dir(upper)) {
		if (switch_to_copy(dir, err) < 0)
			return -1;
		return make_copy(dir, target, lower_dirs, err);
	}
	return silo_err_errno(err, "mount the overlay on \"%s\"", target);
}

int snapshot_is_mounted(const char *dir)
{
	_cleanup_free_ char *target = NULL;

	if (asprintf(&target, "%s/bundle/rootfs", dir) < 0)
		return 0;
	return is_overlay_mounted(target);
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

json_t *snapshot_inspect(const char *dir, json_t *lower_dirs)
{
	_cleanup_free_ char *merged = NULL;
	_cleanup_free_ char *upper = NULL;
	_cleanup_free_ char *work = NULL;
	_cleanup_free_ char *lower = NULL;
	size_t len = 0, n = json_array_size(lower_dirs);

	if (asprintf(&merged, "%s/bundle/rootfs", dir) < 0)
		return NULL;
	if (snapshot_mode_of(dir) == SNAPSHOT_COPY)
		return json_pack("{s:s, s:{s:s}}", "Name", "copy", "Data", "MergedDir", merged);
	for (size_t i = 0; i < n; i++)
		len += strlen(json_string_value(json_array_get(lower_dirs, i)) ?: "") + 1;
	lower = calloc(1, len + 1);
	if (!lower || asprintf(&upper, "%s/upper", dir) < 0 || asprintf(&work, "%s/work", dir) < 0)
		return NULL;
	for (size_t i = n; i-- > 0;) {
		strcat(lower, json_string_value(json_array_get(lower_dirs, i)) ?: "");
		if (i)
			strcat(lower, ":");
	}
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "Name", "overlay", "Data", "LowerDir", lower,
			 "UpperDir", upper, "WorkDir", work, "MergedDir", merged);
}
