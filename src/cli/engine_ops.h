/* The engine's commands on a container that exists: pause, unpause,
 * update, rename, top, stats. */
#ifndef SILO_CLI_ENGINE_OPS_H
#define SILO_CLI_ENGINE_OPS_H

#include "cli/engine_cli.h"

/* NULL-name terminated, like engine_cli.c's own table. */
extern const struct engine_command engine_ops_commands[];

#endif
