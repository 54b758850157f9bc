#!/usr/bin/env bats
# Commands on a container that exists: pause and unpause (the freezer),
# rename, update (live in the cgroup and saved for the next start), top
# (the host's ps on the container's processes), stats, and run --init.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

freezer_state() {
	cat "/sys/fs/cgroup/freezer/silo-$1/freezer.state" 2>/dev/null ||
		{ grep -q '^1$' "/sys/fs/cgroup/silo-$1/cgroup.freeze" && echo FROZEN || echo THAWED; }
}

# ------------------------------------------------------------ pause, unpause

@test "pause freezes every process of the container, unpause thaws them" {
	silo run -d --name p "$BB" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.1; done'
	id=$(silo inspect p | jq -r '.[0].Id')
	run silo pause p
	[ "$status" -eq 0 ]
	[ "$output" = p ]
	[ "$(freezer_state "$id")" = FROZEN ]
	[ "$(container_status p)" = paused ]
	[ "$(silo inspect p | jq -r '.[0].State.Paused')" = true ]
	[ "$(silo inspect p | jq -r '.[0].State.Running')" = true ]
	[[ "$(silo ps)" == *"(Paused)"*p* ]]
	# The counter stands still while frozen.
	pid=$(silo inspect p | jq -r '.[0].State.Pid')
	a=$(cat /proc/"$pid"/root/tmp/n)
	sleep 0.5
	[ "$(cat /proc/"$pid"/root/tmp/n)" = "$a" ]
	run silo exec p true
	[ "$status" -eq 125 ]
	[[ "$output" == *"paused"* ]]
	run silo pause p
	[ "$status" -eq 1 ]
	[[ "$output" == *"container p is already paused"* ]]
	run silo unpause p
	[ "$status" -eq 0 ]
	[ "$(freezer_state "$id")" = THAWED ]
	[ "$(container_status p)" = running ]
	[ "$(silo inspect p | jq -r '.[0].State.Paused')" = false ]
	wait_until sh -c "[ \"\$(cat /proc/$pid/root/tmp/n)\" != $a ]"
	run silo unpause p
	[ "$status" -eq 1 ]
	[[ "$output" == *"container p is not paused"* ]]
}

@test "stop, kill, rm -f and restart work on a paused container" {
	silo run -d --name s1 "$BB" sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
	silo pause s1
	run silo stop -t 10 s1
	[ "$status" -eq 0 ]
	# The trap ran: the stop signal reached the thawed shell, no SIGKILL.
	[ "$(silo inspect s1 | jq -r '.[0].State.ExitCode')" = 3 ]
	silo run -d --name k1 "$BB" sleep 100
	silo pause k1
	silo kill k1
	[ "$(silo wait k1)" = 137 ]
	silo run -d --name r1 "$BB" sleep 100
	silo pause r1
	run silo rm -f r1
	[ "$status" -eq 0 ]
	run silo inspect r1
	[ "$status" -ne 0 ]
	silo run -d --name re "$BB" sleep 100
	old=$(silo inspect re | jq -r '.[0].State.Pid')
	silo pause re
	run silo restart -t 1 re
	[ "$status" -eq 0 ]
	[ "$(container_status re)" = running ]
	[ "$(silo inspect re | jq -r '.[0].State.Pid')" != "$old" ]
}

