#!/usr/bin/env bats
# linux.seccomp: actions, errno values, default action, architectures,
# argument conditions, flags, SCMP_ACT_NOTIFY with a seccomp agent, and the
# errors a malformed profile gives.

load ../helpers

: "${SECCOMP_LISTENER:=$BUILD_DIR/tests/seccomp_listener}"

setup() {
	silo_setup
	setup_bundle
	# A writable /tmp, so that a mkdir the filter lets through succeeds.
	add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}'
}

teardown() {
	silo_teardown
}

# set_seccomp JSON: linux.seccomp.
set_seccomp() {
	update_config '.linux.seccomp = $s' --argjson s "$1"
}

# seccomp_rule NAMES_JSON ACTION [EXTRA_JSON]: a profile that allows
# everything except NAMES, which get ACTION (EXTRA is merged into the entry).
seccomp_rule() {
	set_seccomp "$(jq -cn --argjson names "$1" --arg action "$2" --argjson extra "${3:-{\}}" \
		'{defaultAction: "SCMP_ACT_ALLOW",
		  syscalls: [{names: $names, action: $action} + $extra]}')"
}

MKDIR='["mkdir", "mkdirat"]'

@test "without linux.seccomp the process runs unfiltered" {
	set_args sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/d && echo made'
	run rt_run
	assert_status 0
	assert_contains "$output" "Seccomp:	0"
	assert_contains "$output" made
}

@test "SCMP_ACT_ERRNO fails the syscall with EPERM by default" {
	seccomp_rule "$MKDIR" SCMP_ACT_ERRNO
	set_args sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/d; echo "rc=$?"; echo other syscalls work'
	run rt_run
	assert_status 0
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" "Operation not permitted"
	assert_contains "$output" "rc=1"
	assert_contains "$output" "other syscalls work"
}

@test "SCMP_ACT_ERRNO with errnoRet returns that errno" {
	seccomp_rule "$MKDIR" SCMP_ACT_ERRNO '{"errnoRet": 28}'
	set_args mkdir /tmp/d
	run rt_run
	assert_status 1
	assert_contains "$output" "No space left on device"
}

@test "defaultAction SCMP_ACT_ERRNO with defaultErrnoRet and an allow-list still runs busybox" {
	local allowed
	# What busybox sh, echo and mkdir need, and what the runtime itself
	# does between loading the filter and execve.
	allowed='["execve", "arch_prctl", "brk", "clone", "clone3", "close", "close_range",
		"dup2", "dup3", "exit", "exit_group", "fcntl", "futex", "getcwd", "chdir",
		"getpid", "getppid", "getrandom", "getuid", "geteuid", "getgid", "getegid", "ioctl",
		"lseek", "mmap", "mprotect", "munmap", "newfstatat", "fstat", "stat", "lstat",
		"open", "openat", "read", "readlink", "readlinkat", "write", "writev", "prctl",
		"prlimit64", "rseq", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sendfile",
		"set_robust_list", "set_tid_address", "uname", "vfork", "wait4"]'
	set_seccomp "$(jq -cn --argjson allowed "$allowed" \
		'{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38,
		  syscalls: [{names: $allowed, action: "SCMP_ACT_ALLOW"}]}')"
	set_args sh -c 'echo still runs; mkdir /tmp/d'
	run rt_run
	assert_status 1
	assert_contains "$output" "still runs"
	# mkdir is not on the list: defaultErrnoRet 38 is ENOSYS.
	assert_contains "$output" "Function not implemented"
}

@test "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD kill the process with SIGSYS" {
	local action
	# The shell's own process makes the call: nothing is left to go on.
	set_args sh -c 'exec mkdir /tmp/d; echo survived'
	for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL SCMP_ACT_KILL_THREAD; do
		seccomp_rule "$MKDIR" "$action"
		run rt_run
		# 128 + SIGSYS (31)
		assert_status 159
		assert_not_contains "$output" survived
	done
}

@test "SCMP_ACT_TRAP sends SIGSYS" {
	seccomp_rule "$MKDIR" SCMP_ACT_TRAP
	set_args mkdir /tmp/d
	run rt_run
	assert_status 159
}

