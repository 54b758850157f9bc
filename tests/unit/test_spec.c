/* Unit tests for the config.json model: a full config parses into the
 * expected fields, each kind of malformed config gives one exact message
 * with field path and line:column, spec_load names what is missing, and
 * the default spec (rootful and rootless) parses back to what it says. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define BIT(cap) (UINT64_C(1) << (cap))

static const char full_config[] =
	"{\n"
	"\t\"ociVersion\": \"1.2.0\",\n"
	"\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
	"\t\"hostname\": \"web\",\n"
	"\t\"domainname\": \"example.org\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": true,\n"
	"\t\t\"consoleSize\": { \"height\": 24, \"width\": 80 },\n"
	"\t\t\"user\": { \"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [5, 27] },\n"
	"\t\t\"args\": [\"/bin/sh\", \"-c\", \"echo hi\"],\n"
	"\t\t\"env\": [\"PATH=/usr/bin:/bin\", \"EMPTY=\", \"A=b=c\"],\n"
	"\t\t\"cwd\": \"/srv\",\n"
	"\t\t\"capabilities\": {\n"
	"\t\t\t\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\", \"CAP_SYS_ADMIN\"],\n"
	"\t\t\t\"effective\": [\"CAP_KILL\"],\n"
	"\t\t\t\"inheritable\": [],\n"
	"\t\t\t\"permitted\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"ambient\": [\"CAP_NET_BIND_SERVICE\"]\n"
	"\t\t},\n"
	"\t\t\"rlimits\": [\n"
	"\t\t\t{ \"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 4096 },\n"
	"\t\t\t{ \"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 0 }\n"
	"\t\t],\n"
	"\t\t\"noNewPrivileges\": true,\n"
	"\t\t\"oomScoreAdj\": -500,\n"
	"\t\t\"apparmorProfile\": \"silo-default\",\n"
	"\t\t\"selinuxLabel\": \"system_u:system_r:container_t:s0\",\n"
	"\t\t\"someFutureField\": { \"nested\": [1, 2, 3] }\n"
	"\t},\n"
	"\t\"mounts\": [\n"
	"\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
	"\t\t{ \"destination\": \"/data\", \"source\": \"/srv/data\",\n"
	"\t\t  \"options\": [\"rbind\", \"rro\", \"nosuid\", \"rprivate\"] },\n"
	"\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"\t\t  \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] }\n"
	"\t],\n"
	"\t\"linux\": {\n"
	"\t\t\"namespaces\": [\n"
	"\t\t\t{ \"type\": \"pid\" },\n"
	"\t\t\t{ \"type\": \"network\", \"path\": \"/var/run/netns/web\" },\n"
	"\t\t\t{ \"type\": \"mount\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" },\n"
	"\t\t\t{ \"type\": \"user\" }, { \"type\": \"cgroup\" }, { \"type\": \"time\" }\n"
	"\t\t],\n"
	"\t\t\"uidMappings\": [{ \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 }],\n"
	"\t\t\"devices\": [\n"
	"\t\t\t{ \"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,\n"
	"\t\t\t  \"fileMode\": 438, \"uid\": 0, \"gid\": 0 },\n"
	"\t\t\t{ \"path\": \"/dev/fifo\", \"type\": \"p\" }\n"
	"\t\t],\n"
	"\t\t\"cgroupsPath\": \"/silo/web\",\n"
	"\t\t\"resources\": { \"memory\": { \"limit\": 536870912 } },\n"
	"\t\t\"rootfsPropagation\": \"rslave\",\n"
	"\t\t\"maskedPaths\": [\"/proc/kcore\", \"/sys/firmware\"],\n"
	"\t\t\"readonlyPaths\": [\"/proc/sys\"]\n"
	"\t},\n"
	"\t\"annotations\": { \"org.example.key\": \"value\" }\n"
	"}\n";

static struct spec *parse_ok(const char *text, const char *bundle)
{
	struct spec *spec = NULL;
	struct silo_err err = { 0 };

	if (spec_parse(text, strlen(text), "config.json", bundle, &spec, &err) < 0)
		fail_msg("spec_parse failed: %s", err.msg);
	assert_non_null(spec);
	return spec;
}

static void expect_error(const char *text, const char *want)
{
	struct spec *spec = NULL;
	struct silo_err err = { 0 };
	int r = spec_parse(text, strlen(text), "config.json", "/bundle", &spec, &err);

	if (r >= 0) {
		spec_free(spec);
		fail_msg("parsed, but wanted the error: %s", want);
	}
	assert_null(spec);
	if (strcmp(err.msg, want))
		fail_msg("wrong message\n got: %s\nwant: %s", err.msg, want);
}

static void test_full_config(void **state)
{
	struct spec *spec = parse_ok(full_config, "/bundles/web");
	const struct spec_process *proc = &spec->process;
	const struct spec_namespace *ns;

	(void)state;
	assert_string_equal(spec->oci_version, "1.2.0");
	assert_string_equal(spec->bundle, "/bundles/web");
	assert_string_equal(spec->root_path, "/bundles/web/rootfs");
	assert_int_equal(spec->root_readonly, 1);
	assert_string_equal(spec->hostname, "web");
	assert_string_equal(spec->domainname, "example.org");

	assert_int_equal(spec->has_process, 1);
	assert_int_equal(proc->terminal, 1);
	assert_int_equal(proc->console_height, 24);
	assert_int_equal(proc->console_width, 80);
	assert_int_equal(proc->user.uid, 1000);
	assert_int_equal(proc->user.gid, 100);
	assert_int_equal(proc->user.has_umask, 1);
	assert_int_equal(proc->user.umask, 022);
	assert_int_equal(proc->user.n_additional_gids, 2);
	assert_int_equal(proc->user.additional_gids[0], 5);
	assert_int_equal(proc->user.additional_gids[1], 27);
	assert_string_equal(proc->args[0], "/bin/sh");
	assert_string_equal(proc->args[2], "echo hi");
	assert_null(proc->args[3]);
	assert_string_equal(proc->env[0], "PATH=/usr/bin:/bin");
	assert_string_equal(proc->env[1], "EMPTY=");
	assert_string_equal(proc->env[2], "A=b=c");
	assert_null(proc->env[3]);
	assert_string_equal(proc->cwd, "/srv");

	assert_int_equal(proc->has_capabilities, 1);
	assert_int_equal(proc->capabilities.bounding,
			 BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_SYS_ADMIN));
	assert_int_equal(proc->capabilities.effective, BIT(CAP_KILL));
	assert_int_equal(proc->capabilities.inheritable, 0);
	assert_int_equal(proc->capabilities.permitted, BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(proc->capabilities.ambient, BIT(CAP_NET_BIND_SERVICE));

	assert_int_equal(proc->n_rlimits, 2);
	assert_int_equal(proc->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(proc->rlimits[0].soft, 1024);
	assert_int_equal(proc->rlimits[0].hard, 4096);
	assert_int_equal(proc->rlimits[1].resource, RLIMIT_CORE);
	assert_int_equal(proc->no_new_privileges, 1);
	assert_int_equal(proc->has_oom_score_adj, 1);
	assert_int_equal(proc->oom_score_adj, -500);
	assert_string_equal(proc->apparmor_profile, "silo-default");
	assert_string_equal(proc->selinux_label, "system_u:system_r:container_t:s0");

	assert_int_equal(spec->n_mounts, 3);
	assert_string_equal(spec->mounts[0].destination, "/proc");
	assert_string_equal(spec->mounts[0].type, "proc");
	assert_string_equal(spec->mounts[0].source, "proc");
	assert_non_null(spec->mounts[0].options);
	assert_null(spec->mounts[0].options[0]);
	assert_null(spec->mounts[1].type);
	assert_string_equal(spec->mounts[1].source, "/srv/data");
	assert_string_equal(spec->mounts[1].options[1], "rro");
	assert_int_equal(spec->mounts[1].parsed.bind, 1);
	assert_int_equal(spec->mounts[1].parsed.recursive, 1);
	assert_int_equal(spec->mounts[1].parsed.flags, MS_BIND | MS_REC | MS_NOSUID);
	assert_int_equal(spec->mounts[1].parsed.attr_set, MOUNT_ATTR_RDONLY);
	assert_int_equal(spec->mounts[1].parsed.propagation, MS_PRIVATE | MS_REC);
	assert_null(spec->mounts[1].parsed.data);
	assert_int_equal(spec->mounts[2].parsed.flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(spec->mounts[2].parsed.data, "mode=755,size=65536k");

	assert_int_equal(spec->n_namespaces, 8);
	assert_int_equal(spec->namespaces[0].type, CLONE_NEWPID);
	assert_null(spec->namespaces[0].path);
	ns = spec_find_namespace(spec, CLONE_NEWNET);
	assert_non_null(ns);
	assert_string_equal(ns->path, "/var/run/netns/web");
	assert_non_null(spec_find_namespace(spec, CLONE_NEWNS));
	assert_non_null(spec_find_namespace(spec, CLONE_NEWTIME));
	assert_non_null(spec_find_namespace(spec, CLONE_NEWCGROUP));

	assert_int_equal(spec->n_devices, 2);
	assert_string_equal(spec->devices[0].path, "/dev/fuse");
	assert_int_equal(spec->devices[0].type, 'c');
	assert_int_equal(spec->devices[0].major, 10);
	assert_int_equal(spec->devices[0].minor, 229);
	assert_int_equal(spec->devices[0].has_file_mode, 1);
	assert_int_equal(spec->devices[0].file_mode, 0666);
	assert_int_equal(spec->devices[0].has_uid, 1);
	assert_int_equal(spec->devices[0].has_gid, 1);
	assert_int_equal(spec->devices[1].type, 'p');
	assert_int_equal(spec->devices[1].has_file_mode, 0);
	assert_int_equal(spec->devices[1].has_uid, 0);

	assert_string_equal(spec->cgroups_path, "/silo/web");
	assert_string_equal(spec->rootfs_propagation, "rslave");
	assert_string_equal(spec->masked_paths[1], "/sys/firmware");
	assert_null(spec->masked_paths[2]);
	assert_string_equal(spec->readonly_paths[0], "/proc/sys");
	assert_null(spec->readonly_paths[1]);

	assert_non_null(spec->resources);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(spec->resources,
									      "memory"),
							    "limit")),
			 536870912);
	assert_string_equal(json_string_value(json_object_get(spec->annotations, "org.example.key")),
			    "value");
	/* the parts read elsewhere stay reachable */
	assert_non_null(json_object_get(json_object_get(spec->document, "linux"), "uidMappings"));
	spec_free(spec);
}

