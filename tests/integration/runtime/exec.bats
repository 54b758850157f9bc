#!/usr/bin/env bats
# exec: a new process in a running container joins every namespace and the
# cgroup of its init, and gets the container's process settings with the
# flags' changes on top (or a whole process.json with --process).

load ../helpers

setup() {
	silo_setup
	setup_bundle
	update_config '.hostname = "silo-exec"'
}

teardown() {
	silo_teardown
}

# start_container [ID]: ID (default $CID) running `sleep 1000` as its init.
start_container() {
	local id=${1:-$CID}
	set_args sleep 1000
	rt_create "$id"
	rt start "$id"
	wait_for_status "$id" running
}

init_pid() {
	container_field "${1:-$CID}" .pid
}

# exec_detached PIDFILE CMD...: exec --detach --pid-file into $CID; the
# runtime's output goes to $TEST_DIR/exec.err.
exec_detached() {
	local pidfile=$1 rc=0
	shift
	rt exec --detach --pid-file "$pidfile" "$CID" "$@" </dev/null \
		>"$TEST_DIR/exec.err" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || cat "$TEST_DIR/exec.err" >&2
	return "$rc"
}

# kill_detached PID: ends a detached exec'd process and waits until it is
# gone or a zombie (its parent is the host's init, which may reap it late).
kill_detached() {
	kill -9 "$1" 2>/dev/null || true
	wait_for eval "! grep -qs '^State:[[:space:]]*[^Z]' /proc/$1/status"
}

@test "the exec'd process sees the container's hostname" {
	start_container
	run rt exec "$CID" hostname
	assert_status 0
	assert_equal "$output" silo-exec
}

@test "the exec'd process is in the container's PID namespace, where the init is PID 1" {
	start_container
	# (exit 0 keeps sh from exec'ing ps in its place.)
	run rt exec "$CID" sh -c 'ps -o pid,args; exit 0'
	assert_status 0
	[[ "${lines[1]}" =~ ^\ *1\ sleep\ 1000$ ]] || fail "PID 1 is not the init: $output"
	# A header, the init, sh and ps: no process of the host.
	[ "${#lines[@]}" -eq 4 ] || fail "unexpected processes: $output"
}

@test "the exec'd process is in every namespace of the init" {
	set_namespace cgroup
	start_container
	pid=$(init_pid)
	nss="cgroup ipc mnt net pid uts"
	run rt exec "$CID" sh -c "for ns in $nss; do readlink /proc/self/ns/\$ns; done"
	assert_status 0
	i=0
	for ns in $nss; do
		assert_equal "${lines[i]}" "$(readlink "/proc/$pid/ns/$ns")"
		i=$((i + 1))
	done
}

@test "the exec'd process sees the container's root and mounts" {
	start_container
	# The file is only in the test rootfs; /proc is the container's own.
	run rt exec "$CID" sh -c 'cat /etc/silo-test-rootfs; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_equal "${lines[0]}" "silo test rootfs"
	assert_equal "${lines[1]}" "sleep 1000 "
}

@test "the exec'd process is in the container's network namespace: only lo" {
	start_container
	run rt exec "$CID" ls /sys/class/net
	assert_status 0
	assert_equal "$output" lo
}

@test "the exec'd process is in the init's cgroup" {
	start_container
	pid=$(init_pid)
	run rt exec "$CID" cat /proc/1/cgroup
	assert_status 0
	init_cgroup=$output
	run rt exec "$CID" cat /proc/self/cgroup
	assert_status 0
	assert_equal "$output" "$init_cgroup"
	# And as the host sees it.
	exec_detached "$TEST_DIR/pid" sleep 1000
	exec_pid=$(cat "$TEST_DIR/pid")
	assert_equal "$(cat "/proc/$exec_pid/cgroup")" "$(cat "/proc/$pid/cgroup")"
	kill_detached "$exec_pid"
}

@test "the exec'd process gets the env of config.json plus --env" {
	update_config '.process.env += ["FROM_CONFIG=config value"]'
	start_container
	run rt exec --env FROM_FLAG=flag-value --env "SECOND=a b" "$CID" env
	assert_status 0
	assert_contains "$output" "FROM_CONFIG=config value"
	assert_contains "$output" "FROM_FLAG=flag-value"
	assert_contains "$output" "SECOND=a b"
	assert_contains "$output" "PATH="
}

