#!/usr/bin/env bats
# Detached containers under their monitor, and the commands after start:
# ps, logs, exec, stop, kill, rm, wait, inspect.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "run -d prints the ID and returns while the container runs under its monitor" {
	run silo run -d --name bg "$BB" sleep 100
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	[ "$(container_status bg)" = running ]
	pid=$(silo inspect bg | jq -r '.[0].State.Pid')
	monitor=$(silo inspect bg | jq -r '.[0].State.MonitorPid')
	# The monitor is the init's parent, in a session of its own.
	[ "$(awk '{print $4}' /proc/"$pid"/stat)" = "$monitor" ]
	[ "$(ps -o sid= -p "$monitor" | tr -d ' ')" = "$monitor" ]
	grep -q "$id/bundle/rootfs" /proc/self/mountinfo
	run silo ps
	[[ "${lines[1]}" == "${id:0:12}"*"Up "*bg ]]
	run silo ps -q
	[ "$output" = "${id:0:12}" ]
}

@test "logs shows what the container wrote, as JSON lines in its directory" {
	silo run -d --name talk "$BB" sh -c 'echo one; echo two >&2; echo three'
	silo wait talk
	run --separate-stderr silo logs talk
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'one\nthree')" ]
	[ "$stderr" = two ]
	id=$(silo inspect talk | jq -r '.[0].Id')
	jq -e -s '.[0].log == "one\n" and .[0].stream == "stdout" and (.[0].time | test("Z$"))' \
		"$ENGINE_STORE/root/containers/$id/container.log"
}

@test "logs -f follows until the container exits" {
	silo run -d --name follow "$BB" sh -c 'echo a; sleep 1; echo b'
	run timeout 20 "$SILO" --root "$ENGINE_STORE/root" logs -f follow
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\nb')" ]
}

@test "wait prints the exit code, and the record keeps it with the times" {
	silo run -d --name w "$BB" sh -c 'sleep 0.3; exit 42'
	run silo wait w
	[ "$output" = 42 ]
	run silo inspect w
	[ "$(jq -r '.[0].State.Status' <<<"$output")" = exited ]
	[ "$(jq -r '.[0].State.ExitCode' <<<"$output")" = 42 ]
	[[ "$(jq -r '.[0].State.FinishedAt' <<<"$output")" == 20* ]]
	run silo ps -a
	[[ "$output" == *"Exited (42)"* ]]
	run silo ps
	[ "${#lines[@]}" -eq 1 ]
}

@test "stop sends the image's StopSignal, then SIGKILL after -t seconds" {
	# cfg's StopSignal is SIGUSR1: a trap for it makes a clean exit.
	silo run -d --name polite --entrypoint sh "$CFG" -c 'trap "exit 3" USR1; while :; do sleep 0.1; done'
	run silo stop polite
	[ "$status" -eq 0 ]
	[ "$output" = polite ]
	[ "$(silo inspect polite | jq -r '.[0].State.ExitCode')" = 3 ]
	# As PID 1 without a handler, sleep ignores SIGTERM: SIGKILL ends it.
	silo run -d --name stubborn "$BB" sleep 100
	start=$(date +%s)
	silo stop -t 1 stubborn
	[ $(($(date +%s) - start)) -lt 5 ]
	[ "$(silo inspect stubborn | jq -r '.[0].State.ExitCode')" = 137 ]
	! grep -q "$ENGINE_STORE/.*/bundle/rootfs" /proc/self/mountinfo
}

@test "--stop-signal and --stop-timeout replace the image's and stop's defaults" {
	silo run -d --name sig --stop-signal SIGHUP "$CFG" 'trap "exit 8" HUP; while :; do sleep 0.1; done'
	sleep 0.3
	silo stop sig
	[ "$(silo inspect sig | jq -r '.[0].State.ExitCode')" = 8 ]
	[ "$(silo inspect sig | jq -r '.[0].Config.StopSignal')" = SIGHUP ]
	silo run -d --name quick --stop-timeout 1 "$BB" sleep 100
	start=$(date +%s)
	silo stop quick
	[ $(($(date +%s) - start)) -lt 5 ]
	[ "$(silo inspect quick | jq -r '.[0].State.ExitCode')" = 137 ]
	run silo run --rm --stop-signal NOSUCH "$BB" true
	[ "$status" -eq 125 ]
}

