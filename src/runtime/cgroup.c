/* cgroup hierarchies and the container's cgroup in each of them.
 *
 * On v1 and hybrid hosts a container gets a directory in every mounted v1
 * hierarchy (so every controller, and name=systemd, sees it), plus one in the
 * v2 mount of a hybrid host, which tracks its processes (cgroup.kill, and
 * clone3 CLONE_INTO_CGROUP place the init there) and holds the controllers
 * v1 did not take (often hugetlb, misc, rdma). On v2 hosts there is one
 * directory. Each resource family is applied in the hierarchy its controller
 * lives in, in that hierarchy's dialect (cgroup_v1.c, cgroup_v2.c).
 *
 * This file also turns linux.resources into a typed model, so that a bad
 * value fails here, with the field's name, before anything is written. */
#include "runtime/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup_devices_bpf.h"
#include "runtime/cgroup_v1.h"
#include "runtime/cgroup_v2.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#define CGROUP_PATH_MAX 4096
#define FIELD_MAX 256

/* --- the host's hierarchies --- */

void cgroup_host_free(struct cgroup_host *host)
{
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		free(host->hierarchies[i].mountpoint);
		free(host->hierarchies[i].controllers);
	}
	free(host->hierarchies);
	memset(host, 0, sizeof(*host));
}

/* cgroup.controllers is space-separated; the model keeps lists with commas. */
static char *v2_root_controllers(const char *mountpoint)
{
	char file[CGROUP_PATH_MAX];
	char *text = NULL;

	snprintf(file, sizeof(file), "%s/cgroup.controllers", mountpoint);
	if (fs_read_file(file, 4096, &text, NULL, NULL) < 0)
		return strdup("");
	for (char *p = text; *p; p++)
		if (*p == ' ')
			*p = ',';
	text[strcspn(text, "\n")] = '\0';
	return text;
}

int cgroup_host_add(struct cgroup_host *host, const char *mountpoint, const char *controllers,
		    int v2)
{
	struct cgroup_hierarchy *grown;
	struct cgroup_hierarchy *h;

	for (size_t i = 0; i < host->n_hierarchies; i++)
		if (!strcmp(host->hierarchies[i].mountpoint, mountpoint))
			return 0; /* mounted twice: keep the first */
	grown = realloc(host->hierarchies, (host->n_hierarchies + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	host->hierarchies = grown;
	h = &grown[host->n_hierarchies];
	h->mountpoint = strdup(mountpoint);
	h->controllers = controllers ? strdup(controllers) : v2_root_controllers(mountpoint);
	h->v2 = v2;
	if (!h->mountpoint || !h->controllers) {
		free(h->mountpoint);
		free(h->controllers);
		return -ENOMEM;
	}
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

static int detect_from_mountinfo(struct cgroup_host *host, struct silo_err *err)
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
		int r = 0;

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mountpoint) != 1)
			continue;
		if (sscanf(sep + 3, "%63s %*s %1023s", fstype, superopts) != 2)
			continue;
		if (!str_has_prefix(mountpoint, "/sys/fs/cgroup"))
			continue;
		if (!strcmp(fstype, "cgroup2")) {
			r = cgroup_host_add(host, mountpoint, NULL, 1);
			v2 = 1;
		} else if (!strcmp(fstype, "cgroup")) {
			v1_controllers(superopts, controllers, sizeof(controllers));
			r = cgroup_host_add(host, mountpoint, controllers, 0);
			v1 = 1;
		}
		if (r < 0) {
			cgroup_host_free(host);
			return silo_err_sys(err, ENOMEM, "detect cgroups");
		}
	}
	if (!v1 && !v2)
		return silo_err_set(err, ENOENT, "no cgroup hierarchy is mounted under /sys/fs/cgroup");
	host->mode = v1 && v2 ? CGROUP_MODE_HYBRID : v2 ? CGROUP_MODE_V2 : CGROUP_MODE_V1;
	return 0;
}

/* The layout found by the first detection of this process. Reading and
 * parsing mountinfo costs about 0.3 ms, and `run` would do it three times
 * (create, the status check of start, delete). Which hierarchies are
 * mounted where does not change under a running host, and a long-lived
 * process (the engine's monitor) that deletes with the layout it created
 * with removes exactly the directories it made. */
static struct cgroup_host detected;

static int host_copy(const struct cgroup_host *from, struct cgroup_host *to)
{
	memset(to, 0, sizeof(*to));
	to->mode = from->mode;
	for (size_t i = 0; i < from->n_hierarchies; i++) {
		const struct cgroup_hierarchy *h = &from->hierarchies[i];

		if (cgroup_host_add(to, h->mountpoint, h->controllers, h->v2) < 0) {
			cgroup_host_free(to);
			return -ENOMEM;
		}
	}
	return 0;
}

