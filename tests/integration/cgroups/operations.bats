#!/usr/bin/env bats
# The commands that work on a live container's cgroup: pause, resume, ps,
# update, events, and kill --all.

load ../helpers
load cgroup_helpers

setup() {
	silo_setup
	setup_bundle --copy
}

teardown() {
	silo_teardown
}

# A container that counts, writing the count to /tmp/count in its rootfs.
start_counter() {
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; done'
	rt_run_bg "$CID" --detach "$@"
	wait_for test -e "$TEST_DIR/$CID.rc"
	wait_for test -s "$BUNDLE/rootfs/tmp/count"
}

count() {
	cat "$BUNDLE/rootfs/tmp/count"
}

@test "pause freezes the container: its counter stops, its status is paused; resume thaws it" {
	start_counter
	rt pause "$CID"
	assert_equal "$(container_status "$CID")" paused
	local a b
	a=$(count)
	sleep 0.5
	b=$(count)
	assert_equal "$b" "$a"

	rt resume "$CID"
	assert_equal "$(container_status "$CID")" running
	wait_for eval '[ "$(count)" -gt "$b" ]'
}

@test "pause of a paused container and resume of a running one fail clearly" {
	start_counter
	run rt resume "$CID"
	assert_failure
	assert_contains "$output" "is not paused"
	rt pause "$CID"
	run rt pause "$CID"
	assert_failure
	assert_contains "$output" "is already paused"
	run rt start "$CID"
	assert_failure
	rt resume "$CID"
}

@test "pause of a stopped container fails with 'container not running'" {
	set_args true
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	run rt pause "$CID"
	assert_failure
	assert_contains "$output" "container not running"
}

@test "a paused container is killed and removed by delete --force" {
	start_counter
	rt pause "$CID"
	rt delete --force "$CID"
	run rt state "$CID"
	assert_contains "$output" "does not exist"
	assert_nothing_left
}

@test "kill --all KILL reaches every process of a paused container" {
	set_args sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
	rt_run_bg "$CID" --detach
	wait_for test -e "$TEST_DIR/$CID.rc"
	wait_for eval '[ "$(wc -l <"$(cg_dir pids)/cgroup.procs")" -eq 3 ]'
	rt pause "$CID"
	rt kill --all "$CID" KILL
	wait_for eval '[ ! -s "$(cg_dir pids)/cgroup.procs" ]'
	wait_for_status "$CID" stopped
}

@test "ps lists the container's processes as a table, with ps's own options, and as JSON" {
	set_args sh -c 'sleep 1001 & exec sleep 1002'
	rt_run_bg "$CID" --detach
	wait_for test -e "$TEST_DIR/$CID.rc"
	wait_for eval '[ "$(rt ps --format json "$CID" | jq length)" -eq 2 ]'

	run rt ps "$CID"
	assert_status 0
	assert_contains "${lines[0]}" PID
	assert_contains "${lines[0]}" CMD
	assert_equal "${#lines[@]}" 3
	assert_contains "$output" "sleep 1001"
	assert_contains "$output" "sleep 1002"

	run rt ps "$CID" -o pid,args
	assert_status 0
	assert_equal "$(sed 's/^ *//' <<<"${lines[0]}")" "PID COMMAND"
	assert_contains "$output" "sleep 1002"

	run rt ps --format json "$CID"
	assert_status 0
	local init
	init=$(container_field "$CID" .pid)
	assert_equal "$(jq 'length' <<<"$output")" 2
	assert_equal "$(jq --argjson p "$init" 'index($p) != null' <<<"$output")" true
}

@test "ps of an unknown container fails with 'does not exist'" {
	run rt ps nonexistent-container
	assert_failure
	assert_contains "$output" "does not exist"
}

@test "update changes the memory, cpu and pids limits of a running container" {
	requires_v1 memory cpu pids
	set_resources '{"memory": {"limit": 67108864}, "cpu": {"quota": 50000, "period": 100000}, "pids": {"limit": 20}}'
	start_counter
	rt update --memory 128m --memory-swap 256M --cpu-quota 20000 --cpu-period 200000 \
		--cpu-share 256 --pids-limit 30 --memory-reservation 32m "$CID"
	assert_equal "$(cg_read memory memory.limit_in_bytes)" 134217728
	assert_equal "$(cg_read memory memory.memsw.limit_in_bytes)" 268435456
	assert_equal "$(cg_read memory memory.soft_limit_in_bytes)" 33554432
	assert_equal "$(cg_read cpu cpu.cfs_quota_us)" 20000
	assert_equal "$(cg_read cpu cpu.cfs_period_us)" 200000
	assert_equal "$(cg_read cpu cpu.shares)" 256
	assert_equal "$(cg_read pids pids.max)" 30
	# Down again, both memory values at once (the order matters in v1).
	rt update --memory 32m --memory-swap 48m --pids-limit -1 "$CID"
	assert_equal "$(cg_read memory memory.limit_in_bytes)" 33554432
	assert_equal "$(cg_read memory memory.memsw.limit_in_bytes)" 50331648
	assert_equal "$(cg_read pids pids.max)" max
	status_is "$CID" running
}

