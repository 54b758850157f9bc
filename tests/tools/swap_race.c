/* swap_race: the attacker of the symlink-exchange tests (CVE-2021-30465,
 * CVE-2024-45310, CVE-2025-31133). It swaps two names over and over with
 * renameat2(RENAME_EXCHANGE), typically a directory (or a device node) of
 * a rootfs and a symlink to a host path, while the runtime sets the
 * container up, so that any path the runtime resolves twice, or follows
 * without staying inside the root, is caught on the wrong side.
 *
 *   swap_race [--seconds N] [--pause-us U] PATH_A PATH_B
 *
 * Runs until SIGTERM or SIGINT, or for N seconds (default 60, so that a
 * test that forgets it cannot hang the suite); then prints the number of
 * exchanges made on stdout and exits 0. Exits 1 if the very first exchange
 * fails (both names must exist and be on one filesystem). With --pause-us,
 * it sleeps U microseconds after each exchange: the runtime then often sees
 * one state throughout, and sometimes a swap in the middle of its work. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long swaps = 0;
	long seconds = 60, pause_us = 0;
	time_t deadline;
	int arg = 1;

	while (argc - arg > 2) {
		if (!strcmp(argv[arg], "--seconds"))
			seconds = strtol(argv[arg + 1], NULL, 10);
		else if (!strcmp(argv[arg], "--pause-us"))
			pause_us = strtol(argv[arg + 1], NULL, 10);
		else
			break;
		arg += 2;
	}
	if (argc - arg != 2 || seconds <= 0 || pause_us < 0) {
		fprintf(stderr, "usage: swap_race [--seconds N] [--pause-us U] PATH_A PATH_B\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	deadline = time(NULL) + seconds;
	while (!stop) {
		if (renameat2(AT_FDCWD, argv[arg], AT_FDCWD, argv[arg + 1], RENAME_EXCHANGE) < 0) {
			if (swaps == 0) {
				fprintf(stderr, "swap_race: exchange %s and %s: %s\n", argv[arg],
					argv[arg + 1], strerror(errno));
				return 1;
			}
		} else {
			swaps++;
		}
		if (pause_us)
			usleep((useconds_t)pause_us);
		if ((pause_us || (swaps & 1023) == 0) && time(NULL) >= deadline)
			break;
	}
	printf("%llu\n", swaps);
	return 0;
}
