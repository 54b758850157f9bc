/* pasta as a container's network (see pasta.h). */
#include "net/pasta.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/helper.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#define PASTA_READY_TIMEOUT_MS 10000
#define PASTA_DIR_PREFIX "/tmp/silo-pasta."

/* -t/-u specs: [ADDRESS/]HOST_PORT:CONTAINER_PORT, or none. */
static char **pasta_argv(const char *netns_path, const char *pid_file,
			 const struct port_mapping *ports, size_t n)
{
	char **argv = NULL;
	int tcp = 0, udp = 0;

	if (strv_push(&argv, "pasta") < 0 || strv_push(&argv, "--config-net") < 0 ||
	    strv_push(&argv, "--quiet") < 0 || strv_push(&argv, "--foreground") < 0 ||
	    strv_push(&argv, "--pid") < 0 || strv_push(&argv, pid_file) < 0 ||
	    strv_push(&argv, "-T") < 0 || strv_push(&argv, "none") < 0 ||
	    strv_push(&argv, "-U") < 0 || strv_push(&argv, "none") < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char spec[INET6_ADDRSTRLEN + 32];
		int is_udp = ports[i].protocol != IPPROTO_TCP;

		snprintf(spec, sizeof(spec), "%s%s%d:%d", ports[i].host_ip, ports[i].host_ip[0] ? "/" : "",
			 ports[i].host_port, ports[i].container_port);
		if (strv_push(&argv, is_udp ? "-u" : "-t") < 0 || strv_push(&argv, spec) < 0)
			goto fail;
		*(is_udp ? &udp : &tcp) = 1;
	}
	if ((!tcp && (strv_push(&argv, "-t") < 0 || strv_push(&argv, "none") < 0)) ||
	    (!udp && (strv_push(&argv, "-u") < 0 || strv_push(&argv, "none") < 0)) ||
	    strv_push(&argv, "--netns") < 0 || strv_push(&argv, netns_path) < 0)
		goto fail;
	return argv;
fail:
	strv_free(argv);
	return NULL;
}

/* The last line pasta logged that is its own, for an error message. */
static void last_line(const char *log, char *out, size_t size)
{
	_cleanup_free_ char *text = NULL;
	struct silo_err ignored = { 0 };
	char *line, *save = NULL;

	out[0] = '\0';
	if (fs_read_file(log, 64 * 1024, &text, NULL, &ignored) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		/* It says so when it cannot reach syslog, on every line. */
		if (strncmp(line, "Failed to send", 14))
			snprintf(out, size, "%s", line);
}

int pasta_start(const char *netns_path, const struct port_mapping *ports, size_t n_ports,
		struct pasta *out, struct silo_err *err)
{
	char pid_file[96], log[96], said[256];
	_cleanup_strv_ char **argv = NULL;
	pid_t child;
	int status;

	memset(out, 0, sizeof(*out));
	snprintf(out->dir, sizeof(out->dir), PASTA_DIR_PREFIX "XXXXXX");
	if (!mkdtemp(out->dir))
		return silo_err_errno(err, "pasta: make a directory for its PID file");
	snprintf(pid_file, sizeof(pid_file), "%s/pid", out->dir);
	snprintf(log, sizeof(log), "%s/pasta.log", out->dir);
	argv = pasta_argv(netns_path, pid_file, ports, n_ports);
	if (!argv) {
		pasta_stop(0, netns_path, out->dir);
		return silo_err_sys(err, ENOMEM, "pasta");
	}
	child = fork();
	if (child == 0) {
		int null_fd = open("/dev/null", O_RDWR);
		int log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(null_fd, 0);
		dup2(null_fd, 1);
		dup2(log_fd >= 0 ? log_fd : null_fd, 2);
		syscall(SYS_close_range, 3U, ~0U, 0);
		sigset_t none;

		/* Its own process group: a ^C for the foreground container is
		 * not for it. It starts with default signals: this pasta takes
		 * an inherited SIGPIPE of SIG_IGN for a failure to set it. */
		setpgid(0, 0);
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp("pasta", argv);
		_exit(127);
	}
	if (child < 0) {
		pasta_stop(0, netns_path, out->dir);
		return silo_err_errno(err, "pasta: fork");
	}
	out->pid = child;
	/* In the foreground it writes its PID file once the namespace's
	 * interface is up, just before it starts forwarding. */
	for (int waited = 0; waited < PASTA_READY_TIMEOUT_MS; waited += 5) {
		struct timespec ts = { 0, 5000000 };

		if (access(pid_file, F_OK) == 0)
			return 0;
		if (waitpid(child, &status, WNOHANG) == child) {
			out->pid = 0;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
				pasta_stop(0, netns_path, out->dir);
				return silo_err_set(err, ENOENT,
						    "--network pasta needs pasta (install Debian's passt)");
			}
			last_line(log, said, sizeof(said));
			pasta_stop(0, netns_path, out->dir);
			return silo_err_set(err, EIO, "pasta exited before the network was up%s%s",
					    said[0] ? ": " : "", said);
		}
		nanosleep(&ts, NULL);
	}
	pasta_stop(child, netns_path, out->dir);
	return silo_err_set(err, ETIMEDOUT, "pasta did not configure the network within %d s",
			    PASTA_READY_TIMEOUT_MS / 1000);
}

void pasta_stop(pid_t pid, const char *netns_path, const char *dir)
{
	static const char *const files[] = { "pid", "pasta.log", NULL };

	net_helper_stop(pid, "pasta", netns_path);
	net_helper_remove_dir(dir, PASTA_DIR_PREFIX, files);
}
