#!/usr/bin/env bats
# OCI hooks: each kind runs once, at its point of the lifecycle and in the
# namespace the spec says, with the state JSON on stdin, its args, env and
# timeout; a failing hook fails the step (or only warns, for poststart and
# poststop), and a failed create leaves nothing.

load ../helpers

setup() {
	silo_setup
	setup_bundle
	# The hooks write here. The container sees it at /hooks, for the
	# startContainer hook, which runs inside.
	HOOK_DIR=$TEST_DIR/hooks
	mkdir "$HOOK_DIR"
	add_mount "$(jq -cn --arg src "$HOOK_DIR" \
		'{destination: "/hooks", type: "bind", source: $src, options: ["bind"]}')"
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

# What every recording hook runs (sh -c RECORDER sh KIND DIR): appends KIND
# to DIR/order, and keeps its stdin and its mount namespace.
RECORDER='kind=$1 dir=$2
state=$(cat)
echo "$kind" >>"$dir/order"
printf "%s\n" "$state" >"$dir/$kind.json"
readlink /proc/self/ns/mnt >"$dir/$kind.mnt"'

# recording_hook KIND DIR: the JSON of a hook running RECORDER with /bin/sh
# (the host's, or the rootfs's busybox for startContainer). Its env carries
# the test's mark, so that teardown finds a hook process that outlives it.
recording_hook() {
	jq -cn --arg script "$RECORDER" --arg kind "$1" --arg dir "$2" --arg mark "SILO_TEST_MARK=$TEST_DIR" \
		'{path: "/bin/sh", args: ["sh", "-c", $script, "sh", $kind, $dir], env: [$mark]}'
}

# set_hooks KIND JSON [KIND JSON...]: .hooks[KIND] = [JSON] for each pair.
set_hooks() {
	while [ $# -gt 0 ]; do
		update_config '.hooks[$kind] = [$hook]' --arg kind "$1" --argjson hook "$2"
		shift 2
	done
}

# hook_state KIND JQ_FILTER: a field of the state the KIND hook read.
hook_state() {
	jq -r "$2" "$HOOK_DIR/$1.json"
}

# run_with_all_hooks: one recording hook of each kind, and the container
# created, started, killed and deleted; $INIT_PID and $INIT_MNT are its init's.
run_with_all_hooks() {
	local kind
	for kind in prestart createRuntime createContainer poststart poststop; do
		set_hooks "$kind" "$(recording_hook "$kind" "$HOOK_DIR")"
	done
	set_hooks startContainer "$(recording_hook startContainer /hooks)"
	set_args sleep 1000
	rt_create "$CID"
	INIT_PID=$(container_field "$CID" .pid)
	INIT_MNT=$(readlink "/proc/$INIT_PID/ns/mnt")
	rt start "$CID"
	wait_for_status "$CID" running
	rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	rt delete "$CID"
}

@test "each hook runs once, in the order of the lifecycle" {
	run_with_all_hooks
	assert_equal "$(cat "$HOOK_DIR/order")" "prestart
createRuntime
createContainer
startContainer
poststart
poststop"
}

@test "each hook gets the state on stdin, with the status of its point in the lifecycle" {
	run_with_all_hooks
	for kind in prestart createRuntime createContainer startContainer poststart poststop; do
		assert_equal "$(hook_state "$kind" .id)" "$CID"
		assert_equal "$(hook_state "$kind" .bundle)" "$BUNDLE"
		[ -n "$(hook_state "$kind" .ociVersion)" ] || fail "$kind: no ociVersion"
	done
	for kind in prestart createRuntime createContainer; do
		assert_equal "$(hook_state "$kind" .status)" creating
	done
	assert_equal "$(hook_state startContainer .status)" created
	assert_equal "$(hook_state poststart .status)" running
	assert_equal "$(hook_state poststop .status)" stopped
	# Every hook but poststop runs while the init is there: they get its pid.
	for kind in prestart createRuntime createContainer startContainer poststart; do
		assert_equal "$(hook_state "$kind" .pid)" "$INIT_PID"
	done
}

@test "createRuntime runs in the runtime's mount namespace, createContainer and startContainer in the container's" {
	run_with_all_hooks
	host_mnt=$(readlink /proc/self/ns/mnt)
	[ "$INIT_MNT" != "$host_mnt" ] || fail "the container shares the host's mount namespace"
	assert_equal "$(cat "$HOOK_DIR/prestart.mnt")" "$host_mnt"
	assert_equal "$(cat "$HOOK_DIR/createRuntime.mnt")" "$host_mnt"
	assert_equal "$(cat "$HOOK_DIR/createContainer.mnt")" "$INIT_MNT"
	assert_equal "$(cat "$HOOK_DIR/startContainer.mnt")" "$INIT_MNT"
	assert_equal "$(cat "$HOOK_DIR/poststart.mnt")" "$host_mnt"
	assert_equal "$(cat "$HOOK_DIR/poststop.mnt")" "$host_mnt"
}

@test "the startContainer hook's path is resolved inside the container" {
	# /bin/sh of the rootfs is busybox; the host's is not.
	set_hooks startContainer "$(jq -cn \
		'{path: "/bin/sh", args: ["sh", "-c", "readlink /bin/sh >/hooks/sh; cat /etc/silo-test-rootfs >>/hooks/sh"]}')"
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	assert_equal "$(cat "$HOOK_DIR/sh")" "busybox
silo test rootfs"
}

@test "a hook gets exactly its args and env" {
	hook=$(jq -cn --arg out "$HOOK_DIR/out" '{path: "/bin/sh",
		args: ["my-argv0", "-c", "tr \"\\0\" \"\\n\" </proc/$$/cmdline | head -n 1 >\"$OUT\"; echo \"$0|$1\" >>\"$OUT\"; env | sort >>\"$OUT\"", "first", "second arg"],
		env: ["OUT=\($out)", "HOOK_VAR=hook value"]}')
	set_hooks createRuntime "$hook"
	rt_create "$CID"
	run cat "$HOOK_DIR/out"
	# args[0] is the hook's argv[0]; sh -c makes the next ones $0 and $1.
	assert_equal "${lines[0]}" my-argv0
	assert_equal "${lines[1]}" "first|second arg"
	assert_contains "$output" "HOOK_VAR=hook value"
	# Nothing of the runtime's environment (dash adds only PWD).
	assert_not_contains "$output" SILO_TEST_MARK
	assert_not_contains "$output" BATS_
}

@test "a failing createRuntime hook fails create and leaves nothing" {
	set_hooks createRuntime "$(jq -cn \
		'{path: "/bin/sh", args: ["sh", "-c", "echo the-hook-refuses >&2; exit 3"]}')"
	run rt_create "$CID"
	assert_failure
	assert_nothing_left
	[ ! -e "$STATE_ROOT/$CID" ] || fail "state of $CID is left"
}

@test "silo: a failing hook's error is one line naming the hook and carrying its message" {
	requires_silo
	set_hooks createRuntime "$(jq -cn \
		'{path: "/bin/sh", args: ["sh", "-c", "echo the-hook-refuses >&2; exit 3"]}')"
	run rt_create "$CID"
	assert_failure
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line, got: $output"
	assert_contains "$output" createRuntime
	assert_contains "$output" the-hook-refuses
	assert_contains "$output" 3
	assert_nothing_left
}

@test "a hook that exceeds its timeout is killed and create fails saying so" {
	# The mark lets teardown catch a sleep that was not killed.
	set_hooks createContainer "$(jq -cn --arg mark "SILO_TEST_MARK=$TEST_DIR" \
		'{path: "/bin/sleep", args: ["sleep", "30"], env: [$mark], timeout: 1}')"
	SECONDS=0
	run rt_create "$CID"
	assert_failure
	[ "$SECONDS" -lt 10 ] || fail "create took ${SECONDS}s for a hook with a timeout of 1s"
	assert_silo_message createContainer
	assert_silo_message timeout
	assert_nothing_left
}

@test "a failing poststart hook does not fail start" {
	set_hooks poststart '{"path": "/bin/false"}'
	set_args sleep 1000
	rt_create "$CID"
	run rt start "$CID"
	assert_status 0
	status_is "$CID" running
}

@test "a failing poststop hook does not fail delete, and the container is gone" {
	set_hooks poststop "$(jq -cn \
		'{path: "/bin/sh", args: ["sh", "-c", "echo poststop-fails >&2; exit 1"]}')"
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	run rt delete "$CID"
	assert_status 0
	run rt state "$CID"
	assert_failure
	assert_contains "$output" "does not exist"
}

@test "silo: a hook with a relative path is refused at create naming hooks.X[N].path" {
	requires_silo
	set_hooks prestart "$(recording_hook prestart "$HOOK_DIR")"
	update_config '.hooks.prestart += [{path: "bin/hook"}]'
	run rt_create "$CID"
	assert_failure
	assert_contains "$output" "hooks.prestart[1].path"
	# Refused before anything ran.
	[ ! -e "$HOOK_DIR/order" ] || fail "a hook ran: $(cat "$HOOK_DIR/order")"
	assert_nothing_left
}
