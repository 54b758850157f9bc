/* Reading config.json into struct spec. The document is checked field by
 * field against the OCI runtime spec; each failure names the field's path
 * and, found by json_locate, its line and column, so a user sees
 * `config.json:14:9: process.args[1]: expected a string, got an integer`
 * and nothing later in the runtime has to cope with a malformed config.
 * Fields silo does not know are ignored: newer specs add fields, and a
 * runtime must keep working with them. */
#include "runtime/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/capabilities.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/json_locate.h"
#include "util/strv.h"

/* Room for a field path in messages; a longer one is cut short, which only
 * costs its position. */
#define FIELD_MAX 512


#define ID_MAX 4294967294LL /* (uid_t)-1 means "no change" to the kernel */

struct parser {
	const char *text;
	size_t len;
	const char *file;
	struct silo_err *err;
};

struct name_value {
	const char *name;
	int value;
};

static const struct name_value namespace_names[] = {
	{ "pid", CLONE_NEWPID },
	{ "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },
	{ "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
	{ "time", CLONE_NEWTIME },
};

static const struct name_value rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static const char *const propagation_names[] = {
	"shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable",
};

static int lookup_name(const struct name_value *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return table[i].value;
	return -1;
}

static const char *lookup_value(const struct name_value *table, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].value == value)
			return table[i].name;
	return NULL;
}

int spec_namespace_type_from_name(const char *name)
{
	return lookup_name(namespace_names, ARRAY_SIZE(namespace_names), name);
}

const char *spec_namespace_name(int type)
{
	return lookup_value(namespace_names, ARRAY_SIZE(namespace_names), type);
}

int spec_rlimit_from_name(const char *name)
{
	return lookup_name(rlimit_names, ARRAY_SIZE(rlimit_names), name);
}

const char *spec_rlimit_name(int resource)
{
	return lookup_value(rlimit_names, ARRAY_SIZE(rlimit_names), resource);
}

int spec_capability_from_name(const char *name)
{
	if (strncmp(name, "CAP_", 4) != 0)
		return -1;
	return capabilities_from_name(name);
}

/* Messages */

static int is_kind(const json_t *v, json_type type)
{
	if (type == JSON_TRUE || type == JSON_FALSE)
		return json_is_boolean(v);
	return json_typeof(v) == type;
}

static int fail_at(struct parser *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct parser *p, const char *field, const char *fmt, ...)
{
	char msg[SILO_ERR_MAX];
	int line, column;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_locate(p->text, p->len, field, &line, &column) < 0)
		return silo_err_set(p->err, EINVAL, "%s: %s%s%s", p->file, field, *field ? ": " : "",
				    msg);
	return silo_err_set(p->err, EINVAL, "%s:%d:%d: %s%s%s", p->file, line, column, field,
			    *field ? ": " : "", msg);
}

static int fail_oom(struct parser *p)
{
	return silo_err_sys(p->err, ENOMEM, "parse %s", p->file);
}

/* Typed access */

/* Finds member key of obj and checks its type. Returns 1 when present, 0
 * when absent, negative on error; field receives the member's path. An
 * optional member set to null counts as absent: Go tools that write
 * configs emit null for empty slices and pointers. */
static int get_member(struct parser *p, const json_t *obj, const char *parent, const char *key,
		      json_type type, int required, json_t **out, char *field)
{
	json_t *v = json_object_get(obj, key);

	json_path_key(field, FIELD_MAX, parent, key);
	*out = NULL;
	if (!v || (json_is_null(v) && !required)) {
		if (required)
			return fail_at(p, field, "missing, expected %s", json_type_name(type));
		return 0;
	}
	if (!is_kind(v, type))
		return fail_at(p, field, "expected %s, got %s", json_type_name(type), json_kind_name(v));
	*out = v;
	return 1;
}

