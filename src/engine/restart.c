/* Restart policies (see restart.h): parsing and the monitor's decisions. */
#include "engine/restart.h"

#include <errno.h>
#include <string.h>

#include "util/strv.h"

#define RESTART_DELAY_FIRST_MS 100L
#define RESTART_DELAY_MAX_MS 60000L
#define RESTART_RESET_AFTER_MS 10000L

int restart_policy_parse(const char *text, json_t **out, struct silo_err *err)
{
	const char *colon = strchr(text, ':');
	size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
	static const char *const names[] = { "no", "always", "unless-stopped", "on-failure" };
	const char *name = NULL;
	int max = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == name_len && !strncmp(text, names[i], name_len))
			name = names[i];
	if (!name)
		return silo_err_set(err, EINVAL,
				    "invalid restart policy \"%s\": want no, always, unless-stopped or on-failure[:max-retries]",
				    text);
	if (colon) {
		if (strcmp(name, "on-failure"))
			return silo_err_set(err, EINVAL,
					    "invalid restart policy \"%s\": a maximum retry count can only be used with on-failure",
					    text);
		if (str_to_int(colon + 1, &max) < 0 || max < 0)
			return silo_err_set(err, EINVAL, "invalid restart policy \"%s\": want a count of retries after ':'",
					    text);
	}
	*out = json_pack("{s:s, s:i}", "Name", name, "MaximumRetryCount", max);
	return *out ? 0 : silo_err_sys(err, ENOMEM, "restart policy");
}

int restart_policy_active(json_t *policy)
{
	const char *name = json_string_value(json_object_get(policy, "Name"));

	return name && *name && strcmp(name, "no");
}

int restart_wanted(json_t *rec, int exit_status, int restart_count)
{
	json_t *policy = json_object_get(rec, "restartPolicy");
	const char *name = json_string_value(json_object_get(policy, "Name"));
	json_int_t max = json_integer_value(json_object_get(policy, "MaximumRetryCount"));

	if (!rec || !restart_policy_active(policy) ||
	    json_is_true(json_object_get(json_object_get(rec, "state"), "stoppedByUser")))
		return 0;
	if (!strcmp(name, "on-failure"))
		return exit_status != 0 && (max <= 0 || restart_count < max);
	return 1;
}

long restart_next_delay(long previous_ms, long ran_ms)
{
	long next;

	if (previous_ms <= 0 || ran_ms >= RESTART_RESET_AFTER_MS)
		return RESTART_DELAY_FIRST_MS;
	next = previous_ms * 2;
	return next > RESTART_DELAY_MAX_MS ? RESTART_DELAY_MAX_MS : next;
}
