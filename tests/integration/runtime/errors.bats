#!/usr/bin/env bats
# Failures: each one ends with a non-zero status, a message that names what
# is wrong, and nothing left on the machine.

load ../helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

# assert_one_line: the test fails unless $output is a single line.
assert_one_line() {
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line, got ${#lines[@]}: $output"
}

# A config.json with a syntax error on line 3 (the missing comma).
break_config_syntax() {
	printf '{\n  "ociVersion": "1.0.2"\n  "process": {}\n}\n' >"$BUNDLE/config.json"
}

@test "a config.json with a syntax error fails and leaves nothing" {
	break_config_syntax
	run rt_create "$CID"
	assert_failure
	assert_nothing_left
}

@test "silo: a syntax error in config.json is one line with its line and column" {
	requires_silo
	break_config_syntax
	run rt_create "$CID"
	assert_failure
	assert_one_line
	assert_contains "$output" config.json
	[[ "$output" =~ (:3:[0-9]+|line\ 3,?\ col(umn)?\ [0-9]+) ]] ||
		fail "no line 3 and column in: $output"
}

@test "a field of the wrong type fails and names the field" {
	update_config '.process.args = "sh -c true"'
	run rt_create "$CID"
	assert_failure
	assert_contains "$output" process.args
	assert_nothing_left
}

@test "silo: a field of the wrong type is one line naming the field and config.json" {
	requires_silo
	update_config '.process.args = "sh -c true"'
	run rt_create "$CID"
	assert_failure
	assert_one_line
	assert_contains "$output" config.json
	assert_contains "$output" process.args
}

@test "a missing bundle fails and names it" {
	run rt create --bundle "$TEST_DIR/no-such-bundle" "$CID"
	assert_failure
	assert_contains "$output" "$TEST_DIR/no-such-bundle"
	assert_nothing_left
}

@test "a bundle without config.json fails and names config.json" {
	rm "$BUNDLE/config.json"
	run rt_create "$CID"
	assert_failure
	assert_contains "$output" config.json
	assert_nothing_left
}

@test "a missing rootfs fails and names it" {
	update_config '.root.path = $p' --arg p "$TEST_DIR/no-such-rootfs"
	run rt_create "$CID"
	assert_failure
	assert_contains "$output" "$TEST_DIR/no-such-rootfs"
	assert_nothing_left
}

@test "a missing binary fails, names it, and leaves nothing" {
	set_args /nonexistent
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_contains "$output" /nonexistent
	assert_nothing_left
}

@test "a binary not found in PATH fails and names it" {
	set_args silo-no-such-command
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_contains "$output" silo-no-such-command
	assert_nothing_left
}

@test "a missing process.cwd is created or refused, never fatal to the runtime" {
	# runc creates it; either way the runtime must not leave anything.
	update_config '.process.cwd = "/tmp/silo-no-such-dir"'
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}'
	set_args pwd
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	if [ "$status" -eq 0 ]; then
		assert_equal "$output" /tmp/silo-no-such-dir
	else
		assert_contains "$output" /tmp/silo-no-such-dir
	fi
	assert_nothing_left
}

@test "create with the id of an existing container fails and leaves it alone" {
	set_args sleep 1000
	rt_create "$CID"
	pid=$(container_field "$CID" .pid)

	run rt_create "$CID"
	assert_failure
	assert_contains "$output" exists
	assert_equal "$(container_status "$CID")" created
	assert_equal "$(container_field "$CID" .pid)" "$pid"
	rt start "$CID"
	wait_for_status "$CID" running
}

@test "an invalid container id fails, and its state never lands outside --root" {
	set_args sleep 1000
	run rt create --bundle "$BUNDLE" "../$CID" </dev/null
	assert_failure
	# $STATE_ROOT/../$CID
	[ ! -e "$TEST_DIR/$CID" ]
	assert_nothing_left
}

@test "an unknown flag fails and names it" {
	run rt create --silo-no-such-flag --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_contains "$output" silo-no-such-flag
	assert_nothing_left
}

@test "an unknown command fails and names it" {
	run rt silo-no-such-command
	assert_failure
	assert_contains "$output" silo-no-such-command
}

@test "a command without its container id fails" {
	for command in create start state kill delete; do
		run rt "$command"
		assert_failure
	done
	assert_nothing_left
}

@test "silo: an rlimit the host cannot grant fails with a message naming it" {
	requires_silo
	update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: $n}]' \
		--argjson n "$(($(ulimit -Hn) + 10000))"
	run rt_create "$CID"
	assert_failure
	assert_one_line
	assert_contains "$output" RLIMIT_NOFILE
	assert_nothing_left
}

@test "silo: a missing binary is one line naming it" {
	requires_silo
	set_args /nonexistent
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_one_line
	assert_contains "$output" '"/nonexistent"'
}
