#!/usr/bin/env bats
# /dev symlink escape: a rootfs whose /dev is a symlink, or whose /dev
# entries are symlinks, must not make the runtime create, chmod or chown
# anything outside the root. silo mounts /dev on a directory resolved
# inside the root, makes each node with mknodat relative to a directory
# descriptor inside the root, gives it its mode as it is made and its owner
# without following symlinks, and never follows what already has the name
# (devices.c).

load ../helpers

: "${SWAP_RACE:=$BUILD_DIR/tests/swap_race}"

setup() {
	silo_setup
	setup_bundle --copy
	HOST_DIR=$TEST_DIR/host-dir
	mkdir "$HOST_DIR"
	VICTIM=$TEST_DIR/victim
	echo victim >"$VICTIM"
	chmod 0600 "$VICTIM"
	HOST_BEFORE=$(host_state)
	set_args sh -c 'stat -c "%n %F %t:%T" /dev/null /dev/zero'
}

teardown() {
	silo_teardown
}

host_state() {
	find "$HOST_DIR" "$VICTIM" -printf '%p %y %m %U:%G %s %T@\n' | sort
	cat "$VICTIM"
}

host_untouched() {
	assert_equal "$(host_state)" "$HOST_BEFORE"
	assert_equal "$(grep -cF -e "$HOST_DIR" -e "$VICTIM" /proc/self/mountinfo)" 0
}

DEVICES='/dev/null character special file 1:3
/dev/zero character special file 1:5'

# refused_or_devices: after `run rt_run`, the container was refused (silo:
# /dev is then no plain path to a verified /dev/null for masking), or it
# ran with the right devices.
refused_or_devices() {
	if [ "$status" -ne 0 ]; then
		if is_silo; then
			assert_contains "$output" "/dev/null in the container"
		fi
		return 0
	fi
	assert_equal "$output" "$DEVICES"
}

# dev_link TARGET: the rootfs's /dev becomes a symlink to TARGET.
dev_link() {
	rm -rf "$BUNDLE/rootfs/dev"
	ln -s "$1" "$BUNDLE/rootfs/dev"
}

@test "dev symlink escape: a rootfs whose /dev is a symlink to a host directory creates nothing outside the root" {
	dev_link "$HOST_DIR"
	run rt_run
	refused_or_devices
	host_untouched
	assert_nothing_left
}

@test "dev symlink escape: a rootfs whose /dev is a relative symlink that climbs out (../../..) stays inside" {
	dev_link "../../../../../../../..$HOST_DIR"
	run rt_run
	refused_or_devices
	host_untouched
	assert_nothing_left
}

@test "dev symlink escape: without a /dev mount in the config, the default /dev stays inside too" {
	dev_link "$HOST_DIR"
	update_config '.mounts = [.mounts[] | select(.destination | startswith("/dev") | not)]'
	run rt_run
	refused_or_devices
	host_untouched
	assert_nothing_left
}

@test "dev symlink escape: linux.devices through symlinked directories are made inside the root" {
	ln -s "$HOST_DIR" "$BUNDLE/rootfs/escape"
	ln -s "../../../../../../../..$HOST_DIR" "$BUNDLE/rootfs/escape-relative"
	update_config '.linux.devices = [
		{path: "/escape/silo-null", type: "c", major: 1, minor: 3, fileMode: 438},
		{path: "/escape-relative/sub/silo-zero", type: "c", major: 1, minor: 5, fileMode: 438}]'
	set_args sh -c 'stat -c "%n %F %t:%T" /escape/silo-null /escape-relative/sub/silo-zero'
	run rt_run
	assert_status 0
	assert_equal "$output" "/escape/silo-null character special file 1:3
/escape-relative/sub/silo-zero character special file 1:5"
	host_untouched
	[ -c "$BUNDLE/rootfs$HOST_DIR/silo-null" ]
}

# hostile_dev: the config binds $HOST_DEV, a host directory, on /dev.
hostile_dev() {
	HOST_DEV=$TEST_DIR/host-dev
	mkdir -p "$HOST_DEV/pts" "$HOST_DEV/shm" "$HOST_DEV/mqueue"
	mknod -m 0666 "$HOST_DEV/null" c 1 3
	mknod -m 0666 "$HOST_DEV/zero" c 1 5
	update_config '.mounts = [.mounts[] | if .destination == "/dev"
		then {destination: "/dev", type: "bind", source: $dev, options: ["rbind", "rw"]} else . end]' \
		--arg dev "$HOST_DEV"
}

@test "dev symlink escape: a device whose path in a bound /dev is a symlink to a host file never changes the file" {
	hostile_dev
	ln -s "$VICTIM" "$HOST_DEV/silo-node"
	ln -s "$HOST_DIR" "$HOST_DEV/silo-dir"
	update_config '.linux.devices = [
		{path: "/dev/silo-node", type: "c", major: 1, minor: 3, fileMode: 438, uid: 1234, gid: 1234},
		{path: "/dev/silo-dir/node", type: "c", major: 1, minor: 3, fileMode: 438}]'
	set_args sh -c 'stat -c "%n %F %t:%T %u" /dev/silo-node'
	# Refusing to touch what is there does as well as replacing the link.
	run rt_run
	if [ "$status" -eq 0 ]; then
		assert_equal "$output" "/dev/silo-node character special file 1:3 1234"
	fi
	host_untouched
	assert_nothing_left
}

@test "dev symlink escape: swapping a device node with a symlink to a host file while it is made never changes the file" {
	[ -x "$SWAP_RACE" ] || fail "no swap_race at $SWAP_RACE: build it (ninja -C $BUILD_DIR) or set SWAP_RACE"
	hostile_dev
	mknod -m 0600 "$HOST_DEV/silo-node" c 1 3
	ln -s "$VICTIM" "$HOST_DEV/decoy"
	# The same device many times over: every one is a window for the race.
	update_config '.linux.devices = [range(50) |
		{path: "/dev/silo-node", type: "c", major: 1, minor: 3, fileMode: 438, uid: 1234, gid: 1234}]'
	set_args true
	"$SWAP_RACE" --seconds 60 "$HOST_DEV/silo-node" "$HOST_DEV/decoy" \
		</dev/null >"$TEST_DIR/swaps" 2>&1 3>&- &
	local race=$! i end=$((SECONDS + 15))
	track_background "$race"
	on_teardown "kill $race"
	for ((i = 0; i < 40 && SECONDS < end; i++)); do
		run rt_run
		assert_equal "$(host_state)" "$HOST_BEFORE"
	done
	kill -TERM "$race"
	wait "$race"
	[ "$(cat "$TEST_DIR/swaps")" -gt 0 ]
	host_untouched
	assert_nothing_left
}
