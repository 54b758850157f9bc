/* Profiles → linux.seccomp (see seccomp_profile.h). The conditions are
 * resolved here, once per container, so the runtime gets a plain OCI
 * filter: which syscalls a container may make depends on the
 * capabilities it was given (mount is no use without CAP_SYS_ADMIN, and
 * allowing it without the capability only widens the kernel's surface). */
#include "engine/seccomp_profile.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "util/cleanup.h"
#include "util/json.h"

json_t *engine_seccomp_default(void)
{
	return json_loads(engine_seccomp_default_json, 0, NULL);
}

/* This machine as uname says, and as docker's profiles name it. */
static void machine_names(char machine[65], const char **docker_arch, const char **scmp_arch)
{
	struct utsname u;

	snprintf(machine, 65, "%s", uname(&u) == 0 ? u.machine : "x86_64");
	*docker_arch = !strcmp(machine, "x86_64") ? "amd64" : !strcmp(machine, "aarch64") ? "arm64" : machine;
	*scmp_arch = !strcmp(machine, "x86_64") ? "SCMP_ARCH_X86_64"
		     : !strcmp(machine, "aarch64") ? "SCMP_ARCH_AARCH64" : "";
}

/* includes: every cap listed, and this arch if arches are listed;
 * excludes: none of the caps, not this arch. */
static int entry_applies(json_t *entry, json_t *caps, const char *arch)
{
	json_t *inc = json_object_get(entry, "includes"), *exc = json_object_get(entry, "excludes");
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(inc, "caps"), i, v)
		if (!json_array_has_string(caps, json_string_value(v) ?: ""))
			return 0;
	if (json_array_size(json_object_get(inc, "arches")) && !json_array_has_string(json_object_get(inc, "arches"), arch))
		return 0;
	json_array_foreach(json_object_get(exc, "caps"), i, v)
		if (json_array_has_string(caps, json_string_value(v) ?: ""))
			return 0;
	return !json_array_has_string(json_object_get(exc, "arches"), arch);
}

static json_t *architectures(json_t *profile, const char *machine, const char *scmp_arch)
{
	json_t *explicit = json_object_get(profile, "architectures");
	json_t *map = json_object_get(profile, "archMap");
	json_t *out = json_array();
	size_t i;
	json_t *v;

	if (json_is_array(explicit) && json_array_size(explicit))
		return json_deep_copy(explicit);
	/* silo's form: {"x86_64": [...]}. */
	if (json_is_object(map) && json_is_array(json_object_get(map, machine)))
		json_array_extend(out, json_object_get(map, machine));
	/* docker's: [{"architecture", "subArchitectures"}]. */
	json_array_foreach(json_is_array(map) ? map : NULL, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "architecture")) ?: "", scmp_arch))
			continue;
		json_array_append(out, json_object_get(v, "architecture"));
		json_array_extend(out, json_object_get(v, "subArchitectures"));
	}
	return out;
}

int engine_seccomp_for_container(json_t *profile, json_t *caps, json_t **out, struct silo_err *err)
{
	static const char *const passed_on[] = { "defaultAction", "defaultErrnoRet", "flags",
						  "listenerPath", "listenerMetadata", NULL };
	static const char *const entry_fields[] = { "names", "action", "errnoRet", "args", NULL };
	_cleanup_json_ json_t *filter = json_object();
	json_t *syscalls = json_array();
	const char *docker_arch, *scmp_arch;
	char machine[65];
	size_t i;
	json_t *entry;

	if (!filter || !syscalls) {
		json_decref(syscalls);
		return silo_err_sys(err, ENOMEM, "seccomp profile");
	}
	machine_names(machine, &docker_arch, &scmp_arch);
	for (const char *const *k = passed_on; *k; k++)
		if (json_object_get(profile, *k))
			json_object_set(filter, *k, json_object_get(profile, *k));
	json_object_set_new(filter, "architectures", architectures(profile, machine, scmp_arch));
	json_object_set_new(filter, "syscalls", syscalls);
	json_array_foreach(json_object_get(profile, "syscalls"), i, entry) {
		json_t *copy;

		if (!json_is_object(entry))
			return silo_err_set(err, EINVAL, "seccomp profile: syscalls[%zu] is not an object", i);
		if (!entry_applies(entry, caps, docker_arch))
			continue;
		copy = json_object();
		for (const char *const *k = entry_fields; *k; k++)
			if (json_object_get(entry, *k))
				json_object_set(copy, *k, json_object_get(entry, *k));
		/* docker's older profiles name one syscall in "name". */
		if (!json_object_get(copy, "names") && json_is_string(json_object_get(entry, "name")))
			json_object_set_new(copy, "names", json_pack("[O]", json_object_get(entry, "name")));
		json_array_append_new(syscalls, copy);
	}
	*out = steal_pointer(&filter);
	return 0;
}
