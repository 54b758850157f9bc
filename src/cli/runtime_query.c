/* Runtime commands that only read or describe: state, list, spec,
 * features. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/runtime_cli.h"
#include "config.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "runtime/capabilities.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"


static int print_json(json_t *value)
{
	_cleanup_free_ char *text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (!text)
		return 1;
	printf("%s\n", text);
	return 0;
}

int runtime_cmd_state(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const struct cli_command *cmd = cli_find_command(runtime_commands, "state");
	_cleanup_json_ json_t *state = NULL;
	struct silo_err err;

	if (cli_getopt(cmd, argc, argv, "", none) != -1)
		return 1;
	if (cli_want_args(cmd->name, argc - optind, 1, 1) < 0)
		return 1;
	if (container_state(ctx, argv[optind], &state, &err) < 0)
		return cli_fail(NULL, &err);
	return print_json(state);
}

static void print_table(json_t *list)
{
	size_t i;
	json_t *c;

	printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	json_array_foreach (list, i, c) {
		printf("%-12s %-8lld %-10s %-40s %-30s %s\n",
		       json_string_value(json_object_get(c, "id")),
		       (long long)json_integer_value(json_object_get(c, "pid")),
		       json_string_value(json_object_get(c, "status")),
		       json_string_value(json_object_get(c, "bundle")),
		       json_string_value(json_object_get(c, "created")),
		       json_string_value(json_object_get(c, "owner")));
	}
}

int runtime_cmd_list(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find_command(runtime_commands, "list");
	_cleanup_json_ json_t *list = NULL;
	const char *format = "table";
	struct silo_err err;
	int quiet = 0, c;

	while ((c = cli_getopt(cmd, argc, argv, "f:q", options)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = 1;
		else
			return 1;
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_fail_usage(cmd->name, "--format: invalid value \"%s\" (use table or json)", format);
	if (cli_want_args(cmd->name, argc - optind, 0, 0) < 0)
		return 1;
	if (container_list(ctx, &list, &err) < 0)
		return cli_fail(NULL, &err);
	if (quiet) {
		size_t i;
		json_t *one;

		json_array_foreach (list, i, one)
			printf("%s\n", json_string_value(json_object_get(one, "id")));
		return 0;
	}
	if (!strcmp(format, "json")) {
		_cleanup_free_ char *text = json_dumps(list, JSON_COMPACT | JSON_PRESERVE_ORDER);

		printf("%s\n", text ? text : "[]");
		return 0;
	}
	print_table(list);
	return 0;
}

int runtime_cmd_spec(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd = cli_find_command(runtime_commands, "spec");
	_cleanup_json_ json_t *spec = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	const char *bundle = ".";
	struct silo_err err;
	int rootless = 0, c;

	(void)ctx;
	while ((c = cli_getopt(cmd, argc, argv, "b:", options)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = 1;
		else
			return 1;
	}
	if (cli_want_args(cmd->name, argc - optind, 0, 0) < 0)
		return 1;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return 1;
	if (access(path, F_OK) == 0)
		return cli_fail_usage(cmd->name, "file \"%s\" already exists", path);
	spec = spec_default(rootless, geteuid(), getegid());
	text = spec ? json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!text)
		return cli_fail_usage(cmd->name, "could not build the default config");
	if (fs_write_file_atomic(path, text, strlen(text), 0644, &err) < 0)
		return cli_fail(cmd->name, &err);
	return 0;
}

static json_t *string_array(const char *const *items)
{
	json_t *array = json_array();

	for (size_t i = 0; array && items[i]; i++)
		json_array_append_new(array, json_string(items[i]));
	return array;
}

static json_t *capability_names(void)
{
	json_t *array = json_array();

	for (int cap = 0; array && cap <= capabilities_last_cap(); cap++) {
		const char *name = capabilities_name(cap);

		if (name)
			json_array_append_new(array, json_string(name));
	}
	return array;
}

int runtime_cmd_features(const struct runtime_context *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	static const char *const mount_options[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"mand", "noatime", "nodev", "nodiratime", "noexec", "nomand", "norelatime",
		"nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev",
		"rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime",
		"rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro",
		"rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid",
		"rsymfollow", "runbindable", "rw", "shared", "slave", "strictatime", "suid",
		"symfollow", "sync", "unbindable", NULL,
	};
	static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "time",
						  "user", "uts", NULL };
	const struct cli_command *cmd = cli_find_command(runtime_commands, "features");
	_cleanup_json_ json_t *features = NULL;

	(void)ctx;
	if (cli_getopt(cmd, argc, argv, "", none) != -1)
		return 1;
	if (cli_want_args(cmd->name, argc - optind, 0, 0) < 0)
		return 1;
	/* Only what this build really does is claimed here: containerd and
	 * CRI-O decide from this document what they may ask for. */
	features = json_pack(
		"{s:s, s:s, s:[ssssss], s:o,"
		" s:{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b},"
		" s:{s:b}, s:{s:{s:b}}},"
		" s:{s:s, s:s}}",
		"ociVersionMin", "1.0.0", "ociVersionMax", SILO_OCI_VERSION, "hooks", "prestart",
		"createRuntime", "createContainer", "startContainer", "poststart", "poststop", "mountOptions",
		string_array(mount_options), "linux", "namespaces", string_array(namespaces),
		"capabilities", capability_names(), "cgroup", "v1", 1, "v2", 1, "systemd", 0,
		"systemdUser", 0, "rdma", 1, "seccomp", seccomp_features(), "apparmor", "enabled", 0,
		"selinux", "enabled", 0, "intelRdt", "enabled", 0, "mountExtensions", "idmap",
		"enabled", 0, "annotations", "org.opencontainers.runtime-spec.features.version",
		SILO_OCI_VERSION, "io.silo.version", SILO_VERSION);
	if (!features)
		return cli_fail_usage(cmd->name, "could not build the features document");
	return print_json(features);
}
