#!/usr/bin/env bats
# User namespaces (linux.uidMappings / gidMappings) and time namespaces
# (linux.timeOffsets).

load ../helpers

HOST_ID=100000

setup() {
	silo_setup
	# The container's root is host uid 100000, which must be able to reach
	# the rootfs: a private copy under a traversable TEST_DIR (the shared
	# rootfs sits in bats' own 0700 directory, as runc would also refuse).
	setup_bundle --copy
	chmod 0711 "$TEST_DIR"
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

# set_userns: a new user namespace mapping container 0-65535 to host
# 100000-165535.
set_userns() {
	set_namespace user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: $id, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $id, size: 65536}]' \
		--argjson id "$HOST_ID"
}

@test "in a user namespace the process is root, with the configured maps" {
	set_userns
	set_args sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" 0
	read -r -a uid_map <<<"${lines[2]}"
	read -r -a gid_map <<<"${lines[3]}"
	assert_equal "${uid_map[*]}" "0 $HOST_ID 65536"
	assert_equal "${gid_map[*]}" "0 $HOST_ID 65536"
	[ "${lines[4]}" != "$(readlink /proc/self/ns/user)" ] || fail "the container shares the host's user namespace"
}

@test "files of the host's root appear as nobody; files created land on the host as the mapped id" {
	set_userns
	mkdir "$TEST_DIR/data"
	chown "$HOST_ID:$HOST_ID" "$TEST_DIR/data"
	add_mount "$(jq -cn --arg src "$TEST_DIR/data" \
		'{destination: "/data", type: "bind", source: $src, options: ["bind"]}')"
	set_args sh -c 'stat -c "%u %g" /etc/passwd; touch /data/made-inside; stat -c "%u %g" /data/made-inside'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" "65534 65534"
	assert_equal "${lines[1]}" "0 0"
	assert_equal "$(stat -c '%u %g' "$TEST_DIR/data/made-inside")" "$HOST_ID $HOST_ID"
}

@test "in a user namespace the default devices exist and work" {
	set_userns
	set_args sh -c 'for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo "no /dev/$d"; done
		echo discarded >/dev/null && echo null-ok
		head -c 4 /dev/zero | od -An -tx1
		[ "$(head -c 16 /dev/urandom | wc -c)" -eq 16 ] && echo urandom-ok
		grep -c " /dev/null " /proc/self/mountinfo'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" null-ok
	assert_equal "$(echo ${lines[1]})" "00 00 00 00"
	assert_equal "${lines[2]}" urandom-ok
	# mknod is not allowed in a user namespace: they are the host's, bound.
	assert_equal "${lines[3]}" 1
	[ "${#lines[@]}" -eq 4 ] || fail "unexpected: $output"
}

@test "in a user namespace without a network namespace /sys is still mounted" {
	set_userns
	remove_namespace network
	set_args sh -c 'grep -c " /sys " /proc/self/mountinfo; ls /sys/class/net'
	run rt_run
	assert_status 0
	[ "${lines[0]}" -ge 1 ] || fail "no /sys mount: $output"
	# The host's interfaces: it is the host's network namespace.
	assert_equal "$(echo "${lines[@]:1}")" "$(echo $(ls /sys/class/net))"
}

@test "a new user namespace without uidMappings is refused and leaves nothing" {
	set_userns
	update_config 'del(.linux.uidMappings)'
	run rt_create "$CID"
	assert_failure
	assert_silo_message linux.uidMappings
	assert_nothing_left
}

@test "process.user uid 1000 in the user namespace is host uid 101000" {
	set_userns
	update_config '.process.user = {uid: 1000, gid: 1000}'
	set_args sleep 1000
	rt_create "$CID"
	rt start "$CID"
	pid=$(container_field "$CID" .pid)
	run grep -E '^(Uid|Gid):' "/proc/$pid/status"
	assert_equal "$(echo ${lines[0]})" "Uid: 101000 101000 101000 101000"
	assert_equal "$(echo ${lines[1]})" "Gid: 101000 101000 101000 101000"
}

@test "a time namespace with a boottime offset of a day moves /proc/uptime by a day" {
	set_namespace time
	update_config '.linux.timeOffsets = {boottime: {secs: 86400}}'
	set_args cat /proc/uptime
	run rt_run
	assert_status 0
	inside=${output%%.*}
	read -r host _ </proc/uptime
	host=${host%%.*}
	diff=$((inside - host))
	# A day, give or take the time the container took.
	[ "$diff" -ge 86390 ] && [ "$diff" -le 86400 ] ||
		fail "uptime inside $inside, on the host $host: not a day apart"
}

@test "a time namespace works together with a user namespace" {
	set_userns
	set_namespace time
	update_config '.linux.timeOffsets = {boottime: {secs: 86400}}'
	set_args sh -c 'cat /proc/uptime; id -u'
	run rt_run
	assert_status 0
	read -r host _ </proc/uptime
	diff=$((${lines[0]%%.*} - ${host%%.*}))
	[ "$diff" -ge 86390 ] && [ "$diff" -le 86400 ] || fail "uptime inside: ${lines[0]}, host: $host"
	assert_equal "${lines[1]}" 0
}

@test "timeOffsets without a new time namespace are refused and leave nothing" {
	update_config '.linux.timeOffsets = {boottime: {secs: 86400}}'
	run rt_create "$CID"
	assert_failure
	assert_silo_message linux.timeOffsets
	assert_nothing_left
}