static int get_string(struct parser *p, const json_t *obj, const char *parent, const char *key,
		      int required, char **out)
{
	char field[FIELD_MAX];
	json_t *v;
	int r = get_member(p, obj, parent, key, JSON_STRING, required, &v, field);

	if (r <= 0)
		return r;
	*out = strdup(json_string_value(v));
	return *out ? 1 : fail_oom(p);
}

static int get_bool(struct parser *p, const json_t *obj, const char *parent, const char *key,
		    int *out)
{
	char field[FIELD_MAX];
	json_t *v;
	int r = get_member(p, obj, parent, key, JSON_TRUE, 0, &v, field);

	if (r > 0)
		*out = json_is_true(v);
	return r;
}

static int check_integer(struct parser *p, const json_t *v, const char *field, long long min,
			 long long max, long long *out)
{
	long long n;

	if (!json_is_integer(v))
		return fail_at(p, field, "expected an integer, got %s", json_kind_name(v));
	n = json_integer_value(v);
	if (n < min || n > max)
		return fail_at(p, field, "expected an integer from %lld to %lld, got %lld", min, max, n);
	*out = n;
	return 0;
}

static int get_integer(struct parser *p, const json_t *obj, const char *parent, const char *key,
		       int required, long long min, long long max, long long *out)
{
	char field[FIELD_MAX];
	json_t *v;
	int r = get_member(p, obj, parent, key, JSON_INTEGER, required, &v, field);

	if (r <= 0)
		return r;
	return check_integer(p, v, field, min, max, out) < 0 ? -1 : 1;
}

static char **strv_empty(void)
{
	return calloc(1, sizeof(char *));
}

/* Turns an array of strings into a NULL-terminated vector. */
static int array_to_strv(struct parser *p, const json_t *array, const char *field, char ***out)
{
	_cleanup_strv_ char **v = calloc(json_array_size(array) + 1, sizeof(char *));
	char elem_field[FIELD_MAX];
	size_t i;
	json_t *elem;

	if (!v)
		return fail_oom(p);
	json_array_foreach(array, i, elem) {
		if (!json_is_string(elem)) {
			json_path_index(elem_field, sizeof(elem_field), field, i);
			return fail_at(p, elem_field, "expected a string, got %s", json_kind_name(elem));
		}
		v[i] = strdup(json_string_value(elem));
		if (!v[i])
			return fail_oom(p);
	}
	*out = steal_pointer(&v);
	return 0;
}

/* An optional array of strings; absent gives an empty vector. */
static int get_strv(struct parser *p, const json_t *obj, const char *parent, const char *key,
		    char ***out)
{
	char field[FIELD_MAX];
	json_t *v;
	int r = get_member(p, obj, parent, key, JSON_ARRAY, 0, &v, field);

	if (r < 0)
		return r;
	if (r == 0) {
		*out = strv_empty();
		return *out ? 0 : fail_oom(p);
	}
	return array_to_strv(p, v, field, out);
}

static int check_absolute(struct parser *p, const char *field, const char *path)
{
	if (path[0] != '/')
		return fail_at(p, field, "\"%s\" is not an absolute path", path);
	return 0;
}

/* Sections */

static int parse_root(struct parser *p, const json_t *doc, struct spec *spec)
{
	char field[FIELD_MAX];
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *joined = NULL;
	json_t *root;

	if (get_member(p, doc, "", "root", JSON_OBJECT, 1, &root, field) < 0)
		return -1;
	if (get_string(p, root, "root", "path", 1, &path) < 0)
		return -1;
	if (!*path)
		return fail_at(p, "root.path", "must not be empty");
	if (get_bool(p, root, "root", "readonly", &spec->root_readonly) < 0)
		return -1;
	if (path[0] != '/') {
		if (asprintf(&joined, "%s/%s", spec->bundle, path) < 0) {
			joined = NULL;
			return fail_oom(p);
		}
	}
	spec->root_path = fs_absolute_path(joined ? joined : path);
	return spec->root_path ? 0 : fail_oom(p);
}

