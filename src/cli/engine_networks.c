/* `silo network …`, `silo port` and `silo system prune` (see
 * engine_networks.h): docker's commands, flags and output shapes. */
#include "cli/engine_networks.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/engine_format.h"
#include "cli/engine_images.h"
#include "cli/engine_session.h"
#include "cli/engine_system.h"
#include "engine/lifecycle.h"
#include "engine/network.h"
#include "engine/record.h"
#include "engine/rootless.h"
#include "engine/volume.h"
#include "net/bridge.h"
#include "net/ipam.h"
#include "net/network.h"
#include "net/nft.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* The containers (records) that use a network, running or not. */
static json_t *users_of(struct session *s, json_t *net, int running_only)
{
	_cleanup_json_ json_t *records = NULL;
	json_t *users = json_array(), *rec;
	struct silo_err ignored = { 0 };
	const char *id = json_string_value(json_object_get(net, "id"));
	size_t i;

	if (record_list(s->store.root, &records, &ignored) < 0)
		return users;
	json_array_foreach(records, i, rec) {
		_cleanup_json_ json_t *fresh = NULL;
		const char *cid = json_string_value(json_object_get(rec, "id"));

		if (!engine_network_in_use_by(rec, id))
			continue;
		if (running_only && (engine_container_inspect(&s->env, cid, &fresh, &ignored) < 0 ||
				     strcmp(engine_container_status(fresh), "running")))
			continue;
		json_array_append(users, rec);
	}
	return users;
}

static int bridge_of(json_t *net, struct ipam_subnet *subnet, struct bridge_network *bn)
{
	struct silo_err ignored = { 0 };

	if (ipam_subnet_parse(json_string_value(json_object_get(net, "subnet")) ?: "", subnet, &ignored) < 0)
		return -1;
	bn->bridge = json_string_value(json_object_get(net, "bridge"));
	bn->subnet = subnet;
	bn->internal = json_is_true(json_object_get(net, "internal"));
	return 0;
}

/* Removes a network nobody runs on: its bridge, its subnet's NAT, its
 * definition. The built-in bridge keeps its definition. */
static int remove_network(struct session *s, json_t *net, struct silo_err *err)
{
	struct ipam_subnet subnet;
	struct bridge_network bn;
	const char *name = json_string_value(json_object_get(net, "name"));

	if (bridge_of(net, &subnet, &bn) == 0 && bridge_remove(&bn, err) < 0)
		return -1;
	if (!strcmp(name, NETWORK_DEFAULT_NAME))
		return 0;
	return network_remove(s->store.root, name, err);
}

/* ------------------------------------------------------------- network -- */

static int network_create_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "subnet", required_argument, NULL, 's' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "internal", no_argument, NULL, 'i' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "driver", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct network_create_request req = { 0 };
	_cleanup_json_ json_t *net = NULL;
	struct silo_err err = { 0 };
	int c;

	while ((c = engine_next_option("network create", argc, argv, "d:", longopts)) != -1) {
		switch (c) {
		case 's':
			/* Once per family, as docker takes them. */
			if (strchr(optarg, ':'))
				req.subnet6 = optarg;
			else
				req.subnet = optarg;
			break;
		case 'g':
			if (strchr(optarg, ':'))
				req.gateway6 = optarg;
			else
				req.gateway = optarg;
			break;
		case '6':
			req.ipv6 = 1;
			break;
		case 'i':
			req.internal = 1;
			break;
		case 'd':
			if (strcmp(optarg, "bridge"))
				return engine_usage_error("network create", "unsupported --driver \"%s\": only bridge",
							  optarg);
			break;
		default:
			return 125;
		}
	}
	if (optind + 1 != argc)
		return engine_usage_error("network create", "%s", "wants exactly one NAME");
	req.name = argv[optind];
	if (network_create(s->store.root, &req, &net, &err) < 0)
		return session_fail("network create", &err, 1);
	printf("%s\n", json_string_value(json_object_get(net, "id")));
	return 0;
}

