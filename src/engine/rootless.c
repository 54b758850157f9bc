/* The rootless engine's paths and user namespace (see rootless.h).
 *
 * Making the namespace: a forked child unshares a user and a mount
 * namespace and waits; we, still outside, write its ID maps (an
 * unprivileged process can only have newuidmap/newgidmap do that for
 * ranges beyond its own ID, and only from outside the namespace); then the
 * child becomes the holder and we join it like every later command. The
 * holder's PID file is read and written under a lock, and the holder only
 * leaves holding that lock, so a command never joins a holder on its way
 * out. */
#include "engine/rootless.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/nsfs.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/record.h"
#include "runtime/userns.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/subid.h"

#define HOLDER_NAME "silo-userns"
#define MAX_RANGES 16
/* The holder looks this often (seconds) for anything else in the
 * namespace, and leaves after this many looks in a row found nothing. */
#define HOLDER_CHECK_SECONDS 1
#define HOLDER_IDLE_CHECKS 2

int engine_rootless(void)
{
	return !subid_host_root();
}

/* ---------------------------------------------------------------- paths -- */

static int set_store_root(struct silo_err *err)
{
	const char *data = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	_cleanup_free_ char *path = NULL;

	if (getenv("SILO_ROOT") && *getenv("SILO_ROOT"))
		return 0;
	if (data && data[0] == '/') {
		if (asprintf(&path, "%s/silo", data) < 0)
			path = NULL;
	} else {
		if (!home || home[0] != '/') {
			struct passwd *pw = getpwuid(geteuid());

			home = pw ? pw->pw_dir : NULL;
		}
		if (!home || home[0] != '/')
			return silo_err_set(err, ENOENT,
					    "rootless store: set XDG_DATA_HOME or HOME, or give --root");
		if (asprintf(&path, "%s/.local/share/silo", home) < 0)
			path = NULL;
	}
	if (!path || setenv("SILO_ROOT", path, 1) < 0)
		return silo_err_sys(err, ENOMEM, "rootless store");
	return 0;
}

/* $XDG_RUNTIME_DIR/silo, else /tmp/silo-UID: a directory in a shared /tmp
 * that must be ours, not one another user made for us to use. */
static int set_runtime_root(struct silo_err *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (!getenv("SILO_RUNTIME_ROOT") || !*getenv("SILO_RUNTIME_ROOT")) {
		if (xdg && xdg[0] == '/') {
			if (asprintf(&path, "%s/silo", xdg) < 0)
				path = NULL;
		} else if (asprintf(&path, "/tmp/silo-%u", (unsigned)geteuid()) < 0) {
			path = NULL;
		}
		if (!path || setenv("SILO_RUNTIME_ROOT", path, 1) < 0)
			return silo_err_sys(err, ENOMEM, "rootless runtime root");
	}
	path = strdup(getenv("SILO_RUNTIME_ROOT"));
	if (!path)
		return silo_err_sys(err, ENOMEM, "rootless runtime root");
	if (mkdir(path, 0700) < 0 && errno != EEXIST && fs_mkdir_p(path, 0700, err) < 0)
		return silo_err_prefix(err, "rootless runtime root");
	if (lstat(path, &st) < 0)
		return silo_err_errno(err, "rootless runtime root \"%s\"", path);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return silo_err_set(err, EPERM,
				    "rootless runtime root \"%s\" is not a directory of yours: set XDG_RUNTIME_DIR",
				    path);
	return 0;
}

/* --------------------------------------------------------------- holder -- */

/* Whether any process but us is in our user namespace. */
static int namespace_has_others(void)
{
	_cleanup_closedir_ DIR *proc = opendir("/proc");
	struct stat self, other;
	struct dirent *d;
	pid_t me = getpid();

	if (!proc || stat("/proc/self/ns/user", &self) < 0)
		return 1;
	while ((d = readdir(proc))) {
		char path[64];
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0 || pid == me)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/user", pid);
		/* Another user's process is not readable, and not ours. */
		if (stat(path, &other) == 0 && other.st_ino == self.st_ino && other.st_dev == self.st_dev)
			return 1;
	}
	return 0;
}

