#!/usr/bin/env bats
# Lifecycle of a container as the OCI runtime spec defines it: create, start,
# state, kill, delete, run and list.

load ../helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

@test "create leaves the container in state created, with the pid of its init" {
	set_args sleep 1000
	rt_create "$CID"

	run rt state "$CID"
	assert_status 0
	assert_equal "$(jq -r .id <<<"$output")" "$CID"
	assert_equal "$(jq -r .status <<<"$output")" created
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
	[ -n "$(jq -r .ociVersion <<<"$output")" ]
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	[ -d "/proc/$pid" ]
	# The user process has not run yet: nothing of sleep in the container.
	assert_not_contains "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000"
}

@test "start runs the process; state becomes running with the same pid" {
	set_args sh -c 'echo started; exec sleep 1000'
	rt_create "$CID"
	pid=$(container_field "$CID" .pid)

	rt start "$CID"
	wait_for_status "$CID" running
	assert_equal "$(container_field "$CID" .pid)" "$pid"
	wait_for grep -q started "$TEST_DIR/$CID.out"
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
}

@test "the container is stopped once its process exits, and delete removes it" {
	set_args sh -c 'echo done'
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	assert_equal "$(container_output "$CID")" done

	rt delete "$CID"
	run rt state "$CID"
	assert_failure
	assert_contains "$output" "does not exist"
	assert_nothing_left
}

@test "start of a container that is already running fails" {
	set_args sleep 1000
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" running

	run rt start "$CID"
	assert_failure
	assert_equal "$(container_status "$CID")" running
}

@test "run in the foreground returns the container's exit status" {
	set_args sh -c 'echo hello; exit 42'
	run rt_run
	assert_status 42
	assert_equal "$output" hello
	# run deletes the container when it exits.
	assert_nothing_left
}

@test "run in the foreground returns 128+N when the container dies of signal N" {
	set_args sleep 1000
	rt_run_bg "$CID"
	wait_for_status "$CID" running

	rt kill "$CID" KILL
	assert_equal "$(wait_for_exit "$CID")" 137
}

@test "run --detach returns at once and leaves the container running" {
	set_args sleep 1000
	rt run --detach --bundle "$BUNDLE" "$CID" </dev/null >"$TEST_DIR/out" 2>&1
	assert_equal "$(container_status "$CID")" running
	pid=$(container_field "$CID" .pid)
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "

	rt delete --force "$CID"
	assert_nothing_left
}

@test "create --pid-file writes the pid of the container's init" {
	set_args sleep 1000
	rt_create "$CID" --pid-file "$TEST_DIR/pid"

	[ -s "$TEST_DIR/pid" ]
	pid=$(cat "$TEST_DIR/pid")
	assert_equal "$pid" "$(container_field "$CID" .pid)"
	[ -d "/proc/$pid" ]
}

@test "run --detach --pid-file writes the pid of the container's process" {
	set_args sleep 1000
	rt run --detach --pid-file "$TEST_DIR/pid" --bundle "$BUNDLE" "$CID" \
		</dev/null >"$TEST_DIR/out" 2>&1
	pid=$(cat "$TEST_DIR/pid")
	assert_equal "$pid" "$(container_field "$CID" .pid)"
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
}

# A process that reports which signal reached it: each test below expects a
# different exit status for each signal.
signal_reporter() {
	set_args sh -c 'trap "exit 10" TERM; trap "exit 11" USR1; trap "exit 12" HUP
		echo ready; sleep 1000 & wait'
}

@test "kill sends SIGTERM when no signal is given" {
	signal_reporter
	rt_run_bg "$CID"
	wait_for grep -q ready "$TEST_DIR/$CID.out"
	rt kill "$CID"
	assert_equal "$(wait_for_exit "$CID")" 10
}

@test "kill accepts a signal by name without SIG" {
	signal_reporter
	rt_run_bg "$CID"
	wait_for grep -q ready "$TEST_DIR/$CID.out"
	rt kill "$CID" USR1
	assert_equal "$(wait_for_exit "$CID")" 11
}

