/* Seccomp profiles for engine containers: silo's default (an allow-list,
 * data/seccomp-default.json compiled in) or a user's file, in docker's
 * profile format, turned into config.json's linux.seccomp for one
 * container's capabilities and this machine's architecture. */
#ifndef SILO_ENGINE_SECCOMP_PROFILE_H
#define SILO_ENGINE_SECCOMP_PROFILE_H

#include <jansson.h>

#include "util/err.h"

/* data/seccomp-default.json's text. */
extern const char engine_seccomp_default_json[];

/* The default profile, parsed; a new reference. */
json_t *engine_seccomp_default(void);

/* linux.seccomp from profile: entries whose includes (caps, arches) the
 * container meets and whose excludes it does not; architectures from
 * "architectures", or the "archMap" entry of this machine. caps is the
 * container's capability list (CAP_ names). */
int engine_seccomp_for_container(json_t *profile, json_t *caps, json_t **out, struct silo_err *err);

#endif
