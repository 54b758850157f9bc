/* The image commands (see engine_images.h). Output follows docker's
 * shapes: `images` prints REPOSITORY, TAG, IMAGE ID, CREATED, SIZE; `pull`
 * one line per layer step ("<id>: Pull complete") then Digest and Status;
 * `load` "Loaded image: NAME". */
#include "cli/engine_images.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "image/image_archive.h"
#include "image/images.h"
#include "image/pull.h"
#include "image/reference.h"
#include "image/save.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/log.h"

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
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lluB", (unsigned long long)bytes);
	else
		snprintf(buf, size, "%.3g%s", v, units[u]);
}

static const char *short_id(const char *digest)
{
	static char buf[13];

	snprintf(buf, sizeof(buf), "%.12s", !strncmp(digest, "sha256:", 7) ? digest + 7 : digest);
	return buf;
}

/* ------------------------------------------------------------------ pull -- */

struct pull_display {
	int quiet;
	int tty;
	int downloaded;
	uint64_t have, total;
	time_t started;
};

static void on_pull_event(void *opaque, const struct pull_event *ev)
{
	struct pull_display *d = opaque;
	char have[32], total[32];

	if (ev->kind == PULL_EVENT_LAYER_WAITING)
		d->downloaded = 1;
	if (d->quiet)
		return;
	switch (ev->kind) {
	case PULL_EVENT_RESOLVED:
		break;
	case PULL_EVENT_LAYER_EXISTS:
		printf("%s: Already exists\n", short_id(ev->digest));
		break;
	case PULL_EVENT_LAYER_WAITING:
		printf("%s: Pulling fs layer\n", short_id(ev->digest));
		d->total += ev->total > 0 ? (uint64_t)ev->total : 0;
		break;
	case PULL_EVENT_LAYER_BYTES:
		/* On a terminal one status line is redrawn; logs get only
		 * the steps. */
		if (d->tty) {
			double secs = difftime(time(NULL), d->started);

			human_size(ev->have, have, sizeof(have));
			human_size((uint64_t)(ev->total > 0 ? ev->total : 0), total, sizeof(total));
			printf("\r\033[K%s: Downloading %s/%s", short_id(ev->digest), have, total);
			if (secs > 0) {
				human_size((uint64_t)((double)ev->have / secs), have, sizeof(have));
				printf(" (%s/s)", have);
			}
			fflush(stdout);
		}
		break;
	case PULL_EVENT_LAYER_DONE:
		if (d->tty)
			printf("\r\033[K");
		printf("%s: Pull complete\n", short_id(ev->digest));
		break;
	}
	fflush(stdout);
}

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
	struct pull_display display = { .started = time(NULL) };
	struct pull_options opts = { .tls_verify = -1, .progress = on_pull_event, .opaque = &display };
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
			display.quiet = 1;
			break;
		case 't':
			if (strcmp(optarg, "true") && strcmp(optarg, "false"))
				return engine_usage_error("pull", "--tls-verify wants true or false, not \"%s\"", optarg);
			opts.tls_verify = !strcmp(optarg, "true");
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
	display.tty = isatty(STDOUT_FILENO);
	name = image_ref_string(&ref);
	if (!display.quiet)
		printf("%s: Pulling from %s\n", ref.tag ? ref.tag : ref.digest, ref.repository);
	if (pull_image(&store, &ref, &opts, id, &err) < 0)
		return fail("pull", &err);
	if (display.quiet) {
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
		       display.downloaded ? "Downloaded newer image for" : "Image is up to date for", familiar);
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
	size_t i, j;
	json_t *rec, *name;

	while ((c = engine_next_option("images", argc, argv, "qf:", longopts)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'f':
			if (strcmp(optarg, "json"))
				return engine_usage_error("images", "--format supports only \"json\", not \"%s\"", optarg);
			json = 1;
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
	if (open_store(ctx, &store, "rmi"))
		return 1;
	for (int i = optind; i < argc; i++) {
		struct silo_err err = { 0 };

		if (images_remove(&store, argv[i], force, print_line, NULL, &err) < 0)
			status = fail("rmi", &err);
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

/* -o FILE is written beside FILE and renamed over it once complete, so a
 * failed or killed save never leaves a torn archive under that name. */
static int save_to_file(const struct store *store, char *const *refs, size_t n,
			enum image_save_format format, const char *output, struct silo_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;

	if (asprintf(&tmp, "%s.silo-XXXXXX", output) < 0)
		return silo_err_sys(err, ENOMEM, "save");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return silo_err_errno(err, "create \"%s\"", tmp);
	if (image_save(store, refs, n, format, fd, err) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    rename(tmp, output) < 0) {
		if (!err->msg[0])
			silo_err_errno(err, "write \"%s\"", output);
		unlink(tmp);
		return -1;
	}
	return 0;
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
	  "      --format json    Print the image records as JSON\n"
	  "      --no-trunc       Do not truncate IDs\n"
	  "  -q, --quiet          Only show image IDs\n",
	  cmd_images },
	{ "rmi", "Remove one or more images",
	  "Usage:  silo rmi [OPTIONS] IMAGE [IMAGE...]\n\nOptions:\n"
	  "  -f, --force   Remove an image with several names by ID\n",
	  cmd_rmi },
	{ "tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
	  "Usage:  silo tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n", cmd_tag },
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
	{ NULL, NULL, NULL, NULL },
};
