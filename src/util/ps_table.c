/* Runs ps(1) and keeps the rows of some processes (see ps_table.h). */
#include "util/ps_table.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Runs ps(1) with args and returns what it printed. */
static char *run_ps(char **args, struct silo_err *err)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0, cap = 0;
	int pipefd[2], status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		silo_err_errno(err, "run ps");
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		silo_err_errno(err, "run ps");
		close(pipefd[0]);
		close(pipefd[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execvp("ps", args);
		fprintf(stderr, "ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t n;

		if (len + 4096 + 1 > cap) {
			char *grown = realloc(out, cap = cap ? cap * 2 : 16384);

			if (!grown || cap > 64 * 1024 * 1024)
				break;
			out = grown;
		}
		n = read(pipefd[0], out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		silo_err_set(err, EIO, "ps %s failed (status %d)", args[1] ? args[1] : "",
			     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return NULL;
	}
	if (!out)
		out = strdup("");
	else
		out[len] = '\0';
	return steal_pointer(&out);
}

/* Which whitespace-separated column of ps's header is PID. */
static int pid_column(const char *header)
{
	int column = 0;

	for (const char *p = header; *p;) {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t\n");
		if (len == 3 && !strncmp(p, "PID", 3))
			return column;
		if (!len)
			break;
		p += len;
		column++;
	}
	return -1;
}

static long column_value(const char *line, int column)
{
	const char *p = line;

	for (int i = 0; i <= column; i++) {
		p += strspn(p, " \t");
		if (i == column)
			break;
		p += strcspn(p, " \t\n");
	}
	return isdigit((unsigned char)*p) ? strtol(p, NULL, 10) : -1;
}

static int has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t k = 0; k < n; k++)
		if (pids[k] == pid)
			return 1;
	return 0;
}

char *ps_table(char **args, size_t n_args, const pid_t *pids, size_t n, struct silo_err *err)
{
	_cleanup_free_ char **argv = calloc(n_args + 3, sizeof(char *));
	_cleanup_free_ char *out = NULL;
	char *table = NULL, *save = NULL, *header;
	size_t size = 0;
	FILE *stream;
	int column, i = 0;

	if (!argv) {
		silo_err_sys(err, ENOMEM, "run ps");
		return NULL;
	}
	argv[i++] = "ps";
	if (n_args == 0)
		argv[i++] = "-ef";
	for (size_t k = 0; k < n_args; k++)
		argv[i++] = args[k];
	out = run_ps(argv, err);
	if (!out)
		return NULL;
	header = strtok_r(out, "\n", &save);
	column = header ? pid_column(header) : -1;
	if (column < 0) {
		silo_err_set(err, EINVAL, "could not find the PID column in the output of ps");
		return NULL;
	}
	stream = open_memstream(&table, &size);
	if (!stream) {
		silo_err_errno(err, "run ps");
		return NULL;
	}
	fprintf(stream, "%s\n", header);
	for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (has_pid(pids, n, column_value(line, column)))
			fprintf(stream, "%s\n", line);
	if (fclose(stream) != 0) {
		free(table);
		silo_err_sys(err, ENOMEM, "run ps");
		return NULL;
	}
	return table;
}