@test "kill sends a signal, KILL by default" {
	silo run -d --name k "$BB" sh -c 'trap "exit 9" HUP; while :; do sleep 0.1; done'
	sleep 0.3
	silo kill -s HUP k
	[ "$(silo wait k)" = 9 ]
	silo run -d --name k2 "$BB" sleep 100
	silo kill k2
	[ "$(silo wait k2)" = 137 ]
	run silo kill k2
	[ "$status" -ne 0 ]
	[[ "$output" == *"is not running"* ]]
}

@test "rm refuses a running container; rm -f kills and removes everything" {
	id=$(silo run -d --name busy "$BB" sleep 100)
	[ -n "$(find /sys/fs/cgroup -maxdepth 4 -name "*$id")" ]
	run silo rm busy
	[ "$status" -ne 0 ]
	[[ "$output" == *"is running"* ]]
	run silo rm -f busy
	[ "$status" -eq 0 ]
	[ ! -e "$ENGINE_STORE/root/containers/$id" ]
	[ ! -e "$SILO_RUNTIME_ROOT/$id" ]
	! grep -q "$id" /proc/self/mountinfo
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "*$id")" ]
}

@test "run -d --rm: the monitor removes the container when it exits" {
	id=$(silo run -d --rm "$BB" sh -c 'sleep 0.2')
	wait_until test ! -e "$ENGINE_STORE/root/containers/$id"
	[ -z "$(silo ps -aq)" ]
}

@test "exec runs a command in the running container, with -e, -u, -w and its exit status" {
	silo run -d --name ex "$CFG" 'sleep 100'
	run silo exec ex sh -c 'echo $GREETING; pwd; id -u; hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hi ]
	[ "${lines[1]}" = /home/user ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = "$(silo inspect ex | jq -r '.[0].Id' | cut -c1-12)" ]
	run silo exec -e GREETING=yo -u root -w /tmp ex sh -c 'echo $GREETING; pwd; id -u; exit 5'
	[ "$status" -eq 5 ]
	[ "${lines[0]}" = yo ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 0 ]
	run -127 silo exec ex no-such-command
	run sh -c "echo piped | \"$SILO\" --root \"$ENGINE_STORE/root\" exec -i ex cat"
	[ "$output" = piped ]
	run silo exec -t ex tty
	[ "$status" -eq 0 ]
	[[ "$output" == /dev/pts/* ]]
	silo exec -d ex sh -c 'echo detached >/tmp/marker'
	wait_until silo exec ex test -s /tmp/marker
	[ "$(silo exec ex cat /tmp/marker)" = detached ]
	silo rm -f ex
	run silo exec ex true
	[ "$status" -ne 0 ]
}

@test "inspect shows docker's shape: State, Config, HostConfig" {
	silo run -d --name insp -e X=1 "$BB" sleep 100
	run silo inspect insp
	[ "$status" -eq 0 ]
	jq -e '.[0] | .State.Running == true and .State.Status == "running" and (.State.Pid > 0)
		and .Name == "/insp" and .Config.Cmd == ["sleep", "100"] and (.Config.Env | index("X=1"))
		and .HostConfig.NetworkMode == "bridge" and .HostConfig.AutoRemove == false
		and (.Image | startswith("sha256:"))' <<<"$output"
}

@test "a monitor killed with SIGKILL leaves a container that ps shows truthfully and rm -f cleans up" {
	id=$(silo run -d --name orphan "$BB" sleep 100)
	monitor=$(silo inspect orphan | jq -r '.[0].State.MonitorPid')
	kill -9 "$monitor"
	# The container itself still runs.
	[ "$(container_status orphan)" = running ]
	silo kill orphan
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect orphan | jq -r '.[0].State.Status')\" = exited ]"
	run silo ps -a
	[[ "$output" == *Exited*orphan* ]]
	! grep -q "$id" /proc/self/mountinfo
	silo rm orphan
}

@test "commands name a missing container the way docker does" {
	for cmd in logs stop kill rm wait inspect; do
		run silo "$cmd" nosuch
		[ "$status" -ne 0 ]
		[[ "$output" == *"No such container: nosuch"* ]]
	done
}

@test "what a killed silo left halfway (.new-, .removing-) is cleaned up by the next run" {
	mkdir -p "$ENGINE_STORE/root/containers/.new-0123" "$ENGINE_STORE/root/containers/.removing-4567/upper"
	run silo ps -aq
	[ -z "$output" ]
	silo run --rm "$BB" true
	[ ! -e "$ENGINE_STORE/root/containers/.new-0123" ]
	[ ! -e "$ENGINE_STORE/root/containers/.removing-4567" ]
}
