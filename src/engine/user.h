/* -u/--user and the image's User: "name", "uid", "name:group", "uid:gid",
 * resolved through the image's /etc/passwd and /etc/group the way docker
 * resolves them. */
#ifndef SILO_ENGINE_USER_H
#define SILO_ENGINE_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

struct engine_user {
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids; /* groups that list the user as a member */
	size_t n_additional_gids;
	char *home; /* from passwd, or "/" */
};

/* passwd and group are the files' contents (NULL: the image has none). An
 * empty or NULL spec is root. A name that is not in the files fails: `unable
 * to find user web: no matching entries in passwd file`. */
int engine_user_resolve(const char *spec, const char *passwd, const char *group,
			struct engine_user *out, struct silo_err *err);

void engine_user_free(struct engine_user *user);

#endif
