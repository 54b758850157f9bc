#!/usr/bin/env bats
# The container's file system: the root, config.json's mounts in order, the
# default /dev, masked and read-only paths, --no-pivot.

load ../helpers

setup() {
	silo_setup
	setup_bundle
	HOST_DIR=$TEST_DIR/host
	mkdir "$HOST_DIR"
	echo hello >"$HOST_DIR/hello"
}

teardown() {
	silo_teardown
}

# bind_mount SOURCE DESTINATION OPTION...: appends a bind mount to config.json.
bind_mount() {
	local source=$1 destination=$2
	shift 2
	add_mount "$(jq -cn '{destination: $d, type: "bind", source: $s, options: $ARGS.positional}' \
		--arg d "$destination" --arg s "$source" --args "$@")"
}

@test "root.readonly makes / read-only" {
	set_args sh -c 'touch /silo-test-file'
	run rt_run
	assert_failure
	assert_contains "$output" "Read-only file system"
	[ ! -e "$ROOTFS/silo-test-file" ]
}

@test "root.readonly false lets the container write to /" {
	setup_bundle_copy
	set_args sh -c 'echo written >/silo-test-file'
	run rt_run
	assert_status 0
	assert_equal "$(cat "$BUNDLE/rootfs/silo-test-file")" written
}

setup_bundle_copy() {
	rm -rf "$BUNDLE"
	setup_bundle --copy
}

@test "the container's / is the bundle's rootfs, not the host's" {
	set_args sh -c 'cat /etc/silo-test-rootfs; ls /'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" "silo test rootfs"
	assert_not_contains "$output" usr
}

@test "a tmpfs mount gets the size, mode and flags of its options" {
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "noexec", "size=1m", "mode=0710"]}'
	# (Only /proc/mounts tells the mode the tmpfs was mounted with: runc
	# chmods the new tmpfs to the mode of the directory it covers.)
	set_args sh -c 'grep " /tmp " /proc/mounts; echo x >/tmp/file && cat /tmp/file'
	run rt_run
	assert_status 0
	read -r source target fstype options _ <<<"${lines[0]}"
	assert_equal "$target" /tmp
	assert_equal "$fstype" tmpfs
	for option in nosuid nodev noexec size=1024k mode=710; do
		[[ ",$options," == *",$option,"* ]] || fail "no $option in $options"
	done
	# Writable although / is read-only.
	assert_equal "${lines[1]}" x
}

@test "mounts are made in the order of config.json" {
	# The bind mount lands inside the tmpfs: reversed, the tmpfs would hide it.
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}'
	bind_mount "$HOST_DIR" /tmp/data bind ro
	set_args cat /tmp/data/hello
	run rt_run
	assert_status 0
	assert_equal "$output" hello
}

@test "a read-only bind mount of a host directory can be read, not written" {
	bind_mount "$HOST_DIR" /data bind ro
	set_args sh -c 'exec 2>&1; cat /data/hello; touch /data/new'
	run rt_run
	assert_failure
	assert_equal "${lines[0]}" hello
	assert_contains "$output" "Read-only file system"
	[ ! -e "$HOST_DIR/new" ]
	# ro applies to the container's mount only.
	touch "$HOST_DIR/new"
}

@test "a read-write bind mount writes through to the host directory" {
	bind_mount "$HOST_DIR" /data bind
	set_args sh -c 'echo from-container >/data/new'
	run rt_run
	assert_status 0
	assert_equal "$(cat "$HOST_DIR/new")" from-container
}

@test "bind does not take submounts along, rbind does" {
	mkdir "$HOST_DIR/sub"
	mount -t tmpfs silo-test-sub "$HOST_DIR/sub"
	on_teardown "umount '$HOST_DIR/sub'"
	echo inner >"$HOST_DIR/sub/file"

	bind_mount "$HOST_DIR" /data bind
	set_args sh -c 'ls -A /data/sub | wc -l'
	run rt_run
	assert_status 0
	assert_equal "$output" 0

	update_config '.mounts[-1].options = ["rbind"]'
	set_args cat /data/sub/file
	run rt_run
	assert_status 0
	assert_equal "$output" inner
}

# propagation_test OPTION...: bind-mounts a shared host directory at /mnt with
# the given options; once the container runs, the host mounts a tmpfs under
# it, then creates /mnt/ready. Prints what the container saw: "propagated"
# or "private", in $propagation.
propagation_test() {
	local shared=$TEST_DIR/shared
	mkdir -p "$shared"
	mount --bind "$shared" "$shared"
	mount --make-shared "$shared"
	on_teardown "umount -R '$shared'"
	bind_mount "$shared" /mnt "$@"
	set_args sh -c 'i=0
		while [ ! -e /mnt/ready ]; do
			i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05
		done
		if [ -e /mnt/late/hello ]; then echo propagated; else echo private; fi'
	rt_run_bg "$CID"
	wait_for_status "$CID" running

	mkdir "$shared/late"
	mount -t tmpfs silo-test-late "$shared/late"
	echo hi >"$shared/late/hello"
	touch "$shared/ready"
	assert_equal "$(wait_for_exit "$CID")" 0
	propagation=$(container_output "$CID")
}

