/* The user-mode network helpers' common end (see helper.h). */
#include "net/helper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/err.h"
#include "util/fs.h"

static int is_ours(pid_t pid, const char *prog, const char *netns_path)
{
	_cleanup_free_ char *text = NULL;
	struct silo_err ignored = { 0 };
	size_t len, n = strlen(prog);
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (fs_read_file(path, 64 * 1024, &text, &len, &ignored) < 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!text[i])
			text[i] = ' ';
	return len > n && !strncmp(text, prog, n) && text[n] == ' ' && strstr(text, netns_path) != NULL;
}

void net_helper_stop(pid_t pid, const char *prog, const char *netns_path)
{
	if (pid <= 0 || !is_ours(pid, prog, netns_path))
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD && kill(pid, 0) < 0))
			break;
		if (i == 50)
			kill(pid, SIGKILL);
		usleep(10000);
	}
}

void net_helper_remove_dir(const char *dir, const char *prefix, const char *const *files)
{
	char path[128];

	if (!dir || strncmp(dir, prefix, strlen(prefix)))
		return;
	for (; *files; files++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *files);
		unlink(path);
	}
	rmdir(dir);
}
