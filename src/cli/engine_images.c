/* The image commands (see engine_images.h). Output follows docker's
 * shapes: `images` prints REPOSITORY, TAG, IMAGE ID, CREATED, SIZE; `pull`
 * one line per layer step ("<id>: Pull complete") then Digest and Status;
 * `load` "Loaded image: NAME"; `import` the new image's ID; `history`
 * IMAGE, CREATED, CREATED BY, SIZE, COMMENT; `image inspect` docker's JSON
 * (Id, RepoTags, RepoDigests, Created, Config, RootFS ...). */
#include "cli/engine_images.h"
#include "cli/engine_format.h"
#include "cli/engine_progress.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/engine_session.h"
#include "engine/record.h"
#include "image/image_archive.h"
#include "image/images.h"
#include "image/import.h"
#include "image/layers.h"
#include "image/pull.h"
#include "image/reference.h"
#include "image/save.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strv.h"

static int fail(const char *command, const struct silo_err *err)
{
	log_error("%s: %s", command, err->msg);
	return 1;
}

static int open_store(const struct engine_context *ctx, struct store *store, const char *command)
{
	struct silo_err err = { 0 };

	if (store_open(ctx->root, store, &err) < 0)
		return fail(command, &err);
	return 0;
}

static void human_size(uint64_t bytes, char *buf, size_t size)
{
	engine_human_size(bytes, buf, size);
}

static const char *short_id(const char *digest)
{
	static char buf[13];

	snprintf(buf, sizeof(buf), "%.12s", !strncmp(digest, "sha256:", 7) ? digest + 7 : digest);
	return buf;
}

/* ------------------------------------------------------------------ pull -- */

static int cmd_pull(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tls-verify", required_argument, NULL, 't' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	_cleanup_image_ref_ struct image_ref ref = { 0 };
	struct pull_options opts = { .tls_verify = -1, .progress = pull_progress_event };
	struct pull_progress *progress = NULL;
	int quiet = 0, downloaded, r;
	struct silo_err err = { 0 };
	char id[DIGEST_STRING_LENGTH + 1];
	_cleanup_free_ char *name = NULL;
	int c;

	platform_host(&opts.platform);
	while ((c = engine_next_option("pull", argc, argv, "q", longopts)) != -1) {
		switch (c) {
		case 'p':
			if (platform_parse(optarg, &opts.platform, &err) < 0)
				return fail("pull", &err);
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			if (engine_bool_option("pull", "tls-verify", optarg, &opts.tls_verify))
				return 125;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind != 1)
		return engine_usage_error("pull", "%s", "wants exactly one image reference");
	if (image_ref_parse(argv[optind], &ref, &err) < 0)
		return fail("pull", &err);
	if (open_store(ctx, &store, "pull"))
		return 1;
	name = image_ref_string(&ref);
	progress = pull_progress_new(isatty(STDOUT_FILENO), quiet);
	if (!name || !progress) {
		pull_progress_free(progress);
		return 1;
	}
	opts.opaque = progress;
	if (!quiet)
		printf("%s: Pulling from %s\n", ref.tag ? ref.tag : ref.digest, ref.repository);
	fflush(stdout);
	r = pull_image(&store, &ref, &opts, id, &err);
	downloaded = pull_progress_downloaded(progress);
	pull_progress_free(progress);
	if (r < 0)
		return fail("pull", &err);
	if (quiet) {
		printf("%s\n", id);
	} else {
		_cleanup_json_ json_t *rec = NULL;
		_cleanup_free_ char *familiar = image_ref_familiar(name);

		if (images_find(&store, name, &rec, &err) == 0) {
			const char *digested = json_string_value(json_array_get(json_object_get(rec, "digests"), 0));
			const char *at = digested ? strchr(digested, '@') : NULL;

			if (at)
				printf("Digest: %s\n", at + 1);
		}
		printf("Status: %s %s\n",
		       downloaded ? "Downloaded newer image for" : "Image is up to date for", familiar);
		printf("%s\n", familiar);
	}
	return 0;
}

/* ---------------------------------------------------------------- images -- */

static void split_name(const char *name, char *repo, size_t repo_size, char *tag, size_t tag_size)
{
	_cleanup_free_ char *familiar = image_ref_familiar(name);
	char *at = strchr(familiar, '@');
	char *colon;

	if (at) {
		*at = '\0';
		snprintf(repo, repo_size, "%s", familiar);
		snprintf(tag, tag_size, "<none>");
		return;
	}
	colon = strrchr(familiar, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		snprintf(tag, tag_size, "%s", colon + 1);
	} else {
		snprintf(tag, tag_size, "<none>");
	}
	snprintf(repo, repo_size, "%s", familiar);
}

static void created_ago(const char *created, char *buf, size_t size)
{
	struct tm tm = { 0 };
	time_t then, now = time(NULL);
	double secs;

	if (!created || !strptime(created, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, size, "N/A");
		return;
	}
	then = timegm(&tm);
	secs = difftime(now, then);
	if (secs < 60)
		snprintf(buf, size, "Less than a minute ago");
	else if (secs < 3600)
		snprintf(buf, size, "%d minutes ago", (int)(secs / 60));
	else if (secs < 86400 * 2)
		snprintf(buf, size, "%d hours ago", (int)(secs / 3600));
	else if (secs < 86400 * 14)
		snprintf(buf, size, "%d days ago", (int)(secs / 86400));
	else if (secs < 86400 * 60)
		snprintf(buf, size, "%d weeks ago", (int)(secs / (86400 * 7)));
	else if (secs < 86400 * 365 * 2)
		snprintf(buf, size, "%d months ago", (int)(secs / (86400 * 30)));
	else
		snprintf(buf, size, "%d years ago", (int)(secs / (86400 * 365)));
}

static void print_image_row(json_t *rec, const char *name, int digests)
{
	char repo[256] = "<none>", tag[160] = "<none>", created[64], size[32];
	const char *digest = "<none>";
	const char *first_digest = json_string_value(json_array_get(json_object_get(rec, "digests"), 0));

	if (name)
		split_name(name, repo, sizeof(repo), tag, sizeof(tag));
	else if (first_digest)
		split_name(first_digest, repo, sizeof(repo), tag, sizeof(tag));
	if (first_digest && strchr(first_digest, '@'))
		digest = strchr(first_digest, '@') + 1;
	created_ago(json_string_value(json_object_get(rec, "created")), created, sizeof(created));
	human_size((uint64_t)json_integer_value(json_object_get(rec, "size")), size, sizeof(size));
	if (digests)
		printf("%-40s %-16s %-72s %-12s %-24s %s\n", repo, tag, digest,
		       short_id(json_string_value(json_object_get(rec, "id"))), created, size);
	else
		printf("%-40s %-16s %-12s %-24s %s\n", repo, tag,
		       short_id(json_string_value(json_object_get(rec, "id"))), created, size);
}

/* One row of `images` as --format TEMPLATE sees it: docker's fields. */
static json_t *image_item(json_t *rec, const char *name, int no_trunc)
{
	char repo[256] = "<none>", tag[160] = "<none>", created[64], size[32];
	const char *id = json_string_value(json_object_get(rec, "id")) ?: "";
	const char *first_digest = json_string_value(json_array_get(json_object_get(rec, "digests"), 0));
	const char *digest = first_digest && strchr(first_digest, '@') ? strchr(first_digest, '@') + 1 : "<none>";

	if (name)
		split_name(name, repo, sizeof(repo), tag, sizeof(tag));
	else if (first_digest)
		split_name(first_digest, repo, sizeof(repo), tag, sizeof(tag));
	created_ago(json_string_value(json_object_get(rec, "created")), created, sizeof(created));
	human_size((uint64_t)json_integer_value(json_object_get(rec, "size")), size, sizeof(size));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O?, s:s}", "Repository", repo, "Tag", tag, "ID",
			 no_trunc ? id : short_id(id), "Digest", digest, "CreatedSince", created, "CreatedAt",
			 json_object_get(rec, "created"), "Size", size);
}

