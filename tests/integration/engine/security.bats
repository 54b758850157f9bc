#!/usr/bin/env bats
# The security flags of run, each checked from inside the container:
# capabilities (/proc/self/status), --privileged, no-new-privileges,
# --device, the host's namespaces, labels.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

capeff() {
	silo run --rm "$@" "$BB" sh -c 'grep CapEff /proc/self/status' | cut -f2
}

@test "--cap-drop and --cap-add change the container's capabilities, with or without CAP_" {
	# docker's default set: 0x00000000a80425fb.
	[ "$(capeff)" = 00000000a80425fb ]
	[ "$(capeff --cap-drop ALL)" = 0000000000000000 ]
	[ "$(capeff --cap-drop all --cap-add chown)" = 0000000000000001 ]
	# SYS_ADMIN is bit 21.
	[ "$(capeff --cap-add CAP_SYS_ADMIN)" = 00000000a82425fb ]
	[ "$(capeff --cap-drop NET_RAW --cap-drop cap_mknod)" = 00000000a00405fb ]
	run silo run --rm --cap-drop CHOWN "$BB" sh -c 'touch /f; chown 1 /f'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	# ALL is what the host's bounding set has, no more.
	[ "$(capeff --cap-add ALL)" = "$(grep CapBnd /proc/self/status | cut -f2)" ]
}

@test "a capability the host cannot grant or an unknown one is refused in one line" {
	run silo run --rm --cap-add NOSUCH "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --cap-add "NOSUCH": unknown capability'* ]]
	if ! grep -q "CapBnd:.*" /proc/self/status || [ $(( 0x$(grep CapBnd /proc/self/status | cut -f2) >> 24 & 1 )) -eq 0 ]; then
		run silo run --rm --cap-add SYS_RESOURCE "$BB" true
		[ "$status" -eq 125 ]
		[[ "$output" == *"bounding set has no CAP_SYS_RESOURCE"* ]]
	fi
	run silo ps -aq
	[ -z "$output" ]
}

@test "--privileged: every host capability, no seccomp, nothing masked, the host's devices" {
	run silo run --rm --privileged "$BB" sh -c \
		'grep -E "^(CapEff|Seccomp):" /proc/self/status | cut -f2; [ -s /proc/kcore ] || stat -c %s /proc/kcore; ls /dev; touch /proc/sys/kernel/ns_last_pid && echo sysctl-writable'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(grep CapBnd /proc/self/status | cut -f2)" ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" == *loop-control* ]]
	[[ "$output" == *sysctl-writable* ]]
	run silo run --rm "$BB" sh -c 'ls /dev; grep Seccomp: /proc/self/status'
	[[ "$output" != *loop-control* ]]
}

@test "--security-opt no-new-privileges sets NoNewPrivs" {
	run silo run --rm --security-opt no-new-privileges "$BB" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"1" ]]
	run silo run --rm "$BB" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"0" ]]
	run silo run --rm --security-opt apparmor=x "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --security-opt "apparmor=x"'* ]]
}

@test "--device gives the container a host device, with its permissions in the device cgroup" {
	run silo run --rm --device /dev/zero:/dev/myzero "$BB" sh -c 'head -c 5 /dev/myzero | wc -c; echo x >/dev/myzero && echo wrote'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 5 ]
	[ "${lines[1]}" = wrote ]
	# /dev/fuse is outside the devices every container may use, so only
	# the rule --device adds lets it be opened, and only as it says.
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	run silo run --rm --device /dev/fuse:/dev/f "$BB" sh -c 'exec 3</dev/f && echo read-open; exec 4>/dev/f && echo write-open'
	[ "$output" = "read-open
write-open" ]
	run silo run --rm --device /dev/fuse:/dev/f:r "$BB" sh -c 'exec 3</dev/f && echo read-open; exec 4>/dev/f && echo write-open'
	[[ "${lines[0]}" = read-open ]]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" != *write-open* ]]
	run silo run --rm --device /etc/passwd "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not a device"* ]]
	run silo run --rm --device /dev/nosuch "$BB" true
	[ "$status" -eq 125 ]
	run silo ps -aq
	[ -z "$output" ]
}

@test "--pid, --ipc and --uts host share the host's namespaces" {
	run silo run --rm --pid host --ipc host --uts host "$BB" sh -c \
		'for ns in pid ipc uts; do readlink /proc/self/ns/$ns; done; hostname; [ -d /proc/1 ] && cat /proc/1/comm'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/self/ns/pid)" ]
	[ "${lines[1]}" = "$(readlink /proc/self/ns/ipc)" ]
	[ "${lines[2]}" = "$(readlink /proc/self/ns/uts)" ]
	[ "${lines[3]}" = "$(hostname)" ]
	[ "${lines[4]}" = "$(cat /proc/1/comm)" ]
	run silo run --rm "$BB" readlink /proc/self/ns/pid
	[ "$output" != "$(readlink /proc/self/ns/pid)" ]
	run silo run --rm --pid container:x "$BB" true
	[ "$status" -eq 125 ]
}

@test "-l and --label are kept in the record and shown by inspect, on top of the image's" {
	silo create --name labelled -l a=1 --label b=two -l c "$BB" true >/dev/null
	run silo inspect labelled
	[ "$(echo "$output" | jq -c '.[0].Config.Labels')" = '{"a":"1","b":"two","c":""}' ]
	silo rm labelled
}
