/* The monitor's copy loop (see relay.h). */
#include "engine/relay.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "util/fs.h"

/* One read from a container stream: to the log, and to our own stdout or
 * stderr in the foreground. Returns 0 at the end of the stream. */
static int copy_stream(const struct relay *r, int *fd, struct logfile_stream *s, int ours)
{
	char buf[16384];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		/* A pty master reads EIO once the last slave is closed. */
		logfile_flush(r->log, s);
		close(*fd);
		*fd = -1;
		return 0;
	}
	logfile_feed(r->log, s, buf, (size_t)n);
	if (r->attach)
		attach_server_output(r->attach, s == r->err ? ATTACH_STDERR : ATTACH_STDOUT, buf, (size_t)n);
	if (r->echo)
		fs_write_all(ours, buf, (size_t)n);
	return 1;
}

static void copy_stdin(const struct relay *r)
{
	char buf[4096];
	ssize_t n = read(*r->in_fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		*r->in_fd = -1;
		return;
	}
	fs_write_all(*r->out_fd, buf, (size_t)n);
}

void relay_run(const struct relay *r, int pidfd)
{
	int exited = pidfd < 0;

	for (;;) {
		struct pollfd fds[4 + 2 + ATTACH_MAX_CLIENTS];
		int n = 0, i_out = -1, i_err = -1, i_in = -1, i_pid = -1, i_attach = -1, n_attach = 0, ready;

		if (*r->out_fd >= 0) {
			i_out = n;
			fds[n++] = (struct pollfd){ .fd = *r->out_fd, .events = POLLIN };
		}
		if (*r->err_fd >= 0) {
			i_err = n;
			fds[n++] = (struct pollfd){ .fd = *r->err_fd, .events = POLLIN };
		}
		if (*r->in_fd >= 0 && !exited) {
			i_in = n;
			fds[n++] = (struct pollfd){ .fd = *r->in_fd, .events = POLLIN };
		}
		if (!exited) {
			i_pid = n;
			fds[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		}
		if (r->attach && !exited) {
			i_attach = n;
			n_attach = (int)attach_server_pollfds(r->attach, fds + n,
							      sizeof(fds) / sizeof(fds[0]) - (size_t)n);
			n += n_attach;
		}
		if (i_out < 0 && i_err < 0 && exited)
			return;
		/* After the exit, whatever is still buffered comes within
		 * moments; a stream some escaped process holds open must not
		 * keep the monitor forever. */
		ready = poll(fds, (nfds_t)n, exited ? 200 : -1);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return;
		if (i_out >= 0 && fds[i_out].revents)
			copy_stream(r, r->out_fd, r->out, STDOUT_FILENO);
		if (i_err >= 0 && fds[i_err].revents)
			copy_stream(r, r->err_fd, r->err, STDERR_FILENO);
		if (i_in >= 0 && fds[i_in].revents)
			copy_stdin(r);
		if (i_pid >= 0 && fds[i_pid].revents)
			exited = 1;
		if (i_attach >= 0)
			attach_server_dispatch(r->attach, fds + i_attach, (size_t)n_attach);
	}
}
