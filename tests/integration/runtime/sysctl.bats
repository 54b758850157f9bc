#!/usr/bin/env bats
# linux.sysctl (namespaced keys only), linux.personality, process.ioPriority
# and process.scheduler.

load ../helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

# assert_silo_message NEEDLE: $output names NEEDLE, when the runtime is silo
# (other runtimes word their errors their own way).
assert_silo_message() {
	is_silo || [ -n "${SILO_TESTS_FORCE_SILO:-}" ] || return 0
	assert_contains "$output" "$1"
}

@test "linux.sysctl sets ipc and net keys inside, and the host's stay as they were" {
	host_shmmax=$(cat /proc/sys/kernel/shmmax)
	host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
	# The opposite of the host's, so that inheriting it cannot pass.
	forward=$((1 - host_forward))
	update_config '.linux.sysctl = {"kernel.shmmax": "123456789", "net.ipv4.ip_forward": $f}' \
		--arg f "$forward"
	set_args sh -c 'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" 123456789
	assert_equal "${lines[1]}" "$forward"
	assert_equal "$(cat /proc/sys/kernel/shmmax)" "$host_shmmax"
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_forward"
}

@test "a sysctl key that is not namespaced (kernel.panic) is refused, naming it, and leaves nothing" {
	host_panic=$(cat /proc/sys/kernel/panic)
	update_config '.linux.sysctl = {"kernel.panic": $v}' --arg v "$((host_panic + 7))"
	run rt_create "$CID"
	assert_failure
	assert_silo_message kernel.panic
	assert_nothing_left
	assert_equal "$(cat /proc/sys/kernel/panic)" "$host_panic"
}

@test "a net.* sysctl without a network namespace is refused and leaves nothing" {
	host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
	remove_namespace network
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": $f}' --arg f "$((1 - host_forward))"
	run rt_create "$CID"
	assert_failure
	assert_silo_message net.ipv4.ip_forward
	assert_nothing_left
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_forward"
}

@test "linux.personality LINUX32 makes uname -m print i686" {
	[ "$(uname -m)" = x86_64 ] || skip "LINUX32 is tested on x86_64 hosts (this is $(uname -m))"
	update_config '.linux.personality = {domain: "LINUX32"}'
	set_args uname -m
	run rt_run
	assert_status 0
	assert_equal "$output" i686
}

@test "process.ioPriority IOPRIO_CLASS_IDLE is the process's I/O class" {
	# Without it the class is not idle, so the test cannot pass by default.
	set_args ionice -p 1
	run rt_run
	assert_status 0
	[ "$output" != idle ] || fail "the default I/O class is already idle"

	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
	run rt_run
	assert_status 0
	assert_equal "$output" idle
}

@test "process.scheduler SCHED_BATCH with nice 5 sets the policy and the nice value" {
	update_config '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
	# policy in /proc/PID/sched; nice is field 19 of /proc/PID/stat (sh's
	# comm has no spaces). PID 1 is sh itself.
	set_args sh -c 'grep ^policy /proc/1/sched; cut -d " " -f 19 /proc/1/stat; exit 0'
	run rt_run
	assert_status 0
	# SCHED_BATCH is 3.
	[[ "${lines[0]}" =~ ^policy\ *:\ *3$ ]] || fail "policy line: ${lines[0]}"
	assert_equal "${lines[1]}" 5
}

@test "an unknown process.scheduler.policy is refused, naming it, and leaves nothing" {
	update_config '.process.scheduler = {policy: "SCHED_NO_SUCH_POLICY"}'
	run rt_create "$CID"
	assert_failure
	assert_silo_message process.scheduler.policy
	assert_nothing_left
}
