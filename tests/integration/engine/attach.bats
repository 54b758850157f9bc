#!/usr/bin/env bats
# attach and run -it: a client of the container's monitor that sees its live
# output, gives it stdin, passes window sizes and signals on, detaches with
# the detach keys and exits with the container. Terminals are driven by
# tests/tools/ptydrive.py (python3's pty module).

bats_require_minimum_version 1.5.0

load helpers

PTYDRIVE="python3 $SILO_SOURCE_DIR/tests/tools/ptydrive.py"

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() {
	# Clients a failed test left behind go before the containers do.
	local job
	for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
	engine_teardown
}

# A container that prints "tick" until /stop appears in it, then "bye" on
# stderr, and exits 7.
run_ticker() {
	silo run -d --name "$1" "$BB" sh -c \
		'while [ ! -e /stop ]; do echo tick; sleep 0.1; done; echo bye >&2; exit 7' >/dev/null
}

@test "attach sees the live output of a detached container, stdout and stderr apart, and exits with its code" {
	run_ticker live
	"$SILO" --root "$ENGINE_STORE/root" attach live >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	wait_until grep -q tick "$BATS_TEST_TMPDIR/out"
	silo exec live touch /stop
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 7 ]
	grep -q tick "$BATS_TEST_TMPDIR/out"
	! grep -q bye "$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = bye ]
	[ "$(container_status live)" = exited ]
}

@test "two clients attach at once and both see the output and the exit" {
	run_ticker two
	"$SILO" --root "$ENGINE_STORE/root" attach two >"$BATS_TEST_TMPDIR/out1" 2>&1 &
	local pid1=$!
	"$SILO" --root "$ENGINE_STORE/root" attach --no-stdin two >"$BATS_TEST_TMPDIR/out2" 2>&1 &
	local pid2=$!
	wait_until grep -q tick "$BATS_TEST_TMPDIR/out1"
	wait_until grep -q tick "$BATS_TEST_TMPDIR/out2"
	silo exec two touch /stop
	local rc1=0 rc2=0
	wait "$pid1" || rc1=$?
	wait "$pid2" || rc2=$?
	[ "$rc1" -eq 7 ]
	[ "$rc2" -eq 7 ]
	grep -q bye "$BATS_TEST_TMPDIR/out1"
	grep -q bye "$BATS_TEST_TMPDIR/out2"
}

@test "stdin of attach reaches a container started with -d -i" {
	silo run -di --name in "$BB" sh -c 'read line; echo "got:$line"; read more; echo "then:$more"; exit 3' >/dev/null
	# Our EOF leaves its stdin open: a second client can write to it.
	run sh -c "echo hello | \"$SILO\" --root \"$ENGINE_STORE/root\" attach in >/dev/null & sleep 1; echo again | \"$SILO\" --root \"$ENGINE_STORE/root\" attach in; rc=\$?; wait; exit \$rc"
	[ "$status" -eq 3 ]
	[[ "$output" == *then:again* ]]
	run silo logs in
	[[ "$output" == *got:hello*then:again* ]]
}

@test "without -i the container's stdin is empty and attach's input goes nowhere" {
	silo run -d --name noin "$BB" sh -c 'if read line; then echo "read:$line"; else echo eof; fi; sleep 0.5; exit 2' >/dev/null
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs noin | grep -q eof"
	run sh -c "echo data | \"$SILO\" --root \"$ENGINE_STORE/root\" attach noin"
	[ "$status" -eq 2 ]
	[[ "$output" != *read:* ]]
}

@test "the default detach keys (ctrl-p ctrl-q) leave a -i container running" {
	silo run -di --name dk "$BB" cat >/dev/null
	run --separate-stderr sh -c "(printf 'abc\n'; sleep 0.5; printf '\020\021'; sleep 5) | \"$SILO\" --root \"$ENGINE_STORE/root\" attach dk"
	[ "$status" -eq 0 ]
	[ "$output" = abc ]
	[ "$stderr" = "read escape sequence" ]
	[ "$(container_status dk)" = running ]
	# It still reads what the next client types.
	run sh -c "(printf 'def\n'; sleep 0.5; printf '\020\021') | \"$SILO\" --root \"$ENGINE_STORE/root\" attach dk 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "$output" = def ]
}

@test "--detach-keys ctrl-a,d detaches; a part of the sequence reaches the container" {
	silo run -di --name custom "$BB" sh -c 'read -r line; printf "%s" "$line" | od -c; sleep 100' >/dev/null
	# ctrl-a then x is no detach: both bytes go to the container. ctrl-p
	# ctrl-q are plain input now.
	run sh -c "(printf '\001x\020\021\n'; sleep 0.5; printf '\001d'; sleep 5) | \"$SILO\" --root \"$ENGINE_STORE/root\" attach --detach-keys ctrl-a,d custom"
	[ "$status" -eq 0 ]
	[[ "$output" == *'001   x 020 021'* ]]
	[[ "$output" == *"read escape sequence"* ]]
	[ "$(container_status custom)" = running ]
}

@test "a bad --detach-keys is refused, naming the flag and the value, and leaves nothing" {
	run_ticker bad
	run silo attach --detach-keys ctrl-xx bad
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --detach-keys "ctrl-xx"'* ]]
	[ "${#lines[@]}" -eq 1 ]
	run silo attach --detach-keys 'a,,b' bad
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --detach-keys "a,,b"'* ]]
	run silo run --rm -it --detach-keys ctrl-1 --name never "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --detach-keys "ctrl-1"'* ]]
	run silo inspect never
	[ "$status" -ne 0 ]
	[ "$(container_status bad)" = running ]
}