@test "kill accepts a signal by name with SIG" {
	signal_reporter
	rt_run_bg "$CID"
	wait_for grep -q ready "$TEST_DIR/$CID.out"
	rt kill "$CID" SIGHUP
	assert_equal "$(wait_for_exit "$CID")" 12
}

@test "kill accepts a signal by number" {
	signal_reporter
	rt_run_bg "$CID"
	wait_for grep -q ready "$TEST_DIR/$CID.out"
	rt kill "$CID" 15
	assert_equal "$(wait_for_exit "$CID")" 10
}

@test "kill KILL, SIGKILL and 9 all stop a container" {
	set_args sleep 1000
	for sig in KILL SIGKILL 9; do
		id=$CID-$sig
		rt_create "$id"
		rt start "$id"
		wait_for_status "$id" running
		rt kill "$id" "$sig"
		wait_for_status "$id" stopped
		rt delete "$id"
	done
	assert_nothing_left
}

@test "kill with an unknown signal fails and leaves the container alone" {
	set_args sleep 1000
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" running

	run rt kill "$CID" SIGNOPE
	assert_failure
	assert_equal "$(container_status "$CID")" running
}

# init waits for TERM, then for its child: only a signal to the child as well
# lets the container stop.
init_and_child() {
	set_args sh -c 'trap "got=1; echo init-got-term" TERM
		sleep 1000 & echo ready
		while [ -z "$got" ]; do wait; done
		wait'
}

@test "kill --all signals every process of the container, not only its init" {
	init_and_child
	rt_create "$CID"
	rt start "$CID"
	wait_for grep -q ready "$TEST_DIR/$CID.out"

	rt kill --all "$CID" TERM
	wait_for_status "$CID" stopped
	grep -q init-got-term "$TEST_DIR/$CID.out"
}

@test "kill without --all signals only the container's init" {
	init_and_child
	rt_create "$CID"
	rt start "$CID"
	wait_for grep -q ready "$TEST_DIR/$CID.out"

	rt kill "$CID" TERM
	wait_for grep -q init-got-term "$TEST_DIR/$CID.out"
	# The sleep did not get the signal, so init is still waiting for it.
	assert_equal "$(container_status "$CID")" running
}

@test "kill of a stopped container fails with 'container not running'" {
	set_args true
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped

	run rt kill "$CID" KILL
	assert_failure
	assert_contains "$output" "container not running"
}

@test "kill of an unknown container fails with 'does not exist'" {
	run rt kill "$CID-nope" KILL
	assert_failure
	assert_contains "$output" "does not exist"
}

@test "state of an unknown container fails with 'does not exist'" {
	run rt state "$CID-nope"
	assert_failure
	assert_contains "$output" "does not exist"
}

@test "delete of an unknown container fails with 'does not exist'" {
	run rt delete "$CID-nope"
	assert_failure
	assert_contains "$output" "does not exist"
}

@test "delete of a running container fails without --force" {
	set_args sleep 1000
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" running

	run rt delete "$CID"
	assert_failure
	assert_equal "$(container_status "$CID")" running
}

@test "delete --force kills a running container and removes it" {
	set_args sleep 1000
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" running
	pid=$(container_field "$CID" .pid)

	rt delete --force "$CID"
	run rt state "$CID"
	assert_failure
	retry 100 eval '[ ! -e "/proc/$pid" ] || grep -q "^State:.*Z" "/proc/$pid/status"'
	assert_nothing_left
}

@test "delete of a created container that never started removes it" {
	set_args sleep 1000
	rt_create "$CID"
	pid=$(container_field "$CID" .pid)

	rt delete --force "$CID"
	run rt state "$CID"
	assert_failure
	assert_nothing_left
}

@test "list shows each container in a table with its status" {
	set_args sleep 1000
	rt_create "$CID-a"
	rt_create "$CID-b"
	rt start "$CID-b"
	wait_for_status "$CID-b" running

	run rt list
	assert_status 0
	[[ "${lines[0]}" == ID* ]] || fail "no header: ${lines[0]}"
	assert_contains "${lines[0]}" STATUS
	assert_contains "${lines[0]}" PID
	[ "${#lines[@]}" -eq 3 ]
	row_a=$(printf '%s\n' "${lines[@]}" | grep "^$CID-a ")
	row_b=$(printf '%s\n' "${lines[@]}" | grep "^$CID-b ")
	assert_contains "$row_a" created
	assert_contains "$row_b" running
	assert_contains "$row_b" "$(container_field "$CID-b" .pid)"
	assert_contains "$row_b" "$BUNDLE"

	run rt list --quiet
	assert_status 0
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" "$CID-a $CID-b "
}

