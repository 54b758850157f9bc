/* `silo system df` and `silo system info` (also `silo info`), with
 * docker's shapes. df measures what is on disk: the unpacked layers of the
 * images (each shared layer counted once), the containers' writable
 * layers and the volumes' contents; what is reclaimable is what nothing
 * running (containers) or nothing at all (images, volumes) uses. info
 * describes the host and the store as the engine sees them. */
#include "cli/engine_system.h"
#include "cli/engine_format.h"
#include "cli/engine_progress.h"
#include "cli/engine_session.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "engine/lifecycle.h"
#include "engine/mounts.h"
#include "engine/record.h"
#include "engine/volume.h"
#include "image/images.h"
#include "net/network.h"
#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* ------------------------------------------------------------------ df -- */

struct df_row {
	const char *type;
	int total, active;
	uint64_t size, reclaimable;
};

static json_t *df_item(const struct df_row *row, int with_percent)
{
	char size[32], reclaim[32], reclaimable[64], total[16], active[16];

	engine_human_size(row->size, size, sizeof(size));
	engine_human_size(row->reclaimable, reclaim, sizeof(reclaim));
	if (with_percent)
		snprintf(reclaimable, sizeof(reclaimable), "%s (%d%%)", reclaim,
			 row->size ? (int)(row->reclaimable * 100 / row->size) : 0);
	else
		snprintf(reclaimable, sizeof(reclaimable), "%s", reclaim);
	snprintf(total, sizeof(total), "%d", row->total);
	snprintf(active, sizeof(active), "%d", row->active);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", row->type, "TotalCount", total, "Active", active,
			 "Size", size, "Reclaimable", reclaimable);
}

/* What df measures, once. */
struct df_data {
	json_t *images;     /* image records, each with "diskSize", "uniqueSize", "containers" */
	json_t *containers; /* container records (truthful), each with "diskSize" */
	json_t *volumes;    /* volume records, each with "diskSize", "links" */
	struct df_row rows[4];
};

static void df_data_free(struct df_data *d)
{
	json_decref(d->images);
	json_decref(d->containers);
	json_decref(d->volumes);
}