static const char minimal_config[] = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"/r/./fs/\"}}";

static void test_minimal_config_defaults(void **state)
{
	struct spec *spec = parse_ok(minimal_config, "/b");

	(void)state;
	/* an absolute root.path is cleaned, not joined to the bundle */
	assert_string_equal(spec->root_path, "/r/fs");
	assert_int_equal(spec->root_readonly, 0);
	assert_null(spec->hostname);
	assert_int_equal(spec->has_process, 0);
	assert_null(spec->process.args);
	assert_non_null(spec->process.env);
	assert_null(spec->process.env[0]);
	assert_int_equal(spec->n_mounts, 0);
	assert_int_equal(spec->n_namespaces, 0);
	assert_null(spec_find_namespace(spec, CLONE_NEWPID));
	assert_non_null(spec->masked_paths);
	assert_null(spec->masked_paths[0]);
	assert_non_null(spec->readonly_paths);
	assert_null(spec->readonly_paths[0]);
	assert_null(spec->resources);
	assert_non_null(spec->annotations);
	assert_true(json_is_object(spec->annotations));
	assert_int_equal(json_object_size(spec->annotations), 0);
	spec_free(spec);
}

static void test_process_defaults(void **state)
{
	struct spec *spec = parse_ok("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"../fs\"},\n"
				     " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\",\n"
				     "  \"hostname\": null, \"env\": null}, \"linux\": {}}",
				     "/bundles/b/");

	(void)state;
	assert_string_equal(spec->root_path, "/bundles/fs");
	assert_int_equal(spec->has_process, 1);
	assert_int_equal(spec->process.user.uid, 0);
	assert_int_equal(spec->process.user.gid, 0);
	assert_int_equal(spec->process.user.has_umask, 0);
	assert_int_equal(spec->process.user.n_additional_gids, 0);
	assert_int_equal(spec->process.terminal, 0);
	assert_int_equal(spec->process.has_capabilities, 0);
	assert_int_equal(spec->process.n_rlimits, 0);
	assert_int_equal(spec->process.has_oom_score_adj, 0);
	assert_null(spec->process.apparmor_profile);
	/* null is absent for an optional field */
	assert_non_null(spec->process.env);
	assert_null(spec->process.env[0]);
	assert_non_null(spec->masked_paths);
	assert_null(spec->masked_paths[0]);
	spec_free(spec);
}