int cgroup_detect(struct cgroup_host *host, struct silo_err *err)
{
	if (!detected.n_hierarchies && detect_from_mountinfo(&detected, err) < 0)
		return -1;
	if (host_copy(&detected, host) < 0)
		return silo_err_sys(err, ENOMEM, "detect cgroups");
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

const struct cgroup_hierarchy *cgroup_v2_hierarchy(const struct cgroup_host *host)
{
	for (size_t i = 0; i < host->n_hierarchies; i++)
		if (host->hierarchies[i].v2)
			return &host->hierarchies[i];
	return NULL;
}

const struct cgroup_hierarchy *cgroup_find(const struct cgroup_host *host, const char *controller)
{
	const struct cgroup_hierarchy *v2 = cgroup_v2_hierarchy(host);

	for (size_t i = 0; i < host->n_hierarchies; i++) {
		const struct cgroup_hierarchy *h = &host->hierarchies[i];

		if (!h->v2 && has_controller(h->controllers, controller))
			return h;
	}
	if (!v2)
		return NULL;
	/* Core features of every v2 cgroup, not controllers: device access
	 * (an eBPF program), freezing, and the cpu usage in cpu.stat. */
	if (!strcmp(controller, "devices") || !strcmp(controller, "freezer") ||
	    !strcmp(controller, "cpuacct"))
		return v2;
	return has_controller(v2->controllers, controller) ? v2 : NULL;
}

/* --- paths --- */

char *cgroup_resolve_path(const char *cgroups_path, const char *id, int *default_parent)
{
	_cleanup_free_ char *joined = NULL;
	char *path;

	*default_parent = 0;
	if (!cgroups_path || !*cgroups_path) {
		/* One level, not CGROUP_DEFAULT_PARENT/ID: on a v1 host each
		 * level is a mkdir and an rmdir in every hierarchy, the
		 * costliest part of a short container's cgroups. */
		if (asprintf(&joined, "%s-%s", CGROUP_DEFAULT_PARENT, id) < 0)
			return NULL;
	} else if (cgroups_path[0] != '/') {
		*default_parent = 1;
		if (asprintf(&joined, "%s/%s", CGROUP_DEFAULT_PARENT, cgroups_path) < 0)
			return NULL;
	} else {
		joined = strdup(cgroups_path);
	}
	if (!joined)
		return NULL;
	/* Lexically cleaned, a ".." cannot climb out of the hierarchy (nor,
	 * for a relative path, out of the default parent). */
	for (const char *p = joined; *p; p++)
		if (p[0] == '.' && p[1] == '.' && (p == joined || p[-1] == '/') &&
		    (p[2] == '/' || p[2] == '\0'))
			return NULL;
	path = fs_absolute_path(joined);
	if (path && !strcmp(path, "/")) {
		free(path);
		return NULL;
	}
	return path;
}

static void hierarchy_dir(const struct cgroup_hierarchy *h, const char *path, char *out,
			  size_t len)
{
	snprintf(out, len, "%s%s", h->mountpoint, path);
}

static int open_cgroup_dir(const struct cgroup_hierarchy *h, const char *path)
{
	char dir[CGROUP_PATH_MAX];

	hierarchy_dir(h, path, dir, sizeof(dir));
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int cgroup_open_v2(const struct cgroup_host *host, const char *path)
{
	const struct cgroup_hierarchy *h = cgroup_v2_hierarchy(host);
	char dir[CGROUP_PATH_MAX];

	if (!h)
		return -1;
	hierarchy_dir(h, path, dir, sizeof(dir));
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* --- files --- */

int cgroup_has_file(int dirfd, const char *file)
{
	return faccessat(dirfd, file, F_OK, 0) == 0;
}

int cgroup_open_file(int dirfd, const char *file, const char *field, struct silo_err *err)
{
	/* O_APPEND changes nothing in cgroupfs; on the plain files of the
	 * unit tests it keeps every write, one a line, in order. */
	int fd = openat(dirfd, file, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return silo_err_set(err, ENOTSUP, "%s: this host has no %s in the cgroup", field, file);
	return silo_err_errno(err, "%s: open %s", field, file);
}

int cgroup_write(int dirfd, const char *file, const char *value, const char *field,
		 struct silo_err *err)
{
	_cleanup_close_ int fd = cgroup_open_file(dirfd, file, field, err);

	return fd < 0 ? -1 : cgroup_write_fd(fd, file, value, field, err);
}

int cgroup_write_fd(int fd, const char *file, const char *value, const char *field,
		    struct silo_err *err)
{
	/* One write is one command to cgroupfs, newline-terminated as echo(1)
	 * would send it. */
	_cleanup_free_ char *line = NULL;
	size_t len;
	ssize_t n;

	if (asprintf(&line, "%s%s", value, value[0] && value[strlen(value) - 1] == '\n' ? "" : "\n") < 0)
		return silo_err_sys(err, ENOMEM, "%s", field);
	len = strlen(line);
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return silo_err_errno(err, "%s: write \"%s\" to %s", field, value, file);
	if ((size_t)n != len)
		return silo_err_set(err, EIO, "%s: short write of \"%s\" to %s", field, value, file);
	return 0;
}

int cgroup_write_u64(int dirfd, const char *file, uint64_t value, const char *field,
		     struct silo_err *err)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	return cgroup_write(dirfd, file, text, field, err);
}

int cgroup_write_i64(int dirfd, const char *file, int64_t value, const char *field,
		     struct silo_err *err)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRId64, value);
	return cgroup_write(dirfd, file, text, field, err);
}

char *cgroup_read(int dirfd, const char *file)
{
	char *text = NULL;

	if (fs_read_file_at(dirfd, file, 1024 * 1024, &text, NULL, NULL) < 0)
		return NULL;
	return text;
}

void cgroup_json_set_u64(json_t *obj, const char *key, uint64_t v)
{
	json_object_set_new(obj, key, json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v)));
}

json_t *cgroup_keyed_numbers(const char *text)
{
	json_t *obj = json_object();
	_cleanup_free_ char *copy = text ? strdup(text) : NULL;
	char *save = NULL;

	for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; obj && line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *space = strchr(line, ' ');

		if (!space)
			continue;
		*space = '\0';
		cgroup_json_set_u64(obj, line, strtoull(space + 1, NULL, 10));
	}
	return obj;
}

