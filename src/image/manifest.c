/* Parsing manifests, indexes and image configs; platform matching. */
#include "image/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <jansson.h>

#include "image/digest.h"
#include "image/reference.h"
#include "util/cleanup.h"

static void descriptor_free(struct descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	memset(d, 0, sizeof(*d));
}

void manifest_free(struct manifest *m)
{
	free(m->media_type);
	descriptor_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_free(&m->layers[i]);
	free(m->layers);
	for (size_t i = 0; i < m->n_manifests; i++)
		descriptor_free(&m->manifests[i]);
	free(m->manifests);
	memset(m, 0, sizeof(*m));
}

static void copy_field(char *dst, size_t size, json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	snprintf(dst, size, "%s", s ? s : "");
}

static int parse_descriptor(json_t *j, const char *what, struct descriptor *out,
			    struct silo_err *err)
{
	const char *media = json_string_value(json_object_get(j, "mediaType"));
	const char *digest = json_string_value(json_object_get(j, "digest"));
	json_t *size = json_object_get(j, "size");
	json_t *platform = json_object_get(j, "platform");

	if (!json_is_object(j))
		return silo_err_set(err, EINVAL, "%s is not an object", what);
	if (!digest || !image_ref_digest_valid(digest))
		return silo_err_set(err, EINVAL, "%s: missing or unsupported digest \"%s\"", what,
				    digest ? digest : "");
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return silo_err_set(err, EINVAL, "%s %s: missing or negative size", what, digest);
	out->media_type = strdup(media ? media : "");
	out->digest = strdup(digest);
	out->size = json_integer_value(size);
	if (!out->media_type || !out->digest)
		return silo_err_sys(err, ENOMEM, "parse manifest");
	if (json_is_object(platform)) {
		out->has_platform = 1;
		copy_field(out->platform.os, sizeof(out->platform.os), platform, "os");
		copy_field(out->platform.architecture, sizeof(out->platform.architecture), platform,
			   "architecture");
		copy_field(out->platform.variant, sizeof(out->platform.variant), platform, "variant");
	}
	return 0;
}

static int parse_descriptor_array(json_t *arr, const char *what, struct descriptor **out,
				  size_t *n, struct silo_err *err)
{
	size_t count = json_array_size(arr);

	if (!json_is_array(arr))
		return silo_err_set(err, EINVAL, "manifest has no %s array", what);
	*out = calloc(count ? count : 1, sizeof(**out));
	if (!*out)
		return silo_err_sys(err, ENOMEM, "parse manifest");
	*n = count;
	for (size_t i = 0; i < count; i++) {
		char label[64];

		snprintf(label, sizeof(label), "%s[%zu]", what, i);
		if (parse_descriptor(json_array_get(arr, i), label, &(*out)[i], err) < 0)
			return -1;
	}
	return 0;
}

static int is_schema1(const char *media)
{
	return !strcmp(media, MEDIA_DOCKER_SCHEMA1) || !strcmp(media, MEDIA_DOCKER_SCHEMA1_SIGNED) ||
	       !strcmp(media, "application/json");
}

int manifest_parse(const char *data, size_t len, const char *content_type, struct manifest *out,
		   struct silo_err *err)
{
	_cleanup_json_ json_t *root = NULL;
	json_error_t jerr;
	const char *media;
	json_int_t version;
	struct manifest m = { 0 };
	int r;

