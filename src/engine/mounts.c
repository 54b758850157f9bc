/* Parsing -v, --mount and --tmpfs into mount entries, and turning entries
 * into config.json's mounts and inspect's "Mounts" (see mounts.h). Errors
 * follow docker's wording where docker has one, in one line. */
#include "engine/mounts.h"
#include "engine/resources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/fs.h"

int mounts_valid_volume_name(const char *name)
{
	return str_is_object_name(name, 2, 255);
}

static int is_propagation(const char *s)
{
	static const char *const modes[] = { "shared", "rshared", "slave", "rslave", "private", "rprivate" };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(s, modes[i]))
			return 1;
	return 0;
}

/* A container path: absolute, not "/", cleaned. flag and spec name what
 * the user gave, for the message. */
static char *clean_destination(const char *flag, const char *spec, const char *path,
			       struct silo_err *err)
{
	char *clean;

	if (!path || !*path) {
		silo_err_set(err, EINVAL, "invalid %s \"%s\": the container path is missing", flag, spec);
		return NULL;
	}
	if (path[0] != '/') {
		silo_err_set(err, EINVAL, "invalid %s \"%s\": the container path \"%s\" must be absolute", flag,
			     spec, path);
		return NULL;
	}
	clean = fs_absolute_path(path);
	if (!clean) {
		silo_err_sys(err, ENOMEM, "%s", flag);
		return NULL;
	}
	if (!strcmp(clean, "/")) {
		silo_err_set(err, EINVAL, "invalid %s \"%s\": the container path can't be \"/\"", flag, spec);
		free(clean);
		return NULL;
	}
	return clean;
}

static json_t *new_entry(const char *type, const char *source, const char *destination)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:s}", "type", type, "source", source ? source : "",
			 "destination", destination, "rw", 1, "mode", "");
}

/* A volume's source: a name, or "" for an anonymous one. */
static int check_volume_name(const char *flag, const char *spec, const char *name, struct silo_err *err)
{
	if (!*name || mounts_valid_volume_name(name))
		return 0;
	return silo_err_set(err, EINVAL,
			    "invalid %s \"%s\": \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed; to bind a host directory, give its absolute path",
			    flag, spec, name);
}

/* -v's MODE: ro|rw, z|Z (accepted, no SELinux relabelling here),
 * a propagation, nocopy; comma-separated, each kind at most once. */
static int apply_volume_mode(json_t *entry, const char *spec, const char *mode, int bind,
			     struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(mode);
	int seen_rw = 0, seen_label = 0, seen_propagation = 0, seen_copy = 0;
	char *save = NULL;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "-v");
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		int dup;

		if (!strcmp(opt, "ro") || !strcmp(opt, "rw")) {
			dup = seen_rw++;
			json_object_set_new(entry, "rw", json_boolean(!strcmp(opt, "rw")));
		} else if (!strcmp(opt, "z") || !strcmp(opt, "Z")) {
			dup = seen_label++;
		} else if (is_propagation(opt) && bind) {
			dup = seen_propagation++;
			json_object_set_new(entry, "propagation", json_string(opt));
		} else if (!strcmp(opt, "nocopy") && !bind) {
			dup = seen_copy++;
			json_object_set_new(entry, "copy", json_false());
		} else {
			return silo_err_set(err, EINVAL,
					    "invalid -v \"%s\": invalid mode \"%s\": want ro or rw, z or Z, %s",
					    spec, opt, bind ? "a propagation (rprivate, rshared, rslave ...)" : "nocopy");
		}
		if (dup)
			return silo_err_set(err, EINVAL, "invalid -v \"%s\": mode \"%s\" given twice",
					    spec, opt);
	}
	json_object_set_new(entry, "mode", json_string(mode));
	return 0;
}

