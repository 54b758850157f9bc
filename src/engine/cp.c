/* cp and export (see cp.h). The side that reads the container runs in a
 * child (for a running container: inside its mount namespace), the other
 * in silo; the two are joined by a pipe carrying a tar stream and a status
 * pipe on which the child says what its source is ('d' a directory, 'f'
 * anything else) and, on failure, 'e' and the message. */
#include "engine/cp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/mounts.h"
#include "engine/record.h"
#include "engine/snapshot.h"
#include "image/tar_tree.h"
#include "image/tar_writer.h"
#include "image/unpack.h"
#include "runtime/mount.h"
#include "runtime/mount_options.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/resolve.h"

/* --------------------------------------------------- the container's view -- */

struct view {
	char *name;       /* for messages */
	char *dir;        /* containers/<id> */
	char *rootfs;     /* dir/bundle/rootfs */
	int ns_fd;        /* running: its mount namespace; else -1 */
	int mounted_here; /* the snapshot was mounted for this copy */
	json_t *binds;    /* stopped: config.json's bind entries of its volumes and binds */
};

static int view_open(const struct engine_env *env, const char *id, int join_running,
		     struct view *v, struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	const char *status;
	json_int_t pid;

	v->ns_fd = -1;
	if (engine_container_inspect(env, id, &rec, err) < 0)
		return -1;
	v->name = strdup(json_string_value(json_object_get(rec, "name")) ?: id);
	v->dir = record_path(env->store->root, id, NULL);
	v->rootfs = record_path(env->store->root, id, "bundle/rootfs");
	if (!v->name || !v->dir || !v->rootfs)
		return silo_err_sys(err, ENOMEM, "container %s", id);
	status = engine_container_status(rec);
	pid = json_integer_value(json_object_get(json_object_get(rec, "state"), "pid"));
	if (join_running && !strcmp(status, "running") && pid > 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%lld/ns/mnt", (long long)pid);
		v->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (v->ns_fd >= 0)
			return 0;
	}
	v->binds = mounts_oci(env->store->root, json_object_get(rec, "mounts"));
	if (snapshot_is_mounted(v->dir))
		return 0;
	if (snapshot_mount(v->dir, json_object_get(rec, "lowerDirs"), err) < 0)
		return silo_err_prefix(err, "container %s", v->name);
	v->mounted_here = 1;
	return 0;
}

static void view_close(const struct engine_env *env, const char *id, struct view *v)
{
	if (v->mounted_here) {
		_cleanup_json_ json_t *rec = NULL;
		struct silo_err ignored = { 0 };

		/* A container started meanwhile runs on this mount now. */
		if (record_load(env->store->root, id, &rec, &ignored) < 0 ||
		    strcmp(engine_container_status(rec), "running"))
			snapshot_unmount(v->dir, &ignored);
	}
	if (v->ns_fd >= 0)
		close(v->ns_fd);
	json_decref(v->binds);
	free(v->name);
	free(v->dir);
	free(v->rootfs);
}

/* ------------------------------------------------------------------ paths -- */

/* A path as docker's cp reads it: a trailing "/." copies a directory's
 * contents, a trailing "/" says it must be a directory. clean is the path
 * without them ("/" for the root). */
struct cp_path {
	char clean[PATH_MAX];
	int contents;
	int wants_dir;
	const char *base; /* the last component, "." for the root */
};

static int cp_path_parse(const char *text, struct cp_path *p, struct silo_err *err)
{
	size_t len = strlen(text);
	char *slash;

	memset(p, 0, sizeof(*p));
	if (len == 0)
		return silo_err_set(err, EINVAL, "empty path");
	if (len >= sizeof(p->clean))
		return silo_err_set(err, ENAMETOOLONG, "path \"%s\" is too long", text);
	memcpy(p->clean, text, len + 1);
	for (;;) {
		if (len >= 2 && !strcmp(p->clean + len - 2, "/.")) {
			p->contents = 1;
			p->wants_dir = 1;
			len -= 2;
		} else if (len == 1 && p->clean[0] == '.') {
			p->contents = 1;
			p->wants_dir = 1;
			len = 0;
		} else if (len > 1 && p->clean[len - 1] == '/') {
			p->wants_dir = 1;
			len--;
		} else {
			break;
		}
		p->clean[len] = '\0';
	}
	if (len == 0)
		snprintf(p->clean, sizeof(p->clean), "%s", text[0] == '/' ? "/" : ".");
	slash = strrchr(p->clean, '/');
	p->base = slash && slash[1] ? slash + 1 : (slash ? "." : p->clean);
	if (!strcmp(p->base, ".."))
		p->base = ".";
	return 0;
}

