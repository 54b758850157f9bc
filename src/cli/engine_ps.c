/* `silo ps`: the containers, with docker's flags, filters and formats.
 * Each record becomes one item with docker's field names (ID, Names,
 * Image, Command, CreatedAt, RunningFor, Status, State, Ports, Labels,
 * Mounts, Networks, LocalVolumes, Size), which --format prints (json, a
 * table or a template, engine_format.h). --filter KEY=VALUE keeps the
 * containers that match: values of one key are ORed, keys are ANDed. */
#include "cli/engine_ps.h"
#include "cli/engine_format.h"
#include "cli/engine_progress.h"
#include "cli/engine_session.h"

#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "engine/lifecycle.h"
#include "engine/record.h"
#include "image/images.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/strv.h"

static const char *const filter_keys[] = {
	"id", "name", "label", "status", "exited", "ancestor", "before", "since",
	"volume", "network", "publish", "expose", NULL,
};

static const char *const status_values[] = {
	"created", "restarting", "running", "removing", "paused", "exited", "dead", NULL,
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* ---------------------------------------------------------- the fields -- */

static time_t parse_time(const char *text)
{
	struct timespec ts;

	return clock_parse_rfc3339(text, &ts) == 0 ? ts.tv_sec : 0;
}

/* docker's human durations: "Less than a second", "About a minute",
 * "3 hours", "2 weeks" ... */
static void human_duration(time_t secs, char *buf, size_t size)
{
	long hours = (long)((secs + 1800) / 3600);

	if (secs < 1)
		snprintf(buf, size, "Less than a second");
	else if (secs == 1)
		snprintf(buf, size, "1 second");
	else if (secs < 60)
		snprintf(buf, size, "%d seconds", (int)secs);
	else if (secs < 120)
		snprintf(buf, size, "About a minute");
	else if (secs < 3600)
		snprintf(buf, size, "%d minutes", (int)(secs / 60));
	else if (hours == 1)
		snprintf(buf, size, "About an hour");
	else if (hours < 48)
		snprintf(buf, size, "%ld hours", hours);
	else if (hours < 24 * 14)
		snprintf(buf, size, "%ld days", hours / 24);
	else if (hours < 24 * 60)
		snprintf(buf, size, "%ld weeks", hours / 24 / 7);
	else if (hours < 24 * 365 * 2)
		snprintf(buf, size, "%ld months", hours / 24 / 30);
	else
		snprintf(buf, size, "%ld years", (long)(secs / 3600 / 24 / 365));
}

static void ps_status(json_t *rec, const char *status, char *buf, size_t size)
{
	json_t *state = json_object_get(rec, "state");
	int code = (int)json_integer_value(json_object_get(state, "exitCode"));
	char ago[64];
	time_t now = time(NULL);

	if (!strcmp(status, "running") || !strcmp(status, "paused")) {
		human_duration(now - parse_time(json_string_value(json_object_get(state, "startedAt"))), ago,
			       sizeof(ago));
		snprintf(buf, size, "Up %s%s", ago, !strcmp(status, "paused") ? " (Paused)" : "");
	} else if (!strcmp(status, "restarting") || !strcmp(status, "exited")) {
		human_duration(now - parse_time(json_string_value(json_object_get(state, "finishedAt"))), ago,
			       sizeof(ago));
		snprintf(buf, size, "%s (%d) %s ago", !strcmp(status, "exited") ? "Exited" : "Restarting",
			 code, ago);
	} else {
		snprintf(buf, size, "Created");
	}
}

/* The command as docker shows it: quoted, cut to 20 columns with "…". */
static char *ps_command(json_t *rec, int no_trunc)
{
	char *joined = NULL, *out = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&joined, &size);
	json_t *arg;

	if (!f)
		return NULL;
	json_array_foreach(json_object_get(rec, "args"), i, arg)
		fprintf(f, "%s%s", i ? " " : "", json_string_value(arg) ?: "");
	fclose(f);
	if (!joined)
		return NULL;
	if (!no_trunc && strlen(joined) > 20) {
		size_t cut = 19;

		/* Never inside a UTF-8 sequence. */
		while (cut > 0 && ((unsigned char)joined[cut] & 0xc0) == 0x80)
			cut--;
		if (asprintf(&out, "\"%.*s…\"", (int)cut, joined) < 0)
			out = NULL;
	} else if (asprintf(&out, "\"%s\"", joined) < 0) {
		out = NULL;
	}
	free(joined);
	return out;
}

