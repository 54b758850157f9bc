/* User namespace ID maps and time namespace offsets. Both must be in place
 * before any process runs inside: maps before the init goes past its first
 * sync point, offsets before the init is even cloned. */
#include "runtime/userns.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static json_t *linux_field(const struct spec *spec, const char *key)
{
	return json_object_get(json_object_get(spec->document, "linux"), key);
}

static int check_maps(const json_t *maps, const char *field, struct silo_err *err)
{
	size_t i;
	json_t *m;

	if (!json_is_array(maps) || json_array_size(maps) == 0)
		return silo_err_set(err, EINVAL,
				    "config.json: linux.%s: a new user namespace needs at least one mapping",
				    field);
	if (json_array_size(maps) > 340)
		return silo_err_set(err, EINVAL, "config.json: linux.%s: at most 340 mappings", field);
	json_array_foreach (maps, i, m) {
		static const char *const keys[] = { "containerID", "hostID", "size" };

		for (size_t k = 0; k < 3; k++) {
			json_t *v = json_object_get(m, keys[k]);

			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 4294967295LL ||
			    (k == 2 && json_integer_value(v) == 0))
				return silo_err_set(err, EINVAL,
						    "config.json: linux.%s[%zu].%s: expected a %s number",
						    field, i, keys[k], k == 2 ? "positive" : "non-negative");
		}
	}
	return 0;
}

int userns_wanted(const struct spec *spec)
{
	return spec_find_namespace(spec, CLONE_NEWUSER) != NULL;
}

int userns_validate(const struct spec *spec, struct silo_err *err)
{
	const struct spec_namespace *user = spec_find_namespace(spec, CLONE_NEWUSER);
	const struct spec_namespace *time_ns = spec_find_namespace(spec, CLONE_NEWTIME);
	json_t *offsets = linux_field(spec, "timeOffsets");

	if (user && !user->path &&
	    (check_maps(linux_field(spec, "uidMappings"), "uidMappings", err) < 0 ||
	     check_maps(linux_field(spec, "gidMappings"), "gidMappings", err) < 0))
		return -1;
	if (offsets && !json_is_null(offsets)) {
		const char *clock;
		json_t *o;

		if (!time_ns || time_ns->path)
			return silo_err_set(err, EINVAL,
					    "config.json: linux.timeOffsets: needs a new time namespace");
		if (!json_is_object(offsets))
			return silo_err_set(err, EINVAL, "config.json: linux.timeOffsets: expected an object");
		json_object_foreach (offsets, clock, o) {
			if (strcmp(clock, "monotonic") && strcmp(clock, "boottime"))
				return silo_err_set(err, EINVAL,
						    "config.json: linux.timeOffsets.%s: only monotonic and boottime can be offset",
						    clock);
			if (!json_is_object(o) ||
			    (json_object_get(o, "secs") && !json_is_integer(json_object_get(o, "secs"))) ||
			    (json_object_get(o, "nanosecs") &&
			     !json_is_integer(json_object_get(o, "nanosecs"))))
				return silo_err_set(err, EINVAL,
						    "config.json: linux.timeOffsets.%s: expected {\"secs\", \"nanosecs\"} numbers",
						    clock);
		}
	}
	return 0;
}

static int write_map(const json_t *maps, pid_t pid, const char *file, struct silo_err *err)
{
	char path[64], text[340 * 40] = "";
	size_t used = 0, i;
	json_t *m;

	json_array_foreach (maps, i, m)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%lld %lld %lld\n",
					 (long long)json_integer_value(json_object_get(m, "containerID")),
					 (long long)json_integer_value(json_object_get(m, "hostID")),
					 (long long)json_integer_value(json_object_get(m, "size")));
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	/* The kernel takes the whole map in one write, once. */
	if (fs_write_string(path, text, err) < 0)
		return silo_err_prefix(err, "config.json: linux.%s",
				       !strcmp(file, "uid_map") ? "uidMappings" : "gidMappings");
	return 0;
}

/* Whether maps is one range of size 1 onto id: what an unprivileged user
 * may write for itself. */
static int only_own_id(const json_t *maps, unsigned long id)
{
	json_t *m = json_array_get(maps, 0);

	return json_array_size(maps) == 1 && json_integer_value(json_object_get(m, "size")) == 1 &&
	       (unsigned long)json_integer_value(json_object_get(m, "hostID")) == id;
}

/* newuidmap / newgidmap (Debian's uidmap) write ranges from /etc/subuid and
 * /etc/subgid for an unprivileged user. */
