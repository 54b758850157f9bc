/* slirp4netns as a container's network (see slirp.h). */
#include "net/slirp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "net/helper.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define SLIRP_READY_TIMEOUT_MS 10000

/* The child: fd 3 is the exit pipe, fd 4 the ready pipe; what it says
 * goes to a log beside its API socket, for the error when it fails. */
static void exec_slirp(const char *netns_path, unsigned int mtu, const char *api_socket,
		       const char *log, int exit_fd, int ready_fd)
{
	char mtu_arg[32];
	int null_fd = open("/dev/null", O_RDWR);
	int log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (dup2(exit_fd, 3) < 0 || dup2(ready_fd, 4) < 0)
		_exit(126);
	if (null_fd >= 0) {
		dup2(null_fd, 0);
		dup2(null_fd, 1);
	}
	dup2(log_fd >= 0 ? log_fd : null_fd, 2);
	syscall(SYS_close_range, 5U, ~0U, 0);
	/* Its own process group: a ^C for the foreground container is not
	 * for it; it goes when its exit pipe closes. */
	setpgid(0, 0);
	snprintf(mtu_arg, sizeof(mtu_arg), "--mtu=%u", mtu ? mtu : 65520);
	execlp("slirp4netns", "slirp4netns", "--configure", mtu_arg, "--disable-host-loopback",
	       "--exit-fd=3", "--ready-fd=4", "--netns-type=path", "--api-socket", api_socket, netns_path,
	       "tap0", (char *)NULL);
	_exit(127);
}

/* The last line slirp4netns logged, for an error message. */
static void last_line(const char *log, char *out, size_t size)
{
	_cleanup_free_ char *text = NULL;
	struct silo_err ignored = { 0 };
	size_t len;
	char *line;

	out[0] = '\0';
	if (fs_read_file(log, 64 * 1024, &text, &len, &ignored) < 0)
		return;
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	line = strrchr(text, '\n');
	snprintf(out, size, "%s", line ? line + 1 : text);
}

static int wait_ready(int ready_fd, pid_t pid, const char *log, struct silo_err *err)
{
	struct pollfd p = { .fd = ready_fd, .events = POLLIN };
	char c, said[256];
	int status;

	if (poll(&p, 1, SLIRP_READY_TIMEOUT_MS) <= 0)
		return silo_err_set(err, ETIMEDOUT, "slirp4netns did not configure the network within %d s",
				    SLIRP_READY_TIMEOUT_MS / 1000);
	if (read(ready_fd, &c, 1) == 1)
		return 0;
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return silo_err_set(err, ENOENT,
				    "--network slirp4netns needs slirp4netns (install Debian's slirp4netns)");
	last_line(log, said, sizeof(said));
	return silo_err_set(err, EIO, "slirp4netns exited before the network was up%s%s", said[0] ? ": " : "",
			    said);
}

int slirp_start(const char *netns_path, unsigned int mtu, struct slirp *out, struct silo_err *err)
{
	char log[128];
	int exit_pipe[2], ready_pipe[2];
	pid_t pid;

	memset(out, 0, sizeof(*out));
	snprintf(out->dir, sizeof(out->dir), "/tmp/silo-slirp.XXXXXX");
	if (!mkdtemp(out->dir))
		return silo_err_errno(err, "slirp4netns: make a directory for its API socket");
	snprintf(out->api_socket, sizeof(out->api_socket), "%s/api.sock", out->dir);
	if (pipe2(exit_pipe, O_CLOEXEC) < 0)
		return silo_err_errno(err, "slirp4netns: pipe");
	if (pipe2(ready_pipe, O_CLOEXEC) < 0) {
		close(exit_pipe[0]);
		close(exit_pipe[1]);
		return silo_err_errno(err, "slirp4netns: pipe");
	}
	snprintf(log, sizeof(log), "%s/slirp4netns.log", out->dir);
	pid = fork();
	if (pid == 0)
		exec_slirp(netns_path, mtu, out->api_socket, log, exit_pipe[0], ready_pipe[1]);
	close(exit_pipe[0]);
	close(ready_pipe[1]);
	if (pid < 0) {
		close(exit_pipe[1]);
		close(ready_pipe[0]);
		rmdir(out->dir);
		return silo_err_errno(err, "slirp4netns: fork");
	}
	out->pid = pid;
	if (wait_ready(ready_pipe[0], pid, log, err) < 0) {
		close(ready_pipe[0]);
		close(exit_pipe[1]);
		slirp_stop(pid, netns_path, out->dir);
		waitpid(pid, NULL, WNOHANG);
		return -1;
	}
	close(ready_pipe[0]);
	/* The write end stays open, on purpose, for as long as the caller
	 * lives: when it dies, however, slirp4netns sees the pipe close and
	 * exits, so a killed monitor leaves no slirp4netns behind. The caller
	 * lives on through an exec (a detached monitor execs its lean self):
	 * from here on the end survives exec. slirp4netns, forked above,
	 * still had it close-on-exec. */
	fcntl(exit_pipe[1], F_SETFD, 0);
	return 0;
}

/* One request on the API socket, one JSON answer. */
static int api_call(const struct slirp *s, json_t *request, json_t **answer, struct silo_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	_cleanup_free_ char *text = json_dumps(request, JSON_COMPACT);
	char buf[4096];
	size_t len = 0;
	json_error_t jerr;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", s->api_socket);
	if (fd < 0 || !text || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return silo_err_errno(err, "slirp4netns API \"%s\"", s->api_socket);
	if (fs_write_all(fd, text, strlen(text)) < 0)
		return silo_err_errno(err, "slirp4netns API: send");
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t)n) == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	*answer = json_loads(buf, 0, &jerr);
	if (!*answer)
		return silo_err_set(err, EIO, "slirp4netns API: bad answer \"%s\"", buf);
	return 0;
}

int slirp_add_port(const struct slirp *s, const struct port_mapping *m, struct silo_err *err)
{
	_cleanup_json_ json_t *request = json_pack(
		"{s:s, s:{s:s, s:s, s:i, s:i}}", "execute", "add_hostfwd", "arguments", "proto",
		ports_protocol_name(m->protocol), "host_addr", m->host_ip[0] ? m->host_ip : "0.0.0.0",
		"host_port", m->host_port, "guest_port", m->container_port);
	_cleanup_json_ json_t *answer = NULL;
	json_t *error;

	if (!request)
		return silo_err_sys(err, ENOMEM, "publish port %d", m->host_port);
	if (api_call(s, request, &answer, err) < 0)
		return silo_err_prefix(err, "publish port %d/%s", m->host_port, ports_protocol_name(m->protocol));
	error = json_object_get(answer, "error");
	if (error)
		return silo_err_set(err, EADDRINUSE, "publish port %d/%s: slirp4netns: %s", m->host_port,
				    ports_protocol_name(m->protocol),
				    json_string_value(json_object_get(error, "desc")) ?: "refused");
	return 0;
}

void slirp_stop(pid_t pid, const char *netns_path, const char *dir)
{
	static const char *const files[] = { "api.sock", "slirp4netns.log", NULL };

	net_helper_stop(pid, "slirp4netns", netns_path);
	net_helper_remove_dir(dir, "/tmp/silo-slirp.", files);
}