/* Opens path under root: inside it (RESOLVE_IN_ROOT) for a container's
 * root, plainly for the host (root_fd AT_FDCWD, the user's own paths). */
static int open_under(int root_fd, const char *path, int flags)
{
	if (root_fd == AT_FDCWD)
		return open(path, flags | O_CLOEXEC);
	return resolve_in_root(root_fd, path, flags, 0);
}

/* The directory an archive goes into and what its top is called there,
 * by docker's rules for SRC and DEST. */
struct cp_target {
	char dir[PATH_MAX];
	const char *top; /* "" : the top's contents go in dir */
	char top_buf[NAME_MAX + 1];
};

static int cp_plan(int root_fd, const struct cp_path *src, int src_is_dir, const char *dest_text,
		   const char *where, struct cp_target *t, struct silo_err *err)
{
	struct cp_path dest;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int exists;

	if (cp_path_parse(dest_text, &dest, err) < 0)
		return -1;
	fd = open_under(root_fd, dest.clean, O_PATH);
	exists = fd >= 0 && fstat(fd, &st) == 0;
	if (!exists && errno != ENOENT)
		return silo_err_errno(err, "destination \"%s\"%s", dest_text, where);
	if (exists && S_ISDIR(st.st_mode)) {
		snprintf(t->dir, sizeof(t->dir), "%s", dest.clean);
		if (src_is_dir && src->contents) {
			t->top = "";
		} else {
			snprintf(t->top_buf, sizeof(t->top_buf), "%s", src->base);
			t->top = strcmp(src->base, ".") ? t->top_buf : "";
		}
		return 0;
	}
	if (exists && src_is_dir)
		return silo_err_set(err, ENOTDIR, "cannot copy a directory to file \"%s\"%s", dest_text, where);
	if (dest.wants_dir)
		return silo_err_set(err, ENOENT, "destination directory \"%s\"%s does not exist", dest_text,
				    where);
	/* A new name (or a file to overwrite) in DEST's directory. */
	if (!strcmp(dest.base, ".") || strlen(dest.base) > NAME_MAX)
		return silo_err_set(err, EINVAL, "invalid destination \"%s\"", dest_text);
	snprintf(t->top_buf, sizeof(t->top_buf), "%s", dest.base);
	t->top = t->top_buf;
	if (dest.base == dest.clean)
		snprintf(t->dir, sizeof(t->dir), ".");
	else if (dest.base == dest.clean + 1)
		snprintf(t->dir, sizeof(t->dir), "/");
	else
		snprintf(t->dir, sizeof(t->dir), "%.*s", (int)(dest.base - dest.clean - 1), dest.clean);
	return 0;
}

/* ------------------------------------------------------ the two directions -- */

/* Writes the tar of src (under root) to data_fd; says first on status_fd
 * (when >= 0) whether it is a directory. */
static int send_tree(int root_fd, const char *src_text, int follow, int data_fd, int status_fd,
		     const char *where, struct silo_err *err)
{
	/* The runtime's /proc, /sys and /dev/pts are in the container's mount
	 * namespace but not among its files (docker's view is the same). */
	static const struct tar_tree_options opts = { .skip_kernel_fs = 1 };
	struct cp_path src;
	struct tar_writer t;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int nofollow;

	if (cp_path_parse(src_text, &src, err) < 0)
		return -1;
	/* Without -L a symlink SRC is copied as the link; a trailing slash
	 * asks for the directory it points to. */
	nofollow = follow || src.wants_dir ? 0 : O_NOFOLLOW;
	fd = open_under(root_fd, src.clean, O_PATH | nofollow);
	if (fd < 0) {
		if (errno == ENOENT)
			return silo_err_set(err, ENOENT, "could not find \"%s\"%s", src_text, where);
		return silo_err_errno(err, "\"%s\"%s", src_text, where);
	}
	if (fstat(fd, &st) < 0)
		return silo_err_errno(err, "stat \"%s\"%s", src_text, where);
	if (src.wants_dir && !S_ISDIR(st.st_mode))
		return silo_err_set(err, ENOTDIR, "\"%s\"%s is not a directory", src_text, where);
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		close(fd);
		fd = open_under(root_fd, src.clean, O_RDONLY | O_NONBLOCK | nofollow);
		if (fd < 0 || fstat(fd, &st) < 0)
			return silo_err_errno(err, "open \"%s\"%s", src_text, where);
	}
	if (status_fd >= 0 && fs_write_all(status_fd, S_ISDIR(st.st_mode) ? "d" : "f", 1) < 0)
		return silo_err_errno(err, "copy");
	tar_writer_init(&t, data_fd);
	if (tar_tree_write(&t, fd, &st, src.base, &opts, err) < 0 || tar_finish(&t, err) < 0)
		return silo_err_prefix(err, "copy \"%s\"%s", src_text, where);
	return 0;
}

