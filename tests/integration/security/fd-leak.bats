#!/usr/bin/env bats
# fd leak (CVE-2024-21626 and its kind): a descriptor the runtime's caller,
# or the runtime itself, left open in the container's init is a way out: a
# host directory there can be entered through /proc/PID/fd/N (process.cwd,
# or a process of the container allowed to ptrace the init). The spec
# allows the container stdin, stdout, stderr and the --preserve-fds, no
# more. This compares what the init holds, seen from the host, with that:
# once started, and already while created (when the init is still silo,
# waiting in the container's namespaces); and what an exec'd process holds,
# also while it is still silo in the container's namespaces (held there by
# a seccomp agent that never answers its last close_range).

load ../helpers

setup() {
	silo_setup
	setup_bundle
	HOST_DIR=$TEST_DIR/host-dir
	mkdir "$HOST_DIR"
	echo secret >"$HOST_DIR/secret"
}

teardown() {
	silo_teardown
}

# init_fds: "N -> TARGET" for each descriptor of $CID's init, seen from the host.
init_fds() {
	local pid fd
	pid=$(container_field "$CID" .pid)
	for fd in $(ls "/proc/$pid/fd" | sort -n); do
		echo "$fd -> $(readlink "/proc/$pid/fd/$fd")"
	done
}

# wait_exec: the init of $CID has become the container's process.
wait_exec() {
	local pid
	pid=$(container_field "$CID" .pid)
	wait_for eval '[[ "$(readlink "/proc/$pid/exe")" == */bin/busybox ]]'
}

@test "fd leak: the running init holds exactly stdin, stdout and stderr" {
	set_args sleep 30
	rt create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 \
		3>&- 7<"$HOST_DIR" 8<"$HOST_DIR/secret" 9>"$TEST_DIR/out"
	rt start "$CID" 7<"$HOST_DIR"
	wait_exec
	run init_fds
	assert_equal "$output" "0 -> /dev/null
1 -> /dev/null
2 -> /dev/null"
}

@test "fd leak: with --preserve-fds 2 the running init holds 0 to 4, 3 and 4 being the caller's" {
	set_args sleep 30
	rt create --preserve-fds 2 --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 \
		3<"$HOST_DIR/secret" 4>"$TEST_DIR/out" 5<"$HOST_DIR" 9<"$HOST_DIR"
	rt start "$CID"
	wait_exec
	run init_fds
	assert_equal "$output" "0 -> /dev/null
1 -> /dev/null
2 -> /dev/null
3 -> $HOST_DIR/secret
4 -> $TEST_DIR/out"
}

@test "fd leak: the created init holds no descriptor of its caller beyond --preserve-fds" {
	requires_silo
	set_args true
	rt create --preserve-fds 1 --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 \
		3<"$HOST_DIR/secret" 5<"$HOST_DIR" 7<"$HOST_DIR/secret" 9>"$TEST_DIR/out"
	run init_fds
	assert_status 0
	local line fd target
	for line in "${lines[@]}"; do
		fd=${line%% -> *}
		target=${line#* -> }
		case $fd in
		0 | 1 | 2) assert_equal "$target" /dev/null ;;
		3) assert_equal "$target" "$HOST_DIR/secret" ;;
		# silo's own: sockets to the runtime and for `start`.
		*) [[ "$target" != /* ]] || fail "the created init holds $line" ;;
		esac
	done
}

@test "fd leak: a process of the container that may ptrace the created init finds no host directory in /proc/1/fd" {
	set_args sleep 10
	rt create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 3>&- 7<"$HOST_DIR" 8<"$HOST_DIR"
	local pid victim=$BUNDLE
	pid=$(container_field "$CID" .pid)
	BUNDLE=$TEST_DIR/attacker
	mkdir "$BUNDLE"
	cp "$victim/config.json" "$BUNDLE/config.json"
	set_namespace pid "/proc/$pid/ns/pid"
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
	set_args sh -c 'for f in /proc/1/fd/*; do cat "$f/secret" 2>/dev/null && echo "through $f"; done; echo done'
	run rt run --bundle "$BUNDLE" "$CID-2"
	assert_status 0
	assert_not_contains "$output" secret
	assert_equal "$output" done
}

@test "fd leak: an exec'd process holds exactly stdin, stdout and stderr" {
	set_args sleep 30
	rt_create "$CID"
	rt start "$CID"
	run rt exec "$CID" ls /proc/self/fd </dev/null 3>&- 7<"$HOST_DIR" 8<"$HOST_DIR/secret"
	assert_status 0
	# 3 is the directory ls opened to list it.
	assert_equal "$(echo $output)" "0 1 2 3"
}

@test "fd leak: a detached exec'd process holds exactly stdin, stdout and stderr, seen from the host" {
	set_args sleep 30
	rt_create "$CID"
	rt start "$CID"
	rt exec --detach --pid-file "$TEST_DIR/exec.pid" "$CID" sleep 20 </dev/null >/dev/null 2>&1 \
		3>&- 7<"$HOST_DIR" 8<"$HOST_DIR/secret"
	local pid
	pid=$(cat "$TEST_DIR/exec.pid")
	wait_for eval '[[ "$(readlink "/proc/$pid/exe")" == */bin/busybox ]]'
	run ls "/proc/$pid/fd"
	assert_equal "$(echo $output)" "0 1 2"
}

