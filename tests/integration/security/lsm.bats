#!/usr/bin/env bats
# LSM labels: a profile or label the host cannot apply is refused, so a
# container never runs unconfined while its config asked for confinement.
# (Applying a real profile needs a host with AppArmor or SELinux enabled;
# these machines have neither, and the tests skip where one is enabled.)

load ../helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

apparmor_on() {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]
}

selinux_on() {
	[ -e /sys/fs/selinux/enforce ]
}

@test "unconfined by accident: an AppArmor profile without AppArmor fails create and leaves nothing" {
	apparmor_on && skip "AppArmor is enabled on this host"
	update_config '.process.apparmorProfile = "silo-test-profile"'
	run rt_run
	assert_failure
	if is_silo; then
		assert_contains "$output" "process.apparmorProfile"
		assert_contains "$output" "AppArmor is not enabled"
	fi
	assert_nothing_left
}

@test "unconfined by accident: an SELinux label without SELinux fails create and leaves nothing" {
	selinux_on && skip "SELinux is enabled on this host"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run rt_run
	assert_failure
	if is_silo; then
		assert_contains "$output" "process.selinuxLabel"
	fi
	assert_nothing_left
}

@test "unconfined by accident: exec --apparmor without AppArmor fails and starts nothing" {
	apparmor_on && skip "AppArmor is enabled on this host"
	set_args sleep 1000
	rt_create "$CID"
	rt start "$CID"
	wait_for_status "$CID" running
	run rt exec --apparmor silo-test-profile "$CID" true
	assert_failure
	if is_silo; then
		assert_contains "$output" "AppArmor is not enabled"
	fi
	run rt exec "$CID" sh -c 'ps | grep -c "[t]rue"'
	assert_equal "$output" "0"
}
