/* Device nodes, made with mknodat() relative to descriptors resolved inside
 * the container root. */
#include "runtime/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/mount.h"
#include "util/cleanup.h"

static const struct {
	const char *name;
	unsigned major, minor;
} default_devices[] = {
	{ "null", 1, 3 },    { "zero", 1, 5 },    { "full", 1, 7 },
	{ "random", 1, 8 },  { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *name;
	const char *target;
} default_links[] = {
	{ "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },  { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

static int make_node(int dirfd, const char *name, mode_t type, mode_t perm, dev_t dev,
		     uid_t uid, gid_t gid, struct silo_err *err)
{
	struct stat st;
	mode_t mask;
	int made;

	/* The exact mode from the start, with no umask to take from it: a
	 * chmod by name afterwards would follow a symlink swapped in
	 * meanwhile, onto a host file. */
	mask = umask(0);
	made = mknodat(dirfd, name, type | perm, dev);
	umask(mask);
	if (made < 0 && errno == EEXIST) {
		/* Never replace what is there: this directory may be a bind
		 * mount of the host's /dev. The same device already in place
		 * is fine, as it is; anything else is refused. */
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (st.st_mode & S_IFMT) == type && st.st_rdev == dev)
			return 0;
		return silo_err_set(err, EEXIST, "device \"%s\": something else is already there",
				    name);
	}
	if (made < 0)
		return silo_err_errno(err, "create device \"%s\"", name);
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_err_errno(err, "chown device \"%s\"", name);
	return 0;
}

/* Binds the host's node host_path onto name in dirfd. */
static int bind_node(int dirfd, const char *name, const char *host_path, struct silo_err *err)
{
	_cleanup_close_ int target = -1;
	_cleanup_close_ int tree = -1;
	struct mount_options plain = { 0 };
	int f = openat(dirfd, name, O_CREAT | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);

	if (f < 0)
		return silo_err_errno(err, "create mount point for device \"%s\"", name);
	close(f);
	target = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return silo_err_errno(err, "bind host device \"%s\"", host_path);
	tree = mount_clone_tree(AT_FDCWD, host_path, &plain, err);
	if (tree < 0)
		return silo_err_prefix(err, "bind host device");
	return mount_attach(tree, target, host_path, err);
}

int devices_populate_default(int devfd, int bind_from_host, struct silo_err *err)
{
	for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
		if (bind_from_host) {
			char host[64];

			snprintf(host, sizeof(host), "/dev/%s", default_devices[i].name);
			if (bind_node(devfd, default_devices[i].name, host, err) < 0)
				return silo_err_prefix(err, "populate /dev");
			continue;
		}
		if (make_node(devfd, default_devices[i].name, S_IFCHR, 0666,
			      makedev(default_devices[i].major, default_devices[i].minor), 0, 0,
			      err) < 0)
			return silo_err_prefix(err, "populate /dev");
	}
	for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++)
		if (symlinkat(default_links[i].target, devfd, default_links[i].name) < 0 &&
		    errno != EEXIST)
			return silo_err_errno(err, "populate /dev: link \"%s\"", default_links[i].name);
	return 0;
}

static mode_t device_type(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

int devices_create_from_spec(int rootfd, const struct spec *spec, int bind_from_host,
			     struct silo_err *err)
{
	for (size_t i = 0; i < spec->n_devices; i++) {
		const struct spec_device *d = &spec->devices[i];
		_cleanup_close_ int fd = -1;
		_cleanup_close_ int parent = -1;
		char dir[4096];
		const char *slash = strrchr(d->path, '/');

		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - d->path), d->path);
		parent = mount_open_target(rootfd, dir[0] ? dir : "/", MOUNT_TARGET_DIR, err);
		if (parent < 0)
			return silo_err_prefix(err, "config.json: linux.devices: \"%s\"", d->path);
		if (bind_from_host) {
			if (bind_node(parent, slash + 1, d->path, err) < 0)
				return silo_err_prefix(err, "config.json: linux.devices");
			continue;
		}
		if (make_node(parent, slash + 1, device_type(d->type),
			      d->has_file_mode ? (d->file_mode & 07777) : 0666,
			      makedev((unsigned)d->major, (unsigned)d->minor),
			      d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, err) < 0)
			return silo_err_prefix(err, "config.json: linux.devices");
	}
	return 0;
}
