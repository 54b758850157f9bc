/* The runtime face: runc's command line. */
#ifndef SILO_CLI_RUNTIME_CLI_H
#define SILO_CLI_RUNTIME_CLI_H

#include "runtime/container.h"

/* argv[0] is the program name; returns the process exit status. */
int runtime_main(int argc, char **argv);

/* Commands (runtime_lifecycle.c, runtime_query.c). */
int runtime_cmd_create(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_start(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_run(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_kill(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_delete(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_state(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_list(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_spec(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_features(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_exec(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_pause(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_resume(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_ps(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_update(const struct runtime_context *ctx, int argc, char **argv);
int runtime_cmd_events(const struct runtime_context *ctx, int argc, char **argv);

extern const struct cli_command runtime_commands[];

#endif
