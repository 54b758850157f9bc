/* Users and groups from an image's /etc/passwd and /etc/group (see user.h).
 * The files are read from the container's root by the caller (through
 * RESOLVE_IN_ROOT); here they are only text. */
#include "engine/user.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"

/* Splits "a:b:c..." in place into at most max fields. */
static size_t split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;

	while (n < max) {
		fields[n++] = line;
		line = strchr(line, ':');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static int parse_id(const char *s, unsigned int *out)
{
	uint64_t v;

	if (str_to_u64(s, &v) < 0 || v > UINT32_MAX - 1)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Calls match on each line of a colon-separated file until it returns 1. */
static int each_entry(const char *text, size_t nfields,
		      int (*match)(char **fields, size_t n, void *opaque), void *opaque)
{
	_cleanup_free_ char *copy = text ? strdup(text) : NULL;
	char *save = NULL;

	if (!copy)
		return 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fields[8];
		size_t n;

		if (line[0] == '#' || !line[0])
			continue;
		n = split_fields(line, fields, nfields);
		if (match(fields, n, opaque))
			return 1;
	}
	return 0;
}

struct passwd_query {
	const char *name; /* or NULL: by uid */
	unsigned int uid;
	char *found_name;
	unsigned int found_uid, found_gid;
	char *home;
};

static int match_passwd(char **f, size_t n, void *opaque)
{
	struct passwd_query *q = opaque;
	unsigned int uid, gid;

	if (n < 4 || parse_id(f[2], &uid) < 0 || parse_id(f[3], &gid) < 0)
		return 0;
	if (q->name ? strcmp(f[0], q->name) : uid != q->uid)
		return 0;
	q->found_name = strdup(f[0]);
	q->found_uid = uid;
	q->found_gid = gid;
	q->home = n >= 6 && f[5][0] ? strdup(f[5]) : NULL;
	return 1;
}

struct group_query {
	const char *name;
	unsigned int gid;
};

static int match_group(char **f, size_t n, void *opaque)
{
	struct group_query *q = opaque;
	unsigned int gid;

	if (n < 3 || strcmp(f[0], q->name) || parse_id(f[2], &gid) < 0)
		return 0;
	q->gid = gid;
	return 1;
}

struct member_query {
	const char *user;
	unsigned int primary;
	struct engine_user *out;
};

static int match_member(char **f, size_t n, void *opaque)
{
	struct member_query *q = opaque;
	unsigned int gid;
	char *save = NULL;

	if (n < 4 || parse_id(f[2], &gid) < 0 || gid == q->primary)
		return 0;
	for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, q->user))
			continue;
		gid_t *more = realloc(q->out->additional_gids,
				      (q->out->n_additional_gids + 1) * sizeof(gid_t));
		if (more) {
			q->out->additional_gids = more;
			more[q->out->n_additional_gids++] = gid;
		}
		break;
	}
	return 0;
}

int engine_user_resolve(const char *spec, const char *passwd, const char *group,
			struct engine_user *out, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(spec && *spec ? spec : "0");
	struct passwd_query pq = { 0 };
	char *group_part;
	unsigned int id;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return silo_err_sys(err, ENOMEM, "user \"%s\"", spec);
	group_part = strchr(copy, ':');
	if (group_part)
		*group_part++ = '\0';
	if (parse_id(copy, &id) == 0) {
		pq.uid = id;
		out->uid = id;
		out->gid = 0;
		if (each_entry(passwd, 7, match_passwd, &pq))
			out->gid = pq.found_gid;
	} else {
		pq.name = copy;
		if (!each_entry(passwd, 7, match_passwd, &pq))
			return silo_err_set(err, ENOENT,
					    "unable to find user %s: no matching entries in passwd file", copy);
		out->uid = pq.found_uid;
		out->gid = pq.found_gid;
	}
	if (group_part) {
		struct group_query gq = { .name = group_part };

		if (parse_id(group_part, &id) == 0) {
			out->gid = id;
		} else if (each_entry(group, 4, match_group, &gq)) {
			out->gid = gq.gid;
		} else {
			free(pq.found_name);
			free(pq.home);
			return silo_err_set(err, ENOENT,
					    "unable to find group %s: no matching entries in group file", group_part);
		}
	}
	if (pq.found_name) {
		struct member_query mq = { .user = pq.found_name, .primary = out->gid, .out = out };

		each_entry(group, 4, match_member, &mq);
	}
	out->home = pq.home ? pq.home : strdup("/");
	free(pq.found_name);
	if (!out->home)
		return silo_err_sys(err, ENOMEM, "user \"%s\"", spec);
	return 0;
}

void engine_user_free(struct engine_user *user)
{
	free(user->additional_gids);
	free(user->home);
	memset(user, 0, sizeof(*user));
}
