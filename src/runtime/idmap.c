/* Idmapped mounts. The kernel takes the mapping as a user namespace
 * descriptor: we make a throwaway process in a new user namespace, write
 * the mount's maps to it, keep its namespace descriptor and let the process
 * go. mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN in the initial
 * user namespace, so this runs in the runtime before the clone, never in a
 * container's user namespace. */
#include "runtime/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/mount.h"
#include "runtime/userns.h"
#include "util/cleanup.h"

static json_t *mount_maps(const struct spec *spec, size_t i, const char *key)
{
	json_t *m = json_array_get(json_object_get(spec->document, "mounts"), i);
	json_t *maps = json_object_get(m, key);

	if (json_array_size(maps))
		return maps;
	/* No maps of its own: the container's user namespace's. */
	return json_object_get(json_object_get(spec->document, "linux"),
			       !strcmp(key, "uidMappings") ? "uidMappings" : "gidMappings");
}

static int wants_idmap(const struct spec *spec, size_t i)
{
	json_t *m = json_array_get(json_object_get(spec->document, "mounts"), i);

	return spec->mounts[i].parsed.idmap || json_array_size(json_object_get(m, "uidMappings")) ||
	       json_array_size(json_object_get(m, "gidMappings"));
}

int idmap_validate(const struct spec *spec, struct silo_err *err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (!wants_idmap(spec, i))
			continue;
		if (!spec->mounts[i].parsed.bind)
			return silo_err_set(err, EINVAL,
					    "config.json: mounts[%zu]: only bind mounts can be idmapped", i);
		if (!json_array_size(mount_maps(spec, i, "uidMappings")) ||
		    !json_array_size(mount_maps(spec, i, "gidMappings")))
			return silo_err_set(err, EINVAL,
					    "config.json: mounts[%zu]: an idmapped mount needs uidMappings and gidMappings, its own or the container's",
					    i);
	}
	return 0;
}

/* A user namespace holding the maps, as a descriptor. */
static int make_userns(json_t *uid_maps, json_t *gid_maps, struct silo_err *err)
{
	int ready[2];
	char path[64], byte;
	pid_t pid;
	int fd;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return silo_err_errno(err, "idmap: pipe");
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		/* Tell the parent, then wait for it to hang up. */
		if (write(ready[1], "u", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (pid < 0) {
		close(ready[0]);
		return silo_err_errno(err, "idmap: fork");
	}
	if (read(ready[0], &byte, 1) != 1) {
		close(ready[0]);
		waitpid(pid, NULL, 0);
		return silo_err_set(err, EPERM, "idmap: could not create a user namespace");
	}
	close(ready[0]);
	fd = -1;
	if (userns_write_map_arrays(uid_maps, gid_maps, pid, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			silo_err_errno(err, "idmap: open user namespace");
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return fd;
}

static int idmapped_tree(const struct spec *spec, size_t i, struct silo_err *err)
{
	const struct spec_mount *m = &spec->mounts[i];
	_cleanup_close_ int userns = -1;
	_cleanup_close_ int tree = -1;
	_cleanup_free_ char *source = NULL;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	unsigned int flags = AT_EMPTY_PATH;

	if (m->source[0] == '/')
		source = strdup(m->source);
	else if (asprintf(&source, "%s/%s", spec->bundle, m->source) < 0)
		source = NULL;
	if (!source)
		return silo_err_sys(err, ENOMEM, "idmap");
	userns = make_userns(mount_maps(spec, i, "uidMappings"), mount_maps(spec, i, "gidMappings"),
			     err);
	if (userns < 0)
		return -1;
	tree = mount_clone_tree(AT_FDCWD, source, &m->parsed, err);
	if (tree < 0)
		return -1;
	if (mount_classic_api())
		return silo_err_set(err, ENOSYS,
				    "idmapped bind mount of \"%s\": idmapped mounts need mount_setattr(2) (Linux 5.12), which is not available",
				    source);
	attr.userns_fd = (unsigned long long)userns;
	/* "ridmap", or "idmap" on an rbind, maps the whole tree. */
	if (m->parsed.recursive)
		flags |= AT_RECURSIVE;
	if (mount_setattr(tree, "", flags, &attr, sizeof(attr)) < 0)
		return silo_err_errno(err, errno == ENOSYS
						   ? "idmapped bind mount of \"%s\": idmapped mounts need mount_setattr(2) (Linux 5.12)"
						   : "idmap bind mount of \"%s\"",
				      source);
	return steal_fd(&tree);
}

int idmap_prepare(const struct spec *spec, int *fds, struct silo_err *err)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		fds[i] = -1;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (!wants_idmap(spec, i))
			continue;
		fds[i] = idmapped_tree(spec, i, err);
		if (fds[i] < 0) {
			idmap_close(spec, fds);
			return silo_err_prefix(err, "config.json: mounts[%zu]", i);
		}
	}
	return 0;
}

void idmap_close(const struct spec *spec, int *fds)
{
	for (size_t i = 0; fds && i < spec->n_mounts; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}
