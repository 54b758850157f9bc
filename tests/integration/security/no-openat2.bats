#!/usr/bin/env bats
# The fallback of resolve_in_root (util/resolve.c; mount_resolve in the
# runtime): where openat2 fails with ENOSYS (a kernel before 5.6, or a
# seccomp profile around the runtime that does not know it), every path
# inside the root is resolved by a walk that is just as strict.
# scripts/check.sh runs the runtime and security suites a
# second time through tests/tools/no-openat2/silo-runtime; this checks that
# the wrapper really takes openat2 away, and that silo then asks for it
# once and walks from there on.

load ../helpers

NO_OPENAT2_RUNTIME=$SILO_SOURCE_DIR/tests/tools/no-openat2/silo-runtime

setup() {
	silo_setup
	requires_silo
	command -v strace >/dev/null || skip "strace is not installed"
	setup_bundle
	mkdir "$TEST_DIR/host"
	echo hello >"$TEST_DIR/host/hello"
	add_mount "$(jq -cn --arg s "$TEST_DIR/host" '{destination: "/data/sub", type: "bind", source: $s, options: ["bind", "ro"]}')"
	update_config '.linux.maskedPaths += ["/data/sub/hello"] | .linux.sysctl = {"kernel.hostname": "no-openat2"}'
	set_args sh -c 'uname -n; wc -c </data/sub/hello; stat -c %t:%T /dev/null'
}

teardown() {
	silo_teardown
}

@test "no openat2: under the wrapper openat2 fails with ENOSYS, once, and the container is built by the walk" {
	BUILD_DIR=$BUILD_DIR run strace -f -qq -e trace=openat2 -o "$TEST_DIR/strace" \
		"$NO_OPENAT2_RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_status 0
	assert_equal "$output" "no-openat2
0
1:3"
	local calls
	calls=$(grep -c 'openat2(' "$TEST_DIR/strace") || true
	[ "$calls" -ge 1 ] || fail "silo never tried openat2"
	[ "$calls" -le 2 ] || fail "silo asked for openat2 $calls times: $(grep 'openat2(' "$TEST_DIR/strace")"
	[ "$(grep -c 'openat2(.*= -1 ENOSYS' "$TEST_DIR/strace")" -eq "$calls" ] ||
		fail "openat2 did not fail with ENOSYS: $(grep 'openat2(' "$TEST_DIR/strace")"
	assert_equal "$(cat "$TEST_DIR/host/hello")" hello
}

@test "no openat2: without the wrapper silo uses openat2" {
	run strace -f -qq -e trace=openat2 -o "$TEST_DIR/strace" \
		"$BUILD_DIR/silo-runtime" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_status 0
	[ "$(grep -c 'openat2(.*= [0-9]' "$TEST_DIR/strace")" -gt 5 ]
	[ "$(grep -c 'ENOSYS' "$TEST_DIR/strace")" -eq 0 ]
}