static int df_measure(struct session *s, struct df_data *d, struct silo_err *err)
{
	_cleanup_json_ json_t *records = NULL;
	_cleanup_json_ json_t *layer_sizes = json_object(); /* chain ID -> bytes */
	_cleanup_json_ json_t *layer_users = json_object(); /* chain ID -> images using it */
	_cleanup_json_ json_t *active_layers = json_object();
	size_t i, j;
	json_t *rec, *chain;
	const char *key;
	json_t *value;

	d->rows[0] = (struct df_row){ .type = "Images" };
	d->rows[1] = (struct df_row){ .type = "Containers" };
	d->rows[2] = (struct df_row){ .type = "Local Volumes" };
	d->rows[3] = (struct df_row){ .type = "Build Cache" };
	d->containers = json_array();
	if (images_list(&s->store, &d->images, err) < 0 || record_list(s->store.root, &records, err) < 0 ||
	    volume_list(s->store.root, &d->volumes, err) < 0)
		return -1;
	json_array_foreach(records, i, rec) {
		_cleanup_json_ json_t *fresh = NULL;
		const char *id = json_string_value(json_object_get(rec, "id"));
		_cleanup_free_ char *upper = record_path(s->store.root, id, "upper");
		uint64_t size = upper ? fs_disk_usage(upper) : 0;
		const char *status;

		if (engine_container_inspect(&s->env, id, &fresh, err) < 0) {
			silo_err_clear(err);
			continue;
		}
		status = engine_container_status(fresh);
		json_object_set_new(fresh, "diskSize", json_integer((json_int_t)size));
		json_array_append(d->containers, fresh);
		d->rows[1].total++;
		d->rows[1].size += size;
		if (!strcmp(status, "running") || !strcmp(status, "restarting") || !strcmp(status, "paused"))
			d->rows[1].active++;
		else
			d->rows[1].reclaimable += size;
	}
	json_array_foreach(d->images, i, rec) {
		const char *image_id = json_string_value(json_object_get(rec, "id")) ?: "";
		int users = 0;

		json_array_foreach(d->containers, j, value)
			if (!strcmp(json_string_value(json_object_get(value, "imageId")) ?: "", image_id))
				users++;
		json_object_set_new(rec, "containers", json_integer(users));
		json_array_foreach(json_object_get(rec, "layers"), j, chain) {
			const char *c = json_string_value(chain);
			json_int_t n = json_integer_value(json_object_get(layer_users, c));

			if (!c)
				continue;
			if (!json_object_get(layer_sizes, c)) {
				_cleanup_free_ char *path = store_layer_path(&s->store, c);

				json_object_set_new(layer_sizes, c,
						    json_integer((json_int_t)(path ? fs_disk_usage(path) : 0)));
			}
			json_object_set_new(layer_users, c, json_integer(n + 1));
			if (users)
				json_object_set_new(active_layers, c, json_true());
		}
		d->rows[0].total++;
		if (users)
			d->rows[0].active++;
	}
	/* An image's size is all its layers; its unique size the layers no
	 * other image has (docker's SHARED SIZE is the rest). */
	json_array_foreach(d->images, i, rec) {
		uint64_t size = 0, unique = 0;

		json_array_foreach(json_object_get(rec, "layers"), j, chain) {
			uint64_t bytes = (uint64_t)json_integer_value(json_object_get(layer_sizes, json_string_value(chain)));

			size += bytes;
			if (json_integer_value(json_object_get(layer_users, json_string_value(chain))) == 1)
				unique += bytes;
		}
		json_object_set_new(rec, "diskSize", json_integer((json_int_t)size));
		json_object_set_new(rec, "uniqueSize", json_integer((json_int_t)unique));
	}
	json_object_foreach(layer_sizes, key, value) {
		d->rows[0].size += (uint64_t)json_integer_value(value);
		if (!json_object_get(active_layers, key))
			d->rows[0].reclaimable += (uint64_t)json_integer_value(value);
	}
	json_array_foreach(d->volumes, i, rec) {
		const char *name = json_string_value(json_object_get(rec, "name")) ?: "";
		_cleanup_free_ char *path = mounts_volume_path(s->store.root, name);
		_cleanup_json_ json_t *users = volume_users(s->store.root, name);
		uint64_t size = path ? fs_disk_usage(path) : 0;

		json_object_set_new(rec, "diskSize", json_integer((json_int_t)size));
		json_object_set_new(rec, "links", json_integer((json_int_t)json_array_size(users)));
		d->rows[2].total++;
		d->rows[2].size += size;
		if (json_array_size(users))
			d->rows[2].active++;
		else
			d->rows[2].reclaimable += size;
	}
	return 0;
}