static __attribute__((noreturn)) void holder_live(const char *dir)
{
	char lock_path[4096], pid_path[4096];
	int idle = 0, devnull;

	snprintf(lock_path, sizeof(lock_path), "%s/lock", dir);
	snprintf(pid_path, sizeof(pid_path), "%s/pid", dir);
	/* Out of the caller's session and away from its descriptors and
	 * working directory, which it may want to unmount. */
	setsid();
	if (chdir("/") < 0)
		_exit(1);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; devnull >= 0 && fd < 3; fd++)
		dup2(devnull, fd);
	syscall(SYS_close_range, 3U, ~0U, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		int lock;

		sleep(HOLDER_CHECK_SECONDS);
		if (namespace_has_others()) {
			idle = 0;
			continue;
		}
		if (++idle < HOLDER_IDLE_CHECKS)
			continue;
		lock = open(lock_path, O_RDWR | O_CLOEXEC);
		/* With its state directory gone no command can find it. */
		if (lock < 0 && errno == ENOENT)
			_exit(0);
		if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
			if (lock >= 0)
				close(lock);
			continue;
		}
		/* A command may have joined between the look and the lock. */
		if (namespace_has_others()) {
			close(lock);
			idle = 0;
			continue;
		}
		unlink(pid_path);
		_exit(0);
	}
}

/* 0 → our own ID (own), 1… → the ranges FILE gives our user (subid(5)
 * names users, by name or UID, in both files). */
static json_t *build_maps(const char *file, unsigned long own, const char *name,
			  struct silo_err *err)
{
	struct subid_range ranges[MAX_RANGES];
	json_t *maps = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)own,
				 "size", 1);
	unsigned long next = 1;
	int n;

	if (!maps) {
		silo_err_sys(err, ENOMEM, "user namespace maps");
		return NULL;
	}
	n = subid_ranges(file, name, geteuid(), ranges, MAX_RANGES, err);
	if (n < 0) {
		json_decref(maps);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		json_array_append_new(maps, json_pack("{s:I, s:I, s:I}", "containerID", (json_int_t)next,
						      "hostID", (json_int_t)ranges[i].start, "size",
						      (json_int_t)ranges[i].count));
		next += ranges[i].count;
	}
	return maps;
}

