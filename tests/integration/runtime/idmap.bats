#!/usr/bin/env bats
# Idmapped bind mounts: mount options "idmap" / "ridmap" and a mount's own
# uidMappings / gidMappings. The mapping reads like a user namespace's:
# a file stored as containerID on disk is seen as hostID through the mount.

load ../helpers

setup() {
	silo_setup
	setup_bundle
	VOLUME=$TEST_DIR/volume
	mkdir "$VOLUME"
	echo data >"$VOLUME/owned-by-1000"
	chown 1000:1000 "$VOLUME/owned-by-1000"
}

teardown() {
	silo_teardown
}

# The second pass of scripts/check.sh runs the runtime with the new mount
# API failing (ENOSYS); an idmapped mount has no mount(2) fallback.
no_mount_api() {
	[[ $RUNTIME == */no-openat2/* ]]
}

need_mount_setattr() {
	! no_mount_api || skip "idmapped mounts need mount_setattr(2), which the no-openat2 wrapper makes fail with ENOSYS"
}

idmap_mount() {
	add_mount "$(jq -n --arg src "$VOLUME" --arg opt "$1" '{
		destination: "/data", type: "bind", source: $src, options: ["bind", $opt],
		uidMappings: [{containerID: 1000, hostID: 0, size: 1}],
		gidMappings: [{containerID: 1000, hostID: 0, size: 1}]}')"
}

@test "an idmapped mount shows a file's owner through its mapping" {
	need_mount_setattr
	idmap_mount idmap
	set_args stat -c '%u:%g' /data/owned-by-1000
	run rt_run
	assert_status 0
	assert_equal "$output" "0:0"
	# The host's view is unchanged: nothing was chowned.
	[ "$(stat -c '%u:%g' "$VOLUME/owned-by-1000")" = "1000:1000" ]
}

@test "an owner outside an idmapped mount's mapping shows as the overflow ID" {
	need_mount_setattr
	idmap_mount idmap
	touch "$VOLUME/owned-by-root"
	set_args stat -c '%u' /data/owned-by-root
	run rt_run
	assert_status 0
	assert_equal "$output" "65534"
}

@test "a file written through an idmapped mount is stored under the mapped ID" {
	need_mount_setattr
	chown 1000:1000 "$VOLUME"
	idmap_mount idmap
	set_args sh -c 'echo new >/data/new && stat -c %u /data/new'
	run rt_run
	assert_status 0
	assert_equal "$output" "0"
	[ "$(stat -c '%u:%g' "$VOLUME/new")" = "1000:1000" ]
}

@test "an idmapped mount of something that is not a bind mount is refused" {
	add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}'
	run rt_run
	assert_failure
	if is_silo; then
		assert_contains "$output" "only bind mounts can be idmapped"
	fi
	assert_nothing_left
}

@test "idmap without mappings and without a user namespace is refused" {
	add_mount "$(jq -n --arg src "$VOLUME" '{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"]}')"
	run rt_run
	assert_failure
	if is_silo; then
		assert_contains "$output" "needs uidMappings and gidMappings"
	fi
	assert_nothing_left
}

@test "without mount_setattr an idmapped mount is refused, naming the feature" {
	no_mount_api || skip "only with the new mount API failing (the no-openat2 wrapper)"
	idmap_mount idmap
	set_args true
	run rt_run
	assert_failure
	assert_contains "$output" "idmapped mounts need mount_setattr(2)"
	# Nothing of the host's volume changed hands.
	[ "$(stat -c '%u:%g' "$VOLUME/owned-by-1000")" = "1000:1000" ]
	assert_nothing_left
}
