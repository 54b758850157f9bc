#!/usr/bin/env bats
# The command line itself: help, version, spec, features, logging, global
# flags.

load ../helpers

setup() {
	silo_setup
}

teardown() {
	silo_teardown
}

@test "--help lists the runtime's commands" {
	run rt --help
	assert_status 0
	for command in create start run state kill delete list spec; do
		[[ "$output" =~ (^|[[:space:]])$command[[:space:]] ]] || fail "--help does not list $command: $output"
	done
}

@test "COMMAND --help describes the command's flags" {
	run rt create --help
	assert_status 0
	for flag in --bundle --console-socket --pid-file --no-pivot --preserve-fds; do
		assert_contains "$output" "$flag"
	done
	run rt kill --help
	assert_status 0
	assert_contains "$output" --all
	run rt delete --help
	assert_status 0
	assert_contains "$output" --force
	run rt list --help
	assert_status 0
	assert_contains "$output" --format
}

@test "--version prints a version" {
	run rt --version
	assert_status 0
	assert_contains "$output" version
}

@test "silo: --version names silo's version, commit and OCI spec version" {
	requires_silo
	run rt --version
	assert_status 0
	assert_contains "${lines[0]}" "version $(silo_version)"
	assert_contains "$output" commit
	assert_contains "$output" "spec: $(silo_oci_version)"
}

@test "spec writes a config.json in the current directory" {
	mkdir "$TEST_DIR/bundle"
	cd "$TEST_DIR/bundle"
	run rt spec
	assert_status 0
	jq -e '.ociVersion and (.process.args | length > 0) and .root.path == "rootfs"' config.json
}

@test "spec --bundle writes a config.json in the bundle" {
	mkdir "$TEST_DIR/bundle"
	run rt spec --bundle "$TEST_DIR/bundle"
	assert_status 0
	jq -e '.ociVersion and .process and .root and .mounts and .linux.namespaces' \
		"$TEST_DIR/bundle/config.json"
}

@test "spec does not overwrite an existing config.json" {
	mkdir "$TEST_DIR/bundle"
	echo '{"mine": true}' >"$TEST_DIR/bundle/config.json"
	run rt spec --bundle "$TEST_DIR/bundle"
	assert_failure
	assert_equal "$(jq -c . "$TEST_DIR/bundle/config.json")" '{"mine":true}'
}

@test "spec --rootless writes a config.json with a user namespace mapping the caller" {
	mkdir "$TEST_DIR/bundle"
	run rt spec --rootless --bundle "$TEST_DIR/bundle"
	assert_status 0
	config=$TEST_DIR/bundle/config.json
	jq -e 'any(.linux.namespaces[]; .type == "user")' "$config"
	assert_equal "$(jq -r '.linux.uidMappings[0].hostID' "$config")" "$(id -u)"
	assert_equal "$(jq -r '.linux.gidMappings[0].hostID' "$config")" "$(id -g)"
}

@test "the config.json of spec runs on this host as it is" {
	# Only what a non-interactive test must change: the rootfs and the
	# terminal. Its rlimits, capabilities and namespaces must all work here.
	setup_bundle
	run rt_run
	assert_status 0
}

@test "silo: spec writes runc's defaults at silo's OCI version" {
	requires_silo
	mkdir "$TEST_DIR/bundle"
	rt spec --bundle "$TEST_DIR/bundle"
	config=$TEST_DIR/bundle/config.json
	assert_equal "$(jq -r .ociVersion "$config")" "$(silo_oci_version)"
	assert_equal "$(jq -c .process.args "$config")" '["sh"]'
	assert_equal "$(jq -r .process.terminal "$config")" true
	assert_equal "$(jq -c .root "$config")" '{"path":"rootfs","readonly":true}'
	for ns in pid network ipc uts mount; do
		jq -e --arg ns "$ns" 'any(.linux.namespaces[]; .type == $ns)' "$config" >/dev/null ||
			fail "no $ns namespace"
	done
	for mount in /proc /dev /dev/pts /dev/shm /sys; do
		jq -e --arg m "$mount" 'any(.mounts[]; .destination == $m)' "$config" >/dev/null ||
			fail "no mount on $mount"
	done
	jq -e '.linux.maskedPaths | index("/proc/kcore")' "$config" >/dev/null
	jq -e '.linux.readonlyPaths | index("/proc/sys")' "$config" >/dev/null
	# No rlimit beyond what this host grants (see DESIGN.md: hard limit of
	# 20,000 open files on the development machines).
	hard=$(jq '[.process.rlimits[]? | select(.type == "RLIMIT_NOFILE") | .hard] | max // 0' "$config")
	[ "$hard" -le "$(ulimit -Hn)" ]
}

