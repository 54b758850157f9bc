/* Persistent network namespaces. A new namespace is made by a short-lived
 * child, so the caller never leaves its own namespace: coming back would
 * need CAP_SYS_ADMIN over it, which a rootless caller may not have. The child unshares, brings lo up and waits; the parent
 * binds the child's namespace file on the path, which keeps the namespace
 * alive after the child exits. */
#include "net/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/netlink.h"
#include "util/cleanup.h"

static int bring_lo_up(struct silo_err *err)
{
	struct netlink nl;
	int r = netlink_open(&nl, -1, err);

	if (r < 0)
		return r;
	r = netlink_link_set_up(&nl, "lo", err);
	netlink_close(&nl);
	return r;
}

/* In the child: make the namespace, report how that went, then stay alive
 * (and the namespace reachable through /proc/<pid>/ns/net) until the
 * parent closes its end of sock. */
static _Noreturn void child_make_netns(int sock)
{
	struct silo_err err = { 0 };
	char byte;

	if (unshare(CLONE_NEWNET) < 0)
		silo_err_errno(&err, "unshare a network namespace");
	else
		bring_lo_up(&err);
	if (send(sock, &err, sizeof(err), MSG_NOSIGNAL) != sizeof(err))
		_exit(1);
	while (read(sock, &byte, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Forks the child that makes the namespace; *sock is the parent's end of
 * the socket to it. Returns the child's PID or -errno. */
static pid_t start_helper(const char *path, int *sock, struct silo_err *err)
{
	int pair[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return silo_err_errno(err, "create network namespace \"%s\": socketpair", path);
	pid = fork();
	if (pid == 0) {
		close(pair[0]);
		child_make_netns(pair[1]);
	}
	if (pid < 0) {
		int r = silo_err_errno(err, "create network namespace \"%s\": fork", path);

		close(pair[0]);
		close(pair[1]);
		return r;
	}
	close(pair[1]);
	*sock = pair[0];
	return pid;
}

/* What the child said about making the namespace. */
static int helper_status(int sock, const char *path, struct silo_err *err)
{
	struct silo_err child_err = { 0 };
	ssize_t n;

	do
		n = recv(sock, &child_err, sizeof(child_err), 0);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(child_err))
		return silo_err_set(err, EPIPE,
				    "create network namespace \"%s\": the helper process died", path);
	if (!child_err.msg[0])
		return 0;
	if (!err)
		return child_err.code > 0 ? -child_err.code : -1;
	*err = child_err;
	return silo_err_prefix(err, "create network namespace \"%s\"", path);
}

/* Makes the namespace in a child and binds it on path (an existing file). */
static int bind_new_netns(const char *path, struct silo_err *err)
{
	_cleanup_close_ int sock = -1;
	char ns_path[64];
	pid_t pid = start_helper(path, &sock, err);
	int r;

	if (pid < 0)
		return (int)pid;
	r = helper_status(sock, path, err);
	if (r == 0) {
		/* The child is ours and not yet reaped, so its PID cannot
		 * have been reused. */
		snprintf(ns_path, sizeof(ns_path), "/proc/%d/ns/net", (int)pid);
		if (mount(ns_path, path, NULL, MS_BIND, NULL) < 0)
			r = silo_err_errno(err, "create network namespace \"%s\": bind %s", path, ns_path);
	}
	/* Closing our end lets the child exit. */
	close(steal_fd(&sock));
	reap(pid);
	return r;
}

int netns_create(const char *path, struct silo_err *err)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	int r;

	if (fd < 0)
		return silo_err_errno(err, "create network namespace \"%s\"", path);
	close(fd);
	/* The bind is the last step, so on failure there is only the file. */
	r = bind_new_netns(path, err);
	if (r < 0)
		unlink(path);
	return r;
}

int netns_open(const char *path, struct silo_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct statfs fs;
	int type;

	if (fd < 0)
		return silo_err_errno(err, "open network namespace \"%s\"", path);
	if (fstatfs(fd, &fs) < 0)
		return silo_err_errno(err, "open network namespace \"%s\": fstatfs", path);
	if (fs.f_type != NSFS_MAGIC)
		return silo_err_set(err, EINVAL,
				    "open network namespace \"%s\": no namespace is bound there", path);
	/* NS_GET_NSTYPE came in Linux 4.11; without it (ENOTTY) the nsfs
	 * check above is all there is, and setns() checks the type later. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 && errno != ENOTTY)
		return silo_err_errno(err, "open network namespace \"%s\": NS_GET_NSTYPE", path);
	if (type >= 0 && type != CLONE_NEWNET)
		return silo_err_set(err, EINVAL,
				    "open network namespace \"%s\": the namespace bound there is not a network namespace",
				    path);
	return steal_fd(&fd);
}

int netns_remove(const char *path, struct silo_err *err)
{
	/* EINVAL: not a mount point, as after a create killed before its
	 * bind; the file is still ours to unlink. */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return silo_err_errno(err, "remove network namespace \"%s\": unmount", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return silo_err_errno(err, "remove network namespace \"%s\"", path);
	return 0;
}

int netns_run(int netns_fd, int (*fn)(void *opaque, struct silo_err *err), void *opaque,
	      struct silo_err *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int r;

	if (self < 0)
		return silo_err_errno(err, "open the current network namespace");
	/* Joining the namespace we are in makes the same permission check as
	 * coming back will (CAP_SYS_ADMIN over its owning user namespace),
	 * so a caller that could go but not return fails here, unharmed. */
	if (setns(self, CLONE_NEWNET) < 0)
		return silo_err_errno(err,
				      "enter network namespace (descriptor %d): no way back to the current one",
				      netns_fd);
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return silo_err_errno(err, "enter network namespace (descriptor %d)", netns_fd);
	r = fn(opaque, err);
	/* Carrying on in the wrong namespace would make every later socket,
	 * link and route land there: on the host instead of a container, or
	 * the reverse. Nothing can undo that, so stop here; the check above
	 * leaves only failures of a process already badly broken. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r;
}
