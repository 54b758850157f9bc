/* silo-init: the minimal init `run --init` puts at PID 1 of a container.
 * It starts the command as its only child, reaps every process that ends
 * up orphaned to it (PID 1 inherits them all, and a command that was
 * never written to be an init leaves them as zombies), forwards the
 * signals it receives to the command, and exits with the command's
 * status: its exit code, or 128+N when signal N killed it.
 *
 * It is a static program of its own, using nothing of silo's: it runs
 * inside the container's root, where silo's libraries are not. Usage:
 *   silo-init [--] COMMAND [ARG...] */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals the kernel raises for a fault of this process itself: they stay
 * unblocked so a bug here still ends it rather than being forwarded. */
static const int synchronous_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

static pid_t start_command(char **argv, const sigset_t *old_mask)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* The command gets a process group of its own, and the terminal when
	 * there is one, as a shell gives a foreground job: Ctrl-C then
	 * reaches it through the terminal, not this process. */
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpid());
		signal(SIGTTOU, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "silo-init: exec \"%s\": %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	sigset_t all, old_mask;
	pid_t child;
	int status = 0;

	if (argc > 1 && !strcmp(argv[1], "--")) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "silo-init: usage: silo-init [--] COMMAND [ARG...]\n");
		return 125;
	}
	/* Every signal is taken by sigwaitinfo below, not by a handler:
	 * blocked before the fork, so none arrives before the loop. */
	sigfillset(&all);
	for (size_t i = 0; i < sizeof(synchronous_signals) / sizeof(synchronous_signals[0]); i++)
		sigdelset(&all, synchronous_signals[i]);
	sigprocmask(SIG_SETMASK, &all, &old_mask);
	child = start_command(argv + 1, &old_mask);
	if (child < 0) {
		fprintf(stderr, "silo-init: fork: %s\n", strerror(errno));
		return 125;
	}
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&all, &info);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* The command may have made other groups: it is the one
			 * told, as a shell's job would be. */
			kill(child, sig);
			continue;
		}
		for (;;) {
			int s;
			pid_t pid = waitpid(-1, &s, WNOHANG);

			if (pid <= 0)
				break;
			if (pid == child) {
				status = exit_status(s);
				child = 0;
			}
		}
		/* Once the command is gone, so is the container: the kernel
		 * kills whatever else runs when PID 1 exits. */
		if (!child)
			return status;
	}
}