int mounts_parse_volume_flag(const char *spec, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(spec);
	_cleanup_free_ char *destination = NULL;
	_cleanup_free_ char *source = NULL;
	_cleanup_json_ json_t *entry = NULL;
	char *fields[4] = { NULL };
	char *p;
	size_t n = 0;
	int bind;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "-v");
	for (p = copy; n < 4; n++) {
		fields[n] = p;
		p = strchr(p, ':');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (p || n > 3 || !*fields[0] || (n == 2 && (!strcmp(fields[1], "ro") || !strcmp(fields[1], "rw"))))
		return silo_err_set(err, EINVAL,
				    "invalid -v \"%s\": want SOURCE:DESTINATION[:MODE] or DESTINATION",
				    spec);
	if (n == 1) {
		destination = clean_destination("-v", spec, fields[0], err);
		if (!destination)
			return -1;
		entry = new_entry("volume", "", destination);
		json_object_set_new(entry, "anonymous", json_true());
		json_object_set_new(entry, "copy", json_true());
		*out = steal_pointer(&entry);
		return 0;
	}
	destination = clean_destination("-v", spec, fields[1], err);
	if (!destination)
		return -1;
	bind = fields[0][0] == '/';
	if (bind) {
		source = fs_absolute_path(fields[0]);
		if (!source)
			return silo_err_sys(err, ENOMEM, "-v");
		entry = new_entry("bind", source, destination);
		json_object_set_new(entry, "propagation", json_string("rprivate"));
		json_object_set_new(entry, "createSource", json_true());
	} else {
		if (check_volume_name("-v", spec, fields[0], err) < 0)
			return -1;
		entry = new_entry("volume", fields[0], destination);
		json_object_set_new(entry, "copy", json_true());
	}
	if (n == 3 && apply_volume_mode(entry, spec, fields[2], bind, err) < 0)
		return -1;
	*out = steal_pointer(&entry);
	return 0;
}

