/* Signal names for `kill`: what runc and kill(1) accept, in any case, with
 * or without "SIG", plus the real-time forms "RTMIN+N" and "RTMAX-N". */
#include "runtime/signal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strv.h"

struct signal_entry {
	const char *name;
	int number;
};

#define SIGNAL(sig) { #sig, sig }

/* Canonical names come first, so signal_name() finds them before an alias
 * (IOT, CLD, POLL) of the same number. */
static const struct signal_entry signals[] = {
	SIGNAL(SIGHUP), SIGNAL(SIGINT), SIGNAL(SIGQUIT), SIGNAL(SIGILL), SIGNAL(SIGTRAP),
	SIGNAL(SIGABRT), SIGNAL(SIGBUS), SIGNAL(SIGFPE), SIGNAL(SIGKILL), SIGNAL(SIGUSR1),
	SIGNAL(SIGSEGV), SIGNAL(SIGUSR2), SIGNAL(SIGPIPE), SIGNAL(SIGALRM), SIGNAL(SIGTERM),
	SIGNAL(SIGSTKFLT), SIGNAL(SIGCHLD), SIGNAL(SIGCONT), SIGNAL(SIGSTOP), SIGNAL(SIGTSTP),
	SIGNAL(SIGTTIN), SIGNAL(SIGTTOU), SIGNAL(SIGURG), SIGNAL(SIGXCPU), SIGNAL(SIGXFSZ),
	SIGNAL(SIGVTALRM), SIGNAL(SIGPROF), SIGNAL(SIGWINCH), SIGNAL(SIGIO), SIGNAL(SIGPWR),
	SIGNAL(SIGSYS),
	/* aliases */
	{ "SIGIOT", SIGABRT }, { "SIGCLD", SIGCHLD }, { "SIGPOLL", SIGIO },
};

#define SIGNAL_COUNT (sizeof(signals) / sizeof(signals[0]))

/* The highest signal number the kernel knows on every Linux architecture
 * silo builds for (_NSIG is 65). */
#define SIGNAL_MAX (_NSIG - 1)

static int parse_offset(const char *text, int *out)
{
	if (!*text)
		return -1;
	for (const char *p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	return str_to_int(text, out);
}

/* RTMIN and RTMAX are the C library's, not the kernel's: glibc keeps the
 * first two real-time signals for itself, and `kill -s RTMIN` on the host
 * means the same number. */
static int parse_realtime(const char *name)
{
	int offset = 0;

	if (!strncasecmp(name, "RTMIN", 5)) {
		if (name[5] == '\0')
			return SIGRTMIN;
		if (name[5] != '+' || parse_offset(name + 6, &offset) < 0)
			return -1;
		return offset <= SIGRTMAX - SIGRTMIN ? SIGRTMIN + offset : -1;
	}
	if (!strncasecmp(name, "RTMAX", 5)) {
		if (name[5] == '\0')
			return SIGRTMAX;
		if (name[5] != '-' || parse_offset(name + 6, &offset) < 0)
			return -1;
		return offset <= SIGRTMAX - SIGRTMIN ? SIGRTMAX - offset : -1;
	}
	return -1;
}

int signal_parse(const char *text)
{
	const char *name = text;
	int number;

	if (!text || !*text)
		return -1;
	if (text[0] >= '0' && text[0] <= '9') {
		if (parse_offset(text, &number) < 0 || number < 1 || number > SIGNAL_MAX)
			return -1;
		return number;
	}
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < SIGNAL_COUNT; i++)
		if (!strcasecmp(signals[i].name + 3, name))
			return signals[i].number;
	return parse_realtime(name);
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < SIGNAL_COUNT; i++)
		if (signals[i].number == sig)
			return signals[i].name;
	return NULL;
}
