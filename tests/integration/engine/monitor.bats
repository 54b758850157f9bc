#!/usr/bin/env bats
# The detached monitor while its container runs: the lean silo binary
# (engine/monitor_lean.h), with no engine module or its libraries mapped,
# which still logs, serves attach clients, records the exit and restarts.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# monitor_is_lean NAME: its monitor maps neither the engine module nor
# libcurl, and is still the parent of the container's init. (The monitor
# execs itself just after it records the container running: callers
# wait for it.)
monitor_is_lean() {
	local monitor pid
	monitor=$(silo inspect "$1" | jq -r '.[0].State.MonitorPid')
	pid=$(silo inspect "$1" | jq -r '.[0].State.Pid')
	[ "$monitor" -gt 0 ] && [ -r "/proc/$monitor/maps" ] || return 1
	[ "$(tr '\0' '\n' <"/proc/$monitor/cmdline" | head -n1)" = silo-monitor ] || return 1
	! grep -q -e silo-engine -e libcurl -e libarchive "/proc/$monitor/maps" || return 1
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$monitor" ]
}

@test "a detached container's monitor is lean, logs, and records the exit" {
	silo run -d --name lean "$BB" sh -c 'echo one; echo two >&2; trap "exit 5" TERM; while :; do sleep 0.1; done' >/dev/null
	wait_until monitor_is_lean lean
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs lean 2>&1 | grep -q two"
	silo stop lean >/dev/null
	[ "$(container_status lean)" = exited ]
	[ "$(silo inspect lean | jq -r '.[0].State.ExitCode')" = 5 ]
	run silo logs lean
	[[ "$output" == *one*two* ]]
}

@test "the lean monitor restarts under the policy, lean again, and --rm still removes" {
	silo run -d --name again --restart always "$BB" sh -c 'echo run; sleep 0.3; exit 1' >/dev/null
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect again | jq -r '.[0].RestartCount')\" -ge 1 ]"
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect again | jq -r '.[0].State.Status')\" = running ]"
	wait_until monitor_is_lean again
	silo rm -f again >/dev/null
	id=$(silo run -d --rm "$BB" sh -c 'sleep 0.5; exit 2')
	wait_until sh -c "! \"$SILO\" --root \"$ENGINE_STORE/root\" inspect $id >/dev/null 2>&1"
}

@test "the lean monitor serves attach: input, output and the exit status" {
	silo run -di --name served "$BB" sh -c 'read line; echo "got:$line"; exit 4' >/dev/null
	wait_until monitor_is_lean served
	run sh -c "echo hi | \"$SILO\" --root \"$ENGINE_STORE/root\" attach served"
	[ "$status" -eq 4 ]
	[ "$output" = got:hi ]
}