void cgroup_hugetlb_sizes(int dirfd, const char *suffix, char *out, size_t len)
{
	int fd = dup(dirfd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	out[0] = '\0';
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name), s = strlen(suffix);
		const char *size = e->d_name + strlen("hugetlb.");

		if (strncmp(e->d_name, "hugetlb.", 8) || n <= s + 8 || strcmp(e->d_name + n - s, suffix) ||
		    memchr(size, '.', n - s - 8))
			continue;
		snprintf(out + strlen(out), len - strlen(out), "%s%.*s", out[0] ? ", " : "",
			 (int)(n - s - 8), size);
	}
	closedir(dir);
}

int cgroup_read_u64(int dirfd, const char *file, uint64_t *out)
{
	_cleanup_free_ char *text = cgroup_read(dirfd, file);
	char *end;

	if (!text)
		return -1;
	if (!strncmp(text, "max", 3)) {
		*out = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*out = strtoull(text, &end, 10);
	if (end == text || errno)
		return -1;
	return 0;
}

int cgroup_read_keyed(int dirfd, const char *file, const char *key, uint64_t *out)
{
	_cleanup_free_ char *text = cgroup_read(dirfd, file);
	size_t len = strlen(key);

	if (!text)
		return -1;
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');

		if (!strncmp(line, key, len) && line[len] == ' ') {
			*out = strtoull(line + len + 1, NULL, 10);
			return 0;
		}
		line = next ? next + 1 : NULL;
	}
	return -1;
}

/* --- creating, entering, listing --- */

/* A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and the
 * kernel refuses tasks until both are set: copy them from the parent. */
static int cpuset_init(const char *dir, struct silo_err *err)
{
	char parent[CGROUP_PATH_MAX], file[CGROUP_PATH_MAX + 32];

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
	return 0;
}

/* Every level of dir below the mount point (base characters long) that is
 * still empty gets its parent's CPUs and memory nodes, from the top down,
 * once the whole path exists. Not only the levels we made: a parent that
 * another create made a moment ago may not be filled yet, and a child
 * copying it then gets nothing and refuses its tasks (ENOSPC). With the
 * whole path made, no level can be removed under us (it is not empty), and
 * two creates writing the same values is harmless. */
static int cpuset_fill_path(const char *dir, size_t base, struct silo_err *err)
{
	char level[CGROUP_PATH_MAX];

	for (const char *p = dir + base + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		snprintf(level, sizeof(level), "%.*s", (int)(p - dir), dir);
		if (cpuset_init(level, err) < 0)
			return -1;
		if (!*p)
			return 0;
	}
}

/* An existing cgroup may be taken over only if nothing runs in it and it is
 * not frozen: it could be another container's, and a failed create removes
 * what it uses. */
static int check_reusable(const struct cgroup_hierarchy *h, const char *path, const char *dir,
			  struct silo_err *err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *procs = NULL;

	if (fd < 0)
		return silo_err_errno(err, "open cgroup \"%s\"", dir);
	procs = cgroup_read(fd, "cgroup.procs");
	if (procs && procs[0] && procs[0] != '\n')
		return silo_err_set(err, EBUSY,
				    "cgroup \"%s\" already has processes in it (%s): another container's?",
				    path, h->mountpoint);
	if (h->v2 ? cgroup_v2_is_frozen(fd) == 1
		  : has_controller(h->controllers, "freezer") && cgroup_v1_is_frozen(fd) == 1)
		return silo_err_set(err, EBUSY, "cgroup \"%s\" exists and is frozen (%s)", path,
				    h->mountpoint);
	return 0;
}

/* Directories cgroup_create made, deepest last, to undo a failure. */
struct made_dirs {
	char **dirs;
};

/* Makes every missing level of dir below the mount point (base characters
 * long). Returns -errno of the first mkdir that failed, naming that level
 * in failed. */
static int make_levels(const char *dir, size_t base, struct made_dirs *made, char *failed)
{
	for (const char *p = dir + base + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		snprintf(failed, CGROUP_PATH_MAX, "%.*s", (int)(p - dir), dir);
		if (mkdir(failed, 0755) == 0) {
			if (strv_push(&made->dirs, failed) < 0)
				return -ENOMEM;
		} else if (errno != EEXIST) {
			return -errno;
		}
		if (!*p)
			return 0;
	}
}

/* How often a create starts its path over when a level it found or made
 * is gone before it could make the next one. */
#define MAKE_PATH_TRIES 100

static int make_path(const struct cgroup_hierarchy *h, const char *path, struct made_dirs *made,
		     struct silo_err *err)
{
	char dir[CGROUP_PATH_MAX], failed[CGROUP_PATH_MAX];
	size_t base = strlen(h->mountpoint);
	int r;

	hierarchy_dir(h, path, dir, sizeof(dir));
	/* The cgroup itself first: mostly its parents exist. */
	if (mkdir(dir, 0755) == 0) {
		if (strv_push(&made->dirs, dir) < 0) {
			rmdir(dir);
			return silo_err_sys(err, ENOMEM, "create cgroup \"%s\"", path);
		}
	} else if (errno == EEXIST) {
		if (check_reusable(h, path, dir, err) < 0)
			return -1;
	} else if (errno != ENOENT) {
		return silo_err_errno(err, "create cgroup \"%s\"", dir);
	} else {
		/* Another container's delete removes a parent it finds empty
		 * (CGROUP_DEFAULT_PARENT, the levels of a relative path), and
		 * may do so between our mkdir of that parent (or its EEXIST)
		 * and our mkdir below it, which then fails with ENOENT: make
		 * the path again. Once our own cgroup exists, it keeps every
		 * level above it. */
		r = make_levels(dir, base, made, failed);
		for (int tries = 1; r == -ENOENT && tries < MAKE_PATH_TRIES; tries++)
			r = make_levels(dir, base, made, failed);
		if (r == -ENOMEM)
			return silo_err_sys(err, ENOMEM, "create cgroup \"%s\"", path);
		if (r < 0)
			return silo_err_sys(err, -r, "create cgroup \"%s\"", failed);
	}
	if (!h->v2 && has_controller(h->controllers, "cpuset") && cpuset_fill_path(dir, base, err) < 0)
		return silo_err_prefix(err, "create cgroup \"%s\"", path);
	return 0;
}

