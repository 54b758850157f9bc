/* cgroup hierarchies and the container's cgroup in each of them.
 *
 * On v1 and hybrid hosts a container gets a directory in every mounted v1
 * hierarchy (so every controller, and name=systemd, sees it), plus one in the
 * controller-less v2 mount on hybrid hosts, which only tracks processes.
 * On v2 hosts there is one directory. Limits beyond memory and pids belong
 * to the cgroup module proper (cgroup_v1.c / cgroup_v2.c). */
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

void cgroup_host_free(struct cgroup_host *host)
{
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		free(host->hierarchies[i].mountpoint);
		free(host->hierarchies[i].controllers);
	}
	free(host->hierarchies);
	memset(host, 0, sizeof(*host));
}

static int add_hierarchy(struct cgroup_host *host, const char *mountpoint, const char *controllers,
			 int v2)
{
	struct cgroup_hierarchy *grown;

	for (size_t i = 0; i < host->n_hierarchies; i++)
		if (!strcmp(host->hierarchies[i].mountpoint, mountpoint))
			return 0; /* mounted twice: keep the first */
	grown = realloc(host->hierarchies, (host->n_hierarchies + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	host->hierarchies = grown;
	grown[host->n_hierarchies].mountpoint = strdup(mountpoint);
	grown[host->n_hierarchies].controllers = strdup(controllers);
	grown[host->n_hierarchies].v2 = v2;
	host->n_hierarchies++;
	return 0;
}

/* Keeps the controller names from a v1 super block's options
 * ("rw,memory" -> "memory", "rw,name=systemd" -> "name=systemd"). */
static void v1_controllers(const char *superopts, char *out, size_t len)
{
	_cleanup_free_ char *copy = strdup(superopts);
	char *save = NULL;

	out[0] = '\0';
	if (!copy)
		return;
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (!strcmp(opt, "rw") || !strcmp(opt, "ro") || str_has_prefix(opt, "release_agent") ||
		    !strcmp(opt, "clone_children") || !strcmp(opt, "noprefix") ||
		    !strcmp(opt, "xattr") || !strcmp(opt, "cpuset_v2_mode"))
			continue;
		if (out[0])
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, opt, len - strlen(out) - 1);
	}
}

int cgroup_detect(struct cgroup_host *host, struct silo_err *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int v1 = 0, v2 = 0;

	memset(host, 0, sizeof(*host));
	if (!f)
		return silo_err_errno(err, "read /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		char mountpoint[4096], fstype[64], superopts[1024], controllers[1024];
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mountpoint) != 1)
			continue;
		if (sscanf(sep + 3, "%63s %*s %1023s", fstype, superopts) != 2)
			continue;
		if (!str_has_prefix(mountpoint, "/sys/fs/cgroup"))
			continue;
		if (!strcmp(fstype, "cgroup2")) {
			if (add_hierarchy(host, mountpoint, "", 1) < 0)
				return silo_err_sys(err, ENOMEM, "detect cgroups");
			v2 = 1;
		} else if (!strcmp(fstype, "cgroup")) {
			v1_controllers(superopts, controllers, sizeof(controllers));
			if (add_hierarchy(host, mountpoint, controllers, 0) < 0)
				return silo_err_sys(err, ENOMEM, "detect cgroups");
			v1 = 1;
		}
	}
	if (!v1 && !v2)
		return silo_err_set(err, ENOENT, "no cgroup hierarchy is mounted under /sys/fs/cgroup");
	host->mode = v1 && v2 ? CGROUP_MODE_HYBRID : v2 ? CGROUP_MODE_V2 : CGROUP_MODE_V1;
	return 0;
}

static int has_controller(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; *p;) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) == len && !strncmp(p, name, len))
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

const struct cgroup_hierarchy *cgroup_find(const struct cgroup_host *host, const char *controller)
{
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		const struct cgroup_hierarchy *h = &host->hierarchies[i];

		if (host->mode == CGROUP_MODE_V2 && h->v2)
			return h;
		if (!h->v2 && has_controller(h->controllers, controller))
			return h;
	}
	return NULL;
}

char *cgroup_resolve_path(const char *cgroups_path, const char *id, int *default_parent)
{
	char *path;

	*default_parent = 0;
	if (!cgroups_path || !*cgroups_path) {
		*default_parent = 1;
		if (asprintf(&path, "%s/%s", CGROUP_DEFAULT_PARENT, id) < 0)
			return NULL;
		return path;
	}
	if (cgroups_path[0] == '/')
		return fs_absolute_path(cgroups_path);
	if (asprintf(&path, "/%s", cgroups_path) < 0)
		return NULL;
	return path;
}

/* A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and the
 * kernel refuses tasks until both are set: copy them from the parent. */
static int cpuset_init(const char *mountpoint, const char *path, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(path);
	char dir[4096], parent[4096], file[4200];

	if (!copy)
		return silo_err_sys(err, ENOMEM, "cpuset");
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		snprintf(dir, sizeof(dir), "%s%s", mountpoint, copy);
		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		for (int k = 0; k < 2; k++) {
			const char *knob = k ? "cpuset.mems" : "cpuset.cpus";
			_cleanup_free_ char *value = NULL;
			_cleanup_free_ char *mine = NULL;

			snprintf(file, sizeof(file), "%s/%s", dir, knob);
			if (fs_read_file(file, 4096, &mine, NULL, NULL) == 0 && mine[0] != '\n' &&
			    mine[0] != '\0')
				continue;
			snprintf(file, sizeof(file), "%s/%s", parent, knob);
			if (fs_read_file(file, 4096, &value, NULL, err) < 0)
				return -1;
			snprintf(file, sizeof(file), "%s/%s", dir, knob);
			if (fs_write_string(file, value, err) < 0)
				return -1;
		}
		*p = saved;
		if (!saved)
			break;
	}
	return 0;
}