static void test_relative_bundle(void **state)
{
	char cwd[4096], want[4200];
	struct spec *spec;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	spec = parse_ok(minimal_config, "some/bundle");
	snprintf(want, sizeof(want), "%s/some/bundle", strcmp(cwd, "/") ? cwd : "");
	assert_string_equal(spec->bundle, want);
	spec_free(spec);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_error("{\n\t\"ociVersion\": \"1.2.0\",,\n}",
		     "config.json:2:24: string or '}' expected near ','");
	expect_error("{\"a\": 1, \"a\": 2}", "config.json:1:12: duplicate object key near '\"a\"'");
	expect_error("", "config.json:1:0: '[' or '{' expected near end of file");
}

static void test_top_level_and_root(void **state)
{
	(void)state;
	expect_error("[1, 2]", "config.json:1:1: expected an object at the top level, got an array");
	expect_error("{\"root\": {\"path\": \"rootfs\"}}",
		     "config.json:1:1: ociVersion: missing, expected a string");
	expect_error("{\n\"ociVersion\": 1,\n\"root\": {\"path\": \"rootfs\"}}",
		     "config.json:2:15: ociVersion: expected a string, got an integer");
	expect_error("{\"ociVersion\": \"1.2.0\"}", "config.json:1:1: root: missing, expected an object");
	expect_error("{\"ociVersion\": \"1.2.0\",\n  \"root\": {\"readonly\": true}}",
		     "config.json:2:11: root.path: missing, expected a string");
	expect_error("{\"ociVersion\": \"1.2.0\",\n  \"root\": {\"path\": null}}",
		     "config.json:2:20: root.path: expected a string, got null");
	expect_error("{\"ociVersion\": \"1.2.0\",\n  \"root\": {\"path\": \"\"}}",
		     "config.json:2:20: root.path: must not be empty");
	expect_error("{\"ociVersion\": \"1.2.0\",\n  \"root\": {\"path\": \"r\", \"readonly\": \"yes\"}}",
		     "config.json:2:37: root.readonly: expected a boolean, got a string");
	expect_error("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"},\n  \"hostname\": 7}",
		     "config.json:2:15: hostname: expected a string, got an integer");
}

