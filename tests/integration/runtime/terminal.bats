#!/usr/bin/env bats
# process.terminal: the runtime makes a pseudoterminal for the container and
# sends its master over --console-socket (received here by tests/recvtty).

load ../helpers

setup() {
	silo_setup
	[ -x "$RECVTTY" ] || fail "no recvtty at $RECVTTY: build it (ninja -C $BUILD_DIR) or set RECVTTY"
	setup_bundle
	update_config '.process.terminal = true'
	SOCKET=$TEST_DIR/console.sock
	TTY_OUTPUT=$TEST_DIR/tty.out
}

teardown() {
	silo_teardown
}

# start_recvtty [--input TEXT]: recvtty in the background, listening on
# $SOCKET, recording the container's terminal output in $TTY_OUTPUT.
start_recvtty() {
	"$RECVTTY" "$SOCKET" --output "$TTY_OUTPUT" --timeout 20 "$@" \
		</dev/null >"$TEST_DIR/recvtty.log" 2>&1 3>&- &
	RECVTTY_PID=$!
	track_background "$RECVTTY_PID"
	wait_for test -S "$SOCKET"
}

# wait_recvtty: waits for recvtty to see the terminal close; fails if it did
# not exit 0.
wait_recvtty() {
	local rc=0
	wait "$RECVTTY_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "recvtty exited $rc: $(cat "$TEST_DIR/recvtty.log")"
}

# tty_output: what the container wrote to its terminal, without the \r the
# line discipline adds.
tty_output() {
	tr -d '\r' <"$TTY_OUTPUT"
}

@test "with process.terminal the process runs on a pty whose master goes to --console-socket" {
	set_args sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; [ -t 1 ] && echo stdout-is-a-tty
		[ -t 2 ] && echo stderr-is-a-tty; exit 0'
	start_recvtty
	rt_create "$CID" --console-socket "$SOCKET"
	rt start "$CID"
	wait_recvtty

	run tty_output
	[[ "${lines[0]}" =~ ^/dev/pts/[0-9]+$ ]] || fail "tty says: ${lines[0]}"
	assert_equal "${lines[1]}" stdin-is-a-tty
	assert_equal "${lines[2]}" stdout-is-a-tty
	assert_equal "${lines[3]}" stderr-is-a-tty
	grep -q "received pty master" "$TEST_DIR/recvtty.log"
	# Nothing went to the runtime's own stdio.
	[ ! -s "$TEST_DIR/$CID.out" ]
}

@test "what is written to the pty master reaches the process's stdin" {
	set_args sh -c 'read -r line; echo "got: $line"'
	start_recvtty --input $'hello from the master\n'
	rt_create "$CID" --console-socket "$SOCKET"
	rt start "$CID"
	wait_recvtty

	assert_contains "$(tty_output)" "got: hello from the master"
}

@test "the terminal is the process's controlling terminal and /dev/console" {
	# A controlling terminal makes /dev/tty usable; /dev/console is the pty.
	set_args sh -c 'echo via-dev-tty >/dev/tty; [ -c /dev/console ] && echo console-ok; exit 0'
	start_recvtty
	rt_create "$CID" --console-socket "$SOCKET"
	rt start "$CID"
	wait_recvtty

	run tty_output
	assert_equal "${lines[0]}" via-dev-tty
	assert_equal "${lines[1]}" console-ok
}

@test "process.consoleSize sets the size of the terminal" {
	update_config '.process.consoleSize = {height: 33, width: 111}'
	set_args stty size
	start_recvtty
	rt_create "$CID" --console-socket "$SOCKET"
	rt start "$CID"
	wait_recvtty

	assert_equal "$(tty_output)" "33 111"
}

@test "run --detach with --console-socket works like create and start" {
	set_args sh -c 'tty >/dev/null && echo on-a-tty'
	start_recvtty
	rt run --detach --console-socket "$SOCKET" --bundle "$BUNDLE" "$CID" \
		</dev/null >"$TEST_DIR/run.out" 2>&1
	wait_recvtty
	wait_for_status "$CID" stopped

	assert_equal "$(tty_output)" on-a-tty
}

@test "process.terminal without --console-socket fails for a detached container" {
	set_args true
	run rt_create "$CID"
	assert_failure
	assert_nothing_left
}