@test "SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS; SCMP_ACT_LOG lets it run" {
	seccomp_rule "$MKDIR" SCMP_ACT_TRACE '{"errnoRet": 5}'
	set_args mkdir /tmp/d
	run rt_run
	assert_status 1
	assert_contains "$output" "Function not implemented"

	seccomp_rule "$MKDIR" SCMP_ACT_LOG
	set_args sh -c 'mkdir /tmp/d && echo made'
	run rt_run
	assert_status 0
	assert_contains "$output" made
}

@test "argument conditions: only personality(PER_LINUX32) is blocked" {
	# PER_LINUX32 is 8; linux64 asks for PER_LINUX (0).
	seccomp_rule '["personality"]' SCMP_ACT_ERRNO \
		'{"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}'
	set_args sh -c 'linux64 true && echo linux64 ok; linux32 true || echo linux32 blocked'
	run rt_run
	assert_status 0
	assert_contains "$output" "linux64 ok"
	assert_contains "$output" "linux32 blocked"
}

@test "argument conditions: SCMP_CMP_MASKED_EQ blocks only opens with O_CREAT" {
	# flags & O_CREAT (0100) == O_CREAT: open(path, flags), openat(dirfd, path, flags).
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["open"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		 "args": [{"index": 1, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["openat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		 "args": [{"index": 2, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	set_args sh -c 'cat /etc/silo-test-rootfs; touch /tmp/f || echo create blocked'
	run rt_run
	assert_status 0
	assert_contains "$output" "silo test rootfs"
	assert_contains "$output" "create blocked"
}

@test "argument conditions: several on one argument match any of them" {
	# kill(pid, sig) with sig SIGUSR1 (10) or SIGUSR2 (12). Let through,
	# either would end the shell.
	seccomp_rule '["kill"]' SCMP_ACT_ERRNO \
		'{"args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 12, "op": "SCMP_CMP_EQ"}]}'
	set_args sh -c 'kill -USR1 $$ || echo usr1 blocked; kill -USR2 $$ || echo usr2 blocked; kill -0 $$ && echo zero ok'
	run rt_run
	assert_status 0
	assert_contains "$output" "usr1 blocked"
	assert_contains "$output" "usr2 blocked"
	assert_contains "$output" "zero ok"
}

@test "syscall names this kernel does not know are skipped" {
	seccomp_rule '["silo_no_such_syscall", "mkdir", "mkdirat"]' SCMP_ACT_ERRNO
	set_args sh -c 'mkdir /tmp/d; echo "rc=$?"'
	run rt_run
	assert_status 0
	assert_contains "$output" "Operation not permitted"
}

@test "architectures: the listed ones are accepted alongside the native one" {
	set_seccomp "$(jq -cn --argjson names "$MKDIR" '{defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"],
		syscalls: [{names: $names, action: "SCMP_ACT_ERRNO"}]}')"
	set_args sh -c 'mkdir /tmp/d; echo "rc=$?"'
	run rt_run
	assert_status 0
	assert_contains "$output" "Operation not permitted"
}

@test "without noNewPrivileges the filter is loaded while the process may still load one" {
	# The user's capabilities lack CAP_SYS_ADMIN, and no_new_privs is off:
	# the kernel only takes a filter before the capabilities are dropped.
	update_config '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}'
	seccomp_rule "$MKDIR" SCMP_ACT_ERRNO
	set_args sh -c 'id -u; grep -E "^(NoNewPrivs|Seccomp|CapEff):" /proc/self/status; mkdir /tmp/d'
	run rt_run
	assert_status 1
	assert_contains "$output" "1000"
	assert_contains "$output" "NoNewPrivs:	0"
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" "CapEff:	0000000000000000"
	assert_contains "$output" "Operation not permitted"
}

@test "with noNewPrivileges the filter is loaded after the user switch" {
	update_config '.process.noNewPrivileges = true | .process.user = {uid: 1000, gid: 1000}'
	seccomp_rule "$MKDIR" SCMP_ACT_ERRNO
	set_args sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/d'
	run rt_run
	assert_status 1
	assert_contains "$output" "NoNewPrivs:	1"
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" "Operation not permitted"
}

@test "exec'd processes get the filter, also as a user without CAP_SYS_ADMIN and noNewPrivileges" {
	update_config '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}'
	seccomp_rule "$MKDIR" SCMP_ACT_ERRNO
	set_args sleep 30
	rt_create "$CID"
	rt start "$CID"
	run rt exec "$CID" sh -c 'id -u; grep "^Seccomp:" /proc/self/status; mkdir /tmp/d'
	assert_status 1
	assert_contains "$output" "1000"
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" "Operation not permitted"
}

@test "flags: TSYNC, LOG and SPEC_ALLOW are passed to seccomp(2)" {
	set_seccomp "$(jq -cn --argjson names "$MKDIR" '{defaultAction: "SCMP_ACT_ALLOW",
		flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
		syscalls: [{names: $names, action: "SCMP_ACT_ERRNO"}]}')"
	set_args sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/d'
	run rt_run
	assert_status 1
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" "Operation not permitted"
}

@test "a malformed profile fails create, names the field, and leaves nothing" {
	requires_silo
	local entries='[{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'
	local -a profiles=(
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ($e + [{"names": ["kill"], "action": "SCMP_ACT_FOO"}])}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ($e + [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_FOO"}]}])}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ($e + [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 9, "op": "SCMP_CMP_EQ"}]}])}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ($e + [{"names": ["kill"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}])}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ($e + [{"names": [], "action": "SCMP_ACT_ERRNO"}])}'
		'{"defaultAction": "SCMP_ACT_BAR"}'
		'{"syscalls": []}'
		'{"defaultAction": "SCMP_ACT_KILL", "defaultErrnoRet": 1}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FOO"]}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x"}'
		'{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent/silo.sock", "syscalls": [{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}'
	)
	local -a messages=(
		'config.json: linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"'
		'config.json: linux.seccomp.syscalls[3].args[0].op: unknown operator "SCMP_CMP_FOO"'
		'config.json: linux.seccomp.syscalls[3].args[0].index: expected an integer from 0 to 5, got 6'
		'config.json: linux.seccomp.syscalls[3].errnoRet: SCMP_ACT_ALLOW takes no errno'
		'config.json: linux.seccomp.syscalls[3].names: empty, expected at least one syscall name'
		'config.json: linux.seccomp.defaultAction: unknown action "SCMP_ACT_BAR"'
		'config.json: linux.seccomp.defaultAction: missing, expected a string'
		'config.json: linux.seccomp.defaultErrnoRet: SCMP_ACT_KILL takes no errno'
		'config.json: linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_PDP11"'
		'config.json: linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_FOO"'
		'config.json: linux.seccomp: SCMP_ACT_NOTIFY needs a listenerPath'
		'config.json: linux.seccomp.listenerMetadata: set without listenerPath'
		'config.json: linux.seccomp: SCMP_ACT_NOTIFY must not apply to sendmsg'
	)
	local i
	for i in "${!profiles[@]}"; do
		update_config ".linux.seccomp = ${profiles[i]}" --argjson e "$entries"
		run rt_create "$CID"
		assert_failure
		assert_contains "$output" "create container \"$CID\": ${messages[i]}"
		assert_nothing_left
	done
}

# start_listener ARG...: the seccomp agent on $TEST_DIR/agent.sock, recording
# the state in agent.state and the notifications in agent.log.
start_listener() {
	[ -x "$SECCOMP_LISTENER" ] || fail "no seccomp_listener at $SECCOMP_LISTENER (build silo's tests)"
	"$SECCOMP_LISTENER" "$TEST_DIR/agent.sock" --state "$TEST_DIR/agent.state" \
		--log "$TEST_DIR/agent.log" "$@" </dev/null 2>"$TEST_DIR/agent.err" 3>&- &
	track_background $!
	wait_for test -S "$TEST_DIR/agent.sock"
}

notify_profile() {
	set_seccomp "$(jq -cn --argjson names "$MKDIR" --arg path "$TEST_DIR/agent.sock" --argjson extra "${1:-{\}}" \
		'{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $path,
		  listenerMetadata: "silo-test metadata",
		  syscalls: [{names: $names, action: "SCMP_ACT_NOTIFY"}]} + $extra')"
}

@test "SCMP_ACT_NOTIFY: the agent gets the descriptor and the container process state" {
	start_listener --errno 28
	notify_profile
	update_config '.annotations = {"org.example.key": "value"}'
	set_args sh -c 'mkdir /tmp/d; echo "rc=$?"'
	rt_create "$CID"
	local pid
	pid=$(container_field "$CID" .pid)
	rt start "$CID"
	wait_for_status "$CID" stopped
	# The agent answered mkdir with ENOSPC.
	assert_contains "$(cat "$TEST_DIR/$CID.err")" "No space left on device"
	assert_contains "$(container_output "$CID")" "rc=1"
	wait_for test -e "$TEST_DIR/agent.state"
	local state
	state=$(head -n 1 "$TEST_DIR/agent.state")
	assert_contains "$(cat "$TEST_DIR/agent.state")" "fd "
	assert_equal "$(jq -r .ociVersion <<<"$state")" "$(silo_oci_version)"
	assert_equal "$(jq -c .fds <<<"$state")" '["seccompFd"]'
	assert_equal "$(jq -r .pid <<<"$state")" "$pid"
	assert_equal "$(jq -r .metadata <<<"$state")" "silo-test metadata"
	assert_equal "$(jq -r .state.id <<<"$state")" "$CID"
	assert_equal "$(jq -r .state.status <<<"$state")" creating
	assert_equal "$(jq -r .state.pid <<<"$state")" "$pid"
	assert_equal "$(jq -r .state.bundle <<<"$state")" "$BUNDLE"
	assert_equal "$(jq -r '.state.annotations["org.example.key"]' <<<"$state")" value
	grep -q "^syscall 83$" "$TEST_DIR/agent.log" || fail "mkdir (83) not notified: $(cat "$TEST_DIR/agent.log")"
}

@test "SCMP_ACT_NOTIFY: an agent that lets the syscall continue lets it succeed" {
	start_listener --continue
	notify_profile '{"flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}'
	set_args sh -c 'mkdir /tmp/d && echo made'
	run rt_run
	assert_status 0
	assert_contains "$output" made
	grep -q "^syscall 83$" "$TEST_DIR/agent.log"
}

@test "SCMP_ACT_NOTIFY: a listenerPath nobody listens on fails create and leaves nothing" {
	requires_silo
	notify_profile
	run rt_create "$CID"
	assert_failure
	assert_contains "$output" "config.json: linux.seccomp.listenerPath: connect to \"$TEST_DIR/agent.sock\""
	assert_nothing_left
}

@test "features lists the seccomp actions, operators, architectures and flags" {
	requires_silo
	run rt features
	assert_status 0
	local seccomp
	seccomp=$(jq -c .linux.seccomp <<<"$output")
	assert_equal "$(jq .enabled <<<"$seccomp")" true
	local name
	for name in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP \
		SCMP_ACT_ERRNO SCMP_ACT_TRACE SCMP_ACT_ALLOW SCMP_ACT_LOG SCMP_ACT_NOTIFY; do
		jq -e --arg n "$name" '.actions | index($n)' <<<"$seccomp" >/dev/null || fail "no $name"
	done
	for name in SCMP_CMP_NE SCMP_CMP_LT SCMP_CMP_LE SCMP_CMP_EQ SCMP_CMP_GE SCMP_CMP_GT \
		SCMP_CMP_MASKED_EQ; do
		jq -e --arg n "$name" '.operators | index($n)' <<<"$seccomp" >/dev/null || fail "no $name"
	done
	for name in SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32 SCMP_ARCH_AARCH64; do
		jq -e --arg n "$name" '.archs | index($n)' <<<"$seccomp" >/dev/null || fail "no $name"
	done
	for name in SECCOMP_FILTER_FLAG_TSYNC SECCOMP_FILTER_FLAG_LOG SECCOMP_FILTER_FLAG_SPEC_ALLOW \
		SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; do
		jq -e --arg n "$name" '.knownFlags | index($n)' <<<"$seccomp" >/dev/null || fail "no $name"
	done
	# Supported flags are known flags.
	jq -e '(.supportedFlags - .knownFlags) == []' <<<"$seccomp" >/dev/null
	jq -e '.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG")' <<<"$seccomp" >/dev/null
}
