/* User namespace ID maps and time namespace offsets. Both must be in place
 * before any process runs inside: maps before the init goes past its first
 * sync point, offsets before the init is even cloned. */
#include "runtime/userns.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
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

int userns_write_map_arrays(const json_t *uid_maps, const json_t *gid_maps, pid_t pid,
			    struct silo_err *err)
{
	if (write_map(uid_maps, pid, "uid_map", err) < 0 || write_map(gid_maps, pid, "gid_map", err) < 0)
		return -1;
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