@test "exec --cwd sets the working directory" {
	start_container
	run rt exec --cwd /etc "$CID" sh -c 'pwd; cat silo-test-rootfs'
	assert_status 0
	assert_equal "$output" "/etc
silo test rootfs"
}

@test "exec --user uid:gid and --additional-gids set exactly those ids" {
	start_container
	run rt exec --user 1000:1000 --additional-gids 10 --additional-gids 100 "$CID" sh -c 'id -u; id -g; id -G'
	assert_status 0
	assert_equal "${lines[0]}" 1000
	assert_equal "${lines[1]}" 1000
	assert_equal "$(tr ' ' '\n' <<<"${lines[2]}" | sort -n -u | tr '\n' ' ')" "10 100 1000 "
}

@test "exec --cap adds a capability the container's process does not have" {
	start_container
	# CAP_SYS_CHROOT is bit 18; the default spec leaves it out.
	run rt exec "$CID" sh -c 'grep ^CapEff: /proc/self/status; chroot / true'
	assert_failure
	mask=$(awk '{ print $2 }' <<<"${lines[0]}")
	(((0x$mask & (1 << 18)) == 0)) || fail "CAP_SYS_CHROOT is already there: ${lines[0]}"

	run rt exec --cap CAP_SYS_CHROOT "$CID" sh -c 'grep ^CapEff: /proc/self/status; chroot / true && echo chrooted'
	assert_status 0
	mask=$(awk '{ print $2 }' <<<"${lines[0]}")
	(((0x$mask & (1 << 18)) != 0)) || fail "no CAP_SYS_CHROOT in: ${lines[0]}"
	assert_equal "${lines[1]}" chrooted
}

@test "exec --no-new-privs sets no_new_privs for the exec'd process only" {
	update_config '.process.noNewPrivileges = false'
	start_container
	run rt exec "$CID" grep ^NoNewPrivs: /proc/self/status
	assert_status 0
	assert_equal "$output" "NoNewPrivs:	0"
	run rt exec --no-new-privs "$CID" grep ^NoNewPrivs: /proc/self/status
	assert_status 0
	assert_equal "$output" "NoNewPrivs:	1"
}

@test "the exit status of the exec'd process is the exit status of exec" {
	start_container
	run rt exec "$CID" sh -c 'exit 7'
	assert_status 7
	run rt exec "$CID" true
	assert_status 0
}

@test "an exec'd process killed by a signal makes exec exit 128+N" {
	start_container
	run rt exec "$CID" sh -c 'kill -KILL $$'
	assert_status 137
	run rt exec "$CID" sh -c 'kill -TERM $$'
	assert_status 143
	# The container is unharmed.
	status_is "$CID" running
}

@test "exec --tty runs the process on a pty whose master goes to --console-socket" {
	[ -x "$RECVTTY" ] || fail "no recvtty at $RECVTTY: build it (ninja -C $BUILD_DIR) or set RECVTTY"
	start_container
	socket=$TEST_DIR/console.sock
	"$RECVTTY" "$socket" --output "$TEST_DIR/tty.out" --timeout 20 \
		</dev/null >"$TEST_DIR/recvtty.log" 2>&1 3>&- &
	recvtty_pid=$!
	track_background "$recvtty_pid"
	wait_for test -S "$socket"

	rt exec --tty --console-socket "$socket" "$CID" \
		sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; [ -t 1 ] && echo stdout-is-a-tty; exit 0' \
		</dev/null >"$TEST_DIR/exec.out" 2>&1
	rc=0
	wait "$recvtty_pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "recvtty exited $rc: $(cat "$TEST_DIR/recvtty.log")"

	run tr -d '\r' <"$TEST_DIR/tty.out"
	[[ "${lines[0]}" =~ ^/dev/pts/[0-9]+$ ]] || fail "tty says: $output"
	assert_equal "${lines[1]}" stdin-is-a-tty
	assert_equal "${lines[2]}" stdout-is-a-tty
	# Nothing went to exec's own stdio.
	[ ! -s "$TEST_DIR/exec.out" ] || fail "exec wrote: $(cat "$TEST_DIR/exec.out")"
}

