/* The OCI runtime spec (config.json) as silo uses it: a validated, typed
 * model built once from the bundle. Every later step reads this model, never
 * the raw JSON, so a malformed config fails in one place with one clear
 * message naming the field and its position in the file. */
#ifndef SILO_RUNTIME_SPEC_H
#define SILO_RUNTIME_SPEC_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/mount_options.h"
#include "util/err.h"

#define SPEC_MAX_SIZE (4 * 1024 * 1024)

struct spec_mount {
	char *destination;
	char *type;   /* NULL when absent: a bind mount if options say so */
	char *source; /* NULL when absent */
	char **options; /* NULL-terminated, may be empty */
	struct mount_options parsed;
};

struct spec_namespace {
	int type;   /* CLONE_NEWPID, CLONE_NEWNET, ... */
	char *path; /* NULL: create a new one; else join this one */
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

/* Capability sets as bit masks (bit N = capability N). */
struct spec_capabilities {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

struct spec_user {
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	int has_umask;
	mode_t umask;
};

struct spec_process {
	int terminal;
	unsigned console_height, console_width; /* 0 when not given */
	char **args; /* NULL-terminated, at least one element */
	char **env;  /* NULL-terminated, may be empty */
	char *cwd;   /* absolute */
	struct spec_user user;
	int has_capabilities;
	struct spec_capabilities capabilities;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	int no_new_privileges;
	int has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile; /* NULL when absent */
	char *selinux_label;    /* NULL when absent */
};

struct spec_device {
	char *path;
	char type; /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	int has_file_mode;
	mode_t file_mode;
	int has_uid, has_gid;
	uid_t uid;
	gid_t gid;
};

struct spec {
	char *oci_version;
	char *bundle;    /* absolute path of the bundle directory */
	char *root_path; /* absolute: root.path resolved against the bundle */
	int root_readonly;
	char *hostname;   /* NULL when absent */
	char *domainname; /* NULL when absent */
	int has_process;
	struct spec_process process;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path; /* NULL when absent */
	char **masked_paths;   /* NULL-terminated, may be empty */
	char **readonly_paths; /* NULL-terminated, may be empty */
	char *rootfs_propagation; /* NULL when absent */
	json_t *annotations; /* an object, never NULL */
	json_t *resources;   /* linux.resources, or NULL */
	json_t *document;    /* the whole config, for the parts read elsewhere */
};

/* Loads BUNDLE/config.json and validates it. Errors look like
 * `config.json:14:9: process.args[1]: expected a string, got an integer`. */
int spec_load(const char *bundle, struct spec **out, struct silo_err *err);

/* Parses a config already in memory; path is only used in messages and
 * bundle to resolve root.path. */
int spec_parse(const char *text, size_t len, const char *path, const char *bundle,
	       struct spec **out, struct silo_err *err);

void spec_free(struct spec *spec);

/* Looks a namespace up by its CLONE_NEW* flag; NULL when the config has no
 * entry of that type. */
const struct spec_namespace *spec_find_namespace(const struct spec *spec, int type);

/* The default config.json that `silo-runtime spec` writes, as runc does:
 * a shell in a busybox-like rootfs, with the usual mounts, masked paths and
 * a minimal capability set. rootless builds the variant for an unprivileged
 * user (user namespace mapping the caller's uid/gid, no network namespace,
 * /sys bound from the host). */
json_t *spec_default(int rootless, uid_t uid, gid_t gid);

/* Names: "pid" <-> CLONE_NEWPID ..., "RLIMIT_NOFILE" <-> RLIMIT_NOFILE,
 * "CAP_SYS_ADMIN" <-> 21. Return -1 when unknown. */
int spec_namespace_type_from_name(const char *name);
const char *spec_namespace_name(int type);
int spec_rlimit_from_name(const char *name);
const char *spec_rlimit_name(int resource);
int spec_capability_from_name(const char *name);

#endif
