#!/usr/bin/env bats
# silo-runtime as containerd's runtime: a private containerd (its own root,
# state and socket in a temporary directory) runs tasks through
# containerd-shim-runc-v2 with --runc-binary pointing at silo-runtime. The
# image is an OCI layout made with umoci (not silo) from the busybox rootfs,
# imported with `ctr images import`.

load ../helpers

setup_file() {
	command -v containerd >/dev/null || skip "containerd is not installed (make deps)"
	export CTD_DIR
	CTD_DIR=$(mktemp -d /tmp/silo-test-containerd.XXXXXX)
	cat >"$CTD_DIR/config.toml" <<-TOML
		version = 2
		root = "$CTD_DIR/root"
		state = "$CTD_DIR/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTD_DIR/containerd.sock"
	TOML
	containerd --config "$CTD_DIR/config.toml" >"$CTD_DIR/containerd.log" 2>&1 &
	echo $! >"$CTD_DIR/containerd.pid"
	for _ in $(seq 100); do
		ctr -a "$CTD_DIR/containerd.sock" version >/dev/null 2>&1 && break
		sleep 0.1
	done

	"$SILO_SOURCE_DIR/scripts/busybox-rootfs.sh" "$CTD_DIR/rootfs"
	umoci init --layout "$CTD_DIR/oci"
	umoci new --image "$CTD_DIR/oci:latest"
	umoci unpack --image "$CTD_DIR/oci:latest" "$CTD_DIR/unpacked" >/dev/null
	cp -a "$CTD_DIR/rootfs/." "$CTD_DIR/unpacked/rootfs/"
	umoci repack --image "$CTD_DIR/oci:latest" "$CTD_DIR/unpacked"
	umoci config --image "$CTD_DIR/oci:latest" --config.cmd /bin/sh
	rm -rf "$CTD_DIR/unpacked"
	tar -C "$CTD_DIR/oci" -cf "$CTD_DIR/busybox.tar" .
	ctr -a "$CTD_DIR/containerd.sock" images import --base-name docker.io/library/silo-test-busybox \
		"$CTD_DIR/busybox.tar" >/dev/null
}

teardown_file() {
	[ -n "${CTD_DIR:-}" ] || return 0
	local pid
	pid=$(cat "$CTD_DIR/containerd.pid" 2>/dev/null) || true
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	# containerd mounts its snapshots under its root.
	grep -o "$CTD_DIR[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$CTD_DIR"
	# containerd puts tasks under /<namespace>/<id> in every hierarchy.
	rmdir /sys/fs/cgroup/*/default /sys/fs/cgroup/unified/default 2>/dev/null || true
}

setup() {
	silo_setup
	IMAGE=docker.io/library/silo-test-busybox:latest
}

teardown() {
	ctr_cmd task kill -s KILL "$CID" >/dev/null 2>&1 || true
	ctr_cmd task delete "$CID" >/dev/null 2>&1 || true
	ctr_cmd container rm "$CID" >/dev/null 2>&1 || true
	silo_teardown
}

ctr_cmd() {
	timeout 60 ctr -a "$CTD_DIR/containerd.sock" "$@"
}

ctr_run() {
	ctr_cmd run --runc-binary "$RUNTIME" "$@"
}

@test "containerd runs a task through silo-runtime and gets its output and exit status" {
	run ctr_run --rm "$IMAGE" "$CID" sh -c 'echo hello from silo; hostname; exit 3'
	assert_status 3
	assert_contains "$output" "hello from silo"
}

@test "containerd's task has its own pid namespace with the process as PID 1" {
	run ctr_run --rm "$IMAGE" "$CID" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_contains "$output" "sh -c cat /proc/1/cmdline"
}

@test "containerd: detached task, exec into it, list, pause, resume, kill and delete it" {
	run ctr_run -d "$IMAGE" "$CID" sh -c 'trap "exit 0" TERM; while true; do sleep 0.2; done'
	assert_status 0
	run ctr_cmd task ls
	assert_contains "$output" "RUNNING"
	run ctr_cmd task exec --exec-id probe "$CID" sh -c 'echo exec works; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_contains "$output" "exec works"
	assert_contains "$output" "while true"
	run ctr_cmd task pause "$CID"
	assert_status 0
	run ctr_cmd task ls
	assert_contains "$output" "PAUSED"
	run ctr_cmd task resume "$CID"
	assert_status 0
	run ctr_cmd task ls
	assert_contains "$output" "RUNNING"
	run ctr_cmd task kill "$CID"
	assert_status 0
	wait_for sh -c "ctr -a '$CTD_DIR/containerd.sock' task ls | grep -w '$CID' | grep -q STOPPED"
	run ctr_cmd task delete "$CID"
	assert_status 0
	run ctr_cmd container rm "$CID"
	assert_status 0
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "$CID")" ]
}

@test "containerd: a task with a terminal gets a tty" {
	run timeout 60 script -qec "ctr -a '$CTD_DIR/containerd.sock' run -t --rm --runc-binary '$RUNTIME' '$IMAGE' '$CID' tty" /dev/null
	assert_status 0
	assert_contains "$output" "/dev/pts/0"
}

@test "containerd: a missing binary in the image fails the task with a clear error" {
	run ctr_run --rm "$IMAGE" "$CID" /no/such/binary
	assert_failure
	assert_contains "$output" "/no/such/binary"
}

@test "containerd: the runc shim's BinaryName option (ctr --runc-binary) calls silo-runtime for every step" {
	# --runc-binary is how ctr sets the shim's options.BinaryName, the
	# field a containerd config's runtime section sets for CRI. A wrapper
	# records each call the shim makes through it.
	cat >"$CTD_DIR/silo-wrapper" <<-SH
		#!/bin/sh
		echo "\$*" >>"$CTD_DIR/silo-wrapper.log"
		exec "$RUNTIME" "\$@"
	SH
	chmod +x "$CTD_DIR/silo-wrapper"
	run ctr_cmd run --rm --runc-binary "$CTD_DIR/silo-wrapper" "$IMAGE" "$CID" sh -c 'echo through BinaryName'
	assert_status 0
	assert_contains "$output" "through BinaryName"
	run cat "$CTD_DIR/silo-wrapper.log"
	assert_contains "$output" "create"
	assert_contains "$output" "start $CID"
	assert_contains "$output" "delete"
	rm -f "$CTD_DIR/silo-wrapper" "$CTD_DIR/silo-wrapper.log"
}
