#!/usr/bin/env bats
# silo run in the foreground: output, exit status, isolation, the image's
# config (Entrypoint, Cmd, Env, WorkingDir, User) and the run flags.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "run --rm prints the output and removes the container" {
	run silo run --rm "$BB" echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	run silo ps -aq
	[ -z "$output" ]
}

@test "run passes the container's exit status through" {
	run silo run --rm "$BB" sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "run exits 127 for a missing command and 126 for one that cannot run" {
	run -127 silo run --rm "$BB" no-such-command
	[[ "$output" == *"executable file not found"* ]]
	run -126 silo run --rm "$BB" /etc/passwd
}

@test "run exits 125 for an engine error: unknown image, bad flag values" {
	run silo run --rm --pull never "$REGISTRY/silo/nosuch:latest" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"nosuch"* ]]
	run silo run --rm --network nosuch "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"network nosuch not found"* ]]
	run silo run --rm --pull sometimes "$BB" true
	[ "$status" -eq 125 ]
}

@test "run pulls a missing image" {
	local store=$ENGINE_STORE/pull-store
	run "$SILO" --root "$store" run --rm "$BB" echo pulled
	[ "$status" -eq 0 ]
	[[ "$output" == *"Unable to find image '$BB' locally"* ]]
	[[ "$output" == *pulled ]]
	"$SILO" --root "$store" images | grep -q silo/bb
	rm -rf "$store"
}

@test "the container has its own hostname (its short ID), PID 1, root and with --network none only loopback" {
	run silo run --name iso --network none "$BB" sh -c 'hostname; cat /etc/hostname; echo $HOSTNAME; echo $$; ls /sys/class/net; ls /'
	[ "$status" -eq 0 ]
	id=$(silo inspect iso | jq -r '.[0].Id')
	[ "${lines[0]}" = "${id:0:12}" ]
	[ "${lines[1]}" = "${id:0:12}" ]
	[ "${lines[2]}" = "${id:0:12}" ]
	[ "${lines[3]}" = 1 ]
	[ "${lines[4]}" = lo ]
	[[ "$output" == *etc* ]]
	silo rm iso
}

@test "/etc/hosts and /etc/resolv.conf are the container's own, bound from its directory" {
	run silo run --rm "$BB" sh -c 'cat /etc/hosts; grep -c nameserver /etc/resolv.conf || true'
	[ "$status" -eq 0 ]
	[[ "$output" == *"127.0.0.1	localhost"* ]]
	# The image's own files are untouched: the layer has no /etc/hosts.
	[ ! -e "$(layer_dir "$BB" 0 2>/dev/null)/etc/hosts" ]
}

@test "--network host shares the host's network namespace" {
	# ip, not /sys/class/net: a sysfs shows the namespace of whoever
	# mounted it, and the suite's own /sys is the machine's.
	run silo run --rm --network host "$BB" sh -c "ip -o link | cut -d: -f2 | sed 's/@.*//; s/ //g' | sort"
	[ "$status" -eq 0 ]
	[ "$output" = "$(ip -o link | cut -d: -f2 | sed 's/@.*//; s/ //g' | sort)" ]
}

@test "the root is writable, and changes stay in the container's upper directory" {
	run silo run --name w "$BB" sh -c 'echo changed >/etc/motd; rm /etc/group; cat /etc/motd'
	[ "$status" -eq 0 ]
	[ "$output" = changed ]
	id=$(silo inspect w | jq -r '.[0].Id')
	[ "$(cat "$ENGINE_STORE/root/containers/$id/upper/etc/motd")" = changed ]
	# The shared layer is untouched.
	chain=$(silo images --format json | jq -r --arg n "$BB" '.[] | select(.names | index("docker.io/" + $n) // index($n)) | .layers[0]' | head -1)
	[ -e "$ENGINE_STORE/root/layers/${chain#sha256:}/diff/etc/group" ]
	[ ! -e "$ENGINE_STORE/root/layers/${chain#sha256:}/diff/etc/motd" ]
	# Stopped: not mounted any more.
	! grep -q "$id/bundle/rootfs" /proc/self/mountinfo
	silo rm w
}

