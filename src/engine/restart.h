/* Restart policies (--restart no|on-failure[:N]|always|unless-stopped),
 * as docker applies them, decided by the container's monitor each time
 * the container exits. The record holds restartPolicy {Name,
 * MaximumRetryCount} and, in its state, restartCount (restarts since the
 * user last started it) and stoppedByUser (set by stop, kill and rm -f
 * before they signal, cleared by a user's start): what the user stopped,
 * the policy never starts again. With no daemon there is no boot or daemon
 * restart, so unless-stopped acts as always. */
#ifndef SILO_ENGINE_RESTART_H
#define SILO_ENGINE_RESTART_H

#include <jansson.h>

#include "util/err.h"

/* "no", "always", "unless-stopped", "on-failure" or "on-failure:N" into
 * {Name, MaximumRetryCount}. */
int restart_policy_parse(const char *text, json_t **out, struct silo_err *err);

/* Whether the policy is anything but "no". */
int restart_policy_active(json_t *policy);

/* Whether a container that exited with exit_status after restart_count
 * restarts is started again, given its (fresh) record. */
int restart_wanted(json_t *rec, int exit_status, int restart_count);

/* docker's back-off: 100 ms doubled at each restart in a row, at most a
 * minute, back to 100 ms after a run of 10 s or more. previous_ms is the
 * last delay (0: none yet), ran_ms how long the container ran. */
long restart_next_delay(long previous_ms, long ran_ms);

#endif
