/* `silo volume …` (see engine_volumes.h): docker's subcommands, flags and
 * output shapes, over the volume store of src/engine/volume.c. */
#include "cli/engine_volumes.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <jansson.h>

#include "cli/engine_format.h"
#include "cli/engine_session.h"
#include "engine/mounts.h"
#include "engine/volume.h"
#include "util/cleanup.h"

/* --label K=V (or K) into an object. */
static int add_label(json_t *labels, const char *spec)
{
	const char *eq = strchr(spec, '=');
	_cleanup_free_ char *key = eq ? strndup(spec, (size_t)(eq - spec)) : strdup(spec);

	if (!key || !*key)
		return -1;
	json_object_set_new(labels, key, json_string(eq ? eq + 1 : ""));
	return 0;
}

static int volume_create_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "name", required_argument, NULL, 'n' },
		{ "opt", required_argument, NULL, 'o' },
		{ 0 },
	};
	_cleanup_json_ json_t *labels = json_object();
	struct silo_err err = { 0 };
	const char *name = NULL;
	char generated[65];
	int c, created;

	while ((c = engine_next_option("volume create", argc, argv, "d:l:o:", longopts)) != -1) {
		switch (c) {
		case 'd':
			if (strcmp(optarg, "local"))
				return engine_usage_error("volume create", "unsupported --driver \"%s\": only local", optarg);
			break;
		case 'l':
			if (add_label(labels, optarg) < 0)
				return engine_usage_error("volume create", "invalid --label \"%s\": want KEY=VALUE", optarg);
			break;
		case 'n':
			name = optarg;
			break;
		case 'o':
			return engine_usage_error("volume create", "unsupported --opt \"%s\": the local driver here takes no options",
						  optarg);
		default:
			return 125;
		}
	}
	if (argc - optind > 1 || (name && argc - optind == 1 && strcmp(name, argv[optind])))
		return engine_usage_error("volume create", "%s", "wants at most one NAME");
	if (argc - optind == 1)
		name = argv[optind];
	if (!name) {
		unsigned char bytes[32];

		if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
			silo_err_errno(&err, "random volume name");
			return session_fail("volume create", &err, 1);
		}
		for (size_t i = 0; i < sizeof(bytes); i++)
			snprintf(generated + 2 * i, 3, "%02x", bytes[i]);
		name = generated;
	}
	/* An existing volume is fine, as with docker: create is idempotent. */
	if (volume_create(s->store.root, name, labels, &created, &err) < 0)
		return session_fail("volume create", &err, 1);
	printf("%s\n", name);
	return 0;
}

/* --filter dangling=true|false, name=TEXT (a substring, as docker's). */
static int volume_matches(struct session *s, json_t *vol, const char *dangling, const char *name_part)
{
	const char *name = json_string_value(json_object_get(vol, "name")) ?: "";

	if (name_part && !strstr(name, name_part))
		return 0;
	if (dangling) {
		_cleanup_json_ json_t *users = volume_users(s->store.root, name);
		int is_dangling = json_array_size(users) == 0;

		if (is_dangling != (!strcmp(dangling, "true") || !strcmp(dangling, "1")))
			return 0;
	}
	return 1;
}

/* volume ls --format: docker's fields for one volume. */
static json_t *volume_item(struct session *s, json_t *vol)
{
	const char *name = json_string_value(json_object_get(vol, "name")) ?: "";
	_cleanup_free_ char *mountpoint = mounts_volume_path(s->store.root, name);
	_cleanup_json_ json_t *users = volume_users(s->store.root, name);
	json_t *labels = json_object_get(vol, "labels");
	char *text = NULL, links[16];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	const char *key;
	json_t *value, *item;
	int n = 0;

	if (!f)
		return NULL;
	json_object_foreach(labels, key, value)
		fprintf(f, "%s%s=%s", n++ ? "," : "", key, json_string_value(value) ?: "");
	fclose(f);
	snprintf(links, sizeof(links), "%zu", json_array_size(users));
	item = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Driver", "local", "Name", name, "Labels",
			 text ? text : "", "Mountpoint", mountpoint ? mountpoint : "", "Scope", "local", "Links",
			 links, "Size", "N/A");
	free(text);
	return item;
}