/* network ls --format: docker's fields for each network, the host and
 * none modes included. */
static int network_ls_formatted(json_t *list, const char *format, int no_trunc)
{
	_cleanup_json_ json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "NETWORK ID",
						  "Name", "NAME", "Driver", "DRIVER", "Scope", "SCOPE", "IPv6", "IPV6",
						  "Internal", "INTERNAL", "Labels", "LABELS", "CreatedAt", "CREATED AT");
	_cleanup_format_output_ struct format_output out = { 0 };
	struct silo_err err = { 0 };
	size_t i;
	json_t *net;

	if (format_output_open(&out, format, "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", fields, NULL,
			       &err) < 0) {
		fprintf(stderr, "silo network ls: %s\n", err.msg);
		return 125;
	}
	json_array_foreach(list, i, net) {
		const char *id = json_string_value(json_object_get(net, "id")) ?: "";
		_cleanup_json_ json_t *item = json_pack(
			"{s:s%, s:O, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, no_trunc ? strlen(id) : (size_t)12,
			"Name", json_object_get(net, "name"), "Driver", "bridge", "Scope", "local", "IPv6",
			json_object_get(net, "subnet6") ? "true" : "false", "Internal",
			json_is_true(json_object_get(net, "internal")) ? "true" : "false", "Labels", "",
			"CreatedAt", json_string_value(json_object_get(net, "created")) ?: "");

		format_output_add(&out, item, NULL);
		if (i == 0) {
			static const char *const modes[][2] = { { "host", "host" }, { "none", "null" } };

			for (int m = 0; m < 2; m++) {
				_cleanup_json_ json_t *mode = json_pack(
					"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", modes[m][0], "Name", modes[m][0],
					"Driver", modes[m][1], "Scope", "local", "IPv6", "false", "Internal", "false",
					"Labels", "", "CreatedAt", "");

				format_output_add(&out, mode, NULL);
			}
		}
	}
	format_output_finish(&out);
	return 0;
}

static int network_ls_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'F' },
		{ 0 },
	};
	const char *format = NULL;
	_cleanup_json_ json_t *list = NULL;
	_cleanup_json_ json_t *rows = json_array();
	struct silo_err err = { 0 };
	int quiet = 0, no_trunc = 0, c;
	size_t i;
	json_t *net;

	while ((c = engine_next_option("network ls", argc, argv, "q", longopts)) != -1) {
		if (c == 'q')
			quiet = 1;
		else if (c == 'n')
			no_trunc = 1;
		else if (c == 'F')
			format = optarg;
		else
			return 125;
	}
	if (network_list(s->store.root, &list, &err) < 0)
		return session_fail("network ls", &err, 1);
	if (format && !quiet)
		return network_ls_formatted(list, format, no_trunc);
	json_array_append_new(rows, json_pack("[s, s, s, s]", "NETWORK ID", "NAME", "DRIVER", "SCOPE"));
	json_array_foreach(list, i, net) {
		char id[65];

		snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12,
			 json_string_value(json_object_get(net, "id")));
		if (quiet) {
			printf("%s\n", id);
			continue;
		}
		json_array_append_new(rows, json_pack("[s, O, s, s]", id, json_object_get(net, "name"),
						      "bridge", "local"));
		if (i == 0) {
			json_array_append_new(rows, json_pack("[s, s, s, s]", "host", "host", "host", "local"));
			json_array_append_new(rows, json_pack("[s, s, s, s]", "none", "none", "null", "local"));
		}
	}
	if (!quiet)
		session_print_table(rows);
	return 0;
}

