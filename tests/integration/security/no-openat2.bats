#!/usr/bin/env bats
# The fallbacks of resolve_in_root (util/resolve.c; mount_resolve in the
# runtime): where openat2 fails with ENOSYS (a kernel before 5.6, or a
# seccomp profile around the runtime that does not know it), every path
# inside the root is resolved by a walk that is just as strict; and of the
# new mount API (runtime/mount.c): where it fails with ENOSYS, the same
# mounts are made with mount(2) onto the target's descriptor.
# scripts/check.sh runs the runtime and security suites a
# second time through tests/tools/no-openat2/silo-runtime; this checks that
# the wrapper really takes openat2 and the mount API away, and that silo
# then asks for them once and falls back from there on.

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

@test "no new mount API: under the wrapper the mounts are made with mount(2) onto the target's descriptor and keep their protections" {
	set_args sh -c 'uname -n; wc -c </data/sub/hello; stat -c %t:%T /dev/null
		touch /data/sub/new 2>/dev/null && echo data-writable
		echo x 2>/dev/null >/proc/sys/kernel/domainname && echo proc-sys-writable
		grep -q " /proc proc " /proc/mounts && echo proc-is-procfs'
	BUILD_DIR=$BUILD_DIR run strace -f -qq -e trace=fsopen,fsmount,open_tree,move_mount,mount_setattr,mount \
		-o "$TEST_DIR/strace" "$NO_OPENAT2_RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_status 0
	# The ro bind, the mask (/dev/null over the file), the sysctl written
	# through a private procfs, a read-only /proc/sys and a real procfs.
	assert_equal "$output" "no-openat2
0
1:3
proc-is-procfs"
	local asked
	asked=$(grep -cE '^[0-9]+ +(fsopen|fsmount|open_tree|move_mount|mount_setattr)\(' "$TEST_DIR/strace") || true
	[ "$asked" -ge 1 ] || fail "silo never tried the new mount API"
	[ "$asked" -le 4 ] || fail "silo asked for the new mount API $asked times: $(grep -E '(fsopen|open_tree|move_mount|mount_setattr)\(' "$TEST_DIR/strace")"
	[ "$(grep -cE '(fsopen|fsmount|open_tree|move_mount|mount_setattr)\(.*= -1 ENOSYS' "$TEST_DIR/strace")" -eq "$asked" ] ||
		fail "the new mount API did not fail with ENOSYS"
	# Every mount into the root is made onto a descriptor of the target,
	# named by its number in the working directory /proc/thread-self/fd.
	grep -qE 'mount\("proc", "[0-9]+", "proc", .* = 0' "$TEST_DIR/strace" ||
		fail "procfs was not mounted onto a descriptor: $(grep 'mount(' "$TEST_DIR/strace")"
	grep -qE 'mount\("[0-9]+", "[0-9]+", NULL, MS_BIND.* = 0' "$TEST_DIR/strace" ||
		fail "no bind by descriptor: $(grep 'mount(' "$TEST_DIR/strace")"
	grep -qE 'mount\(NULL, "[0-9]+", NULL, MS_RDONLY.*MS_REMOUNT\|MS_BIND.* = 0' "$TEST_DIR/strace" ||
		fail "no read-only remount by descriptor: $(grep 'mount(' "$TEST_DIR/strace")"
	# No mount target is a path of the root.
	! grep -E 'mount\([^,]*, "/[^"]*", "(proc|tmpfs|sysfs)"' "$TEST_DIR/strace" ||
		fail "a filesystem was mounted by path"
	[ ! -e "$TEST_DIR/host/new" ]
	assert_equal "$(cat "$TEST_DIR/host/hello")" hello
}

@test "no new mount API: without the wrapper silo uses fsopen and move_mount" {
	run strace -f -qq -e trace=fsopen,move_mount -o "$TEST_DIR/strace" \
		"$BUILD_DIR/silo-runtime" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_status 0
	[ "$(grep -c 'fsopen(.*= [0-9]' "$TEST_DIR/strace")" -gt 3 ]
	[ "$(grep -c 'move_mount(.*= 0' "$TEST_DIR/strace")" -gt 3 ]
	[ "$(grep -c 'ENOSYS' "$TEST_DIR/strace")" -eq 0 ]
}
