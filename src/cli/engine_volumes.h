/* The engine's volume commands: volume create, ls, inspect, rm, prune. */
#ifndef SILO_CLI_ENGINE_VOLUMES_H
#define SILO_CLI_ENGINE_VOLUMES_H

#include "cli/engine_cli.h"

extern const struct engine_command engine_volume_commands[];

#endif
