#!/usr/bin/env bats
# The container's process: args, env, cwd, user and groups, umask, rlimits,
# capabilities, noNewPrivileges, oomScoreAdj, stdio and exit status.

load ../helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

# cap_mask NAME...: the /proc/PID/status hex mask of the capabilities.
cap_mask() {
	local -A number=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_KILL]=5 [CAP_SETGID]=6
		[CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13 [CAP_SYS_CHROOT]=18
		[CAP_SYS_ADMIN]=21 [CAP_AUDIT_WRITE]=29)
	local mask=0 name
	for name in "$@"; do
		mask=$((mask | (1 << ${number[$name]})))
	done
	printf '%016x\n' "$mask"
}

# set_capabilities SET NAME...: one capability set of process.capabilities.
set_capabilities() {
	local set=$1 names
	shift
	names=$(jq -cn '$ARGS.positional' --args "$@")
	update_config '.process.capabilities[$set] = $names' --arg set "$set" --argjson names "$names"
}

# capability_sets: prints the container's CapInh CapPrm CapEff CapBnd CapAmb lines.
capability_sets() {
	set_args grep ^Cap /proc/self/status
	run rt_run
	assert_status 0
}

@test "process.args reach the process exactly" {
	set_args printf '[%s]\n' "a b" "" 'c"d' '$HOME' '*'
	run rt_run
	assert_status 0
	assert_equal "$output" '[a b]
[]
[c"d]
[$HOME]
[*]'
}

@test "the process gets process.env, and nothing of the runtime's environment" {
	update_config '.process.env += ["SILO_A=1", "SILO_B=has space=and equals"]'
	set_args env
	SILO_TEST_LEAK=leaked run rt_run
	assert_status 0
	assert_contains "$output" "SILO_A=1"
	assert_contains "$output" "SILO_B=has space=and equals"
	assert_contains "$output" "PATH="
	assert_not_contains "$output" SILO_TEST_LEAK
	assert_not_contains "$output" BATS_
}

@test "the process runs in process.cwd" {
	update_config '.process.cwd = "/etc"'
	set_args sh -c 'pwd; cat silo-test-rootfs'
	run rt_run
	assert_status 0
	assert_equal "$output" "/etc
silo test rootfs"
}

@test "the process runs as process.user with exactly its gid and additionalGids" {
	update_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 100]}'
	set_args sh -c 'id -u; id -g; id -G'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" 1000
	assert_equal "${lines[1]}" 1000
	# No group of the runtime (root's 0) may stay.
	assert_equal "$(tr ' ' '\n' <<<"${lines[2]}" | sort -n -u | tr '\n' ' ')" "10 100 1000 "
}

@test "a non-root process.user cannot do what root can" {
	update_config '.process.user = {uid: 1000, gid: 1000}'
	set_args sh -c 'exec 2>&1; cat /etc/passwd >/dev/null && echo can-read; ls /root'
	run rt_run
	assert_failure
	assert_equal "${lines[0]}" can-read
	assert_contains "$output" "Permission denied"
}

@test "process.user.umask sets the umask" {
	update_config '.process.user.umask = 23'
	set_args sh -c umask
	run rt_run
	assert_status 0
	assert_equal "$output" 0027
}

@test "process.rlimits set soft and hard limits" {
	update_config '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 1000, hard: 2000},
		{type: "RLIMIT_CORE", soft: 1024, hard: 2048}]'
	set_args sh -c 'grep -E "^Max (open files|core file size) " /proc/self/limits; ulimit -n'
	run rt_run
	assert_status 0
	read -r -a core <<<"${lines[0]#Max core file size}"
	read -r -a nofile <<<"${lines[1]#Max open files}"
	assert_equal "${core[*]}" "1024 2048 bytes"
	assert_equal "${nofile[*]}" "1000 2000 files"
	assert_equal "${lines[2]}" 1000
}

@test "an rlimit above what the host allows fails and leaves nothing" {
	# The host's hard limit on open files is below this, and CAP_SYS_RESOURCE
	# is not in the bounding set here, so no runtime can grant it.
	limit=$(($(ulimit -Hn) + 10000))
	update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: $n}]' \
		--argjson n "$limit"
	run rt_run
	assert_failure
	assert_nothing_left
}