int cgroup_create(const struct cgroup_host *host, const char *path, struct silo_err *err)
{
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		const struct cgroup_hierarchy *h = &host->hierarchies[i];
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s%s", h->mountpoint, path);
		if (fs_mkdir_p(dir, 0755, err) < 0)
			return silo_err_prefix(err, "create cgroup \"%s\"", path);
		if (!h->v2 && has_controller(h->controllers, "cpuset") &&
		    cpuset_init(h->mountpoint, path, err) < 0)
			return silo_err_prefix(err, "create cgroup \"%s\"", path);
	}
	return 0;
}

static int write_knob(const struct cgroup_hierarchy *h, const char *path, const char *knob,
		      const char *value, const char *field, struct silo_err *err)
{
	char file[4200];

	snprintf(file, sizeof(file), "%s%s/%s", h->mountpoint, path, knob);
	if (fs_write_string(file, value, err) < 0)
		return silo_err_prefix(err, "config.json: %s", field);
	return 0;
}

int cgroup_apply_resources(const struct cgroup_host *host, const char *path, json_t *resources,
			   struct silo_err *err)
{
	json_t *limit = json_object_get(json_object_get(resources, "memory"), "limit");
	json_t *pids = json_object_get(json_object_get(resources, "pids"), "limit");
	char value[32];

	if (json_is_integer(limit)) {
		const struct cgroup_hierarchy *h = cgroup_find(host, "memory");
		json_int_t v = json_integer_value(limit);

		if (!h)
			return silo_err_set(err, ENOTSUP,
					    "config.json: linux.resources.memory.limit: no memory controller on this host");
		if (v < 0)
			snprintf(value, sizeof(value), "%s", h->v2 ? "max" : "-1");
		else
			snprintf(value, sizeof(value), "%lld", (long long)v);
		if (write_knob(h, path, h->v2 ? "memory.max" : "memory.limit_in_bytes", value,
			       "linux.resources.memory.limit", err) < 0)
			return -1;
	}
	if (json_is_integer(pids)) {
		const struct cgroup_hierarchy *h = cgroup_find(host, "pids");
		json_int_t v = json_integer_value(pids);

		if (!h)
			return silo_err_set(err, ENOTSUP,
					    "config.json: linux.resources.pids.limit: no pids controller on this host");
		if (v <= 0)
			snprintf(value, sizeof(value), "max");
		else
			snprintf(value, sizeof(value), "%lld", (long long)v);
		if (write_knob(h, path, "pids.max", value, "linux.resources.pids.limit", err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_enter(const struct cgroup_host *host, const char *path, pid_t pid, struct silo_err *err)
{
	char value[32];

	snprintf(value, sizeof(value), "%d", pid);
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		char file[4200];

		snprintf(file, sizeof(file), "%s%s/cgroup.procs", host->hierarchies[i].mountpoint, path);
		if (fs_write_string(file, value, err) < 0)
			return silo_err_prefix(err, "join cgroup \"%s\"", path);
	}
	return 0;
}

/* The hierarchy whose cgroup.procs lists the container's processes. */
static const struct cgroup_hierarchy *tracking_hierarchy(const struct cgroup_host *host)
{
	const struct cgroup_hierarchy *h = cgroup_find(host, "pids");

	if (h)
		return h;
	for (size_t i = 0; i < host->n_hierarchies; i++)
		if (host->hierarchies[i].v2)
			return &host->hierarchies[i];
	return host->n_hierarchies ? &host->hierarchies[0] : NULL;
}

int cgroup_read_pids(const struct cgroup_host *host, const char *path, pid_t **pids, size_t *n,
		     struct silo_err *err)
{
	const struct cgroup_hierarchy *h = tracking_hierarchy(host);
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ pid_t *out = NULL;
	size_t count = 0, cap = 0;
	char file[4200];

	*pids = NULL;
	*n = 0;
	if (!h)
		return 0;
	snprintf(file, sizeof(file), "%s%s/cgroup.procs", h->mountpoint, path);
	if (fs_read_file(file, 16 * 1024 * 1024, &text, NULL, err) < 0) {
		if (err && err->code == ENOENT)
			return 0;
		return -1;
	}
	for (char *p = text; *p;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (count == cap) {
			pid_t *grown;

			cap = cap ? cap * 2 : 16;
			grown = realloc(out, cap * sizeof(pid_t));
			if (!grown)
				return silo_err_sys(err, ENOMEM, "read cgroup \"%s\"", path);
			out = grown;
		}
		out[count++] = (pid_t)v;
		p = end;
		while (*p == '\n')
			p++;
	}
	*pids = steal_pointer(&out);
	*n = count;
	return 0;
}

static int remove_dir(const char *dir, struct silo_err *err)
{
	/* rmdir answers EBUSY while the last tasks of the cgroup are still
	 * exiting; give them a moment. */
	for (int tries = 0; tries < 200; tries++) {
		struct timespec pause = { 0, 5 * 1000 * 1000 };

		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	return silo_err_errno(err, "remove cgroup \"%s\"", dir);
}

int cgroup_destroy(const struct cgroup_host *host, const char *path, int remove_parent,
		   struct silo_err *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (cgroup_read_pids(host, path, &pids, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s%s", host->hierarchies[i].mountpoint, path);
		if (remove_dir(dir, err) < 0)
			return -1;
		if (remove_parent) {
			char *slash = strrchr(dir, '/');

			*slash = '\0';
			/* Another container may still live there: that is fine. */
			if (rmdir(dir) < 0 && errno != ENOTEMPTY && errno != EBUSY && errno != ENOENT)
				return silo_err_errno(err, "remove cgroup \"%s\"", dir);
		}
	}
	return 0;
}
