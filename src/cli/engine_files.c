/* The commands about a container's files, with docker's names and flags:
 * cp, export and commit. Each parses its flags and calls src/engine/ (cp.c,
 * commit.c); errors go to stderr as "silo COMMAND: message" with exit
 * status 125, as docker's. */
#include "cli/engine_files.h"
#include "cli/engine_session.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/commit.h"
#include "engine/cp.h"
#include "engine/record.h"
#include "util/cleanup.h"
#include "util/log.h"

static int fail(const char *command, const struct silo_err *err)
{
	return session_fail(command, err, 125);
}

static int find_container(struct session *s, const char *command, const char *text, char id[65])
{
	struct silo_err err = { 0 };

	if (record_find(s->store.root, text, id, &err) < 0)
		return fail(command, &err);
	return 0;
}

/* -------------------------------------------------------------------- cp -- */

/* docker's rule: "NAME:PATH" names a container when the colon comes before
 * any slash; a local path with a colon in it starts with "/" or "./". */
static int split_container_arg(const char *arg, char **container, const char **path)
{
	const char *colon = strchr(arg, ':');
	const char *slash = strchr(arg, '/');

	*container = NULL;
	*path = arg;
	if (!colon || arg[0] == '/' || arg[0] == '.' || (slash && slash < colon))
		return 0;
	*container = strndup(arg, (size_t)(colon - arg));
	*path = colon + 1;
	return *container ? 0 : -1;
}

