/* The engine's commands that make and start containers: run, create,
 * start, restart. */
#ifndef SILO_CLI_ENGINE_RUN_H
#define SILO_CLI_ENGINE_RUN_H

#include "cli/engine_cli.h"

extern const struct engine_command engine_run_commands[];

#endif
