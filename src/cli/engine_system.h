/* `silo system df`, `silo system info` and `silo info` (engine_system.c).
 * `system` itself, with prune, is engine_networks.c's: it hands df and info
 * here. */
#ifndef SILO_CLI_ENGINE_SYSTEM_H
#define SILO_CLI_ENGINE_SYSTEM_H

#include "cli/engine_cli.h"

/* argv[0] is "df" or "info". */
int engine_system_subcommand(const struct engine_context *ctx, int argc, char **argv);

extern const struct engine_command engine_system_commands[];

#endif
