/* The engine's container commands: stop, kill, rm, exec,
 * inspect, wait. */
#ifndef SILO_CLI_ENGINE_CONTAINERS_H
#define SILO_CLI_ENGINE_CONTAINERS_H

#include "cli/engine_cli.h"

/* NULL-name terminated, like engine_cli.c's own table. */
extern const struct engine_command engine_container_commands[];

#endif
