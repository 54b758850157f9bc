/* Runtime commands about a container's cgroup: pause, resume, ps, update,
 * events. */
#include "cli/options.h"
#include "cli/runtime_cli.h"

static int not_yet(const char *name)
{
	return cli_fail_usage(name, "not supported yet");
}

int runtime_cmd_pause(const struct runtime_context *ctx, int argc, char **argv)
{
	(void)ctx, (void)argc, (void)argv;
	return not_yet("pause");
}

int runtime_cmd_resume(const struct runtime_context *ctx, int argc, char **argv)
{
	(void)ctx, (void)argc, (void)argv;
	return not_yet("resume");
}

int runtime_cmd_ps(const struct runtime_context *ctx, int argc, char **argv)
{
	(void)ctx, (void)argc, (void)argv;
	return not_yet("ps");
}

int runtime_cmd_update(const struct runtime_context *ctx, int argc, char **argv)
{
	(void)ctx, (void)argc, (void)argv;
	return not_yet("update");
}

int runtime_cmd_events(const struct runtime_context *ctx, int argc, char **argv)
{
	(void)ctx, (void)argc, (void)argv;
	return not_yet("events");
}
