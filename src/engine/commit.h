/* `silo commit`, on the engine side: the container's upper directory and
 * image, handed to image/commit.c, with the container frozen meanwhile
 * (docker's --pause, on by default) so the layer is one moment of it. */
#ifndef SILO_ENGINE_COMMIT_H
#define SILO_ENGINE_COMMIT_H

#include "engine/lifecycle.h"
#include "image/digest.h"
#include "util/err.h"

struct engine_commit_request {
	const char *ref;       /* REPOSITORY[:TAG], or NULL */
	const char *author;    /* -a */
	const char *message;   /* -m */
	char *const *changes;  /* -c instructions, or NULL */
	int pause;             /* freeze a running container while its changes are read */
};

int engine_commit(const struct engine_env *env, const char *id, const struct engine_commit_request *req,
		  char image_id[DIGEST_STRING_LENGTH + 1], struct silo_err *err);

#endif
