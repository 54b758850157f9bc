/* `silo logs`: a container's log (logfile.h) decoded back to stdout and
 * stderr, as docker's: every file of a rotated log oldest first, --since
 * and --until windows, the last --tail entries, -t timestamps, --details,
 * and -f following the log (across rotations) until the container exits. */
#include "cli/engine_logs.h"
#include "cli/engine_session.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/lifecycle.h"
#include "engine/logfile.h"
#include "engine/record.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/strv.h"

struct logs_reader {
	int timestamps, details;
	int has_since, has_until;
	struct timespec since, until;
	/* --tail N while the files are first read: the last N entries kept,
	 * printed once they are all read. */
	char **ring;
	size_t ring_size, ring_next, ring_used;
	int collecting;
};

/* docker's --details: the entry's attributes (k=v, sorted, comma
 * separated) and a space, before the line. */
static char *entry_details(json_t *entry)
{
	json_t *attrs = json_object_get(entry, "attrs");
	_cleanup_strv_ char **keys = NULL;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	const char *key;
	json_t *v;

	if (!f)
		return NULL;
	json_object_foreach(attrs, key, v)
		strv_push(&keys, key);
	for (size_t i = 0; keys && keys[i]; i++)
		for (size_t j = i + 1; keys[j]; j++)
			if (strcmp(keys[j], keys[i]) < 0) {
				char *t = keys[i];
				keys[i] = keys[j];
				keys[j] = t;
			}
	for (char **k = keys; k && *k; k++)
		fprintf(f, "%s%s=%s", k == keys ? "" : ",", *k,
			json_string_value(json_object_get(attrs, *k)) ?: "");
	fputc(' ', f);
	fclose(f);
	return buf;
}

static void print_entry(struct logs_reader *r, const char *line)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *when = NULL;
	size_t len;
	int is_stderr, fd;

	if (logfile_parse_line(line, &text, &len, &is_stderr, &when) < 0)
		return;
	fd = is_stderr ? STDERR_FILENO : STDOUT_FILENO;
	if (r->timestamps) {
		fs_write_all(fd, when, strlen(when));
		fs_write_all(fd, " ", 1);
	}
	if (r->details) {
		_cleanup_json_ json_t *entry = json_loads(line, JSON_ALLOW_NUL, NULL);
		_cleanup_free_ char *details = entry_details(entry);

		if (details)
			fs_write_all(fd, details, strlen(details));
	}
	fs_write_all(fd, text, len);
}

/* Whether the entry's time is inside --since and --until. */
static int in_window(const struct logs_reader *r, const char *line)
{
	_cleanup_json_ json_t *entry = NULL;
	struct timespec when;

	if (!r->has_since && !r->has_until)
		return 1;
	entry = json_loads(line, JSON_ALLOW_NUL, NULL);
	if (clock_parse_rfc3339(json_string_value(json_object_get(entry, "time")), &when) < 0)
		return 0;
	if (r->has_since && clock_compare(&when, &r->since) < 0)
		return 0;
	if (r->has_until && clock_compare(&when, &r->until) > 0)
		return 0;
	return 1;
}

static void take_entry(struct logs_reader *r, const char *line)
{
	if (!in_window(r, line))
		return;
	if (!r->collecting) {
		print_entry(r, line);
		return;
	}
	if (r->ring_size == 0)
		return;
	free(r->ring[r->ring_next]);
	r->ring[r->ring_next] = strdup(line);
	r->ring_next = (r->ring_next + 1) % r->ring_size;
	if (r->ring_used < r->ring_size)
		r->ring_used++;
}

/* The kept --tail entries, oldest first; from now on entries print. */
static void flush_ring(struct logs_reader *r)
{
	size_t start = (r->ring_next + r->ring_size - r->ring_used) % (r->ring_size ? r->ring_size : 1);

	for (size_t i = 0; i < r->ring_used; i++) {
		size_t at = (start + i) % r->ring_size;

		if (r->ring[at])
			print_entry(r, r->ring[at]);
	}
	for (size_t i = 0; i < r->ring_size; i++)
		free(r->ring[i]);
	free(r->ring);
	r->ring = NULL;
	r->ring_size = r->ring_used = r->ring_next = 0;
	r->collecting = 0;
}

/* Every whole line up to the end; a half-written last line is left to be
 * read again whole. */
static void read_lines(struct logs_reader *r, FILE *f)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	for (;;) {
		ssize_t n = getline(&line, &cap, f);

		if (n <= 0)
			break;
		if (line[n - 1] != '\n') {
			fseek(f, -n, SEEK_CUR);
			break;
		}
		take_entry(r, line);
	}
	clearerr(f);
}

/* Whether path is no longer the file f reads: the log rotated. */
static int rotated(FILE *f, const char *path)
{
	struct stat open_st, path_st;

	if (fstat(fileno(f), &open_st) < 0)
		return 0;
	if (stat(path, &path_st) < 0)
		return errno == ENOENT;
	return open_st.st_ino != path_st.st_ino || open_st.st_dev != path_st.st_dev;
}

/* After the file f reads has rotated (once or more): the file that came
 * after it, which is now container.log.K-1 when f's is container.log.K.
 * When f's file is gone, the newest. */
static FILE *open_after_rotation(FILE *f, const char *path)
{
	struct stat open_st;

	if (fstat(fileno(f), &open_st) == 0) {
		for (int k = 1; k <= 1000; k++) {
			char rotated_path[4096], next[4096];
			struct stat st;

			snprintf(rotated_path, sizeof(rotated_path), "%s.%d", path, k);
			if (stat(rotated_path, &st) < 0)
				break;
			if (st.st_ino != open_st.st_ino || st.st_dev != open_st.st_dev)
				continue;
			if (k == 1)
				break;
			snprintf(next, sizeof(next), "%s.%d", path, k - 1);
			return fopen(next, "re");
		}
	}
	return fopen(path, "re");
}