/* "true", "false", "1", "0", or nothing (a bare key means true). */
static int parse_bool(const char *value, int *out)
{
	if (!value || !strcmp(value, "true") || !strcmp(value, "1"))
		*out = 1;
	else if (!strcmp(value, "false") || !strcmp(value, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_octal_mode(const char *text, unsigned long *out)
{
	char *end;

	if (!text || !*text || strspn(text, "01234567") != strlen(text))
		return -1;
	*out = strtoul(text, &end, 8);
	return *out <= 07777 ? 0 : -1;
}

struct mount_flag {
	char *type, *source, *target, *propagation, *size, *mode;
	int readonly, nocopy, seen_bind_option, seen_volume_option, seen_tmpfs_option;
};

static void mount_flag_free(struct mount_flag *m)
{
	free(m->type);
	free(m->source);
	free(m->target);
	free(m->propagation);
	free(m->size);
	free(m->mode);
}

static int set_once(char **field, const char *value, const char *spec, const char *key,
		    struct silo_err *err)
{
	if (*field)
		return silo_err_set(err, EINVAL, "invalid --mount \"%s\": '%s' given twice", spec, key);
	*field = strdup(value ? value : "");
	return *field ? 0 : silo_err_sys(err, ENOMEM, "--mount");
}

static int mount_flag_key(struct mount_flag *m, const char *spec, const char *key, const char *value,
			  struct silo_err *err)
{
	int b;

	if (!strcmp(key, "type"))
		return set_once(&m->type, value, spec, key, err);
	if (!strcmp(key, "source") || !strcmp(key, "src"))
		return set_once(&m->source, value, spec, key, err);
	if (!strcmp(key, "target") || !strcmp(key, "destination") || !strcmp(key, "dst"))
		return set_once(&m->target, value, spec, key, err);
	if (!strcmp(key, "readonly") || !strcmp(key, "ro")) {
		if (parse_bool(value, &m->readonly) < 0)
			return silo_err_set(err, EINVAL, "invalid --mount \"%s\": invalid value for %s: %s", spec,
					    key, value);
		return 0;
	}
	if (!strcmp(key, "bind-propagation")) {
		m->seen_bind_option = 1;
		if (!value || !is_propagation(value))
			return silo_err_set(err, EINVAL,
					    "invalid --mount \"%s\": invalid bind-propagation \"%s\": want rprivate, private, rshared, shared, rslave or slave",
					    spec, value ? value : "");
		return set_once(&m->propagation, value, spec, key, err);
	}
	if (!strcmp(key, "volume-nocopy")) {
		m->seen_volume_option = 1;
		if (parse_bool(value, &b) < 0)
			return silo_err_set(err, EINVAL, "invalid --mount \"%s\": invalid value for %s: %s", spec,
					    key, value);
		m->nocopy = b;
		return 0;
	}
	if (!strcmp(key, "tmpfs-size")) {
		m->seen_tmpfs_option = 1;
		return set_once(&m->size, value, spec, key, err);
	}
	if (!strcmp(key, "tmpfs-mode")) {
		m->seen_tmpfs_option = 1;
		return set_once(&m->mode, value, spec, key, err);
	}
	return silo_err_set(err, EINVAL, "invalid --mount \"%s\": unexpected key '%s'", spec, key);
}

static json_t *tmpfs_entry(const char *destination, const struct mount_flag *m, const char *spec,
			   struct silo_err *err)
{
	json_t *entry = new_entry("tmpfs", "", destination);
	json_t *options = json_array();
	unsigned long long size;
	unsigned long mode;
	char buf[64];

	if (m->size) {
		if (engine_size_parse(m->size, &size) < 0) {
			silo_err_set(err, EINVAL, "invalid --mount \"%s\": invalid tmpfs-size \"%s\": want bytes, or a number with k, m or g",
				     spec, m->size);
			goto fail;
		}
		snprintf(buf, sizeof(buf), "size=%llu", size);
		json_array_append_new(options, json_string(buf));
	}
	if (m->mode) {
		if (parse_octal_mode(m->mode, &mode) < 0) {
			silo_err_set(err, EINVAL, "invalid --mount \"%s\": invalid tmpfs-mode \"%s\": want octal, like 1777",
				     spec, m->mode);
			goto fail;
		}
		snprintf(buf, sizeof(buf), "mode=%lo", mode);
		json_array_append_new(options, json_string(buf));
	}
	json_object_set_new(entry, "options", options);
	return entry;
fail:
	json_decref(options);
	json_decref(entry);
	return NULL;
}

int mounts_parse_mount_flag(const char *spec, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(spec);
	_cleanup_free_ char *destination = NULL;
	_cleanup_json_ json_t *entry = NULL;
	struct mount_flag m = { 0 };
	const char *type;
	char *save = NULL;
	int r = -1;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "--mount");
	for (char *field = strtok_r(copy, ",", &save); field; field = strtok_r(NULL, ",", &save)) {
		char *value = strchr(field, '=');

		if (value)
			*value++ = '\0';
		if (mount_flag_key(&m, spec, field, value, err) < 0)
			goto out;
	}
	type = m.type ? m.type : "volume";
	if (strcmp(type, "bind") && strcmp(type, "volume") && strcmp(type, "tmpfs")) {
		silo_err_set(err, EINVAL, "invalid --mount \"%s\": unsupported type \"%s\": want bind, volume or tmpfs",
			     spec, type);
		goto out;
	}
	if ((m.seen_bind_option && strcmp(type, "bind")) || (m.seen_volume_option && strcmp(type, "volume")) ||
	    (m.seen_tmpfs_option && strcmp(type, "tmpfs"))) {
		silo_err_set(err, EINVAL, "invalid --mount \"%s\": cannot mix '%s-*' options with type \"%s\"", spec,
			     m.seen_bind_option ? "bind" : m.seen_volume_option ? "volume" : "tmpfs", type);
		goto out;
	}
	destination = clean_destination("--mount", spec, m.target, err);
	if (!destination)
		goto out;
	if (!strcmp(type, "bind")) {
		_cleanup_free_ char *source = NULL;

		if (!m.source || !*m.source) {
			silo_err_set(err, EINVAL, "invalid --mount \"%s\": a bind mount needs a source", spec);
			goto out;
		}
		if (m.source[0] != '/') {
			silo_err_set(err, EINVAL, "invalid --mount \"%s\": the bind source \"%s\" must be an absolute path",
				     spec, m.source);
			goto out;
		}
		source = fs_absolute_path(m.source);
		entry = source ? new_entry("bind", source, destination) : NULL;
		if (entry)
			json_object_set_new(entry, "propagation",
					    json_string(m.propagation ? m.propagation : "rprivate"));
	} else if (!strcmp(type, "volume")) {
		if (check_volume_name("--mount", spec, m.source ? m.source : "", err) < 0)
			goto out;
		entry = new_entry("volume", m.source, destination);
		if (entry) {
			json_object_set_new(entry, "copy", json_boolean(!m.nocopy));
			if (!m.source || !*m.source)
				json_object_set_new(entry, "anonymous", json_true());
		}
	} else {
		if (m.source && *m.source) {
			silo_err_set(err, EINVAL, "invalid --mount \"%s\": a tmpfs mount takes no source", spec);
			goto out;
		}
		entry = tmpfs_entry(destination, &m, spec, err);
		if (!entry)
			goto out;
	}
	if (!entry) {
		silo_err_sys(err, ENOMEM, "--mount");
		goto out;
	}
	json_object_set_new(entry, "rw", json_boolean(!m.readonly));
	if (m.readonly)
		json_object_set_new(entry, "mode", json_string("ro"));
	*out = steal_pointer(&entry);
	r = 0;
out:
	mount_flag_free(&m);
	return r;
}

/* The options --tmpfs takes: mount flags the kernel applies, and tmpfs's
 * own key=value settings. Anything else is refused here, at run, rather
 * than by the kernel when the container starts. */
static int tmpfs_option_known(const char *opt)
{
	static const char *const flags[] = {
		"ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "sync", "async", "dirsync",
		"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime", "strictatime",
		"nostrictatime", "mand", "nomand",
	};
	static const char *const keys[] = { "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol", "huge" };
	const char *eq = strchr(opt, '=');

	if (!eq) {
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (!strcmp(opt, flags[i]))
				return 1;
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == (size_t)(eq - opt) && !strncmp(opt, keys[i], (size_t)(eq - opt)))
			return eq[1] != '\0';
	return 0;
}

int mounts_parse_tmpfs_flag(const char *spec, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(spec);
	_cleanup_free_ char *destination = NULL;
	_cleanup_json_ json_t *entry = NULL;
	json_t *options = json_array();
	char *opts, *save = NULL;

	if (!copy || !options) {
		json_decref(options);
		return silo_err_sys(err, ENOMEM, "--tmpfs");
	}
	opts = strchr(copy, ':');
	if (opts)
		*opts++ = '\0';
	destination = clean_destination("--tmpfs", spec, copy, err);
	if (!destination) {
		json_decref(options);
		return -1;
	}
	entry = new_entry("tmpfs", "", destination);
	json_object_set_new(entry, "options", options);
	for (char *opt = opts ? strtok_r(opts, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		if (!tmpfs_option_known(opt))
			return silo_err_set(err, EINVAL,
					    "invalid --tmpfs \"%s\": unknown option \"%s\": want ro, rw, [no]exec, [no]suid, [no]dev, size=, mode=, uid=, gid= ...",
					    spec, opt);
		if (!strcmp(opt, "ro") || !strcmp(opt, "rw"))
			json_object_set_new(entry, "rw", json_boolean(!strcmp(opt, "rw")));
		json_array_append_new(options, json_string(opt));
	}
	*out = steal_pointer(&entry);
	return 0;
}

static json_t *find_destination(json_t *mounts, const char *destination)
{
	size_t i;
	json_t *m;

	json_array_foreach(mounts, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "destination")) ?: "", destination))
			return m;
	return NULL;
}

