/* cgroups, as much as the runtime core needs: find the host's hierarchies
 * (v2, v1, or hybrid: v1 controllers plus a controller-less v2 mount), make a
 * container's cgroup in each, put its init there, apply the memory and pids
 * limits, list its processes, and remove it without leaving anything. */
#ifndef SILO_RUNTIME_CGROUP_H
#define SILO_RUNTIME_CGROUP_H

#include <jansson.h>
#include <sys/types.h>

#include "util/err.h"

enum cgroup_mode { CGROUP_MODE_V1, CGROUP_MODE_HYBRID, CGROUP_MODE_V2 };

struct cgroup_hierarchy {
	char *mountpoint;  /* /sys/fs/cgroup/memory, /sys/fs/cgroup/unified, ... */
	char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" on v2 */
	int v2;
};

struct cgroup_host {
	enum cgroup_mode mode;
	struct cgroup_hierarchy *hierarchies;
	size_t n_hierarchies;
};

/* Parent of the cgroups silo makes when a config has no cgroupsPath. */
#define CGROUP_DEFAULT_PARENT "/silo"

int cgroup_detect(struct cgroup_host *host, struct silo_err *err);
void cgroup_host_free(struct cgroup_host *host);

/* The hierarchy a controller lives in (v1), or the v2 one; NULL if none. */
const struct cgroup_hierarchy *cgroup_find(const struct cgroup_host *host, const char *controller);

/* Normalises a config's cgroupsPath to an absolute path; NULL makes the
 * default CGROUP_DEFAULT_PARENT/ID. */
char *cgroup_resolve_path(const char *cgroups_path, const char *id, int *default_parent);

int cgroup_create(const struct cgroup_host *host, const char *path, struct silo_err *err);
int cgroup_apply_resources(const struct cgroup_host *host, const char *path,
			   json_t *resources, struct silo_err *err);
int cgroup_enter(const struct cgroup_host *host, const char *path, pid_t pid,
		 struct silo_err *err);
int cgroup_read_pids(const struct cgroup_host *host, const char *path, pid_t **pids,
		     size_t *n, struct silo_err *err);
/* Kills what is left inside, then removes the cgroup from every hierarchy;
 * with remove_parent, also the default parent when it has become empty. */
int cgroup_destroy(const struct cgroup_host *host, const char *path, int remove_parent,
		   struct silo_err *err);

#endif
