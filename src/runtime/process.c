/* The container process's last steps before it becomes the user's program. */
#include "runtime/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/capabilities.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int process_apply_rlimits(const struct spec_process *proc, struct silo_err *err)
{
	for (size_t i = 0; i < proc->n_rlimits; i++) {
		const struct spec_rlimit *r = &proc->rlimits[i];
		struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };

		if (setrlimit(r->resource, &lim) < 0) {
			struct rlimit host;
			int saved = errno;

			if (saved == EPERM && getrlimit(r->resource, &host) == 0 && host.rlim_max < r->hard)
				return silo_err_set(err, EPERM,
						    "config.json: process.rlimits: %s hard limit %llu is above the host's %llu (raising it needs CAP_SYS_RESOURCE)",
						    spec_rlimit_name(r->resource), (unsigned long long)r->hard,
						    (unsigned long long)host.rlim_max);
			return silo_err_sys(err, saved, "config.json: process.rlimits: set %s to %llu/%llu",
					    spec_rlimit_name(r->resource), (unsigned long long)r->soft,
					    (unsigned long long)r->hard);
		}
	}
	return 0;
}

static int is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

int process_find_executable(const struct spec_process *proc, char **path, struct silo_err *err)
{
	const char *name = proc->args[0];
	const char *search;
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (strchr(name, '/')) {
		struct stat st;

		if (stat(name, &st) < 0)
			return silo_err_errno(err, "exec \"%s\"", name);
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			return silo_err_set(err, EACCES, "exec \"%s\": not an executable file", name);
		*path = strdup(name);
		return *path ? 0 : silo_err_sys(err, ENOMEM, "exec \"%s\"", name);
	}
	search = strv_env_get(proc->env, "PATH");
	copy = strdup(search ? search : DEFAULT_PATH);
	if (!copy)
		return silo_err_sys(err, ENOMEM, "exec \"%s\"", name);
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char candidate[PATH_MAX];

		snprintf(candidate, sizeof(candidate), "%s/%s", *dir ? dir : ".", name);
		if (is_executable(candidate)) {
			*path = strdup(candidate);
			return *path ? 0 : silo_err_sys(err, ENOMEM, "exec \"%s\"", name);
		}
	}
	return silo_err_set(err, ENOENT, "exec \"%s\": executable file not found in $PATH", name);
}

static int setgroups_denied(void)
{
	_cleanup_free_ char *text = NULL;

	return fs_read_file("/proc/self/setgroups", 64, &text, NULL, NULL) == 0 &&
	       str_has_prefix(text, "deny");
}

static int switch_user(const struct spec_user *user, struct silo_err *err)
{
	/* In a user namespace an unprivileged user made, setgroups(2) is
	 * denied for good; with nothing to add, there is nothing to change
	 * either (the namespace maps only that user's own group). */
	if (setgroups(user->n_additional_gids, user->additional_gids) < 0 &&
	    !(errno == EPERM && user->n_additional_gids == 0 && setgroups_denied()))
		return silo_err_errno(err, "set additional groups");
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return silo_err_errno(err, "set gid %u", user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return silo_err_errno(err, "set uid %u", user->uid);
	return 0;
}

/* Closes, for real, every descriptor a container must not inherit: a
 * leaked directory descriptor is a way out of the root (CVE-2024-21626).
 * keep_fd survives until execve closes it. */
static int close_inherited_fds(int first_open_fd, int keep_fd, struct silo_err *err)
{
	unsigned int first = (unsigned int)first_open_fd;

	if (keep_fd >= first_open_fd) {
		if (keep_fd > first_open_fd &&
		    syscall(SYS_close_range, first, (unsigned int)keep_fd - 1, 0) < 0)
			return silo_err_errno(err, "close inherited descriptors");
		first = (unsigned int)keep_fd + 1;
		if (fcntl(keep_fd, F_SETFD, FD_CLOEXEC) < 0)
			return silo_err_errno(err, "mark descriptor close-on-exec");
	}
	if (syscall(SYS_close_range, first, ~0U, 0) < 0)
		return silo_err_errno(err, "close inherited descriptors");
	return 0;
}

void process_close_callers_fds(int first_open_fd)
{
	_cleanup_closedir_ DIR *dir = opendir("/proc/self/fd");
	struct rlimit limit = { 0 };
	struct dirent *e;
	int fd, flags;

	if (!dir) {
		getrlimit(RLIMIT_NOFILE, &limit);
		for (fd = first_open_fd; fd < (int)limit.rlim_cur; fd++)
			if ((flags = fcntl(fd, F_GETFD)) >= 0 && !(flags & FD_CLOEXEC))
				close(fd);
		return;
	}
	while ((e = readdir(dir))) {
		fd = atoi(e->d_name);
		if (fd < first_open_fd || fd == dirfd(dir))
			continue;
		if ((flags = fcntl(fd, F_GETFD)) >= 0 && !(flags & FD_CLOEXEC))
			close(fd);
	}
}

static int enter_cwd(const char *cwd, struct silo_err *err)
{
	char where[PATH_MAX];

	if (chdir(cwd) < 0)
		return silo_err_errno(err, "config.json: process.cwd: chdir to \"%s\"", cwd);
	/* A working directory outside the root (reached through a leaked
	 * descriptor or a /proc/self/fd link) reads back as "(unreachable)":
	 * glibc's getcwd turns that into ENOENT. */
	if (!getcwd(where, sizeof(where)) || where[0] != '/')
		return silo_err_set(err, EPERM,
				    "config.json: process.cwd: \"%s\" is outside the container", cwd);
	return 0;
}

int process_take_identity(const struct spec_process *proc, struct silo_err *err)
{
	if (proc->user.has_umask)
		umask(proc->user.umask);
	else
		umask(022);
	if (proc->has_capabilities && capabilities_apply_bounding(&proc->capabilities, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return silo_err_errno(err, "keep capabilities across setuid");
	if (switch_user(&proc->user, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return silo_err_errno(err, "reset keep-capabilities");
	if (proc->has_capabilities && capabilities_apply(&proc->capabilities, err) < 0)
		return -1;
	if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return silo_err_errno(err, "set no_new_privs");
	return 0;
}

int process_leave_runtime(const struct spec_process *proc, int first_open_fd, int keep_fd,
			  struct silo_err *err)
{
	if (close_inherited_fds(first_open_fd, keep_fd, err) < 0)
		return -1;
	return enter_cwd(proc->cwd, err);
}