static json_t *network_view(struct session *s, json_t *net)
{
	_cleanup_json_ json_t *users = users_of(s, net, 1);
	json_t *containers = json_object(), *view;
	const char *name = json_string_value(json_object_get(net, "name"));
	size_t i;
	json_t *rec;

	json_array_foreach(users, i, rec) {
		_cleanup_json_ json_t *fresh = NULL;
		struct silo_err ignored = { 0 };
		json_t *live;
		char address[80];

		if (record_load(s->store.root, json_string_value(json_object_get(rec, "id")), &fresh, &ignored) < 0)
			continue;
		live = json_object_get(json_object_get(json_object_get(fresh, "networkSettings"), "networks"), name);
		snprintf(address, sizeof(address), "%s/%lld", json_string_value(json_object_get(live, "ip")) ?: "",
			 (long long)json_integer_value(json_object_get(live, "prefixLen")));
		json_object_set_new(containers, json_string_value(json_object_get(fresh, "id")),
				    json_pack("{s:O, s:s, s:s}", "Name", json_object_get(fresh, "name"), "MacAddress",
					      json_string_value(json_object_get(live, "mac")) ?: "", "IPv4Address",
					      address));
	}
	view = json_pack("{s:O, s:O, s:O, s:s, s:s, s:b, s:{s:s, s:[{s:O, s:O}]}, s:O, s:o, s:{s:O}}", "Name",
			 json_object_get(net, "name"), "Id", json_object_get(net, "id"), "Created",
			 json_object_get(net, "created"), "Scope", "local", "Driver", "bridge", "EnableIPv6",
			 json_object_get(net, "subnet6") != NULL, "IPAM", "Driver", "default", "Config", "Subnet",
			 json_object_get(net, "subnet"), "Gateway", json_object_get(net, "gateway"), "Internal",
			 json_object_get(net, "internal"), "Containers", containers, "Options",
			 "com.docker.network.bridge.name", json_object_get(net, "bridge"));
	if (view && json_object_get(net, "subnet6"))
		json_array_append_new(json_object_get(json_object_get(view, "IPAM"), "Config"),
				      json_pack("{s:O, s:O}", "Subnet", json_object_get(net, "subnet6"), "Gateway",
						json_object_get(net, "gateway6")));
	return view;
}

static int network_inspect_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_json_ json_t *out = json_array();
	_cleanup_free_ char *text = NULL;
	int status = 0;

	if (engine_next_option("network inspect", argc, argv, "", longopts) != -1)
		return 125;
	if (optind == argc)
		return engine_usage_error("network inspect", "%s", "wants at least one network");
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *net = NULL;
		struct silo_err err = { 0 };

		if (network_load(s->store.root, argv[i], &net, &err) < 0) {
			status = session_fail("network inspect", &err, 1);
			continue;
		}
		json_array_append_new(out, network_view(s, net));
	}
	text = json_dumps(out, JSON_INDENT(4));
	if (text)
		printf("%s\n", text);
	return status;
}

