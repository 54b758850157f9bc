/* Command tables, help, version and error reporting for the CLI faces. */
#include "cli/options.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "commit.h"
#include "config.h"
#include "util/log.h"

const struct cli_command *cli_find_command(const struct cli_command *table, const char *name)
{
	for (const struct cli_command *c = table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cli_print_version(const char *face)
{
	printf("%s version %s\n", face, SILO_VERSION);
	printf("commit: %s\n", SILO_COMMIT);
	printf("spec: %s\n", SILO_OCI_VERSION);
	printf("libseccomp: %s\n", SILO_LIBSECCOMP_VERSION);
	printf("features: +CAP +CGROUP_V1 +CGROUP_V2 +HYBRID +OPENAT2 +NEW_MOUNT_API +PIDFD\n");
}

void cli_print_engine_version(int json)
{
	struct utsname uts;
	const char *arch = "unknown";

	/* Go's names for the architectures, as docker's OS/Arch shows them. */
	if (uname(&uts) == 0)
		arch = !strcmp(uts.machine, "x86_64")	 ? "amd64"
		       : !strcmp(uts.machine, "aarch64") ? "arm64"
							 : uts.machine;
	if (json) {
		printf("{\"Client\":{\"Version\":\"%s\",\"GitCommit\":\"%s\",\"Os\":\"linux\",\"Arch\":\"%s\"},"
		       "\"Runtime\":{\"Name\":\"silo-runtime\",\"Version\":\"%s\",\"OCIVersion\":\"%s\","
		       "\"Libseccomp\":\"%s\"}}\n",
		       SILO_VERSION, SILO_COMMIT, arch, SILO_VERSION, SILO_OCI_VERSION, SILO_LIBSECCOMP_VERSION);
		return;
	}
	printf("Client:\n");
	printf(" Version:      %s\n", SILO_VERSION);
	printf(" Git commit:   %s\n", SILO_COMMIT);
	printf(" OS/Arch:      linux/%s\n", arch);
	printf("\nRuntime:\n");
	printf(" Name:         silo-runtime (in-process, no daemon)\n");
	printf(" Version:      %s\n", SILO_VERSION);
	printf(" OCI spec:     %s\n", SILO_OCI_VERSION);
	printf(" libseccomp:   %s\n", SILO_LIBSECCOMP_VERSION);
}

int cli_fail(const char *command, const struct silo_err *err)
{
	if (command)
		log_error("%s: %s", command, err->msg);
	else
		log_error("%s", err->msg);
	return 1;
}

int cli_fail_usage(const char *command, const char *fmt, ...)
{
	struct silo_err err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	err.code = 0;
	return cli_fail(command, &err);
}

void cli_print_command_help(const char *face, const struct cli_command *cmd)
{
	printf("NAME:\n   %s %s - %s\n\n%s", face, cmd->name, cmd->summary, cmd->usage);
}

int cli_getopt(const struct cli_command *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char opts[64];
	int c;

	/* A leading ':' (after '+', which stops at the first argument) makes
	 * a missing argument ':' rather than '?'. */
	if (shortopts[0] == '+')
		snprintf(opts, sizeof(opts), "+:%s", shortopts + 1);
	else
		snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long_only(argc, argv, opts, longopts, NULL);
	if (c == ':') {
		cli_fail_usage(cmd->name, "flag needs an argument: %s", argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		cli_fail_usage(cmd->name, "unknown flag: %s (see '%s --help')", argv[optind - 1],
			       cmd->name);
		return '?';
	}
	return c;
}

int cli_want_args(const char *command, int have, int min, int max)
{
	if (have < min) {
		cli_fail_usage(command, min == 1 ? "a container ID is required"
						 : "%d arguments are required", min);
		return -1;
	}
	if (max >= 0 && have > max) {
		cli_fail_usage(command, "too many arguments (expected %d, got %d)", max, have);
		return -1;
	}
	return 0;
}
