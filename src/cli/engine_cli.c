/* The engine face: global flags, the command tables, and the registry
 * login commands. The image commands are in engine_images.c, the
 * container commands in engine_containers.c (ps in engine_ps.c, logs in
 * engine_logs.c), the
 * network commands in engine_networks.c. */
#include "cli/engine_cli.h"
#include "cli/engine_attach.h"
#include "cli/engine_images.h"
#include "cli/engine_containers.h"
#include "cli/engine_logs.h"
#include "cli/engine_files.h"
#include "cli/engine_networks.h"
#include "cli/engine_ops.h"
#include "cli/engine_ps.h"
#include "cli/engine_run.h"
#include "cli/engine_system.h"
#include "cli/engine_volumes.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/rootless.h"
#include "image/credentials.h"
#include "image/curl_lib.h"
#include "image/registry.h"
#include "util/cleanup.h"
#include "util/log.h"

static int fail(const char *command, const struct silo_err *err)
{
	log_error("%s: %s", command, err->msg);
	return 1;
}

int engine_usage_error(const char *command, const char *fmt, const char *arg)
{
	fprintf(stderr, "silo %s: ", command);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'silo %s --help')\n", command);
	return 125;
}

int engine_bool_option(const char *command, const char *flag, const char *value, int *out)
{
	char why[256];

	if (!value || !strcmp(value, "true") || !strcmp(value, "1")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(value, "false") || !strcmp(value, "0")) {
		*out = 0;
		return 0;
	}
	snprintf(why, sizeof(why), "invalid --%s \"%.64s\": want true or false", flag, value);
	return engine_usage_error(command, "%s", why);
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

int engine_next_option(const char *command, int argc, char **argv, const char *shortopts,
		       const struct option *longopts)
{
	return engine_next_option_index(command, argc, argv, shortopts, longopts, NULL);
}

int engine_next_option_index(const char *command, int argc, char **argv, const char *shortopts,
			     const struct option *longopts, int *index)
{
	char opts[64];
	int c;

	snprintf(opts, sizeof(opts), "+:%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, index);
	if (c == ':') {
		engine_usage_error(command, "flag needs an argument: %s", argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		engine_usage_error(command, "unknown flag: %s", argv[optind - 1]);
		return '?';
	}
	return c;
}

/* -------------------------------------------------------- login, logout -- */

static char *read_password_stdin(void)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n < 0)
		return NULL;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return steal_pointer(&line);
}

/* "docker.io" when none is given; a URL is reduced to its host. */
static char *registry_argument(const char *arg)
{
	const char *s = arg ? arg : "docker.io";
	size_t len;

	if (!strncmp(s, "https://", 8))
		s += 8;
	else if (!strncmp(s, "http://", 7))
		s += 7;
	len = strcspn(s, "/");
	if ((len == 15 && !strncmp(s, "index.docker.io", 15)) ||
	    (len == 20 && !strncmp(s, "registry-1.docker.io", 20)))
		return strdup("docker.io");
	return strndup(s, len);
}

static int cmd_login(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' },
		{ "password-stdin", no_argument, NULL, 's' },
		{ "tls-verify", required_argument, NULL, 't' },
		{ 0 },
	};
	struct registry_open_options opts = { .tls_verify = -1 };
	struct registry_client client;
	struct silo_err err = { 0 };
	_cleanup_free_ char *registry = NULL;
	_cleanup_free_ char *password = NULL;
	const char *user = NULL;
	int from_stdin = 0, c;

	(void)ctx;
	while ((c = engine_next_option("login", argc, argv, "u:p:", longopts)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'p':
			free(password);
			password = strdup(optarg);
			break;
		case 's':
			from_stdin = 1;
			break;
		case 't':
			if (engine_bool_option("login", "tls-verify", optarg, &opts.tls_verify))
				return 125;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind > 1)
		return engine_usage_error("login", "%s", "wants at most one registry");
	if (!user)
		return engine_usage_error("login", "%s", "needs a username (-u USER)");
	if (from_stdin) {
		free(password);
		password = read_password_stdin();
	}
	if (!password)
		return engine_usage_error("login", "%s", "needs a password (--password-stdin)");
	registry = registry_argument(optind < argc ? argv[optind] : NULL);
	opts.user = user;
	opts.password = password;
	/* Opening the client pings and, with a bearer registry, gets a
	 * token with these credentials: that is the check. */
	if (registry_client_open(&client, registry, NULL, &opts, &err) < 0)
		return fail("login", &err);
	if (registry_check_login(&client, &err) < 0) {
		registry_client_close(&client);
		return fail("login", &err);
	}
	registry_client_close(&client);
	if (credentials_store(registry, user, password, &err) < 0)
		return fail("login", &err);
	printf("Login Succeeded\n");
	return 0;
}

static int cmd_logout(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	struct silo_err err = { 0 };
	_cleanup_free_ char *registry = NULL;

	(void)ctx;
	if (engine_next_option("logout", argc, argv, "", longopts) != -1)
		return 125;
	if (argc - optind > 1)
		return engine_usage_error("logout", "%s", "wants at most one registry");
	registry = registry_argument(optind < argc ? argv[optind] : NULL);
	if (credentials_erase(registry, &err) < 0)
		return fail("logout", &err);
	printf("Removing login credentials for %s\n", registry);
	return 0;
}

/* ----------------------------------------------------------------- table -- */

static const struct engine_command engine_commands[] = {
	{ "login", "Log in to a registry",
	  "Usage:  silo login [OPTIONS] [SERVER]\n\nOptions:\n"
	  "  -u, --username string   Username\n"
	  "  -p, --password string   Password (prefer --password-stdin)\n"
	  "      --password-stdin    Take the password from stdin\n"
	  "      --tls-verify bool   Verify the registry's certificate\n",
	  cmd_login },
	{ "logout", "Log out from a registry", "Usage:  silo logout [SERVER]\n", cmd_logout },
	{ NULL, NULL, NULL, NULL },
};

/* Every command table, in the order `silo --help` lists them. */
static const struct engine_command *const engine_tables[] = {
	engine_image_commands, engine_commands, engine_run_commands, engine_ps_commands, engine_logs_commands, engine_container_commands,
	engine_file_commands, engine_ops_commands, engine_network_commands,
	engine_volume_commands, engine_system_commands, engine_attach_commands,
};

void engine_print_commands(void)
{
	for (size_t t = 0; t < sizeof(engine_tables) / sizeof(engine_tables[0]); t++)
		for (const struct engine_command *c = engine_tables[t]; c->name; c++)
			printf("  %-11s %s\n", c->name, c->summary);
}

int engine_main(int argc, char **argv)
{
	struct engine_context ctx = { 0 };
	const struct engine_command *cmd = NULL;
	int i = 1, r;

	/* Global flags come before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			ctx.root = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--root=", 7)) {
			ctx.root = argv[i] + 7;
			i++;
		} else {
			return -1;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "silo: no command given (see 'silo --help')\n");
		return 125;
	}
	for (size_t t = 0; t < sizeof(engine_tables) / sizeof(engine_tables[0]); t++)
		for (const struct engine_command *c = engine_tables[t]; c->name; c++)
			if (!strcmp(c->name, argv[i]))
				cmd = c;
	if (!cmd)
		return -1;
	if (!cmd->own_help && wants_help(argc - i, argv + i)) {
		printf("%s\n\n%s", cmd->usage, cmd->summary);
		printf("\n");
		return 0;
	}
	/* An unprivileged user's commands run as root of their own user
	 * namespace (engine/rootless.h); logging in only writes their
	 * credentials file. */
	if (strcmp(cmd->name, "login") && strcmp(cmd->name, "logout")) {
		struct silo_err err = { 0 };

		if (engine_rootless_enter(ctx.root, &err) < 0) {
			log_error("%s: %s", cmd->name, err.msg);
			return 125;
		}
	}
	optind = 1;
	r = cmd->run(&ctx, argc - i, argv + i);
	/* Undoes what the registry client set up, if a command opened one. */
	curl_lib_unload();
	return r;
}