/* --format TEMPLATE or table TEMPLATE (engine_format.h); --format json
 * stays the records themselves. */
static int print_images_formatted(json_t *list, const char *format, int no_trunc)
{
	_cleanup_json_ json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Repository",
						  "REPOSITORY", "Tag", "TAG", "ID", "IMAGE ID", "Digest", "DIGEST",
						  "CreatedSince", "CREATED", "CreatedAt", "CREATED AT", "Size", "SIZE");
	_cleanup_format_output_ struct format_output out = { 0 };
	struct silo_err err = { 0 };
	size_t i, j;
	json_t *rec, *name;

	if (format_output_open(&out, format,
			       "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}", fields,
			       NULL, &err) < 0) {
		fprintf(stderr, "silo images: %s\n", err.msg);
		return 125;
	}
	json_array_foreach(list, i, rec) {
		json_t *names = json_object_get(rec, "names");

		if (json_array_size(names) == 0) {
			_cleanup_json_ json_t *item = image_item(rec, NULL, no_trunc);

			format_output_add(&out, item, NULL);
		}
		json_array_foreach(names, j, name) {
			_cleanup_json_ json_t *item = image_item(rec, json_string_value(name), no_trunc);

			format_output_add(&out, item, NULL);
		}
	}
	format_output_finish(&out);
	return 0;
}