@test "pause refuses a stopped container and an unknown one" {
	silo create --name c "$BB" true
	run silo pause c
	[ "$status" -eq 1 ]
	[[ "$output" == *"container c is not running"* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	run silo unpause c
	[[ "$output" == *"container c is not running"* ]]
	run silo pause nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such container: nosuch"* ]]
	run silo pause
	[ "$status" -eq 125 ]
}

# ------------------------------------------------------------------- rename

@test "rename changes the name of a running container, which keeps running" {
	silo run -d --name old "$BB" sleep 100
	id=$(silo inspect old | jq -r '.[0].Id')
	pid=$(silo inspect old | jq -r '.[0].State.Pid')
	run silo rename old new
	[ "$status" -eq 0 ]
	[ "$(silo inspect new | jq -r '.[0].Id')" = "$id" ]
	[ "$(silo inspect new | jq -r '.[0].Name')" = /new ]
	[ "$(silo inspect new | jq -r '.[0].State.Pid')" = "$pid" ]
	[ "$(container_status new)" = running ]
	run silo inspect old
	[ "$status" -ne 0 ]
	# The name is free again.
	silo create --name old "$BB" true
	silo stop new
	[ "$(container_status new)" = exited ]
}

@test "rename refuses a taken name, a bad name, and an unknown container" {
	silo create --name a "$BB" true
	silo create --name b "$BB" true
	run silo rename a b
	[ "$status" -eq 1 ]
	[[ "$output" == *'the container name "b" is already in use'* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	run silo rename a 'bad/name'
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid container name "bad/name"'* ]]
	run silo rename nosuch c
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such container: nosuch"* ]]
	run silo rename a
	[ "$status" -eq 125 ]
	[ "$(silo inspect a | jq -r '.[0].Name')" = /a ]
}

@test "concurrent renames to one name: exactly one wins" {
	local i
	for i in 1 2 3 4 5 6; do silo create --name "r$i" "$BB" true >/dev/null; done
	local pids=()
	for i in 1 2 3 4 5 6; do
		"$SILO" --root "$ENGINE_STORE/root" rename "r$i" same >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	[ "$(silo ps -a | grep -c ' same$')" -eq 1 ]
	[ "$(silo ps -a | grep -c ' r[1-6]$')" -eq 5 ]
}

@test "rename on a user-defined network: the peers' /etc/hosts lists the new name" {
	silo network create rnet >/dev/null
	silo run -d --name ra --network rnet "$BB" sleep 100
	silo run -d --name rb --network rnet "$BB" sleep 100
	silo exec rb cat /etc/hosts | grep -qw ra
	silo rename ra renamed
	run silo exec rb cat /etc/hosts
	grep -qw renamed <<<"$output"
	! grep -qw ra <<<"$output"
	silo rm -f renamed rb
	silo network rm rnet
}

# ------------------------------------------------------------------- update

@test "update changes the memory and pids limits of a running container live" {
	silo run -d --name u -m 64m "$BB" sleep 100
	run silo update -m 96m --memory-swap 200m --memory-reservation 32m --pids-limit 20 u
	[ "$status" -eq 0 ]
	[ "$output" = u ]
	run silo exec u cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/pids/pids.max
	[ "${lines[0]}" = $((96 << 20)) ]
	[ "${lines[1]}" = $((32 << 20)) ]
	[ "${lines[2]}" = 20 ]
	run silo inspect u
	[ "$(jq -r '.[0].HostConfig.Memory' <<<"$output")" = $((96 << 20)) ]
	[ "$(jq -r '.[0].HostConfig.MemorySwap' <<<"$output")" = $((200 << 20)) ]
	[ "$(jq -r '.[0].HostConfig.MemoryReservation' <<<"$output")" = $((32 << 20)) ]
	[ "$(jq -r '.[0].HostConfig.PidsLimit' <<<"$output")" = 20 ]
	# The next start has them too.
	silo restart -t 1 u
	run silo exec u cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	[ "${lines[0]}" = $((96 << 20)) ]
	[ "${lines[1]}" = 20 ]
}

@test "update --memory-swap alone is checked against the memory limit the container has" {
	silo run -d --name uw -m 64m "$BB" sleep 100
	run silo update --memory-swap 256m uw
	[ "$status" -eq 0 ]
	run silo exec uw sh -c 'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo none'
	[ "$output" = $((256 << 20)) ] || [ "$output" = none ]
	[ "$(silo inspect uw | jq -r '.[0].HostConfig.MemorySwap')" = $((256 << 20)) ]
	[ "$(silo inspect uw | jq -r '.[0].HostConfig.Memory')" = $((64 << 20)) ]
	run silo update --memory-swap 32m uw
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid --memory-swap"*"(67108864)"* ]]
	silo run -d --name un "$BB" sleep 100
	run silo update --memory-swap 256m un
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid --memory-swap: container un has no memory limit"* ]]
}

@test "update changes the cpu and cpuset limits live" {
	silo run -d --name uc "$BB" sleep 100
	run silo update --cpus 0.5 --cpu-shares 256 --cpuset-cpus 0 --cpuset-mems 0 uc
	[ "$status" -eq 0 ]
	run silo exec uc cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us \
		/sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpuset/cpuset.mems
	[ "${lines[0]}" = 50000 ]
	[ "${lines[1]}" = 100000 ]
	[ "${lines[2]}" = 256 ]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = 0 ]
	run silo inspect uc
	[ "$(jq -r '.[0].HostConfig.NanoCpus' <<<"$output")" = 500000000 ]
	[ "$(jq -r '.[0].HostConfig.CpuShares' <<<"$output")" = 256 ]
	[ "$(jq -r '.[0].HostConfig.CpusetCpus' <<<"$output")" = 0 ]
	[ "$(jq -r '.[0].HostConfig.CpusetMems' <<<"$output")" = 0 ]
}

@test "update of a stopped container changes only its record, used at the next start" {
	silo create --name us "$BB" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
	run silo update -m 48m --pids-limit 9 us
	[ "$status" -eq 0 ]
	[ "$(silo inspect us | jq -r '.[0].HostConfig.Memory')" = $((48 << 20)) ]
	run silo start -a us
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $((48 << 20)) ]
	[ "${lines[1]}" = 9 ]
}

@test "update --restart sets the policy the monitor applies at the next exit" {
	silo run -d --name ur "$BB" sh -c 'sleep 0.5; exit 1'
	run silo update --restart on-failure:2 ur
	[ "$status" -eq 0 ]
	[ "$(silo inspect ur | jq -r '.[0].HostConfig.RestartPolicy.Name')" = on-failure ]
	[ "$(silo inspect ur | jq -r '.[0].HostConfig.RestartPolicy.MaximumRetryCount')" = 2 ]
	wait_until sh -c "[ \"\$(\"$SILO\" --root \"$ENGINE_STORE/root\" inspect ur | jq -r '.[0].RestartCount')\" -ge 1 ]"
	silo stop ur
}

@test "update refuses bad values naming the flag, and leaves the container as it was" {
	silo run -d --name ub -m 64m "$BB" sleep 100
	local flag
	for flag in "--memory 10x" "-m 1k" "--cpus 0" "--cpu-shares 1" "--cpuset-cpus 9999" \
		"--cpuset-mems x" "--pids-limit x" "--memory-reservation 0" "--restart sometimes"; do
		# shellcheck disable=SC2086
		run silo update $flag ub
		[ "$status" -eq 125 ] || fail "$flag: status $status"
		[[ "$output" == *"${flag%% *}"* ]] || fail "$flag: $output"
		[ "$(echo "$output" | wc -l)" -eq 1 ] || fail "$flag: $output"
	done
	run silo update --memory 10x ub
	[[ "$output" == *'invalid --memory "10x"'* ]]
	run silo update ub
	[ "$status" -eq 125 ]
	run silo update -m 64m nosuch
	[[ "$output" == *"No such container: nosuch"* ]]
	silo run -d --rm --name urm "$BB" sleep 100
	run silo update --restart always urm
	[ "$status" -eq 1 ]
	[[ "$output" == *"--rm"* ]]
	run silo exec ub cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$output" = $((64 << 20)) ]
	silo rm -f urm
}

# ---------------------------------------------------------------------- top

@test "top lists the container's processes with ps -ef's columns" {
	silo run -d --name t "$BB" sh -c 'sleep 101 & sleep 102; echo'
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" top t | grep -q 'sleep 102'"
	run silo top t
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
	[ "${#lines[@]}" -eq 4 ] || fail "$output"
	[[ "$output" == *"sleep 101"* && "$output" == *"sleep 102"* && "$output" == *"sh -c"* ]]
	# Nothing of the host's: every PID listed is in the container's cgroup.
	id=$(silo inspect t | jq -r '.[0].Id')
	for pid in $(silo top t | awk 'NR > 1 {print $2}'); do
		grep -qx "$pid" "/sys/fs/cgroup/pids/silo-$id/cgroup.procs"
	done
	run silo top t -o pid,comm
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ PID\ +COMMAND ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "top refuses a stopped or unknown container, and ps options without a PID column" {
	silo create --name ts "$BB" true
	run silo top ts
	[ "$status" -eq 1 ]
	[[ "$output" == *"container ts is not running"* ]]
	run silo top nosuch
	[[ "$output" == *"No such container: nosuch"* ]]
	silo run -d --name tp "$BB" sleep 100
	run silo top tp -o comm
	[ "$status" -eq 1 ]
	[[ "$output" == *"PID column"* ]]
}

# -------------------------------------------------------------------- stats

@test "stats --no-stream shows the container's memory, pids and network" {
	silo run -d --name st -m 64m "$BB" sh -c 'sleep 100 & sleep 100 & wait'
	wait_until sh -c "[ \$(cat /sys/fs/cgroup/pids/silo-$(silo inspect st | jq -r '.[0].Id')/pids.current) -ge 3 ]"
	run silo stats --no-stream st
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == "$(silo inspect st | jq -r '.[0].Id' | cut -c1-12) "*" st "*" / 64MiB "*" 3" ]]
}

@test "stats --format json: one object per container, with the docker fields" {
	silo run -d --name sj "$BB" sh -c 'while :; do :; done'
	silo run -d --name sk --network none "$BB" sleep 100
	run silo stats --no-stream --format json --no-trunc
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	id=$(silo inspect sj | jq -r '.[0].Id')
	row=$(printf '%s\n' "${lines[@]}" | jq -c "select(.Name == \"sj\")")
	[ "$(jq -r .ID <<<"$row")" = "$id" ]
	[ "$(jq -r .Container <<<"$row")" = sj ]
	[ "$(jq -r .PIDs <<<"$row")" = 1 ]
	# A busy loop: most of a CPU.
	cpu=$(jq -r .CPUPerc <<<"$row")
	[ "${cpu%%.*}" -ge 30 ] || fail "CPU $cpu"
	[[ "$(jq -r .MemUsage <<<"$row")" == *" / "* ]]
	[[ "$(jq -r .NetIO <<<"$row")" =~ ^[0-9.]+[kMG]?B\ /\ [0-9.]+[kMG]?B$ ]]
	[[ "$(jq -r .BlockIO <<<"$row")" == *" / "* ]]
	# With no network but lo, no traffic.
	row=$(printf '%s\n' "${lines[@]}" | jq -c "select(.Name == \"sk\")")
	[ "$(jq -r .NetIO <<<"$row")" = "0B / 0B" ]
}

@test "stats counts the traffic of the container's network namespace" {
	silo run -d --name sn "$BB" sleep 100
	gateway=$(silo inspect sn | jq -r '.[0].NetworkSettings.Gateway')
	# 100 pings of 1000 bytes to the host side of its bridge, and back.
	silo exec sn ping -A -q -c 100 -s 1000 "$gateway" >/dev/null
	run silo stats --no-stream --format json sn
	[ "$status" -eq 0 ]
	net=$(jq -r .NetIO <<<"$output")
	[[ "$net" =~ ^10[0-9](\.[0-9]+)?kB\ /\ 10[0-9](\.[0-9]+)?kB$ ]] || fail "$net"
}

@test "stats -a lists stopped containers too; bad input is refused" {
	silo create --name sa "$BB" true
	run silo stats --no-stream
	[ "${#lines[@]}" -eq 1 ]
	run silo stats --no-stream -a
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == *" sa "*"0B / 0B"* ]]
	run silo stats --no-stream --format yaml
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --format "yaml"'* ]]
	run silo stats --no-stream nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such container: nosuch"* ]]
}

