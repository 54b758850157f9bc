/* recvtty: the other end of --console-socket, for the integration tests.
 *
 *   recvtty SOCKET_PATH [--output FILE] [--input TEXT] [--timeout SECONDS]
 *
 * Listens on a unix socket at SOCKET_PATH, accepts one connection and
 * receives one file descriptor over SCM_RIGHTS: the master side of the
 * container's pseudoterminal (the message data carries the pty name, which is
 * reported on stderr). TEXT, if given, is written to the master; then
 * everything the container writes is copied to FILE (stdout by default)
 * until the last slave closes (EIO) or EOF. Exits 0 on success, 124 on
 * timeout.
 *
 * The socket is bound under a temporary name and renamed into place only
 * once it listens, so a test that waits for SOCKET_PATH to appear can connect
 * at once. --timeout (default 30 s) bounds the whole run so that a runtime
 * that never connects, or a container that never exits, cannot hang the
 * suite. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *prog = "recvtty";
static const char *socket_path;

/* On timeout: leave no socket behind, and fail. */
static void on_alarm(int sig)
{
	static const char msg[] = "recvtty: timed out\n";

	(void)sig;
	if (socket_path != NULL)
		unlink(socket_path);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(124);
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: %s SOCKET_PATH [--output FILE] [--input TEXT] [--timeout SECONDS]\n",
		prog);
	exit(2);
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
	/* Only now may a client see the path: connect() cannot be refused. */
	if (rename(tmp, path) < 0)
		die(path);
	return fd;
}

/* Receives one descriptor; the data part of the message is the pty name. */
static int receive_fd(int conn, char *name, size_t name_size)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = name, .iov_len = name_size - 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd;

	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("recvmsg");
	name[n] = '\0';

	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "%s: the runtime sent no file descriptor\n", prog);
		exit(1);
	}
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

static void write_all(int fd, const char *buf, size_t len, const char *what)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(what);
		}
		buf += n;
		len -= (size_t)n;
	}
}

int main(int argc, char **argv)
{
	const char *output = NULL, *input = NULL;
	unsigned timeout = 30;
	char name[4096], buf[4096];
	int listener, conn, master, out = STDOUT_FILENO;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--output") == 0 && i + 1 < argc)
			output = argv[++i];
		else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc)
			input = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (argv[i][0] == '-' || socket_path != NULL)
			usage();
		else
			socket_path = argv[i];
	}
	if (socket_path == NULL)
		usage();

	signal(SIGALRM, on_alarm);
	alarm(timeout);
	/* A container that closes its side early must not kill us by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	if (output != NULL) {
		out = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0)
			die(output);
	}

	listener = listen_at(socket_path);
	do
		conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		die("accept");
	master = receive_fd(conn, name, sizeof(name));
	close(conn);
	close(listener);
	unlink(socket_path);
	socket_path = NULL;
	fprintf(stderr, "%s: received pty master %s\n", prog, name[0] ? name : "(no name)");

	if (input != NULL)
		write_all(master, input, strlen(input), "write to pty master");

	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == EIO))
			break; /* every slave is closed: the container is gone */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read from pty master");
		}
		write_all(out, buf, (size_t)n, output != NULL ? output : "stdout");
	}
	if (out != STDOUT_FILENO && close(out) < 0)
		die(output);
	return 0;
}