static int volume_ls_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ 0 },
	};
	_cleanup_json_ json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Driver", "DRIVER",
						  "Name", "VOLUME NAME", "Labels", "LABELS", "Mountpoint",
						  "MOUNTPOINT", "Scope", "SCOPE", "Links", "LINKS", "Size", "SIZE");
	_cleanup_format_output_ struct format_output out = { 0 };
	const char *format = NULL;
	_cleanup_json_ json_t *list = NULL;
	_cleanup_json_ json_t *rows = json_array();
	struct silo_err err = { 0 };
	const char *dangling = NULL, *name_part = NULL;
	int quiet = 0, c;
	size_t i;
	json_t *vol;

	while ((c = engine_next_option("volume ls", argc, argv, "qf:", longopts)) != -1) {
		if (c == 'q') {
			quiet = 1;
		} else if (c == 'F') {
			format = optarg;
		} else if (c == 'f' && !strncmp(optarg, "dangling=", 9) &&
			   strspn(optarg + 9, "truefals01") == strlen(optarg + 9) && optarg[9]) {
			dangling = optarg + 9;
		} else if (c == 'f' && !strncmp(optarg, "name=", 5)) {
			name_part = optarg + 5;
		} else if (c == 'f') {
			return engine_usage_error("volume ls", "unsupported --filter \"%s\": want dangling=true|false or name=TEXT",
						  optarg);
		} else {
			return 125;
		}
	}
	if (optind != argc)
		return engine_usage_error("volume ls", "%s", "takes no arguments");
	if (format && !quiet &&
	    format_output_open(&out, format, "table {{.Driver}}\t{{.Name}}", fields, NULL, &err) < 0) {
		fprintf(stderr, "silo volume ls: %s\n", err.msg);
		return 125;
	}
	if (volume_list(s->store.root, &list, &err) < 0)
		return session_fail("volume ls", &err, 1);
	json_array_append_new(rows, json_pack("[s, s]", "DRIVER", "VOLUME NAME"));
	json_array_foreach(list, i, vol) {
		if (!volume_matches(s, vol, dangling, name_part))
			continue;
		if (quiet) {
			printf("%s\n", json_string_value(json_object_get(vol, "name")));
		} else if (format) {
			_cleanup_json_ json_t *item = volume_item(s, vol);

			if (item)
				format_output_add(&out, item, NULL);
		} else
			json_array_append_new(rows, json_pack("[s, O]", "local", json_object_get(vol, "name")));
	}
	if (format && !quiet)
		format_output_finish(&out);
	else if (!quiet)
		session_print_table(rows);
	return 0;
}

static json_t *volume_view(struct session *s, json_t *vol)
{
	const char *name = json_string_value(json_object_get(vol, "name")) ?: "";
	_cleanup_free_ char *mountpoint = mounts_volume_path(s->store.root, name);
	json_t *labels = json_object_get(vol, "labels");

	labels = json_is_object(labels) ? json_incref(labels) : json_object();
	return json_pack("{s:O, s:s, s:o, s:s, s:s, s:n, s:s}", "CreatedAt", json_object_get(vol, "created"),
			 "Driver", "local", "Labels", labels, "Mountpoint",
			 mountpoint ? mountpoint : "", "Name", name, "Options", "Scope", "local");
}

static int volume_inspect_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_json_ json_t *out = json_array();
	_cleanup_free_ char *text = NULL;
	int status = 0;

	if (engine_next_option("volume inspect", argc, argv, "", longopts) != -1)
		return 125;
	if (optind == argc)
		return engine_usage_error("volume inspect", "%s", "wants at least one volume");
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *vol = NULL;
		struct silo_err err = { 0 };

		if (volume_load(s->store.root, argv[i], &vol, &err) < 0) {
			status = session_fail("volume inspect", &err, 1);
			continue;
		}
		json_array_append_new(out, volume_view(s, vol));
	}
	text = json_dumps(out, JSON_INDENT(4));
	printf("%s\n", text ? text : "[]");
	return status;
}

