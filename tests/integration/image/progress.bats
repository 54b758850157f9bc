#!/usr/bin/env bats
# What pull shows while it works: on a terminal (script(1) gives it one), a
# line per layer redrawn in place with a bar, bytes of total and speed;
# into a pipe, one plain line per step and no escape sequence. Loopback is
# slowed (inside the suite's network namespace only) so that the download
# lasts long enough to be shown.

load helpers

setup_file() {
	image_setup_file
	build_fixtures
	build_big_fixtures
	push bigtop bigtop:latest
	export LAYOUT
}

teardown_file() {
	image_teardown_file
}

setup() {
	in_private_netns || skip "slows loopback: needs the suite's own network namespace (SILO_CHECK_NETNS=1)"
	image_setup
	shape_loopback 8mbit
}

teardown() {
	unshape_loopback
	image_teardown
}

layer_ids() {
	skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/bigtop:latest" |
		jq -r '.layers[].digest' | cut -c8-19
}

@test "on a terminal each layer has a line, redrawn with its bytes, total and speed" {
	run script -qec "$SILO --root $SILO_STORE/root pull $REGISTRY/bigtop:latest" /dev/null
	assert_status 0
	out=$(tr -d '\r' <<<"$output")
	for id in $(layer_ids); do
		assert_contains "$out" "$id: Pull complete"
	done
	big=$(layer_ids | head -n1)
	# The big layer while it came: a bar, MB of MB, and a speed.
	grep -qE "$big: Downloading \[=*>? *\] [0-9.]+[kM]B/[0-9.]+MB  [0-9.]+[kM]?B/s" <<<"$out" ||
		fail "no progress line for $big in: $out"
	# Drawn in place: the cursor goes back up over the two layer lines.
	assert_contains "$output" $'\033[2A'
	assert_contains "$out" "Status: Downloaded newer image for $REGISTRY/bigtop:latest"
}

@test "into a pipe, pull writes one plain line per step, without escape sequences" {
	run silo pull "$REGISTRY/bigtop:latest"
	assert_status 0
	assert_not_contains "$output" $'\033'
	assert_not_contains "$output" $'\r'
	assert_not_contains "$output" "Downloading"
	for id in $(layer_ids); do
		for step in "Pulling fs layer" "Download complete" "Pull complete"; do
			[ "$(grep -c "^$id: $step\$" <<<"$output")" -eq 1 ] || fail "want one \"$id: $step\" in: $output"
		done
	done
	run silo pull "$REGISTRY/bigtop:latest"
	assert_contains "$output" "Already exists"
	assert_contains "$output" "Status: Image is up to date"
}