static int network_rm_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	int status = 0, c;

	while ((c = engine_next_option("network rm", argc, argv, "f", longopts)) != -1)
		if (c != 'f')
			return 125;
	if (optind == argc)
		return engine_usage_error("network rm", "%s", "wants at least one network");
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *net = NULL;
		_cleanup_json_ json_t *users = NULL;
		struct silo_err err = { 0 };

		if (network_load(s->store.root, argv[i], &net, &err) < 0) {
			status = session_fail("network rm", &err, 1);
			continue;
		}
		if (network_is_builtin(json_string_value(json_object_get(net, "name")))) {
			silo_err_set(&err, EPERM, "%s is a pre-defined network and cannot be removed", argv[i]);
			status = session_fail("network rm", &err, 1);
			continue;
		}
		users = users_of(s, net, 1);
		if (json_array_size(users)) {
			silo_err_set(&err, EBUSY, "network %s has active endpoints (container %s): stop it first",
				     argv[i], json_string_value(json_object_get(json_array_get(users, 0), "name")));
			status = session_fail("network rm", &err, 1);
			continue;
		}
		if (remove_network(s, net, &err) < 0) {
			status = session_fail("network rm", &err, 1);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

/* Every network no running container uses: user-defined ones go, the
 * built-in bridge's link and NAT go too (it comes back on next use), and
 * with no network left in use the nftables table. */
static int prune_networks(struct session *s, int quiet, struct silo_err *err)
{
	_cleanup_json_ json_t *list = NULL;
	size_t i;
	json_t *net;
	int in_use = 0;

	if (network_list(s->store.root, &list, err) < 0)
		return -1;
	json_array_foreach(list, i, net) {
		_cleanup_json_ json_t *users = users_of(s, net, 1);
		const char *name = json_string_value(json_object_get(net, "name"));

		if (json_array_size(users)) {
			in_use = 1;
			continue;
		}
		if (remove_network(s, net, err) < 0)
			return -1;
		if (!quiet && strcmp(name, NETWORK_DEFAULT_NAME))
			printf("%s\n", name);
	}
	if (!in_use && nft_remove_table(err) < 0)
		return -1;
	return 0;
}

static int network_prune_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	struct silo_err err = { 0 };
	int c;

	while ((c = engine_next_option("network prune", argc, argv, "f", longopts)) != -1)
		if (c != 'f')
			return 125;
	printf("Deleted Networks:\n");
	if (engine_network_prune_orphans(&s->env, &err) < 0 || prune_networks(s, 0, &err) < 0)
		return session_fail("network prune", &err, 1);
	return 0;
}

static int network_connect_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "alias", required_argument, NULL, 'a' },
		{ "ip", required_argument, NULL, 'i' },
		{ 0 },
	};
	_cleanup_strv_ char **aliases = NULL;
	const char *ip = NULL;
	struct silo_err err = { 0 };
	char id[65];
	int c;

	while ((c = engine_next_option("network connect", argc, argv, "", longopts)) != -1) {
		if (c == 'a') {
			if (strv_push(&aliases, optarg) < 0)
				return 125;
		} else if (c == 'i') {
			ip = optarg;
		} else {
			return 125;
		}
	}
	if (optind + 2 != argc)
		return engine_usage_error("network connect", "%s", "wants NETWORK CONTAINER");
	if (session_resolve(s, "network connect", argv[optind + 1], id))
		return 1;
	if (engine_network_connect(&s->env, id, argv[optind], aliases, ip, &err) < 0)
		return session_fail("network connect", &err, 1);
	return 0;
}

static int network_disconnect_cmd(struct session *s, int argc, char **argv)
{
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	struct silo_err err = { 0 };
	char id[65];
	int c;

	while ((c = engine_next_option("network disconnect", argc, argv, "f", longopts)) != -1)
		if (c != 'f')
			return 125;
	if (optind + 2 != argc)
		return engine_usage_error("network disconnect", "%s", "wants NETWORK CONTAINER");
	if (session_resolve(s, "network disconnect", argv[optind + 1], id))
		return 1;
	if (engine_network_disconnect(&s->env, id, argv[optind], &err) < 0)
		return session_fail("network disconnect", &err, 1);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct session *s, int argc, char **argv);
} network_subcommands[] = {
	{ "create", network_create_cmd },
	{ "ls", network_ls_cmd },
	{ "list", network_ls_cmd },
	{ "inspect", network_inspect_cmd },
	{ "rm", network_rm_cmd },
	{ "remove", network_rm_cmd },
	{ "prune", network_prune_cmd },
	{ "connect", network_connect_cmd },
	{ "disconnect", network_disconnect_cmd },
};

