/* How `pull` shows its progress. On a terminal: one line per layer,
 * redrawn in place, with its status and, while it downloads, a bar, the
 * bytes it has of its total and its own speed. Elsewhere (a log, a pipe):
 * one plain line per step of a layer ("Pulling fs layer", "Download
 * complete", "Pull complete", "Already exists"), never an escape
 * sequence. */
#ifndef SILO_CLI_ENGINE_PROGRESS_H
#define SILO_CLI_ENGINE_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "image/pull.h"

struct pull_progress;

/* tty: redraw in place; quiet: show nothing (but still count). */
struct pull_progress *pull_progress_new(int tty, int quiet);
/* A pull_options.progress callback; opaque is the pull_progress. */
void pull_progress_event(void *opaque, const struct pull_event *ev);
/* Whether any layer had to be downloaded. */
int pull_progress_downloaded(const struct pull_progress *p);
void pull_progress_free(struct pull_progress *p);

/* docker's sizes: 512B, 1.23kB, 45.6MB (powers of 1000). */
void engine_human_size(uint64_t bytes, char *buf, size_t size);

#endif