static int cmd_images(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' },
		{ "digests", no_argument, NULL, 'd' },
		{ "no-trunc", no_argument, NULL, 'n' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	_cleanup_json_ json_t *list = NULL;
	struct silo_err err = { 0 };
	int quiet = 0, json = 0, digests = 0, no_trunc = 0, c;
	const char *format = NULL;
	size_t i, j;
	json_t *rec, *name;

	while ((c = engine_next_option("images", argc, argv, "qf:", longopts)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'f':
			json = !strcmp(optarg, "json");
			format = json ? NULL : optarg;
			break;
		case 'd':
			digests = 1;
			break;
		case 'n':
			no_trunc = 1;
			break;
		default:
			return 125;
		}
	}
	if (optind != argc)
		return engine_usage_error("images", "%s", "takes no arguments");
	if (open_store(ctx, &store, "images"))
		return 1;
	if (images_list(&store, &list, &err) < 0)
		return fail("images", &err);
	if (format && !quiet)
		return print_images_formatted(list, format, no_trunc);
	if (json) {
		_cleanup_free_ char *text = json_dumps(list, JSON_INDENT(2));

		printf("%s\n", text ? text : "[]");
		return 0;
	}
	if (quiet) {
		json_array_foreach(list, i, rec) {
			const char *id = json_string_value(json_object_get(rec, "id"));

			printf("%s\n", no_trunc ? id : short_id(id));
		}
		return 0;
	}
	if (digests)
		printf("%-40s %-16s %-72s %-12s %-24s %s\n", "REPOSITORY", "TAG", "DIGEST", "IMAGE ID",
		       "CREATED", "SIZE");
	else
		printf("%-40s %-16s %-12s %-24s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
	json_array_foreach(list, i, rec) {
		json_t *names = json_object_get(rec, "names");

		if (json_array_size(names) == 0)
			print_image_row(rec, NULL, digests);
		json_array_foreach(names, j, name)
			print_image_row(rec, json_string_value(name), digests);
	}
	return 0;
}

/* ------------------------------------------------------------- rmi, tag -- */

static void print_line(void *opaque, const char *line)
{
	(void)opaque;
	printf("%s\n", line);
}

/* The images containers use ({image ID: a container's ID}), with the
 * store's "containers" lock held (returned), under which container records
 * appear: one made while images go waits, and its image is either seen in
 * use here or already gone when it looks. */
static int images_in_use(const struct store *store, json_t **in_use, struct silo_err *err)
{
	_cleanup_json_ json_t *records = NULL;
	_cleanup_close_ int lock = store_lock(store, "containers", err);
	size_t i;
	json_t *rec;

	if (lock < 0 || record_list(store->root, &records, err) < 0)
		return -1;
	*in_use = json_object();
	if (!*in_use)
		return silo_err_sys(err, ENOMEM, "images in use");
	json_array_foreach(records, i, rec) {
		const char *id = json_string_value(json_object_get(rec, "imageId"));

		if (id)
			json_object_set(*in_use, id, json_object_get(rec, "id"));
	}
	return steal_fd(&lock);
}

static int cmd_rmi(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	int force = 0, c, status = 0;

	while ((c = engine_next_option("rmi", argc, argv, "f", longopts)) != -1) {
		if (c != 'f')
			return 125;
		force = 1;
	}
	if (optind == argc)
		return engine_usage_error("rmi", "%s", "wants at least one image");
	_cleanup_json_ json_t *in_use = NULL;
	_cleanup_close_ int lock = -1;
	struct silo_err err = { 0 };

	if (open_store(ctx, &store, "rmi"))
		return 1;
	lock = images_in_use(&store, &in_use, &err);
	if (lock < 0)
		return fail("rmi", &err);
	for (int i = optind; i < argc; i++) {
		if (images_remove(&store, argv[i], force, in_use, print_line, NULL, &err) < 0) {
			status = fail("rmi", &err);
			silo_err_clear(&err);
		}
	}
	return status;
}

static int cmd_tag(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	_cleanup_store_ struct store store = { .root_fd = -1 };
	struct silo_err err = { 0 };

	if (engine_next_option("tag", argc, argv, "", longopts) != -1)
		return 125;
	if (argc - optind != 2)
		return engine_usage_error("tag", "%s", "wants SOURCE_IMAGE and TARGET_IMAGE");
	if (open_store(ctx, &store, "tag"))
		return 1;
	if (images_tag(&store, argv[optind], argv[optind + 1], &err) < 0)
		return fail("tag", &err);
	return 0;
}


/* ------------------------------------------------------------------ load -- */

static int cmd_load(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	struct silo_err err = { 0 };
	const char *input = NULL;
	int quiet = 0, c;

	while ((c = engine_next_option("load", argc, argv, "i:q", longopts)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return 125;
		}
	}
	if (optind != argc)
		return engine_usage_error("load", "%s", "takes no arguments (the archive is -i FILE or standard input)");
	if ((!input || !strcmp(input, "-")) && isatty(STDIN_FILENO))
		return engine_usage_error("load", "%s", "wants -i FILE, or an archive on standard input (not a terminal)");
	if (open_store(ctx, &store, "load"))
		return 1;
	if (image_archive_load(&store, input, quiet ? NULL : print_line, NULL, &err) < 0)
		return fail("load", &err);
	return 0;
}

/* ------------------------------------------------------------------ save -- */

struct save_source {
	const struct store *store;
	char *const *refs;
	size_t n;
	enum image_save_format format;
};

static int save_contents(int fd, void *opaque, struct silo_err *err)
{
	const struct save_source *src = opaque;

	return image_save(src->store, src->refs, src->n, src->format, fd, err);
}

static int save_to_file(const struct store *store, char *const *refs, size_t n,
			enum image_save_format format, const char *output, struct silo_err *err)
{
	struct save_source src = { store, refs, n, format };

	return session_write_file(output, save_contents, &src, err);
}

static int cmd_save(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	enum image_save_format format = IMAGE_SAVE_DOCKER_ARCHIVE;
	struct silo_err err = { 0 };
	const char *output = NULL;
	int c;

	while ((c = engine_next_option("save", argc, argv, "o:", longopts)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "docker-archive"))
				format = IMAGE_SAVE_DOCKER_ARCHIVE;
			else if (!strcmp(optarg, "oci-archive"))
				format = IMAGE_SAVE_OCI_ARCHIVE;
			else
				return engine_usage_error("save", "--format wants docker-archive or oci-archive, not \"%s\"",
							  optarg);
			break;
		default:
			return 125;
		}
	}
	if (optind == argc)
		return engine_usage_error("save", "%s", "wants at least one image");
	if (!output && isatty(STDOUT_FILENO)) {
		log_error("save: cowardly refusing to save to a terminal. Use the -o flag or redirect");
		return 1;
	}
	if (open_store(ctx, &store, "save"))
		return 1;
	if (output ? save_to_file(&store, argv + optind, (size_t)(argc - optind), format, output, &err) :
		     image_save(&store, argv + optind, (size_t)(argc - optind), format, STDOUT_FILENO, &err))
		return fail("save", &err);
	return 0;
}

