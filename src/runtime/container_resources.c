/* pause, resume, ps, update and events, on the library side: each reads the
 * container's state, checks that it still runs, and hands its cgroup path
 * to cgroup.c. Those that change the container (pause, resume, update) hold
 * its state lock, like every other command that changes it. */
#include "runtime/container_resources.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/state.h"
#include "util/cleanup.h"

/* Reads the state of a container that has a live process; with lock_fd,
 * under its lock. */
static int read_live(const struct runtime_context *ctx, const char *id, int *lock_fd,
		     struct container_state *state, enum container_status *status,
		     struct silo_err *err)
{
	if (lock_fd && state_lock(ctx->root, id, lock_fd, err) < 0)
		return -1;
	if (state_read(ctx->root, id, state, err) < 0)
		return -1;
	*status = state_status(state);
	if (*status == STATUS_STOPPED || !state->cgroup_path) {
		state_free(state);
		return silo_err_set(err, ESRCH, "container \"%s\": container not running", id);
	}
	return 0;
}

static int freeze(const struct runtime_context *ctx, const char *id, int frozen,
		  struct silo_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	struct container_state state;
	enum container_status status;
	struct cgroup_host host;
	int r;

	if (read_live(ctx, id, &lock_fd, &state, &status, err) < 0)
		return -1;
	if (frozen && status == STATUS_PAUSED)
		r = silo_err_set(err, EINVAL, "container \"%s\" is already paused", id);
	else if (!frozen && status != STATUS_PAUSED)
		r = silo_err_set(err, EINVAL, "container \"%s\" is not paused", id);
	else if ((r = cgroup_detect(&host, err)) == 0) {
		r = cgroup_freeze(&host, state.cgroup_path, frozen, err);
		cgroup_host_free(&host);
		if (r < 0)
			silo_err_prefix(err, "%s container \"%s\"", frozen ? "pause" : "resume", id);
	}
	state_free(&state);
	return r;
}

int container_pause(const struct runtime_context *ctx, const char *id, struct silo_err *err)
{
	return freeze(ctx, id, 1, err);
}

int container_resume(const struct runtime_context *ctx, const char *id, struct silo_err *err)
{
	return freeze(ctx, id, 0, err);
}

int container_processes(const struct runtime_context *ctx, const char *id, pid_t **pids,
			size_t *n, struct silo_err *err)
{
	struct container_state state;
	enum container_status status;
	struct cgroup_host host;
	int r;

	if (read_live(ctx, id, NULL, &state, &status, err) < 0)
		return -1;
	r = cgroup_detect(&host, err);
	if (r == 0) {
		r = cgroup_read_pids(&host, state.cgroup_path, pids, n, err);
		cgroup_host_free(&host);
	}
	state_free(&state);
	return r;
}

/* Objects merge key by key; anything else is replaced. */
static int merge(json_t *into, json_t *from)
{
	const char *key;
	json_t *value;

	json_object_foreach (from, key, value) {
		json_t *old = json_object_get(into, key);

		if (json_is_object(old) && json_is_object(value)) {
			if (merge(old, value) < 0)
				return -1;
		} else if (json_object_set(into, key, value) < 0) {
			return -1;
		}
	}
	return 0;
}