/* "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp" */
static char *ps_ports(json_t *rec)
{
	char *buf = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&buf, &size);
	json_t *p;

	if (!f)
		return NULL;
	json_array_foreach(json_object_get(json_object_get(rec, "networkSettings"), "ports"), i, p) {
		const char *ip = json_string_value(json_object_get(p, "hostIp"));

		fprintf(f, "%s%s:%lld->%lld/%s", i ? ", " : "", ip && *ip ? ip : "0.0.0.0",
			(long long)json_integer_value(json_object_get(p, "hostPort")),
			(long long)json_integer_value(json_object_get(p, "containerPort")),
			json_string_value(json_object_get(p, "protocol")) ?: "tcp");
	}
	fclose(f);
	return buf;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "k=v,k2=v2", keys sorted. */
static char *ps_labels(json_t *labels)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	_cleanup_strv_ char **keys = NULL;
	const char *key;
	json_t *value;

	if (!f)
		return NULL;
	json_object_foreach(labels, key, value)
		strv_push(&keys, key);
	if (keys)
		qsort(keys, strv_length(keys), sizeof(char *), compare_strings);
	for (char **k = keys; k && *k; k++)
		fprintf(f, "%s%s=%s", k == keys ? "" : ",", *k,
			json_string_value(json_object_get(labels, *k)) ?: "");
	fclose(f);
	return buf;
}

/* Volume names, or bind sources; each cut to 15 characters unless
 * --no-trunc, as docker's MOUNTS. */
static char *ps_mounts(json_t *rec, int no_trunc, int *local_volumes)
{
	char *buf = NULL;
	size_t size = 0, i, n = 0;
	FILE *f = open_memstream(&buf, &size);
	json_t *m;

	*local_volumes = 0;
	if (!f)
		return NULL;
	json_array_foreach(json_object_get(rec, "mounts"), i, m) {
		const char *type = json_string_value(json_object_get(m, "type")) ?: "";
		const char *source = json_string_value(json_object_get(m, "source")) ?: "";

		if (strcmp(type, "volume") && strcmp(type, "bind"))
			continue;
		if (!strcmp(type, "volume"))
			(*local_volumes)++;
		fprintf(f, "%s%.*s", n++ ? "," : "", no_trunc ? (int)strlen(source) : 15, source);
	}
	fclose(f);
	return buf;
}

static json_t *network_names(json_t *rec)
{
	json_t *names = json_array();
	json_t *entries = json_object_get(rec, "networks");
	const char *mode = json_string_value(json_object_get(rec, "networkMode"));
	size_t i;
	json_t *entry;

	if (json_array_size(entries)) {
		json_array_foreach(entries, i, entry)
			json_array_append(names, json_object_get(entry, "name"));
	} else if (mode && *mode) {
		json_array_append_new(names, json_string(mode));
	}
	return names;
}

static char *joined(json_t *strings, const char *sep)
{
	char *buf = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&buf, &size);
	json_t *s;

	if (!f)
		return NULL;
	json_array_foreach(strings, i, s)
		fprintf(f, "%s%s", i ? sep : "", json_string_value(s) ?: "");
	fclose(f);
	return buf;
}

/* "2026-12-01 09:30:00 +0000 UTC", in local time as docker prints it. */
static void created_at(time_t t, char *buf, size_t size)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
}