static int volume_rm_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	int force = 0, status = 0, c;

	while ((c = engine_next_option("volume rm", argc, argv, "f", longopts)) != -1) {
		if (c != 'f')
			return 125;
		force = 1;
	}
	if (optind == argc)
		return engine_usage_error("volume rm", "%s", "wants at least one volume");
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };

		/* -f forgives a missing volume only: one in use stays, as
		 * with docker. */
		if (volume_remove(s->store.root, argv[i], &err) < 0) {
			if (!(force && err.code == ENOENT))
				status = session_fail("volume rm", &err, 1);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

static int volume_prune_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ 0 },
	};
	_cleanup_json_ json_t *removed = json_array();
	struct silo_err err = { 0 };
	int force = 0, all = 0, c;
	uint64_t reclaimed = 0;
	char size[32];
	size_t i;
	json_t *name;

	while ((c = engine_next_option("volume prune", argc, argv, "fa", longopts)) != -1) {
		if (c == 'f')
			force = 1;
		else if (c == 'a')
			all = 1;
		else
			return 125;
	}
	if (optind != argc)
		return engine_usage_error("volume prune", "%s", "takes no arguments");
	if (!force && !session_confirm(all ? "This will remove all local volumes not used by at least one container."
				   : "This will remove anonymous local volumes not used by at least one container."))
		return 0;
	if (volume_prune(s->store.root, all, removed, &reclaimed, &err) < 0)
		return session_fail("volume prune", &err, 1);
	if (json_array_size(removed))
		printf("Deleted Volumes:\n");
	json_array_foreach(removed, i, name)
		printf("%s\n", json_string_value(name));
	session_human_size(reclaimed, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct session *s, int argc, char **argv);
} volume_subcommands[] = {
	{ "create", volume_create_cmd },
	{ "ls", volume_ls_cmd },
	{ "list", volume_ls_cmd },
	{ "inspect", volume_inspect_cmd },
	{ "rm", volume_rm_cmd },
	{ "remove", volume_rm_cmd },
	{ "prune", volume_prune_cmd },
};

static int cmd_volume(const struct engine_context *ctx, int argc, char **argv)
{
	_cleanup_session_ struct session s = { 0 };

	if (argc < 2)
		return engine_usage_error("volume", "%s", "wants a subcommand: create, ls, inspect, rm or prune");
	for (size_t i = 0; i < sizeof(volume_subcommands) / sizeof(volume_subcommands[0]); i++) {
		if (strcmp(argv[1], volume_subcommands[i].name))
			continue;
		if (session_open(ctx, &s, "volume"))
			return 125;
		optind = 1;
		return volume_subcommands[i].run(&s, argc - 1, argv + 1);
	}
	return engine_usage_error("volume", "unknown subcommand \"%s\": want create, ls, inspect, rm or prune",
				  argv[1]);
}

const struct engine_command engine_volume_commands[] = {
	{ "volume", "Manage volumes",
	  "Usage:  silo volume COMMAND\n\nCommands:\n"
	  "  create [--label K=V] [NAME]   Create a volume (a random name without NAME)\n"
	  "  inspect VOLUME...             Display detailed information on volumes\n"
	  "  ls [-q] [--filter dangling=true|false|name=TEXT] [--format json|TEMPLATE]\n"
	  "                                ({{.Name}}, {{.Driver}}, {{.Labels}}, {{.Mountpoint}},\n"
	  "                                {{.Scope}}, {{.Links}})\n"
	  "                                List volumes\n"
	  "  prune [-a] [-f]               Remove unused anonymous volumes (-a: all unused)\n"
	  "  rm [-f] VOLUME...             Remove volumes no container uses\n",
	  cmd_volume },
	{ NULL, NULL, NULL, NULL, 0 },
};