	if (len > MANIFEST_MAX_SIZE)
		return silo_err_set(err, EFBIG, "manifest is larger than %d bytes", MANIFEST_MAX_SIZE);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return silo_err_set(err, EINVAL, "manifest is not valid JSON (line %d, column %d: %s)",
				    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root))
		return silo_err_set(err, EINVAL, "manifest is not a JSON object");
	version = json_integer_value(json_object_get(root, "schemaVersion"));
	media = json_string_value(json_object_get(root, "mediaType"));
	/* The Content-Type is what the registry says it served; registries
	 * that send "application/json" or text/plain leave it to the
	 * document's own mediaType field. */
	if (content_type && (is_schema1(content_type) || !strcmp(content_type, MEDIA_DOCKER_MANIFEST) ||
			     !strcmp(content_type, MEDIA_DOCKER_LIST) ||
			     !strcmp(content_type, MEDIA_OCI_MANIFEST) ||
			     !strcmp(content_type, MEDIA_OCI_INDEX)) &&
	    strcmp(content_type, "application/json"))
		media = content_type;
	if (version == 1 || (media && is_schema1(media)))
		return silo_err_set(err, ENOTSUP,
				    "manifest is Docker schema 1, which is deprecated and not supported; "
				    "push the image again with a current client to get schema 2 or OCI");
	if (version != 2)
		return silo_err_set(err, EINVAL, "manifest has unsupported schemaVersion %lld",
				    (long long)version);
	if (!media) {
		/* OCI allows mediaType to be left out; the shape tells. */
		media = json_object_get(root, "manifests") ? MEDIA_OCI_INDEX : MEDIA_OCI_MANIFEST;
	}
	m.media_type = strdup(media);
	if (!m.media_type)
		return silo_err_sys(err, ENOMEM, "parse manifest");
	if (!strcmp(media, MEDIA_DOCKER_LIST) || !strcmp(media, MEDIA_OCI_INDEX)) {
		m.kind = MANIFEST_INDEX;
		r = parse_descriptor_array(json_object_get(root, "manifests"), "manifests", &m.manifests,
					   &m.n_manifests, err);
	} else if (!strcmp(media, MEDIA_DOCKER_MANIFEST) || !strcmp(media, MEDIA_OCI_MANIFEST)) {
		m.kind = MANIFEST_IMAGE;
		r = parse_descriptor(json_object_get(root, "config"), "config", &m.config, err);
		if (r == 0)
			r = parse_descriptor_array(json_object_get(root, "layers"), "layers", &m.layers,
						   &m.n_layers, err);
		if (r == 0 && m.config.size > MANIFEST_MAX_SIZE)
			r = silo_err_set(err, EFBIG, "image config is larger than %d bytes",
					 MANIFEST_MAX_SIZE);
	} else {
		r = silo_err_set(err, ENOTSUP, "unsupported manifest media type \"%s\"", media);
	}
	if (r < 0) {
		manifest_free(&m);
		return silo_err_prefix(err, "manifest");
	}
	*out = m;
	return 0;
}

int platform_parse(const char *text, struct platform *out, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(text);
	char *parts[3] = { 0 };
	int n = 0;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "parse platform");
	memset(out, 0, sizeof(*out));
	for (char *save = NULL, *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n == 3)
			return silo_err_set(err, EINVAL, "invalid platform \"%s\": want os/arch[/variant]",
					    text);
		parts[n++] = p;
	}
	if (n == 0)
		return silo_err_set(err, EINVAL, "invalid platform \"%s\": want os/arch[/variant]", text);
	if (n == 1) {
		snprintf(out->os, sizeof(out->os), "linux");
		snprintf(out->architecture, sizeof(out->architecture), "%s", parts[0]);
	} else {
		snprintf(out->os, sizeof(out->os), "%s", parts[0]);
		snprintf(out->architecture, sizeof(out->architecture), "%s", parts[1]);
		if (n == 3)
			snprintf(out->variant, sizeof(out->variant), "%s", parts[2]);
	}
	/* Docker's spellings for the same arm64 variant. */
	if (!strcmp(out->architecture, "aarch64"))
		snprintf(out->architecture, sizeof(out->architecture), "arm64");
	if (!strcmp(out->architecture, "x86_64"))
		snprintf(out->architecture, sizeof(out->architecture), "amd64");
	return 0;
}

void platform_host(struct platform *out)
{
	static const struct {
		const char *machine, *arch, *variant;
	} map[] = {
		{ "x86_64", "amd64", "" },   { "aarch64", "arm64", "v8" }, { "armv7l", "arm", "v7" },
		{ "armv6l", "arm", "v6" },   { "i686", "386", "" },        { "i386", "386", "" },
		{ "ppc64le", "ppc64le", "" }, { "s390x", "s390x", "" },    { "riscv64", "riscv64", "" },
	};
	struct utsname u;

	memset(out, 0, sizeof(*out));
	snprintf(out->os, sizeof(out->os), "linux");
	if (uname(&u) < 0)
		return;
	snprintf(out->architecture, sizeof(out->architecture), "%.31s", u.machine);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(u.machine, map[i].machine)) {
			snprintf(out->architecture, sizeof(out->architecture), "%s", map[i].arch);
			snprintf(out->variant, sizeof(out->variant), "%s", map[i].variant);
		}
}

void platform_format(const struct platform *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s%s", p->os, p->architecture, *p->variant ? "/" : "", p->variant);
}

/* arm64's only variant is v8: an index that names none means v8. */
static int variant_equal(const struct platform *a, const struct platform *b)
{
	const char *va = a->variant, *vb = b->variant;

	if (!strcmp(a->architecture, "arm64")) {
		if (!*va)
			va = "v8";
		if (!*vb)
			vb = "v8";
	}
	return !strcmp(va, vb);
}

