/* Subordinate ID ranges and the host-root test (see subid.h). */
#include "util/subid.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

int subid_ranges(const char *file, const char *name, unsigned long id, struct subid_range *out,
		 size_t max, struct silo_err *err)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	char idtext[24];
	size_t cap = 0;
	int n = 0;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		return silo_err_errno(err, "read \"%s\"", file);
	}
	snprintf(idtext, sizeof(idtext), "%lu", id);
	/* Lines are NAME_OR_ID:START:COUNT (subuid(5)); '#' starts a comment. */
	while (getline(&line, &cap, f) > 0) {
		char *first = line, *start, *count, *end;
		unsigned long s, c;

		if (*first == '#')
			continue;
		start = strchr(first, ':');
		if (!start)
			continue;
		*start++ = '\0';
		count = strchr(start, ':');
		if (!count)
			continue;
		*count++ = '\0';
		if (strcmp(first, idtext) && (!name || strcmp(first, name)))
			continue;
		errno = 0;
		s = strtoul(start, &end, 10);
		if (errno || end == start || *end)
			continue;
		c = strtoul(count, &end, 10);
		if (errno || end == count || (*end && *end != '\n') || c == 0)
			continue;
		if ((size_t)n < max) {
			out[n].start = s;
			out[n].count = c;
		}
		n++;
	}
	return (size_t)n < max ? n : (int)max;
}

int subid_host_root(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long inside, outside, count;
	int fields;

	if (geteuid() != 0)
		return 0;
	f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return 1;
	/* The host's namespace maps every ID onto itself, in one line. */
	fields = fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
	return fields == 3 && inside == 0 && outside == 0 && count == 4294967295UL;
}

/* The highest inside ID a map file maps plus one, and the host ID inside 0
 * maps onto. */
static unsigned long map_extent(const char *file, unsigned long *host_of_zero)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	unsigned long inside, outside, count, end = 0;

	while (f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
		if (inside == 0)
			*host_of_zero = outside;
		if (inside + count > end)
			end = inside + count;
	}
	return end;
}

int subid_explain_unmapped(unsigned long uid, unsigned long gid, char *buf, size_t len)
{
	unsigned long host = 0, ignored;
	unsigned long uids = map_extent("/proc/self/uid_map", &host);
	unsigned long gids = map_extent("/proc/self/gid_map", &ignored);
	struct passwd *pw;
	char name[64];

	if (uid < uids && gid < gids)
		return 0;
	pw = getpwuid((uid_t)host);
	if (pw)
		snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		snprintf(name, sizeof(name), "%lu", host);
	snprintf(buf, len,
		 "%s %lu is not mapped: the user namespace has IDs 0-%lu only; "
		 "add a range of subordinate IDs for %s to /etc/subuid and /etc/subgid, "
		 "e.g. the line \"%s:100000:65536\" in both (not overlapping another user's)",
		 uid >= uids ? "uid" : "gid", uid >= uids ? uid : gid, (uid >= uids ? uids : gids) - 1,
		 name, name);
	return 1;
}