/* A valid prefix, so each case below only writes the part that is wrong. The
 * bad field always sits on line 2. */
#define PREFIX "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},\n"

static void test_process_args_and_cwd(void **state)
{
	(void)state;
	expect_error(PREFIX "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\", 1]}}",
		     "config.json:2:40: process.args[1]: expected a string, got an integer");
	expect_error(PREFIX "\"process\": {\"cwd\": \"/\"}}",
		     "config.json:2:12: process.args: missing, expected an array");
	expect_error(PREFIX "\"process\": {\"cwd\": \"/\", \"args\": []}}",
		     "config.json:2:33: process.args: must hold at least one string");
	expect_error(PREFIX "\"process\": {\"cwd\": \"/\", \"args\": \"sh\"}}",
		     "config.json:2:33: process.args: expected an array, got a string");
	expect_error(PREFIX "\"process\": {\"args\": [\"sh\"]}}",
		     "config.json:2:12: process.cwd: missing, expected a string");
	expect_error(PREFIX "\"process\": {\"args\": [\"sh\"], \"cwd\": \"srv\"}}",
		     "config.json:2:36: process.cwd: \"srv\" is not an absolute path");
	expect_error(PREFIX "\"process\": [\"sh\"]}",
		     "config.json:2:12: process: expected an object, got an array");
}

#define PROCESS PREFIX "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\",\n"

static void test_process_fields(void **state)
{
	(void)state;
	/* line 3 holds the field under test */
	expect_error(PROCESS "\"terminal\": \"true\"}}",
		     "config.json:3:13: process.terminal: expected a boolean, got a string");
	expect_error(PROCESS "\"user\": {\"uid\": -1}}}",
		     "config.json:3:17: process.user.uid: expected an integer from 0 to 4294967294, "
		     "got -1");
	expect_error(PROCESS "\"user\": {\"gid\": \"0\"}}}",
		     "config.json:3:17: process.user.gid: expected an integer, got a string");
	expect_error(PROCESS "\"user\": {\"uid\": 1.5}}}",
		     "config.json:3:17: process.user.uid: expected an integer, got a real number");
	expect_error(PROCESS "\"user\": {\"umask\": 512}}}",
		     "config.json:3:19: process.user.umask: expected an integer from 0 to 511, got 512");
	expect_error(PROCESS "\"user\": {\"additionalGids\": [1, \"wheel\"]}}}",
		     "config.json:3:32: process.user.additionalGids[1]: expected an integer, got a "
		     "string");
	expect_error(PROCESS "\"env\": [\"A=1\", \"NOEQUALS\"]}}",
		     "config.json:3:16: process.env[1]: \"NOEQUALS\" is not of the form KEY=VALUE");
	expect_error(PROCESS "\"env\": [\"=x\"]}}",
		     "config.json:3:9: process.env[0]: \"=x\" is not of the form KEY=VALUE");
	expect_error(PROCESS "\"env\": [true]}}",
		     "config.json:3:9: process.env[0]: expected a string, got a boolean");
	expect_error(PROCESS "\"consoleSize\": {\"height\": 24}}}",
		     "config.json:3:16: process.consoleSize.width: missing, expected an integer");
	expect_error(PROCESS "\"consoleSize\": {\"height\": 70000, \"width\": 1}}}",
		     "config.json:3:27: process.consoleSize.height: expected an integer from 0 to "
		     "65535, got 70000");
	expect_error(PROCESS "\"oomScoreAdj\": 1001}}",
		     "config.json:3:16: process.oomScoreAdj: expected an integer from -1000 to 1000, "
		     "got 1001");
	expect_error(PROCESS "\"noNewPrivileges\": 1}}",
		     "config.json:3:20: process.noNewPrivileges: expected a boolean, got an integer");
	expect_error(PROCESS "\"apparmorProfile\": {}}}",
		     "config.json:3:20: process.apparmorProfile: expected a string, got an object");
}

