/* The engine's commands about a container's files: cp, export, commit. */
#ifndef SILO_CLI_ENGINE_FILES_H
#define SILO_CLI_ENGINE_FILES_H

#include "cli/engine_cli.h"

extern const struct engine_command engine_file_commands[];

#endif
