#!/usr/bin/env bats
# silo pull against a real registry on 127.0.0.1, with fixtures made by
# umoci and pushed by skopeo.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	image_setup_file_pushed
	push zstd zstd:latest --dest-compress-format zstd
	push index multiarch:latest --all
	push corrupt corrupt:latest
}

teardown_file() {
	image_teardown_file
}

setup() {
	image_setup
}

teardown() {
	image_teardown
}

@test "pull of a single-layer image unpacks its rootfs and lists it" {
	run silo pull "$REGISTRY/bb:latest"
	assert_status 0
	assert_contains "$output" "Pull complete"
	assert_contains "$output" "Status: Downloaded newer image for $REGISTRY/bb:latest"
	layer=$(layer_dir "$REGISTRY/bb:latest" 0)
	[ -x "$layer/bin/busybox" ]
	[ "$(readlink "$layer/bin/sh")" = busybox ]
	cmp "$layer/bin/busybox" /bin/busybox
	run silo images
	assert_status 0
	assert_contains "$output" "$REGISTRY/bb"
	assert_contains "$output" "latest"
	nothing_in_progress
}

@test "pull --quiet prints the image ID, the config digest skopeo sees" {
	run silo pull --quiet "$REGISTRY/bb:latest"
	assert_status 0
	want=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/bb:latest" | jq -r .config.digest)
	assert_equal "$output" "$want"
	run silo images -q
	assert_equal "$output" "$(echo "${want#sha256:}" | cut -c1-12)"
}

@test "pull of a multi-layer image: a whiteout and a replaced directory" {
	run silo pull "$REGISTRY/multi:latest"
	assert_status 0
	top=$(layer_dir "$REGISTRY/multi:latest" 1)
	assert_equal "$(cat "$top/etc/added")" added
	# /etc/group deleted in the top layer: an overlayfs whiteout.
	[ -c "$top/etc/group" ]
	assert_equal "$(stat -c %t:%T "$top/etc/group")" 0:0
	[ -d "$top/home/new" ]
	base=$(layer_dir "$REGISTRY/multi:latest" 0)
	[ -f "$base/etc/group" ]
}

@test "layers are shared between images: a second image reuses the base layer" {
	silo pull -q "$REGISTRY/bb:latest"
	run silo pull "$REGISTRY/multi:latest"
	assert_status 0
	assert_contains "$output" "Already exists"
	[ "$(ls "$SILO_STORE/root/layers" | wc -l)" -eq 2 ]
	run silo pull "$REGISTRY/multi:latest"
	assert_contains "$output" "Status: Image is up to date"
}

@test "pull of a zstd-compressed layer" {
	mt=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/zstd:latest" | jq -r '.layers[0].mediaType')
	assert_contains "$mt" zstd
	run silo pull "$REGISTRY/zstd:latest"
	assert_status 0
	layer=$(layer_dir "$REGISTRY/zstd:latest" 0)
	[ -x "$layer/bin/busybox" ]
	assert_equal "$(cat "$layer/etc/zstd-marker")" zstd
}

@test "pull of an index picks the host platform, --platform another" {
	run silo pull -q "$REGISTRY/multiarch:latest"
	assert_status 0
	assert_equal "$(silo images --format json | jq -r '.[0].platform')" linux/amd64
	amd64=$output
	run silo pull -q --platform linux/arm64 "$REGISTRY/multiarch:latest"
	assert_status 0
	[ "$output" != "$amd64" ]
	assert_equal "$(silo images --format json | jq -r --arg id "$output" '.[] | select(.id == $id) | .platform')" linux/arm64
	run silo pull --platform linux/s390x "$REGISTRY/multiarch:latest"
	assert_failure
	assert_contains "$output" "no image for platform linux/s390x"
}

@test "pull by digest" {
	digest=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/bb:latest" | sha256sum | cut -d' ' -f1)
	run silo pull "$REGISTRY/bb@sha256:$digest"
	assert_status 0
	run silo images --digests
	assert_contains "$output" "sha256:$digest"
}

@test "a blob with a wrong digest is rejected and nothing of it is kept" {
	blob=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/corrupt:latest" | jq -r '.layers[0].digest')
	data=$FIXTURES/plain/data/docker/registry/v2/blobs/sha256/${blob:7:2}/${blob#sha256:}/data
	[ -f "$data" ]
	cp "$data" "$FIXTURES/corrupt.saved"
	size=$(stat -c %s "$data")
	# Same size, other bytes: only the digest can tell.
	head -c "$size" /dev/urandom >"$data"
	run silo pull "$REGISTRY/corrupt:latest"
	cp "$FIXTURES/corrupt.saved" "$data"
	assert_failure
	assert_contains "$output" "digest mismatch"
	[ ! -e "$SILO_STORE/root/blobs/sha256/${blob#sha256:}" ]
	[ -z "$(ls -A "$SILO_STORE/root/layers")" ]
	nothing_in_progress
	run silo images -q
	assert_equal "$output" ""
}

@test "invalid and unknown references fail with a clear message" {
	run silo pull "Bad/Name"
	assert_failure
	assert_contains "$output" "must be lowercase"
	run silo pull "$REGISTRY/does-not-exist:latest"
	assert_failure
	assert_contains "$output" "not found"
	run -125 silo pull --tls-verify=maybe "$REGISTRY/bb:latest"
	assert_contains "$output" 'invalid --tls-verify "maybe": want true or false'
	run -125 silo login --tls-verify=maybe -u u --password-stdin "$REGISTRY" </dev/null
	assert_contains "$output" 'invalid --tls-verify "maybe"'
}

@test "loopback registries speak plain HTTP without configuration" {
	run silo pull -q "localhost:${REGISTRY##*:}/bb:latest"
	assert_status 0
}
