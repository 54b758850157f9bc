#!/usr/bin/env bats
# Namespaces: the container gets the ones config.json asks for, joins the
# ones given by path, and shares the others with the runtime.

load ../helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

@test "the container has the hostname of config.json" {
	update_config '.hostname = "silo-host"'
	set_args hostname
	run rt_run
	assert_status 0
	assert_equal "$output" silo-host
	# The host's name is untouched.
	[ "$(hostname)" != silo-host ]
}

@test "the container has the domainname of config.json" {
	update_config '.hostname = "silo-host" | .domainname = "silo.example"'
	set_args cat /proc/sys/kernel/domainname
	run rt_run
	assert_status 0
	assert_equal "$output" silo.example
	[ "$(cat /proc/sys/kernel/domainname)" != silo.example ]
}

@test "the container's process is PID 1 and sees no process of the host" {
	# (exit 0 keeps sh from exec'ing ps in its place.)
	set_args sh -c 'echo $$; tr "\0" " " </proc/1/cmdline; echo; ps -o pid,args; exit 0'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" 1
	assert_equal "${lines[1]}" "sh -c echo \$\$; tr \"\\0\" \" \" </proc/1/cmdline; echo; ps -o pid,args; exit 0 "
	# ps: a header, sh itself and ps.
	[ "${#lines[@]}" -eq 5 ] || fail "unexpected processes: $output"
	[[ "${lines[3]}" =~ ^\ *1\ sh ]]
}

@test "a new network namespace has only the loopback interface" {
	set_args sh -c 'ls /sys/class/net; ip -o link show | wc -l'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" lo
	assert_equal "${lines[1]}" 1
}

@test "the container's namespaces differ from the host's" {
	set_namespace cgroup
	nss="cgroup ipc mnt net pid uts"
	set_args sh -c "for ns in $nss; do readlink /proc/self/ns/\$ns; done"
	run rt_run
	assert_status 0
	i=0
	for ns in $nss; do
		host=$(readlink "/proc/self/ns/$ns")
		[[ "${lines[i]}" == "$ns:["*"]" ]] || fail "no $ns namespace link: ${lines[i]}"
		[ "${lines[i]}" != "$host" ] || fail "the container shares the host's $ns namespace ($host)"
		i=$((i + 1))
	done
}

@test "a namespace that config.json leaves out is shared with the host" {
	remove_namespace network
	remove_namespace ipc
	set_args sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/ipc'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" "$(readlink /proc/self/ns/net)"
	assert_equal "${lines[1]}" "$(readlink /proc/self/ns/ipc)"
}

@test "the container joins a network namespace given by path" {
	# A network namespace held by a bind mount inside TEST_DIR, with an
	# interface of its own that the container must see.
	netns=$TEST_DIR/netns
	touch "$netns"
	unshare --net="$netns" true
	on_teardown "umount '$netns'"
	nsenter --net="$netns" ip link add silotest0 type bridge
	set_namespace network "$netns"

	set_args sh -c 'ls /sys/class/net | tr "\n" " "; echo; readlink /proc/self/ns/net'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" "lo silotest0 "
	assert_equal "${lines[1]}" "net:[$(stat -L -c %i "$netns")]"
}

@test "the container joins a uts namespace given by path" {
	utsns=$TEST_DIR/utsns
	touch "$utsns"
	unshare --uts="$utsns" hostname silo-joined
	on_teardown "umount '$utsns'"
	set_namespace uts "$utsns"
	update_config 'del(.hostname)'

	set_args hostname
	run rt_run
	assert_status 0
	assert_equal "$output" silo-joined
}

@test "joining a namespace path that does not exist fails and leaves nothing" {
	set_namespace network "$TEST_DIR/no-such-netns"
	set_args true
	run rt_run
	assert_failure
	assert_contains "$output" "$TEST_DIR/no-such-netns"
	assert_nothing_left
}

@test "a mount made inside the container does not reach the host" {
	set_args sh -c 'mount -t tmpfs silo-test-inner /mnt && grep -c silo-test-inner /proc/self/mountinfo'
	update_config '.process.capabilities |= (.bounding += ["CAP_SYS_ADMIN"]
		| .effective += ["CAP_SYS_ADMIN"] | .permitted += ["CAP_SYS_ADMIN"])'
	run rt_run
	assert_status 0
	assert_equal "$output" 1
	! grep -q silo-test-inner /proc/self/mountinfo
}