/* ---------------------------------------------------------------- import -- */

static int cmd_import(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "change", required_argument, NULL, 'c' },
		{ "message", required_argument, NULL, 'm' },
		{ "platform", required_argument, NULL, 'p' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	_cleanup_json_ json_t *config = json_object();
	_cleanup_close_ int fd = -1;
	struct image_import_options opts = { 0 };
	struct silo_err err = { 0 };
	char id[DIGEST_STRING_LENGTH + 1];
	int c;

	platform_host(&opts.platform);
	while ((c = engine_next_option("import", argc, argv, "c:m:", longopts)) != -1) {
		switch (c) {
		case 'c':
			if (image_import_change(config, optarg, &err) < 0)
				return fail("import", &err);
			break;
		case 'm':
			opts.message = optarg;
			break;
		case 'p':
			if (platform_parse(optarg, &opts.platform, &err) < 0)
				return fail("import", &err);
			break;
		default:
			return 125;
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return engine_usage_error("import", "%s", "wants a FILE (or - for standard input) and an optional REPOSITORY[:TAG]");
	opts.source = argv[optind];
	opts.ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	opts.config = json_object_size(config) ? config : NULL;
	if (strstr(opts.source, "://")) {
		log_error("import: importing from a URL is not supported; download \"%s\" first", opts.source);
		return 1;
	}
	if (!strcmp(opts.source, "-")) {
		if (isatty(STDIN_FILENO))
			return engine_usage_error("import", "%s", "wants a tarball on standard input (not a terminal)");
		fd = dup(STDIN_FILENO);
	} else {
		fd = open(opts.source, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		silo_err_errno(&err, "open \"%s\"", opts.source);
		return fail("import", &err);
	}
	if (open_store(ctx, &store, "import"))
		return 1;
	if (image_import(&store, fd, &opts, id, &err) < 0)
		return fail("import", &err);
	printf("%s\n", id);
	return 0;
}

/* --------------------------------------------------------------- history -- */

struct history_row {
	const char *id; /* the image's ID on the newest row, else "<missing>" */
	const char *created;
	const char *created_by;
	const char *comment;
	uint64_t size;
};

/* docker's ellipsis: 45 characters at most, the last one "…". */
static void ellipsis(const char *s, char *out, size_t size, int no_trunc)
{
	size_t chars = 0, i;

	for (i = 0; s[i] && (no_trunc || chars < 45); i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	if (no_trunc || !s[i]) {
		snprintf(out, size, "%s", s);
	} else {
		/* Back to the start of the 45th character, then the mark. */
		size_t keep = i;

		while (keep > 0 && ((unsigned char)s[keep - 1] & 0xc0) == 0x80)
			keep--;
		keep--;
		snprintf(out, size, "%.*s…", (int)keep, s);
	}
	for (char *p = out; *p; p++)
		if (*p == '\t' || *p == '\n')
			*p = ' ';
}

enum { HISTORY_ID, HISTORY_CREATED, HISTORY_BY, HISTORY_SIZE, HISTORY_COMMENT, HISTORY_COLUMNS };

struct history_cells {
	char text[HISTORY_COLUMNS][4096];
};

static void history_cells(const struct history_row *row, int human, int no_trunc,
			  struct history_cells *c)
{
	if (human)
		created_ago(row->created, c->text[HISTORY_CREATED], sizeof(c->text[0]));
	else
		snprintf(c->text[HISTORY_CREATED], sizeof(c->text[0]), "%s", row->created ? row->created : "");
	if (human)
		human_size(row->size, c->text[HISTORY_SIZE], sizeof(c->text[0]));
	else
		snprintf(c->text[HISTORY_SIZE], sizeof(c->text[0]), "%llu", (unsigned long long)row->size);
	snprintf(c->text[HISTORY_ID], sizeof(c->text[0]), "%s",
		 strcmp(row->id, "<missing>") && !no_trunc ? short_id(row->id) : row->id);
	ellipsis(row->created_by ? row->created_by : "", c->text[HISTORY_BY], sizeof(c->text[0]), no_trunc);
	snprintf(c->text[HISTORY_COMMENT], sizeof(c->text[0]), "%s", row->comment ? row->comment : "");
}

static void print_history_json(const struct history_row *row, const struct history_cells *c)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *text = NULL;
	char since[64];

	created_ago(row->created, since, sizeof(since));
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Comment", row->comment ? row->comment : "", "CreatedAt",
		      row->created ? row->created : "", "CreatedBy", row->created_by ? row->created_by : "",
		      "CreatedSince", since, "ID", row->id, "Size", c->text[HISTORY_SIZE]);
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (text)
		printf("%s\n", text);
}

/* Characters, not bytes: "…" is one column wide. */
static size_t display_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* docker's table: each column as wide as its widest cell, three spaces
 * between. */
static void print_history_table(const struct history_cells *cells, size_t n)
{
	static const char *const heads[HISTORY_COLUMNS] = { "IMAGE", "CREATED", "CREATED BY", "SIZE",
							    "COMMENT" };
	size_t width[HISTORY_COLUMNS];

	for (int col = 0; col < HISTORY_COLUMNS; col++) {
		width[col] = strlen(heads[col]);
		for (size_t i = 0; i < n; i++)
			if (display_width(cells[i].text[col]) > width[col])
				width[col] = display_width(cells[i].text[col]);
	}
	for (size_t i = 0; i <= n; i++) {
		for (int col = 0; col < HISTORY_COLUMNS; col++) {
			const char *text = i == 0 ? heads[col] : cells[i - 1].text[col];

			if (col == HISTORY_COMMENT)
				printf("%s\n", text);
			else
				printf("%s%*s", text, (int)(width[col] - display_width(text) + 3), "");
		}
	}
}

static int cmd_history(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "human", optional_argument, NULL, 'H' },
		{ "no-trunc", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'f' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *config = NULL;
	_cleanup_free_ struct history_row *rows = NULL;
	_cleanup_free_ struct history_cells *cells = NULL;
	struct silo_err err = { 0 };
	int human = 1, no_trunc = 0, quiet = 0, json = 0, c;
	json_t *history, *layers, *entry;
	size_t n = 0, layer = 0, i;

	while ((c = engine_next_option("history", argc, argv, "H::q", longopts)) != -1) {
		switch (c) {
		case 'H':
			if (optarg && *optarg == '=')
				optarg++;
			if (engine_bool_option("history", "human", optarg, &human))
				return 125;
			break;
		case 'n':
			no_trunc = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'f':
			if (strcmp(optarg, "json"))
				return engine_usage_error("history", "--format supports only \"json\", not \"%s\"", optarg);
			json = 1;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind != 1)
		return engine_usage_error("history", "%s", "wants exactly one image");
	if (open_store(ctx, &store, "history"))
		return 1;
	if (images_find(&store, argv[optind], &rec, &err) < 0 ||
	    images_read_config(&store, rec, &config, &err) < 0)
		return fail("history", &err);
	history = json_object_get(config, "history");
	layers = json_object_get(rec, "layers");
	/* An image without history (some builders leave it out) gets a row
	 * per layer. */
	rows = calloc(json_array_size(history) + json_array_size(layers) + 1, sizeof(*rows));
	if (!rows)
		return 1;
	json_array_foreach(history, i, entry) {
		struct history_row *row = &rows[n++];

		row->id = "<missing>";
		row->created = json_string_value(json_object_get(entry, "created"));
		row->created_by = json_string_value(json_object_get(entry, "created_by"));
		row->comment = json_string_value(json_object_get(entry, "comment"));
		if (!json_is_true(json_object_get(entry, "empty_layer")) && layer < json_array_size(layers))
			row->size = layer_size(&store, json_string_value(json_array_get(layers, layer++)));
	}
	if (n == 0) {
		json_array_foreach(layers, i, entry) {
			rows[n].id = "<missing>";
			rows[n].created = json_string_value(json_object_get(config, "created"));
			rows[n++].size = layer_size(&store, json_string_value(entry));
		}
	}
	if (n > 0)
		rows[n - 1].id = json_string_value(json_object_get(rec, "id"));
	if (quiet) {
		for (i = n; i-- > 0;)
			printf("%s\n", strcmp(rows[i].id, "<missing>") && !no_trunc ? short_id(rows[i].id) : rows[i].id);
		return 0;
	}
	cells = calloc(n ? n : 1, sizeof(*cells));
	if (!cells)
		return 1;
	/* Newest first. */
	for (i = 0; i < n; i++) {
		history_cells(&rows[n - 1 - i], human, no_trunc, &cells[i]);
		if (json)
			print_history_json(&rows[n - 1 - i], &cells[i]);
	}
	if (!json)
		print_history_table(cells, n);
	return 0;
}

/* --------------------------------------------------------- image inspect -- */

static json_t *familiar_list(json_t *names)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v) {
		_cleanup_free_ char *familiar = image_ref_familiar(json_string_value(v));

		json_array_append_new(out, json_string(familiar ? familiar : json_string_value(v)));
	}
	return out;
}

static json_t *config_string(json_t *config, const char *key)
{
	const char *s = json_string_value(json_object_get(config, key));

	return json_string(s ? s : "");
}

/* overlayfs's lowerdir order: the top layer first. */
static json_t *graph_driver(const struct store *store, json_t *rec)
{
	json_t *layers = json_object_get(rec, "layers");
	size_t cap = 1, used = 0;
	_cleanup_free_ char *lower = NULL;

	for (size_t i = json_array_size(layers); i-- > 0;) {
		_cleanup_free_ char *dir = store_layer_path(store, json_string_value(json_array_get(layers, i)));
		size_t len = dir ? strlen(dir) + 6 : 0;
		char *grown;

		if (!dir || !(grown = realloc(lower, cap + len + 1)))
			return json_null();
		lower = grown;
		used += (size_t)snprintf(lower + used, len + 2, "%s%s/diff", used ? ":" : "", dir);
		cap += len + 1;
	}
	return json_pack("{s:s,s:{s:s}}", "Name", "overlay", "Data", "LowerDir", lower ? lower : "");
}

static json_t *inspect_image(const struct store *store, json_t *rec, json_t *config)
{
	json_t *out;
	const char *variant = json_string_value(json_object_get(config, "variant"));
	json_t *container_config = json_object_get(config, "config");
	const char *created = json_string_value(json_object_get(config, "created"));

	out = json_pack("{s:O,s:o,s:o,s:s,s:o,s:s,s:o,s:o,s:O,s:o}", "Id", json_object_get(rec, "id"),
			"RepoTags", familiar_list(json_object_get(rec, "names")), "RepoDigests",
			familiar_list(json_object_get(rec, "digests")), "Parent", "", "Comment",
			config_string(config, "comment"), "Created", created ? created : "", "DockerVersion",
			config_string(config, "docker_version"), "Author", config_string(config, "author"),
			"Config", container_config ? container_config : json_null(), "Architecture",
			config_string(config, "architecture"));
	if (!out)
		return NULL;
	if (variant)
		json_object_set_new(out, "Variant", json_string(variant));
	json_object_set_new(out, "Os", config_string(config, "os"));
	json_object_set(out, "Size", json_object_get(rec, "size"));
	json_object_set_new(out, "GraphDriver", graph_driver(store, rec));
	json_object_set_new(out, "RootFS", json_pack("{s:s,s:O}", "Type", "layers", "Layers",
						     json_object_get(rec, "diffIDs")));
	json_object_set_new(out, "Metadata", json_pack("{s:s}", "LastTagTime", "0001-01-01T00:00:00Z"));
	return out;
}

static int cmd_image_inspect(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	_cleanup_json_ json_t *all = json_array();
	_cleanup_free_ char *text = NULL;
	int status = 0, c;

	while ((c = engine_next_option("image inspect", argc, argv, "f:", longopts)) != -1) {
		if (c != 'f')
			return 125;
		if (strcmp(optarg, "json"))
			return engine_usage_error("image inspect", "--format supports only \"json\", not \"%s\"", optarg);
	}
	if (optind == argc)
		return engine_usage_error("image inspect", "%s", "wants at least one image");
	if (open_store(ctx, &store, "image inspect"))
		return 1;
	for (int i = optind; i < argc; i++) {
		_cleanup_json_ json_t *rec = NULL;
		_cleanup_json_ json_t *config = NULL;
		struct silo_err err = { 0 };
		json_t *shown;

		if (images_find(&store, argv[i], &rec, &err) < 0 ||
		    images_read_config(&store, rec, &config, &err) < 0) {
			status = fail("image inspect", &err);
			continue;
		}
		shown = inspect_image(&store, rec, config);
		if (shown)
			json_array_append_new(all, shown);
	}
	/* As docker: what was found is printed even when some was not. */
	text = json_dumps(all, JSON_INDENT(4));
	printf("%s\n", text ? text : "[]");
	return status;
}

/* ----------------------------------------------------------- image prune -- */

/* Counts the lines printed, so that "Deleted Images:" heads a list only
 * when there is one. */
struct prune_report {
	const char *header;
	int lines;
};

static void print_prune_line(void *opaque, const char *line)
{
	struct prune_report *r = opaque;

	if (!r->lines++)
		printf("%s", r->header);
	printf("%s\n", line);
}

int engine_prune_images(const struct store *store, struct images_prune_filter *filter,
			const char *header, uint64_t *reclaimed, int *printed, struct silo_err *err)
{
	_cleanup_json_ json_t *in_use = NULL;
	struct prune_report report = { .header = header };
	_cleanup_close_ int lock = images_in_use(store, &in_use, err);
	int r;

	if (lock < 0)
		return -1;
	filter->in_use = in_use;
	r = images_prune(store, filter, print_prune_line, &report, reclaimed, err);
	filter->in_use = NULL;
	*printed = report.lines > 0;
	return r;
}

#define IMAGE_PRUNE_USAGE                                                                        \
	"Usage:  silo image prune [OPTIONS]\n\nRemove unused images\n\nOptions:\n"                 \
	"  -a, --all             Remove all images no container uses, not just untagged ones\n"   \
	"      --filter filter   until=TIMESTAMP (created before: a duration such as 24h, a Unix\n" \
	"                        timestamp or an RFC 3339 date), label=KEY[=VALUE], label!=KEY[=VALUE]\n" \
	"  -f, --force           Do not prompt for confirmation\n"

static int cmd_image_prune(const struct engine_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ 0 },
	};
	_cleanup_store_ struct store store = { .root_fd = -1 };
	_cleanup_strv_ char **labels = NULL;
	_cleanup_strv_ char **labels_not = NULL;
	struct images_prune_filter filter = { 0 };
	struct silo_err err = { 0 };
	uint64_t reclaimed = 0;
	int force = 0, printed = 0, c;
	char size[32];

	while ((c = engine_next_option("image prune", argc, argv, "af", longopts)) != -1) {
		switch (c) {
		case 'a':
			filter.all = 1;
			break;
		case 'f':
			force = 1;
			break;
		case 'F':
			if (!strncmp(optarg, "until=", 6)) {
				struct timespec now, until;

				clock_gettime(CLOCK_REALTIME, &now);
				if (clock_parse_point(optarg + 6, &now, &until) < 0)
					return engine_usage_error("image prune",
								  "invalid --filter \"%s\": until wants a duration "
								  "(10m, 1h30m), a Unix timestamp or an RFC 3339 date",
								  optarg);
				filter.until = (double)until.tv_sec + until.tv_nsec / 1e9;
				filter.has_until = 1;
			} else if (!strncmp(optarg, "label=", 6) && optarg[6] && optarg[6] != '=') {
				if (strv_push(&labels, optarg + 6) < 0)
					return 125;
			} else if (!strncmp(optarg, "label!=", 7) && optarg[7] && optarg[7] != '=') {
				if (strv_push(&labels_not, optarg + 7) < 0)
					return 125;
			} else {
				return engine_usage_error("image prune",
							  "invalid --filter \"%s\": want until=TIMESTAMP, "
							  "label=KEY[=VALUE] or label!=KEY[=VALUE]",
							  optarg);
			}
			break;
		default:
			return 125;
		}
	}
	if (optind != argc)
		return engine_usage_error("image prune", "takes no arguments, not \"%s\"", argv[optind]);
	filter.labels = labels;
	filter.n_labels = strv_length(labels);
	filter.labels_not = labels_not;
	filter.n_labels_not = strv_length(labels_not);
	if (!force && !session_confirm(filter.all ? "This will remove all images without at least one "
						    "container associated to them."
						  : "This will remove all dangling images."))
		return 0;
	if (open_store(ctx, &store, "image prune"))
		return 125;
	if (engine_prune_images(&store, &filter, "Deleted Images:\n", &reclaimed, &printed, &err) < 0) {
		fail("image prune", &err);
		return 125;
	}
	session_human_size(reclaimed, size, sizeof(size));
	printf("%sTotal reclaimed space: %s\n", printed ? "\n" : "", size);
	return 0;
}

