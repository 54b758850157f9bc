/* `silo attach`, and the attach client that `run -it` uses too: the
 * container's output on our stdout and stderr, our stdin to it (with a
 * terminal in raw mode, window-size changes passed on), detach keys, and
 * the container's exit status as ours. */
#ifndef SILO_CLI_ENGINE_ATTACH_H
#define SILO_CLI_ENGINE_ATTACH_H

#include <stddef.h>

#include "cli/engine_cli.h"
#include "util/err.h"

extern const struct engine_command engine_attach_commands[];

struct attach_client_options {
	int fd;         /* connected to the container's monitor */
	int tty;        /* the container has a terminal: one stream */
	int send_stdin; /* our stdin goes to the container */
	int sig_proxy;  /* pass SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 on */
	const unsigned char *detach_keys;
	size_t n_detach_keys;
};

enum { ATTACH_CLIENT_EXITED, ATTACH_CLIENT_DETACHED, ATTACH_CLIENT_LOST };

/* Runs until the container exits (ATTACH_CLIENT_EXITED, *exit_status its
 * status), the user types the detach keys (ATTACH_CLIENT_DETACHED), or
 * the monitor goes without a word (ATTACH_CLIENT_LOST). */
int attach_client_run(const struct attach_client_options *o, int *exit_status);

/* --detach-keys for attach and run: the keys, or a usage error (125). */
int attach_client_detach_keys(const char *command, const char *spec, unsigned char *keys,
			      size_t max, size_t *n);

/* What attach and run say when the user detaches. */
void attach_client_say_detached(void);

#endif
