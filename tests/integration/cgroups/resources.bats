#!/usr/bin/env bats
# linux.resources, each family applied and read back: from inside the
# container (its /sys/fs/cgroup shows its own cgroups) and from the host.

load ../helpers
load cgroup_helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

@test "memory limit, reservation, swap, swappiness and disableOOMKiller reach the memory cgroup" {
	requires_v1 memory
	set_resources '{"memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728,
		"swappiness": 10, "disableOOMKiller": true}}'
	set_args sh -c 'cd /sys/fs/cgroup/memory && cat memory.limit_in_bytes memory.soft_limit_in_bytes \
		memory.memsw.limit_in_bytes memory.swappiness && grep oom_kill_disable memory.oom_control'
	run rt_run
	assert_status 0
	assert_equal "$output" "67108864
33554432
134217728
10
oom_kill_disable 1"
}

@test "kernel memory limits are applied where the kernel still has them" {
	requires_v1 memory
	[ -e "$(v1_mount memory)/memory.kmem.limit_in_bytes" ] || skip "this kernel has no kernel memory limits"
	set_resources '{"memory": {"limit": 67108864, "kernel": 33554432, "kernelTCP": 16777216}}'
	set_args cat /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes /sys/fs/cgroup/memory/memory.kmem.limit_in_bytes
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" 16777216
	# Linux 6.x takes memory.kmem.limit_in_bytes but no longer enforces it
	# (the value reads back unlimited): the spec lets runtimes ignore it.
	[[ "${lines[1]}" == 33554432 || "${lines[1]}" == 9223372036854771712 ]] || fail "kmem: ${lines[1]}"
}

@test "cpu shares, quota, period, burst and idle reach the cpu cgroup" {
	requires_v1 cpu
	set_resources '{"cpu": {"shares": 512, "quota": 25000, "period": 50000, "burst": 1000, "idle": 0}}'
	set_args sh -c 'cd /sys/fs/cgroup/cpu && cat cpu.shares cpu.cfs_quota_us cpu.cfs_period_us cpu.cfs_burst_us cpu.idle'
	run rt_run
	assert_status 0
	assert_equal "$output" "512
25000
50000
1000
0"
}

@test "cpu realtime period is applied; realtime runtime the parent cannot give is refused clearly" {
	requires_v1 cpu
	set_resources '{"cpu": {"realtimePeriod": 500000, "realtimeRuntime": 0}}'
	set_args cat /sys/fs/cgroup/cpu/cpu.rt_period_us /sys/fs/cgroup/cpu/cpu.rt_runtime_us
	run rt_run
	assert_status 0
	assert_equal "$output" "500000
0"

	# Under /silo, a parent silo made and gave no realtime time (the root
	# of the hierarchy has it).
	update_config '.linux.cgroupsPath = $p' --arg p "$CID-rt"
	set_resources '{"cpu": {"realtimeRuntime": 10000}}'
	run rt_run
	assert_failure
	assert_contains "$output" "config.json: linux.resources.cpu.realtimeRuntime: the kernel refused 10000 microseconds: the parent cgroup must have at least that much realtime time"
	assert_nothing_left
}

@test "cpuset cpus and mems reach the cpuset cgroup" {
	requires_v1 cpuset
	set_resources '{"cpu": {"cpus": "0", "mems": "0"}}'
	set_args sh -c 'cat /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpuset/cpuset.mems; grep Cpus_allowed_list /proc/self/status'
	run rt_run
	assert_status 0
	assert_equal "$output" "0
0
Cpus_allowed_list:	0"
}

@test "a pids limit reaches the pids cgroup; -1 means no limit" {
	requires_v1 pids
	set_resources '{"pids": {"limit": 25}}'
	set_args cat /sys/fs/cgroup/pids/pids.max
	run rt_run
	assert_status 0
	assert_equal "$output" 25

	set_resources '{"pids": {"limit": -1}}'
	run rt_run
	assert_status 0
	assert_equal "$output" max
}