@test "root gets exactly the configured capability sets; inheritable stays empty" {
	for set in bounding effective permitted; do
		set_capabilities "$set" CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE
	done
	set_capabilities inheritable
	set_capabilities ambient
	capability_sets
	want=$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)
	assert_equal "$output" "CapInh:	0000000000000000
CapPrm:	$want
CapEff:	$want
CapBnd:	$want
CapAmb:	0000000000000000"
}

@test "a non-root user keeps ambient capabilities across exec" {
	update_config '.process.user = {uid: 1000, gid: 1000}'
	set_capabilities bounding CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE
	for set in effective permitted inheritable ambient; do
		set_capabilities "$set" CAP_NET_BIND_SERVICE
	done
	capability_sets
	one=$(cap_mask CAP_NET_BIND_SERVICE)
	assert_equal "$output" "CapInh:	$one
CapPrm:	$one
CapEff:	$one
CapBnd:	$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)
CapAmb:	$one"
}

@test "a non-root user without ambient capabilities has none after exec" {
	update_config '.process.user = {uid: 1000, gid: 1000}'
	for set in bounding effective permitted; do
		set_capabilities "$set" CAP_KILL
	done
	set_capabilities inheritable
	set_capabilities ambient
	capability_sets
	assert_equal "$output" "CapInh:	0000000000000000
CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	$(cap_mask CAP_KILL)
CapAmb:	0000000000000000"
}

@test "a capability left out of the sets cannot be used" {
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}'
	set_args sh -c 'touch /tmp/file && chown 1000 /tmp/file && echo chowned'
	for set in bounding effective permitted; do
		set_capabilities "$set" CAP_KILL
	done
	run rt_run
	assert_failure
	assert_contains "$output" "Operation not permitted"

	for set in bounding effective permitted; do
		set_capabilities "$set" CAP_KILL CAP_CHOWN
	done
	run rt_run
	assert_status 0
	assert_equal "$output" chowned
}

@test "noNewPrivileges true sets no_new_privs, false leaves it unset" {
	update_config '.process.noNewPrivileges = true'
	set_args grep ^NoNewPrivs: /proc/self/status
	run rt_run
	assert_status 0
	assert_equal "$output" "NoNewPrivs:	1"

	update_config '.process.noNewPrivileges = false'
	run rt_run
	assert_status 0
	assert_equal "$output" "NoNewPrivs:	0"
}

@test "process.oomScoreAdj sets the OOM score adjustment" {
	# Raising it needs no privilege (lowering would need CAP_SYS_RESOURCE).
	update_config '.process.oomScoreAdj = 500'
	set_args cat /proc/self/oom_score_adj
	run rt_run
	assert_status 0
	assert_equal "$output" 500
}

@test "the process writes to the caller's stdout and stderr" {
	set_args sh -c 'echo to-stdout; echo to-stderr >&2'
	rt_run >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr"
	assert_equal "$(cat "$TEST_DIR/stdout")" to-stdout
	assert_equal "$(cat "$TEST_DIR/stderr")" to-stderr
}

@test "the process reads the caller's stdin" {
	set_args sh -c 'read -r line; echo "got: $line"; cat'
	run rt_run <<<"first line
second line"
	assert_status 0
	assert_equal "$output" "got: first line
second line"
}

@test "the exit status of the process is the exit status of run" {
	set_args false
	run rt_run
	assert_status 1
	set_args sh -c 'exit 255'
	run rt_run
	assert_status 255
	set_args true
	run rt_run
	assert_status 0
}

@test "fd leak: no descriptor of the runtime or of its caller reaches the process" {
	# fd 3 is bats' own, fd 7 the test's: neither may be inherited.
	set_args ls /proc/self/fd
	run rt_run 7<"$BUNDLE/config.json"
	assert_status 0
	# ls's own directory descriptor is 3.
	assert_equal "$(echo $output)" "0 1 2 3"
}

@test "--preserve-fds passes the caller's descriptors from 3 on" {
	echo preserved >"$TEST_DIR/file"
	set_args sh -c 'cat <&3; cat <&4'
	run rt_run --preserve-fds 2 3<"$TEST_DIR/file" 4<"$TEST_DIR/file"
	assert_status 0
	assert_equal "$output" "preserved
preserved"
}
