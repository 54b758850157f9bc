/* The attach socket (see attach.h): the monitor's server, which fans the
 * container's output out to its clients and brings their input, window
 * size and signals back, and the client's few helpers. */
#include "engine/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

/* What a client may have queued before it counts as gone. */
#define ATTACH_QUEUE_MAX (1024 * 1024)
/* Input the container has not read yet, before clients wait. */
#define ATTACH_INPUT_MAX (64 * 1024)

void attach_server_init(struct attach_server *s)
{
	memset(s, 0, sizeof(*s));
	s->listen_fd = -1;
	s->input_fd = -1;
	s->tty_fd = -1;
	s->pidfd = -1;
}

/* sun_path holds 108 bytes, a store path may need more: the socket is
 * named through an O_PATH descriptor of its directory. */
static int socket_address(int dirfd, struct sockaddr_un *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/attach.sock", dirfd);
	return 0;
}

int attach_server_listen(struct attach_server *s, const char *dir, struct silo_err *err)
{
	_cleanup_close_ int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un addr;
	int fd;

	if (dirfd < 0)
		return silo_err_errno(err, "attach socket in \"%s\"", dir);
	if (asprintf(&s->path, "%s/attach.sock", dir) < 0) {
		s->path = NULL;
		return silo_err_sys(err, ENOMEM, "attach socket");
	}
	socket_address(dirfd, &addr);
	/* One of a monitor killed before it could remove it: we hold
	 * monitor.lock, nobody else listens there. */
	unlink(s->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0) {
		silo_err_errno(err, "attach socket \"%s\"", s->path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	chmod(s->path, 0600);
	s->listen_fd = fd;
	return 0;
}

int attach_server_add(struct attach_server *s, int fd)
{
	if (s->n_clients == ATTACH_MAX_CLIENTS)
		return -1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	s->clients[s->n_clients++] = (struct attach_client){ .fd = fd };
	return 0;
}

void attach_server_set_target(struct attach_server *s, int input_fd, int tty_fd, int pidfd)
{
	s->input_fd = input_fd;
	s->tty_fd = tty_fd;
	s->pidfd = pidfd;
	free(s->input);
	s->input = NULL;
	s->input_len = 0;
}

static void drop_client(struct attach_server *s, size_t i)
{
	close(s->clients[i].fd);
	free(s->clients[i].queue);
	s->clients[i] = s->clients[--s->n_clients];
}

/* Sends what is queued; returns -1 when the client is gone. */
static int flush_client(struct attach_client *c)
{
	size_t off = 0;

	while (off < c->queued) {
		uint32_t len;
		ssize_t n;

		memcpy(&len, c->queue + off, sizeof(len));
		n = send(c->fd, c->queue + off + sizeof(len), len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		off += sizeof(len) + len;
	}
	memmove(c->queue, c->queue + off, c->queued - off);
	c->queued -= off;
	return 0;
}

static int queue_message(struct attach_client *c, const char *msg, size_t len)
{
	uint32_t len32 = (uint32_t)len;
	char *grown;

	if (c->queued + sizeof(len32) + len > ATTACH_QUEUE_MAX)
		return -1;
	grown = realloc(c->queue, c->queued + sizeof(len32) + len);
	if (!grown)
		return -1;
	c->queue = grown;
	memcpy(c->queue + c->queued, &len32, sizeof(len32));
	memcpy(c->queue + c->queued + sizeof(len32), msg, len);
	c->queued += sizeof(len32) + len;
	return 0;
}

/* To one client, in order behind what is queued for it. */
static int send_message(struct attach_client *c, const char *msg, size_t len)
{
	if (c->queued == 0) {
		ssize_t n;

		do
			n = send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n >= 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	return queue_message(c, msg, len);
}

static void broadcast(struct attach_server *s, int type, const void *data, size_t len)
{
	char msg[1 + ATTACH_MAX_PAYLOAD];

	while (len > 0 || type == ATTACH_EXIT) {
		size_t chunk = len < ATTACH_MAX_PAYLOAD ? len : ATTACH_MAX_PAYLOAD;

		msg[0] = (char)type;
		memcpy(msg + 1, data, chunk);
		for (size_t i = 0; i < s->n_clients;) {
			if (send_message(&s->clients[i], msg, chunk + 1) < 0)
				drop_client(s, i);
			else
				i++;
		}
		if (type == ATTACH_EXIT)
			break;
		data = (const char *)data + chunk;
		len -= chunk;
	}
}

void attach_server_output(struct attach_server *s, int type, const void *data, size_t len)
{
	broadcast(s, type, data, len);
}

/* Writes what it can of the pending input; the rest waits for POLLOUT. */
static void flush_input(struct attach_server *s)
{
	while (s->input_len > 0) {
		ssize_t n = write(s->input_fd, s->input, s->input_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* The container closed its stdin: input goes nowhere. */
			s->input_len = 0;
			return;
		}
		memmove(s->input, s->input + n, s->input_len - (size_t)n);
		s->input_len -= (size_t)n;
	}
}

static void take_input(struct attach_server *s, const char *data, size_t len)
{
	char *grown;

	if (s->input_fd < 0 || len == 0)
		return;
	grown = realloc(s->input, s->input_len + len);
	if (!grown)
		return;
	s->input = grown;
	memcpy(s->input + s->input_len, data, len);
	s->input_len += len;
	flush_input(s);
}

/* One message from a client; returns -1 when it hung up. */
static int read_client(struct attach_server *s, struct attach_client *c)
{
	char msg[1 + ATTACH_MAX_PAYLOAD];
	ssize_t n = recv(c->fd, msg, sizeof(msg), MSG_DONTWAIT);
	int value;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	switch (msg[0]) {
	case ATTACH_STDIN:
		take_input(s, msg + 1, (size_t)n - 1);
		break;
	case ATTACH_RESIZE:
		if (s->tty_fd >= 0 && (size_t)n == 1 + sizeof(struct winsize)) {
			struct winsize ws;

			memcpy(&ws, msg + 1, sizeof(ws));
			ioctl(s->tty_fd, TIOCSWINSZ, &ws);
		}
		break;
	case ATTACH_SIGNAL:
		if (s->pidfd >= 0 && (size_t)n == 1 + sizeof(value)) {
			memcpy(&value, msg + 1, sizeof(value));
			if (value > 0 && value < _NSIG)
				syscall(SYS_pidfd_send_signal, s->pidfd, value, NULL, 0);
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The order attach_server_pollfds uses: the listening socket, the input
 * target when input waits, then each client. */
size_t attach_server_pollfds(struct attach_server *s, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (max < 2 + s->n_clients)
		return 0;
	fds[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
	fds[n++] = (struct pollfd){ .fd = s->input_len ? s->input_fd : -1, .events = POLLOUT };
	for (size_t i = 0; i < s->n_clients; i++) {
		struct attach_client *c = &s->clients[i];
		/* While the container has not taken the input it has, its
		 * clients wait: that is the back-pressure on a writer. */
		short events = s->input_len < ATTACH_INPUT_MAX ? POLLIN : 0;

		if (c->queued)
			events |= POLLOUT;
		fds[n++] = (struct pollfd){ .fd = c->fd, .events = events };
	}
	return n;
}

void attach_server_dispatch(struct attach_server *s, const struct pollfd *fds, size_t n)
{
	size_t n_clients = s->n_clients;
	int fd_of[ATTACH_MAX_CLIENTS];

	if (n < 2)
		return;
	if (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))
		flush_input(s);
	/* Clients may be dropped (reordering the array) while we go: match
	 * them by descriptor. */
	for (size_t i = 0; i < n_clients && i + 2 < n; i++)
		fd_of[i] = fds[i + 2].fd;
	for (size_t i = 0; i < n_clients && i + 2 < n; i++) {
		short revents = fds[i + 2].revents;
		size_t k;

		if (!revents)
			continue;
		for (k = 0; k < s->n_clients && s->clients[k].fd != fd_of[i]; k++)
			;
		if (k == s->n_clients)
			continue;
		if ((revents & POLLOUT) && flush_client(&s->clients[k]) < 0) {
			drop_client(s, k);
			continue;
		}
		if ((revents & (POLLIN | POLLERR | POLLHUP)) && read_client(s, &s->clients[k]) < 0)
			drop_client(s, k);
	}
	if (fds[0].revents & POLLIN) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0 && attach_server_add(s, fd) < 0)
			close(fd);
	}
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* Reads and drops what a client sent; returns -1 once it has hung up. */
static int discard_input(struct attach_client *c)
{
	char msg[1 + ATTACH_MAX_PAYLOAD];

	for (;;) {
		ssize_t n = recv(c->fd, msg, sizeof(msg), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
	}
}

void attach_server_flush(struct attach_server *s, int timeout_ms)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd fds[ATTACH_MAX_CLIENTS];
		size_t n = 0;
		long left = timeout_ms - ms_since(&start);

		for (size_t i = 0; i < s->n_clients; i++)
			if (s->clients[i].queued)
				fds[n++] = (struct pollfd){ .fd = s->clients[i].fd, .events = POLLOUT };
		if (n == 0 || left <= 0 || poll(fds, n, (int)left) < 0)
			return;
		for (size_t i = 0; i < n; i++) {
			size_t k;

			if (!fds[i].revents)
				continue;
			for (k = 0; k < s->n_clients && s->clients[k].fd != fds[i].fd; k++)
				;
			if (k < s->n_clients && flush_client(&s->clients[k]) < 0)
				drop_client(s, k);
		}
	}
}

void attach_server_exit(struct attach_server *s, int status)
{
	struct timespec start;
	int shut[ATTACH_MAX_CLIENTS] = { 0 };

	broadcast(s, ATTACH_EXIT, &status, sizeof(status));
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Each client reads its queue and hangs up first: a unix socket
	 * closed with unread input resets its peer, which could lose the
	 * exit status. A client that takes more than a second is not waited
	 * for: the monitor has a container to release. */
	for (;;) {
		struct pollfd fds[ATTACH_MAX_CLIENTS];
		long left = 1000 - ms_since(&start);

		for (size_t i = 0; i < s->n_clients; i++) {
			if (!shut[i] && s->clients[i].queued == 0) {
				shutdown(s->clients[i].fd, SHUT_WR);
				shut[i] = 1;
			}
			fds[i] = (struct pollfd){ .fd = s->clients[i].fd,
						  .events = (short)(POLLIN | (shut[i] ? 0 : POLLOUT)) };
		}
		if (s->n_clients == 0 || left <= 0)
			break;
		if (poll(fds, s->n_clients, (int)left) <= 0)
			continue;
		for (size_t i = s->n_clients; i-- > 0;) {
			int gone = discard_input(&s->clients[i]) < 0;

			if (!gone && !shut[i] && (fds[i].revents & POLLOUT))
				gone = flush_client(&s->clients[i]) < 0;
			if (gone) {
				drop_client(s, i);
				shut[i] = shut[s->n_clients];
			}
		}
	}
	while (s->n_clients)
		drop_client(s, 0);
}

void attach_server_close(struct attach_server *s)
{
	while (s->n_clients)
		drop_client(s, 0);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
	if (s->path)
		unlink(s->path);
	free(s->path);
	s->path = NULL;
	free(s->input);
	s->input = NULL;
	s->input_len = 0;
}

int attach_connect(const char *dir, struct silo_err *err)
{
	_cleanup_close_ int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un addr;
	int fd;

	if (dirfd < 0)
		return silo_err_errno(err, "open \"%s\"", dir);
	socket_address(dirfd, &addr);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return silo_err_errno(err, "attach socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		silo_err_errno(err, "connect to the monitor's attach socket \"%s/attach.sock\"", dir);
		close(fd);
		return -1;
	}
	return fd;
}

int attach_send(int fd, int type, const void *data, size_t len)
{
	char msg[1 + ATTACH_MAX_PAYLOAD];

	do {
		size_t chunk = len < ATTACH_MAX_PAYLOAD ? len : ATTACH_MAX_PAYLOAD;
		ssize_t n;

		msg[0] = (char)type;
		memcpy(msg + 1, data, chunk);
		do
			n = send(fd, msg, chunk + 1, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		data = (const char *)data + chunk;
		len -= chunk;
	} while (len > 0);
	return 0;
}

/* One element of a detach-key spec; -1 when it is none. */
static int detach_key(const char *key, size_t len)
{
	static const char ctrl_chars[] = "@[\\]^_";

	if (len == 1)
		return (unsigned char)key[0];
	if (len == 6 && !strncmp(key, "ctrl-", 5)) {
		char c = key[5];
		const char *p;

		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		p = c ? strchr(ctrl_chars, c) : NULL;
		if (p)
			return (int)(p - ctrl_chars) + (p == ctrl_chars ? 0 : 26);
	}
	return -1;
}

int attach_parse_detach_keys(const char *spec, unsigned char *keys, size_t max, size_t *n,
			     struct silo_err *err)
{
	const char *p = spec;

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		int key = detach_key(p, len);

		if (key < 0)
			return silo_err_set(err, EINVAL,
					    "invalid --detach-keys \"%s\": \"%.*s\" is not a single character or "
					    "ctrl-X (X one of a-z, @, [, \\, ], ^, _)",
					    spec, (int)len, p);
		if (*n == max)
			return silo_err_set(err, EINVAL, "invalid --detach-keys \"%s\": at most %zu keys", spec, max);
		keys[(*n)++] = (unsigned char)key;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}