@test "stats without --no-stream refreshes every second" {
	silo run -d --name ss "$BB" sleep 100
	run timeout -s INT 3.5 "$SILO" --root "$ENGINE_STORE/root" stats --format json ss
	[ "$(grep -c '"Name":"ss"' <<<"$output")" -ge 2 ] || fail "$output"
}

# -------------------------------------------------------------------- --init

@test "--init runs silo-init as PID 1 with the command as its child" {
	run silo run --rm --init "$BB" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$; cat /proc/$$/stat | cut -d" " -f4'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/dev/init -- sh -c cat /proc/1/cmdline | tr \"\\0\" \" \"; echo; echo \$\$; cat /proc/\$\$/stat | cut -d\" \" -f4 " ]
	[ "${lines[1]}" -ne 1 ]
	[ "${lines[2]}" = 1 ]
	silo create --name ci --init "$BB" true
	[ "$(silo inspect ci | jq -r '.[0].HostConfig.Init')" = true ]
	[ "$(silo inspect ci | jq -r '.[0].Path')" = true ]
	silo create --name cn "$BB" true
	[ "$(silo inspect cn | jq -r '.[0].HostConfig.Init')" = false ]
	# Read-only: the container cannot change the host's init.
	run silo run --rm --init "$BB" sh -c 'echo x >/dev/init'
	[ "$status" -ne 0 ]
}