static int cmd_cp(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "archive", no_argument, NULL, 'a' },
		{ "follow-link", no_argument, NULL, 'L' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_free_ char *src_container = NULL;
	_cleanup_free_ char *dest_container = NULL;
	struct engine_cp_request req = { 0 };
	struct silo_err err = { 0 };
	const char *src, *dest;
	char id[65];
	int c;

	while ((c = engine_next_option("cp", argc, argv, "aL", longopts)) != -1) {
		switch (c) {
		case 'a':
			req.archive = 1;
			break;
		case 'L':
			req.follow = 1;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind != 2)
		return engine_usage_error("cp", "%s", "wants exactly 2 arguments: SRC and DEST");
	if (split_container_arg(argv[optind], &src_container, &src) < 0 ||
	    split_container_arg(argv[optind + 1], &dest_container, &dest) < 0)
		return 125;
	if (src_container && dest_container)
		return engine_usage_error("cp", "%s", "copying between containers is not supported");
	if (!src_container && !dest_container)
		return engine_usage_error("cp", "%s", "one of SRC and DEST must be CONTAINER:PATH");
	if ((src_container && !*src_container) || (dest_container && !*dest_container))
		return engine_usage_error("cp", "%s", "a container name before ':' is missing");
	if (!*src || !*dest)
		return engine_usage_error("cp", "%s", "SRC and DEST must not be empty");
	if (src_container && !strcmp(src, "-"))
		return engine_usage_error("cp", "%s", "\"-\" (a tar stream) is a host path, not a container's");
	req.to_container = dest_container != NULL;
	req.container_path = req.to_container ? dest : src;
	req.host_path = req.to_container ? src : dest;
	if (session_open(ctx, &s, "cp"))
		return 125;
	if (find_container(&s, "cp", req.to_container ? dest_container : src_container, id))
		return 125;
	/* A reader that goes away (`cp c:/x - | head`) ends the copy with an
	 * error instead of a signal. */
	signal(SIGPIPE, SIG_IGN);
	if (engine_cp(&s.env, id, &req, &err) < 0)
		return fail("cp", &err);
	return 0;
}

/* ---------------------------------------------------------------- export -- */

struct export_source {
	struct session *s;
	const char *id;
};

static int export_contents(int fd, void *opaque, struct silo_err *err)
{
	const struct export_source *src = opaque;

	return engine_export(&src->s->env, src->id, fd, err);
}

static int export_to_file(struct session *s, const char *id, const char *output, struct silo_err *err)
{
	struct export_source src = { s, id };

	return session_write_file(output, export_contents, &src, err);
}

static int cmd_export(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	struct silo_err err = { 0 };
	const char *output = NULL;
	char id[65];
	int c;

	while ((c = engine_next_option("export", argc, argv, "o:", longopts)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind != 1)
		return engine_usage_error("export", "%s", "wants exactly 1 argument: CONTAINER");
	if (output && !*output)
		return engine_usage_error("export", "%s", "-o wants a file name");
	if (!output && isatty(STDOUT_FILENO))
		return engine_usage_error("export", "%s",
					  "cowardly refusing to write to a terminal: use -o FILE or redirect");
	if (session_open(ctx, &s, "export"))
		return 125;
	if (find_container(&s, "export", argv[optind], id))
		return 125;
	signal(SIGPIPE, SIG_IGN);
	if (output ? export_to_file(&s, id, output, &err) : engine_export(&s.env, id, STDOUT_FILENO, &err))
		return fail("export", &err);
	return 0;
}

/* ---------------------------------------------------------------- commit -- */

static int cmd_commit(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "author", required_argument, NULL, 'a' },
		{ "message", required_argument, NULL, 'm' },
		{ "change", required_argument, NULL, 'c' },
		{ "pause", optional_argument, NULL, 'p' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_free_ char **changes = calloc((size_t)argc + 1, sizeof(*changes));
	struct engine_commit_request req = { .pause = 1 };
	struct silo_err err = { 0 };
	char id[65], image_id[DIGEST_STRING_LENGTH + 1];
	size_t n_changes = 0;
	int c;

	if (!changes)
		return 125;
	while ((c = engine_next_option("commit", argc, argv, "a:m:c:p", longopts)) != -1) {
		switch (c) {
		case 'a':
			req.author = optarg;
			break;
		case 'm':
			req.message = optarg;
			break;
		case 'c':
			changes[n_changes++] = optarg;
			break;
		case 'p':
			if (engine_bool_option("commit", "pause", optarg, &req.pause))
				return 125;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return engine_usage_error("commit", "%s", "wants CONTAINER and at most one REPOSITORY[:TAG]");
	req.changes = changes;
	req.ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (session_open(ctx, &s, "commit"))
		return 125;
	if (find_container(&s, "commit", argv[optind], id))
		return 125;
	if (engine_commit(&s.env, id, &req, image_id, &err) < 0)
		return fail("commit", &err);
	printf("%s\n", image_id);
	return 0;
}

/* ----------------------------------------------------------------- table -- */

const struct engine_command engine_file_commands[] = {
	{ "cp", "Copy files between a container and the host",
	  "Usage:  silo cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
	  "        silo cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\n"
	  "\"-\" is a tar stream: on stdout as DEST, extracted into the directory DEST as SRC.\n"
	  "A SRC ending in \"/.\" copies the directory's contents.\n\nOptions:\n"
	  "  -a, --archive       Keep uid and gid of the source\n"
	  "  -L, --follow-link   Always follow a symlink in SRC_PATH\n",
	  cmd_cp },
	{ "export", "Export a container's filesystem as a tar archive",
	  "Usage:  silo export [OPTIONS] CONTAINER\n\nOptions:\n"
	  "  -o, --output string   Write to a file instead of stdout\n",
	  cmd_export },
	{ "commit", "Create a new image from a container's changes",
	  "Usage:  silo commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\nOptions:\n"
	  "  -a, --author string    Author (\"A U Thor <a@example.com>\")\n"
	  "  -c, --change list      Apply a Dockerfile instruction to the image's config: CMD,\n"
	  "                         ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR\n"
	  "  -m, --message string   Commit message (the history entry's comment)\n"
	  "  -p, --pause[=bool]     Pause the container during the commit (default true)\n",
	  cmd_commit },
	{ NULL, NULL, NULL, NULL },
};
