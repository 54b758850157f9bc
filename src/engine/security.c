/* Security flags → config.json (see security.h). The capability sets and
 * the host's devices are read here, where the flags are read, so that what
 * the host cannot grant is refused before anything is made. */
#include "engine/security.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/seccomp_profile.h"
#include "runtime/capabilities.h"
#include "util/cleanup.h"
#include "util/json.h"

/* Every capability our bounding set has: all a container can be given. */
static json_t *host_capabilities(void)
{
	json_t *caps = json_array();

	for (int cap = 0; cap <= capabilities_last_cap(); cap++) {
		const char *name = capabilities_name(cap);

		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1 || !name)
			continue;
		json_array_append_new(caps, json_string(name));
	}
	return caps;
}

/* chown, CHOWN, cap_chown, CAP_CHOWN → CAP_CHOWN; "all" → ALL. */
static int add_capability_flag(json_t **list, const char *flag, const char *value,
			       struct silo_err *err)
{
	char name[64];
	int cap;
	int has_prefix = !strncasecmp(value, "CAP_", 4);

	if (!*value || strlen(value) > 40)
		return silo_err_set(err, EINVAL, "invalid --%s \"%s\": want a capability name", flag, value);
	snprintf(name, sizeof(name), "%s%s", has_prefix ? "" : "CAP_", value);
	for (char *p = name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!strcmp(name, "CAP_ALL")) {
		snprintf(name, sizeof(name), "ALL");
	} else if ((cap = capabilities_from_name(name)) < 0) {
		return silo_err_set(err, EINVAL, "invalid --%s \"%s\": unknown capability", flag, value);
	} else if (!strcmp(flag, "cap-add") && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) {
		return silo_err_set(err, EPERM,
				    "invalid --cap-add \"%s\": this host's capability bounding set has no %s, so no container can have it",
				    value, name);
	}
	if (!*list && !(*list = json_array()))
		return silo_err_sys(err, ENOMEM, "--%s", flag);
	if (!json_array_has_string(*list, name))
		json_array_append_new(*list, json_string(name));
	return 0;
}

json_t *engine_security_capabilities(const struct engine_security *s)
{
	json_t *caps;
	size_t i;
	json_t *v;

	/* As docker: --privileged is every capability, whatever else is asked. */
	if (s && s->privileged)
		return host_capabilities();
	if (s && json_array_has_string(s->cap_add, "ALL")) {
		caps = host_capabilities();
	} else if (s && json_array_has_string(s->cap_drop, "ALL")) {
		caps = json_array();
	} else {
		caps = json_array();
		for (const char *const *c = engine_default_capabilities; *c; c++)
			json_array_append_new(caps, json_string(*c));
	}
	for (i = json_array_size(caps); s && i-- > 0;)
		if (json_array_has_string(s->cap_drop, json_string_value(json_array_get(caps, i))))
			json_array_remove(caps, i);
	json_array_foreach(s ? s->cap_add : NULL, i, v)
		if (strcmp(json_string_value(v), "ALL") && !json_array_has_string(caps, json_string_value(v)))
			json_array_append(caps, v);
	return caps;
}

static int load_seccomp_file(struct engine_security *s, const char *path, struct silo_err *err)
{
	json_error_t jerr;
	json_t *profile = json_load_file(path, 0, &jerr);

	if (!profile)
		return silo_err_set(err, EINVAL, "invalid --security-opt seccomp=%s: %s (line %d)", path,
				    jerr.text, jerr.line);
	if (!json_is_object(profile) || !json_is_string(json_object_get(profile, "defaultAction"))) {
		json_decref(profile);
		return silo_err_set(err, EINVAL,
				    "invalid --security-opt seccomp=%s: want a profile object with a defaultAction",
				    path);
	}
	json_decref(s->seccomp);
	s->seccomp = profile;
	s->seccomp_unconfined = 0;
	return 0;
}

static int set_security_opt(struct engine_security *s, const char *value, struct silo_err *err)
{
	/* docker takes both "seccomp=X" and the older "seccomp:X". */
	size_t key_len = strcspn(value, "=:");
	const char *arg = value[key_len] ? value + key_len + 1 : NULL;

	if (!strncmp(value, "no-new-privileges", key_len) && key_len == strlen("no-new-privileges")) {
		if (!arg || !strcmp(arg, "true"))
			s->no_new_privileges = 1;
		else if (!strcmp(arg, "false"))
			s->no_new_privileges = 0;
		else
			return silo_err_set(err, EINVAL, "invalid --security-opt \"%s\": want no-new-privileges[=true|false]",
					    value);
		return 0;
	}
	if (!strncmp(value, "seccomp", key_len) && key_len == strlen("seccomp") && arg && *arg) {
		if (!strcmp(arg, "unconfined")) {
			json_decref(s->seccomp);
			s->seccomp = NULL;
			s->seccomp_unconfined = 1;
			return 0;
		}
		return load_seccomp_file(s, arg, err);
	}
	return silo_err_set(err, EINVAL,
			    "invalid --security-opt \"%s\": want no-new-privileges or seccomp=FILE|unconfined (no LSM options here)",
			    value);
}

