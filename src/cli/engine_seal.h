/* The engine's commands that put processes into a container (run, start,
 * restart, exec) run from a sealed copy of the binary (runtime/exe_protect.h,
 * CVE-2019-5736). Re-executing once the engine module is loaded would map
 * and relocate its libraries (libcurl, libarchive, libcrypto, libnftables
 * and theirs, about 50) twice; this re-executes before the module is
 * loaded instead. */
#ifndef SILO_CLI_ENGINE_SEAL_H
#define SILO_CLI_ENGINE_SEAL_H

/* For one of those commands (after the engine's global flags) in a process
 * that does not run from a sealed copy yet: names the module the loader is
 * to load in the copy (the one it would have found here) and re-executes,
 * so it does not return. Anything else, or a re-exec that failed, returns:
 * the command then re-executes itself as before, and reports the error. */
void engine_seal_early(int argc, char **argv);

#endif
