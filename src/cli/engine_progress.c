/* Pull progress (see engine_progress.h). The terminal display keeps the
 * layers in the order the pull announced them and, on every change, moves
 * the cursor back up over the lines it drew and draws them again; lines
 * are cut to the terminal's width so that none wraps and the count of
 * lines to go back over stays right. */
#include "cli/engine_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_INTERVAL 0.1
#define BAR_WIDTH 20

enum layer_state { LAYER_WAITING, LAYER_DOWNLOADING, LAYER_DOWNLOADED, LAYER_DONE, LAYER_EXISTS };

struct progress_layer {
	char id[13];
	enum layer_state state;
	uint64_t have;
	int64_t total;
	double last_time; /* of the last byte count, for the speed */
	uint64_t last_have;
	double speed; /* bytes a second, smoothed; 0: not known yet */
};

struct pull_progress {
	int tty, quiet, downloaded;
	struct progress_layer *layers;
	size_t n, cap;
	size_t drawn; /* lines on the screen from the last draw */
	double last_draw;
};

void engine_human_size(uint64_t bytes, char *buf, size_t size)
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct pull_progress *pull_progress_new(int tty, int quiet)
{
	struct pull_progress *p = calloc(1, sizeof(*p));

	if (p) {
		p->tty = tty;
		p->quiet = quiet;
	}
	return p;
}

void pull_progress_free(struct pull_progress *p)
{
	if (p)
		free(p->layers);
	free(p);
}

int pull_progress_downloaded(const struct pull_progress *p)
{
	return p->downloaded;
}

static struct progress_layer *find_layer(struct pull_progress *p, const char *digest)
{
	char id[13];
	struct progress_layer *grown;

	snprintf(id, sizeof(id), "%.12s", !strncmp(digest, "sha256:", 7) ? digest + 7 : digest);
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->layers[i].id, id))
			return &p->layers[i];
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 8;

		grown = realloc(p->layers, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		p->layers = grown;
		p->cap = cap;
	}
	memset(&p->layers[p->n], 0, sizeof(p->layers[0]));
	memcpy(p->layers[p->n].id, id, sizeof(id));
	return &p->layers[p->n++];
}

static const char *state_text(enum layer_state state)
{
	switch (state) {
	case LAYER_WAITING:
		return "Waiting";
	case LAYER_DOWNLOADING:
		return "Downloading";
	case LAYER_DOWNLOADED:
		return "Download complete";
	case LAYER_DONE:
		return "Pull complete";
	case LAYER_EXISTS:
		return "Already exists";
	}
	return "";
}

static void format_layer(const struct progress_layer *l, char *line, size_t size)
{
	char have[32], total[32], speed[32], bar[BAR_WIDTH + 3];
	int filled;

	if (l->state != LAYER_DOWNLOADING) {
		snprintf(line, size, "%s: %s", l->id, state_text(l->state));
		return;
	}
	engine_human_size(l->have, have, sizeof(have));
	if (l->total <= 0) {
		snprintf(line, size, "%s: Downloading  %s", l->id, have);
		return;
	}
	engine_human_size((uint64_t)l->total, total, sizeof(total));
	filled = (int)((double)l->have * BAR_WIDTH / (double)l->total);
	if (filled > BAR_WIDTH)
		filled = BAR_WIDTH;
	bar[0] = '[';
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[1 + i] = i < filled ? '=' : i == filled ? '>' : ' ';
	bar[BAR_WIDTH + 1] = ']';
	bar[BAR_WIDTH + 2] = '\0';
	if (l->speed > 0) {
		engine_human_size((uint64_t)l->speed, speed, sizeof(speed));
		snprintf(line, size, "%s: Downloading %s %s/%s  %s/s", l->id, bar, have, total, speed);
	} else {
		snprintf(line, size, "%s: Downloading %s %s/%s", l->id, bar, have, total);
	}
}

static size_t terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col;
	return 80;
}

static void redraw(struct pull_progress *p)
{
	size_t width = terminal_width();
	char line[256];

	if (p->drawn)
		printf("\033[%zuA", p->drawn);
	for (size_t i = 0; i < p->n; i++) {
		format_layer(&p->layers[i], line, sizeof(line));
		/* One column short: a full line would wrap on some terminals. */
		if (strlen(line) >= width)
			line[width - 1] = '\0';
		printf("\r\033[K%s\n", line);
	}
	p->drawn = p->n;
	p->last_draw = now_s();
	fflush(stdout);
}

static void count_bytes(struct progress_layer *l, uint64_t have)
{
	double now = now_s();

	/* The speed is measured between byte counts, smoothed; the first
	 * count only starts the clock (a queued layer waited before it). */
	if (l->last_time > 0 && now > l->last_time && have >= l->last_have) {
		double rate = (double)(have - l->last_have) / (now - l->last_time);

		l->speed = l->speed > 0 ? 0.7 * l->speed + 0.3 * rate : rate;
	}
	l->last_time = now;
	l->last_have = have;
	l->have = have;
}

void pull_progress_event(void *opaque, const struct pull_event *ev)
{
	struct pull_progress *p = opaque;
	struct progress_layer *l;
	enum layer_state before;

	if (ev->kind == PULL_EVENT_RESOLVED)
		return;
	if (ev->kind == PULL_EVENT_LAYER_WAITING)
		p->downloaded = 1;
	l = find_layer(p, ev->digest);
	if (!l)
		return;
	before = l->state;
	l->total = ev->total;
	switch (ev->kind) {
	case PULL_EVENT_RESOLVED:
		return;
	case PULL_EVENT_LAYER_EXISTS:
		l->state = LAYER_EXISTS;
		break;
	case PULL_EVENT_LAYER_WAITING:
		l->state = LAYER_WAITING;
		l->have = ev->have;
		break;
	case PULL_EVENT_LAYER_BYTES:
		l->state = LAYER_DOWNLOADING;
		count_bytes(l, ev->have);
		break;
	case PULL_EVENT_LAYER_DOWNLOADED:
		l->state = LAYER_DOWNLOADED;
		l->have = ev->have;
		break;
	case PULL_EVENT_LAYER_DONE:
		l->state = LAYER_DONE;
		break;
	}
	if (p->quiet)
		return;
	if (p->tty) {
		if (l->state != before || before == LAYER_WAITING || now_s() - p->last_draw >= REDRAW_INTERVAL)
			redraw(p);
		return;
	}
	/* Plain lines: each step once, as docker writes them to a log. */
	if (ev->kind == PULL_EVENT_LAYER_BYTES)
		return;
	printf("%s: %s\n", l->id,
	       ev->kind == PULL_EVENT_LAYER_WAITING ? "Pulling fs layer" : state_text(l->state));
	fflush(stdout);
}
