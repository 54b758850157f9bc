/* The starter config.json of `silo-runtime spec`. It matches what `runc spec`
 * writes, so bundles and tutorials made for runc work unchanged, with two
 * deliberate differences: no ambient capabilities (they would survive exec
 * even after process.user is changed to a non-root user, which a starter
 * config should not grant unasked) and a cgroup namespace, so the container
 * sees its own cgroup as the root of the tree. */
#include "runtime/spec.h"

#include "config.h"

static const char *const default_capabilities[] = {
	"CAP_AUDIT_WRITE",
	"CAP_KILL",
	"CAP_NET_BIND_SERVICE",
	NULL,
};

static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/sys/firmware",
	"/proc/scsi",
	NULL,
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

enum mount_variant { IN_BOTH, ROOTFUL_ONLY, ROOTLESS_ONLY };

struct default_mount {
	enum mount_variant variant;
	const char *destination;
	const char *type;
	const char *source;
	const char *options[8];
};

/* An unprivileged user cannot mount a new sysfs unless it also owns a
 * network namespace, and the rootless variant keeps the host's network, so
 * it binds the host's /sys read-only instead. The cgroup tree is left out
 * for the same reason: the user cannot mount cgroupfs, and it already shows
 * through the bound /sys. devpts drops gid=5: group 5 of the container does
 * not exist in a user namespace that maps a single id. */
static const struct default_mount default_mounts[] = {
	{ IN_BOTH, "/proc", "proc", "proc", { NULL } },
	{ IN_BOTH, "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
	{ ROOTFUL_ONLY, "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
	{ ROOTLESS_ONLY, "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" } },
	{ IN_BOTH, "/dev/shm", "tmpfs", "shm",
	  { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
	{ IN_BOTH, "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
	{ ROOTFUL_ONLY, "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
	{ ROOTLESS_ONLY, "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro" } },
	{ ROOTFUL_ONLY, "/sys/fs/cgroup", "cgroup", "cgroup",
	  { "nosuid", "noexec", "nodev", "relatime", "ro" } },
};

static json_t *string_array(const char *const *strings)
{
	json_t *array = json_array();

	for (size_t i = 0; array && strings[i]; i++) {
		if (json_array_append_new(array, json_string(strings[i])) < 0) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

static json_t *default_process(void)
{
	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:{s:o, s:o, s:o}, "
			 "s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1,
			 "user", "uid", 0, "gid", 0,
			 "args", "sh",
			 "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "TERM=xterm",
			 "cwd", "/",
			 "capabilities",
			 "bounding", string_array(default_capabilities),
			 "effective", string_array(default_capabilities),
			 "permitted", string_array(default_capabilities),
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1);
}

static json_t *default_mount_list(int rootless)
{
	json_t *mounts = json_array();

	for (size_t i = 0; mounts && i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		const struct default_mount *m = &default_mounts[i];
		json_t *entry;

		if (m->variant == (rootless ? ROOTFUL_ONLY : ROOTLESS_ONLY))
			continue;
		entry = json_pack("{s:s, s:s, s:s}", "destination", m->destination, "type", m->type,
				  "source", m->source);
		if (entry && m->options[0] &&
		    json_object_set_new(entry, "options", string_array(m->options)) < 0) {
			json_decref(entry);
			entry = NULL;
		}
		if (json_array_append_new(mounts, entry) < 0) {
			json_decref(mounts);
			return NULL;
		}
	}
	return mounts;
}

static json_t *namespace_list(const char *const *types)
{
	json_t *list = json_array();

	for (size_t i = 0; list && types[i]; i++) {
		if (json_array_append_new(list, json_pack("{s:s}", "type", types[i])) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *default_linux(int rootless, uid_t uid, gid_t gid)
{
	static const char *const rootful_namespaces[] = {
		"pid", "network", "ipc", "uts", "mount", "cgroup", NULL,
	};
	/* No network namespace: an unprivileged user could not give it any
	 * connectivity. No cgroup namespace: with no cgroupfs mounted it would
	 * only change how /proc/self/cgroup reads, and the user's cgroup may
	 * not be delegated to it at all. */
	static const char *const rootless_namespaces[] = {
		"pid", "ipc", "uts", "mount", "user", NULL,
	};

	if (rootless)
		return json_pack("{s:[{s:i, s:I, s:i}], s:[{s:i, s:I, s:i}], s:o, s:o, s:o}",
				 "uidMappings", "containerID", 0, "hostID", (json_int_t)uid, "size", 1,
				 "gidMappings", "containerID", 0, "hostID", (json_int_t)gid, "size", 1,
				 "namespaces", namespace_list(rootless_namespaces),
				 "maskedPaths", string_array(masked_paths),
				 "readonlyPaths", string_array(readonly_paths));
	/* Deny every device in the cgroup, as runc's starter config does; the
	 * devices the spec says every container gets are the runtime's to allow. */
	return json_pack("{s:{s:[{s:b, s:s}]}, s:o, s:o, s:o}",
			 "resources", "devices", "allow", 0, "access", "rwm",
			 "namespaces", namespace_list(rootful_namespaces),
			 "maskedPaths", string_array(masked_paths),
			 "readonlyPaths", string_array(readonly_paths));
}

json_t *spec_default(int rootless, uid_t uid, gid_t gid)
{
	/* json_pack takes the "o" references even when it fails, so a NULL
	 * from any helper just makes the whole result NULL. */
	return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}",
			 "ociVersion", SILO_OCI_VERSION,
			 "process", default_process(),
			 "root", "path", "rootfs", "readonly", 1,
			 "hostname", "silo",
			 "mounts", default_mount_list(rootless),
			 "linux", default_linux(rootless, uid, gid));
}