int container_update(const struct runtime_context *ctx, const char *id, json_t *resources,
		     struct silo_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	_cleanup_json_ json_t *merged = NULL;
	_cleanup_json_ json_t *changes = NULL;
	struct container_state state;
	enum container_status status;
	struct cgroup_host host;
	json_t *linux_section, *memory;
	int r;

	if (!json_is_object(resources))
		return silo_err_set(err, EINVAL, "update container \"%s\": the resources must be a JSON object",
				    id);
	if (read_live(ctx, id, &lock_fd, &state, &status, err) < 0)
		return -1;
	if (!json_is_object(state.config)) {
		json_decref(state.config);
		state.config = json_object();
		if (!state.config) {
			state_free(&state);
			return silo_err_sys(err, ENOMEM, "update container \"%s\"", id);
		}
	}
	linux_section = json_object_get(state.config, "linux");
	if (!json_is_object(linux_section)) {
		linux_section = json_object();
		json_object_set_new(state.config, "linux", linux_section);
	}
	merged = json_deep_copy(json_object_get(linux_section, "resources"));
	if (!json_is_object(merged)) {
		json_decref(merged);
		merged = json_object();
	}
	changes = json_deep_copy(resources);
	if (!merged || !changes || merge(merged, resources) < 0) {
		state_free(&state);
		return silo_err_sys(err, ENOMEM, "update container \"%s\"", id);
	}
	/* checkBeforeUpdate is a standing order of the config: it holds for
	 * updates that do not repeat it. */
	memory = json_object_get(changes, "memory");
	if (json_is_object(memory) && !json_object_get(memory, "checkBeforeUpdate"))
		json_object_set(memory, "checkBeforeUpdate",
				json_object_get(json_object_get(merged, "memory"), "checkBeforeUpdate"));
	if (json_is_null(json_object_get(memory, "checkBeforeUpdate")))
		json_object_del(memory, "checkBeforeUpdate");

	r = cgroup_detect(&host, err);
	if (r == 0) {
		r = cgroup_update_resources(&host, state.cgroup_path, changes,
					    json_object_get(linux_section, "devices"), err);
		cgroup_host_free(&host);
	}
	if (r == 0) {
		json_object_set(linux_section, "resources", merged);
		r = state_write(&state, err);
	}
	if (r < 0)
		silo_err_prefix(err, "update container \"%s\"", id);
	state_free(&state);
	return r;
}

int container_stats(const struct runtime_context *ctx, const char *id, json_t **data,
		    struct silo_err *err)
{
	struct container_state state;
	enum container_status status;
	struct cgroup_host host;
	int r;

	if (read_live(ctx, id, NULL, &state, &status, err) < 0)
		return -1;
	r = cgroup_detect(&host, err);
	if (r == 0) {
		r = cgroup_stats(&host, state.cgroup_path, data, err);
		cgroup_host_free(&host);
	}
	state_free(&state);
	return r;
}

int container_watch_open(const struct runtime_context *ctx, const char *id,
			 struct container_watch *watch, struct silo_err *err)
{
	struct container_state state;
	enum container_status status;
	struct cgroup_host host;

	memset(watch, 0, sizeof(*watch));
	watch->pidfd = -1;
	if (read_live(ctx, id, NULL, &state, &status, err) < 0)
		return -1;
	watch->pidfd = (int)syscall(SYS_pidfd_open, state.pid, 0);
	/* The PID may have been reused since state.json was read. */
	if (watch->pidfd < 0 || state_process_start_time(state.pid, NULL) != state.start_time) {
		state_free(&state);
		container_watch_close(watch);
		return silo_err_set(err, ESRCH, "container \"%s\": container not running", id);
	}
	if (cgroup_detect(&host, NULL) == 0) {
		/* A host without a memory controller has no OOM events to tell. */
		watch->has_oom = cgroup_oom_watch_open(&host, state.cgroup_path, &watch->oom, NULL) == 0;
		cgroup_host_free(&host);
	}
	state_free(&state);
	return 0;
}

int container_watch_wait(struct container_watch *watch, int timeout_ms, uint64_t *ooms,
			 int *exited, struct silo_err *err)
{
	struct pollfd fds[2] = {
		{ .fd = watch->pidfd, .events = POLLIN },
		{ .fd = watch->has_oom ? watch->oom.fd : -1, .events = POLLIN },
	};
	int r;

	*ooms = 0;
	*exited = 0;
	do
		r = poll(fds, 2, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return silo_err_errno(err, "wait for container events");
	/* An OOM that killed the init shows up with its exit: read both. */
	if (watch->has_oom && (fds[1].revents & POLLIN || fds[0].revents))
		cgroup_oom_watch_read(&watch->oom, ooms);
	*exited = (fds[0].revents & (POLLIN | POLLHUP)) != 0;
	return 0;
}

void container_watch_close(struct container_watch *watch)
{
	if (watch->pidfd >= 0)
		close(watch->pidfd);
	if (watch->has_oom)
		cgroup_oom_watch_close(&watch->oom);
	watch->pidfd = -1;
	watch->has_oom = 0;
}
