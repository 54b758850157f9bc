#!/usr/bin/env bats
# create, start and restart: a container made without running, started
# (again) in the background or attached, and restarted.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "create prints the ID and leaves a container created: nothing runs, nothing is mounted; start runs it" {
	run silo create --name made "$BB" sh -c 'echo hi; sleep 100'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	[ "$(container_status made)" = created ]
	run silo ps -a
	[[ "${lines[1]}" == "${id:0:12}"*"Created"*made ]]
	[ -z "$(silo ps -q)" ]
	! grep -q "$ENGINE_STORE/root/containers/$id" /proc/self/mountinfo
	[ -z "$(ls -A "$SILO_RUNTIME_ROOT")" ]
	[ -f "$ENGINE_STORE/root/containers/$id/bundle/config.json" ]
	run silo start made
	[ "$status" -eq 0 ]
	[ "$output" = made ]
	[ "$(container_status made)" = running ]
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs made | grep -q hi"
	pid=$(silo inspect made | jq -r '.[0].State.Pid')
	[ "$(cat /proc/"$pid"/comm)" = sleep ]
	# Starting what runs is nothing to do.
	run silo start made
	[ "$status" -eq 0 ]
	[ "$(silo inspect made | jq -r '.[0].State.Pid')" = "$pid" ]
	silo rm -f made
}

@test "start -a attaches and exits with the container's status; an exited container starts again and keeps its changes" {
	silo create --name again "$BB" sh -c 'echo run >>/counter; wc -l </counter; exit 3' >/dev/null
	run silo start -a again
	[ "$status" -eq 3 ]
	[ "$output" = 1 ]
	[ "$(container_status again)" = exited ]
	run silo start -a again
	[ "$status" -eq 3 ]
	[ "$output" = 2 ]
	run silo start again
	[ "$output" = again ]
	[ "$(silo wait again)" = 3 ]
	run silo logs again
	[ "$output" = "$(printf '1\n2\n3')" ]
	[ "$(silo inspect again | jq -r '.[0].State.Error')" = "" ]
	silo rm again
}

@test "start -i gives a container created with -i our stdin" {
	silo create -i --name reader "$BB" sh -c 'read line; echo "got $line"' >/dev/null
	run sh -c "echo piped | \"$SILO\" --root \"$ENGINE_STORE/root\" start -ai reader"
	[ "$status" -eq 0 ]
	[ "$output" = "got piped" ]
	run silo start -a reader extra
	[ "$status" -eq 125 ]
	[[ "$output" == *"cannot start and attach multiple containers"* ]]
	silo rm reader
}

@test "restart stops and starts a container: a new process in the same container" {
	silo run -d --name rs "$BB" sh -c 'date +%s%N >>/starts; sleep 100' >/dev/null
	pid=$(silo inspect rs | jq -r '.[0].State.Pid')
	started=$(silo inspect rs | jq -r '.[0].State.StartedAt')
	run silo restart -t 1 rs
	[ "$status" -eq 0 ]
	[ "$output" = rs ]
	[ "$(container_status rs)" = running ]
	[ "$(silo inspect rs | jq -r '.[0].State.Pid')" != "$pid" ]
	[ "$(silo inspect rs | jq -r '.[0].State.StartedAt')" != "$started" ]
	[ ! -e /proc/"$pid" ] || [ "$(cat /proc/"$pid"/comm)" != sleep ]
	[ "$(silo exec rs sh -c 'wc -l </starts')" = 2 ]
	# An exited container is just started.
	silo stop -t 0 rs >/dev/null
	silo restart rs >/dev/null
	[ "$(container_status rs)" = running ]
	[ "$(silo exec rs sh -c 'wc -l </starts')" = 3 ]
	silo rm -f rs
}

@test "create takes run's flags; bad ones exit 125 and leave nothing; -d is run's only" {
	silo create --name flags -e A=from-env -w /tmp -v cvol:/data "$BB" sh -c 'echo "$A $(pwd)" >/data/a' >/dev/null
	run silo start -a flags
	[ "$status" -eq 0 ]
	[ "$(cat "$ENGINE_STORE/root/volumes/cvol/_data/a")" = "from-env /tmp" ]
	silo rm flags
	silo volume rm cvol
	for args in "-v data:rel" "--tmpfs /x:bogus" "--network nosuch" "-d" "--pull never $REGISTRY/silo/nosuch:latest"; do
		# shellcheck disable=SC2086
		run silo create $args "$BB" true
		[ "$status" -eq 125 ] || fail "create $args: status $status"
	done
	[ -z "$(silo ps -aq)" ]
	[ -z "$(silo volume ls -q)" ]
	run silo start nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such container: nosuch"* ]]
}

@test "a started container on the default bridge gets its network each time it starts" {
	silo create --name net "$BB" sh -c 'ip -o -4 addr show eth0 | wc -l; ip route | grep -c default' >/dev/null
	run silo start -a net
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n1')" ]
	run silo start -a net
	[ "$output" = "$(printf '1\n1')" ]
	[ -z "$(ip -o link show type veth)" ]
	silo rm net
}

@test "a start that fails is recorded with its error and leaves nothing running" {
	silo create --name broken "$BB" no-such-command >/dev/null
	run -127 silo start -a broken
	[[ "$output" == *"executable file not found"* ]]
	[ "$(container_status broken)" = exited ]
	[[ "$(silo inspect broken | jq -r '.[0].State.Error')" == *"not found"* ]]
	run silo start broken
	[ "$status" -eq 1 ]
	[ -z "$(ls -A "$SILO_RUNTIME_ROOT")" ]
	silo rm broken
}

@test "start of a created container goes over the init's socket pair: no exec socket, and its failure statuses stay" {
	command -v strace >/dev/null || skip "strace is not installed"
	silo create --name pair --network none "$BB" echo started >/dev/null
	[ -z "$(ls -A "$SILO_RUNTIME_ROOT")" ]
	run strace -f -qq -e trace=bind,connect -o "$BATS_TEST_TMPDIR/strace" \
		"$SILO" --root "$ENGINE_STORE/root" start -a pair
	[ "$status" -eq 0 ]
	[ "$output" = started ]
	! grep -q "$SILO_RUNTIME_ROOT" "$BATS_TEST_TMPDIR/strace" ||
		fail "an exec socket was used: $(cat "$BATS_TEST_TMPDIR/strace")"
	[ "$(container_status pair)" = exited ]
	silo create --name missing --network none "$BB" no-such-command >/dev/null
	run -127 silo start -a missing
	[[ "$output" == *"executable file not found"* ]]
	[ "$(container_status missing)" = exited ]
	[ -z "$(ls -A "$SILO_RUNTIME_ROOT")" ]
	silo rm pair missing
}

@test "a start right after a stop waits for the old monitor to finish, and does not say the container runs" {
	id=$(silo run -d --name quick "$BB" sleep 100)
	dir=$ENGINE_STORE/root/containers/$id
	# An attach client that never hangs up: the monitor, having recorded
	# the exit, waits about a second for it, holding its lock.
	python3 -c '
import os, socket, sys, time
os.chdir(sys.argv[1])
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("attach.sock")
print("connected", flush=True)
time.sleep(5)' "$dir" >"$BATS_TEST_TMPDIR/client" &
	client=$!
	wait_until grep -q connected "$BATS_TEST_TMPDIR/client"
	silo stop -t 1 quick >/dev/null
	run silo start quick
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(silo inspect quick | jq -r '.[0].State.Status')" = running ]
	kill "$client" 2>/dev/null || true
	wait "$client" 2>/dev/null || true
	silo rm -f quick >/dev/null
}