static int cmd_network(const struct engine_context *ctx, int argc, char **argv)
{
	_cleanup_session_ struct session s = { 0 };

	if (argc < 2)
		return engine_usage_error("network", "%s",
					  "wants a subcommand: create, ls, inspect, rm, prune, connect or disconnect");
	for (size_t i = 0; i < sizeof(network_subcommands) / sizeof(network_subcommands[0]); i++) {
		if (strcmp(argv[1], network_subcommands[i].name))
			continue;
		if (engine_rootless() && network_subcommands[i].run != network_ls_cmd &&
		    network_subcommands[i].run != network_inspect_cmd) {
			fprintf(stderr,
				"silo network %s: rootless: networks are bridges, which need root on the host; rootless containers use --network pasta or slirp4netns\n",
				argv[1]);
			return 125;
		}
		if (session_open(ctx, &s, "network"))
			return 125;
		optind = 1;
		return network_subcommands[i].run(&s, argc - 1, argv + 1);
	}
	return engine_usage_error("network", "unknown subcommand \"%s\": want create, ls, inspect, rm, prune, connect or disconnect",
				  argv[1]);
}

/* ---------------------------------------------------------------- port -- */

static int cmd_port(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *rec = NULL;
	struct silo_err err = { 0 };
	const char *filter = NULL;
	char id[65], want[32] = "";
	size_t i;
	json_t *p;
	int found = 0;

	if (engine_next_option("port", argc, argv, "", longopts) != -1)
		return 125;
	if (optind != argc - 1 && optind != argc - 2)
		return engine_usage_error("port", "%s", "wants CONTAINER [PRIVATE_PORT[/PROTO]]");
	if (optind == argc - 2) {
		filter = argv[optind + 1];
		snprintf(want, sizeof(want), "%s%s", filter, strchr(filter, '/') ? "" : "/tcp");
	}
	if (session_open(ctx, &s, "port"))
		return 125;
	if (session_resolve(&s, "port", argv[optind], id))
		return 1;
	if (engine_container_inspect(&s.env, id, &rec, &err) < 0)
		return session_fail("port", &err, 1);
	json_array_foreach(json_object_get(json_object_get(rec, "networkSettings"), "ports"), i, p) {
		char key[32];
		const char *host_ip = json_string_value(json_object_get(p, "hostIp"));

		snprintf(key, sizeof(key), "%lld/%s", (long long)json_integer_value(json_object_get(p, "containerPort")),
			 json_string_value(json_object_get(p, "protocol")));
		if (filter && strcmp(key, want))
			continue;
		found = 1;
		if (!filter)
			printf("%s -> ", key);
		printf("%s:%lld\n", host_ip && *host_ip ? host_ip : "0.0.0.0",
		       (long long)json_integer_value(json_object_get(p, "hostPort")));
	}
	if (filter && !found) {
		silo_err_set(&err, ENOENT, "no public port '%s' published for %s", want, argv[optind]);
		return session_fail("port", &err, 1);
	}
	return 0;
}

/* -------------------------------------------------------------- system -- */

