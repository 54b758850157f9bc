/* What every engine command opens first: the store, and the runtime root
 * engine containers' state lives under. Shared by the engine's command
 * files. */
#ifndef SILO_CLI_ENGINE_SESSION_H
#define SILO_CLI_ENGINE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cli/engine_cli.h"
#include "engine/lifecycle.h"
#include "image/store.h"
#include "util/err.h"

struct session {
	struct store store;
	char *runtime_root;
	struct engine_env env;
};

void session_close(struct session *s);
#define _cleanup_session_ __attribute__((cleanup(session_close)))

/* Opens the store; on failure reports it and returns 125. */
int session_open(const struct engine_context *ctx, struct session *s, const char *command);

/* Reports "COMMAND: message" and returns status. */
int session_fail(const char *command, const struct silo_err *err, int status);

/* NAME, full ID or ID prefix -> full ID; reports a miss, returns 1. */
int session_resolve(struct session *s, const char *command, const char *text, char id[65]);

/* run, start, exec ... put processes in containers: they start over from a
 * sealed copy of silo (runtime/exe_protect.h) before they change anything,
 * or the runtime would re-execute them halfway through. Reports a failure
 * and returns 125. */
int session_protect_exe(const char *command);

/* -o FILE for the commands that write an archive (export, save): FILE is
 * written beside it as FILE.silo-XXXXXX by write_contents, synced, made
 * 0644 and renamed over FILE once complete, so a failed or killed command
 * never leaves a torn archive under that name. */
int session_write_file(const char *path, int (*write_contents)(int fd, void *opaque, struct silo_err *err),
		       void *opaque, struct silo_err *err);

/* Prints rows (an array of arrays of strings) as docker prints tables:
 * each column as wide as its widest cell, three spaces apart. */
void session_print_table(json_t *rows);

/* docker's prompt before a prune: "WARNING! <warning>" and a [y/N]
 * question on stderr; true when the answer on stdin is yes. */
int session_confirm(const char *warning);

/* docker's units.HumanSize (four significant digits, powers of 1000), as
 * the prune commands print "Total reclaimed space". */
void session_human_size(uint64_t bytes, char *buf, size_t size);

#endif