static int parse_console_size(struct parser *p, const json_t *process, struct spec_process *proc)
{
	char field[FIELD_MAX];
	long long height, width;
	json_t *size;
	int r;

	r = get_member(p, process, "process", "consoleSize", JSON_OBJECT, 0, &size, field);
	if (r <= 0)
		return r;
	/* TIOCSWINSZ takes unsigned shorts; a larger size would be cut. */
	if (get_integer(p, size, field, "height", 1, 0, 65535, &height) < 0 ||
	    get_integer(p, size, field, "width", 1, 0, 65535, &width) < 0)
		return -1;
	proc->console_height = (unsigned)height;
	proc->console_width = (unsigned)width;
	return 0;
}

static int parse_user(struct parser *p, const json_t *process, struct spec_user *user)
{
	char field[FIELD_MAX], gids_field[FIELD_MAX], elem_field[FIELD_MAX];
	long long n = 0;
	json_t *obj, *gids, *elem;
	size_t i;
	int r;

	r = get_member(p, process, "process", "user", JSON_OBJECT, 0, &obj, field);
	if (r <= 0)
		return r;
	if (get_integer(p, obj, field, "uid", 0, 0, ID_MAX, &n) < 0)
		return -1;
	user->uid = (uid_t)n;
	n = 0;
	if (get_integer(p, obj, field, "gid", 0, 0, ID_MAX, &n) < 0)
		return -1;
	user->gid = (gid_t)n;
	r = get_integer(p, obj, field, "umask", 0, 0, 0777, &n);
	if (r < 0)
		return -1;
	if (r > 0) {
		user->has_umask = 1;
		user->umask = (mode_t)n;
	}
	r = get_member(p, obj, field, "additionalGids", JSON_ARRAY, 0, &gids, gids_field);
	if (r <= 0)
		return r;
	user->additional_gids = calloc(json_array_size(gids) + 1, sizeof(gid_t));
	if (!user->additional_gids)
		return fail_oom(p);
	json_array_foreach(gids, i, elem) {
		json_path_index(elem_field, sizeof(elem_field), gids_field, i);
		if (check_integer(p, elem, elem_field, 0, ID_MAX, &n) < 0)
			return -1;
		user->additional_gids[i] = (gid_t)n;
		user->n_additional_gids = i + 1;
	}
	return 0;
}

static int parse_args(struct parser *p, const json_t *process, struct spec_process *proc)
{
	char field[FIELD_MAX];
	json_t *args;

	if (get_member(p, process, "process", "args", JSON_ARRAY, 1, &args, field) < 0)
		return -1;
	if (json_array_size(args) == 0)
		return fail_at(p, field, "must hold at least one string");
	return array_to_strv(p, args, field, &proc->args);
}

static int parse_env(struct parser *p, const json_t *process, struct spec_process *proc)
{
	char field[FIELD_MAX];

	if (get_strv(p, process, "process", "env", &proc->env) < 0)
		return -1;
	for (size_t i = 0; proc->env[i]; i++) {
		const char *eq = strchr(proc->env[i], '=');

		if (!eq || eq == proc->env[i]) {
			json_path_index(field, sizeof(field), "process.env", i);
			return fail_at(p, field, "\"%s\" is not of the form KEY=VALUE", proc->env[i]);
		}
	}
	return 0;
}

