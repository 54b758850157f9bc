/* Container state on disk: one directory per container under the state root
 * (/run/silo by default), holding state.json, a lock file and, while the
 * container waits for `start`, the exec socket. The status is never stored:
 * it is derived from the init process (alive? the same process we started?)
 * and from the exec socket (present = created, not started yet). */
#ifndef SILO_RUNTIME_STATE_H
#define SILO_RUNTIME_STATE_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

#define STATE_FILE "state.json"
/* create writes the container's cgroup path down, one line, before it
 * makes the cgroup, so that delete can remove the cgroup of a create that
 * was killed half-way: as this extended attribute of the state directory,
 * or where the filesystem has no user attributes, in the file
 * STATE_CGROUP_NOTE. */
#define STATE_CGROUP_XATTR "user.silo.cgroup"
#define STATE_CGROUP_NOTE "cgroup"
#define STATE_EXEC_SOCKET "exec.sock"

enum container_status {
	STATUS_CREATING,
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
};

struct container_state {
	char *id;
	char *dir;     /* state directory */
	pid_t pid;
	uint64_t start_time; /* /proc/PID/stat field 22: tells a reused PID apart */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *cgroup_path;
	int cgroup_default_parent; /* the cgroup parent is silo's own and may be removed */
	uid_t owner;
	json_t *annotations;
	json_t *config; /* the spec document, for commands that need it later */
};

const char *state_status_name(enum container_status status);

/* A container ID: letters, digits, and . _ + - ; not "." or "..". */
int state_validate_id(const char *id, struct silo_err *err);

char *state_dir_path(const char *root, const char *id);

/* Every command on a container holds the lock: a flock of its state
 * directory, which lock_fd is open on. */

/* Makes the state directory for a new container and returns it locked.
 * A directory left by a create that died half-way (no state.json, lock not
 * held) is cleared first. */
int state_dir_create(const char *root, const char *id, int *lock_fd, struct silo_err *err);

/* Takes the container's lock; fails with "does not exist" when it is gone. */
int state_lock(const char *root, const char *id, int *lock_fd, struct silo_err *err);

/* Writes the cgroup note (STATE_CGROUP_XATTR) of the locked directory
 * lock_fd; state_cgroup_note reads it back, NULL when there is none. */
int state_note_cgroup(int lock_fd, const char *cgroup_path, struct silo_err *err);
char *state_cgroup_note(const char *root, const char *id);

int state_write(const struct container_state *state, struct silo_err *err);
/* Reads state.json; a missing container says `container "ID" does not exist`. */
int state_read(const char *root, const char *id, struct container_state *state,
	       struct silo_err *err);
void state_free(struct container_state *state);

enum container_status state_status(const struct container_state *state);

/* Builds the OCI state object (ociVersion, id, status, pid, bundle, ...). */
json_t *state_to_json(const struct container_state *state, enum container_status status);

/* Reads field 22 of /proc/PID/stat; 0 when the process is gone. Sets *zombie
 * when the process has exited but is not reaped yet. */
uint64_t state_process_start_time(pid_t pid, int *zombie);

/* Every container ID under root, sorted. */
int state_list_ids(const char *root, char ***ids, struct silo_err *err);

/* Removes the state directory. With the container's lock (lock_fd, may be
 * NULL), the directory is renamed out of the way first and the lock then
 * released (closed, *lock_fd = -1) before the files go. */
int state_remove(const char *root, const char *id, int *lock_fd, struct silo_err *err);

#endif
