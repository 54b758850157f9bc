/* The security flags of run and create: --cap-add, --cap-drop,
 * --privileged, --security-opt, --device, --pid/--ipc/--uts host. Each is
 * checked when read; engine_security_apply puts them into config.json
 * (process.capabilities, noNewPrivileges, linux.seccomp, linux.devices,
 * linux.namespaces, masked and read-only paths). */
#ifndef SILO_ENGINE_SECURITY_H
#define SILO_ENGINE_SECURITY_H

#include <jansson.h>

#include "util/err.h"

struct engine_security {
	json_t *cap_add;         /* CAP_ names or "ALL", or NULL */
	json_t *cap_drop;
	int privileged;
	int no_new_privileges;
	int seccomp_unconfined;  /* --security-opt seccomp=unconfined */
	json_t *seccomp;         /* --security-opt seccomp=FILE, the file's profile, or NULL */
	json_t *devices;         /* [{path, type, major, minor, fileMode, uid, gid, access}], or NULL */
	int pid_host, ipc_host, uts_host;
};

/* Reads one flag, named without its dashes ("cap-add", "security-opt",
 * "device", "pid", "privileged" with value NULL …). */
int engine_security_set(struct engine_security *s, const char *flag, const char *value,
			struct silo_err *err);

/* The capability set the flags give: docker's default, or every one of
 * the host's bounding set with --privileged, then --cap-drop and --cap-add
 * (ALL meaning the host's bounding set). A new array of CAP_ names. */
json_t *engine_security_capabilities(const struct engine_security *s);

/* Puts the flags into config. A NULL s is the default: docker's
 * capabilities and silo's seccomp profile. */
int engine_security_apply(const struct engine_security *s, json_t *config, struct silo_err *err);

void engine_security_free(struct engine_security *s);

#endif
