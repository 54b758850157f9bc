#!/usr/bin/env bats
# The detached monitor while its container runs: the static silo-monitor
# (engine/monitor_lean.h, src/monitor/silo-monitor.c), mapping no shared
# library, which still logs, serves attach clients, and hands back to the
# sealed copy of silo that records the exit and restarts.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

monitor_pid() {
	silo inspect "$1" | jq -r '.[0].State.MonitorPid'
}

# monitor_is_lean NAME: its monitor is the static silo-monitor next to the
# engine module, mapping no shared library (no libc.so, no engine module),
# and is still the parent of the container's init. (The monitor execs it
# just after it records the container running: callers wait for it.)
monitor_is_lean() {
	monitor_is_lean_in "$1" "$BUILD_DIR"
}

# monitor_is_lean_in NAME DIR: the same, with silo-monitor from DIR.
monitor_is_lean_in() {
	local monitor pid
	monitor=$(monitor_pid "$1")
	pid=$(silo inspect "$1" | jq -r '.[0].State.Pid')
	[ "$monitor" -gt 0 ] && [ -r "/proc/$monitor/maps" ] || return 1
	[ "$(readlink "/proc/$monitor/exe")" = "$(readlink -f "$2/silo-monitor")" ] || return 1
	[ "$(tr '\0' '\n' <"/proc/$monitor/cmdline" | head -n1)" = silo-monitor ] || return 1
	! grep -q -e '\.so' -e memfd "/proc/$monitor/maps" || return 1
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$monitor" ]
}

@test "a detached container's monitor is lean, logs, and records the exit" {
	silo run -d --name lean "$BB" sh -c 'echo one; echo two >&2; trap "exit 5" TERM; while :; do sleep 0.1; done' >/dev/null
	wait_until monitor_is_lean lean
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs lean 2>&1 | grep -q two"
	silo stop lean >/dev/null
	[ "$(container_status lean)" = exited ]
	[ "$(silo inspect lean | jq -r '.[0].State.ExitCode')" = 5 ]
	run silo logs lean
	[[ "$output" == *one*two* ]]
}

@test "the lean monitor restarts under the policy, lean again, and --rm still removes" {
	silo run -d --name again --restart always "$BB" sh -c 'echo run; sleep 0.3; exit 1' >/dev/null
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect again | jq -r '.[0].RestartCount')\" -ge 1 ]"
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect again | jq -r '.[0].State.Status')\" = running ]"
	wait_until monitor_is_lean again
	silo rm -f again >/dev/null
	id=$(silo run -d --rm "$BB" sh -c 'sleep 0.5; exit 2')
	wait_until sh -c "! \"$SILO\" --root \"$ENGINE_STORE/root\" inspect $id >/dev/null 2>&1"
}

@test "the lean monitor serves attach: input, output and the exit status" {
	silo run -di --name served "$BB" sh -c 'read line; echo "got:$line"; exit 4' >/dev/null
	wait_until monitor_is_lean served
	run sh -c "echo hi | \"$SILO\" --root \"$ENGINE_STORE/root\" attach served"
	[ "$status" -eq 4 ]
	[ "$output" = got:hi ]
}

@test "the static monitor rotates the log with max-size, and logs reads it all" {
	silo run -d --name rot --log-opt max-size=1k --log-opt max-file=20 "$BB" \
		sh -c 'sleep 0.5; i=0; while [ $i -lt 200 ]; do echo "line-$i"; i=$((i+1)); done; sleep 60' >/dev/null
	wait_until monitor_is_lean rot
	dir=$ENGINE_STORE/root/containers/$(silo inspect rot | jq -r '.[0].Id')
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs rot | grep -qx line-199"
	[ -e "$dir/container.log.1" ]
	for f in "$dir"/container.log*; do
		# A file passes max-size by at most one entry.
		[ "$(stat -c %s "$f")" -lt 1200 ]
	done
	run silo logs rot
	[ "${lines[0]}" = line-0 ]
	[ "${#lines[@]}" -eq 200 ]
	monitor_is_lean rot
	silo rm -f rot >/dev/null
}

@test "restarts keep the monitor's PID, and each run's monitor is static again" {
	silo run -d --name kept --restart always "$BB" sh -c 'echo run; sleep 0.5; exit 3' >/dev/null
	wait_until monitor_is_lean kept
	first=$(monitor_pid kept)
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect kept | jq -r '.[0].RestartCount')\" -ge 2 ]"
	wait_until monitor_is_lean kept
	[ "$(monitor_pid kept)" = "$first" ]
	# One jq on one inspect: the run and the back-off take turns fast.
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" inspect kept |
		jq -e '.[0].State.Status == \"restarting\" and .[0].State.ExitCode == 3' >/dev/null"
	[ "$(monitor_pid kept)" = "$first" ]
	run silo logs kept
	[ "$(grep -c '^run$' <<<"$output")" -ge 3 ]
	silo rm -f kept >/dev/null
}

