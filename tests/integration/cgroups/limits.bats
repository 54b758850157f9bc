#!/usr/bin/env bats
# Limits that bite: the effect of each, measured from inside the container
# or in its cgroup, not just the value written.

load ../helpers
load cgroup_helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

# A program that doubles a string until it is killed.
GREEDY='BEGIN { s = "x"; while (1) s = s s }'

@test "a program allocating past the memory limit is OOM-killed and run exits 137" {
	requires_v1 memory
	set_resources '{"memory": {"limit": 33554432}}'
	set_args awk "$GREEDY"
	run rt_run
	assert_status 137
}

@test "an OOM kill inside the container is reported by events and in the stats" {
	requires_v1 memory
	set_resources '{"memory": {"limit": 33554432}}'
	# The init survives; its child is the one killed.
	set_args sh -c "sleep 1; awk '$GREEDY'; echo greedy-ended; exec sleep 1000"
	rt_run_bg "$CID" --detach
	wait_for test -e "$TEST_DIR/$CID.rc"
	wait_until_running "$CID"
	timeout 20 "${RUNTIME_CMD[@]}" --root "$STATE_ROOT" events --interval 30s "$CID" >"$TEST_DIR/events" 2>&1 &
	track_background $!
	wait_for grep -q '"type":"oom"' "$TEST_DIR/events"
	run jq -r 'select(.type == "oom") | .id' "$TEST_DIR/events"
	assert_equal "$output" "$CID"

	run rt events --stats "$CID"
	assert_status 0
	[ "$(jq '.data.memory.event_count.oom_kill' <<<"$output")" -ge 1 ]
	[ "$(jq '.data.memory.usage.failcnt' <<<"$output")" -ge 1 ]
	assert_equal "$(jq -r .type <<<"$output")" stats
	rt delete --force "$CID"
}

@test "a pids limit stops a fork bomb" {
	requires_v1 pids
	set_resources '{"pids": {"limit": 10}}'
	# Bounded: 40 attempts, each child sleeping. The bomb is a shell of
	# its own, which gives up at the first failed fork; the init then
	# reads the counters with builtins only.
	set_args sh -c 'sh -c "i=0; while [ \$i -lt 40 ]; do sleep 30 & i=\$((i+1)); done; echo all-forked"
		read c </sys/fs/cgroup/pids/pids.current; echo "current $c"
		while read k v; do [ "$k" = max ] && echo "max $v"; done </sys/fs/cgroup/pids/pids.events'
	run rt_run
	assert_contains "$output" "can't fork"
	assert_not_contains "$output" all-forked
	[ "$(grep -o 'current [0-9]*' <<<"$output" | cut -d' ' -f2)" -le 10 ]
	[ "$(grep -o 'max [0-9]*' <<<"$output" | cut -d' ' -f2)" -gt 0 ]
}

@test "a cpu quota of half a CPU shows in measured throttling" {
	requires_v1 cpu cpuacct
	set_resources '{"cpu": {"quota": 50000, "period": 100000}}'
	set_args sh -c 'while :; do :; done'
	rt_run_bg "$CID" --detach
	wait_for test -e "$TEST_DIR/$CID.rc"
	sleep 1.5
	run rt events --stats "$CID"
	assert_status 0
	local periods throttled usage
	periods=$(jq '.data.cpu.throttling.periods' <<<"$output")
	throttled=$(jq '.data.cpu.throttling.throttledPeriods' <<<"$output")
	usage=$(jq '.data.cpu.usage.total' <<<"$output")
	[ "$periods" -ge 10 ] || fail "periods: $periods"
	# A busy loop asks for a whole CPU: nearly every period is throttled.
	[ "$throttled" -ge $((periods / 2)) ] || fail "throttled $throttled of $periods"
	# and it got about half of the wall time (1.5s): well below 1.2s.
	[ "$usage" -lt 1200000000 ] || fail "usage $usage ns"
}

@test "the OOM killer disabled: the container stalls at its limit instead of dying" {
	requires_v1 memory
	set_resources '{"memory": {"limit": 33554432, "disableOOMKiller": true}}'
	set_args awk "$GREEDY"
	rt_run_bg "$CID" --detach
	wait_for test -e "$TEST_DIR/$CID.rc"
	wait_for grep -q 'under_oom 1' "$(cg_dir memory)/memory.oom_control"
	status_is "$CID" running
	rt delete --force "$CID"
}