static void df_print_verbose(struct df_data *d)
{
	_cleanup_json_ json_t *rows = json_array();
	size_t i, j;
	json_t *rec, *name;
	char size[32], shared[32], unique[32];

	printf("Images space usage:\n\n");
	json_array_append_new(rows, json_pack("[s, s, s, s, s, s, s]", "REPOSITORY", "TAG", "IMAGE ID", "SIZE",
					      "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"));
	json_array_foreach(d->images, i, rec) {
		const char *id = json_string_value(json_object_get(rec, "id")) ?: "";
		json_t *names = json_object_get(rec, "names");
		uint64_t total = (uint64_t)json_integer_value(json_object_get(rec, "diskSize"));
		uint64_t only = (uint64_t)json_integer_value(json_object_get(rec, "uniqueSize"));
		char containers[16], short_id[16];

		engine_human_size(total, size, sizeof(size));
		engine_human_size(total - only, shared, sizeof(shared));
		engine_human_size(only, unique, sizeof(unique));
		snprintf(containers, sizeof(containers), "%lld",
			 (long long)json_integer_value(json_object_get(rec, "containers")));
		snprintf(short_id, sizeof(short_id), "%.12s", !strncmp(id, "sha256:", 7) ? id + 7 : id);
		if (!json_array_size(names))
			json_array_append_new(rows, json_pack("[s, s, s, s, s, s, s]", "<none>", "<none>", short_id,
							      size, shared, unique, containers));
		json_array_foreach(names, j, name) {
			const char *n = json_string_value(name);
			const char *colon = strrchr(n, ':');
			_cleanup_free_ char *repo = colon && !strchr(colon, '/') ? strndup(n, (size_t)(colon - n))
										 : strdup(n);

			json_array_append_new(rows, json_pack("[s, s, s, s, s, s, s]", repo ? repo : n,
							      colon && !strchr(colon, '/') ? colon + 1 : "<none>",
							      short_id, size, shared, unique, containers));
		}
	}
	format_print_table(rows);
	json_array_clear(rows);
	printf("\nContainers space usage:\n\n");
	json_array_append_new(rows, json_pack("[s, s, s, s, s]", "CONTAINER ID", "IMAGE", "SIZE", "STATUS",
					      "NAMES"));
	json_array_foreach(d->containers, i, rec) {
		engine_human_size((uint64_t)json_integer_value(json_object_get(rec, "diskSize")), size,
				  sizeof(size));
		json_array_append_new(rows, json_pack("[s%, s, s, s, s]",
						      json_string_value(json_object_get(rec, "id")) ?: "",
						      (size_t)RECORD_SHORT_ID_LENGTH,
						      json_string_value(json_object_get(rec, "image")) ?: "", size,
						      engine_container_status(rec),
						      json_string_value(json_object_get(rec, "name")) ?: ""));
	}
	format_print_table(rows);
	json_array_clear(rows);
	printf("\nLocal Volumes space usage:\n\n");
	json_array_append_new(rows, json_pack("[s, s, s]", "VOLUME NAME", "LINKS", "SIZE"));
	json_array_foreach(d->volumes, i, rec) {
		char links[16];

		engine_human_size((uint64_t)json_integer_value(json_object_get(rec, "diskSize")), size,
				  sizeof(size));
		snprintf(links, sizeof(links), "%lld", (long long)json_integer_value(json_object_get(rec, "links")));
		json_array_append_new(rows, json_pack("[s, s, s]", json_string_value(json_object_get(rec, "name")) ?: "",
						      links, size));
	}
	format_print_table(rows);
	printf("\nBuild cache usage: 0B\n");
}

static int system_df(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'F' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_format_output_ struct format_output out = { 0 };
	_cleanup_json_ json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", "TYPE", "TotalCount",
						  "TOTAL", "Active", "ACTIVE", "Size", "SIZE", "Reclaimable",
						  "RECLAIMABLE");
	struct df_data d __attribute__((cleanup(df_data_free))) = { 0 };
	struct silo_err err = { 0 };
	const char *format = NULL;
	int verbose = 0, c;

	while ((c = engine_next_option("system df", argc, argv, "v", longopts)) != -1) {
		if (c == 'v')
			verbose = 1;
		else if (c == 'F')
			format = optarg;
		else
			return 125;
	}
	if (optind != argc)
		return engine_usage_error("system df", "%s", "takes no arguments");
	if (format_output_open(&out, format,
			       "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}", fields,
			       NULL, &err) < 0) {
		fprintf(stderr, "silo system df: %s\n", err.msg);
		return 125;
	}
	if (session_open(ctx, &s, "system df"))
		return 125;
	if (df_measure(&s, &d, &err) < 0)
		return session_fail("system df", &err, 1);
	if (verbose && !format) {
		df_print_verbose(&d);
		return 0;
	}
	for (int r = 0; r < 4; r++) {
		_cleanup_json_ json_t *item = df_item(&d.rows[r], r < 3);

		if (item)
			format_output_add(&out, item, NULL);
	}
	format_output_finish(&out);
	return 0;
}

/* ---------------------------------------------------------------- info -- */

/* PRETTY_NAME of /etc/os-release, or "Linux". */
static char *os_name(void)
{
	_cleanup_free_ char *text = NULL;
	struct silo_err ignored = { 0 };
	size_t len;
	char *line;

	if (fs_read_file("/etc/os-release", 65536, &text, &len, &ignored) < 0)
		return strdup("Linux");
	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, "PRETTY_NAME=", 12)) {
			char *value = line + 12;
			size_t n = strcspn(value, "\n");

			if (n >= 2 && value[0] == '"' && value[n - 1] == '"')
				return strndup(value + 1, n - 2);
			return strndup(value, n);
		}
	}
	return strdup("Linux");
}

