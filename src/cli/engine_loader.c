/* Finding and loading silo-engine.so. It is looked for next to the running
 * binary first (a build tree, or an install whose module sits beside it),
 * then in the directory it was installed to. */
#include "cli/engine_loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/monitor_lean.h"
#include "util/cleanup.h"

#define ENGINE_MODULE "silo-engine.so"

typedef int (*engine_main_fn)(int argc, char **argv);
typedef void (*engine_print_fn)(void);

void engine_module_path(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, size, "%s/%s", exe, ENGINE_MODULE);
			if (access(path, F_OK) == 0)
				return;
		}
	}
	snprintf(path, size, "%s/%s", SILO_ENGINE_MODULE_DIR, ENGINE_MODULE);
}

static void *load_module(char *why, size_t len)
{
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *found = getenv(ENGINE_MODULE_ENV);
	void *handle;

	why[0] = '\0';
	/* Running from exe_protect's sealed copy, /proc/self/exe names a
	 * memfd: the module found before the re-exec is the one to load. */
	if (found && *found && n > 0 && !strncmp(exe, "/memfd:", 7)) {
		handle = dlopen(found, RTLD_NOW | RTLD_LOCAL);
		if (!handle)
			snprintf(why, len, "%s", dlerror());
		return handle;
	}
	engine_module_path(path, sizeof(path));
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		snprintf(why, len, "%s", dlerror());
	else
		setenv(ENGINE_MODULE_ENV, path, 1);
	return handle;
}

int engine_dispatch(int argc, char **argv)
{
	char why[512];
	void *module = load_module(why, sizeof(why));
	engine_main_fn run;

	if (!module) {
		fprintf(stderr, "silo: the engine module %s could not be loaded: %s\n", ENGINE_MODULE,
			why);
		return 1;
	}
	run = (engine_main_fn)dlsym(module, "engine_main");
	if (!run) {
		fprintf(stderr, "silo: %s has no engine_main\n", ENGINE_MODULE);
		return 1;
	}
	return run(argc, argv);
}

void engine_dispatch_print_commands(void)
{
	char why[512];
	void *module = load_module(why, sizeof(why));
	engine_print_fn print = module ? (engine_print_fn)dlsym(module, "engine_print_commands") : NULL;

	if (print)
		print();
}

/* The container has exited: what is left to do is the engine's. */
static int resume_in_module(json_t *state, struct attach_server *attach, int status, long ran_ms)
{
	monitor_resume_fn resume;
	char why[512];
	void *module = load_module(why, sizeof(why));

	resume = module ? (monitor_resume_fn)dlsym(module, MONITOR_RESUME_SYMBOL) : NULL;
	if (!resume) {
		/* The next command that looks finds no monitor and records
		 * the exit itself. */
		fprintf(stderr, "%s: the engine module could not be loaded: %s\n", MONITOR_LEAN_NAME, why);
		attach_server_close(attach);
		return 1;
	}
	return resume(state, attach, status, ran_ms);
}

/* From the static silo-monitor, which relayed and reaped the container:
 * its status, how long it ran and the attach clients are in state. */
static int monitor_resume_main(const char *text)
{
	_cleanup_json_ json_t *state = json_loads(text, 0, NULL);
	struct attach_server attach;
	json_t *status = json_object_get(state, "exitStatus");

	/* Executed through a descriptor, the kernel named it after the
	 * descriptor's number. */
	prctl(PR_SET_NAME, MONITOR_LEAN_NAME);
	if (!state || !json_is_integer(status))
		return 125;
	monitor_lean_attach_from_state(state, &attach);
	return resume_in_module(state, &attach, (int)json_integer_value(status),
				(long)json_integer_value(json_object_get(state, "ranMs")));
}

int engine_monitor_lean_main(int argc, char **argv)
{
	_cleanup_json_ json_t *state = NULL;
	struct attach_server attach;
	long ran_ms;
	int status;

	if (argc == 3 && !strcmp(argv[1], MONITOR_RESUME_FLAG))
		return monitor_resume_main(argv[2]);
	if (argc != 2 || !(state = json_loads(argv[1], 0, NULL))) {
		fprintf(stderr, "%s: the lean monitor of a detached container; silo starts it\n", MONITOR_LEAN_NAME);
		return 125;
	}
	if (monitor_lean_relay(state, &attach, &status, &ran_ms) < 0)
		return 1;
	return resume_in_module(state, &attach, status, ran_ms);
}
