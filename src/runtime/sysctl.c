/* sysctl keys inside the container. Only keys the kernel keeps per
 * namespace are accepted: ipc (kernel.msg*, kernel.sem, kernel.shm*,
 * fs.mqueue.*) with an ipc namespace, net.* with a network namespace, and
 * kernel.hostname / kernel.domainname with a uts namespace. Writes go
 * through a private, detached procfs instance and are checked to land on
 * procfs, so neither the rootfs nor a racing process can redirect them. */
#include "runtime/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "runtime/mount.h"
#include "util/cleanup.h"
#include "util/strv.h"

static int namespace_of_key(const char *key)
{
	static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
						"kernel.sem", "kernel.shmall", "kernel.shmmax",
						"kernel.shmmni", "kernel.shm_rmid_forced" };

	for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
		if (!strcmp(key, ipc_keys[i]))
			return CLONE_NEWIPC;
	if (str_has_prefix(key, "fs.mqueue."))
		return CLONE_NEWIPC;
	if (str_has_prefix(key, "net."))
		return CLONE_NEWNET;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return CLONE_NEWUTS;
	return 0;
}

static json_t *sysctl_object(const struct spec *spec)
{
	return json_object_get(json_object_get(spec->document, "linux"), "sysctl");
}

int sysctl_validate(const struct spec *spec, struct silo_err *err)
{
	json_t *sysctl = sysctl_object(spec);
	const char *key;
	json_t *value;

	if (!sysctl || json_is_null(sysctl))
		return 0;
	if (!json_is_object(sysctl))
		return silo_err_set(err, EINVAL, "config.json: linux.sysctl: expected an object");
	json_object_foreach (sysctl, key, value) {
		int ns = namespace_of_key(key);

		if (!json_is_string(value))
			return silo_err_set(err, EINVAL, "config.json: linux.sysctl.%s: expected a string", key);
		if (strstr(key, "..") || strchr(key, '/'))
			return silo_err_set(err, EINVAL, "config.json: linux.sysctl: invalid key \"%s\"", key);
		if (!ns)
			return silo_err_set(err, EPERM,
					    "config.json: linux.sysctl.%s: not a namespaced key, it would change the host",
					    key);
		if (!spec_find_namespace(spec, ns))
			return silo_err_set(err, EPERM,
					    "config.json: linux.sysctl.%s: the container shares the host's %s namespace",
					    key, spec_namespace_name(ns));
	}
	return 0;
}

/* A procfs instance of our own, attached nowhere (with mount(2), only for
 * as long as it takes to open its root): nothing in the container can have
 * replaced or covered any part of it (CVE-2025-52881). */
static int private_procfs(struct silo_err *err)
{
	int mfd = mount_private_procfs(err);

	if (mfd < 0)
		return silo_err_prefix(err, "config.json: linux.sysctl: private procfs");
	return mfd;
}

int sysctl_apply(const struct spec *spec, struct silo_err *err)
{
	json_t *sysctl = sysctl_object(spec);
	_cleanup_close_ int procfd = -1;
	const char *key;
	json_t *value;

	if (json_object_size(sysctl) == 0)
		return 0;
	procfd = private_procfs(err);
	if (procfd < 0)
		return -1;
	json_object_foreach (sysctl, key, value) {
		char path[256];
		_cleanup_close_ int fd = -1;
		struct statfs fs;
		const char *v = json_string_value(value);

		snprintf(path, sizeof(path), "sys/%s", key);
		for (char *p = path + 4; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = mount_resolve(procfd, path, O_WRONLY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
		if (fd < 0)
			return silo_err_errno(err, "config.json: linux.sysctl.%s", key);
		if (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC)
			return silo_err_set(err, EPERM, "config.json: linux.sysctl.%s: not on procfs", key);
		if (write(fd, v, strlen(v)) < 0)
			return silo_err_errno(err, "config.json: linux.sysctl.%s: write \"%s\"", key, v);
	}
	return 0;
}