/* ps -s: the writable layer, and with the image's size the "virtual" one. */
static void ps_size(struct session *s, json_t *rec, const char *id, char *buf, size_t size)
{
	_cleanup_free_ char *upper = record_path(s->store.root, id, "upper");
	_cleanup_json_ json_t *image = NULL;
	struct silo_err ignored = { 0 };
	uint64_t rw = upper ? fs_disk_usage(upper) : 0, image_size = 0;
	char rw_text[32], virtual_text[32];

	if (images_find(&s->store, json_string_value(json_object_get(rec, "imageId")) ?: "", &image,
			&ignored) == 0)
		image_size = (uint64_t)json_integer_value(json_object_get(image, "size"));
	engine_human_size(rw, rw_text, sizeof(rw_text));
	engine_human_size(rw + image_size, virtual_text, sizeof(virtual_text));
	snprintf(buf, size, "%s (virtual %s)", rw_text, virtual_text);
}

/* One container as docker's ps item. */
static json_t *ps_item(struct session *s, json_t *rec, const char *status, int no_trunc, int sizes)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	_cleanup_free_ char *command = ps_command(rec, no_trunc);
	_cleanup_free_ char *ports = ps_ports(rec);
	_cleanup_free_ char *labels = ps_labels(json_object_get(rec, "labels"));
	_cleanup_json_ json_t *networks = network_names(rec);
	_cleanup_free_ char *network_text = joined(networks, ",");
	_cleanup_free_ char *mounts = NULL;
	char state_text[128], created[80], running_for[80], ago[64], size[96] = "0B", local[16];
	int local_volumes = 0;
	time_t created_time = parse_time(json_string_value(json_object_get(rec, "created")));

	mounts = ps_mounts(rec, no_trunc, &local_volumes);
	ps_status(rec, status, state_text, sizeof(state_text));
	created_at(created_time, created, sizeof(created));
	human_duration(time(NULL) - created_time, ago, sizeof(ago));
	snprintf(running_for, sizeof(running_for), "%s ago", ago);
	snprintf(local, sizeof(local), "%d", local_volumes);
	if (sizes)
		ps_size(s, rec, id, size, sizeof(size));
	return json_pack("{s:s%, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID",
			 id, no_trunc ? strlen(id) : (size_t)RECORD_SHORT_ID_LENGTH, "Names",
			 json_string_value(json_object_get(rec, "name")) ?: "", "Image",
			 json_string_value(json_object_get(rec, "image")) ?: "", "Command",
			 command ? command : "", "CreatedAt", created, "RunningFor", running_for, "Status",
			 state_text, "State", status, "Ports", ports ? ports : "", "Labels",
			 labels ? labels : "", "Mounts", mounts ? mounts : "", "Networks",
			 network_text ? network_text : "", "LocalVolumes", local, "Size", size);
}

/* ---------------------------------------------------------- the filters -- */

struct ps_filters {
	json_t *by_key; /* key -> [values] */
	const char *before_created, *since_created; /* from before= and since= */
	json_t *before_rec, *since_rec;
	json_t *ancestor_ids; /* image IDs the ancestor= values name */
	json_t *exposed;      /* image ID -> its ExposedPorts, read for expose= */
	struct session *session;
};

static void ps_filters_free(struct ps_filters *f)
{
	json_decref(f->by_key);
	json_decref(f->before_rec);
	json_decref(f->since_rec);
	json_decref(f->ancestor_ids);
	json_decref(f->exposed);
}

static int filter_error(const char *what, const char *text)
{
	fprintf(stderr, "silo ps: invalid --filter \"%s\": %s\n", text, what);
	return 125;
}

/* A port filter value: "80", "80/udp", "8000-8080/tcp". */
static int parse_port_range(const char *text, int *low, int *high, char proto[4])
{
	_cleanup_free_ char *copy = strdup(text);
	char *slash, *dash;

	if (!copy)
		return -1;
	snprintf(proto, 4, "tcp");
	slash = strchr(copy, '/');
	if (slash) {
		*slash++ = '\0';
		if (strcmp(slash, "tcp") && strcmp(slash, "udp"))
			return -1;
		snprintf(proto, 4, "%s", slash);
	}
	dash = strchr(copy, '-');
	if (dash)
		*dash++ = '\0';
	if (str_to_int(copy, low) < 0)
		return -1;
	if (!dash)
		*high = *low;
	else if (str_to_int(dash, high) < 0)
		return -1;
	return *low >= 1 && *high >= *low && *high <= 65535 ? 0 : -1;
}