@test "CVE-2019-5736: the monitor that restarts a container is a sealed copy again, and no descriptor of silo reaches the container" {
	# Each exit after a short run doubles the back-off: the resumed
	# monitor waits in it, long enough to be looked at.
	silo run -d --name sealed --restart always "$BB" sh -c 'sleep 0.2; exit 1' >/dev/null
	wait_until monitor_is_lean sealed
	pid=$(silo inspect sealed | jq -r '.[0].State.Pid')
	! ls -l "/proc/$pid/fd" | grep -q memfd
	monitor=$(monitor_pid sealed)
	# Between two runs the monitor is silo again: run from the memfd, with
	# every seal (it clones the next init), not from a binary on disk.
	run python3 -c '
import fcntl, os, sys, time
for _ in range(200):
    try:
        fd = os.open("/proc/%s/exe" % sys.argv[1], os.O_RDONLY)
    except OSError:
        sys.exit(2)
    if os.readlink("/proc/self/fd/%d" % fd).startswith("/memfd:silo"):
        print(fcntl.fcntl(fd, 1034) & 15)  # F_GET_SEALS: SEAL, SHRINK, GROW, WRITE
        sys.exit(0)
    os.close(fd)
    time.sleep(0.05)
sys.exit(1)' "$monitor"
	[ "$status" -eq 0 ]
	[ "$output" = 15 ]
	# silo-monitor holds no copy and no descriptor of silo (it makes a
	# new copy at the exit), nor does the container's init.
	wait_until monitor_is_lean sealed
	! ls -l "/proc/$monitor/fd" | grep -q -e memfd -e "$(readlink -f "$SILO")"
	pid=$(silo inspect sealed | jq -r '.[0].State.Pid')
	! ls -l "/proc/$pid/fd" | grep -q -e memfd -e silo
	silo rm -f sealed >/dev/null
}

@test "a SIGKILLed static monitor leaves a container ps shows truthfully and rm -f cleans" {
	silo run -d --name orphan "$BB" sleep 60 >/dev/null
	wait_until monitor_is_lean orphan
	monitor=$(monitor_pid orphan)
	pid=$(silo inspect orphan | jq -r '.[0].State.Pid')
	kill -9 "$monitor"
	wait_until sh -c "! [ -e /proc/$monitor/exe ]"
	# Its process runs on: ps says so, and nothing else.
	run silo ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == "orphan Up"* ]]
	kill -9 "$pid"
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect orphan | jq -r '.[0].State.Status')\" = exited ]"
	[ "$(silo inspect orphan | jq -r '.[0].State.ExitCode')" = 255 ]
	run silo ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == "orphan Exited (255)"* ]]
	silo rm -f orphan >/dev/null
	run silo inspect orphan
	[ "$status" -ne 0 ]
}

@test "without silo-monitor next to the engine module, the monitor is silo's own lean binary" {
	bin=$(mktemp -d "$BATS_TEST_TMPDIR/bin.XXXXXX")
	cp "$BUILD_DIR/silo" "$BUILD_DIR/silo-engine.so" "$bin/"
	"$bin/silo" --root "$ENGINE_STORE/root" run -d --name dynamic "$BB" sh -c 'echo hello; sleep 60' >/dev/null
	monitor=$(monitor_pid dynamic)
	wait_until sh -c "tr '\\0' '\\n' </proc/$monitor/cmdline | head -n1 | grep -qx silo-monitor"
	readlink "/proc/$monitor/exe" | grep -q '^/memfd:silo'
	! grep -q -e silo-engine -e libcurl "/proc/$monitor/maps"
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs dynamic | grep -qx hello"
	silo stop -t 1 dynamic >/dev/null
	[ "$(container_status dynamic)" = exited ]
	silo rm dynamic >/dev/null
	rm -rf "$bin"
}

@test "CVE-2019-5736: a SILO_EXE_SOURCE from the caller's environment is not what the monitor executes at the exit" {
	marker=$BATS_TEST_TMPDIR/ran
	printf '#!/bin/sh\ntouch %s\n' "$marker" >"$BATS_TEST_TMPDIR/fake"
	chmod +x "$BATS_TEST_TMPDIR/fake"
	SILO_EXE_SOURCE=$BATS_TEST_TMPDIR/fake silo run -d --name src "$BB" sh -c 'sleep 0.5; exit 7' >/dev/null
	wait_until monitor_is_lean src
	monitor=$(monitor_pid src)
	tr '\0' '\n' <"/proc/$monitor/environ" | grep -qx "SILO_EXE_SOURCE=$(readlink -f "$SILO")"
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect src | jq -r '.[0].State.Status')\" = exited ]"
	[ "$(silo inspect src | jq -r '.[0].State.ExitCode')" = 7 ]
	[ ! -e "$marker" ]
	silo rm src >/dev/null
}

@test "a silo binary gone by the container's exit: the monitor ends, and the next command records the exit" {
	bin=$(mktemp -d "$BATS_TEST_TMPDIR/bin.XXXXXX")
	cp "$BUILD_DIR/silo" "$BUILD_DIR/silo-engine.so" "$BUILD_DIR/silo-monitor" "$bin/"
	"$bin/silo" --root "$ENGINE_STORE/root" run -d --name gone "$BB" sh -c 'sleep 1; exit 0' >/dev/null
	wait_until monitor_is_lean_in gone "$bin"
	monitor=$(monitor_pid gone)
	rm "$bin/silo"
	wait_until sh -c "! [ -e /proc/$monitor/exe ]"
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect gone | jq -r '.[0].State.Status')\" = exited ]"
	[ "$(silo inspect gone | jq -r '.[0].State.ExitCode')" = 255 ]
	silo rm gone >/dev/null
	rm -rf "$bin"
}