# start_agent NAME ARG...: the seccomp agent (tests/tools/seccomp_listener)
# on $TEST_DIR/agent.sock, logging to NAME.log; it takes one connection and
# frees the socket's name for the next agent.
start_agent() {
	local name=$1
	shift
	"$SECCOMP_LISTENER" "$TEST_DIR/agent.sock" --state "$TEST_DIR/$name.state" \
		--log "$TEST_DIR/$name.log" "$@" </dev/null 2>"$TEST_DIR/$name.err" 3>&- &
	track_background $!
	wait_for test -S "$TEST_DIR/agent.sock"
}

@test "fd leak: an exec'd process holds no descriptor of its caller while it is still silo in the container" {
	requires_silo
	: "${SECCOMP_LISTENER:=$BUILD_DIR/tests/seccomp_listener}"
	[ -x "$SECCOMP_LISTENER" ] || fail "no seccomp_listener at $SECCOMP_LISTENER (build silo's tests)"
	# close_range goes to an agent: silo's own last sweep before execve,
	# when the process has joined every namespace of the container. The
	# init's agent lets it run; the exec'd process's agent holds it there.
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $path,
		syscalls: [{names: ["close_range"], action: "SCMP_ACT_NOTIFY"}]}' \
		--arg path "$TEST_DIR/agent.sock"
	start_agent init --continue
	set_args sleep 30
	rt_create "$CID"
	rt start "$CID"
	wait_exec
	wait_for test ! -e "$TEST_DIR/agent.sock"
	start_agent exec --hold
	(rt exec --preserve-fds 1 "$CID" true </dev/null >/dev/null 2>&1 \
		3<"$HOST_DIR/secret" 7<"$HOST_DIR" 8<"$HOST_DIR/secret" 9<"$HOST_DIR") &
	track_background $!
	wait_for grep -q '^held ' "$TEST_DIR/exec.log"
	local pid fd target held="" ok=1
	pid=$(sed -n 's/^held [0-9]* pid \([0-9]*\)$/\1/p' "$TEST_DIR/exec.log")
	[ -n "$pid" ] || fail "no pid in $(cat "$TEST_DIR/exec.log")"
	for fd in $(ls "/proc/$pid/fd" | sort -n); do
		target=$(readlink "/proc/$pid/fd/$fd") || continue
		held+=" $fd -> $target;"
		case $fd in
		0 | 1 | 2) [ "$target" = /dev/null ] || ok=0 ;;
		3) [ "$target" = "$HOST_DIR/secret" ] || ok=0 ;;
		# silo's own: the socket to the runtime. The namespaces and the
		# root it joined are closed once joined.
		*) [[ "$target" == socket:* ]] || ok=0 ;;
		esac
	done
	[ "$ok" = 1 ] || fail "the exec'd process holds:$held"
	rt delete --force "$CID"
}
