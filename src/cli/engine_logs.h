/* `silo logs` (engine_logs.c). */
#ifndef SILO_CLI_ENGINE_LOGS_H
#define SILO_CLI_ENGINE_LOGS_H

#include "cli/engine_cli.h"

extern const struct engine_command engine_logs_commands[];

#endif