@test "features prints JSON with ociVersionMin and ociVersionMax" {
	run rt features
	assert_status 0
	jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")' <<<"$output"
}

@test "silo: features describes what silo supports" {
	requires_silo
	run rt features
	assert_status 0
	features=$output
	# has FILTER [JQ_OPTION...]
	has() {
		jq -e "${@:2}" "$1" <<<"$features" >/dev/null || fail "features: not $1 ${*:2}"
	}
	has '.ociVersionMax == $v' --arg v "$(silo_oci_version)"
	has '.ociVersionMin | startswith("1.0")'
	for hook in prestart createRuntime createContainer startContainer poststart poststop; do
		has '.hooks | index($h)' --arg h "$hook"
	done
	for option in bind rbind ro rw nosuid nodev noexec private rprivate slave rslave shared rshared; do
		has '.mountOptions | index($o)' --arg o "$option"
	done
	for ns in cgroup ipc mount network pid user uts; do
		has '.linux.namespaces | index($n)' --arg n "$ns"
	done
	for cap in CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SYS_ADMIN; do
		has '.linux.capabilities | index($c)' --arg c "$cap"
	done
	has '.linux.cgroup.v1 == true and .linux.cgroup.v2 == true'
	has '.linux.seccomp.enabled == true'
}

@test "--log FILE records the error of a failing command" {
	run rt --log "$TEST_DIR/log" state "$CID-nope"
	assert_failure
	grep -q "does not exist" "$TEST_DIR/log"
}

@test "silo: --log-format json writes lines with level, msg and time" {
	requires_silo
	run rt --log "$TEST_DIR/log" --log-format json state "$CID-nope"
	assert_failure
	[ -s "$TEST_DIR/log" ]
	while IFS= read -r line; do
		jq -e '(keys | sort) == ["level", "msg", "time"]
			and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$"))' \
			<<<"$line" >/dev/null || fail "not a log line: $line"
	done <"$TEST_DIR/log"
	jq -e 'select(.level == "error" and (.msg | contains("does not exist")))' \
		"$TEST_DIR/log" >/dev/null
	# The error still reaches stderr as well.
	assert_contains "$output" "does not exist"
}

@test "an unknown --log-format fails" {
	run rt --log "$TEST_DIR/log" --log-format yaml state "$CID-nope"
	assert_failure
	assert_contains "$output" yaml
}

@test "--systemd-cgroup without systemd fails with an error that says so" {
	# No systemd runs on this machine.
	[ ! -d /run/systemd/system ] || skip "systemd runs on this host"
	setup_bundle
	update_config '.linux.cgroupsPath = $p' --arg p "system.slice:silo-test:$CID"
	run rt --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	assert_failure
	[[ "${output,,}" == *systemd* ]] || fail "no mention of systemd: $output"
	assert_nothing_left
}

@test "--root keeps the state of containers apart" {
	setup_bundle
	set_args sleep 1000
	rt_create "$CID"
	other=$TEST_DIR/other-root
	mkdir "$other"
	run "${RUNTIME_CMD[@]}" --root "$other" state "$CID"
	assert_failure
	assert_contains "$output" "does not exist"
	run "${RUNTIME_CMD[@]}" --root "$other" list --quiet
	assert_status 0
	assert_equal "$output" ""
}
