/* AppArmor and SELinux exec attributes, written through a private procfs
 * instance (fsopen/fsmount, never attached), and checked to be procfs, so a
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

static int write_attr(int procfd, const char *path, const char *value, const char *field,
		      struct silo_err *err)
{
	_cleanup_close_ int fd = mount_resolve(procfd, path, O_WRONLY,
					       RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
	struct statfs fs;

	if (fd < 0)
		return silo_err_errno(err, "config.json: %s: open %s", field, path);
	if (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC)
		return silo_err_set(err, EPERM, "config.json: %s: %s is not on procfs", field, path);
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
	procfd = mount_new_fs("proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
	if (procfd < 0)
		return silo_err_prefix(err, "LSM: private procfs");
	if (proc->apparmor_profile) {
		/* Newer kernels have an AppArmor-specific directory; older
		 * ones only the shared attr/exec. */
		snprintf(value, sizeof(value), "exec %s", proc->apparmor_profile);
		if (write_attr(procfd, "thread-self/attr/apparmor/exec", value,
			       "process.apparmorProfile", NULL) < 0 &&
		    write_attr(procfd, "thread-self/attr/exec", value, "process.apparmorProfile", err) < 0)
			return -1;
	}
	if (proc->selinux_label &&
	    write_attr(procfd, "thread-self/attr/exec", proc->selinux_label, "process.selinuxLabel",
		       err) < 0)
		return -1;
	return 0;
}
