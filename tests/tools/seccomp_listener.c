/* seccomp_listener: a seccomp agent for the integration tests, the other
 * end of linux.seccomp.listenerPath.
 *
 *   seccomp_listener SOCKET_PATH --state FILE [--log FILE]
 *                    [--errno N | --continue | --hold] [--timeout SECONDS]
 *
 * Listens on a unix socket at SOCKET_PATH, accepts one connection and reads
 * the container process state the runtime sends (JSON, until the runtime
 * closes the connection) with the seccomp notification descriptor attached
 * (SCM_RIGHTS). The JSON is written to FILE as received, and a second line
 * "fd <N>" is appended when a descriptor came with it.
 *
 * Then it answers every notification until the container is gone: by
 * failing the system call with errno N (--errno, default EPERM), or by
 * letting the kernel run it (--continue). Each notification is logged to
 * the --log file as "syscall <nr>", so a test can check which calls were
 * sent to the agent. --hold answers none: the first caller stays blocked in
 * its system call (until it is killed), which lets a test look at a process
 * at that point of its life; the log then says "held <nr> pid <pid>" (the
 * PID as seen from the agent's pid namespace).
 *
 * The socket is bound under a temporary name and renamed into place once
 * it listens, so a test that waits for SOCKET_PATH can connect at once.
 * --timeout (default 30 s) bounds the whole run. Exits 0 once the filter's
 * last process is gone, 1 on any error. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static const char *prog = "seccomp_listener";
static const char *socket_path;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	if (socket_path)
		unlink(socket_path);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s SOCKET_PATH --state FILE [--log FILE] [--errno N | --continue | --hold] [--timeout SECONDS]\n",
		prog);
	exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	if (socket_path)
		unlink(socket_path);
	_exit(3);
}

static int listen_at(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char tmp[sizeof(addr.sun_path)];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die(tmp);
	if (listen(fd, 1) < 0)
		die("listen");
	if (rename(tmp, path) < 0)
		die(path);
	return fd;
}

/* Reads the whole state; the descriptor may come with any part of it (the
 * OCI spec says: with the first). Returns the descriptor, or -1. */
static int receive_state(int conn, char *buf, size_t size)
{
	size_t used = 0;
	int fd = -1;

	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = buf + used, .iov_len = size - 1 - used };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		struct cmsghdr *cmsg;
		ssize_t n;

		if (used == size - 1) {
			fprintf(stderr, "%s: the state is larger than %zu bytes\n", prog, size - 1);
			exit(1);
		}
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recvmsg");
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
			if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
				if (fd >= 0 || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
					fprintf(stderr, "%s: expected exactly one descriptor\n", prog);
					exit(1);
				}
				memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
			}
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return fd;
}

static void write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die(tmp);
	if (rename(tmp, path) < 0)
		die(path);
}

static void answer_notifications(int notify_fd, FILE *log, int error, int cont, int hold)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		die("SECCOMP_GET_NOTIF_SIZES");
	req = calloc(1, sizes.seccomp_notif);
	resp = calloc(1, sizes.seccomp_notif_resp);
	if (!req || !resp)
		die("calloc");
	for (;;) {
		struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		/* No process is left that uses the filter. */
		if (pfd.revents & POLLHUP)
			return;
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		if (log) {
			if (hold)
				fprintf(log, "held %d pid %u\n", req->data.nr, req->pid);
			else
				fprintf(log, "syscall %d\n", req->data.nr);
			fflush(log);
		}
		if (hold)
			continue;
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		if (cont)
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else
			resp->error = -error;
		/* ENOENT: the caller went away (killed) meanwhile. */
		if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			die("SECCOMP_IOCTL_NOTIF_SEND");
	}
}

int main(int argc, char **argv)
{
	const char *state_path = NULL, *log_path = NULL;
	unsigned timeout = 30;
	int error = EPERM, cont = 0, hold = 0;
	static char state[1 << 20];
	char line[64];
	FILE *log = NULL;
	int listener, conn, notify_fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--state") && i + 1 < argc)
			state_path = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			log_path = argv[++i];
		else if (!strcmp(argv[i], "--errno") && i + 1 < argc)
			error = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--continue"))
			cont = 1;
		else if (!strcmp(argv[i], "--hold"))
			hold = 1;
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (argv[i][0] == '-' || socket_path)
			usage();
		else
			socket_path = argv[i];
	}
	if (!socket_path || !state_path)
		usage();
	signal(SIGALRM, on_alarm);
	alarm(timeout);
	signal(SIGPIPE, SIG_IGN);
	if (log_path) {
		log = fopen(log_path, "w");
		if (!log)
			die(log_path);
	}

	listener = listen_at(socket_path);
	do
		conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		die("accept");
	close(listener);
	unlink(socket_path);
	socket_path = NULL;

	notify_fd = receive_state(conn, state, sizeof(state) - sizeof(line));
	close(conn);
	if (notify_fd >= 0) {
		snprintf(line, sizeof(line), "\nfd %d\n", notify_fd);
		strcat(state, line);
	}
	write_file(state_path, state);
	if (notify_fd < 0) {
		fprintf(stderr, "%s: the runtime sent no descriptor\n", prog);
		return 1;
	}
	answer_notifications(notify_fd, log, error, cont, hold);
	return 0;
}
