/* Messages between the runtime and a container's init process while it is
 * being built, over a SOCK_SEQPACKET socket pair: one message per packet, so
 * a short read can never split or merge two of them. */
#ifndef SILO_RUNTIME_SYNC_H
#define SILO_RUNTIME_SYNC_H

#include "util/err.h"

enum sync_type {
	SYNC_GO = 1,   /* runtime -> init: go on (the maps are written, the
			* state recorded, or, for run, start) */
	SYNC_READY,    /* init -> runtime: built, waiting for start */
	SYNC_ERROR,    /* init -> runtime: failed; text says why */
	SYNC_HOOKS,    /* init -> runtime: mounts done, run createRuntime hooks */
};

struct sync_msg {
	int type;
	int code; /* errno with SYNC_ERROR; the init's host PID with the last GO */
	char text[SILO_ERR_MAX];
};

int sync_pair(int fds[2], struct silo_err *err);
int sync_send(int fd, enum sync_type type, const struct silo_err *cause);
/* Sends a message of type carrying a number in code. */
int sync_send_code(int fd, enum sync_type type, int code);
/* Receives one message; a closed peer is reported as an error. */
int sync_recv(int fd, struct sync_msg *msg, struct silo_err *err);
/* Receives and expects type; an SYNC_ERROR becomes err. */
int sync_expect(int fd, enum sync_type type, struct silo_err *err);

#endif