/* ----------------------------------------------------------- image group -- */

static const struct {
	const char *name, *command;
} image_subcommands[] = {
	{ "history", "history" }, { "import", "import" }, { "inspect", NULL },  { "load", "load" },
	{ "ls", "images" },       { "list", "images" },   { "pull", "pull" },   { "rm", "rmi" },
	{ "remove", "rmi" },      { "save", "save" },     { "tag", "tag" },
};

#define IMAGE_GROUP_USAGE                                                                        \
	"Usage:  silo image COMMAND\n\nManage images\n\nCommands:\n"                             \
	"  history     Show the history of an image\n"                                           \
	"  import      Import the contents from a tarball to create a filesystem image\n"        \
	"  inspect     Display detailed information on one or more images\n"                     \
	"  load        Load an image from a tar archive or STDIN\n"                              \
	"  ls          List images\n"                                                            \
	"  prune       Remove unused images (untagged ones; -a: every one no container uses)\n"  \
	"  pull        Download an image from a registry\n"                                      \
	"  rm          Remove one or more images\n"                                              \
	"  save        Save one or more images to a tar archive (streamed to STDOUT by default)\n" \
	"  tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n"

static int cmd_image(const struct engine_context *ctx, int argc, char **argv)
{
	_cleanup_free_ char **args = NULL;
	const char *command = NULL;
	int found = 0, n = 0;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("%s", IMAGE_GROUP_USAGE);
		return argc < 2 ? 125 : 0;
	}
	for (size_t i = 0; i < sizeof(image_subcommands) / sizeof(image_subcommands[0]); i++) {
		if (!strcmp(argv[1], image_subcommands[i].name)) {
			command = image_subcommands[i].command;
			found = 1;
		}
	}
	if (!strcmp(argv[1], "prune")) {
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
				printf("%s", IMAGE_PRUNE_USAGE);
				return 0;
			}
		optind = 1;
		return cmd_image_prune(ctx, argc - 1, argv + 1);
	}
	if (!found)
		return engine_usage_error("image", "unknown command \"%s\"", argv[1]);
	if (!command) {
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
				printf("Usage:  silo image inspect [OPTIONS] IMAGE [IMAGE...]\n\n"
				       "Display detailed information on one or more images\n\nOptions:\n"
				       "  -f, --format json   Print JSON (the default)\n");
				return 0;
			}
		optind = 1;
		return cmd_image_inspect(ctx, argc - 1, argv + 1);
	}
	/* The others are the top-level commands under another name. */
	args = calloc((size_t)argc + 4, sizeof(char *));
	if (!args)
		return 1;
	args[n++] = "silo";
	if (ctx->root) {
		args[n++] = "--root";
		args[n++] = (char *)ctx->root;
	}
	args[n++] = (char *)command;
	for (int i = 2; i < argc; i++)
		args[n++] = argv[i];
	return engine_main(n, args);
}

