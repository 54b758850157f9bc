/* exe_protect: silo runs from a sealed, anonymous copy of its own binary, so
 * that no process in a container can reach the binary on the host through
 * /proc/PID/exe of a silo process (CVE-2019-5736).
 *
 * Every process silo puts into a container (the init from clone until its
 * execve, an exec'd process until its execve) is a copy of the runtime, and
 * its /proc/PID/exe is the runtime's executable. A process already in the
 * container can open that link (between create and start, or while an exec
 * is being set up), or have the runtime execute it as the container's
 * program (an entrypoint starting with #!/proc/self/exe, the original
 * exploit), and, once silo is done with it, write to it: on the host
 * that was the silo binary, which the next `silo` run would then execute
 * as root. Running from a sealed memfd copy, the link leads to that copy
 * only: it has no path on the host, and its seals forbid any write. */
#ifndef SILO_RUNTIME_EXE_PROTECT_H
#define SILO_RUNTIME_EXE_PROTECT_H

#include "util/err.h"

/* Makes sure the calling process runs from a sealed copy of its binary.
 * When it already does, returns 0 at once. Otherwise copies the binary into
 * a sealed memfd and re-executes it with the command line the process was
 * started with (/proc/self/cmdline) and the current environment, so it
 * never returns on success: the command starts over, from the copy.
 * container_create and container_exec call it first thing; any other
 * caller (the engine's commands, say) must call it before the command has
 * changed anything it would then change twice.
 * Returns negative, with err filled, when the copy cannot be made or run. */
int exe_protect_reexec(struct silo_err *err);

/* 1 when the calling process runs from a sealed copy, 0 otherwise. */
int exe_protect_is_sealed(void);

/* 1 when fd is a file sealed as exe_protect seals its copy (a memfd no one
 * can write, grow, shrink or seal further), 0 otherwise. */
int exe_protect_fd_is_sealed(int fd);

/* A sealed copy of the executable at path, made as exe_protect_reexec
 * makes its own: its descriptor (close-on-exec), or negative with err
 * filled. */
int exe_protect_copy(const char *path, struct silo_err *err);

/* In a sealed copy: the path of the binary it was copied from, as the
 * re-exec found it; NULL elsewhere. A process that outlives the copy's
 * use, and must run silo again later, makes a new copy of it rather than
 * keep this one open (engine/monitor_lean.h). */
const char *exe_protect_source(void);

#endif