int cgroup_create(const struct cgroup_host *host, const char *path, struct silo_err *err)
{
	struct made_dirs made = { NULL };
	int r = 0;

	for (size_t i = 0; r == 0 && i < host->n_hierarchies; i++) {
		const struct cgroup_hierarchy *h = &host->hierarchies[i];

		r = make_path(h, path, &made, err);
		/* On a v2 host the container gets every controller its parent
		 * offers, for the limits and for the statistics; on a hybrid
		 * host only those its resources ask for (cgroup_apply_...). */
		if (r == 0 && h->v2 && host->mode == CGROUP_MODE_V2 && h->controllers[0])
			r = cgroup_v2_enable(h, path, h->controllers, 0, "cgroup", err);
	}
	if (r < 0 && made.dirs)
		for (size_t i = strv_length(made.dirs); i-- > 0;)
			rmdir(made.dirs[i]);
	strv_free(made.dirs);
	return r < 0 ? -1 : 0;
}

int cgroup_join_open(const struct cgroup_host *host, const char *path, struct cgroup_join *join,
		     struct silo_err *err)
{
	join->fds = calloc(host->n_hierarchies + 1, sizeof(int));
	join->mountpoints = calloc(host->n_hierarchies + 1, sizeof(char *));
	join->n = 0;
	if (!join->fds || !join->mountpoints) {
		cgroup_join_close(join);
		return silo_err_sys(err, ENOMEM, "join cgroup \"%s\"", path);
	}
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		const struct cgroup_hierarchy *h = &host->hierarchies[i];
		char file[CGROUP_PATH_MAX + 32];
		int fd;

		if (h->v2)
			continue;
		snprintf(file, sizeof(file), "%s%s/tasks", h->mountpoint, path);
		fd = open(file, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			silo_err_errno(err, "join cgroup \"%s\": open \"%s\"", path, file);
			cgroup_join_close(join);
			return -1;
		}
		join->mountpoints[join->n] = h->mountpoint;
		join->fds[join->n++] = fd;
	}
	return 0;
}

int cgroup_join_self(struct cgroup_join *join, struct silo_err *err)
{
	int r = 0;

	for (size_t i = 0; i < join->n; i++) {
		ssize_t n;

		do
			n = write(join->fds[i], "0", 1);
		while (n < 0 && errno == EINTR);
		if (n != 1 && r == 0)
			r = silo_err_sys(err, n < 0 ? errno : EIO, "join the container's cgroup in %s",
					 join->mountpoints[i]);
	}
	cgroup_join_close(join);
	return r;
}

void cgroup_join_close(struct cgroup_join *join)
{
	for (size_t i = 0; i < join->n; i++)
		close(join->fds[i]);
	free(join->fds);
	free(join->mountpoints);
	join->fds = NULL;
	join->mountpoints = NULL;
	join->n = 0;
}

int cgroup_enter_v2(const struct cgroup_host *host, const char *path, pid_t pid,
		    struct silo_err *err)
{
	const struct cgroup_hierarchy *h = cgroup_v2_hierarchy(host);
	char file[CGROUP_PATH_MAX + 32], value[32];

	if (!h)
		return 0;
	snprintf(file, sizeof(file), "%s%s/cgroup.procs", h->mountpoint, path);
	snprintf(value, sizeof(value), "%d", pid);
	if (fs_write_string(file, value, err) < 0)
		return silo_err_prefix(err, "join cgroup \"%s\"", path);
	return 0;
}

/* The hierarchy whose cgroup.procs lists all the container's processes: the
 * v2 one wherever there is one (silo puts every process there, even on
 * hybrid hosts), else pids, else any. */
static const struct cgroup_hierarchy *tracking_hierarchy(const struct cgroup_host *host)
{
	const struct cgroup_hierarchy *h = cgroup_v2_hierarchy(host);

	if (h)
		return h;
	h = cgroup_find(host, "pids");
	if (h)
		return h;
	return host->n_hierarchies ? &host->hierarchies[0] : NULL;
}

int cgroup_read_pids(const struct cgroup_host *host, const char *path, pid_t **pids, size_t *n,
		     struct silo_err *err)
{
	const struct cgroup_hierarchy *h = tracking_hierarchy(host);
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ pid_t *out = NULL;
	size_t count = 0, cap = 0;
	struct silo_err inner;
	char file[CGROUP_PATH_MAX + 32];

