/* AppArmor and SELinux exec attributes, written through a private procfs
 * instance (mount_private_procfs: attached nowhere), checked to be procfs, so a
 * container cannot redirect the write (CVE-2025-52881). */
#include "runtime/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "runtime/mount.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int apparmor_enabled(void)
{
	_cleanup_free_ char *text = NULL;

	if (fs_read_file("/sys/module/apparmor/parameters/enabled", 16, &text, NULL, NULL) < 0)
		return 0;
	return text[0] == 'Y';
}

static int selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int lsm_validate(const struct spec *spec, struct silo_err *err)
{
	const char *mount_label =
		json_string_value(json_object_get(json_object_get(spec->document, "linux"), "mountLabel"));

	if (spec->process.apparmor_profile && !apparmor_enabled())
		return silo_err_set(err, ENOTSUP,
				    "config.json: process.apparmorProfile: \"%s\" was asked for, but AppArmor is not enabled on this host",
				    spec->process.apparmor_profile);
	if (spec->process.selinux_label && !selinux_enabled())
		return silo_err_set(err, ENOTSUP,
				    "config.json: process.selinuxLabel: \"%s\" was asked for, but SELinux is not enabled on this host",
				    spec->process.selinux_label);
	if (mount_label && *mount_label && !selinux_enabled())
		return silo_err_set(err, ENOTSUP,
				    "config.json: linux.mountLabel: \"%s\" was asked for, but SELinux is not enabled on this host",
				    mount_label);
	return 0;
}

int lsm_open_attr(int procfd, const char *attr, int flags)
{
	char path[64];
	struct statfs fs;
	int fd;

	/* Not "thread-self/attr/...": thread-self is a symlink (to PID/task/TID),
	 * which RESOLVE_NO_SYMLINKS refuses, so that path could never be opened.
	 * The private procfs was made in our own pid namespace, where gettid()
	 * names the calling thread; the path then has no symlink at all, and
	 * the resolution may keep refusing every one. */
	if (snprintf(path, sizeof(path), "%d/attr/%s", (int)gettid(), attr) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mount_resolve(procfd, path, flags, RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return -1;
	/* The write must reach procfs and nothing else (CVE-2025-52881). */
	if (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

static int write_attr(int procfd, const char *attr, const char *value, const char *field,
		      struct silo_err *err)
{
	_cleanup_close_ int fd = lsm_open_attr(procfd, attr, O_WRONLY);

	if (fd < 0 && errno == EXDEV)
		return silo_err_set(err, EPERM, "config.json: %s: attr/%s is not on procfs", field, attr);
	if (fd < 0)
		return silo_err_errno(err, "config.json: %s: open attr/%s", field, attr);
	if (write(fd, value, strlen(value)) < 0)
		return silo_err_errno(err, "config.json: %s: set \"%s\"", field, value);
	return 0;
}

int lsm_apply_exec(const struct spec_process *proc, struct silo_err *err)
{
	_cleanup_close_ int procfd = -1;
	char value[4200];

	if (!proc->apparmor_profile && !proc->selinux_label)
		return 0;
	procfd = mount_private_procfs(err);
	if (procfd < 0)
		return silo_err_prefix(err, "LSM: private procfs");
	if (proc->apparmor_profile) {
		/* Newer kernels have an AppArmor-specific directory; older
		 * ones only the shared attr/exec. */
		snprintf(value, sizeof(value), "exec %s", proc->apparmor_profile);
		if (write_attr(procfd, "apparmor/exec", value, "process.apparmorProfile", NULL) < 0 &&
		    write_attr(procfd, "exec", value, "process.apparmorProfile", err) < 0)
			return -1;
	}
	if (proc->selinux_label &&
	    write_attr(procfd, "exec", proc->selinux_label, "process.selinuxLabel", err) < 0)
		return -1;
	return 0;
}