static int cmd_system(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "volumes", no_argument, NULL, 'v' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *records = NULL;
	struct images_prune_filter images = { 0 };
	struct silo_err err = { 0 };
	int c, orphans, volumes = 0, printed;
	uint64_t reclaimed = 0, images_reclaimed;
	char size[32];
	size_t i;
	json_t *rec;

	if (argc >= 2 && (!strcmp(argv[1], "df") || !strcmp(argv[1], "info"))) {
		optind = 1;
		return engine_system_subcommand(ctx, argc - 1, argv + 1);
	}
	if (argc < 2 || strcmp(argv[1], "prune"))
		return engine_usage_error("system", "%s", "wants a subcommand: df, info or prune");
	optind = 1;
	while ((c = engine_next_option("system prune", argc - 1, argv + 1, "fa", longopts)) != -1) {
		if (c == 'v')
			volumes = 1;
		else if (c == 'a')
			images.all = 1;
		else if (c != 'f')
			return 125;
	}
	if (session_open(ctx, &s, "system prune"))
		return 125;
	if (record_list(s.store.root, &records, &err) < 0)
		return session_fail("system prune", &err, 1);
	printf("Deleted Containers:\n");
	json_array_foreach(records, i, rec) {
		_cleanup_json_ json_t *fresh = NULL;
		const char *id = json_string_value(json_object_get(rec, "id"));

		if (engine_container_inspect(&s.env, id, &fresh, &err) < 0 ||
		    !strcmp(engine_container_status(fresh), "running")) {
			silo_err_clear(&err);
			continue;
		}
		if (engine_container_remove(&s.env, id, 0, 0, &err) == 0)
			printf("%s\n", id);
		silo_err_clear(&err);
	}
	/* A rootless store has no bridge, veth or firewall rule to prune:
	 * it cannot make them. */
	orphans = engine_rootless() ? 0 : engine_network_prune_orphans(&s.env, &err);
	if (orphans < 0)
		return session_fail("system prune", &err, 1);
	printf("\nDeleted Networks:\n");
	if (!engine_rootless() && prune_networks(&s, 0, &err) < 0)
		return session_fail("system prune", &err, 1);
	if (volumes) {
		_cleanup_json_ json_t *removed = json_array();
		size_t k;
		json_t *name;

		/* As docker's: the anonymous volumes no container uses. */
		if (volume_prune(s.store.root, 0, removed, &reclaimed, &err) < 0)
			return session_fail("system prune", &err, 1);
		printf("\nDeleted Volumes:\n");
		json_array_foreach(removed, k, name)
			printf("%s\n", json_string_value(name));
	}
	/* Images after containers: the stopped ones just removed no longer
	 * keep theirs. */
	if (engine_prune_images(&s.store, &images, "\nDeleted Images:\n", &images_reclaimed, &printed,
				&err) < 0)
		return session_fail("system prune", &err, 1);
	reclaimed += images_reclaimed;
	if (orphans)
		printf("\nReleased %d orphaned network resources\n", orphans);
	session_human_size(reclaimed, size, sizeof(size));
	printf("\nTotal reclaimed space: %s\n", size);
	return 0;
}

/* ----------------------------------------------------------------- table -- */

const struct engine_command engine_network_commands[] = {
	{ "network", "Manage networks",
	  "Usage:  silo network COMMAND\n\nCommands:\n"
	  "  connect [--alias NAME] [--ip IP] NETWORK CONTAINER\n"
	  "                 Connect a container to a network\n"
	  "  create [--subnet CIDR] [--gateway IP] [--ipv6] [--internal] NAME\n"
	  "                 Create a network (a bridge with its own subnet; --ipv6 and\n"
	  "                 an IPv6 --subnet make it dual-stack)\n"
	  "  disconnect NETWORK CONTAINER\n"
	  "                 Disconnect a container from a network\n"
	  "  inspect NETWORK...   Display detailed information on networks\n"
	  "  ls [-q] [--no-trunc] [--format json|TEMPLATE]\n"
	  "                       List networks ({{.ID}}, {{.Name}}, {{.Driver}}, {{.Scope}},\n"
	  "                       {{.IPv6}}, {{.Internal}}, {{.CreatedAt}})\n"
	  "  prune [-f]           Remove all unused networks\n"
	  "  rm NETWORK...        Remove networks\n",
	  cmd_network },
	{ "port", "List port mappings or a specific mapping for the container",
	  "Usage:  silo port CONTAINER [PRIVATE_PORT[/PROTO]]\n", cmd_port },
	{ "system", "Manage silo",
	  "Usage:  silo system COMMAND\n\nCommands:\n"
	  "  df [-v] [--format json|TEMPLATE]\n"
	  "                 Show disk usage: images, containers, local volumes, build cache\n"
	  "  info [--format json|TEMPLATE]\n"
	  "                 Display system-wide information (as `silo info`)\n"
	  "  prune [-a] [-f] [--volumes]\n"
	  "                 Remove stopped containers, unused networks, untagged images no\n"
	  "                 container uses (-a: every image no container uses) with the\n"
	  "                 layers and blobs only they had, and whatever no container holds\n"
	  "                 any more: leases, veths, port rules; with --volumes, unused\n"
	  "                 anonymous volumes\n",
	  cmd_system },
	{ NULL, NULL, NULL, NULL, 0 },
};