static int check_filter(const char *key, const char *value, const char *text)
{
	if (!strcmp(key, "status") && !in_list(status_values, value))
		return filter_error("want a status: created, restarting, running, removing, paused, exited or dead",
				    text);
	if (!strcmp(key, "exited")) {
		int code;

		if (str_to_int(value, &code) < 0)
			return filter_error("want an exit code (a number)", text);
	}
	if (!strcmp(key, "publish") || !strcmp(key, "expose")) {
		int low, high;
		char proto[4];

		if (parse_port_range(value, &low, &high, proto) < 0)
			return filter_error("want PORT[/tcp|udp] or START-END[/tcp|udp]", text);
	}
	if (!strcmp(key, "id") || !strcmp(key, "name")) {
		regex_t re;

		if (regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
			return filter_error("not a valid regular expression", text);
		regfree(&re);
	}
	return 0;
}

static int add_filter(struct ps_filters *f, const char *text)
{
	const char *eq = strchr(text, '=');
	_cleanup_free_ char *key = NULL;
	json_t *values;

	if (!eq || eq == text)
		return filter_error("want KEY=VALUE", text);
	key = strndup(text, (size_t)(eq - text));
	if (!key)
		return 125;
	if (!in_list(filter_keys, key)) {
		fprintf(stderr, "silo ps: invalid --filter \"%s\": unknown filter \"%s\" (want id, name, label, "
				"status, exited, ancestor, before, since, volume, network, publish or expose)\n",
			text, key);
		return 125;
	}
	if (check_filter(key, eq + 1, text))
		return 125;
	values = json_object_get(f->by_key, key);
	if (!values) {
		values = json_array();
		json_object_set_new(f->by_key, key, values);
	}
	json_array_append_new(values, json_string(eq + 1));
	return 0;
}

/* before= and since= name containers, ancestor= images: resolved once. */
static int resolve_filters(struct session *s, struct ps_filters *f)
{
	static const char *const relative[] = { "before", "since" };
	json_t *ancestors = json_object_get(f->by_key, "ancestor");
	size_t i;
	json_t *v;

	for (int r = 0; r < 2; r++) {
		json_t *values = json_object_get(f->by_key, relative[r]);
		json_t **slot = r == 0 ? &f->before_rec : &f->since_rec;
		struct silo_err err = { 0 };
		char id[RECORD_ID_LENGTH + 1];

		if (json_array_size(values) > 1) {
			fprintf(stderr, "silo ps: invalid --filter: \"%s\" takes one container\n", relative[r]);
			return 125;
		}
		if (!json_array_size(values))
			continue;
		if (record_find(s->store.root, json_string_value(json_array_get(values, 0)), id, &err) < 0 ||
		    record_load(s->store.root, id, slot, &err) < 0) {
			fprintf(stderr, "silo ps: invalid --filter \"%s=%s\": %s\n", relative[r],
				json_string_value(json_array_get(values, 0)), err.msg);
			return 125;
		}
		if (r == 0)
			f->before_created = json_string_value(json_object_get(*slot, "created"));
		else
			f->since_created = json_string_value(json_object_get(*slot, "created"));
	}
	f->ancestor_ids = json_array();
	f->exposed = json_object();
	f->session = s;
	json_array_foreach(ancestors, i, v) {
		_cleanup_json_ json_t *image = NULL;
		struct silo_err ignored = { 0 };

		if (images_find(&s->store, json_string_value(v), &image, &ignored) == 0)
			json_array_append(f->ancestor_ids, json_object_get(image, "id"));
	}
	return 0;
}

static int regex_matches(const char *pattern, const char *text)
{
	regex_t re;
	int r;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	r = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return r;
}

static int label_matches(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *key = strndup(want, eq ? (size_t)(eq - want) : strlen(want));
	json_t *value = key ? json_object_get(labels, key) : NULL;

	return value && (!eq || !strcmp(json_string_value(value) ?: "", eq + 1));
}

static int ancestor_matches(json_t *rec, const char *want, json_t *ancestor_ids)
{
	const char *image = json_string_value(json_object_get(rec, "image")) ?: "";
	const char *image_id = json_string_value(json_object_get(rec, "imageId")) ?: "";
	size_t i;
	json_t *id;

	if (!strcmp(image, want))
		return 1;
	json_array_foreach(ancestor_ids, i, id)
		if (!strcmp(image_id, json_string_value(id)))
			return 1;
	return 0;
}

static int volume_matches(json_t *rec, const char *want)
{
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(rec, "mounts"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "source")) ?: "", want) ||
		    !strcmp(json_string_value(json_object_get(m, "destination")) ?: "", want))
			return 1;
	return 0;
}