static void test_capabilities(void **state)
{
	(void)state;
	expect_error(PROCESS "\"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_FOO\"]}}}",
		     "config.json:3:43: process.capabilities.bounding[1]: unknown capability "
		     "\"CAP_FOO\"");
	/* names only: libcap would take "7" or "chown" without the prefix */
	expect_error(PROCESS "\"capabilities\": {\"permitted\": [\"7\"]}}}",
		     "config.json:3:32: process.capabilities.permitted[0]: unknown capability \"7\"");
	expect_error(PROCESS "\"capabilities\": {\"ambient\": [\"chown\"]}}}",
		     "config.json:3:30: process.capabilities.ambient[0]: unknown capability "
		     "\"chown\"");
	expect_error(PROCESS "\"capabilities\": {\"effective\": \"CAP_KILL\"}}}",
		     "config.json:3:31: process.capabilities.effective: expected an array, got a "
		     "string");
	expect_error(PROCESS "\"capabilities\": {\"inheritable\": [3]}}}",
		     "config.json:3:34: process.capabilities.inheritable[0]: expected a string, got "
		     "an integer");
}

static void test_rlimits(void **state)
{
	(void)state;
	expect_error(PROCESS "\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]}}",
		     "config.json:3:22: process.rlimits[0].type: unknown resource limit "
		     "\"RLIMIT_FOO\"");
	expect_error(PROCESS "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},\n"
			     "{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 2}]}}",
		     "config.json:4:10: process.rlimits[1].type: duplicate resource limit "
		     "\"RLIMIT_NOFILE\"");
	expect_error(PROCESS "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1}]}}",
		     "config.json:3:13: process.rlimits[0].soft: missing, expected an integer");
	expect_error(PROCESS "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 9, \"hard\": 1}]}}",
		     "config.json:3:13: process.rlimits[0]: soft limit 9 is above hard limit 1");
	expect_error(PROCESS "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": -1, \"hard\": 1}]}}",
		     "config.json:3:47: process.rlimits[0].soft: expected an integer from 0 to "
		     "9223372036854775807, got -1");
	expect_error(PROCESS "\"rlimits\": [\"RLIMIT_NOFILE\"]}}",
		     "config.json:3:13: process.rlimits[0]: expected an object, got a string");
}

static void test_mounts(void **state)
{
	(void)state;
	expect_error(PREFIX "\"mounts\": [\"/proc\"]}",
		     "config.json:2:12: mounts[0]: expected an object, got a string");
	expect_error(PREFIX "\"mounts\": [{\"destination\": \"/a\"}, {\"type\": \"proc\"}]}",
		     "config.json:2:35: mounts[1].destination: missing, expected a string");
	expect_error(PREFIX "\"mounts\": [{\"destination\": \"proc\"}]}",
		     "config.json:2:28: mounts[0].destination: \"proc\" is not an absolute path");
	expect_error(PREFIX "\"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", \"rsync\"]}]}",
		     "config.json:2:52: mounts[0].options[1]: mount option \"rsync\": \"sync\" has no "
		     "recursive form");
	expect_error(PREFIX "\"mounts\": [{\"destination\": \"/a\", \"options\": [1]}]}",
		     "config.json:2:46: mounts[0].options[0]: expected a string, got an integer");
	expect_error(PREFIX "\"mounts\": [{\"destination\": \"/a\", \"source\": 1}]}",
		     "config.json:2:44: mounts[0].source: expected a string, got an integer");
	expect_error(PREFIX "\"mounts\": {}}",
		     "config.json:2:11: mounts: expected an array, got an object");
}

#define LINUX PREFIX "\"linux\": {\n"

static void test_namespaces(void **state)
{
	(void)state;
	expect_error(LINUX "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"net\"}]}}",
		     "config.json:3:42: linux.namespaces[1].type: unknown namespace type \"net\"");
	expect_error(LINUX "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
		     "config.json:3:42: linux.namespaces[1].type: duplicate namespace type \"pid\"");
	expect_error(LINUX "\"namespaces\": [{\"path\": \"/proc/1/ns/pid\"}]}}",
		     "config.json:3:16: linux.namespaces[0].type: missing, expected a string");
	expect_error(LINUX "\"namespaces\": [{\"type\": \"network\", \"path\": \"netns/x\"}]}}",
		     "config.json:3:44: linux.namespaces[0].path: \"netns/x\" is not an absolute path");
	expect_error(LINUX "\"namespaces\": [\"pid\"]}}",
		     "config.json:3:16: linux.namespaces[0]: expected an object, got a string");
}

static void test_devices(void **state)
{
	(void)state;
	expect_error(LINUX "\"devices\": [{\"path\": \"/dev/x\", \"type\": \"x\"}]}}",
		     "config.json:3:40: linux.devices[0].type: unknown device type \"x\" (expected c, "
		     "b, u or p)");
	expect_error(LINUX "\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"minor\": 1}]}}",
		     "config.json:3:13: linux.devices[0].major: missing, expected an integer");
	expect_error(LINUX "\"devices\": [{\"path\": \"dev/x\", \"type\": \"c\"}]}}",
		     "config.json:3:22: linux.devices[0].path: \"dev/x\" is not an absolute path");
	expect_error(LINUX "\"devices\": [{\"path\": \"/dev/x\", \"type\": \"b\", \"major\": 8, "
			   "\"minor\": 0, \"fileMode\": \"0666\"}]}}",
		     "config.json:3:81: linux.devices[0].fileMode: expected an integer, got a string");
}