/* ----------------------------------------------------------------- table -- */

const struct engine_command engine_image_commands[] = {
	{ "pull", "Download an image from a registry",
	  "Usage:  silo pull [OPTIONS] NAME[:TAG|@DIGEST]\n\nOptions:\n"
	  "      --platform string     Pull this platform (os/arch[/variant]) from a multi-platform image\n"
	  "  -q, --quiet               Print only the image ID\n"
	  "      --tls-verify bool     Verify the registry's certificate (default: per configuration)\n",
	  cmd_pull },
	{ "images", "List images",
	  "Usage:  silo images [OPTIONS]\n\nOptions:\n"
	  "      --digests        Show digests\n"
	  "      --format string  json: the image records as JSON; or a template of\n"
	  "                       {{.Repository}}, {{.Tag}}, {{.ID}}, {{.Digest}}, {{.CreatedSince}},\n"
	  "                       {{.CreatedAt}}, {{.Size}}, {{json .}} (\"table \" first for headers)\n"
	  "      --no-trunc       Do not truncate IDs\n"
	  "  -q, --quiet          Only show image IDs\n",
	  cmd_images },
	{ "image", "Manage images (image ls, image inspect, image rm ...)", IMAGE_GROUP_USAGE, cmd_image, 1 },
	{ "rmi", "Remove one or more images",
	  "Usage:  silo rmi [OPTIONS] IMAGE [IMAGE...]\n\nOptions:\n"
	  "  -f, --force   Remove an image with several names by ID\n",
	  cmd_rmi },
	{ "tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
	  "Usage:  silo tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n", cmd_tag },
	{ "history", "Show the history of an image",
	  "Usage:  silo history [OPTIONS] IMAGE\n\nOptions:\n"
	  "      --format json   One JSON object per line\n"
	  "  -H, --human bool    Sizes and dates for humans (default true)\n"
	  "      --no-trunc      Do not truncate the output\n"
	  "  -q, --quiet         Only show image IDs\n",
	  cmd_history },
	{ "load", "Load images from a tar archive (docker-archive or oci-archive) or STDIN",
	  "Usage:  silo load [OPTIONS]\n\nOptions:\n"
	  "  -i, --input string   The archive, instead of STDIN: what docker save, podman save or\n"
	  "                       skopeo write (docker-archive), or an OCI layout as a tar; compressed or not\n"
	  "  -q, --quiet          Print nothing\n",
	  cmd_load },
	{ "save", "Save one or more images to a tar archive (streamed to STDOUT by default)",
	  "Usage:  silo save [OPTIONS] IMAGE [IMAGE...]\n\nOptions:\n"
	  "      --format string   docker-archive (the default) or oci-archive\n"
	  "  -o, --output string   Write to a file, instead of STDOUT\n",
	  cmd_save },
	{ "import", "Import the contents from a tarball to create a filesystem image",
	  "Usage:  silo import [OPTIONS] file|- [REPOSITORY[:TAG]]\n\nOptions:\n"
	  "  -c, --change list       Apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV,\n"
	  "                          EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)\n"
	  "  -m, --message string    The comment of the image's history entry\n"
	  "      --platform string   The platform the image is for (default: the host's)\n",
	  cmd_import },
	{ NULL, NULL, NULL, NULL },
};
