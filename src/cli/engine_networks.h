/* The engine's network commands: network (create, ls, inspect, rm, prune,
 * connect, disconnect), port, and system prune. */
#ifndef SILO_CLI_ENGINE_NETWORKS_H
#define SILO_CLI_ENGINE_NETWORKS_H

#include "cli/engine_cli.h"

extern const struct engine_command engine_network_commands[];

#endif