static int run_id_helper(const char *helper, const json_t *maps, pid_t pid, struct silo_err *err)
{
	char *argv[3 + 3 * 340 + 1];
	char numbers[3 * 340 + 1][24];
	size_t n = 0, i;
	json_t *m;
	pid_t child;
	int status;

	argv[n++] = (char *)helper;
	snprintf(numbers[0], sizeof(numbers[0]), "%d", pid);
	argv[n++] = numbers[0];
	json_array_foreach (maps, i, m) {
		static const char *const keys[] = { "containerID", "hostID", "size" };

		for (size_t k = 0; k < 3 && n < 3 * 340 + 2; k++) {
			snprintf(numbers[n - 1], sizeof(numbers[0]), "%lld",
				 (long long)json_integer_value(json_object_get(m, keys[k])));
			argv[n] = numbers[n - 1];
			n++;
		}
	}
	argv[n] = NULL;
	child = fork();
	if (child == 0) {
		execvp(helper, argv);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return silo_err_errno(err, "run %s", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return silo_err_set(err, ENOENT,
				    "%s is needed to map more than your own ID (install Debian's uidmap, and give your user ranges in /etc/subuid and /etc/subgid)",
				    helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return silo_err_set(err, EPERM,
				    "%s refused the mapping: are the ranges in /etc/subuid and /etc/subgid yours?",
				    helper);
	return 0;
}

int userns_write_map_arrays(const json_t *uid_maps, const json_t *gid_maps, pid_t pid,
			    struct silo_err *err)
{
	char path[64];

	if (geteuid() == 0)
		return write_map(uid_maps, pid, "uid_map", err) < 0 ||
				       write_map(gid_maps, pid, "gid_map", err) < 0
			       ? -1
			       : 0;
	/* Unprivileged: one's own IDs can be mapped directly (gid_map only
	 * once setgroups is denied); anything wider goes through the setuid
	 * helpers. */
	if (only_own_id(uid_maps, geteuid())) {
		if (write_map(uid_maps, pid, "uid_map", err) < 0)
			return -1;
	} else if (run_id_helper("newuidmap", uid_maps, pid, err) < 0) {
		return silo_err_prefix(err, "config.json: linux.uidMappings");
	}
	if (only_own_id(gid_maps, getegid())) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
		if (fs_write_string(path, "deny", err) < 0)
			return silo_err_prefix(err, "config.json: linux.gidMappings");
		return write_map(gid_maps, pid, "gid_map", err);
	}
	if (run_id_helper("newgidmap", gid_maps, pid, err) < 0)
		return silo_err_prefix(err, "config.json: linux.gidMappings");
	return 0;
}

int userns_write_maps(const struct spec *spec, pid_t pid, struct silo_err *err)
{
	const struct spec_namespace *user = spec_find_namespace(spec, CLONE_NEWUSER);

	if (!user || user->path)
		return 0;
	return userns_write_map_arrays(linux_field(spec, "uidMappings"),
				       linux_field(spec, "gidMappings"), pid, err);
}

int userns_become_root(struct silo_err *err)
{
	if (setresgid(0, 0, 0) < 0)
		return silo_err_errno(err,
				      "user namespace: become gid 0 (is gid 0 mapped in linux.gidMappings?)");
	if (setresuid(0, 0, 0) < 0)
		return silo_err_errno(err,
				      "user namespace: become uid 0 (is uid 0 mapped in linux.uidMappings?)");
	return 0;
}

int userns_prepare_time(const struct spec *spec, struct silo_err *err)
{
	const struct spec_namespace *time_ns = spec_find_namespace(spec, CLONE_NEWTIME);
	json_t *offsets = linux_field(spec, "timeOffsets");
	const char *clock;
	json_t *o;

	if (!time_ns || time_ns->path)
		return 0;
	if (unshare(CLONE_NEWTIME) < 0)
		return silo_err_errno(err, "create time namespace");
	json_object_foreach (offsets, clock, o) {
		char line[96];

		snprintf(line, sizeof(line), "%s %lld %lld\n", clock,
			 (long long)json_integer_value(json_object_get(o, "secs")),
			 (long long)json_integer_value(json_object_get(o, "nanosecs")));
		if (fs_write_string("/proc/self/timens_offsets", line, err) < 0)
			return silo_err_prefix(err, "config.json: linux.timeOffsets.%s", clock);
	}
	return 0;
}