int mounts_finish(json_t *mounts, json_t *image_config, struct silo_err *err)
{
	json_t *volumes = json_object_get(json_object_get(image_config, "config"), "Volumes");
	const char *path;
	json_t *unused;
	size_t i, j;

	json_object_foreach(volumes, path, unused) {
		_cleanup_free_ char *destination = NULL;
		json_t *entry;

		/* An image path that is not absolute is the image's mistake;
		 * docker skips nothing, but has nowhere to mount it either. */
		if (path[0] != '/' || !(destination = fs_absolute_path(path)) || !strcmp(destination, "/"))
			continue;
		if (find_destination(mounts, destination))
			continue;
		entry = new_entry("volume", "", destination);
		json_object_set_new(entry, "anonymous", json_true());
		json_object_set_new(entry, "copy", json_true());
		json_array_append_new(mounts, entry);
	}
	for (i = 0; i < json_array_size(mounts); i++) {
		const char *a = json_string_value(json_object_get(json_array_get(mounts, i), "destination"));

		for (j = i + 1; j < json_array_size(mounts); j++) {
			const char *b = json_string_value(json_object_get(json_array_get(mounts, j), "destination"));

			if (a && b && !strcmp(a, b))
				return silo_err_set(err, EINVAL, "Duplicate mount point: %s", a);
		}
	}
	return 0;
}