@test "the image's Entrypoint, Cmd, Env, WorkingDir and User are used" {
	run silo run --rm "$CFG"
	[ "$status" -eq 0 ]
	[ "$output" = from-cmd ]
	run silo run --rm "$CFG" 'echo $GREETING; pwd; id -u; id -g; id -G; echo $HOME'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hi ]
	[ "${lines[1]}" = /home/user ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
	[ "${lines[4]}" = "1000 10" ]
	[ "${lines[5]}" = /home/user ]
}

@test "-e, -w, -u and --entrypoint override the image" {
	run env FROM_HOST=passed "$SILO" --root "$ENGINE_STORE/root" run --rm -e GREETING=bye -e NEW=1 -e FROM_HOST \
		-e UNSET_ON_HOST -w /tmp -u nobody "$CFG" \
		'echo $GREETING $NEW $FROM_HOST; env | grep -c UNSET_ON_HOST; pwd; id -u'
	[ "${lines[0]}" = "bye 1 passed" ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = /tmp ]
	[ "${lines[3]}" = 65534 ]
	run silo run --rm -u 0:10 "$CFG" 'id -u; id -g'
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 10 ]
	run silo run --rm --entrypoint /bin/echo "$CFG" a b
	[ "$output" = "a b" ]
	# --entrypoint alone drops the image's Cmd.
	run silo run --rm --entrypoint /bin/true "$CFG"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "an unknown user or a relative working directory fails before anything runs" {
	run silo run --rm -u nosuchuser "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unable to find user nosuchuser"* ]]
	run silo run --rm -w relative "$BB" true
	[ "$status" -eq 125 ]
	run silo ps -aq
	[ -z "$output" ]
}

@test "docker's default capabilities, and rlimits within the host's" {
	run silo run --rm "$BB" sh -c 'grep CapBnd /proc/self/status; ulimit -n'
	[ "$status" -eq 0 ]
	# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
	# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
	[ "${lines[0]}" = "CapBnd:	00000000a80425fb" ]
	[ "${lines[1]}" -le "$(ulimit -Hn)" ]
}

@test "-i gives the container our stdin; without it, stdin is empty" {
	run sh -c "echo 'echo from-stdin; exit 4' | \"$SILO\" --root \"$ENGINE_STORE/root\" run --rm -i \"$BB\" sh"
	[ "$status" -eq 4 ]
	[ "$output" = from-stdin ]
	run sh -c "echo data | \"$SILO\" --root \"$ENGINE_STORE/root\" run --rm \"$BB\" cat"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-t gives the container a terminal" {
	run silo run --rm -t "$BB" sh -c 'tty; echo $TERM'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == /dev/pts/* ]]
	[[ "${lines[1]}" == xterm* ]]
}

@test "the foreground run logs too, and without --rm the container stays, exited" {
	run silo run --name kept "$BB" sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	run silo ps -a
	[[ "$output" == *"Exited (3)"*kept* ]]
	run silo logs kept
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
	silo rm kept
}

@test "names are unique, and IDs work in full and in short" {
	silo run --name uniq "$BB" true
	run silo run --name uniq "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'"uniq" is already in use'* ]]
	id=$(silo inspect uniq | jq -r '.[0].Id')
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]
	[ "$(silo inspect "${id:0:12}" | jq -r '.[0].Name')" = /uniq ]
	silo rm "${id:0:12}"
	run silo inspect uniq
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such container: uniq"* ]]
}

@test "the foreground run forwards SIGTERM to the container" {
	"$SILO" --root "$ENGINE_STORE/root" run --name fwd "$BB" \
		sh -c 'trap "echo got-term; exit 6" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_until grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 6 ]
	grep -q got-term "$BATS_TEST_TMPDIR/out"
	silo rm fwd
}

@test "concurrent runs with one name: exactly one gets it" {
	local i ok=0 pids=()
	for i in 1 2 3 4 5; do
		"$SILO" --root "$ENGINE_STORE/root" run --name same "$BB" true \
			>"$BATS_TEST_TMPDIR/r$i" 2>&1 &
		pids+=($!)
	done
	# Our own jobs only: bats runs a timer in the background.
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	for i in 1 2 3 4 5; do
		grep -q "already in use" "$BATS_TEST_TMPDIR/r$i" || ok=$((ok + 1))
	done
	[ "$ok" -eq 1 ]
	[ "$(silo ps -aq | wc -l)" -eq 1 ]
	silo rm same
}

@test "a start failure leaves an exited record with the error, and no mount" {
	run -127 silo run --name broken "$BB" no-such-command
	run silo inspect broken
	[ "$(jq -r '.[0].State.Status' <<<"$output")" = exited ]
	[ "$(jq -r '.[0].State.ExitCode' <<<"$output")" = 127 ]
	[[ "$(jq -r '.[0].State.Error' <<<"$output")" == *"executable file not found"* ]]
	! grep -q "$ENGINE_STORE/.*/bundle/rootfs" /proc/self/mountinfo
	silo rm broken
}

