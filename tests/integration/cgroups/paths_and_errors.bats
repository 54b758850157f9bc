#!/usr/bin/env bats
# Where a container's cgroup goes (cgroupsPath), and what is left when a
# create fails: nothing, in any hierarchy.

load ../helpers
load cgroup_helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

# in_every_hierarchy PATH: the cgroup exists in every mounted hierarchy.
in_every_hierarchy() {
	local m
	for m in $(v1_mount_all) $(v2_mount); do
		[ -d "$m$1" ] || fail "no $m$1"
	done
}

v1_mount_all() {
	awk '$0 ~ / - cgroup / { print $5 }' /proc/self/mountinfo
}

@test "without cgroupsPath the container gets /silo-ID in every hierarchy, and /proc/self/cgroup says so" {
	set_args sleep 1000
	rt_create "$CID"
	in_every_hierarchy "/silo-$CID"
	pid=$(container_field "$CID" .pid)
	run cat "/proc/$pid/cgroup"
	assert_contains "$output" "memory:/silo-$CID"
	# The v2 hierarchy (hybrid's too) has the init from its first moment.
	[ -z "$(v2_mount)" ] || assert_contains "$output" "0::/silo-$CID"
	rt delete --force "$CID"
	[ ! -e "$(cg_dir memory)" ]
}

@test "an absolute cgroupsPath is used as it is, and removed by delete" {
	update_config '.linux.cgroupsPath = $p' --arg p "/$CID-abs"
	set_args sleep 1000
	rt_create "$CID"
	in_every_hierarchy "/$CID-abs"
	rt delete --force "$CID"
	[ ! -e "$(cg_dir memory "/$CID-abs")" ]
}

@test "a relative cgroupsPath goes under /silo; what silo made there is removed" {
	update_config '.linux.cgroupsPath = $p' --arg p "$CID-rel/inner"
	set_args sleep 1000
	rt_create "$CID"
	in_every_hierarchy "/silo/$CID-rel/inner"
	rt delete --force "$CID"
	[ ! -e "$(cg_dir memory "/silo/$CID-rel")" ]
}

@test "a cgroupsPath that climbs out with .. is refused" {
	update_config '.linux.cgroupsPath = "/a/../../etc"'
	run rt_run
	assert_failure
	assert_contains "$output" 'config.json: linux.cgroupsPath: "/a/../../etc" is not a usable cgroup path'
	assert_nothing_left
}

@test "create refuses a cgroup that already has processes, and leaves them alone" {
	requires_v1 memory
	local dir
	dir=$(cg_dir memory "/$CID-busy")
	mkdir "$dir"
	on_teardown "rmdir '$dir'"
	sleep 1000 &
	local sleeper=$!
	on_teardown "kill $sleeper"
	echo "$sleeper" >"$dir/cgroup.procs"
	update_config '.linux.cgroupsPath = $p' --arg p "/$CID-busy"
	run rt_run
	assert_failure
	assert_contains "$output" "cgroup \"/$CID-busy\" already has processes in it"
	kill -0 "$sleeper"
	[ -d "$dir" ]
	echo "$sleeper" >"$(v1_mount memory)/cgroup.procs"
	kill "$sleeper"
}

@test "a resource whose controller this host lacks fails naming the field, and leaves nothing" {
	[ -z "$(v1_mount net_cls)" ] || skip "this host has net_cls"
	set_resources '{"network": {"classID": 1048577}}'
	run rt_run
	assert_failure
	assert_contains "$output" "config.json: linux.resources.network.classID: no net_cls controller on this host"
	assert_nothing_left

	set_resources '{"network": {"priorities": [{"name": "lo", "priority": 1}]}}'
	run rt_run
	assert_failure
	assert_contains "$output" "linux.resources.network.priorities: no net_prio controller on this host"
	assert_nothing_left
}

@test "rdma limits fail clearly where the host has no rdma controller" {
	[ -z "$(v1_mount rdma)" ] || skip "this host has rdma"
	! grep -qw rdma "$(v2_mount)/cgroup.controllers" 2>/dev/null || skip "this host has rdma"
	set_resources '{"rdma": {"mlx5_0": {"hcaHandles": 2}}}'
	run rt_run
	assert_failure
	assert_contains "$output" "config.json: linux.resources.rdma: no rdma controller on this host"
	assert_nothing_left
}

@test "unified values on a v1-only host are refused" {
	[ -z "$(v2_mount)" ] || skip "this host has a cgroup v2 hierarchy"
	update_config '.linux.resources.unified = {"memory.max": "1"}'
	run rt_run
	assert_failure
	assert_contains "$output" "linux.resources.unified: needs cgroup v2"
	assert_nothing_left
}

@test "a bad value fails before anything is made, naming the field" {
	set_resources '{"memory": {"limit": "64m"}}'
	run rt_run
	assert_failure
	assert_contains "$output" "config.json: linux.resources.memory.limit: expected an integer, got a string"
	assert_nothing_left
}

@test "a value the kernel refuses half-way removes the cgroup made so far" {
	requires_v1 memory pids
	# memory and pids go in first, then the kernel refuses the cpu value.
	set_resources '{"memory": {"limit": 67108864}, "pids": {"limit": 10}, "cpu": {"quota": 500}}'
	run rt_run
	assert_failure
	assert_contains "$output" "config.json: linux.resources.cpu.quota"
	assert_contains "$output" "Invalid argument"
	assert_nothing_left
}

@test "kill --all of a container whose processes are all gone says 'container not running'" {
	set_args true
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	run rt kill --all "$CID" KILL
	assert_failure
	assert_contains "$output" "container not running"
}