@test "update --resources reads linux.resources from a file or from stdin" {
	requires_v1 memory pids cpuset
	start_counter
	echo '{"memory": {"limit": 100000000}, "cpu": {"cpus": "0"}}' >"$TEST_DIR/res.json"
	rt update --resources "$TEST_DIR/res.json" "$CID"
	assert_equal "$(cg_read memory memory.limit_in_bytes)" 99999744
	assert_equal "$(cg_read cpuset cpuset.cpus)" 0
	echo '{"pids": {"limit": 7}}' | rt update -r - "$CID"
	assert_equal "$(cg_read pids pids.max)" 7
	# A single-value flag goes over the file's value.
	rt update --resources "$TEST_DIR/res.json" --memory 50000000 "$CID"
	assert_equal "$(cg_read memory memory.limit_in_bytes)" 49999872
}

@test "update with memory.checkBeforeUpdate refuses a limit below the current usage" {
	requires_v1 memory
	set_resources '{"memory": {"limit": 268435456, "checkBeforeUpdate": true}}'
	# 40 MB in the container's /dev/shm (a tmpfs): charged to its cgroup,
	# and not reclaimable without swap.
	set_args sh -c 'head -c 40000000 /dev/zero >/dev/shm/fill && exec sleep 1000'
	rt_run_bg "$CID" --detach
	wait_for test -e "$TEST_DIR/$CID.rc"
	wait_for eval '[ "$(cg_read memory memory.usage_in_bytes)" -gt 40000000 ]'
	run rt update --memory 4m "$CID"
	assert_failure
	assert_contains "$output" "linux.resources.memory.limit: 4194304 is below the current usage of"
	assert_contains "$output" "(checkBeforeUpdate)"
	assert_equal "$(cg_read memory memory.limit_in_bytes)" 268435456
	status_is "$CID" running
}

@test "update names the field of a bad value, and of a value the host cannot apply" {
	start_counter
	run rt update --memory lots "$CID"
	assert_failure
	assert_contains "$output" '--memory: invalid value "lots"'
	echo '{"memory": {"limit": "big"}}' >"$TEST_DIR/res.json"
	run rt update --resources "$TEST_DIR/res.json" "$CID"
	assert_failure
	assert_contains "$output" 'update container "'"$CID"'": linux.resources.memory.limit: expected an integer, got a string'
	echo '{"network": {"classID": 5}}' >"$TEST_DIR/res.json"
	run rt update -r "$TEST_DIR/res.json" "$CID"
	assert_failure
	assert_contains "$output" "linux.resources.network.classID: no net_cls controller on this host"
	run rt update --l3-cache-schema L3:0=f "$CID"
	assert_failure
	assert_contains "$output" "Intel RDT"
}

@test "update of a stopped container fails with 'container not running'" {
	set_args true
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	run rt update --memory 64m "$CID"
	assert_failure
	assert_contains "$output" "container not running"
}

@test "events --stats prints one JSON object whose numbers move as the container works" {
	start_counter
	run rt events --stats "$CID"
	assert_status 0
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r .type <<<"$output")" stats
	assert_equal "$(jq -r .id <<<"$output")" "$CID"
	local key
	for key in cpu memory pids blkio; do
		assert_equal "$(jq --arg k "$key" '.data | has($k)' <<<"$output")" true
	done
	local cpu1 cpu2
	cpu1=$(jq .data.cpu.usage.total <<<"$output")
	[ "$(jq .data.pids.current <<<"$output")" -ge 1 ]
	[ "$(jq .data.memory.usage.usage <<<"$output")" -gt 0 ]
	sleep 0.5
	cpu2=$(rt events --stats "$CID" | jq .data.cpu.usage.total)
	[ "$cpu2" -gt "$cpu1" ] || fail "cpu usage did not move: $cpu1 -> $cpu2"
}

@test "events streams stats every interval and ends when the container stops" {
	set_args sh -c 'sleep 2'
	rt_run_bg "$CID" --detach
	wait_for test -e "$TEST_DIR/$CID.rc"
	run timeout 20 "${RUNTIME_CMD[@]}" --root "$STATE_ROOT" events --interval 500ms "$CID"
	assert_status 0
	[ "${#lines[@]}" -ge 2 ] || fail "only ${#lines[@]} lines: $output"
	assert_equal "$(jq -r .type <<<"${lines[0]}")" stats
	assert_equal "$(jq -r .type <<<"${lines[1]}")" stats
}

@test "events of a container that is not running fails" {
	set_args true
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	run rt events --stats "$CID"
	assert_failure
	assert_contains "$output" "container not running"
	run rt events --interval 1x "$CID"
	assert_failure
	assert_contains "$output" 'invalid duration "1x"'
}