static int parse_point(const char *flag, const char *text, struct timespec *out)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (clock_parse_point(text, &now, out) < 0) {
		fprintf(stderr,
			"silo logs: invalid %s \"%s\": want an RFC 3339 time (2026-12-01T09:30:00Z), a Unix time "
			"(1733045400.5) or a duration (10m, 1h30m) (see 'silo logs --help')\n",
			flag, text);
		return 125;
	}
	return 0;
}

static void follow(struct session *s, struct logs_reader *r, const char *id, const char *path, FILE *f)
{
	int last_round = 0;

	for (;;) {
		_cleanup_json_ json_t *rec = NULL;
		struct silo_err err = { 0 };
		struct timespec pause = { 0, 100 * 1000000L }, now;

		if (f) {
			read_lines(r, f);
			/* What the old file got before it rotated, then the new one. */
			if (rotated(f, path)) {
				FILE *next;

				read_lines(r, f);
				next = open_after_rotation(f, path);
				fclose(f);
				f = next;
				continue;
			}
		} else {
			f = fopen(path, "re");
			if (f)
				continue;
		}
		if (last_round)
			break;
		clock_gettime(CLOCK_REALTIME, &now);
		if (r->has_until && clock_compare(&now, &r->until) > 0)
			break;
		/* A container that does not run (any more) writes nothing: a
		 * created one may never start. */
		if (engine_container_inspect(&s->env, id, &rec, &err) < 0 ||
		    (strcmp(engine_container_status(rec), "running") &&
		     strcmp(engine_container_status(rec), "restarting") &&
		     strcmp(engine_container_status(rec), "paused"))) {
			/* One last read: what came before the exit. */
			last_round = 1;
			continue;
		}
		nanosleep(&pause, NULL);
	}
	if (f)
		fclose(f);
}

static int cmd_logs(const struct engine_context *ctx, int argc, char **argv)
{
	enum { OPT_SINCE = 256, OPT_UNTIL, OPT_DETAILS, OPT_TAIL };
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "tail", required_argument, NULL, 'n' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "details", no_argument, NULL, OPT_DETAILS },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_strv_ char **files = NULL;
	struct logs_reader r = { 0 };
	struct silo_err err = { 0 };
	FILE *last = NULL;
	int following = 0, tail = -1, c;
	char id[65];

	while ((c = engine_next_option("logs", argc, argv, "ftn:", longopts)) != -1) {
		switch (c) {
		case 'f':
			following = 1;
			break;
		case 't':
			r.timestamps = 1;
			break;
		case OPT_DETAILS:
			r.details = 1;
			break;
		case 'n':
			/* docker reads a negative count as all. */
			if (!strcmp(optarg, "all") ||
			    (optarg[0] == '-' && optarg[1] && str_to_int(optarg + 1, &tail) == 0))
				tail = -1;
			else if (str_to_int(optarg, &tail) < 0)
				return engine_usage_error("logs", "invalid --tail \"%s\": want a number of lines or \"all\"",
							  optarg);
			break;
		case OPT_SINCE:
			if (parse_point("--since", optarg, &r.since))
				return 125;
			r.has_since = 1;
			break;
		case OPT_UNTIL:
			if (parse_point("--until", optarg, &r.until))
				return 125;
			r.has_until = 1;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind != 1)
		return engine_usage_error("logs", "%s", "wants exactly one container");
	if (session_open(ctx, &s, "logs"))
		return 125;
	if (session_resolve(&s, "logs", argv[optind], id))
		return 1;
	if (record_load(s.store.root, id, &rec, &err) < 0)
		return session_fail("logs", &err, 1);
	if (!logfile_config_readable(json_object_get(rec, "logConfig"))) {
		fprintf(stderr, "silo logs: configured logging driver does not support reading\n");
		return 1;
	}
	dir = record_path(s.store.root, id, NULL);
	path = record_path(s.store.root, id, "container.log");
	files = dir ? logfile_files(dir) : NULL;
	if (!path || !files)
		return 125;
	if (tail >= 0) {
		r.collecting = 1;
		r.ring_size = (size_t)tail;
		r.ring = calloc(r.ring_size + 1, sizeof(char *));
		if (!r.ring)
			return 125;
	}
	for (char **file = files; *file; file++) {
		FILE *f = fopen(*file, "re");

		if (!f)
			continue;
		read_lines(&r, f);
		/* The newest file stays open: -f goes on from where it ends. */
		if (!file[1] && !strcmp(*file, path))
			last = f;
		else
			fclose(f);
	}
	if (r.collecting)
		flush_ring(&r);
	if (!following) {
		if (last)
			fclose(last);
		return 0;
	}
	follow(&s, &r, id, path, last);
	return 0;
}

const struct engine_command engine_logs_commands[] = {
	{ "logs", "Fetch the logs of a container",
	  "Usage:  silo logs [OPTIONS] CONTAINER\n\nOptions:\n"
	  "      --details        Show extra details provided to logs\n"
	  "  -f, --follow         Follow log output until the container exits\n"
	  "      --since string   Show logs since a timestamp (2026-12-01T09:30:00Z, a Unix time\n"
	  "                       such as 1733045400.5) or relative (42m for 42 minutes)\n"
	  "  -n, --tail string    Number of lines to show from the end of the logs (default \"all\")\n"
	  "  -t, --timestamps     Show timestamps\n"
	  "      --until string   Show logs before a timestamp or relative time, as --since\n",
	  cmd_logs },
	{ NULL, NULL, NULL, NULL, 0 },
};