/* HOST[:CONTAINER[:PERMISSIONS]]: the host's node is looked at now; the
 * runtime makes a node of the same type and number in the container. */
static int add_device(struct engine_security *s, const char *value, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(value);
	char *host, *container, *access;
	struct stat st;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "--device");
	host = copy;
	container = strchr(host, ':');
	if (container)
		*container++ = 0;
	access = container ? strchr(container, ':') : NULL;
	if (access)
		*access++ = 0;
	/* HOST:rwm, with no container path. */
	if (container && !access && *container && strspn(container, "rwm") == strlen(container)) {
		access = container;
		container = NULL;
	}
	if (!container || !*container)
		container = host;
	if (!access || !*access)
		access = "rwm";
	if (host[0] != '/' || container[0] != '/')
		return silo_err_set(err, EINVAL, "invalid --device \"%s\": want HOST[:CONTAINER[:PERMISSIONS]], absolute paths",
				    value);
	if (strspn(access, "rwm") != strlen(access))
		return silo_err_set(err, EINVAL, "invalid --device \"%s\": permissions are made of r, w and m", value);
	if (stat(host, &st) < 0)
		return silo_err_errno(err, "invalid --device \"%s\": %s", value, host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return silo_err_set(err, EINVAL, "invalid --device \"%s\": %s is not a device", value, host);
	if (!s->devices && !(s->devices = json_array()))
		return silo_err_sys(err, ENOMEM, "--device");
	json_array_append_new(s->devices,
			      json_pack("{s:s, s:s, s:I, s:I, s:i, s:I, s:I, s:s}", "path", container, "type",
					S_ISCHR(st.st_mode) ? "c" : "b", "major", (json_int_t)major(st.st_rdev),
					"minor", (json_int_t)minor(st.st_rdev), "fileMode",
					(int)(st.st_mode & 07777), "uid", (json_int_t)st.st_uid, "gid",
					(json_int_t)st.st_gid, "access", access));
	return 0;
}

static int set_namespace_mode(int *host, const char *flag, const char *value, struct silo_err *err)
{
	if (!strcmp(value, "host"))
		*host = 1;
	else if (!strcmp(value, "private") || !*value)
		*host = 0;
	else
		return silo_err_set(err, EINVAL, "invalid --%s \"%s\": want host or private", flag, value);
	return 0;
}

int engine_security_set(struct engine_security *s, const char *flag, const char *value,
			struct silo_err *err)
{
	if (!strcmp(flag, "cap-add"))
		return add_capability_flag(&s->cap_add, flag, value, err);
	if (!strcmp(flag, "cap-drop"))
		return add_capability_flag(&s->cap_drop, flag, value, err);
	if (!strcmp(flag, "privileged")) {
		s->privileged = 1;
		return 0;
	}
	if (!strcmp(flag, "security-opt"))
		return set_security_opt(s, value, err);
	if (!strcmp(flag, "device"))
		return add_device(s, value, err);
	if (!strcmp(flag, "pid"))
		return set_namespace_mode(&s->pid_host, flag, value, err);
	if (!strcmp(flag, "ipc"))
		return set_namespace_mode(&s->ipc_host, flag, value, err);
	if (!strcmp(flag, "uts"))
		return set_namespace_mode(&s->uts_host, flag, value, err);
	return silo_err_set(err, EINVAL, "unknown security flag --%s", flag);
}

static void remove_namespace(json_t *linux_section, const char *type)
{
	json_t *namespaces = json_object_get(linux_section, "namespaces");

	for (size_t i = json_array_size(namespaces); i-- > 0;)
		if (!strcmp(json_string_value(json_object_get(json_array_get(namespaces, i), "type")) ?: "",
			    type))
			json_array_remove(namespaces, i);
}

/* The runtime allows every linux.devices node rwm (the spec's rule), so
 * fewer permissions are an allow of those followed by a deny of the rest
 * of r and w. m stays: the runtime makes the node from inside the
 * container's cgroup. */
static void add_device_entry(json_t *linux_section, json_t *device)
{
	json_t *rules = json_object_get(json_object_child(linux_section, "resources"), "devices");
	const char *access = json_string_value(json_object_get(device, "access")) ?: "rwm";
	char denied[4] = "";
	size_t n = 0;
	json_t *entry = json_deep_copy(device);

	for (const char *p = "rw"; *p; p++)
		if (!strchr(access, *p))
			denied[n++] = *p;
	json_object_del(entry, "access");
	json_array_append_new(json_object_get(linux_section, "devices"), entry);
	json_array_append_new(rules, json_pack("{s:b, s:O, s:O, s:O, s:s}", "allow", 1, "type",
					       json_object_get(device, "type"), "major",
					       json_object_get(device, "major"), "minor",
					       json_object_get(device, "minor"), "access", access));
	if (*denied)
		json_array_append_new(rules, json_pack("{s:b, s:O, s:O, s:O, s:s}", "allow", 0, "type",
						       json_object_get(device, "type"), "major",
						       json_object_get(device, "major"), "minor",
						       json_object_get(device, "minor"), "access", denied));
}

