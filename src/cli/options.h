/* What the command-line faces share: the command table, help and version
 * output, and the reporting of errors. */
#ifndef SILO_CLI_OPTIONS_H
#define SILO_CLI_OPTIONS_H

#include <getopt.h>

#include "runtime/container.h"
#include "util/err.h"

struct cli_command {
	const char *name;
	const char *summary;
	const char *usage; /* the text of COMMAND --help after the summary */
	int (*run)(const struct runtime_context *ctx, int argc, char **argv);
};

/* Finds a command by name in a table ended by a NULL name. */
const struct cli_command *cli_find_command(const struct cli_command *table, const char *name);

void cli_print_version(const char *face);
/* `silo version`: docker's Client and (for silo, in-process) Runtime
 * blocks, or the same as one JSON object. */
void cli_print_engine_version(int json);

/* Prints "PROG COMMAND: message" through the log (stderr and --log). */
int cli_fail(const char *command, const struct silo_err *err);
int cli_fail_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long_only over argv (single-dash long flags work, as with runc)
 * with our own error text. Returns the option, -1 at the end, or '?' for a
 * bad or incomplete flag, already reported. */
int cli_getopt(const struct cli_command *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/* Prints COMMAND's help. */
void cli_print_command_help(const char *face, const struct cli_command *cmd);

/* Rejects extra or missing positional arguments. */
int cli_want_args(const char *command, int have, int min, int max);

#endif