@test "an rslave bind mount receives the host's later mounts" {
	propagation_test rbind rslave
	assert_equal "$propagation" propagated
}

@test "an rprivate bind mount does not receive the host's later mounts" {
	propagation_test rbind rprivate
	assert_equal "$propagation" private
}

@test "rootfsPropagation and mount propagation options are accepted" {
	update_config '.linux.rootfsPropagation = "slave"'
	bind_mount "$HOST_DIR" /data rbind rshared
	bind_mount "$HOST_DIR" /mnt rbind runbindable
	set_args cat /data/hello /mnt/hello
	run rt_run
	assert_status 0
	assert_equal "$output" "hello
hello"
}

@test "mount destination symlink escape: a destination is resolved inside the rootfs" {
	# The attack: a symlink in the image points a mount's destination at a
	# host path. The mount must land inside the rootfs (where the symlink
	# points when followed from the container's /), never on the host.
	setup_bundle_copy
	target=$TEST_DIR/escape-target
	mkdir "$target"
	ln -s "$target" "$BUNDLE/rootfs/escape"
	bind_mount "$HOST_DIR" /escape bind ro
	set_args cat /escape/hello
	run rt_run
	assert_status 0
	assert_equal "$output" hello
	[ -z "$(ls -A "$target")" ]
	[ -d "$BUNDLE/rootfs$target" ]
}

@test "the default /dev has the standard devices with the right numbers" {
	set_args sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
	run rt_run
	assert_status 0
	assert_equal "$output" "/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0"
}

@test "the default devices work" {
	set_args sh -c 'exec 2>&1; echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c
		echo x >/dev/full'
	run rt_run
	assert_failure
	assert_equal "${lines[0]}" 4
	assert_equal "${lines[1]}" 8
	assert_contains "$output" "No space left on device"
}

@test "the default /dev has the standard links" {
	set_args sh -c 'for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
	run rt_run
	assert_status 0
	assert_equal "$output" "ptmx -> pts/ptmx
fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2"
}

@test "/dev/pts and /dev/shm are mounted, and /dev holds no host device" {
	set_args sh -c 'awk "\$2 == \"/dev/pts\" || \$2 == \"/dev/shm\" { print \$2, \$3 }" /proc/mounts
		find /dev -type b | wc -l; [ -e /dev/mem ] || [ -e /dev/kmsg ] && echo host-devices; exit 0'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" "/dev/pts devpts"
	assert_equal "${lines[1]}" "/dev/shm tmpfs"
	assert_equal "${lines[2]}" 0
	assert_not_contains "$output" host-devices
}

@test "maskedPaths hide files and directories; missing ones are ignored" {
	# A /proc file the host has and that runtimes mask by default.
	proc_file=
	for f in /proc/kcore /proc/timer_list /proc/keys; do
		if [ "$(head -c 1 "$f" 2>/dev/null | wc -c)" -eq 1 ]; then
			proc_file=$f
			break
		fi
	done
	[ -n "$proc_file" ] || skip "the host has none of /proc/kcore, /proc/timer_list, /proc/keys"
	mkdir "$HOST_DIR/secret-dir"
	echo secret >"$HOST_DIR/secret-dir/key"
	echo secret >"$HOST_DIR/secret-file"
	bind_mount "$HOST_DIR" /data bind
	update_config '.linux.maskedPaths = [$proc, "/data/secret-dir", "/data/secret-file",
		"/proc/silo-test-missing"]' --arg proc "$proc_file"
	set_args sh -c 'wc -c <"$0"; wc -c </data/secret-file; ls -A /data/secret-dir | wc -l
		cat /data/hello' "$proc_file"
	run rt_run
	assert_status 0
	assert_equal "$output" "0
0
0
hello"
	# Masking is the container's view only.
	assert_equal "$(cat "$HOST_DIR/secret-file")" secret
	[ -e "$HOST_DIR/secret-dir/key" ]
}

@test "readonlyPaths cannot be written, the rest of the mount can" {
	mkdir "$HOST_DIR/ro-dir"
	bind_mount "$HOST_DIR" /data bind
	update_config '.linux.readonlyPaths = ["/data/ro-dir", "/proc/sys"]'
	set_args sh -c 'exec 2>&1; touch /data/rw-file && echo rw-ok; touch /data/ro-dir/file; grep " /proc/sys " /proc/mounts'
	run rt_run
	assert_status 0
	assert_equal "${lines[0]}" rw-ok
	assert_contains "${lines[1]}" "Read-only file system"
	[[ "${lines[2]}" =~ \ ro[,\ ] ]] || fail "/proc/sys is not read-only: ${lines[2]}"
	[ -e "$HOST_DIR/rw-file" ]
	[ ! -e "$HOST_DIR/ro-dir/file" ]
}

@test "--no-pivot runs the container on its rootfs" {
	set_args sh -c 'exec 2>&1; cat /etc/silo-test-rootfs; [ -e /usr ] && echo host-root; touch /file; exit 0'
	run rt_run --no-pivot
	assert_status 0
	assert_equal "${lines[0]}" "silo test rootfs"
	assert_not_contains "$output" host-root
	assert_contains "$output" "Read-only file system"
}