static void test_linux_fields(void **state)
{
	(void)state;
	expect_error(LINUX "\"rootfsPropagation\": \"bogus\"}}",
		     "config.json:3:22: linux.rootfsPropagation: unknown propagation \"bogus\" "
		     "(expected shared, slave, private, unbindable, rshared, rslave, rprivate or "
		     "runbindable)");
	expect_error(LINUX "\"maskedPaths\": [\"/proc/kcore\", 5]}}",
		     "config.json:3:32: linux.maskedPaths[1]: expected a string, got an integer");
	expect_error(LINUX "\"readonlyPaths\": \"/proc/sys\"}}",
		     "config.json:3:18: linux.readonlyPaths: expected an array, got a string");
	expect_error(LINUX "\"resources\": []}}",
		     "config.json:3:14: linux.resources: expected an object, got an array");
	expect_error(LINUX "\"cgroupsPath\": false}}",
		     "config.json:3:16: linux.cgroupsPath: expected a string, got a boolean");
}

static void test_annotations(void **state)
{
	(void)state;
	expect_error(PREFIX "\"annotations\": {\"a\": \"b\", \"org.example.n\": 1}}",
		     "config.json:2:44: annotations[\"org.example.n\"]: expected a string, got an "
		     "integer");
	expect_error(PREFIX "\"annotations\": [\"a=b\"]}",
		     "config.json:2:16: annotations: expected an object, got an array");
}