static int network_matches(json_t *rec, const char *want)
{
	const char *mode = json_string_value(json_object_get(rec, "networkMode")) ?: "";
	size_t i;
	json_t *entry;

	if (!strcmp(mode, want))
		return 1;
	json_array_foreach(json_object_get(rec, "networks"), i, entry) {
		const char *id = json_string_value(json_object_get(entry, "id")) ?: "";

		if (!strcmp(json_string_value(json_object_get(entry, "name")) ?: "", want) ||
		    (strlen(want) >= 1 && !strncmp(id, want, strlen(want))))
			return 1;
	}
	return 0;
}

/* The image's ExposedPorts ({"80/tcp": {}}), read once per image. */
static json_t *image_exposed_ports(struct ps_filters *f, json_t *rec)
{
	const char *image_id = json_string_value(json_object_get(rec, "imageId")) ?: "";
	json_t *cached = json_object_get(f->exposed, image_id);
	_cleanup_json_ json_t *image = NULL;
	_cleanup_json_ json_t *config = NULL;
	struct silo_err ignored = { 0 };
	json_t *ports;

	if (cached)
		return cached;
	if (images_find(&f->session->store, image_id, &image, &ignored) < 0 ||
	    images_read_config(&f->session->store, image, &config, &ignored) < 0)
		ports = json_object();
	else
		ports = json_deep_copy(json_object_get(json_object_get(config, "config"), "ExposedPorts"));
	if (!json_is_object(ports)) {
		json_decref(ports);
		ports = json_object();
	}
	json_object_set_new(f->exposed, image_id, ports);
	return ports;
}

static int in_range(int port, const char *proto, int low, int high, const char *want_proto)
{
	return port >= low && port <= high && port > 0 && !strcmp(proto, want_proto);
}

/* publish= matches a host port; expose= a container port: published, or
 * exposed by the image. */
static int port_matches(struct ps_filters *f, json_t *rec, const char *want, int host_side)
{
	json_t *live = json_object_get(json_object_get(rec, "networkSettings"), "ports");
	json_t *ports = json_array_size(live) ? live : json_object_get(rec, "publish");
	int low, high;
	char proto[4];
	size_t i;
	json_t *p;

	if (parse_port_range(want, &low, &high, proto) < 0)
		return 0;
	json_array_foreach(ports, i, p) {
		int port = (int)json_integer_value(json_object_get(p, host_side ? "hostPort" : "containerPort"));

		if (in_range(port, json_string_value(json_object_get(p, "protocol")) ?: "tcp", low, high, proto))
			return 1;
	}
	if (!host_side) {
		const char *key;
		json_t *value;

		json_object_foreach(image_exposed_ports(f, rec), key, value) {
			const char *slash = strchr(key, '/');

			if (in_range(atoi(key), slash ? slash + 1 : "tcp", low, high, proto))
				return 1;
		}
	}
	return 0;
}