	*pids = NULL;
	*n = 0;
	if (!h)
		return 0;
	snprintf(file, sizeof(file), "%s%s/cgroup.procs", h->mountpoint, path);
	if (fs_read_file(file, 16 * 1024 * 1024, &text, NULL, &inner) < 0) {
		if (inner.code == ENOENT)
			return 0;
		if (err)
			*err = inner;
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

/* --- freezing and signalling --- */

int cgroup_freeze(const struct cgroup_host *host, const char *path, int frozen,
		  struct silo_err *err)
{
	const struct cgroup_hierarchy *h = cgroup_find(host, "freezer");
	_cleanup_close_ int fd = -1;

	if (!h)
		return silo_err_set(err, ENOTSUP, "no freezer on this host (neither the v1 freezer nor cgroup v2)");
	fd = open_cgroup_dir(h, path);
	if (fd < 0)
		return silo_err_errno(err, "open cgroup \"%s\"", path);
	return h->v2 ? cgroup_v2_freeze(fd, frozen, err) : cgroup_v1_freeze(fd, frozen, err);
}

int cgroup_is_frozen(const struct cgroup_host *host, const char *path)
{
	const struct cgroup_hierarchy *h = cgroup_find(host, "freezer");
	_cleanup_close_ int fd = -1;

	if (!h)
		return 0;
	fd = open_cgroup_dir(h, path);
	if (fd < 0)
		return -1;
	return h->v2 ? cgroup_v2_is_frozen(fd) : cgroup_v1_is_frozen(fd);
}

int cgroup_path_is_frozen(const char *path)
{
	struct cgroup_host host;
	int r;

	if (!path || cgroup_detect(&host, NULL) < 0)
		return -1;
	r = cgroup_is_frozen(&host, path);
	cgroup_host_free(&host);
	return r;
}

int cgroup_signal_all(const struct cgroup_host *host, const char *path, int sig,
		      struct silo_err *err)
{
	const struct cgroup_hierarchy *v2 = cgroup_v2_hierarchy(host);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int killed = 0;

	if (cgroup_read_pids(host, path, &pids, &n, err) < 0)
		return -1;
	if (n == 0)
		return 0;
	/* cgroup.kill reaches every process at once, even one forked while
	 * we would walk the list. */
	if (sig == SIGKILL && v2) {
		_cleanup_close_ int fd = open_cgroup_dir(v2, path);

		killed = fd >= 0 && cgroup_v2_kill(fd) == 0;
	}
	for (size_t i = 0; !killed && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return silo_err_errno(err, "signal process %d in cgroup \"%s\"", pids[i], path);
	/* Frozen v1 tasks do not act on SIGKILL until thawed. */
	if (sig == SIGKILL && cgroup_is_frozen(host, path) == 1)
		cgroup_freeze(host, path, 0, NULL);
	return (int)n;
}

/* --- removing --- */

static void sleep_ms(long ms)
{
	struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&pause, NULL);
}

static int remove_dir(const char *dir, struct silo_err *err)
{
	/* rmdir answers EBUSY while the last tasks of the cgroup are still
	 * exiting; give them a moment. */
	for (int tries = 0; tries < 400; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		sleep_ms(5);
	}
	return silo_err_errno(err, "remove cgroup \"%s\"", dir);
}

/* Kills everything in the cgroup and waits (bounded) for it to be empty. A
 * fork bomb cannot outrun this: cgroup.kill is atomic, and without it the
 * cgroup is frozen while the list is signalled (cgroup_signal_all thaws it
 * after the SIGKILL). */
static void kill_everything(const struct cgroup_host *host, const char *path)
{
	int can_freeze = cgroup_find(host, "freezer") != NULL;

	for (int round = 0; round < 100; round++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;

		if (cgroup_read_pids(host, path, &pids, &n, NULL) < 0 || n == 0)
			return;
		if (can_freeze && round > 0)
			cgroup_freeze(host, path, 1, NULL);
		cgroup_signal_all(host, path, SIGKILL, NULL);
		sleep_ms(round < 10 ? 2 : 20);
	}
}

int cgroup_destroy(const struct cgroup_host *host, const char *path, int remove_parent,
		   struct silo_err *err)
{
	size_t parent_len = strlen(CGROUP_DEFAULT_PARENT);
	int r = 0;

	kill_everything(host, path);
	for (size_t i = 0; i < host->n_hierarchies; i++) {
		char dir[CGROUP_PATH_MAX];
		size_t base = strlen(host->hierarchies[i].mountpoint);

		hierarchy_dir(&host->hierarchies[i], path, dir, sizeof(dir));
		if (remove_dir(dir, r < 0 ? NULL : err) < 0) {
			r = -1;
			continue;
		}
		if (!remove_parent)
			continue;
		/* Up to and including the default parent, each ancestor goes
		 * once empty; another container may still live there. */
		for (char *slash = strrchr(dir, '/'); slash && (size_t)(slash - dir) > base;
		     slash = strrchr(dir, '/')) {
			*slash = '\0';
			if ((size_t)(slash - dir) < base + parent_len)
				break;
			if (rmdir(dir) < 0) {
				if (errno != ENOTEMPTY && errno != EBUSY && errno != ENOENT && r == 0)
					r = silo_err_errno(err, "remove cgroup \"%s\"", dir);
				break;
			}
		}
	}
	return r;
}

/* --- statistics and OOM notices --- */

static int open_for(const struct cgroup_host *host, const char *path, const char *controller,
		    int *v2)
{
	const struct cgroup_hierarchy *h = cgroup_find(host, controller);

	*v2 = h && h->v2;
	return h ? open_cgroup_dir(h, path) : -1;
}

static json_t *cpu_list(const char *text)
{
	json_t *list = json_array();

	/* "0-3,6" -> [0,1,2,3,6] */
	for (const char *p = text; list && p && *p && *p != '\n';) {
		char *end;
		unsigned long first = strtoul(p, &end, 10), last = first;

		if (end == p)
			break;
		if (*end == '-')
			last = strtoul(end + 1, &end, 10);
		for (unsigned long c = first; c <= last && c - first < 4096; c++)
			json_array_append_new(list, json_integer((json_int_t)c));
		p = *end == ',' ? end + 1 : NULL;
	}
	return list;
}

static void stats_cpuset(int fd, json_t *cpuset)
{
	static const char *const flags[] = { "cpu_exclusive", "mem_hardwall", "mem_exclusive",
					     "memory_migrate", "memory_spread_page",
					     "memory_spread_slab", "memory_pressure",
					     "sched_load_balance" };
	_cleanup_free_ char *cpus = cgroup_read(fd, "cpuset.effective_cpus");
	_cleanup_free_ char *mems = cgroup_read(fd, "cpuset.effective_mems");
	char file[64];

	if (!cpus)
		cpus = cgroup_read(fd, "cpuset.cpus");
	if (!mems)
		mems = cgroup_read(fd, "cpuset.mems");
	if (cpus)
		json_object_set_new(cpuset, "cpus", cpu_list(cpus));
	if (mems)
		json_object_set_new(cpuset, "mems", cpu_list(mems));
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		uint64_t v = 0;

		snprintf(file, sizeof(file), "cpuset.%s", flags[i]);
		cgroup_read_u64(fd, file, &v);
		json_object_set_new(cpuset, flags[i], json_integer((json_int_t)v));
	}
}

static void stats_pids(int fd, json_t *pids)
{
	uint64_t current = 0, limit = 0;

	if (cgroup_read_u64(fd, "pids.current", &current) == 0 && current)
		json_object_set_new(pids, "current", json_integer((json_int_t)current));
	/* runc leaves the limit out when there is none. */
	if (cgroup_read_u64(fd, "pids.max", &limit) == 0 && limit != UINT64_MAX && limit)
		json_object_set_new(pids, "limit", json_integer((json_int_t)limit));
}

int cgroup_stats(const struct cgroup_host *host, const char *path, json_t **out,
		 struct silo_err *err)
{
	_cleanup_json_ json_t *data = json_pack("{s:{s:{s:i, s:i}, s:{}}, s:{}, s:{}, s:{}, s:{}, s:{}, s:{}, s:n}",
						"cpu", "usage", "kernel", 0, "user", 0, "throttling",
						"cpuset", "memory", "pids", "blkio", "hugetlb",
						"intel_rdt", "network_interfaces");
	int v2, fd;