/* Whether we run in a user namespace other than the initial one. */
static int in_user_namespace(void)
{
	_cleanup_free_ char *map = NULL;
	struct silo_err ignored = { 0 };
	unsigned long inside, outside, count;
	size_t len;

	if (fs_read_file("/proc/self/uid_map", 65536, &map, &len, &ignored) < 0)
		return 0;
	if (sscanf(map, "%lu %lu %lu", &inside, &outside, &count) != 3)
		return 0;
	return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

static json_t *info_object(struct session *s, struct silo_err *err)
{
	_cleanup_json_ json_t *records = NULL;
	_cleanup_json_ json_t *images = NULL;
	_cleanup_free_ char *os = os_name();
	struct cgroup_host host = { 0 };
	struct utsname uts;
	struct sysinfo si;
	char hostname[256] = "";
	int running = 0, paused = 0, stopped = 0;
	const char *cgroup_version = "1", *cgroup_layout = "v1";
	json_t *security, *info;
	size_t i;
	json_t *rec;

	if (record_list(s->store.root, &records, err) < 0 || images_list(&s->store, &images, err) < 0)
		return NULL;
	json_array_foreach(records, i, rec) {
		_cleanup_json_ json_t *fresh = NULL;
		const char *status;

		if (engine_container_inspect(&s->env, json_string_value(json_object_get(rec, "id")), &fresh,
					     err) < 0) {
			silo_err_clear(err);
			continue;
		}
		status = engine_container_status(fresh);
		if (!strcmp(status, "running") || !strcmp(status, "restarting"))
			running++;
		else if (!strcmp(status, "paused"))
			paused++;
		else
			stopped++;
	}
	if (cgroup_detect(&host, err) == 0) {
		if (host.mode == CGROUP_MODE_V2)
			cgroup_version = "2", cgroup_layout = "v2";
		else if (host.mode == CGROUP_MODE_HYBRID)
			cgroup_layout = "hybrid";
		cgroup_host_free(&host);
	}
	silo_err_clear(err);
	uname(&uts);
	if (sysinfo(&si) < 0)
		memset(&si, 0, sizeof(si));
	gethostname(hostname, sizeof(hostname) - 1);
	security = json_pack("[s]", "name=seccomp,profile=builtin");
	if (geteuid() != 0)
		json_array_append_new(security, json_string("name=rootless"));
	if (in_user_namespace())
		json_array_append_new(security, json_string("name=userns"));
	info = json_pack("{s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, "
			 "s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:b}",
			 "Containers", running + paused + stopped, "ContainersRunning", running,
			 "ContainersPaused", paused, "ContainersStopped", stopped, "Images",
			 (int)json_array_size(images), "ServerVersion", SILO_VERSION, "Driver", "overlay",
			 "LoggingDriver", "json-file", "CgroupDriver", "cgroupfs", "CgroupVersion", cgroup_version,
			 "CgroupLayout", cgroup_layout, "DefaultRuntime", "silo", "OCIVersion", SILO_OCI_VERSION,
			 "SecurityOptions", security, "KernelVersion", uts.release, "OperatingSystem",
			 os ? os : "Linux", "OSType", "linux", "Architecture", uts.machine, "NCPU",
			 (int)sysconf(_SC_NPROCESSORS_ONLN), "MemTotal", (json_int_t)si.totalram * si.mem_unit,
			 "Name", hostname, "DockerRootDir", s->store.root, "RuntimeRootDir",
			 s->runtime_root ? s->runtime_root : "", "DefaultNetwork", NETWORK_DEFAULT_NAME,
			 "Rootless", geteuid() != 0);
	if (!info)
		silo_err_sys(err, ENOMEM, "info");
	return info;
}

/* docker's binary sizes for memory: "3.84GiB". */
static void binary_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.3g%s", v, units[u]);
}

