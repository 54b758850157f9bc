/* The engine's commands live in a loadable module (silo-engine.so), so the
 * runtime face never pays for the image layer's libraries at start. */
#ifndef SILO_CLI_ENGINE_LOADER_H
#define SILO_CLI_ENGINE_LOADER_H

#include <stddef.h>

/* Where the module was found, for the same command re-executed from a
 * sealed copy of the binary (runtime/exe_protect.h). Read only in that
 * copy, and always set by the process that re-executed it, so a value
 * from the caller's environment is never what gets loaded. */
#define ENGINE_MODULE_ENV "SILO_ENGINE_MODULE"

/* The module's path: next to the running binary when it is there, else
 * where it was installed to. */
void engine_module_path(char *path, size_t size);

/* Runs an engine command through the module: its exit status, or -1 when
 * argv[1] names no engine command. A missing module is reported and 1. */
int engine_dispatch(int argc, char **argv);

/* Lists the engine's commands in the help text (nothing if the module is
 * not there). */
void engine_dispatch_print_commands(void);

/* The entry point of a detached container's lean monitor (argv[0]
 * "silo-monitor"; engine/monitor_lean.h): copies the output until the
 * container exits, then loads the module for the rest. With --resume
 * STATE, the static silo-monitor has done the copying: only the rest. */
int engine_monitor_lean_main(int argc, char **argv);

#endif