static int one_matches(const char *key, const char *want, json_t *rec, const char *status,
		       struct ps_filters *f)
{
	const char *id = json_string_value(json_object_get(rec, "id")) ?: "";
	const char *name = json_string_value(json_object_get(rec, "name")) ?: "";

	if (!strcmp(key, "id"))
		return regex_matches(want, id);
	if (!strcmp(key, "name")) {
		char slashed[300];

		/* docker's names start with "/": "^/web$" matches too. */
		snprintf(slashed, sizeof(slashed), "/%s", name);
		return regex_matches(want, name) || regex_matches(want, slashed);
	}
	if (!strcmp(key, "label"))
		return label_matches(json_object_get(rec, "labels"), want);
	if (!strcmp(key, "status"))
		return !strcmp(status, want);
	if (!strcmp(key, "exited")) {
		int code = 0;

		str_to_int(want, &code);
		return !strcmp(status, "exited") &&
		       json_integer_value(json_object_get(json_object_get(rec, "state"), "exitCode")) == code;
	}
	if (!strcmp(key, "ancestor"))
		return ancestor_matches(rec, want, f->ancestor_ids);
	if (!strcmp(key, "volume"))
		return volume_matches(rec, want);
	if (!strcmp(key, "network"))
		return network_matches(rec, want);
	if (!strcmp(key, "publish"))
		return port_matches(f, rec, want, 1);
	if (!strcmp(key, "expose"))
		return port_matches(f, rec, want, 0);
	/* before and since are positions, checked by the caller. */
	return 1;
}

static int filters_match(struct ps_filters *f, json_t *rec, const char *status)
{
	const char *created = json_string_value(json_object_get(rec, "created")) ?: "";
	const char *key;
	json_t *values;

	/* Records' times have one fixed layout: they compare as text. */
	if (f->before_created && strcmp(created, f->before_created) >= 0)
		return 0;
	if (f->since_created && strcmp(created, f->since_created) <= 0)
		return 0;
	json_object_foreach(f->by_key, key, values) {
		size_t i;
		json_t *v;
		int any = 0;

		json_array_foreach(values, i, v)
			if (one_matches(key, json_string_value(v), rec, status, f))
				any = 1;
		if (!any)
			return 0;
	}
	return 1;
}

/* ---------------------------------------------------------- the command -- */

#define PS_TABLE "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}"
#define PS_TABLE_SIZE PS_TABLE "\\t{{.Size}}"

static json_t *ps_fields(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID",
			 "CONTAINER ID", "Names", "NAMES", "Image", "IMAGE", "Command", "COMMAND", "CreatedAt",
			 "CREATED AT", "RunningFor", "CREATED", "Status", "STATUS", "State", "STATE", "Ports",
			 "PORTS", "Labels", "LABELS", "Mounts", "MOUNTS", "Networks", "NETWORKS",
			 "LocalVolumes", "LOCAL VOLUMES", "Size", "SIZE", "Label", "LABEL");
}

static const char *const ps_methods[] = { "Label", NULL };