/* Extracts the tar on data_fd at dest (under root), as cp_plan says; a
 * stream (`cp - CONTAINER:DEST`) goes into DEST as it is. */
static int receive_tree(int root_fd, const char *dest_text, const struct cp_path *src, int src_is_dir,
			int stream, const struct unpack_options *base, int data_fd, const char *where,
			struct silo_err *err)
{
	struct unpack_options opts = *base;
	struct unpack_result result;
	struct cp_target t;
	_cleanup_close_ int dir_fd = -1;

	if (stream) {
		struct cp_path dest;
		struct stat st;

		if (cp_path_parse(dest_text, &dest, err) < 0)
			return -1;
		dir_fd = open_under(root_fd, dest.clean, O_RDONLY | O_DIRECTORY);
		if (dir_fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			return silo_err_set(err, errno, "destination \"%s\"%s must be an existing directory",
					    dest_text, where);
		if (dir_fd < 0 || fstat(dir_fd, &st) < 0)
			return silo_err_errno(err, "destination \"%s\"%s", dest_text, where);
	} else {
		if (cp_plan(root_fd, src, src_is_dir, dest_text, where, &t, err) < 0)
			return -1;
		dir_fd = open_under(root_fd, t.dir, O_RDONLY | O_DIRECTORY);
		if (dir_fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			return silo_err_set(err, errno, "destination directory \"%s\"%s does not exist", t.dir,
					    where);
		if (dir_fd < 0)
			return silo_err_errno(err, "destination \"%s\"%s", dest_text, where);
		opts.rename_top = t.top;
	}
	if (unpack_tar_fd_at(data_fd, dir_fd, &opts, &result, err) < 0)
		return silo_err_prefix(err, "copy to \"%s\"%s", dest_text, where);
	return 0;
}

/* ------------------------------------------------------------ the child -- */

/* The root of a stopped container, with its volumes and binds put where
 * the container has them, in a mount namespace of the child's own (so
 * nothing of it is seen outside, and it ends with the child): each target
 * resolved inside the root and the mount attached to that descriptor, as
 * the runtime mounts them. A target the container never made (it has not run yet) is left
 * alone; tmpfs mounts held nothing once the container stopped. */
static int open_stopped_root(const struct view *v, struct silo_err *err)
{
	_cleanup_close_ int root_fd = -1;
	size_t i;
	json_t *m;

	/* The namespace first: the root must be opened in it, for mounts to
	 * be attached below it. */
	if (json_array_size(v->binds) &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
		return silo_err_errno(err, "copy: a mount namespace for the volumes of container %s", v->name);
	root_fd = open(v->rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root_fd < 0)
		return silo_err_errno(err, "open the root of container %s", v->name);
	json_array_foreach(v->binds, i, m) {
		const char *destination = json_string_value(json_object_get(m, "destination"));
		const char *source = json_string_value(json_object_get(m, "source"));
		const char *type = json_string_value(json_object_get(m, "type"));
		_cleanup_strv_ char **options = NULL;
		struct mount_options opts = { 0 };
		_cleanup_close_ int target = -1;
		_cleanup_close_ int tree = -1;
		size_t n = json_array_size(json_object_get(m, "options")), j;
		json_t *o;

		if (!type || strcmp(type, "bind") || !destination || !source)
			continue;
		target = resolve_in_root(root_fd, destination, O_PATH, 0);
		if (target < 0)
			continue;
		options = calloc(n + 1, sizeof(*options));
		if (!options)
			return silo_err_sys(err, ENOMEM, "copy");
		json_array_foreach(json_object_get(m, "options"), j, o)
			if (!(options[j] = strdup(json_string_value(o) ?: "")))
				return silo_err_sys(err, ENOMEM, "copy");
		if (mount_options_parse(options, &opts, err) < 0)
			return -1;
		tree = mount_clone_tree(AT_FDCWD, source, &opts, err);
		mount_options_free(&opts);
		if (tree < 0 || mount_attach(tree, target, destination, err) < 0)
			return silo_err_prefix(err, "copy: volume \"%s\" of container %s", destination, v->name);
	}
	return steal_fd(&root_fd);
}

struct child_job {
	const struct engine_cp_request *req;
	const struct cp_path *src; /* to the container: the host source */
	int src_is_dir;
	int data_fd;  /* the child's end */
	int other_fd; /* silo's end, closed in the child */
	const char *where;
};

static int child_work(const struct view *v, const struct child_job *job, int status_fd,
		      struct silo_err *err)
{
	_cleanup_close_ int root_fd = -1;

	if (v->ns_fd >= 0) {
		/* Joining the mount namespace makes its root our root. */
		if (setns(v->ns_fd, CLONE_NEWNS) < 0)
			return silo_err_errno(err, "join the mount namespace of container %s", v->name);
		root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		root_fd = open_stopped_root(v, err);
		if (root_fd < 0)
			return -1;
	}
	if (root_fd < 0)
		return silo_err_errno(err, "open the root of container %s", v->name);
	if (!job->req->to_container)
		return send_tree(root_fd, job->req->container_path, job->req->follow, job->data_fd,
				 status_fd, job->where, err);
	{
		struct unpack_options opts = { .cross_mounts = 1, .keep_types = 1,
					       .set_owner = !job->req->archive };

		return receive_tree(root_fd, job->req->container_path, job->src, job->src_is_dir,
				    !strcmp(job->req->host_path, "-"), &opts, job->data_fd, job->where, err);
	}
}

static pid_t spawn_child(const struct view *v, const struct child_job *job, int *status_fd,
			 struct silo_err *err)
{
	int sp[2];
	pid_t pid;

	if (pipe2(sp, O_CLOEXEC) < 0)
		return silo_err_errno(err, "copy: pipe");
	pid = fork();
	if (pid < 0) {
		close(sp[0]);
		close(sp[1]);
		return silo_err_errno(err, "copy: fork");
	}
	if (pid == 0) {
		struct silo_err cerr = { 0 };
		int r;

		close(sp[0]);
		if (job->other_fd >= 0)
			close(job->other_fd);
		signal(SIGPIPE, SIG_DFL);
		r = child_work(v, job, sp[1], &cerr);
		if (r < 0) {
			fs_write_all(sp[1], "e", 1);
			fs_write_all(sp[1], cerr.msg, strlen(cerr.msg));
		}
		_exit(r < 0 ? 1 : 0);
	}
	close(sp[1]);
	*status_fd = sp[0];
	return pid;
}

/* Reads what is left on the status pipe; 1 and the message in err when it
 * says the child failed. */
static int child_error(int status_fd, int first, struct silo_err *err)
{
	char buf[SILO_ERR_MAX];
	size_t len = 0;
	ssize_t n;

	if (first != 'e') {
		char c;

		do
			n = read(status_fd, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1 || c != 'e')
			return 0;
	}
	while (len < sizeof(buf) - 1 && ((n = read(status_fd, buf + len, sizeof(buf) - 1 - len)) > 0 ||
					 (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = '\0';
	silo_err_set(err, EIO, "%s", buf);
	return 1;
}

static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int copy_fd(int in, int out, struct silo_err *err)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return silo_err_errno(err, "copy: read");
		if (n == 0)
			return 0;
		r = fs_write_all(out, buf, (size_t)n);
		if (r < 0)
			return silo_err_sys(err, -r, "copy: write");
	}
}

/* container -> host */
static int cp_from_container(const struct view *v, const struct engine_cp_request *req,
			     const char *where, struct silo_err *err)
{
	struct child_job job = { .req = req, .where = where };
	/* File capabilities (security.capability) are the container's to
	 * give its own files, not the host's. */
	struct unpack_options opts = { .keep_types = 1, .set_owner = !req->archive,
				       .uid = getuid(), .gid = getgid(), .skip_xattrs = 1 };
	_cleanup_close_ int status_fd = -1;
	int data[2], r = 0, first = 0, status;
	char c;
	pid_t pid;

	if (pipe2(data, O_CLOEXEC) < 0)
		return silo_err_errno(err, "copy: pipe");
	job.data_fd = data[1];
	job.other_fd = data[0];
	pid = spawn_child(v, &job, &status_fd, err);
	close(data[1]);
	if (pid < 0) {
		close(data[0]);
		return -1;
	}
	if (read(status_fd, &c, 1) == 1)
		first = c;
	if (first == 'd' || first == 'f') {
		struct cp_path src;

		if (!strcmp(req->host_path, "-"))
			r = copy_fd(data[0], STDOUT_FILENO, err);
		else if ((r = cp_path_parse(req->container_path, &src, err)) == 0)
			r = receive_tree(AT_FDCWD, req->host_path, &src, first == 'd', 0, &opts, data[0], "",
					 err);
	}
	close(data[0]);
	if (r < 0)
		kill(pid, SIGKILL);
	status = reap(pid);
	if (r < 0)
		return -1;
	if (child_error(status_fd, first, err))
		return -1;
	/* A child that died mid-stream may have sent a tar that looks
	 * whole to stdout. */
	if (status != 0 || (first != 'd' && first != 'f'))
		return silo_err_set(err, EIO, "copy from container %s: the copy ended early", v->name);
	return 0;
}

/* host -> container */
static int cp_to_container(const struct view *v, const struct engine_cp_request *req,
			   const char *where, struct silo_err *err)
{
	struct child_job job = { .req = req, .where = where, .other_fd = -1 };
	_cleanup_close_ int status_fd = -1;
	_cleanup_close_ int src_fd = -1;
	struct cp_path src;
	struct stat st;
	int data[2], r = 0, status;
	pid_t pid;

	/* The child unpacks inside a running container's mount namespace,
	 * where a dlopen would map the container's own libarchive.so.13 into
	 * a process of the host's root: it inherits the host's instead. */
	if (unpack_load_library(err) < 0)
		return silo_err_prefix(err, "copy to container %s", v->name);
	if (!strcmp(req->host_path, "-")) {
		job.data_fd = STDIN_FILENO;
		pid = spawn_child(v, &job, &status_fd, err);
		if (pid < 0)
			return -1;
		status = reap(pid);
		if (child_error(status_fd, 0, err))
			return -1;
		return status ? silo_err_set(err, EIO, "copy to container %s failed", v->name) : 0;
	}
	/* The host side first: a missing SRC stops the copy before the
	 * container is touched. */
	if (cp_path_parse(req->host_path, &src, err) < 0)
		return -1;
	src_fd = open(src.clean, O_PATH | O_CLOEXEC | (req->follow || src.wants_dir ? 0 : O_NOFOLLOW));
	if (src_fd < 0 || fstat(src_fd, &st) < 0) {
		if (errno == ENOENT)
			return silo_err_set(err, ENOENT, "could not find \"%s\" on the host", req->host_path);
		return silo_err_errno(err, "\"%s\"", req->host_path);
	}
	if (src.wants_dir && !S_ISDIR(st.st_mode))
		return silo_err_set(err, ENOTDIR, "\"%s\" is not a directory", req->host_path);
	job.src = &src;
	job.src_is_dir = S_ISDIR(st.st_mode);
	if (pipe2(data, O_CLOEXEC) < 0)
		return silo_err_errno(err, "copy: pipe");
	job.data_fd = data[0];
	job.other_fd = data[1];
	pid = spawn_child(v, &job, &status_fd, err);
	close(data[0]);
	if (pid < 0) {
		close(data[1]);
		return -1;
	}
	r = send_tree(AT_FDCWD, req->host_path, req->follow, data[1], -1, " on the host", err);
	close(data[1]);
	status = reap(pid);
	/* The child's reason wins: a write that failed because it stopped
	 * reading says less. */
	if (child_error(status_fd, 0, err))
		return -1;
	if (r < 0)
		return -1;
	return status ? silo_err_set(err, EIO, "copy to container %s failed", v->name) : 0;
}

int engine_cp(const struct engine_env *env, const char *id, const struct engine_cp_request *req,
	      struct silo_err *err)
{
	struct view v = { .ns_fd = -1 };
	_cleanup_free_ char *where = NULL;
	int r;

	if (view_open(env, id, 1, &v, err) < 0) {
		view_close(env, id, &v);
		return -1;
	}
	if (asprintf(&where, " in container %s", v.name) < 0) {
		view_close(env, id, &v);
		return silo_err_sys(err, ENOMEM, "copy");
	}
	r = req->to_container ? cp_to_container(&v, req, where, err) : cp_from_container(&v, req, where, err);
	view_close(env, id, &v);
	return r;
}

int engine_export(const struct engine_env *env, const char *id, int out_fd, struct silo_err *err)
{
	static const struct tar_tree_options opts = { .one_file_system = 1 };
	struct view v = { .ns_fd = -1 };
	_cleanup_close_ int fd = -1;
	struct tar_writer t;
	struct stat st;
	int r = -1;

	/* The rootfs mount in silo's own namespace is the container's
	 * filesystem without the mounts the runtime put over it. */
	if (view_open(env, id, 0, &v, err) == 0) {
		fd = open(v.rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			silo_err_errno(err, "open the root of container %s", v.name);
		} else {
			tar_writer_init(&t, out_fd);
			r = tar_tree_write(&t, fd, &st, "", &opts, err);
			if (r == 0)
				r = tar_finish(&t, err);
			if (r < 0)
				silo_err_prefix(err, "export container %s", v.name);
		}
	}
	view_close(env, id, &v);
	return r;
}