	if (!data)
		return silo_err_sys(err, ENOMEM, "statistics of cgroup \"%s\"", path);
	fd = open_for(host, path, "cpuacct", &v2);
	if (v2 || fd < 0) {
		if (fd >= 0)
			cgroup_v2_stats_cpu(fd, json_object_get(data, "cpu"));
	} else {
		int cpu_v2;
		int cpu_fd = open_for(host, path, "cpu", &cpu_v2);

		cgroup_v1_stats_cpu(fd, cpu_v2 ? -1 : cpu_fd, json_object_get(data, "cpu"));
		if (cpu_fd >= 0)
			close(cpu_fd);
	}
	if (fd >= 0)
		close(fd);
	if ((fd = open_for(host, path, "cpuset", &v2)) >= 0) {
		stats_cpuset(fd, json_object_get(data, "cpuset"));
		close(fd);
	}
	if ((fd = open_for(host, path, "memory", &v2)) >= 0) {
		(v2 ? cgroup_v2_stats_memory : cgroup_v1_stats_memory)(fd, json_object_get(data, "memory"));
		close(fd);
	}
	if ((fd = open_for(host, path, "pids", &v2)) >= 0) {
		stats_pids(fd, json_object_get(data, "pids"));
		close(fd);
	}
	if ((fd = open_for(host, path, cgroup_find(host, "blkio") ? "blkio" : "io", &v2)) >= 0) {
		(v2 ? cgroup_v2_stats_io : cgroup_v1_stats_blkio)(fd, json_object_get(data, "blkio"));
		close(fd);
	}
	if ((fd = open_for(host, path, "hugetlb", &v2)) >= 0) {
		(v2 ? cgroup_v2_stats_hugetlb : cgroup_v1_stats_hugetlb)(fd, json_object_get(data, "hugetlb"));
		close(fd);
	}
	*out = steal_pointer(&data);
	return 0;
}

int cgroup_oom_watch_open(const struct cgroup_host *host, const char *path,
			  struct cgroup_oom_watch *watch, struct silo_err *err)
{
	int v2;
	int fd = open_for(host, path, "memory", &v2);

	memset(watch, 0, sizeof(*watch));
	watch->fd = watch->cgroup_fd = watch->event_fd = -1;
	if (fd < 0)
		return silo_err_set(err, ENOTSUP, "no memory controller for cgroup \"%s\"", path);
	watch->v2 = v2;
	watch->cgroup_fd = fd;
	if (v2) {
		uint64_t kills;

		cgroup_v2_memory_events(fd, &watch->seen, &kills);
		watch->fd = cgroup_v2_oom_watch(fd, err);
	} else {
		watch->fd = watch->event_fd = cgroup_v1_oom_watch(fd, err);
	}
	if (watch->fd < 0) {
		cgroup_oom_watch_close(watch);
		return -1;
	}
	return 0;
}

int cgroup_oom_watch_read(struct cgroup_oom_watch *watch, uint64_t *events)
{
	*events = 0;
	if (watch->v2) {
		char buf[4096];
		uint64_t oom = 0, kills;

		/* Drain the inotify events; the count is in the file. */
		while (read(watch->fd, buf, sizeof(buf)) > 0)
			;
		if (cgroup_v2_memory_events(watch->cgroup_fd, &oom, &kills) == 0 && oom > watch->seen) {
			*events = oom - watch->seen;
			watch->seen = oom;
		}
		return 0;
	}
	/* v1 also signals the eventfd when the cgroup goes away: that is no
	 * OOM. */
	if (read(watch->event_fd, events, sizeof(*events)) != sizeof(*events))
		*events = 0;
	if (!cgroup_has_file(watch->cgroup_fd, "memory.oom_control"))
		*events = 0;
	return 0;
}

void cgroup_oom_watch_close(struct cgroup_oom_watch *watch)
{
	if (watch->fd >= 0)
		close(watch->fd);
	if (watch->cgroup_fd >= 0)
		close(watch->cgroup_fd);
	watch->fd = watch->cgroup_fd = watch->event_fd = -1;
}

/* --- applying --- */

/* Opens the container's directory in the hierarchy of controller, after
 * making sure a v2 cgroup has the controller. */
static int family_dir(const struct cgroup_host *host, const char *path, const char *controller,
		      const char *field, const struct cgroup_hierarchy **out, struct silo_err *err)
{
	const struct cgroup_hierarchy *h = cgroup_find(host, controller);
	int fd;

	if (!h) {
		if (host->mode == CGROUP_MODE_V2 &&
		    (!strcmp(controller, "net_cls") || !strcmp(controller, "net_prio")))
			return silo_err_set(err, ENOTSUP,
					    "%s: cgroup v2 has no %s controller (match the cgroup in nftables instead)",
					    field, controller);
		return silo_err_set(err, ENOTSUP, "%s: no %s controller on this host", field, controller);
	}
	if (h->v2 && strcmp(controller, "devices") && strcmp(controller, "freezer") &&
	    cgroup_v2_enable(h, path, controller, 1, field, err) < 0)
		return -1;
	fd = open_cgroup_dir(h, path);
	if (fd < 0)
		return silo_err_errno(err, "%s: open cgroup \"%s\"", field, path);
	*out = h;
	return fd;
}

static int check_before_update(int dirfd, int v2, const struct cgroup_memory *m,
			       struct silo_err *err)
{
	uint64_t usage;

