/* Opening the store for an engine command (see engine_session.h). */
#include "cli/engine_session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/engine_format.h"
#include "engine/record.h"
#include "runtime/exe_protect.h"
#include "util/cleanup.h"
#include "util/log.h"

void session_close(struct session *s)
{
	store_close(&s->store);
	free(s->runtime_root);
}

int session_fail(const char *command, const struct silo_err *err, int status)
{
	log_error("%s: %s", command, err->msg);
	return status;
}

int session_open(const struct engine_context *ctx, struct session *s, const char *command)
{
	struct silo_err err = { 0 };

	s->store.root_fd = -1;
	if (store_open(ctx->root, &s->store, &err) < 0)
		return session_fail(command, &err, 125);
	s->runtime_root = engine_runtime_root();
	if (!s->runtime_root) {
		silo_err_sys(&err, ENOMEM, "runtime root");
		return session_fail(command, &err, 125);
	}
	s->env.store = &s->store;
	s->env.rt.root = s->runtime_root;
	return 0;
}

int session_protect_exe(const char *command)
{
	struct silo_err err = { 0 };

	if (exe_protect_reexec(&err) < 0)
		return session_fail(command, &err, 125);
	return 0;
}

int session_resolve(struct session *s, const char *command, const char *text, char id[65])
{
	struct silo_err err = { 0 };

	if (record_find(s->store.root, text, id, &err) < 0)
		return session_fail(command, &err, 1);
	return 0;
}

int session_write_file(const char *path, int (*write_contents)(int fd, void *opaque, struct silo_err *err),
		       void *opaque, struct silo_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;

	if (asprintf(&tmp, "%s.silo-XXXXXX", path) < 0)
		return silo_err_sys(err, ENOMEM, "write \"%s\"", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return silo_err_errno(err, "create \"%s\"", path);
	if (write_contents(fd, opaque, err) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		if (!err->msg[0])
			silo_err_errno(err, "write \"%s\"", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

void session_print_table(json_t *rows)
{
	format_print_columns(rows, 0);
}

int session_confirm(const char *warning)
{
	char answer[16] = "";

	fprintf(stderr, "WARNING! %s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return 0;
	return answer[0] == 'y' || answer[0] == 'Y';
}

void session_human_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, "%.4g%s", v, units[u]);
}
