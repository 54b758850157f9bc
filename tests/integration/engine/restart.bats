#!/usr/bin/env bats
# Restart policies (--restart), applied by the container's monitor, and
# the user's stop, kill and rm, which the policy never undoes.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

restart_count() {
	silo inspect "$1" | jq -r '.[0].RestartCount'
}

@test "--restart on-failure:N runs a failing container N more times, then leaves it exited" {
	silo run -d --name flaky --restart on-failure:3 "$BB" sh -c 'echo run >>/runs; wc -l </runs; exit 2' >/dev/null
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect flaky | jq -r '.[0].State.Status')\" = exited ] &&
		[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect flaky | jq -r '.[0].RestartCount')\" = 3 ]"
	sleep 1
	[ "$(container_status flaky)" = exited ]
	[ "$(restart_count flaky)" = 3 ]
	run silo inspect flaky
	jq -e '.[0].HostConfig.RestartPolicy == {"Name": "on-failure", "MaximumRetryCount": 3} and .[0].State.ExitCode == 2' <<<"$output"
	# Four runs of one container: its changes add up.
	run silo logs flaky
	[ "$output" = "$(printf '1\n2\n3\n4')" ]
	silo rm flaky
}

@test "--restart always restarts a clean exit; ps shows Restarting; stop is not undone; start counts again from 0" {
	silo run -d --name loop --restart always "$BB" sh -c 'sleep 0.3; exit 0' >/dev/null
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect loop | jq -r '.[0].RestartCount')\" -ge 3 ]"
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" ps | grep -q 'Restarting (0)'"
	run silo stop loop
	[ "$status" -eq 0 ]
	[ "$(container_status loop)" = exited ]
	count=$(restart_count loop)
	sleep 2
	[ "$(container_status loop)" = exited ]
	[ "$(restart_count loop)" = "$count" ]
	[ "$(silo inspect loop | jq -r '.[0].State.Restarting')" = false ]
	silo start loop >/dev/null
	[ "$(restart_count loop)" = 0 ]
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect loop | jq -r '.[0].RestartCount')\" -ge 1 ]"
	silo rm -f loop
	[ -z "$(silo ps -aq)" ]
}

@test "kill and rm -f of a container with a restart policy are not undone" {
	silo run -d --name k --restart always "$BB" sleep 100 >/dev/null
	silo kill k >/dev/null
	[ "$(silo wait k)" = 137 ]
	sleep 1
	[ "$(container_status k)" = exited ]
	[ "$(restart_count k)" = 0 ]
	silo start k >/dev/null
	[ "$(container_status k)" = running ]
	id=$(silo inspect k | jq -r '.[0].Id')
	silo rm -f k
	sleep 1
	[ ! -e "$ENGINE_STORE/root/containers/$id" ]
	[ -z "$(ls -A "$SILO_RUNTIME_ROOT")" ]
}

@test "a foreground run with --restart exits with the container; a detached monitor restarts it" {
	run silo run --name fg --restart on-failure:2 "$BB" sh -c 'echo once; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = once ]
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect fg | jq -r '.[0].RestartCount')\" = 2 ] &&
		[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect fg | jq -r '.[0].State.Status')\" = exited ]"
	run silo logs fg
	[ "$output" = "$(printf 'once\nonce\nonce')" ]
	silo rm fg
}

@test "no and on-failure leave a clean exit alone; bad policies and --rm with --restart exit 125" {
	silo run --name clean --restart on-failure "$BB" true
	sleep 0.5
	[ "$(container_status clean)" = exited ]
	[ "$(restart_count clean)" = 0 ]
	[ "$(silo inspect clean | jq -r '.[0].HostConfig.RestartPolicy.Name')" = on-failure ]
	silo rm clean
	silo run --name plain "$BB" sh -c 'exit 1' || true
	[ "$(silo inspect plain | jq -r '.[0].HostConfig.RestartPolicy.Name')" = no ]
	silo rm plain
	for args in "--restart sometimes" "--restart always:3" "--restart on-failure:x" "--rm --restart always"; do
		# shellcheck disable=SC2086
		run silo run $args "$BB" true
		[ "$status" -eq 125 ] || fail "$args: status $status"
	done
	run silo run --rm --restart always "$BB" true
	[[ "$output" == *"conflicting options: --restart and --rm"* ]]
	[ -z "$(silo ps -aq)" ]
}