/* The devices every container has anyway, made by the runtime. */
static int runtime_default_device(const char *name)
{
	static const char *const defaults[] = { "null", "zero", "full", "random", "urandom", "tty",
						"console", "ptmx", NULL };

	for (const char *const *d = defaults; *d; d++)
		if (!strcmp(name, *d))
			return 1;
	return 0;
}

/* --privileged: a node for each of the host's devices under /dev (not
 * the ptys, shm or mqueue of the host: the container has its own). */
static void add_host_devices(json_t *linux_section, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.' || (depth == 0 && (runtime_default_device(e->d_name) ||
							   !strcmp(e->d_name, "pts") ||
							   !strcmp(e->d_name, "shm") ||
							   !strcmp(e->d_name, "mqueue"))))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3) {
			add_host_devices(linux_section, path, depth + 1);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			json_t *dev = json_pack("{s:s, s:s, s:I, s:I, s:i, s:I, s:I}", "path", path, "type",
						S_ISCHR(st.st_mode) ? "c" : "b", "major",
						(json_int_t)major(st.st_rdev), "minor",
						(json_int_t)minor(st.st_rdev), "fileMode",
						(int)(st.st_mode & 07777), "uid", (json_int_t)st.st_uid,
						"gid", (json_int_t)st.st_gid);

			json_array_append_new(json_object_get(linux_section, "devices"), dev);
		}
	}
	closedir(d);
}

/* --privileged: /sys and its cgroups writable, as docker has them. */
static void make_sys_writable(json_t *mounts)
{
	size_t i, j;
	json_t *m, *opt;

	json_array_foreach(mounts, i, m) {
		const char *destination = json_string_value(json_object_get(m, "destination")) ?: "";

		if (strcmp(destination, "/sys") && strcmp(destination, "/sys/fs/cgroup"))
			continue;
		json_array_foreach(json_object_get(m, "options"), j, opt)
			if (!strcmp(json_string_value(opt) ?: "", "ro"))
				json_array_set_new(json_object_get(m, "options"), j, json_string("rw"));
	}
}

int engine_security_apply(const struct engine_security *s, json_t *config, struct silo_err *err)
{
	json_t *process = json_object_child(config, "process");
	json_t *linux_section = json_object_child(config, "linux");
	_cleanup_json_ json_t *caps = engine_security_capabilities(s);
	size_t i;
	json_t *dev;

	if (!caps)
		return silo_err_sys(err, ENOMEM, "capabilities");
	json_object_set_new(process, "capabilities",
			    json_pack("{s:O, s:O, s:O}", "bounding", caps, "effective", caps, "permitted",
				      caps));
	/* As docker: setuid programs in the image keep working unless asked. */
	json_object_set_new(process, "noNewPrivileges", json_boolean(s && s->no_new_privileges));
	if (!json_is_array(json_object_get(linux_section, "devices")))
		json_object_set_new(linux_section, "devices", json_array());
	if (!json_is_array(json_object_get(json_object_child(linux_section, "resources"), "devices")))
		json_object_set_new(json_object_child(linux_section, "resources"), "devices", json_array());
	if (s && s->privileged) {
		json_object_del(linux_section, "maskedPaths");
		json_object_del(linux_section, "readonlyPaths");
		json_object_set_new(json_object_child(linux_section, "resources"), "devices",
				    json_pack("[{s:b, s:s}]", "allow", 1, "access", "rwm"));
		add_host_devices(linux_section, "/dev", 0);
		make_sys_writable(json_object_get(config, "mounts"));
	}
	json_array_foreach(s ? s->devices : NULL, i, dev)
		add_device_entry(linux_section, dev);
	/* silo's profile unless unconfined; none at all when privileged, as
	 * with docker. */
	json_object_del(linux_section, "seccomp");
	if (!(s && (s->privileged || s->seccomp_unconfined))) {
		_cleanup_json_ json_t *profile = s && s->seccomp ? json_incref(s->seccomp)
								 : engine_seccomp_default();
		json_t *filter = NULL;

		if (!profile)
			return silo_err_set(err, EINVAL, "the built-in seccomp profile does not parse");
		if (engine_seccomp_for_container(profile, caps, &filter, err) < 0)
			return silo_err_prefix(err, "--security-opt seccomp");
		json_object_set_new(linux_section, "seccomp", filter);
	}
	if (s && s->pid_host)
		remove_namespace(linux_section, "pid");
	if (s && s->ipc_host)
		remove_namespace(linux_section, "ipc");
	if (s && s->uts_host) {
		remove_namespace(linux_section, "uts");
		/* Without a namespace of its own there is no name to set. */
		json_object_del(config, "hostname");
	}
	return 0;
}

void engine_security_free(struct engine_security *s)
{
	json_decref(s->cap_add);
	json_decref(s->cap_drop);
	json_decref(s->seccomp);
	json_decref(s->devices);
	memset(s, 0, sizeof(*s));
}
