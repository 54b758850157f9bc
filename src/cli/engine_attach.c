/* `silo attach CONTAINER` and the attach client (see engine_attach.h): one
 * poll loop over the monitor's socket, our stdin and a signalfd. Signals
 * we pass on and SIGWINCH are blocked and read from the signalfd, so
 * nothing happens in a signal handler. */
#include "cli/engine_attach.h"
#include "cli/engine_session.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/attach.h"
#include "engine/lifecycle.h"
#include "engine/record.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const int proxied_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

struct client {
	const struct attach_client_options *o;
	size_t matched; /* how many detach keys in a row we have read */
};

static void send_window_size(int fd)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		attach_send(fd, ATTACH_RESIZE, &ws, sizeof(ws));
}

/* Our input, less the detach keys: a partial match is held back until
 * the next byte says whether it was one. Returns 1 once they all came. */
static int forward_input(struct client *c, const unsigned char *buf, size_t len)
{
	const struct attach_client_options *o = c->o;
	unsigned char out[4096 + 16];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (o->n_detach_keys && buf[i] == o->detach_keys[c->matched]) {
			if (++c->matched == o->n_detach_keys) {
				if (n)
					attach_send(o->fd, ATTACH_STDIN, out, n);
				return 1;
			}
			continue;
		}
		memcpy(out + n, o->detach_keys, c->matched);
		n += c->matched;
		c->matched = 0;
		if (o->n_detach_keys && buf[i] == o->detach_keys[0]) {
			c->matched = 1;
			continue;
		}
		out[n++] = buf[i];
		if (n >= 4096) {
			attach_send(o->fd, ATTACH_STDIN, out, n);
			n = 0;
		}
	}
	if (n)
		attach_send(o->fd, ATTACH_STDIN, out, n);
	if (c->matched == o->n_detach_keys && o->n_detach_keys)
		return 1;
	return 0;
}

/* One message from the monitor. Returns 1 when it was the exit, -1 when
 * the monitor is gone, else 0. */
static int read_monitor(int fd, int *exit_status)
{
	char msg[1 + ATTACH_MAX_PAYLOAD];
	ssize_t n = recv(fd, msg, sizeof(msg), 0);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return -1;
	switch (msg[0]) {
	case ATTACH_STDOUT:
		fs_write_all(STDOUT_FILENO, msg + 1, (size_t)n - 1);
		break;
	case ATTACH_STDERR:
		fs_write_all(STDERR_FILENO, msg + 1, (size_t)n - 1);
		break;
	case ATTACH_EXIT:
		if ((size_t)n == 1 + sizeof(int)) {
			memcpy(exit_status, msg + 1, sizeof(int));
			return 1;
		}
		return -1;
	default:
		break;
	}
	return 0;
}

static int loop(struct client *c, int sigfd, int *exit_status)
{
	const struct attach_client_options *o = c->o;
	int stdin_open = o->send_stdin;

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = o->fd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		int r;

		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return ATTACH_CLIENT_LOST;
		}
		if (fds[0].revents) {
			r = read_monitor(o->fd, exit_status);
			if (r > 0)
				return ATTACH_CLIENT_EXITED;
			if (r < 0)
				return ATTACH_CLIENT_LOST;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				int sig = (int)si.ssi_signo;

				if (sig == SIGWINCH)
					send_window_size(o->fd);
				else
					attach_send(o->fd, ATTACH_SIGNAL, &sig, sizeof(sig));
			}
		}
		if (fds[2].revents) {
			unsigned char buf[4096];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			/* Our EOF leaves the container's stdin open, as
			 * docker's attach does: another client may come. */
			if (n <= 0)
				stdin_open = 0;
			else if (forward_input(c, buf, (size_t)n))
				return ATTACH_CLIENT_DETACHED;
		}
	}
}

int attach_client_run(const struct attach_client_options *o, int *exit_status)
{
	struct client c = { .o = o };
	sigset_t mask, saved_mask;
	struct termios saved_termios;
	int raw = 0, r;
	_cleanup_close_ int sigfd = -1;

	*exit_status = 0;
	sigemptyset(&mask);
	if (o->tty)
		sigaddset(&mask, SIGWINCH);
	if (o->sig_proxy)
		for (size_t i = 0; i < sizeof(proxied_signals) / sizeof(proxied_signals[0]); i++)
			sigaddset(&mask, proxied_signals[i]);
	sigprocmask(SIG_BLOCK, &mask, &saved_mask);
	/* An ignored signal never becomes pending: a shell starts background
	 * jobs with SIGINT ignored, and the user still wants it passed on. */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigismember(&mask, sig) == 1 && sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
			sa.sa_handler = SIG_DFL;
			sigaction(sig, &sa, NULL);
		}
	}
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (o->tty && o->send_stdin && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
		struct termios t = saved_termios;

		cfmakeraw(&t);
		raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
	}
	if (o->tty)
		send_window_size(o->fd);
	r = loop(&c, sigfd, exit_status);
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return r;
}

