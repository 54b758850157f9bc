/* Attaching to a running container: the monitor's side (a unix socket,
 * containers/<id>/attach.sock, that any number of `silo attach` clients
 * connect to) and the few things a client needs (connect, the messages,
 * detach keys).
 *
 * The socket is SOCK_SEQPACKET: every message arrives whole, one type byte
 * and a payload. The monitor sends a client the container's output as it
 * reads it (no replay of what came before) and, once the container has
 * exited and been recorded so (and removed, with --rm), its exit status;
 * then it closes the connection. A client sends its stdin (which goes to
 * the container only when it was created with -i), its window size, and
 * signals to pass on. The monitor never blocks on a client: what a slow
 * one cannot take is queued up to a limit, past which it is dropped. */
#ifndef SILO_ENGINE_ATTACH_H
#define SILO_ENGINE_ATTACH_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

/* Message types. */
enum {
	ATTACH_STDOUT = 'O', /* monitor -> client: output (all of it with -t) */
	ATTACH_STDERR = 'E', /* monitor -> client */
	ATTACH_EXIT = 'X',   /* monitor -> client: an int, the exit status */
	ATTACH_STDIN = 'I',  /* client -> monitor: input for the container */
	ATTACH_RESIZE = 'W', /* client -> monitor: a struct winsize */
	ATTACH_SIGNAL = 'S', /* client -> monitor: an int, a signal number */
};

/* The largest message: a type byte and up to this much payload. */
#define ATTACH_MAX_PAYLOAD 16384

#define ATTACH_MAX_CLIENTS 32

struct attach_client {
	int fd;
	char *queue; /* messages the socket could not take yet: u32 length, bytes */
	size_t queued;
};

struct attach_server {
	int listen_fd;
	char *path;
	struct attach_client clients[ATTACH_MAX_CLIENTS];
	size_t n_clients;
	/* Set for each run of the container: where input goes (the stdin
	 * pipe or the pty master; -1: nowhere), the pty master for
	 * resizes, the init for signals. */
	int input_fd;
	int tty_fd;
	int pidfd;
	char *input; /* input the container has not taken yet */
	size_t input_len;
};

void attach_server_init(struct attach_server *s);

/* Listens on DIR/attach.sock (DIR is the container's directory; its path
 * may be longer than sun_path allows, so it is reached through
 * /proc/self/fd). */
int attach_server_listen(struct attach_server *s, const char *dir, struct silo_err *err);

/* Takes a connected socket as a client (`run -it` brings its own). */
int attach_server_add(struct attach_server *s, int fd);

void attach_server_set_target(struct attach_server *s, int input_fd, int tty_fd, int pidfd);

/* Adds what the server waits for to fds (at most max entries); returns
 * how many. attach_server_dispatch then handles their revents. */
size_t attach_server_pollfds(struct attach_server *s, struct pollfd *fds, size_t max);
void attach_server_dispatch(struct attach_server *s, const struct pollfd *fds, size_t n);

/* Output of the container for every client: ATTACH_STDOUT or _STDERR. */
void attach_server_output(struct attach_server *s, int type, const void *data, size_t len);

/* Sends the clients what is queued for them, waiting up to timeout_ms
 * for slow ones (a queue does not pass the monitor's exec); one that hangs
 * up is dropped. */
void attach_server_flush(struct attach_server *s, int timeout_ms);

/* Tells every client the exit status, lets them read what is queued (a
 * second at most), and closes them. */
void attach_server_exit(struct attach_server *s, int status);

/* Closes everything and removes the socket. */
void attach_server_close(struct attach_server *s);

/* A client: connects to DIR/attach.sock. */
int attach_connect(const char *dir, struct silo_err *err);

/* Sends one message (blocking). Returns 0 or -errno. */
int attach_send(int fd, int type, const void *data, size_t len);

/* docker's --detach-keys: comma-separated, each a single character or
 * ctrl-X (X one of a-z @ [ \ ] ^ _). keys has room for max bytes; *n is
 * how many. */
int attach_parse_detach_keys(const char *spec, unsigned char *keys, size_t max, size_t *n,
			     struct silo_err *err);

/* ctrl-p ctrl-q */
#define ATTACH_DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"

#endif
