/* Terminals: the pty inside the container and the console socket. */
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/mount.h"
#include "util/cleanup.h"

int terminal_connect(const char *path, struct silo_err *err)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path))
		return silo_err_set(err, ENAMETOOLONG, "console socket \"%s\"", path);
	strcpy(addr.sun_path, path);
	if (fd < 0)
		return silo_err_errno(err, "console socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return silo_err_errno(err, "connect to console socket \"%s\"", path);
	return steal_fd(&fd);
}

int terminal_send_fd(int sock, int fd, const char *name, struct silo_err *err)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return silo_err_errno(err, "send terminal to console socket");
	return 0;
}

int terminal_recv_fd(int sock, int *fd, struct silo_err *err)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	char name[4096];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0)
		return silo_err_errno(err, "receive terminal");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return silo_err_set(err, EPROTO, "receive terminal: no descriptor in message");
	memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return 0;
}

static int bind_console(int slave, struct silo_err *err)
{
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int target = -1;
	_cleanup_close_ int tree = -1;
	struct mount_options plain = { 0 };

	if (rootfd < 0)
		return silo_err_errno(err, "open container root");
	target = mount_open_target(rootfd, "/dev/console", MOUNT_TARGET_FILE, err);
	if (target < 0)
		return -1;
	tree = mount_clone_tree(slave, "", &plain, err);
	if (tree < 0)
		return silo_err_prefix(err, "bind terminal on /dev/console");
	return mount_attach(tree, target, "/dev/console", err);
}

int terminal_setup(int console_fd, unsigned height, unsigned width, int bind_dev_console,
		   struct silo_err *err)
{
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int master = -1;
	_cleanup_close_ int slave = -1;
	char name[64];
	int unlock = 0, index;

	if (rootfd < 0)
		return silo_err_errno(err, "open container root");
	master = mount_resolve(rootfd, "/dev/ptmx", O_RDWR | O_NOCTTY, 0);
	if (master < 0)
		return silo_err_errno(err, "open /dev/ptmx in the container");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return silo_err_errno(err, "unlock pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return silo_err_errno(err, "open pty peer");
	if (ioctl(master, TIOCGPTN, &index) < 0)
		return silo_err_errno(err, "pty number");
	snprintf(name, sizeof(name), "/dev/pts/%d", index);
	if (height && width) {
		struct winsize ws = { .ws_row = (unsigned short)height, .ws_col = (unsigned short)width };

		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return silo_err_errno(err, "set terminal size");
	}
	if (bind_dev_console && bind_console(slave, err) < 0)
		return -1;
	if (terminal_send_fd(console_fd, master, name, err) < 0)
		return -1;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return silo_err_errno(err, "make pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return silo_err_errno(err, "attach pty to stdio");
	return 0;
}

static volatile sig_atomic_t winch_pending;

static void on_winch(int sig)
{
	(void)sig;
	winch_pending = 1;
}

static void copy_window_size(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

static int pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += w;
	}
	return 0;
}

int terminal_proxy(int master, struct silo_err *err)
{
	struct termios saved, raw;
	int is_tty = isatty(STDIN_FILENO);
	struct sigaction sa = { .sa_handler = on_winch };
	int stdin_open = 1;

	(void)err;
	if (is_tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		sigaction(SIGWINCH, &sa, NULL);
		copy_window_size(master);
	} else {
		is_tty = 0;
	}
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};

		if (winch_pending) {
			winch_pending = 0;
			copy_window_size(master);
		}
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (pump(master, STDOUT_FILENO) < 0)
				break;
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (pump(STDIN_FILENO, master) < 0)
				stdin_open = 0;
		}
	}
	if (is_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return 0;
}
