/* Runtime <-> init messages. */
#include "runtime/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sync_pair(int fds[2], struct silo_err *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return silo_err_errno(err, "create sync socket");
	return 0;
}

int sync_send(int fd, enum sync_type type, const struct silo_err *cause)
{
	struct sync_msg msg = { .type = type };
	ssize_t n;

	if (cause) {
		msg.code = cause->code;
		memcpy(msg.text, cause->msg, sizeof(msg.text));
		msg.text[sizeof(msg.text) - 1] = '\0';
	}
	do
		n = send(fd, &msg, sizeof(msg), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(msg) ? 0 : -1;
}

int sync_send_code(int fd, enum sync_type type, int code)
{
	struct silo_err carrier = { .code = code };

	return sync_send(fd, type, &carrier);
}

int sync_recv(int fd, struct sync_msg *msg, struct silo_err *err)
{
	ssize_t n;

	do
		n = recv(fd, msg, sizeof(*msg), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return silo_err_errno(err, "read from container init");
	if (n != (ssize_t)sizeof(*msg))
		return silo_err_set(err, EPIPE, "container init exited before it was ready");
	msg->text[sizeof(msg->text) - 1] = '\0';
	return 0;
}

int sync_expect(int fd, enum sync_type type, struct silo_err *err)
{
	struct sync_msg msg;

	if (sync_recv(fd, &msg, err) < 0)
		return -1;
	if (msg.type == SYNC_ERROR) {
		/* The text already ends with the cause; keep its errno too. */
		silo_err_set(err, 0, "%s", msg.text);
		if (err)
			err->code = msg.code;
		return msg.code > 0 ? -msg.code : -1;
	}
	if (msg.type != (int)type)
		return silo_err_set(err, EPROTO, "unexpected message %d from container init", msg.type);
	return 0;
}