static void test_name_helpers(void **state)
{
	(void)state;
	assert_int_equal(spec_namespace_type_from_name("pid"), CLONE_NEWPID);
	assert_int_equal(spec_namespace_type_from_name("network"), CLONE_NEWNET);
	assert_int_equal(spec_namespace_type_from_name("mount"), CLONE_NEWNS);
	assert_int_equal(spec_namespace_type_from_name("time"), CLONE_NEWTIME);
	assert_int_equal(spec_namespace_type_from_name("net"), -1);
	assert_int_equal(spec_namespace_type_from_name("PID"), -1);
	assert_string_equal(spec_namespace_name(CLONE_NEWUSER), "user");
	assert_string_equal(spec_namespace_name(CLONE_NEWCGROUP), "cgroup");
	assert_null(spec_namespace_name(0));
	assert_int_equal(spec_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(spec_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	assert_int_equal(spec_rlimit_from_name("NOFILE"), -1);
	assert_string_equal(spec_rlimit_name(RLIMIT_STACK), "RLIMIT_STACK");
	assert_null(spec_rlimit_name(1000));
	assert_int_equal(spec_capability_from_name("CAP_CHOWN"), CAP_CHOWN);
	assert_int_equal(spec_capability_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
	assert_int_equal(spec_capability_from_name("CAP_NOPE"), -1);
	assert_int_equal(spec_capability_from_name("21"), -1);
	assert_int_equal(spec_capability_from_name(""), -1);
}

/* spec_load */

struct bundle {
	char dir[64];
};

static int bundle_setup(void **state)
{
	struct bundle *b = calloc(1, sizeof(*b));

	if (!b)
		return -1;
	strcpy(b->dir, "/tmp/silo-test-spec-XXXXXX");
	if (!mkdtemp(b->dir)) {
		free(b);
		return -1;
	}
	*state = b;
	return 0;
}

static int bundle_teardown(void **state)
{
	struct bundle *b = *state;
	int r = fs_remove_tree(b->dir, NULL);

	free(b);
	return r;
}

static void write_config(const struct bundle *b, const char *text, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/config.json", b->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void test_load_missing_bundle(void **state)
{
	struct bundle *b = *state;
	struct spec *spec = NULL;
	struct silo_err err = { 0 };
	char missing[128], want[256];

	snprintf(missing, sizeof(missing), "%s/nope", b->dir);
	assert_int_equal(spec_load(missing, &spec, &err), -ENOENT);
	snprintf(want, sizeof(want), "bundle \"%s\": no such directory", missing);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, ENOENT);
	assert_null(spec);
}

static void test_load_missing_config(void **state)
{
	struct bundle *b = *state;
	struct spec *spec = NULL;
	struct silo_err err = { 0 };
	char want[256];

	assert_int_equal(spec_load(b->dir, &spec, &err), -ENOENT);
	snprintf(want, sizeof(want), "bundle \"%s\": config.json: No such file or directory", b->dir);
	assert_string_equal(err.msg, want);
	assert_null(spec);
}

static void test_load_bundle_is_a_file(void **state)
{
	struct bundle *b = *state;
	struct spec *spec = NULL;
	struct silo_err err = { 0 };
	char path[128], want[256];

	write_config(b, "{}", 2);
	snprintf(path, sizeof(path), "%s/config.json", b->dir);
	assert_int_equal(spec_load(path, &spec, &err), -ENOTDIR);
	snprintf(want, sizeof(want), "bundle \"%s\": not a directory", path);
	assert_string_equal(err.msg, want);
}

static void test_load_valid(void **state)
{
	struct bundle *b = *state;
	struct spec *spec = NULL;
	struct silo_err err = { 0 };
	char want[128];

	write_config(b, full_config, strlen(full_config));
	if (spec_load(b->dir, &spec, &err) < 0)
		fail_msg("spec_load: %s", err.msg);
	assert_string_equal(spec->bundle, b->dir);
	snprintf(want, sizeof(want), "%s/rootfs", b->dir);
	assert_string_equal(spec->root_path, want);
	/* the rootfs need not exist yet: the runtime checks that */
	assert_int_equal(access(spec->root_path, F_OK), -1);
	spec_free(spec);
}

static void test_load_error_names_the_file(void **state)
{
	struct bundle *b = *state;
	struct spec *spec = NULL;
	struct silo_err err = { 0 };
	static const char text[] = PREFIX "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\", 1]}}";
	char want[256];

	write_config(b, text, strlen(text));
	assert_true(spec_load(b->dir, &spec, &err) < 0);
	snprintf(want, sizeof(want),
		 "%s/config.json:2:40: process.args[1]: expected a string, got an integer", b->dir);
	assert_string_equal(err.msg, want);
}

static void test_load_too_large(void **state)
{
	struct bundle *b = *state;
	struct spec *spec = NULL;
	struct silo_err err = { 0 };
	_cleanup_free_ char *big = malloc(SPEC_MAX_SIZE + 1);

	assert_non_null(big);
	memset(big, ' ', SPEC_MAX_SIZE + 1);
	write_config(b, big, SPEC_MAX_SIZE + 1);
	assert_int_equal(spec_load(b->dir, &spec, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "config.json"));
	assert_non_null(strstr(err.msg, "larger than"));
}

/* spec_default */

static struct spec *reparse_default(int rootless, uid_t uid, gid_t gid)
{
	json_t *doc = spec_default(rootless, uid, gid);
	_cleanup_free_ char *text = NULL;
	struct spec *spec;

	assert_non_null(doc);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	assert_non_null(text);
	spec = parse_ok(text, "/bundle");
	return spec;
}

static const char *const default_masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	NULL,
};

static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void check_strv(char *const *got, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
}

static void check_common_default(const struct spec *spec)
{
	const uint64_t caps = BIT(CAP_AUDIT_WRITE) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);

	assert_string_equal(spec->oci_version, "1.2.0");
	assert_string_equal(spec->hostname, "silo");
	assert_string_equal(spec->root_path, "/bundle/rootfs");
	assert_int_equal(spec->root_readonly, 1);
	assert_int_equal(spec->has_process, 1);
	assert_int_equal(spec->process.terminal, 1);
	assert_string_equal(spec->process.args[0], "sh");
	assert_null(spec->process.args[1]);
	assert_string_equal(spec->process.env[0],
			    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(spec->process.env[1], "TERM=xterm");
	assert_null(spec->process.env[2]);
	assert_string_equal(spec->process.cwd, "/");
	assert_int_equal(spec->process.user.uid, 0);
	assert_int_equal(spec->process.user.gid, 0);
	assert_int_equal(spec->process.has_capabilities, 1);
	assert_int_equal(spec->process.capabilities.bounding, caps);
	assert_int_equal(spec->process.capabilities.effective, caps);
	assert_int_equal(spec->process.capabilities.permitted, caps);
	/* inheritable and ambient stay empty unless asked for */
	assert_int_equal(spec->process.capabilities.inheritable, 0);
	assert_int_equal(spec->process.capabilities.ambient, 0);
	assert_int_equal(spec->process.n_rlimits, 1);
	assert_int_equal(spec->process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(spec->process.rlimits[0].soft, 1024);
	assert_int_equal(spec->process.rlimits[0].hard, 1024);
	assert_int_equal(spec->process.no_new_privileges, 1);
	check_strv(spec->masked_paths, default_masked);
	check_strv(spec->readonly_paths, default_readonly);

	assert_string_equal(spec->mounts[0].destination, "/proc");
	assert_string_equal(spec->mounts[0].type, "proc");
	assert_string_equal(spec->mounts[1].destination, "/dev");
	assert_int_equal(spec->mounts[1].parsed.flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(spec->mounts[1].parsed.data, "mode=755,size=65536k");
	assert_string_equal(spec->mounts[2].destination, "/dev/pts");
	assert_int_equal(spec->mounts[2].parsed.flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(spec->mounts[3].destination, "/dev/shm");
	assert_string_equal(spec->mounts[3].source, "shm");
	assert_int_equal(spec->mounts[3].parsed.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_string_equal(spec->mounts[3].parsed.data, "mode=1777,size=65536k");
	assert_string_equal(spec->mounts[4].destination, "/dev/mqueue");
	assert_string_equal(spec->mounts[4].type, "mqueue");
	assert_string_equal(spec->mounts[5].destination, "/sys");
}

static void test_default_spec(void **state)
{
	struct spec *spec = reparse_default(0, 1000, 1000);
	static const int namespaces[] = { CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
					  CLONE_NEWUTS, CLONE_NEWNS,  CLONE_NEWCGROUP };
	json_t *devices;

	(void)state;
	check_common_default(spec);
	assert_int_equal(spec->n_mounts, 7);
	assert_string_equal(spec->mounts[2].parsed.data,
			    "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_string_equal(spec->mounts[5].type, "sysfs");
	assert_int_equal(spec->mounts[5].parsed.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_int_equal(spec->mounts[5].parsed.bind, 0);
	assert_string_equal(spec->mounts[6].destination, "/sys/fs/cgroup");
	assert_string_equal(spec->mounts[6].type, "cgroup");
	assert_int_equal(spec->mounts[6].parsed.flags,
			 MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
	assert_int_equal(spec->n_namespaces, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(spec->namespaces[i].type, namespaces[i]);
	assert_null(spec_find_namespace(spec, CLONE_NEWUSER));
	assert_null(json_object_get(json_object_get(spec->document, "linux"), "uidMappings"));
	/* every device denied in the cgroup */
	assert_non_null(spec->resources);
	devices = json_object_get(spec->resources, "devices");
	assert_int_equal(json_array_size(devices), 1);
	assert_true(json_is_false(json_object_get(json_array_get(devices, 0), "allow")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(devices, 0), "access")),
			    "rwm");
	spec_free(spec);
}

static void check_mapping(const json_t *linux_obj, const char *key, json_int_t host)
{
	json_t *maps = json_object_get(linux_obj, key);
	json_t *map = json_array_get(maps, 0);

	assert_int_equal(json_array_size(maps), 1);
	assert_int_equal(json_integer_value(json_object_get(map, "containerID")), 0);
	assert_int_equal(json_integer_value(json_object_get(map, "hostID")), host);
	assert_int_equal(json_integer_value(json_object_get(map, "size")), 1);
}

static void test_default_spec_rootless(void **state)
{
	struct spec *spec = reparse_default(1, 1234, 5678);
	static const int namespaces[] = { CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS,
					  CLONE_NEWUSER };
	json_t *linux_obj = json_object_get(spec->document, "linux");

	(void)state;
	check_common_default(spec);
	assert_int_equal(spec->n_mounts, 6);
	/* no gid=5: that group is not mapped in a one-id user namespace */
	assert_string_equal(spec->mounts[2].parsed.data, "newinstance,ptmxmode=0666,mode=0620");
	/* /sys is the host's, bound read-only */
	assert_string_equal(spec->mounts[5].type, "none");
	assert_string_equal(spec->mounts[5].source, "/sys");
	assert_int_equal(spec->mounts[5].parsed.bind, 1);
	assert_int_equal(spec->mounts[5].parsed.recursive, 1);
	assert_int_equal(spec->mounts[5].parsed.flags,
			 MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	for (size_t i = 0; i < spec->n_mounts; i++)
		assert_string_not_equal(spec->mounts[i].destination, "/sys/fs/cgroup");
	assert_int_equal(spec->n_namespaces, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(spec->namespaces[i].type, namespaces[i]);
	assert_null(spec_find_namespace(spec, CLONE_NEWNET));
	assert_null(spec_find_namespace(spec, CLONE_NEWCGROUP));
	check_mapping(linux_obj, "uidMappings", 1234);
	check_mapping(linux_obj, "gidMappings", 5678);
	assert_null(spec->resources);
	spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_minimal_config_defaults),
		cmocka_unit_test(test_process_defaults),
		cmocka_unit_test(test_relative_bundle),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_top_level_and_root),
		cmocka_unit_test(test_process_args_and_cwd),
		cmocka_unit_test(test_process_fields),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_rlimits),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_linux_fields),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_name_helpers),
		cmocka_unit_test_setup_teardown(test_load_missing_bundle, bundle_setup, bundle_teardown),
		cmocka_unit_test_setup_teardown(test_load_missing_config, bundle_setup, bundle_teardown),
		cmocka_unit_test_setup_teardown(test_load_bundle_is_a_file, bundle_setup,
						bundle_teardown),
		cmocka_unit_test_setup_teardown(test_load_valid, bundle_setup, bundle_teardown),
		cmocka_unit_test_setup_teardown(test_load_error_names_the_file, bundle_setup,
						bundle_teardown),
		cmocka_unit_test_setup_teardown(test_load_too_large, bundle_setup, bundle_teardown),
		cmocka_unit_test(test_default_spec),
		cmocka_unit_test(test_default_spec_rootless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