static void info_print(json_t *info)
{
	json_t *security = json_object_get(info, "SecurityOptions");
	char memory[32];
	size_t i;
	json_t *opt;

#define S(key) (json_string_value(json_object_get(info, key)) ?: "")
#define I(key) ((long long)json_integer_value(json_object_get(info, key)))
	binary_size((uint64_t)I("MemTotal"), memory, sizeof(memory));
	printf("Client:\n Version:    %s\n Context:    default\n\n", S("ServerVersion"));
	printf("Server:\n");
	printf(" Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n", I("Containers"),
	       I("ContainersRunning"), I("ContainersPaused"), I("ContainersStopped"));
	printf(" Images: %lld\n", I("Images"));
	printf(" Server Version: %s\n", S("ServerVersion"));
	printf(" Storage Driver: %s\n", S("Driver"));
	printf(" Logging Driver: %s\n", S("LoggingDriver"));
	printf(" Cgroup Driver: %s\n", S("CgroupDriver"));
	printf(" Cgroup Version: %s (%s)\n", S("CgroupVersion"), S("CgroupLayout"));
	printf(" Default Runtime: %s (in-process, OCI %s)\n", S("DefaultRuntime"), S("OCIVersion"));
	printf(" Default Network: %s\n", S("DefaultNetwork"));
	printf(" Security Options:\n");
	json_array_foreach(security, i, opt) {
		const char *text = json_string_value(opt);
		const char *comma = strchr(text, ',');

		printf("  %.*s\n", (int)(comma ? (size_t)(comma - text) : strlen(text)) - 5, text + 5);
		if (comma && !strncmp(comma + 1, "profile=", 8))
			printf("   Profile: %s\n", comma + 9);
	}
	printf(" Kernel Version: %s\n", S("KernelVersion"));
	printf(" Operating System: %s\n", S("OperatingSystem"));
	printf(" OSType: %s\n", S("OSType"));
	printf(" Architecture: %s\n", S("Architecture"));
	printf(" CPUs: %lld\n", I("NCPU"));
	printf(" Total Memory: %s\n", memory);
	printf(" Name: %s\n", S("Name"));
	printf(" Store Root Dir: %s\n", S("DockerRootDir"));
	printf(" Runtime Root Dir: %s\n", S("RuntimeRootDir"));
	printf(" Rootless: %s\n", json_is_true(json_object_get(info, "Rootless")) ? "true" : "false");
#undef S
#undef I
}

static int system_info(const struct engine_context *ctx, const char *command, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *info = NULL;
	_cleanup_format_output_ struct format_output out = { 0 };
	struct silo_err err = { 0 };
	const char *format = NULL;
	int c;

	while ((c = engine_next_option(command, argc, argv, "f:", longopts)) != -1) {
		if (c != 'f')
			return 125;
		format = optarg;
	}
	if (optind != argc)
		return engine_usage_error(command, "%s", "takes no arguments");
	if (session_open(ctx, &s, command))
		return 125;
	info = info_object(&s, &err);
	if (!info)
		return session_fail(command, &err, 1);
	if (!format) {
		info_print(info);
		return 0;
	}
	/* A template may name any of the JSON's fields. */
	if (format_output_open(&out, format, "json", info, NULL, &err) < 0) {
		fprintf(stderr, "silo %s: %s\n", command, err.msg);
		return 125;
	}
	format_output_add(&out, info, NULL);
	format_output_finish(&out);
	return 0;
}

int engine_system_subcommand(const struct engine_context *ctx, int argc, char **argv)
{
	if (!strcmp(argv[0], "df"))
		return system_df(ctx, argc, argv);
	return system_info(ctx, "system info", argc, argv);
}

static int cmd_info(const struct engine_context *ctx, int argc, char **argv)
{
	return system_info(ctx, "info", argc, argv);
}

const struct engine_command engine_system_commands[] = {
	{ "info", "Display system-wide information",
	  "Usage:  silo info [OPTIONS]\n\nOptions:\n"
	  "  -f, --format string   json, or a template of its fields ({{.ServerVersion}})\n",
	  cmd_info },
	{ NULL, NULL, NULL, NULL, 0 },
};