static int cmd_ps(const struct engine_context *ctx, int argc, char **argv)
{
	enum { OPT_NO_TRUNC = 256 };
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
		{ "last", required_argument, NULL, 'n' },
		{ "latest", no_argument, NULL, 'l' },
		{ "size", no_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *list = NULL;
	_cleanup_json_ json_t *fields = ps_fields();
	_cleanup_format_output_ struct format_output out = { 0 };
	struct ps_filters filters __attribute__((cleanup(ps_filters_free))) = { .by_key = json_object() };
	struct silo_err err = { 0 };
	const char *format = NULL;
	int all = 0, quiet = 0, no_trunc = 0, last = -1, sizes = 0, c, shown = 0;
	size_t i;
	json_t *listed;

	while ((c = engine_next_option("ps", argc, argv, "aqn:lsf:", longopts)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_NO_TRUNC:
			no_trunc = 1;
			break;
		case 'n':
			if (str_to_int(optarg, &last) < 0)
				return engine_usage_error("ps", "invalid --last \"%s\": want a number", optarg);
			break;
		case 'l':
			last = 1;
			break;
		case 's':
			sizes = 1;
			break;
		case 'f':
			if (add_filter(&filters, optarg))
				return 125;
			break;
		case 'F':
			format = optarg;
			break;
		default:
			return 125;
		}
	}
	if (optind != argc)
		return engine_usage_error("ps", "%s", "takes no arguments");
	if (!quiet && format_output_open(&out, format, sizes ? PS_TABLE_SIZE : PS_TABLE, fields, ps_methods,
					 &err) < 0) {
		fprintf(stderr, "silo ps: %s\n", err.msg);
		return 125;
	}
	/* A template that shows the size measures it, without -s too. */
	if (format && strstr(format, ".Size"))
		sizes = 1;
	/* As docker: -n, -l and a status filter look at every container. */
	if (last > 0 || json_object_get(filters.by_key, "status"))
		all = 1;
	if (session_open(ctx, &s, "ps"))
		return 125;
	if (resolve_filters(&s, &filters))
		return 125;
	if (record_list(s.store.root, &list, &err) < 0)
		return session_fail("ps", &err, 1);
	json_array_foreach(list, i, listed) {
		const char *id = json_string_value(json_object_get(listed, "id"));
		_cleanup_json_ json_t *rec = NULL;
		_cleanup_json_ json_t *item = NULL;
		_cleanup_json_ json_t *methods = NULL;
		const char *status;

		if (last >= 0 && shown >= last)
			break;
		/* The listed copy may be stale: inspect makes it truthful. */
		if (engine_container_inspect(&s.env, id, &rec, &err) < 0) {
			silo_err_clear(&err);
			continue;
		}
		status = engine_container_status(rec);
		/* A paused container is recorded running; the freezer says more. */
		if (!strcmp(status, "running") && engine_container_paused(&s.env, id))
			status = "paused";
		/* docker ps lists what restarts with what runs. */
		if (!all && strcmp(status, "running") && strcmp(status, "restarting") && strcmp(status, "paused"))
			continue;
		if (!filters_match(&filters, rec, status))
			continue;
		shown++;
		if (quiet) {
			printf("%.*s\n", no_trunc ? RECORD_ID_LENGTH : RECORD_SHORT_ID_LENGTH, id);
			continue;
		}
		item = ps_item(&s, rec, status, no_trunc, sizes);
		methods = json_pack("{s:O}", "Label",
				    json_is_object(json_object_get(rec, "labels")) ? json_object_get(rec, "labels")
										  : json_object());
		if (item)
			format_output_add(&out, item, methods);
	}
	if (!quiet)
		format_output_finish(&out);
	return 0;
}

const struct engine_command engine_ps_commands[] = {
	{ "ps", "List containers",
	  "Usage:  silo ps [OPTIONS]\n\nOptions:\n"
	  "  -a, --all             Show all containers (default shows just running)\n"
	  "  -f, --filter filter   Filter output based on conditions provided: id, name, label\n"
	  "                        (KEY or KEY=VALUE), status, exited, ancestor, before, since,\n"
	  "                        volume, network, publish, expose\n"
	  "      --format string   table (default), json, or a template: {{.ID}}, {{.Names}},\n"
	  "                        {{.Image}}, {{.Command}}, {{.CreatedAt}}, {{.RunningFor}},\n"
	  "                        {{.Status}}, {{.State}}, {{.Ports}}, {{.Labels}}, {{.Label \"k\"}},\n"
	  "                        {{.Mounts}}, {{.Networks}}, {{.Size}}, {{json .}}; \"table \"\n"
	  "                        before it prints headers\n"
	  "  -n, --last int        Show n last created containers (includes all states)\n"
	  "  -l, --latest          Show the latest created container (includes all states)\n"
	  "      --no-trunc        Do not truncate output\n"
	  "  -q, --quiet           Only display container IDs\n"
	  "  -s, --size            Display total file sizes\n",
	  cmd_ps },
	{ NULL, NULL, NULL, NULL, 0 },
};