static int read_full(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/* The holder's side: in the new namespaces, forked once more so that it
 * is no child of ours (a foreground run waits for its children), it waits
 * for its maps, then lives on. */
static __attribute__((noreturn)) void holder_child(const char *dir, int up, int down)
{
	char c;
	pid_t pid;

	c = unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ? (char)errno : 0;
	pid = c ? -1 : fork();
	if (pid != 0) {
		if (pid < 0 && !c)
			c = (char)errno;
		if (write(up, &c, 1) != 1 || c || write(up, &pid, sizeof(pid)) != sizeof(pid))
			_exit(1);
		_exit(0);
	}
	if (read_full(down, &c, 1) < 0 || c)
		_exit(1);
	/* Host mounts made later still show inside; ours never leave. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		_exit(1);
	prctl(PR_SET_NAME, HOLDER_NAME);
	if (write(up, &c, 1) != 1)
		_exit(1);
	holder_live(dir);
}

/* Makes the namespace and its holder; returns the holder's PID. */
static pid_t holder_make(const char *dir, struct silo_err *err)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *name = pw ? pw->pw_name : NULL;
	_cleanup_json_ json_t *uid_maps = build_maps("/etc/subuid", geteuid(), name, err);
	_cleanup_json_ json_t *gid_maps = uid_maps ? build_maps("/etc/subgid", getegid(), name, err) : NULL;
	_cleanup_close_ int up_read = -1;
	_cleanup_close_ int down_write = -1;
	int up[2], down[2], status;
	pid_t child, pid = -1;
	char c = 0;

	if (!uid_maps || !gid_maps)
		return -1;
	if (pipe2(up, O_CLOEXEC) < 0)
		return silo_err_errno(err, "user namespace: pipe");
	up_read = up[0];
	if (pipe2(down, O_CLOEXEC) < 0) {
		close(up[1]);
		return silo_err_errno(err, "user namespace: pipe");
	}
	down_write = down[1];
	child = fork();
	if (child == 0) {
		close(up[0]);
		close(down[1]);
		holder_child(dir, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	if (child < 0)
		return silo_err_errno(err, "user namespace: fork");
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (read_full(up_read, &c, 1) < 0 || c || read_full(up_read, &pid, sizeof(pid)) < 0)
		return silo_err_sys(err, c ? c : EIO,
				    "create a user namespace (user.max_user_namespaces may be 0)");
	if (userns_write_map_arrays(uid_maps, gid_maps, pid, err) < 0) {
		kill(pid, SIGKILL);
		return silo_err_prefix(err, "rootless user namespace");
	}
	if (write(down_write, &c, 1) != 1 || read_full(up_read, &c, 1) < 0) {
		kill(pid, SIGKILL);
		return silo_err_set(err, EIO, "rootless user namespace: the holder process failed");
	}
	return pid;
}

/* A holder killed while containers ran leaves their namespace without
 * one, though their monitors are still in it: a new holder joins it from
 * a monitor (the records name their PIDs), so later commands reach those
 * containers again rather than make a namespace of their own. Returns the
 * new holder's PID, or -1 when no monitor of ours is alive. */
static pid_t holder_adopt(const char *store_root, const char *dir)
{
	_cleanup_json_ json_t *records = NULL;
	struct silo_err ignored = { 0 };
	size_t i;
	json_t *rec;

	if (!store_root || record_list(store_root, &records, &ignored) < 0)
		return -1;
	json_array_foreach(records, i, rec) {
		json_int_t monitor = json_integer_value(json_object_get(json_object_get(rec, "state"), "monitorPid"));
		_cleanup_close_ int user_fd = -1;
		_cleanup_close_ int mnt_fd = -1;
		char path[64], c = 1;
		int p[2], status;
		uid_t owner;
		pid_t child, pid = -1;

		if (monitor <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%lld/ns/user", (long long)monitor);
		user_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (user_fd < 0 || ioctl(user_fd, NS_GET_OWNER_UID, &owner) < 0 || owner != geteuid())
			continue;
		snprintf(path, sizeof(path), "/proc/%lld/ns/mnt", (long long)monitor);
		mnt_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (mnt_fd < 0 || pipe2(p, O_CLOEXEC) < 0)
			continue;
		child = fork();
		if (child == 0) {
			int q[2];

			close(p[0]);
			if (pipe2(q, O_CLOEXEC) < 0)
				_exit(1);
			/* Once more, so that the holder is no child of ours. */
			pid = fork();
			if (pid == 0) {
				close(q[0]);
				if (setns(user_fd, CLONE_NEWUSER) < 0 || setns(mnt_fd, CLONE_NEWNS) < 0)
					_exit(1);
				prctl(PR_SET_NAME, HOLDER_NAME);
				c = 0;
				if (write(q[1], &c, 1) != 1)
					_exit(1);
				holder_live(dir);
			}
			close(q[1]);
			/* Its PID, then its word that it is in place. */
			if (pid < 0 || read_full(q[0], &c, 1) < 0 ||
			    write(p[1], &pid, sizeof(pid)) != sizeof(pid) || write(p[1], &c, 1) != 1)
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		if (child > 0)
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
		/* The PID first (from the child), then the holder's byte. */
		if (child > 0 && read_full(p[0], &pid, sizeof(pid)) == 0 && read_full(p[0], &c, 1) == 0 &&
		    c == 0) {
			close(p[0]);
			return pid;
		}
		close(p[0]);
	}
	return -1;
}

/* The namespaces of a live holder of ours, or -1 each. */
static int holder_open(pid_t pid, int *user_fd, int *mnt_fd)
{
	char path[64], comm[32] = "";
	_cleanup_close_ int comm_fd = -1;
	uid_t owner;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm_fd = open(path, O_RDONLY | O_CLOEXEC);
	n = comm_fd < 0 ? -1 : read(comm_fd, comm, sizeof(comm) - 1);
	if (n <= 0 || strncmp(comm, HOLDER_NAME "\n", strlen(HOLDER_NAME) + 1))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	*user_fd = open(path, O_RDONLY | O_CLOEXEC);
	/* A recycled PID of someone else's process has another owner. */
	if (*user_fd < 0 || ioctl(*user_fd, NS_GET_OWNER_UID, &owner) < 0 || owner != geteuid()) {
		if (*user_fd >= 0)
			close(*user_fd);
		*user_fd = -1;
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	*mnt_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*mnt_fd < 0) {
		close(*user_fd);
		*user_fd = -1;
		return -1;
	}
	return 0;
}

static pid_t read_pid(const char *path)
{
	_cleanup_free_ char *text = NULL;
	struct silo_err ignored = { 0 };
	long pid;

	if (fs_read_file(path, 64, &text, NULL, &ignored) < 0)
		return -1;
	pid = strtol(text, NULL, 10);
	return pid > 0 ? (pid_t)pid : -1;
}

static int join(int user_fd, int mnt_fd, struct silo_err *err)
{
	_cleanup_free_ char *cwd = getcwd(NULL, 0);

	/* The owner of a user namespace has every capability in it, and with
	 * them may join its mount namespace. */
	if (setns(user_fd, CLONE_NEWUSER) < 0)
		return silo_err_errno(err, "join the rootless user namespace");
	if (setns(mnt_fd, CLONE_NEWNS) < 0)
		return silo_err_errno(err, "join the rootless mount namespace");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return silo_err_errno(err, "become root of the rootless user namespace");
	/* Joining a mount namespace moves us to its root directory. */
	if (cwd && chdir(cwd) < 0)
		return silo_err_errno(err, "return to \"%s\" in the rootless mount namespace", cwd);
	return 0;
}

int engine_rootless_enter(const char *store_root, struct silo_err *err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *pid_path = NULL;
	_cleanup_free_ char *lock_path = NULL;
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int user_fd = -1;
	_cleanup_close_ int mnt_fd = -1;
	char text[32];
	pid_t pid;

	/* The host's root, or already inside (a re-executed copy of us). */
	if (geteuid() == 0)
		return 0;
	if (!store_root && set_store_root(err) < 0)
		return -1;
	if (set_runtime_root(err) < 0)
		return -1;
	if (asprintf(&dir, "%s/.userns", getenv("SILO_RUNTIME_ROOT")) < 0 ||
	    asprintf(&pid_path, "%s/pid", dir) < 0 || asprintf(&lock_path, "%s/lock", dir) < 0)
		return silo_err_sys(err, ENOMEM, "rootless user namespace");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return silo_err_errno(err, "create \"%s\"", dir);
	lock = fs_lock_file(lock_path, err);
	if (lock < 0)
		return -1;
	pid = read_pid(pid_path);
	if (pid < 0 || holder_open(pid, &user_fd, &mnt_fd) < 0) {
		pid = holder_adopt(store_root ? store_root : getenv("SILO_ROOT"), dir);
		if (pid < 0)
			pid = holder_make(dir, err);
		if (pid < 0)
			return -1;
		if (holder_open(pid, &user_fd, &mnt_fd) < 0)
			return silo_err_set(err, EIO, "rootless user namespace: the holder process is gone");
		snprintf(text, sizeof(text), "%d\n", pid);
		if (fs_write_file_replace(pid_path, text, strlen(text), 0600, err) < 0)
			return -1;
	}
	return join(user_fd, mnt_fd, err);
}

/* ----------------------------------------------------------- the config -- */

/* Whether id (inside) is mapped in /proc/self/uid_map or gid_map. */
static int id_mapped(const char *map_file, unsigned long id)
{
	_cleanup_fclose_ FILE *f = fopen(map_file, "re");
	unsigned long inside, outside, count;

	while (f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
		if (id >= inside && id - inside < count)
			return 1;
	return 0;
}

static const struct {
	const char *key;
	const char *flags;
} limit_flags[] = {
	{ "memory", "--memory/--memory-swap" },
	{ "cpu", "--cpus/--cpu-shares/--cpuset-cpus" },
	{ "pids", "--pids-limit" },
	{ "blockIO", "the block I/O flags" },
	{ "hugepageLimits", "the hugepage flags" },
	{ "unified", "the cgroup flags" },
};

int engine_rootless_adjust_config(json_t *config, struct silo_err *err)
{
	json_t *linux_section = json_object_get(config, "linux");
	json_t *resources = json_object_get(linux_section, "resources");
	json_t *mounts = json_object_get(config, "mounts");
	int gid5 = id_mapped("/proc/self/gid_map", 5);

	for (size_t i = 0; i < sizeof(limit_flags) / sizeof(limit_flags[0]); i++)
		if (json_object_get(resources, limit_flags[i].key))
			return silo_err_set(err, EPERM, "%s: %s", limit_flags[i].flags,
					    ENGINE_ROOTLESS_NO_CGROUP);
	/* Without a cgroup there is nothing to hold device rules: the user
	 * namespace already keeps the container from making device nodes,
	 * and the ones it gets are bound from the host. */
	json_object_del(linux_section, "resources");
	for (size_t i = json_array_size(mounts); i-- > 0;) {
		json_t *m = json_array_get(mounts, i);
		const char *type = json_string_value(json_object_get(m, "type"));
		json_t *options = json_object_get(m, "options");

		/* cgroupfs v1 cannot be mounted in a user namespace. */
		if (type && !strcmp(type, "cgroup")) {
			json_array_remove(mounts, i);
			continue;
		}
		/* devpts's gid=5 needs group 5 mapped: not with a single ID. */
		for (size_t j = json_array_size(options); !gid5 && type && !strcmp(type, "devpts") && j-- > 0;)
			if (!strcmp(json_string_value(json_array_get(options, j)) ?: "", "gid=5"))
				json_array_remove(options, j);
	}
	return 0;
}

int engine_rootless_check_tun(const char *mode, struct silo_err *err)
{
	struct stat st;

	/* access() checks with our real IDs: the user's, seen from the host. */
	if (access("/dev/net/tun", R_OK | W_OK) == 0)
		return 0;
	if (stat("/dev/net/tun", &st) < 0)
		return silo_err_errno(err, "--network %s: /dev/net/tun (the tun driver, which it needs)",
				      mode);
	return silo_err_set(err, EACCES,
			    "--network %s: /dev/net/tun (mode %04o) is not open to unprivileged users; as root run `chmod 0666 /dev/net/tun` (udev's usual mode), or use --network none or host",
			    mode, st.st_mode & 07777);
}

/* A route to 0.0.0.0/0 or ::/0 in the host's tables. */
static int has_default_route(void)
{
	_cleanup_fclose_ FILE *v4 = fopen("/proc/net/route", "re");
	_cleanup_fclose_ FILE *v6 = fopen("/proc/net/ipv6_route", "re");
	char line[512];

	while (v4 && fgets(line, sizeof(line), v4)) {
		char ifname[64], dest[16];

		if (sscanf(line, "%63s %15s", ifname, dest) == 2 && !strcmp(dest, "00000000"))
			return 1;
	}
	while (v6 && fgets(line, sizeof(line), v6)) {
		char dest[40], ifname[64];
		unsigned int len;

		if (sscanf(line, "%39s %x %*s %*s %*s %*s %*s %*s %*s %63s", dest, &len, ifname) == 3 &&
		    len == 0 && strcmp(ifname, "lo") && !strcmp(dest, "00000000000000000000000000000000"))
			return 1;
	}
	return 0;
}

static int in_path(const char *program)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = strdup(path && *path ? path : "/usr/bin:/bin");
	char *dir, *save = NULL;

	for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir; dir = strtok_r(NULL, ":", &save)) {
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", dir, program);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

const char *engine_rootless_default_network(void)
{
	return in_path("pasta") && has_default_route() ? "pasta" : "slirp4netns";
}
