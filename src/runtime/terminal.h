/* The container's terminal: a pty allocated from the container's own devpts,
 * whose slave becomes the process's stdio and controlling terminal and
 * whose master is handed to the caller over --console-socket. */
#ifndef SILO_RUNTIME_TERMINAL_H
#define SILO_RUNTIME_TERMINAL_H

#include "util/err.h"

/* Connects to the caller's console socket (a unix stream socket). */
int terminal_connect(const char *path, struct silo_err *err);

/* In the container, after pivot_root: opens /dev/ptmx, takes the slave with
 * TIOCGPTPEER (never by a /dev/pts/N path the container could swap), binds
 * it on /dev/console (for the init; not for exec), sends the master over
 * console_fd, and makes the slave the controlling terminal and stdio. */
int terminal_setup(int console_fd, unsigned height, unsigned width, int bind_dev_console,
		   struct silo_err *err);

/* SCM_RIGHTS: one descriptor, with a name as the message body (runc sends
 * the pty's path there). */
int terminal_send_fd(int sock, int fd, const char *name, struct silo_err *err);
int terminal_recv_fd(int sock, int *fd, struct silo_err *err);

/* For `run` in the foreground with a terminal and no console socket: copies
 * between our stdio and the pty master, with our terminal in raw mode, until
 * the container exits. Returns when the master hangs up. */
int terminal_proxy(int master, struct silo_err *err);

#endif