@test "-h sets the hostname; --help after IMAGE belongs to the container" {
	run silo run --rm -h web.local "$BB" sh -c 'hostname; cat /etc/hostname; grep -c web.local /etc/hosts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = web.local ]
	[ "${lines[1]}" = web.local ]
	[ "${lines[2]}" = 1 ]
	run silo run --rm "$BB" echo --help -h
	[ "$output" = "--help -h" ]
	run silo run --help
	[[ "${lines[0]}" == "Usage:  silo run"* ]]
	run silo run --rm -h -bad "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'--hostname "-bad"'* ]]
}

@test "--read-only makes the root read-only" {
	run silo run --rm --read-only "$BB" sh -c 'touch /etc/x 2>&1; echo rc=$?'
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"rc=1" ]]
}

@test "--env-file sets variables from a file, before -e; a missing file is one line and exit 125" {
	printf '# a comment\n\nA=from-file\nB=file\n  C=spaced\nPASSED\n' >"$BATS_TEST_TMPDIR/env"
	PASSED=ours run silo run --rm --env-file "$BATS_TEST_TMPDIR/env" -e B=flag "$BB" sh -c 'echo $A $B $C $PASSED'
	[ "$status" -eq 0 ]
	[ "$output" = "from-file flag spaced ours" ]
	run silo run --rm --env-file "$BATS_TEST_TMPDIR/nosuch" "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid --env-file \"$BATS_TEST_TMPDIR/nosuch\": No such file or directory"* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "run loads the engine module once, in the sealed copy, and starts the container over the init's socket pair" {
	command -v strace >/dev/null || skip "strace is not installed"
	run strace -f -qq -e trace=openat,execveat,bind,connect -o "$BATS_TEST_TMPDIR/strace" \
		"$SILO" --root "$ENGINE_STORE/root" run --rm --network none "$BB" echo ran
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	local trace=$BATS_TEST_TMPDIR/strace
	# The re-exec from the sealed copy comes first, the module only after.
	[ "$(grep -c 'execveat(' "$trace")" -eq 1 ]
	[ "$(grep -c 'silo-engine.so.* = [0-9]' "$trace")" -eq 1 ] ||
		fail "the module was opened more than once: $(grep silo-engine.so "$trace")"
	[ "$(grep -n -m1 'execveat(' "$trace" | cut -d: -f1)" -lt "$(grep -n -m1 'silo-engine.so' "$trace" | cut -d: -f1)" ]
	# No exec socket: nothing bound in the runtime's state, nothing connected to it.
	! grep -E 'bind\(|connect\(' "$trace" | grep -q "$SILO_RUNTIME_ROOT" ||
		fail "an exec socket was used: $(grep -E 'bind\(|connect\(' "$trace")"
}
