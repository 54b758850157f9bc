/* silo's entry point. One binary, two faces: invoked as `silo-runtime` (or
 * as `silo runtime ...`) it is an OCI runtime with runc's command line;
 * invoked as `silo` it is the container engine with docker's commands. */
#include <stdio.h>
#include <string.h>

#include "commit.h"
#include "config.h"

#include "cli/engine_loader.h"
#include "cli/engine_seal.h"
#include "cli/options.h"
#include "cli/runtime_cli.h"
#include "engine/monitor_lean.h"

static void print_engine_help(void)
{
	printf("Usage:  silo [OPTIONS] COMMAND\n\n"
	       "A daemonless container engine and OCI runtime.\n\n"
	       "Commands:\n");
	engine_dispatch_print_commands();
	printf("  runtime     The OCI runtime (runc's command line); also installed as silo-runtime\n"
	       "  version     Show the client and runtime versions (--format json)\n\n"
	       "Options:\n"
	       "      --root DIR Image store (default $SILO_ROOT or /var/lib/silo)\n"
	       "  -h, --help     Show this help\n"
	       "  -v, --version  Show the version\n\n"
	       "Run 'silo runtime --help' for the runtime's commands.\n");
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int v = 1;

	if (!strcmp(name, "silo-runtime"))
		return runtime_main(argc, argv);
	if (!strcmp(name, MONITOR_LEAN_NAME))
		return engine_monitor_lean_main(argc, argv);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		print_engine_help();
		return 0;
	}
	if (!strcmp(argv[1], "runtime"))
		return runtime_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v")) {
		printf("silo version %s, build %s\n", SILO_VERSION, SILO_COMMIT);
		return 0;
	}
	/* `version` comes after the engine's global flags too. */
	if (argc > 3 && !strcmp(argv[1], "--root"))
		v = 3;
	else if (argc > 2 && !strncmp(argv[1], "--root=", 7))
		v = 2;
	if (!strcmp(argv[v], "version")) {
		int json = argc - v == 3 && (!strcmp(argv[v + 1], "--format") || !strcmp(argv[v + 1], "-f")) &&
			   !strcmp(argv[v + 2], "json");

		if (argc - v > 1 && !json) {
			fprintf(stderr, "silo version: want no arguments, or --format json (see 'silo --help')\n");
			return 125;
		}
		cli_print_engine_version(json);
		return 0;
	}
	{
		int r;

		engine_seal_early(argc, argv);
		r = engine_dispatch(argc, argv);

		if (r >= 0)
			return r;
	}
	fprintf(stderr, "silo: unknown command \"%s\" (see 'silo --help')\n", argv[1]);
	return 1;
}