@test "list --format json gives id, pid, status and bundle of each container" {
	set_args sleep 1000
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" running

	run rt list --format json
	assert_status 0
	assert_equal "$(jq length <<<"$output")" 1
	assert_equal "$(jq -r '.[0].id' <<<"$output")" "$CID"
	assert_equal "$(jq -r '.[0].status' <<<"$output")" running
	assert_equal "$(jq -r '.[0].pid' <<<"$output")" "$(container_field "$CID" .pid)"
	assert_equal "$(jq -r '.[0].bundle' <<<"$output")" "$BUNDLE"
}

@test "list of an empty state root prints only the header, or [] as json" {
	run rt list
	assert_status 0
	[ "${#lines[@]}" -le 1 ]
	run rt list --format json
	assert_status 0
	assert_equal "$(jq -c . <<<"$output")" "[]"
}

# kill_mid_create: a create of $CID whose runtime is SIGKILLed while its
# createRuntime hook runs, after the state directory and the cgroup exist.
kill_mid_create() {
	local marker=$TEST_DIR/hook-ran runtime_pid
	update_config '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "touch \"$0\"; exec sleep 30", $m]}]' \
		--arg m "$marker"
	# exec: $! must be the runtime itself, not a subshell around it.
	(exec "${RUNTIME_CMD[@]}" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$CID" \
		</dev/null >"$TEST_DIR/create.out" 2>&1) &
	runtime_pid=$!
	wait_for test -e "$marker"
	kill -KILL "$runtime_pid"
	wait "$runtime_pid" || true
	# The hook outlives the runtime that ran it; it is the test's to end.
	pkill -KILL -f "^sleep 30$" 2>/dev/null || true
}

# delete_half_made: the cgroup kill_mid_create left is there; delete says
# the container does not exist, and removes its state and its cgroup.
delete_half_made() {
	[ -n "$(find /sys/fs/cgroup -maxdepth 3 -name "silo-$CID")" ]
	run rt delete "$CID"
	assert_failure
	assert_contains "$output" "does not exist"
	[ ! -e "$STATE_ROOT/$CID" ]
	wait_for sh -c "[ -z \"\$(find /sys/fs/cgroup -maxdepth 3 -name 'silo-$CID')\" ]"
}

@test "a runtime killed mid-create leaves what delete then removes: state, cgroup, process" {
	requires_silo
	kill_mid_create
	[ -d "$STATE_ROOT/$CID" ]
	delete_half_made
}

@test "where the state directory takes no extended attributes, the cgroup note is a file that delete reads" {
	requires_silo
	# ramfs has no extended attributes, as tmpfs had none before Linux 6.6.
	mkdir "$TEST_DIR/ramfs"
	mount -t ramfs ramfs "$TEST_DIR/ramfs"
	on_teardown "umount '$TEST_DIR/ramfs'"
	STATE_ROOT=$TEST_DIR/ramfs/state
	kill_mid_create
	assert_equal "$(cat "$STATE_ROOT/$CID/cgroup")" "/silo-$CID"
	delete_half_made
}

@test "a state.json that a machine crash left empty does not block delete" {
	requires_silo
	# state.json is written by rename but not flushed to disk: after a
	# crash it can be empty. delete then clears the container as it would
	# a half-made one, cgroup and process included.
	set_args sleep 1000
	rt_create "$CID"
	pid=$(container_field "$CID" .pid)
	: >"$STATE_ROOT/$CID/state.json"
	run rt delete "$CID"
	assert_failure
	assert_contains "$output" "does not exist"
	[ ! -e "$STATE_ROOT/$CID" ]
	wait_for sh -c "[ ! -e /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status"
	wait_for sh -c "[ -z \"\$(find /sys/fs/cgroup -maxdepth 3 -name 'silo-$CID')\" ]"
}
