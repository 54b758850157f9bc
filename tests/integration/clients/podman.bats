#!/usr/bin/env bats
# silo-runtime as podman's OCI runtime (`podman --runtime`), with conmon in
# between as podman always has it. Podman gets private storage and run
# directories, the cgroupfs manager (no systemd here), no network (so the
# host's firewall is never touched), and --rootfs with the busybox rootfs so
# no image store is involved. Its default RLIMIT_NOFILE of 1048576 is above
# this kind of host's hard limit, so the test's own containers.conf
# (CONTAINERS_CONF) asks for limits the host allows.

load ../helpers

setup_file() {
	command -v podman >/dev/null || skip "podman is not installed (make deps)"
	export PODMAN_DIR
	PODMAN_DIR=$(mktemp -d /tmp/silo-test-podman.XXXXXX)
	"$SILO_SOURCE_DIR/scripts/busybox-rootfs.sh" "$PODMAN_DIR/rootfs"
	cat >"$PODMAN_DIR/containers.conf" <<-'CONF'
		[containers]
		default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
	CONF
}

teardown_file() {
	[ -n "${PODMAN_DIR:-}" ] || return 0
	pm rm -af >/dev/null 2>&1 || true
	grep -o "$PODMAN_DIR[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$PODMAN_DIR"
	rmdir /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/unified/libpod_parent 2>/dev/null || true
}

setup() {
	silo_setup
}

teardown() {
	pm rm -f "$CID" >/dev/null 2>&1 || true
	silo_teardown
}

# The runtime's state root too: podman passes none, and the runtime's
# default (/run/silo) is the host's.
pm() {
	CONTAINERS_CONF=$PODMAN_DIR/containers.conf timeout 60 podman --root "$PODMAN_DIR/storage" \
		--runroot "$PODMAN_DIR/run" --runtime "$RUNTIME" --runtime-flag "root=$PODMAN_DIR/r" "$@"
}

# pm_run [PODMAN FLAG...] -- COMMAND...: with --rootfs, podman reads
# everything after the rootfs as the command, so the flags go first.
pm_run() {
	local flags=()
	while [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	shift
	pm run --name "$CID" --network none "${flags[@]}" --rootfs "$PODMAN_DIR/rootfs" "$@"
}

@test "podman runs a container with silo-runtime and gets its output and exit status" {
	run pm_run --rm -- sh -c 'echo hello from silo; exit 4'
	assert_status 4
	assert_contains "$output" "hello from silo"
}

@test "podman: a container's hostname, PID 1 and user are its own" {
	run pm_run --rm --hostname silo-pod -- sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; echo; id -u'
	assert_status 0
	assert_contains "$output" "silo-pod"
	assert_contains "$output" "sh -c hostname"
}

@test "podman: detached container, exec, logs, stop, rm" {
	run pm_run -d -- sh -c 'trap "exit 0" TERM; echo started; while true; do sleep 0.2; done'
	assert_status 0
	run pm exec "$CID" sh -c 'echo exec works'
	assert_status 0
	assert_contains "$output" "exec works"
	run pm logs "$CID"
	assert_contains "$output" "started"
	run pm stop -t 10 "$CID"
	assert_status 0
	run pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$CID"
	assert_equal "$output" "exited 0"
	run pm rm "$CID"
	assert_status 0
}

@test "podman: run -it gets a tty and reads what is typed" {
	run timeout 60 script -qec "printf 'echo typed-\$((6*7))\nexit\n' | CONTAINERS_CONF='$PODMAN_DIR/containers.conf' podman --root '$PODMAN_DIR/storage' --runroot '$PODMAN_DIR/run' --runtime '$RUNTIME' --runtime-flag 'root=$PODMAN_DIR/r' run --rm -it --name '$CID' --network none --rootfs '$PODMAN_DIR/rootfs' sh -c 'tty; read line; eval \"\$line\"'" /dev/null
	assert_status 0
	assert_contains "$output" "/dev/pts/0"
	assert_contains "$output" "typed-42"
}

@test "podman: an rlimit above the host's is refused with a message naming it" {
	requires_silo
	run pm_run --rm --ulimit nofile=1048576:1048576 -- true
	assert_failure
	assert_contains "$output" "RLIMIT_NOFILE"
}
