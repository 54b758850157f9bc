/* Foreground supervision of a container process. */
#include "runtime/supervise.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t forward_pid;

static void forward_signal(int sig)
{
	if (forward_pid > 0)
		kill(forward_pid, sig);
}

void supervise_forward_signals(pid_t pid, int on)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	struct sigaction sa = { .sa_handler = on ? forward_signal : SIG_DFL, .sa_flags = SA_RESTART };

	forward_pid = on ? pid : 0;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaction(signals[i], &sa, NULL);
}

int supervise_wait(pid_t pid, int *exit_status, struct silo_err *err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return silo_err_errno(err, "wait for container process");
	}
	if (WIFEXITED(status))
		*exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		*exit_status = 128 + WTERMSIG(status);
	else
		*exit_status = 1;
	return 0;
}