@test "attach to a container that does not run is a clear error" {
	silo create --name made "$BB" true >/dev/null
	run silo attach made
	[ "$status" -eq 1 ]
	[ "$output" = "silo attach: You cannot attach to a stopped container made, start it first" ]
	silo run --name ended "$BB" true
	run silo attach ended
	[ "$status" -eq 1 ]
	[[ "$output" == *"You cannot attach to a stopped container ended"* ]]
	run silo attach nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such container: nosuch"* ]]
}

@test "attach to a -t container: the terminal's input, its size and its changes, and ctrl-p ctrl-q" {
	silo run -dit --name term "$BB" sh >/dev/null
	run $PTYDRIVE --rows 30 --cols 100 \
		'send:echo hi-$((6*7))\r' expect:hi-42 \
		'send:stty size\r' 'expect:30 100' \
		resize:40,120 'send:stty size\r' 'expect:40 120' \
		'send:\x10\x11' 'expect:read escape sequence' \
		-- "$SILO" --root "$ENGINE_STORE/root" attach term
	[ "$status" -eq 0 ]
	[ "$(container_status term)" = running ]
	run $PTYDRIVE 'send:tty; exit 5\r' -- "$SILO" --root "$ENGINE_STORE/root" attach term
	[ "$status" -eq 5 ]
	[[ "$output" == */dev/pts/* ]]
	[ "$(container_status term)" = exited ]
}

@test "run -it: the terminal, its size, and ctrl-p ctrl-q leave the container running" {
	run $PTYDRIVE --rows 33 --cols 90 \
		'send:tty; stty size\r' 'expect:33 90' \
		resize:20,70 'send:stty size\r' 'expect:20 70' \
		'send:\x10\x11' 'expect:read escape sequence' \
		-- "$SILO" --root "$ENGINE_STORE/root" run -it --name rit "$BB" sh
	[ "$status" -eq 0 ]
	[[ "$output" == */dev/pts/* ]]
	[ "$(container_status rit)" = running ]
	run $PTYDRIVE 'send:exit 4\r' -- "$SILO" --root "$ENGINE_STORE/root" attach rit
	[ "$status" -eq 4 ]
}

@test "run -it exits with the container's code, --rm removes it first, and the output is all there" {
	run $PTYDRIVE -- "$SILO" --root "$ENGINE_STORE/root" run --rm -it --name quick "$BB" sh -c 'echo early; exit 3'
	echo "status=$status output=$output"; [ "$status" -eq 3 ]
	[[ "$output" == *early* ]]
	run silo inspect quick
	[ "$status" -ne 0 ]
}

@test "run -it --detach-keys, and the signals silo gets go to the container" {
	run $PTYDRIVE 'send:stty -echo; echo ready\r' expect:ready 'send:\x18' 'expect:read escape sequence' \
		-- "$SILO" --root "$ENGINE_STORE/root" run -it --detach-keys ctrl-x --name keys "$BB" sh
	[ "$status" -eq 0 ]
	[ "$(container_status keys)" = running ]
	silo rm -f keys >/dev/null
	run $PTYDRIVE 'expect:ready' signal:TERM -- "$SILO" --root "$ENGINE_STORE/root" run -it --name sig "$BB" \
		sh -c 'trap "echo got-term; exit 6" TERM; echo ready; while :; do sleep 0.1; done'
	[ "$status" -eq 6 ]
	[[ "$output" == *got-term* ]]
}

# A background job starts with SIGINT ignored: the client takes it back.
@test "attach passes SIGINT on to a non-tty container; --sig-proxy=false does not" {
	silo run -d --name prox "$BB" sh -c 'trap "echo got-int; exit 9" INT; while :; do echo tick; sleep 0.1; done' >/dev/null
	"$SILO" --root "$ENGINE_STORE/root" attach --sig-proxy=false prox >"$BATS_TEST_TMPDIR/quiet" 2>&1 &
	local quiet=$!
	"$SILO" --root "$ENGINE_STORE/root" attach prox >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_until grep -q tick "$BATS_TEST_TMPDIR/out"
	wait_until grep -q tick "$BATS_TEST_TMPDIR/quiet"
	kill -TERM "$quiet"
	local rc=0
	wait "$quiet" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(container_status prox)" = running ]
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 9 ]
	grep -q got-int "$BATS_TEST_TMPDIR/out"
	run silo attach --sig-proxy=maybe prox
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --sig-proxy "maybe"'* ]]
}

@test "start -ai of a -it container attaches through the monitor; the terminal is cooked again after run -it" {
	silo create -it --name st "$BB" sh -c 'read line; echo "got:$line"; exit 6' >/dev/null
	run $PTYDRIVE 'send:typed\r' expect:got:typed -- "$SILO" --root "$ENGINE_STORE/root" start -ai st
	[ "$status" -eq 6 ]
	[ "$(container_status st)" = exited ]
	run $PTYDRIVE -- sh -c "stty -a | grep -o ' -*icanon'; \"$SILO\" --root \"$ENGINE_STORE/root\" run --rm -it \"$BB\" sh -c 'stty -a' | grep -o ' -*icanon'; stty -a | grep -o ' -*icanon'"
	[ "$status" -eq 0 ]
	# Ours before and after; the container's own terminal is cooked too.
	[ "$(echo "$output" | tr -d '\r' | tr '\n' ,)" = " icanon, icanon, icanon," ]
}

@test "a container whose monitor is a foreground run takes no attach clients" {
	"$SILO" --root "$ENGINE_STORE/root" run --name fg "$BB" sh -c 'echo up; sleep 30' >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_until grep -q up "$BATS_TEST_TMPDIR/out"
	run silo attach fg
	[ "$status" -eq 1 ]
	[[ "$output" == *"container fg takes no attach clients"* ]]
	silo rm -f fg >/dev/null
	wait "$pid" || true
}