char *mounts_volume_path(const char *store_root, const char *name)
{
	char *path = NULL;

	if (asprintf(&path, "%s/volumes/%s/_data", store_root, name) < 0)
		return NULL;
	return path;
}

static size_t depth(const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

static int by_depth(const void *a, const void *b)
{
	const char *da = json_string_value(json_object_get(*(json_t *const *)a, "destination"));
	const char *db = json_string_value(json_object_get(*(json_t *const *)b, "destination"));
	size_t x = depth(da ? da : ""), y = depth(db ? db : "");

	return x < y ? -1 : x > y;
}

static json_t *oci_entry(const char *store_root, json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type")) ?: "";
	const char *source = json_string_value(json_object_get(m, "source")) ?: "";
	json_t *destination = json_object_get(m, "destination");
	int rw = !json_is_false(json_object_get(m, "rw"));
	json_t *options, *o;
	size_t i;

	if (!strcmp(type, "tmpfs")) {
		/* docker's defaults for a tmpfs; the user's options come after
		 * them and win. */
		options = json_pack("[s, s, s]", "nosuid", "nodev", "noexec");
		json_array_foreach(json_object_get(m, "options"), i, o)
			json_array_append(options, o);
		return json_pack("{s:O, s:s, s:s, s:o}", "destination", destination, "type", "tmpfs", "source",
				 "tmpfs", "options", options);
	}
	{
		_cleanup_free_ char *path = !strcmp(type, "volume") ? mounts_volume_path(store_root, source)
								    : strdup(source);
		const char *propagation = json_string_value(json_object_get(m, "propagation"));

		if (!path)
			return NULL;
		return json_pack("{s:O, s:s, s:s, s:[s, s, s]}", "destination", destination, "type", "bind",
				 "source", path, "options", "rbind", rw ? "rw" : "ro",
				 propagation && *propagation ? propagation : "rprivate");
	}
}

json_t *mounts_oci(const char *store_root, json_t *mounts)
{
	size_t n = json_array_size(mounts), i;
	_cleanup_free_ json_t **sorted = calloc(n ? n : 1, sizeof(*sorted));
	json_t *out = json_array();

	if (!sorted || !out) {
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(mounts, i);
	/* An insertion sort: stable, so mounts of one depth keep the
	 * order they were given in (a later one on top). */
	for (i = 1; i < n; i++) {
		json_t *v = sorted[i];
		size_t j = i;

		while (j > 0 && by_depth(&sorted[j - 1], &v) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = v;
	}
	for (i = 0; i < n; i++) {
		json_t *entry = oci_entry(store_root, sorted[i]);

		if (!entry) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, entry);
	}
	return out;
}

json_t *mounts_inspect(const char *store_root, json_t *mounts)
{
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(mounts, i, m) {
		const char *type = json_string_value(json_object_get(m, "type")) ?: "";
		const char *source = json_string_value(json_object_get(m, "source")) ?: "";
		json_t *view;

		if (!strcmp(type, "volume")) {
			_cleanup_free_ char *path = mounts_volume_path(store_root, source);

			view = json_pack("{s:s, s:s, s:s, s:O, s:s, s:O?, s:O?, s:s}", "Type", "volume", "Name", source,
					 "Source", path ? path : "", "Destination", json_object_get(m, "destination"),
					 "Driver", "local", "Mode", json_object_get(m, "mode"), "RW",
					 json_object_get(m, "rw"), "Propagation", "");
		} else {
			view = json_pack("{s:s, s:s, s:O, s:O?, s:O?, s:s}", "Type", type, "Source", source,
					 "Destination", json_object_get(m, "destination"), "Mode",
					 json_object_get(m, "mode"), "RW", json_object_get(m, "rw"), "Propagation",
					 json_string_value(json_object_get(m, "propagation")) ?: "");
		}
		if (view)
			json_array_append_new(out, view);
	}
	return out;
}
