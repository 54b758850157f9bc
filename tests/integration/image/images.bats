#!/usr/bin/env bats
# images, tag and rmi on a store filled by pulls from a local registry.

load helpers

setup_file() {
	image_setup_file_pushed
}

teardown_file() {
	image_teardown_file
}

setup() {
	image_setup
	silo pull -q "$REGISTRY/bb:latest" >/dev/null
}

teardown() {
	image_teardown
}

@test "tag adds a name; rmi of one name keeps the image" {
	run silo tag "$REGISTRY/bb:latest" example/bb:v1
	assert_status 0
	run silo images
	assert_contains "$output" "example/bb"
	assert_contains "$output" "v1"
	run silo rmi example/bb:v1
	assert_status 0
	assert_contains "$output" "Untagged: example/bb:v1"
	assert_not_contains "$output" "Deleted"
	[ -n "$(ls -A "$SILO_STORE/root/layers")" ]
}

@test "rmi of the last name deletes the image, its layers and blobs" {
	run silo rmi "$REGISTRY/bb:latest"
	assert_status 0
	assert_contains "$output" "Deleted: sha256:"
	run silo images -q
	assert_equal "$output" ""
	[ -z "$(ls -A "$SILO_STORE/root/layers")" ]
	[ -z "$(ls -A "$SILO_STORE/root/blobs/sha256")" ]
}

@test "rmi keeps the layers another image still uses" {
	silo pull -q "$REGISTRY/multi:latest"
	silo rmi "$REGISTRY/multi:latest"
	[ "$(ls "$SILO_STORE/root/layers" | wc -l)" -eq 1 ]
	[ -x "$(layer_dir "$REGISTRY/bb:latest" 0)/bin/busybox" ]
}

@test "rmi by ID prefix; several names need -f" {
	id=$(silo images -q)
	silo tag "$id" example/other
	run silo rmi "$id"
	assert_failure
	assert_contains "$output" "multiple repositories"
	run silo rmi -f "$id"
	assert_status 0
	run silo images -q
	assert_equal "$output" ""
}

@test "rmi and tag of unknown images fail" {
	run silo rmi no/such:image
	assert_failure
	assert_contains "$output" "no such image"
	run silo tag no/such:image x
	assert_failure
	assert_contains "$output" "no such image"
}

@test "images --format json has the records" {
	run silo images --format json
	assert_status 0
	assert_equal "$(jq -r '.[0].names[0]' <<<"$output")" "$REGISTRY/bb:latest"
	assert_equal "$(jq -r '.[0].layers | length' <<<"$output")" 1
}
