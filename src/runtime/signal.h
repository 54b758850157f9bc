/* Signal names as runc accepts them: "KILL", "SIGKILL", "9", "RTMIN+3". */
#ifndef SILO_RUNTIME_SIGNAL_H
#define SILO_RUNTIME_SIGNAL_H

/* Returns the signal number, or -1 when the text names no signal. */
int signal_parse(const char *text);
/* "SIGKILL" for 9; NULL for a number with no name. */
const char *signal_name(int sig);

#endif
