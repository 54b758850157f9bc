/* The monitor's steady state: copying a container's output to its log (and
 * to our stdout/stderr in the foreground, and to attach clients) until its
 * init exits. Kept apart from monitor.c, and linked into the silo binary
 * rather than the engine module, so a detached monitor can spend the
 * container's life as a lean process (monitor_lean.h). */
#ifndef SILO_ENGINE_RELAY_H
#define SILO_ENGINE_RELAY_H

#include "engine/attach.h"
#include "engine/logfile.h"

struct relay {
	struct logfile *log;
	int *out_fd;  /* stdout pipe or pty master; closed and -1 at its end */
	int *err_fd;  /* stderr pipe, or -1 */
	int *in_fd;   /* foreground -it: our stdin, copied to the pty; -1 at EOF */
	int echo;     /* foreground: the output goes to our stdout/stderr too */
	struct logfile_stream *out, *err;
	struct attach_server *attach; /* NULL: no clients */
};

/* Copies until the init (pidfd) exits, then what is still buffered. */
void relay_run(const struct relay *r, int pidfd);

#endif
