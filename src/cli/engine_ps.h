/* `silo ps` (engine_ps.c). */
#ifndef SILO_CLI_ENGINE_PS_H
#define SILO_CLI_ENGINE_PS_H

#include "cli/engine_cli.h"

extern const struct engine_command engine_ps_commands[];

#endif