int attach_client_detach_keys(const char *command, const char *spec, unsigned char *keys,
			      size_t max, size_t *n)
{
	struct silo_err err = { 0 };

	if (attach_parse_detach_keys(spec, keys, max, n, &err) < 0)
		return engine_usage_error(command, "%s", err.msg);
	return 0;
}

void attach_client_say_detached(void)
{
	/* docker's words. */
	fprintf(stderr, "read escape sequence\n");
}

static int cmd_attach(const struct engine_context *ctx, int argc, char **argv)
{
	enum { OPT_NO_STDIN = 256, OPT_SIG_PROXY, OPT_DETACH_KEYS };
	static const struct option longopts[] = {
		{ "no-stdin", no_argument, NULL, OPT_NO_STDIN },
		{ "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ 0 },
	};
	_cleanup_session_ struct session s = { 0 };
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int fd = -1;
	struct attach_client_options o = { .fd = -1 };
	struct silo_err err = { 0 };
	unsigned char keys[16];
	size_t n_keys = 0;
	const char *status;
	int no_stdin = 0, sig_proxy = 1, c, r, code;
	char id[65];

	if (attach_client_detach_keys("attach", ATTACH_DEFAULT_DETACH_KEYS, keys, sizeof(keys), &n_keys))
		return 125;
	while ((c = engine_next_option("attach", argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_NO_STDIN:
			no_stdin = 1;
			break;
		case OPT_SIG_PROXY:
			if (engine_bool_option("attach", "sig-proxy", optarg, &sig_proxy))
				return 125;
			break;
		case OPT_DETACH_KEYS:
			if (attach_client_detach_keys("attach", optarg, keys, sizeof(keys), &n_keys))
				return 125;
			break;
		default:
			return 125;
		}
	}
	if (argc - optind != 1)
		return engine_usage_error("attach", "%s", "wants exactly one container");
	if (session_open(ctx, &s, "attach"))
		return 125;
	if (session_resolve(&s, "attach", argv[optind], id))
		return 1;
	if (engine_container_inspect(&s.env, id, &rec, &err) < 0)
		return session_fail("attach", &err, 1);
	status = engine_container_status(rec);
	if (!strcmp(status, "restarting")) {
		fprintf(stderr, "silo attach: You cannot attach to a restarting container %s, wait until it is running\n",
			argv[optind]);
		return 1;
	}
	if (strcmp(status, "running")) {
		fprintf(stderr, "silo attach: You cannot attach to a stopped container %s, start it first\n",
			argv[optind]);
		return 1;
	}
	dir = record_path(s.store.root, id, NULL);
	fd = dir ? attach_connect(dir, &err) : -1;
	if (fd < 0) {
		if (!dir)
			return session_fail("attach", &err, 1);
		fprintf(stderr, "silo attach: container %s takes no attach clients (its monitor is a foreground "
				"`silo run` or `start -a`): %s\n",
			argv[optind], err.msg);
		return 1;
	}
	o.fd = fd;
	o.tty = json_is_true(json_object_get(rec, "tty"));
	o.send_stdin = !no_stdin && json_is_true(json_object_get(rec, "openStdin"));
	/* With a terminal our ^C is a byte for the container's terminal, as
	 * docker's sig-proxy is for non-TTY mode only. */
	o.sig_proxy = sig_proxy && !o.tty;
	o.detach_keys = keys;
	o.n_detach_keys = o.send_stdin ? n_keys : 0;
	r = attach_client_run(&o, &code);
	if (r == ATTACH_CLIENT_DETACHED) {
		attach_client_say_detached();
		return 0;
	}
	if (r == ATTACH_CLIENT_LOST) {
		/* The monitor went between our look and our connect, or was
		 * killed: the record has the last word. */
		if (engine_container_wait(&s.env, id, &code, &err) < 0 || code < 0)
			return 0;
	}
	return code;
}

const struct engine_command engine_attach_commands[] = {
	{ "attach", "Attach local standard input, output, and error streams to a running container",
	  "Usage:  silo attach [OPTIONS] CONTAINER\n\nOptions:\n"
	  "      --detach-keys string   Keys that detach and leave the container running\n"
	  "                             (default \"ctrl-p,ctrl-q\"; ctrl-X or single characters, comma-separated)\n"
	  "      --no-stdin             Do not attach STDIN\n"
	  "      --sig-proxy            Pass the signals we get on to the container (default true;\n"
	  "                             not with a TTY)\n",
	  cmd_attach },
	{ NULL, NULL, NULL, NULL, 0 },
};