zombies() {
	silo exec "$1" sh -c 'grep -l zombie /proc/[0-9]*/status 2>/dev/null | wc -l'
}

@test "--init with -t: the command is the terminal's foreground process group" {
	# /proc/PID/stat: field 5 the process group, 8 the terminal's foreground group.
	run silo run --rm -t --init "$BB" sh -c 'tty; echo $$; cut -d" " -f5,8 /proc/$$/stat'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == /dev/pts/* ]]
	pid=$(tr -d '\r' <<<"${lines[1]}")
	[ "$(tr -d '\r' <<<"${lines[2]}")" = "$pid $pid" ]
}

@test "--init reaps the orphans the command leaves" {
	# The orphans' parent is PID 1; the command then becomes a sleep,
	# which never waits for anything.
	silo run -d --init --name z "$BB" sh -c 'for i in 1 2 3; do sh -c "sleep 0.2 &"; done; exec sleep 100'
	silo run -d --name nz "$BB" sh -c 'for i in 1 2 3; do sh -c "sleep 0.2 &"; done; exec sleep 100'
	sleep 1
	[ "$(zombies z)" = 0 ]
	# Without the init they stay zombies: the check can fail.
	[ "$(zombies nz)" = 3 ]
}

@test "--init forwards signals: stop runs the command's handler, and its code comes back" {
	silo run -d --init --name sig "$BB" sh -c \
		'for s in HUP INT USR1 USR2 WINCH; do trap "echo got-$s" $s; done
		 trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs sig | grep -q ready"
	local s
	for s in HUP INT USR1 USR2 WINCH; do
		silo kill -s "$s" sig >/dev/null
		wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs sig | grep -q got-$s" || fail "$s not forwarded"
	done
	[ "$(container_status sig)" = running ]
	silo stop -t 10 sig
	[ "$(silo inspect sig | jq -r '.[0].State.ExitCode')" = 7 ]
	run silo logs sig
	[[ "$output" == *got-TERM* ]]
}

@test "--init passes the exit code through, and 128+N for a signal" {
	run silo run --rm --init "$BB" sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run silo run --rm --init "$BB" sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	run -127 silo run --rm --init "$BB" /nonexistent
	[[ "$output" == *"/nonexistent"* ]]
}