static int parse_capability_set(struct parser *p, const json_t *caps, const char *parent,
				const char *key, uint64_t *mask)
{
	char field[FIELD_MAX], elem_field[FIELD_MAX];
	json_t *set, *elem;
	size_t i;
	int r;

	r = get_member(p, caps, parent, key, JSON_ARRAY, 0, &set, field);
	if (r <= 0)
		return r;
	json_array_foreach(set, i, elem) {
		int cap;

		json_path_index(elem_field, sizeof(elem_field), field, i);
		if (!json_is_string(elem))
			return fail_at(p, elem_field, "expected a string, got %s", json_kind_name(elem));
		cap = spec_capability_from_name(json_string_value(elem));
		if (cap < 0)
			return fail_at(p, elem_field, "unknown capability \"%s\"",
				       json_string_value(elem));
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

static int parse_capabilities(struct parser *p, const json_t *process, struct spec_process *proc)
{
	struct spec_capabilities *c = &proc->capabilities;
	char field[FIELD_MAX];
	json_t *caps;
	int r;

	r = get_member(p, process, "process", "capabilities", JSON_OBJECT, 0, &caps, field);
	if (r <= 0)
		return r;
	proc->has_capabilities = 1;
	if (parse_capability_set(p, caps, field, "bounding", &c->bounding) < 0 ||
	    parse_capability_set(p, caps, field, "effective", &c->effective) < 0 ||
	    parse_capability_set(p, caps, field, "inheritable", &c->inheritable) < 0 ||
	    parse_capability_set(p, caps, field, "permitted", &c->permitted) < 0 ||
	    parse_capability_set(p, caps, field, "ambient", &c->ambient) < 0)
		return -1;
	return 0;
}

static int parse_rlimit(struct parser *p, const json_t *obj, const char *field,
			struct spec_rlimit *out, const struct spec_rlimit *earlier, size_t n_earlier)
{
	char type_field[FIELD_MAX];
	_cleanup_free_ char *type = NULL;
	long long soft, hard;

	if (!json_is_object(obj))
		return fail_at(p, field, "expected an object, got %s", json_kind_name(obj));
	if (get_string(p, obj, field, "type", 1, &type) < 0)
		return -1;
	json_path_key(type_field, sizeof(type_field), field, "type");
	out->resource = spec_rlimit_from_name(type);
	if (out->resource < 0)
		return fail_at(p, type_field, "unknown resource limit \"%s\"", type);
	for (size_t i = 0; i < n_earlier; i++)
		if (earlier[i].resource == out->resource)
			return fail_at(p, type_field, "duplicate resource limit \"%s\"", type);
	/* jansson holds integers as signed 64 bits, which bounds both. */
	if (get_integer(p, obj, field, "soft", 1, 0, LLONG_MAX, &soft) < 0 ||
	    get_integer(p, obj, field, "hard", 1, 0, LLONG_MAX, &hard) < 0)
		return -1;
	if (soft > hard)
		return fail_at(p, field, "soft limit %lld is above hard limit %lld", soft, hard);
	out->soft = (uint64_t)soft;
	out->hard = (uint64_t)hard;
	return 0;
}

static int parse_rlimits(struct parser *p, const json_t *process, struct spec_process *proc)
{
	char field[FIELD_MAX], elem_field[FIELD_MAX];
	json_t *limits, *elem;
	size_t i;
	int r;

	r = get_member(p, process, "process", "rlimits", JSON_ARRAY, 0, &limits, field);
	if (r <= 0)
		return r;
	proc->rlimits = calloc(json_array_size(limits) + 1, sizeof(*proc->rlimits));
	if (!proc->rlimits)
		return fail_oom(p);
	json_array_foreach(limits, i, elem) {
		json_path_index(elem_field, sizeof(elem_field), field, i);
		if (parse_rlimit(p, elem, elem_field, &proc->rlimits[i], proc->rlimits, i) < 0)
			return -1;
		proc->n_rlimits = i + 1;
	}
	return 0;
}

static int parse_process(struct parser *p, const json_t *doc, struct spec *spec)
{
	struct spec_process *proc = &spec->process;
	char field[FIELD_MAX];
	_cleanup_free_ char *cwd = NULL;
	long long adj;
	json_t *process;
	int r;

	r = get_member(p, doc, "", "process", JSON_OBJECT, 0, &process, field);
	if (r < 0)
		return -1;
	if (r == 0) {
		proc->env = strv_empty();
		return proc->env ? 0 : fail_oom(p);
	}
	spec->has_process = 1;
	if (get_bool(p, process, "process", "terminal", &proc->terminal) < 0 ||
	    parse_console_size(p, process, proc) < 0 || parse_user(p, process, &proc->user) < 0 ||
	    parse_args(p, process, proc) < 0 || parse_env(p, process, proc) < 0)
		return -1;
	if (get_string(p, process, "process", "cwd", 1, &proc->cwd) < 0 ||
	    check_absolute(p, "process.cwd", proc->cwd) < 0)
		return -1;
	if (parse_capabilities(p, process, proc) < 0 || parse_rlimits(p, process, proc) < 0 ||
	    get_bool(p, process, "process", "noNewPrivileges", &proc->no_new_privileges) < 0)
		return -1;
	r = get_integer(p, process, "process", "oomScoreAdj", 0, -1000, 1000, &adj);
	if (r < 0)
		return -1;
	if (r > 0) {
		proc->has_oom_score_adj = 1;
		proc->oom_score_adj = (int)adj;
	}
	if (get_string(p, process, "process", "apparmorProfile", 0, &proc->apparmor_profile) < 0 ||
	    get_string(p, process, "process", "selinuxLabel", 0, &proc->selinux_label) < 0)
		return -1;
	return 0;
}

/* Finds which option of a list mount_options_parse refused, so the message
 * can point at it rather than at the whole list. */
static size_t refused_option(char *const *options)
{
	for (size_t i = 0; options[i]; i++) {
		char *one[] = { options[i], NULL };
		struct mount_options scratch;

		if (mount_options_parse(one, &scratch, NULL) < 0)
			return i;
		mount_options_free(&scratch);
	}
	return 0;
}

static int parse_mount(struct parser *p, const json_t *obj, const char *field,
		       struct spec_mount *m)
{
	char options_field[FIELD_MAX], elem_field[FIELD_MAX];
	struct silo_err sub;

	if (!json_is_object(obj))
		return fail_at(p, field, "expected an object, got %s", json_kind_name(obj));
	if (get_string(p, obj, field, "destination", 1, &m->destination) < 0)
		return -1;
	json_path_key(elem_field, sizeof(elem_field), field, "destination");
	if (check_absolute(p, elem_field, m->destination) < 0)
		return -1;
	if (get_string(p, obj, field, "type", 0, &m->type) < 0 ||
	    get_string(p, obj, field, "source", 0, &m->source) < 0 ||
	    get_strv(p, obj, field, "options", &m->options) < 0)
		return -1;
	if (mount_options_parse(m->options, &m->parsed, &sub) < 0) {
		json_path_key(options_field, sizeof(options_field), field, "options");
		json_path_index(elem_field, sizeof(elem_field), options_field,
				refused_option(m->options));
		return fail_at(p, elem_field, "%s", sub.msg);
	}
	return 0;
}

static int parse_mounts(struct parser *p, const json_t *doc, struct spec *spec)
{
	char field[FIELD_MAX], elem_field[FIELD_MAX];
	json_t *mounts, *elem;
	size_t i;
	int r;

	r = get_member(p, doc, "", "mounts", JSON_ARRAY, 0, &mounts, field);
	if (r <= 0)
		return r;
	spec->mounts = calloc(json_array_size(mounts) + 1, sizeof(*spec->mounts));
	if (!spec->mounts)
		return fail_oom(p);
	spec->n_mounts = json_array_size(mounts);
	json_array_foreach(mounts, i, elem) {
		json_path_index(elem_field, sizeof(elem_field), field, i);
		if (parse_mount(p, elem, elem_field, &spec->mounts[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_namespace(struct parser *p, const json_t *obj, const char *field,
			   struct spec_namespace *ns, const struct spec_namespace *earlier,
			   size_t n_earlier)
{
	char sub_field[FIELD_MAX];
	_cleanup_free_ char *type = NULL;

	if (!json_is_object(obj))
		return fail_at(p, field, "expected an object, got %s", json_kind_name(obj));
	if (get_string(p, obj, field, "type", 1, &type) < 0)
		return -1;
	json_path_key(sub_field, sizeof(sub_field), field, "type");
	ns->type = spec_namespace_type_from_name(type);
	if (ns->type < 0)
		return fail_at(p, sub_field, "unknown namespace type \"%s\"", type);
	for (size_t i = 0; i < n_earlier; i++)
		if (earlier[i].type == ns->type)
			return fail_at(p, sub_field, "duplicate namespace type \"%s\"", type);
	if (get_string(p, obj, field, "path", 0, &ns->path) < 0)
		return -1;
	json_path_key(sub_field, sizeof(sub_field), field, "path");
	if (ns->path && check_absolute(p, sub_field, ns->path) < 0)
		return -1;
	return 0;
}

static int parse_namespaces(struct parser *p, const json_t *section, struct spec *spec)
{
	char field[FIELD_MAX], elem_field[FIELD_MAX];
	json_t *list, *elem;
	size_t i;
	int r;

	r = get_member(p, section, "linux", "namespaces", JSON_ARRAY, 0, &list, field);
	if (r <= 0)
		return r;
	spec->namespaces = calloc(json_array_size(list) + 1, sizeof(*spec->namespaces));
	if (!spec->namespaces)
		return fail_oom(p);
	spec->n_namespaces = json_array_size(list);
	json_array_foreach(list, i, elem) {
		json_path_index(elem_field, sizeof(elem_field), field, i);
		if (parse_namespace(p, elem, elem_field, &spec->namespaces[i], spec->namespaces,
				    i) < 0)
			return -1;
	}
	return 0;
}

static int parse_device(struct parser *p, const json_t *obj, const char *field,
			struct spec_device *dev)
{
	char sub_field[FIELD_MAX];
	_cleanup_free_ char *type = NULL;
	long long n;
	int r, needs_numbers;

	if (!json_is_object(obj))
		return fail_at(p, field, "expected an object, got %s", json_kind_name(obj));
	if (get_string(p, obj, field, "path", 1, &dev->path) < 0)
		return -1;
	json_path_key(sub_field, sizeof(sub_field), field, "path");
	if (check_absolute(p, sub_field, dev->path) < 0)
		return -1;
	if (get_string(p, obj, field, "type", 1, &type) < 0)
		return -1;
	if (strlen(type) != 1 || !strchr("cbup", type[0])) {
		json_path_key(sub_field, sizeof(sub_field), field, "type");
		return fail_at(p, sub_field, "unknown device type \"%s\" (expected c, b, u or p)",
			       type);
	}
	dev->type = type[0];
	/* A FIFO has no device numbers; every other kind needs both. */
	needs_numbers = dev->type != 'p';
	if (get_integer(p, obj, field, "major", needs_numbers, 0, 4294967295LL, &n) < 0)
		return -1;
	dev->major = needs_numbers ? n : 0;
	if (get_integer(p, obj, field, "minor", needs_numbers, 0, 4294967295LL, &n) < 0)
		return -1;
	dev->minor = needs_numbers ? n : 0;
	/* Some tools copy st_mode from a host device, file type bits and all;
	 * only the permission bits mean anything here. */
	r = get_integer(p, obj, field, "fileMode", 0, 0, 0177777, &n);
	if (r < 0)
		return -1;
	if (r > 0) {
		dev->has_file_mode = 1;
		dev->file_mode = (mode_t)n & 07777;
	}
	r = get_integer(p, obj, field, "uid", 0, 0, ID_MAX, &n);
	if (r < 0)
		return -1;
	if (r > 0) {
		dev->has_uid = 1;
		dev->uid = (uid_t)n;
	}
	r = get_integer(p, obj, field, "gid", 0, 0, ID_MAX, &n);
	if (r < 0)
		return -1;
	if (r > 0) {
		dev->has_gid = 1;
		dev->gid = (gid_t)n;
	}
	return 0;
}

static int parse_devices(struct parser *p, const json_t *section, struct spec *spec)
{
	char field[FIELD_MAX], elem_field[FIELD_MAX];
	json_t *list, *elem;
	size_t i;
	int r;

	r = get_member(p, section, "linux", "devices", JSON_ARRAY, 0, &list, field);
	if (r <= 0)
		return r;
	spec->devices = calloc(json_array_size(list) + 1, sizeof(*spec->devices));
	if (!spec->devices)
		return fail_oom(p);
	spec->n_devices = json_array_size(list);
	json_array_foreach(list, i, elem) {
		json_path_index(elem_field, sizeof(elem_field), field, i);
		if (parse_device(p, elem, elem_field, &spec->devices[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_propagation(struct parser *p, const json_t *section, struct spec *spec)
{
	if (get_string(p, section, "linux", "rootfsPropagation", 0, &spec->rootfs_propagation) < 0)
		return -1;
	if (!spec->rootfs_propagation)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(propagation_names); i++)
		if (!strcmp(propagation_names[i], spec->rootfs_propagation))
			return 0;
	return fail_at(p, "linux.rootfsPropagation",
		       "unknown propagation \"%s\" (expected shared, slave, private, unbindable, "
		       "rshared, rslave, rprivate or runbindable)",
		       spec->rootfs_propagation);
}

static int parse_linux(struct parser *p, const json_t *doc, struct spec *spec)
{
	char field[FIELD_MAX];
	json_t *section, *resources;
	int r;

	r = get_member(p, doc, "", "linux", JSON_OBJECT, 0, &section, field);
	if (r < 0)
		return -1;
	if (r == 0) {
		spec->masked_paths = strv_empty();
		spec->readonly_paths = strv_empty();
		return spec->masked_paths && spec->readonly_paths ? 0 : fail_oom(p);
	}
	if (parse_namespaces(p, section, spec) < 0 || parse_devices(p, section, spec) < 0 ||
	    get_string(p, section, "linux", "cgroupsPath", 0, &spec->cgroups_path) < 0 ||
	    get_strv(p, section, "linux", "maskedPaths", &spec->masked_paths) < 0 ||
	    get_strv(p, section, "linux", "readonlyPaths", &spec->readonly_paths) < 0 ||
	    parse_propagation(p, section, spec) < 0)
		return -1;
	r = get_member(p, section, "linux", "resources", JSON_OBJECT, 0, &resources, field);
	if (r < 0)
		return -1;
	if (r > 0)
		spec->resources = json_incref(resources);
	return 0;
}

static int parse_annotations(struct parser *p, const json_t *doc, struct spec *spec)
{
	char field[FIELD_MAX], key_field[FIELD_MAX];
	json_t *annotations, *value;
	const char *key;
	int r;

	r = get_member(p, doc, "", "annotations", JSON_OBJECT, 0, &annotations, field);
	if (r < 0)
		return -1;
	if (r == 0) {
		spec->annotations = json_object();
		return spec->annotations ? 0 : fail_oom(p);
	}
	json_object_foreach(annotations, key, value) {
		if (!json_is_string(value)) {
			json_path_key(key_field, sizeof(key_field), field, key);
			return fail_at(p, key_field, "expected a string, got %s", json_kind_name(value));
		}
	}
	spec->annotations = json_incref(annotations);
	return 0;
}

static int parse_document(struct parser *p, const json_t *doc, struct spec *spec)
{
	if (!json_is_object(doc))
		return fail_at(p, "", "expected an object at the top level, got %s", json_kind_name(doc));
	if (get_string(p, doc, "", "ociVersion", 1, &spec->oci_version) < 0 ||
	    parse_root(p, doc, spec) < 0 ||
	    get_string(p, doc, "", "hostname", 0, &spec->hostname) < 0 ||
	    get_string(p, doc, "", "domainname", 0, &spec->domainname) < 0 ||
	    parse_process(p, doc, spec) < 0 || parse_mounts(p, doc, spec) < 0 ||
	    parse_linux(p, doc, spec) < 0 || parse_annotations(p, doc, spec) < 0)
		return -1;
	return 0;
}

static void spec_freep(struct spec **spec)
{
	spec_free(*spec);
}

int spec_parse(const char *text, size_t len, const char *path, const char *bundle,
	       struct spec **out, struct silo_err *err)
{
	__attribute__((cleanup(spec_freep))) struct spec *spec = NULL;
	struct parser p = { .text = text, .len = len, .file = path, .err = err };
	json_error_t jerr;

	spec = calloc(1, sizeof(*spec));
	if (!spec)
		return fail_oom(&p);
	spec->document = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!spec->document)
		return silo_err_set(err, EINVAL, "%s:%d:%d: %s", path, jerr.line, jerr.column,
				    jerr.text);
	spec->bundle = fs_absolute_path(bundle ? bundle : ".");
	if (!spec->bundle)
		return silo_err_errno(err, "bundle \"%s\"", bundle ? bundle : ".");
	if (parse_document(&p, spec->document, spec) < 0)
		return -1;
	*out = steal_pointer(&spec);
	return 0;
}

int spec_load(const char *bundle, struct spec **out, struct silo_err *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *absolute = NULL;
	_cleanup_free_ char *path = NULL;
	size_t len;

	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOENT)
			return silo_err_set(err, ENOENT, "bundle \"%s\": no such directory", bundle);
		if (errno == ENOTDIR)
			return silo_err_set(err, ENOTDIR, "bundle \"%s\": not a directory", bundle);
		return silo_err_errno(err, "bundle \"%s\"", bundle);
	}
	if (fs_read_file_at(dirfd, "config.json", SPEC_MAX_SIZE, &text, &len, err) < 0) {
		if (err && err->code == ENOENT)
			return silo_err_sys(err, ENOENT, "bundle \"%s\": config.json", bundle);
		return silo_err_prefix(err, "bundle \"%s\"", bundle);
	}
	absolute = fs_absolute_path(bundle);
	if (!absolute || asprintf(&path, "%s/config.json", strcmp(absolute, "/") ? absolute : "") < 0) {
		path = NULL;
		return silo_err_sys(err, ENOMEM, "bundle \"%s\"", bundle);
	}
	return spec_parse(text, len, path, absolute, out, err);
}

static void spec_process_free(struct spec_process *proc)
{
	strv_free(proc->args);
	strv_free(proc->env);
	free(proc->cwd);
	free(proc->user.additional_gids);
	free(proc->rlimits);
	free(proc->apparmor_profile);
	free(proc->selinux_label);
}

void spec_free(struct spec *spec)
{
	if (!spec)
		return;
	free(spec->oci_version);
	free(spec->bundle);
	free(spec->root_path);
	free(spec->hostname);
	free(spec->domainname);
	spec_process_free(&spec->process);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct spec_mount *m = &spec->mounts[i];

		free(m->destination);
		free(m->type);
		free(m->source);
		strv_free(m->options);
		mount_options_free(&m->parsed);
	}
	free(spec->mounts);
	for (size_t i = 0; i < spec->n_namespaces; i++)
		free(spec->namespaces[i].path);
	free(spec->namespaces);
	for (size_t i = 0; i < spec->n_devices; i++)
		free(spec->devices[i].path);
	free(spec->devices);
	free(spec->cgroups_path);
	strv_free(spec->masked_paths);
	strv_free(spec->readonly_paths);
	free(spec->rootfs_propagation);
	json_decref(spec->annotations);
	json_decref(spec->resources);
	json_decref(spec->document);
	free(spec);
}

const struct spec_namespace *spec_find_namespace(const struct spec *spec, int type)
{
	for (size_t i = 0; i < spec->n_namespaces; i++)
		if (spec->namespaces[i].type == type)
			return &spec->namespaces[i];
	return NULL;
}