	if (!m->check_before_update || !m->has_limit || m->limit < 0)
		return 0;
	if (cgroup_read_u64(dirfd, v2 ? "memory.current" : "memory.usage_in_bytes", &usage) < 0)
		return 0;
	if (usage > (uint64_t)m->limit)
		return silo_err_set(err, EBUSY,
				    "linux.resources.memory.limit: %" PRId64 " is below the current usage of %" PRIu64 " bytes (checkBeforeUpdate)",
				    m->limit, usage);
	return 0;
}

static int apply_simple(int dirfd, const struct cgroup_resources *res, const char *family,
			struct silo_err *err)
{
	if (!strcmp(family, "cpuset")) {
		/* Memory nodes first: a task must always have somewhere to
		 * allocate. The file names are the same in both versions. */
		if (res->cpu.mems &&
		    cgroup_write(dirfd, "cpuset.mems", res->cpu.mems, "linux.resources.cpu.mems", err) < 0)
			return -1;
		if (res->cpu.cpus &&
		    cgroup_write(dirfd, "cpuset.cpus", res->cpu.cpus, "linux.resources.cpu.cpus", err) < 0)
			return -1;
		return 0;
	}
	if (!strcmp(family, "pids")) {
		if (res->pids_limit <= 0)
			return cgroup_write(dirfd, "pids.max", "max", "linux.resources.pids.limit", err);
		return cgroup_write_i64(dirfd, "pids.max", res->pids_limit, "linux.resources.pids.limit",
					err);
	}
	/* rdma.max reads the same in both versions: "DEV hca_handle=N hca_object=N". */
	for (size_t i = 0; i < res->n_rdma; i++) {
		const struct cgroup_rdma_limit *l = &res->rdma[i];
		char line[256], field[FIELD_MAX];
		int len = snprintf(line, sizeof(line), "%s", l->device);

		if (l->has_handles)
			len += snprintf(line + len, sizeof(line) - len, " hca_handle=%u", l->handles);
		if (l->has_objects)
			snprintf(line + len, sizeof(line) - len, " hca_object=%u", l->objects);
		snprintf(field, sizeof(field), "linux.resources.rdma[\"%s\"]", l->device);
		if (cgroup_write(dirfd, "rdma.max", line, field, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_unified(const struct cgroup_host *host, const char *path,
			 const struct cgroup_resources *res, struct silo_err *err)
{
	const struct cgroup_hierarchy *v2 = cgroup_v2_hierarchy(host);
	_cleanup_close_ int fd = -1;

	if (!v2)
		return silo_err_set(err, ENOTSUP,
				    "linux.resources.unified: needs cgroup v2, and this host has only cgroup v1");
	fd = open_cgroup_dir(v2, path);
	if (fd < 0)
		return silo_err_errno(err, "linux.resources.unified: open cgroup \"%s\"", path);
	for (size_t i = 0; i < res->n_unified; i++) {
		const struct cgroup_unified_entry *e = &res->unified[i];
		char controller[64], field[FIELD_MAX];
		size_t len = strcspn(e->key, ".");

		snprintf(field, sizeof(field), "linux.resources.unified[\"%s\"]", e->key);
		snprintf(controller, sizeof(controller), "%.*s", (int)len, e->key);
		/* cgroup.* files belong to every cgroup; a controller's file
		 * needs the controller here, on the v2 side. */
		if (strcmp(controller, "cgroup")) {
			const struct cgroup_hierarchy *h = cgroup_find(host, controller);

			if (h && !h->v2)
				return silo_err_set(err, ENOTSUP,
						    "%s: the %s controller is bound to cgroup v1 on this hybrid host; use the v1 field of linux.resources",
						    field, controller);
			if (!h)
				return silo_err_set(err, ENOTSUP, "%s: no %s controller on this host", field,
						    controller);
			if (cgroup_v2_enable(v2, path, controller, 1, field, err) < 0)
				return -1;
		}
		if (cgroup_v2_apply_unified(fd, e, 1, err) < 0)
			return -1;
	}
	return 0;
}

/* hugetlb.<size><limit> on v1 (".limit_in_bytes") and v2 (".max") alike,
 * and the reservation limit beside it where the kernel has one. */
static int apply_hugepages(int dirfd, const struct cgroup_hugepage_limit *limits, size_t n,
			   const char *limit, struct silo_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char file[128], rsvd[128], field[FIELD_MAX], sizes[256];

		snprintf(field, sizeof(field), "linux.resources.hugepageLimits[%zu]", i);
		snprintf(file, sizeof(file), "hugetlb.%s%s", limits[i].page_size, limit);
		snprintf(rsvd, sizeof(rsvd), "hugetlb.%s.rsvd%s", limits[i].page_size, limit);
		if (!cgroup_has_file(dirfd, file)) {
			cgroup_hugetlb_sizes(dirfd, limit, sizes, sizeof(sizes));
			return silo_err_set(err, ENOTSUP, "%s.pageSize: no %s huge pages on this host (it has: %s)",
					    field, limits[i].page_size, sizes[0] ? sizes : "none");
		}
		if (cgroup_write_u64(dirfd, file, limits[i].limit, field, err) < 0)
			return -1;
		/* The spec prefers limiting reservations where the kernel can
		 * (no SIGBUS at fault time); both are set, so either way holds. */
		if (cgroup_has_file(dirfd, rsvd) && cgroup_write_u64(dirfd, rsvd, limits[i].limit, field, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_family(const struct cgroup_host *host, const char *path,
			const struct cgroup_resources *res, const char *controller, const char *field,
			int update, struct silo_err *err)
{
	const struct cgroup_hierarchy *h = NULL;
	_cleanup_close_ int fd = family_dir(host, path, controller, field, &h, err);

	if (fd < 0)
		return -1;
	if (!strcmp(controller, "memory")) {
		if (update && check_before_update(fd, h->v2, &res->memory, err) < 0)
			return -1;
		return h->v2 ? cgroup_v2_apply_memory(fd, &res->memory, err)
			     : cgroup_v1_apply_memory(fd, &res->memory, err);
	}
	if (!strcmp(controller, "cpu"))
		return h->v2 ? cgroup_v2_apply_cpu(fd, &res->cpu, err) : cgroup_v1_apply_cpu(fd, &res->cpu, err);
	if (!strcmp(controller, "blkio") || !strcmp(controller, "io"))
		return h->v2 ? cgroup_v2_apply_io(fd, &res->block_io, err)
			     : cgroup_v1_apply_block_io(fd, &res->block_io, err);
	if (!strcmp(controller, "hugetlb"))
		return apply_hugepages(fd, res->hugepages, res->n_hugepages,
				       h->v2 ? ".max" : ".limit_in_bytes", err);
	if (!strcmp(controller, "net_cls"))
		return cgroup_v1_apply_net_cls(fd, res->network_class_id, err);
	if (!strcmp(controller, "net_prio"))
		return cgroup_v1_apply_net_prio(fd, res->net_priorities, res->n_net_priorities, err);
	if (!strcmp(controller, "devices"))
		return h->v2 ? cgroup_devices_bpf_apply(fd, res->devices, res->n_devices, err)
			     : cgroup_v1_apply_devices(fd, res->devices, res->n_devices, err);
	return apply_simple(fd, res, controller, err);
}

static int apply(const struct cgroup_host *host, const char *path,
		 const struct cgroup_resources *res, int update, struct silo_err *err)
{
	const char *io = cgroup_find(host, "blkio") ? "blkio" : "io";

	if (res->has_cpuset && apply_family(host, path, res, "cpuset", "linux.resources.cpu", update, err) < 0)
		return -1;
	if (res->has_memory && apply_family(host, path, res, "memory", "linux.resources.memory", update, err) < 0)
		return -1;
	if (res->has_cpu && apply_family(host, path, res, "cpu", "linux.resources.cpu", update, err) < 0)
		return -1;
	if (res->has_pids && apply_family(host, path, res, "pids", "linux.resources.pids", update, err) < 0)
		return -1;
	if (res->has_block_io &&
	    apply_family(host, path, res, io, "linux.resources.blockIO", update, err) < 0)
		return -1;
	if (res->n_hugepages &&
	    apply_family(host, path, res, "hugetlb", "linux.resources.hugepageLimits", update, err) < 0)
		return -1;
	if (res->has_network_class &&
	    apply_family(host, path, res, "net_cls", "linux.resources.network.classID", update, err) < 0)
		return -1;
	if (res->n_net_priorities &&
	    apply_family(host, path, res, "net_prio", "linux.resources.network.priorities", update, err) < 0)
		return -1;
	if (res->n_rdma && apply_family(host, path, res, "rdma", "linux.resources.rdma", update, err) < 0)
		return -1;
	if (res->has_devices &&
	    apply_family(host, path, res, "devices", "linux.resources.devices", update, err) < 0)
		return -1;
	/* Last, so that a raw value wins over the converted fields. */
	if (res->n_unified && apply_unified(host, path, res, err) < 0)
		return -1;
	return 0;
}

static int apply_json(const struct cgroup_host *host, const char *path, json_t *resources,
		      json_t *linux_devices, int update, struct silo_err *err)
{
	struct cgroup_resources res;
	int r;

	if (cgroup_resources_parse(resources, linux_devices, &res, err) < 0)
		return update ? -1 : silo_err_prefix(err, "config.json");
	r = apply(host, path, &res, update, err);
	cgroup_resources_free(&res);
	if (r < 0 && !update)
		return silo_err_prefix(err, "config.json");
	return r;
}

int cgroup_apply_resources(const struct cgroup_host *host, const char *path, json_t *resources,
			   json_t *linux_devices, struct silo_err *err)
{
	return apply_json(host, path, resources, linux_devices, 0, err);
}

int cgroup_update_resources(const struct cgroup_host *host, const char *path, json_t *resources,
			    json_t *linux_devices, struct silo_err *err)
{
	return apply_json(host, path, resources, linux_devices, 1, err);
}