@test "blockIO weight and throttles reach the blkio cgroup" {
	requires_v1 blkio
	local dev
	dev=$(cat /sys/block/*/dev 2>/dev/null | head -n1)
	[ -n "$dev" ] || skip "no block device on this host"
	grep -qw bfq /sys/block/*/queue/scheduler 2>/dev/null ||
		skip "no blkio weights on this host (needs the BFQ scheduler)"
	set_resources "{\"blockIO\": {\"weight\": 300,
		\"throttleReadBpsDevice\": [{\"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"rate\": 10485760}],
		\"throttleWriteIOPSDevice\": [{\"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"rate\": 100}]}}"
	set_args sh -c 'cd /sys/fs/cgroup/blkio && cat blkio.bfq.weight 2>/dev/null || cat blkio.weight;
		cat blkio.throttle.read_bps_device blkio.throttle.write_iops_device'
	run rt_run
	assert_status 0
	assert_equal "$output" "300
$dev 10485760
$dev 100"
}

@test "a per-device weight the I/O scheduler cannot take fails naming the entry" {
	requires_v1 blkio
	grep -qw bfq /sys/block/*/queue/scheduler 2>/dev/null || skip "no BFQ per-device weights on this host"
	local dev
	dev=$(cat /sys/block/*/dev 2>/dev/null | head -n1)
	[ -n "$dev" ] || skip "no block device on this host"
	grep -q '\[bfq\]' "$(dirname "$(grep -l "^$dev\$" /sys/block/*/dev)")/queue/scheduler" && skip "$dev uses BFQ"
	set_resources "{\"blockIO\": {\"weightDevice\": [{\"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"weight\": 200}]}}"
	run rt_run
	assert_failure
	assert_contains "$output" "linux.resources.blockIO.weightDevice[0]: write \"$dev 200\" to blkio.bfq.weight_device: Operation not supported"
	assert_nothing_left
}

@test "hugepageLimits go to the hugetlb controller, wherever the host has it" {
	local m
	m=$(v1_mount hugetlb)
	if [ -z "$m" ]; then
		requires_v2 hugetlb
		m=$(v2_mount)
	fi
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages on this host"
	set_resources '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	set_args sleep 1000
	rt_create "$CID"
	if [ -e "$(cg_dir hugetlb)/hugetlb.2MB.max" ]; then
		assert_equal "$(cg_read hugetlb hugetlb.2MB.max)" 4194304
		[ ! -e "$(cg_dir hugetlb)/hugetlb.2MB.rsvd.max" ] || assert_equal "$(cg_read hugetlb hugetlb.2MB.rsvd.max)" 4194304
	else
		assert_equal "$(cg_read hugetlb hugetlb.2MB.limit_in_bytes)" 4194304
	fi
}

@test "a huge page size the host does not have is refused with the sizes it has" {
	local m
	m=$(v1_mount hugetlb)
	[ -n "$m" ] || requires_v2 hugetlb
	set_resources '{"hugepageLimits": [{"pageSize": "16GB", "limit": 1}]}'
	run rt_run
	assert_failure
	assert_contains "$output" "config.json: linux.resources.hugepageLimits[0].pageSize: no 16GB huge pages on this host (it has: "
	assert_nothing_left
}

@test "unified values reach the v2 cgroup of a hybrid host; v1-bound controllers are refused" {
	requires_v1 memory
	requires_v2
	update_config '.linux.resources.unified = {"cgroup.max.depth": "3", "cgroup.max.descendants": "7"}'
	set_args cat /sys/fs/cgroup/unified/cgroup.max.depth /sys/fs/cgroup/unified/cgroup.max.descendants
	run rt_run
	assert_status 0
	assert_equal "$output" "3
7"

	update_config '.linux.resources.unified = {"memory.max": "1000000"}'
	run rt_run
	assert_failure
	assert_contains "$output" 'linux.resources.unified["memory.max"]: the memory controller is bound to cgroup v1 on this hybrid host'
	assert_nothing_left
}

@test "unified values are written as they are on a v2 host" {
	requires_v2_host
	requires_v2 memory
	update_config '.linux.resources.unified = {"memory.high": "50000000"}'
	set_args cat /sys/fs/cgroup/memory.high
	run rt_run
	assert_status 0
	assert_equal "$output" 49999872
}

@test "v1 values are converted on a v2 host" {
	requires_v2_host
	requires_v2 memory cpu pids
	set_resources '{"memory": {"limit": 67108864, "swap": 134217728}, "cpu": {"shares": 1024, "quota": 50000, "period": 100000}, "pids": {"limit": 20}}'
	set_args sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max; cat /sys/fs/cgroup/memory.swap.max 2>/dev/null'
	run rt_run
	assert_status 0
	assert_contains "$output" "67108864
39
50000 100000
20"
}

@test "devices: a denied device cannot be opened while an allowed one can" {
	requires_v1 devices
	# /dev/fuse exists in the container (linux.devices: the init makes it,
	# so mknod stays allowed) but the config denies reading and writing
	# it after the runtime's defaults; /dev/null stays allowed.
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": false, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	set_args sh -c 'echo ok > /dev/null && echo null-ok; exec 3<>/dev/fuse && echo fuse-opened'
	run rt_run
	assert_contains "$output" null-ok
	assert_contains "$output" "Operation not permitted"
	assert_not_contains "$output" fuse-opened
}

@test "devices: a device listed in linux.devices is allowed after the config's deny-all" {
	requires_v1 devices
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	set_args sh -c 'exec 3<>/dev/fuse && echo fuse-opened; head -c 4 /dev/zero | wc -c'
	run rt_run
	assert_status 0
	assert_equal "$output" "fuse-opened
4"
	run cat "$(cg_dir devices)/devices.list" # gone already: run removed it
	assert_failure
}

@test "devices: the rules reach devices.list in order, defaults right after the deny-all" {
	requires_v1 devices
	update_config '.linux.resources.devices += [{"allow": false, "type": "c", "major": 1, "minor": 9, "access": "w"}]'
	set_args sleep 1000
	rt_create "$CID"
	run cg_read devices devices.list
	assert_contains "$output" "c 1:3 rwm"
	assert_contains "$output" "c 136:* rwm"
	assert_contains "$output" "c 1:9 rm"
	assert_not_contains "$output" "a *:* rwm"
}
