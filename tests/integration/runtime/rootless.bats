#!/usr/bin/env bats
# An unprivileged user runs silo-runtime: a `spec --rootless` bundle, a user
# namespace mapping only that user's own IDs (written without any helper),
# state under the user's XDG_RUNTIME_DIR, and no cgroup unless one was
# delegated (so limits are refused with a message that says why).

load ../helpers

setup_file() {
	export ROOTLESS_USER=silo-test-rootless
	if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
			"$ROOTLESS_USER"
		touch "$BATS_FILE_TMPDIR/made-user"
	fi
}

teardown_file() {
	if [ -e "$BATS_FILE_TMPDIR/made-user" ]; then
		pkill -KILL -u "$ROOTLESS_USER" 2>/dev/null || true
		userdel "$ROOTLESS_USER" 2>/dev/null || true
	fi
}

setup() {
	silo_setup
	chmod 0755 "$TEST_DIR"
	BUNDLE=$TEST_DIR/bundle
	mkdir -p "$BUNDLE" "$TEST_DIR/xdg"
	cp -a -l "$ROOTFS" "$BUNDLE/rootfs"
	chown -R "$ROOTLESS_USER" "$BUNDLE" "$TEST_DIR/xdg"
	as_user spec --rootless --bundle "$BUNDLE"
	update_config '
		  .process.terminal = false
		| .process.args = ["true"]
		| .process.env += [$mark]' --arg mark "SILO_TEST_MARK=$TEST_DIR"
	chown "$ROOTLESS_USER" "$BUNDLE/config.json"
}

teardown() {
	as_user delete --force "$CID" >/dev/null 2>&1 || true
	silo_teardown
}

# as_user ARG...: the runtime under test, as the unprivileged user.
as_user() {
	runuser -u "$ROOTLESS_USER" -- env XDG_RUNTIME_DIR="$TEST_DIR/xdg" \
		SILO_TEST_MARK="$TEST_DIR" "${RUNTIME_CMD[@]}" "$@"
}

@test "rootless: an unprivileged user runs a container as root of its own user namespace" {
	uid=$(id -u "$ROOTLESS_USER")
	set_args sh -c 'id -u; cat /proc/self/uid_map; hostname'
	run as_user run --bundle "$BUNDLE" "$CID"
	assert_status 0
	assert_equal "${lines[0]}" "0"
	assert_contains "${lines[1]}" "$uid"
	[ -d "$TEST_DIR/xdg" ]
}

@test "rootless: create, state, exec, kill and delete work, with state under XDG_RUNTIME_DIR" {
	set_args sleep 1000
	# The init keeps the caller's stdio: not bats' pipe.
	as_user create --bundle "$BUNDLE" "$CID" </dev/null >"$TEST_DIR/create.out" 2>&1
	[ -d "$TEST_DIR/xdg/silo/$CID" ]
	run as_user start "$CID"
	assert_status 0
	run as_user state "$CID"
	assert_contains "$output" '"status": "running"'
	run as_user exec "$CID" sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_equal "${lines[0]}" "0"
	assert_contains "${lines[1]}" "sleep 1000"
	run as_user kill "$CID" KILL
	assert_status 0
	wait_for sh -c "runuser -u '$ROOTLESS_USER' -- env XDG_RUNTIME_DIR='$TEST_DIR/xdg' '${RUNTIME_CMD[*]}' state '$CID' | grep -q stopped"
	run as_user delete "$CID"
	assert_status 0
	[ ! -e "$TEST_DIR/xdg/silo/$CID" ]
}

@test "rootless: a resource limit without a delegated cgroup is refused with a message that explains it" {
	update_config '.linux.resources = {pids: {limit: 10}}'
	run as_user run --bundle "$BUNDLE" "$CID"
	assert_failure
	if is_silo; then
		assert_contains "$output" "linux.resources"
		assert_contains "$output" "delegated"
	fi
	[ ! -e "$TEST_DIR/xdg/silo/$CID" ]
}

@test "rootless: mapping more than one's own ID needs newuidmap, and says so" {
	requires_silo
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	# A PATH without the helper, as on a host without Debian's uidmap.
	run runuser -u "$ROOTLESS_USER" -- env PATH=/nonexistent XDG_RUNTIME_DIR="$TEST_DIR/xdg" \
		SILO_TEST_MARK="$TEST_DIR" "${RUNTIME_CMD[@]}" run --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_contains "$output" "newuidmap"
}

@test "rootless: newuidmap and newgidmap map ranges from /etc/subuid and /etc/subgid" {
	requires_silo
	command -v newuidmap >/dev/null || skip "newuidmap is not installed (uidmap)"
	# The no-openat2 pass puts silo under a seccomp filter, which needs
	# no_new_privs: then no setuid helper can gain its privileges.
	[[ $RUNTIME != */no-openat2/* ]] || skip "setuid helpers cannot run under the no-openat2 wrapper (no_new_privs)"
	uid=$(id -u "$ROOTLESS_USER")
	gid=$(id -g "$ROOTLESS_USER")
	# The user's subordinate ranges, for this test only.
	cp -p /etc/subuid "$TEST_DIR/subuid.saved" 2>/dev/null || : >"$TEST_DIR/subuid.saved"
	cp -p /etc/subgid "$TEST_DIR/subgid.saved" 2>/dev/null || : >"$TEST_DIR/subgid.saved"
	echo "$ROOTLESS_USER:200000:65536" >>/etc/subuid
	echo "$ROOTLESS_USER:200000:65536" >>/etc/subgid
	update_config '.linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}, {containerID: 1, hostID: 200000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $gid, size: 1}, {containerID: 1, hostID: 200000, size: 65536}]' \
		--argjson uid "$uid" --argjson gid "$gid"
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
	run as_user run --bundle "$BUNDLE" "$CID"
	cp -p "$TEST_DIR/subuid.saved" /etc/subuid
	cp -p "$TEST_DIR/subgid.saved" /etc/subgid
	assert_status 0
	assert_equal "$(echo "${lines[0]}" | tr -s ' ' | sed 's/^ //')" "0 $uid 1"
	assert_equal "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" "1 200000 65536"
	assert_equal "$(echo "${lines[2]}" | tr -s ' ' | sed 's/^ //')" "0 $gid 1"
	assert_equal "$(echo "${lines[3]}" | tr -s ' ' | sed 's/^ //')" "1 200000 65536"
}
