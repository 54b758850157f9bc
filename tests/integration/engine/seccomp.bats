#!/usr/bin/env bats
# silo's default seccomp profile (data/seccomp-default.json, compiled in):
# what a container may not call, that ordinary work still runs, and what
# lifts it. tests/tools/syscall_probe makes the calls from inside.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() {
	engine_setup
	PROBE_DIR=$BUILD_DIR/tests
	[ -x "$PROBE_DIR/syscall_probe" ] || skip "no syscall_probe in $PROBE_DIR"
}
teardown() { engine_teardown; }

probe() {
	silo run --rm -v "$PROBE_DIR:/probe:ro" "$@"
}

@test "the default profile is applied: Seccomp mode 2 in /proc/self/status" {
	run silo run --rm "$BB" grep Seccomp: /proc/self/status
	[ "$output" = "Seccomp:	2" ]
	run silo run --rm --security-opt seccomp=unconfined "$BB" grep Seccomp: /proc/self/status
	[ "$output" = "Seccomp:	0" ]
}

@test "kernel keyring calls and new user namespaces are refused (keyring and namespace escapes)" {
	run probe "$BB" /probe/syscall_probe keyctl add_key unshare-user personality-bsd
	[ "$status" -eq 1 ]
	[ "$output" = "keyctl: Operation not permitted
add_key: Operation not permitted
unshare-user: Operation not permitted
personality-bsd: Operation not permitted" ]
	run silo run --rm "$BB" unshare -U true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "ordinary work runs under the profile: fork, threads of busybox, unshare without namespaces, files, sockets" {
	run probe "$BB" /probe/syscall_probe fork unshare-files personality-linux
	[ "$status" -eq 0 ]
	run silo run --rm "$BB" sh -c 'echo a >/tmp/f && cat /tmp/f && ls / >/dev/null && sleep 0.1 && ps >/dev/null && wget -q -T1 -O- http://127.0.0.1:1 2>/dev/null; date >/dev/null; echo done'
	[ "$status" -eq 0 ]
	[[ "$output" == *done ]]
}

@test "open_by_handle_at (the shocker escape) needs CAP_DAC_READ_SEARCH, and the profile follows the capability" {
	# Without the capability the filter refuses it; with it, the call
	# reaches the kernel (which says a bogus handle is stale).
	run probe "$BB" /probe/syscall_probe open_by_handle_at
	[ "$output" = "open_by_handle_at: Operation not permitted" ]
	run probe --cap-add DAC_READ_SEARCH "$BB" /probe/syscall_probe open_by_handle_at
	[ "$output" = "open_by_handle_at: ok" ]
}

@test "--security-opt seccomp=unconfined and --privileged lift the profile" {
	run probe --security-opt seccomp=unconfined "$BB" /probe/syscall_probe keyctl personality-bsd
	[ "$status" -eq 0 ]
	run probe --privileged "$BB" /probe/syscall_probe keyctl unshare-user
	[ "$status" -eq 0 ]
	run probe --cap-add SYS_ADMIN "$BB" /probe/syscall_probe unshare-user
	[ "$status" -eq 0 ]
}

@test "--security-opt seccomp=FILE applies the file's profile, and a bad file is refused in one line" {
	cat >"$BATS_TEST_TMPDIR/deny-mkdir.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
JSON
	run silo run --rm --security-opt seccomp="$BATS_TEST_TMPDIR/deny-mkdir.json" "$BB" mkdir /x
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	echo '{"nope":' >"$BATS_TEST_TMPDIR/bad.json"
	run silo run --rm --security-opt seccomp="$BATS_TEST_TMPDIR/bad.json" "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid --security-opt seccomp=$BATS_TEST_TMPDIR/bad.json"* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	run silo ps -aq
	[ -z "$output" ]
}

# The compiled default profile is kept in the store (runtime/seccomp_cache.h).
# Whatever lies in the cache, a container gets the filter of its own
# profile: an entry of another profile put in its place (cache poisoning),
# a damaged one, or a cache directory others may write to is never used.
@test "a compiled profile is kept in the store and read again; a poisoned, damaged or foreign-writable cache is not used" {
	local cache=$ENGINE_STORE/root/cache/seccomp entry other inode
	rm -rf "$cache"
	run probe "$BB" /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]
	[ "$(ls "$cache" | wc -l)" -eq 1 ]
	entry=$(ls -d "$cache"/*.bpf)
	[ "$(stat -c %a "$cache")" = 700 ]
	# Read, not compiled and written again.
	inode=$(stat -c %i "$entry")
	run probe "$BB" /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]
	[ "$(stat -c %i "$entry")" = "$inode" ]

	# Poisoning: a profile that allows everything, its entry under the
	# default profile's name.
	echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$BATS_TEST_TMPDIR/allow.json"
	run probe --security-opt seccomp="$BATS_TEST_TMPDIR/allow.json" "$BB" /probe/syscall_probe keyctl
	[ "$status" -eq 0 ]
	other=$(ls -d "$cache"/*.bpf | grep -v "$entry")
	cp "$other" "$entry"
	run probe "$BB" /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]
	! cmp -s "$other" "$entry"

	# Damage: the last instruction replaced by "allow" (BPF_RET|BPF_K,
	# SECCOMP_RET_ALLOW), the size kept; then a truncated entry.
	printf '\x06\x00\x00\x00\x00\x00\xff\x7f' | dd of="$entry" bs=1 seek=$(($(stat -c %s "$entry") - 8)) conv=notrunc status=none
	run probe "$BB" /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]
	truncate -s -8 "$entry"
	run probe "$BB" /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]
	run probe "$BB" /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]

	# A directory others may write to is neither read nor written.
	rm -f "$cache"/*.bpf
	chmod 0777 "$cache"
	run probe "$BB" /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]
	[ -z "$(ls -A "$cache")" ]
	chmod 0700 "$cache"
}

@test "exec reads the container's compiled profile from the store: the same filter, not compiled again" {
	local cache=$ENGINE_STORE/root/cache/seccomp entry inode
	rm -rf "$cache"
	silo run -d --name sx -v "$PROBE_DIR:/probe:ro" "$BB" sleep 60 >/dev/null
	entry=$(ls -d "$cache"/*.bpf)
	inode=$(stat -c %i "$entry")
	run silo exec sx /probe/syscall_probe keyctl unshare-user
	[ "$status" -eq 1 ]
	[ "$output" = "keyctl: Operation not permitted
unshare-user: Operation not permitted" ]
	run silo exec sx grep Seccomp: /proc/self/status
	[ "$output" = "Seccomp:	2" ]
	[ "$(ls "$cache" | wc -l)" -eq 1 ]
	[ "$(stat -c %i "$entry")" = "$inode" ]
	# Damaged, it is compiled again, and the filter is the same.
	truncate -s 100 "$entry"
	run silo exec sx /probe/syscall_probe keyctl
	[ "$output" = "keyctl: Operation not permitted" ]
	[ "$(stat -c %s "$entry")" -gt 100 ]
	silo rm -f sx >/dev/null
}
