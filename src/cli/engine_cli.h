/* The engine face's commands (docker's names and flags): for now the image
 * the image commands (pull, images, rmi, tag, login, logout) here, the
 * container commands in engine_containers.c.
 * `silo [--root DIR] COMMAND ...`; the storage root is also $SILO_ROOT and
 * defaults to /var/lib/silo. */
#ifndef SILO_CLI_ENGINE_CLI_H
#define SILO_CLI_ENGINE_CLI_H

#include <getopt.h>

struct engine_context {
	const char *root; /* NULL: $SILO_ROOT or the default */
};

/* One engine command: its name, the line `silo --help` shows, its --help
 * text, and what runs it (argv[0] is the command's name). */
struct engine_command {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(const struct engine_context *ctx, int argc, char **argv);
	/* The command parses --help itself: its arguments after IMAGE belong
	 * to the container (`run IMAGE ls --help`), and -h may be a flag. */
	int own_help;
};

/* argv[0] is the program; argv[1] a global flag or the command. Returns
 * the exit status, or -1 when argv[1] names no engine command (the caller
 * reports it). */
int engine_main(int argc, char **argv);

/* The engine commands, for the help text. */
void engine_print_commands(void);

/* A boolean flag's value (--flag=true|false|1|0; none: true) into *out;
 * else the usage error (125) naming the flag and the value. */
int engine_bool_option(const char *command, const char *flag, const char *value, int *out);

/* Shared by the engine's command files: docker-style usage errors (exit
 * status 125) and getopt_long with that error text ('?' once reported). */
int engine_usage_error(const char *command, const char *fmt, const char *arg);
int engine_next_option(const char *command, int argc, char **argv, const char *shortopts,
		       const struct option *longopts);

/* The same, and *index is the long option's index in longopts when one
 * was given (it is left alone for a short one). */
int engine_next_option_index(const char *command, int argc, char **argv, const char *shortopts,
			     const struct option *longopts, int *index);

#endif
