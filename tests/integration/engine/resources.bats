#!/usr/bin/env bats
# The resource flags of run: each limit is checked where it takes effect,
# from inside the container (its cgroup, its rlimits, its /dev/shm).

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "-m and --memory-swap set the container's memory cgroup" {
	run silo run --rm -m 64m --memory-swap 128m "$BB" sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo none'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $((64 << 20)) ]
	[ "${lines[1]}" = $((128 << 20)) ] || [ "${lines[1]}" = none ]
	run silo run --rm --memory 1g "$BB" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$output" = $((1 << 30)) ]
}

@test "--cpus, --cpu-shares and --cpuset-cpus set the cpu and cpuset cgroups" {
	run silo run --rm --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 "$BB" sh -c \
		'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 50000 ]
	[ "${lines[1]}" = 100000 ]
	[ "${lines[2]}" = 512 ]
	[ "${lines[3]}" = 0 ]
}

@test "--memory-reservation and --cpuset-mems set the soft limit and the memory nodes" {
	run silo run --rm -m 64m --memory-reservation 16m --cpuset-mems 0 "$BB" sh -c \
		'cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/cpuset/cpuset.mems'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $((16 << 20)) ]
	[ "${lines[1]}" = 0 ]
	run silo run --rm -m 64m --memory-reservation 128m "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid --memory-reservation"* ]]
}

@test "--pids-limit stops a fork past the limit" {
	run silo run --rm --pids-limit 5 "$BB" sh -c \
		'cat /sys/fs/cgroup/pids/pids.max; for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait'
	[ "${lines[0]}" = 5 ]
	[[ "$output" == *"Resource temporarily unavailable"* ]] || fail "$output"
}

@test "--shm-size sizes the container's /dev/shm" {
	run silo run --rm --shm-size 16m "$BB" df -k /dev/shm
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *" 16384 "* ]]
	run silo run --rm "$BB" df -k /dev/shm
	[[ "${lines[1]}" == *" 65536 "* ]]
}

@test "--ulimit sets soft and hard limits, and refuses one above the host's hard limit" {
	run silo run --rm --ulimit nofile=512:1024 --ulimit core=0 "$BB" sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
	[ "$status" -eq 0 ]
	[ "$output" = "512
1024
0" ]
	local hard
	hard=$(ulimit -Hn)
	run silo run --rm --ulimit nofile=$((hard + 1)) "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid --ulimit \"nofile=$((hard + 1))\": $((hard + 1)) is above the host's hard limit for nofile ($hard)"* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "bad resource values fail with one line, exit 125, and leave nothing" {
	local flag
	for flag in "--memory 10x" "-m 1k" "--memory-swap 64m" "--cpus 0" "--cpus lots" "--cpu-shares 1" \
		"--cpuset-cpus 9999" "--cpuset-cpus 0-" "--cpuset-mems 99" "--memory-reservation 1x" "--pids-limit x" "--shm-size 0" "--ulimit nofile" \
		"--ulimit nosuch=1" "--ulimit nofile=10:5"; do
		# shellcheck disable=SC2086
		run silo run --rm $flag "$BB" true
		[ "$status" -eq 125 ] || fail "$flag: status $status"
		[[ "$output" == *"invalid --"* ]] || fail "$flag: $output"
		[ "$(echo "$output" | wc -l)" -eq 1 ] || fail "$flag: $output"
	done
	run silo run --rm -m 10x "$BB" true
	[[ "$output" == *'invalid --memory "10x": '* ]]
	run silo ps -aq
	[ -z "$output" ]
}