int manifest_select_platform(const struct manifest *index, const struct platform *want,
			     const struct descriptor **out, struct silo_err *err)
{
	const struct descriptor *loose = NULL;
	char wanted[96];
	char have[512] = "";
	size_t used = 0;

	for (size_t i = 0; i < index->n_manifests; i++) {
		const struct descriptor *d = &index->manifests[i];
		char name[96];

		/* Attestations and other artifacts are not images to run. */
		if (!d->has_platform || !strcmp(d->platform.os, "unknown"))
			continue;
		if (strcmp(d->platform.os, want->os) || strcmp(d->platform.architecture, want->architecture)) {
			platform_format(&d->platform, name, sizeof(name));
			if (used < sizeof(have))
				used += (size_t)snprintf(have + used, sizeof(have) - used, "%s%s",
							 used ? ", " : "", name);
			continue;
		}
		if (variant_equal(&d->platform, want)) {
			*out = d;
			return 0;
		}
		if (!*want->variant || !*d->platform.variant) {
			if (!loose)
				loose = d;
		} else {
			platform_format(&d->platform, name, sizeof(name));
			if (used < sizeof(have))
				used += (size_t)snprintf(have + used, sizeof(have) - used, "%s%s",
							 used ? ", " : "", name);
		}
	}
	if (loose) {
		*out = loose;
		return 0;
	}
	platform_format(want, wanted, sizeof(wanted));
	return silo_err_set(err, ENOENT, "no image for platform %s in the manifest list (it has: %s)",
			    wanted, *have ? have : "nothing");
}

void image_config_free(struct image_config *c)
{
	if (c->diff_ids) {
		for (size_t i = 0; i < c->n_diff_ids; i++)
			free(c->diff_ids[i]);
		free(c->diff_ids);
	}
	free(c->created);
	memset(c, 0, sizeof(*c));
}

int image_config_parse(const char *data, size_t len, struct image_config *out,
		       struct silo_err *err)
{
	_cleanup_json_ json_t *root = NULL;
	json_error_t jerr;
	json_t *rootfs, *diff_ids;
	const char *type, *created;
	struct image_config c = { 0 };

	if (len > MANIFEST_MAX_SIZE)
		return silo_err_set(err, EFBIG, "image config is larger than %d bytes", MANIFEST_MAX_SIZE);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root))
		return silo_err_set(err, EINVAL, "image config is not a JSON object (line %d: %s)",
				    jerr.line, root ? "not an object" : jerr.text);
	rootfs = json_object_get(root, "rootfs");
	type = json_string_value(json_object_get(rootfs, "type"));
	diff_ids = json_object_get(rootfs, "diff_ids");
	if (!type || strcmp(type, "layers") || !json_is_array(diff_ids))
		return silo_err_set(err, EINVAL, "image config has no rootfs of type \"layers\" with diff_ids");
	c.n_diff_ids = json_array_size(diff_ids);
	c.diff_ids = calloc(c.n_diff_ids + 1, sizeof(char *));
	if (!c.diff_ids)
		return silo_err_sys(err, ENOMEM, "parse image config");
	for (size_t i = 0; i < c.n_diff_ids; i++) {
		const char *d = json_string_value(json_array_get(diff_ids, i));

		if (!d || !image_ref_digest_valid(d)) {
			image_config_free(&c);
			return silo_err_set(err, EINVAL, "image config: diff_ids[%zu] is not a sha256 digest", i);
		}
		c.diff_ids[i] = strdup(d);
		if (!c.diff_ids[i]) {
			image_config_free(&c);
			return silo_err_sys(err, ENOMEM, "parse image config");
		}
	}
	copy_field(c.platform.os, sizeof(c.platform.os), root, "os");
	copy_field(c.platform.architecture, sizeof(c.platform.architecture), root, "architecture");
	copy_field(c.platform.variant, sizeof(c.platform.variant), root, "variant");
	created = json_string_value(json_object_get(root, "created"));
	if (created && !(c.created = strdup(created))) {
		image_config_free(&c);
		return silo_err_sys(err, ENOMEM, "parse image config");
	}
	*out = c;
	return 0;
}

int image_chain_ids(char *const *diff_ids, size_t n, char **out, struct silo_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[2 * DIGEST_STRING_LENGTH + 2];
		char chain[DIGEST_STRING_LENGTH + 1];

		if (i == 0) {
			snprintf(chain, sizeof(chain), "%s", diff_ids[0]);
		} else {
			snprintf(buf, sizeof(buf), "%s %s", out[i - 1], diff_ids[i]);
			if (digest_buffer(buf, strlen(buf), chain, err) < 0)
				return -1;
		}
		out[i] = strdup(chain);
		if (!out[i])
			return silo_err_sys(err, ENOMEM, "compute chain IDs");
	}
	return 0;
}