@test "exec --detach --pid-file writes the pid of a process running in the container" {
	start_container
	pid=$(init_pid)
	exec_detached "$TEST_DIR/pid" sleep 999
	exec_pid=$(cat "$TEST_DIR/pid")
	[[ "$exec_pid" =~ ^[0-9]+$ ]] || fail "pid file holds: $exec_pid"
	assert_equal "$(tr '\0' ' ' <"/proc/$exec_pid/cmdline")" "sleep 999 "
	assert_equal "$(readlink "/proc/$exec_pid/ns/pid")" "$(readlink "/proc/$pid/ns/pid")"
	assert_equal "$(readlink "/proc/$exec_pid/ns/mnt")" "$(readlink "/proc/$pid/ns/mnt")"
	kill_detached "$exec_pid"
}

@test "exec --process runs the args, env, cwd and user of a process.json" {
	update_config '.process.env += ["FROM_CONFIG=1"]'
	start_container
	cat >"$TEST_DIR/process.json" <<-'EOF'
		{
		  "args": ["sh", "-c", "echo \"$A\"; pwd; id -u; id -g; env | grep -c FROM_CONFIG; exit 0"],
		  "env": ["A=from process.json", "PATH=/bin"],
		  "cwd": "/tmp",
		  "user": {"uid": 1000, "gid": 100}
		}
	EOF
	run rt exec --process "$TEST_DIR/process.json" "$CID"
	assert_status 0
	assert_equal "$output" "from process.json
/tmp
1000
100
0"
}

@test "silo: exec --process with malformed JSON fails naming the file and the problem" {
	requires_silo
	start_container
	printf '{"args": ["true",]}\n' >"$TEST_DIR/bad.json"
	run rt exec --process "$TEST_DIR/bad.json" "$CID"
	assert_failure
	assert_contains "$output" "$TEST_DIR/bad.json:1:"
	# A process.json that is valid JSON but not a valid process names the field.
	printf '{"args": "true", "cwd": "/"}\n' >"$TEST_DIR/bad.json"
	run rt exec --process "$TEST_DIR/bad.json" "$CID"
	assert_failure
	assert_contains "$output" "process.args"
	status_is "$CID" running
}

@test "exec of a missing binary fails naming it and leaves no extra process" {
	start_container
	pid=$(init_pid)
	run rt exec "$CID" /no/such-binary
	assert_failure
	assert_contains "$output" "such-binary"
	run rt exec "$CID" no-such-command
	assert_failure
	assert_contains "$output" no-such-command
	# Only the init is left of the test's processes.
	retry 40 eval '[ "$(silo_test_processes)" = "$pid" ]' ||
		fail "processes left: $(silo_test_processes | tr '\n' ' ')"
	status_is "$CID" running
}

@test "exec into a stopped container fails with 'container not running'" {
	set_args true
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	run rt exec "$CID" true
	assert_failure
	assert_contains "$output" "container not running"
}

@test "exec into an unknown container fails with 'does not exist'" {
	run rt exec "no-such-$CID" true
	assert_failure
	assert_contains "$output" "does not exist"
}

@test "fd leak: no descriptor of the runtime or of its caller reaches the exec'd process" {
	start_container
	# fd 7 is the test's; ls's own directory descriptor is 3.
	run rt exec "$CID" ls /proc/self/fd 7<"$BUNDLE/config.json"
	assert_status 0
	assert_equal "$(echo $output)" "0 1 2 3"
}

@test "the rlimits of config.json apply to the exec'd process" {
	update_config '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 1000, hard: 2000},
		{type: "RLIMIT_CORE", soft: 1024, hard: 2048}]'
	start_container
	run rt exec "$CID" grep -E "^Max (open files|core file size) " /proc/self/limits
	assert_status 0
	read -r -a core <<<"${lines[0]#Max core file size}"
	read -r -a nofile <<<"${lines[1]#Max open files}"
	assert_equal "${core[*]}" "1024 2048 bytes"
	assert_equal "${nofile[*]}" "1000 2000 files"
}

@test "exec works in a container with a user namespace" {
	# The mapped root must reach the rootfs: a private copy under a
	# traversable TEST_DIR (the shared one sits in bats' 0700 directory).
	rm -rf "$BUNDLE"
	setup_bundle --copy
	chmod 0711 "$TEST_DIR"
	update_config '.hostname = "silo-exec"
		| .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	start_container
	pid=$(init_pid)
	run rt exec "$CID" sh -c 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user; hostname'
	assert_status 0
	assert_equal "${lines[0]}" 0
	read -r -a map <<<"${lines[1]}"
	assert_equal "${map[*]}" "0 100000 65536"
	assert_equal "${lines[2]}" "$(readlink "/proc/$pid/ns/user")"
	assert_equal "${lines[3]}" silo-exec
}
