/* Re-executing the engine's container commands from the sealed copy
 * before the module is loaded (see engine_seal.h). */
#include "cli/engine_seal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/engine_loader.h"
#include "runtime/exe_protect.h"


/* The commands that call exe_protect_reexec themselves (session_protect_exe). */
static const char *const sealed_commands[] = { "run", "start", "restart", "exec", NULL };

/* The engine command after the global flags, as engine_main reads them. */
static const char *engine_command(int argc, char **argv)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			i += 2;
		else if (!strncmp(argv[i], "--root=", 7))
			i++;
		else
			return NULL;
	}
	return i < argc ? argv[i] : NULL;
}

static int wants_sealed_copy(const char *command)
{
	for (size_t i = 0; command && sealed_commands[i]; i++)
		if (!strcmp(command, sealed_commands[i]))
			return 1;
	return 0;
}

void engine_seal_early(int argc, char **argv)
{
	char module[PATH_MAX + 32];
	struct silo_err ignored = { 0 };

	if (!wants_sealed_copy(engine_command(argc, argv)) || exe_protect_is_sealed())
		return;
	/* The module the loader would load: the sealed copy's /proc/self/exe
	 * no longer tells. */
	engine_module_path(module, sizeof(module));
	if (setenv(ENGINE_MODULE_ENV, module, 1) < 0)
		return;
	exe_protect_reexec(&ignored);
	unsetenv(ENGINE_MODULE_ENV);
}
