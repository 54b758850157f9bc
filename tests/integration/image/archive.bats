#!/usr/bin/env bats
# silo load and silo save with docker archives and OCI archives. The
# archives silo reads are written by skopeo (and rearranged with GNU tar
# and jq where a test needs another shape); the archives silo writes are
# read back by skopeo and umoci, not only by silo.

load helpers

setup_file() {
	image_setup_file_pushed
	# docker-archives of the fixtures, as skopeo writes them.
	skopeo copy -q "oci:$LAYOUT:bb" "docker-archive:$FIXTURES/bb-docker.tar:example/bb:v1" >/dev/null
	skopeo copy -q "oci:$LAYOUT:multi" "docker-archive:$FIXTURES/multi-docker.tar:example/multi:v1" >/dev/null
}

teardown_file() {
	image_teardown_file
}

setup() {
	image_setup_with_work
}

teardown() {
	image_teardown
}

# unpack_archive TAR DIR: the archive's files, with GNU tar.
unpack_archive() {
	mkdir -p "$2"
	tar -C "$2" -xf "$1"
}

# nothing_stored: a failed load left no image, blob, layer or temporary file.
nothing_stored() {
	run silo images -q
	assert_equal "$output" ""
	[ -z "$(ls -A "$SILO_STORE/root/blobs/sha256")" ] || fail "blobs left: $(ls "$SILO_STORE/root/blobs/sha256")"
	[ -z "$(ls -A "$SILO_STORE/root/layers")" ] || fail "layers left: $(ls "$SILO_STORE/root/layers")"
	nothing_in_progress
}

# ---------------------------------------------------------------- load --

@test "load reads a docker-archive skopeo wrote: names, ID and layers as skopeo sees them" {
	run silo load -i "$FIXTURES/bb-docker.tar"
	assert_status 0
	assert_equal "$output" "Loaded image: example/bb:v1"
	config=$(skopeo inspect --config "docker-archive:$FIXTURES/bb-docker.tar")
	want_id=sha256:$(skopeo inspect --raw --config "docker-archive:$FIXTURES/bb-docker.tar" | sha256sum | cut -d' ' -f1)
	rec=$(silo images --format json | jq '.[0]')
	assert_equal "$(jq -r .id <<<"$rec")" "$want_id"
	assert_equal "$(jq -c .diffIDs <<<"$rec")" "$(jq -c .rootfs.diff_ids <<<"$config")"
	layer=$(layer_dir docker.io/example/bb:v1 0)
	cmp "$layer/bin/busybox" /bin/busybox
	nothing_in_progress
}

@test "load reads a docker-archive whose layers are gzip'd and whose manifest.json comes first" {
	unpack_archive "$FIXTURES/multi-docker.tar" "$WORK/x"
	for layer in $(jq -r '.[0].Layers[]' "$WORK/x/manifest.json"); do
		gzip -n "$WORK/x/$layer"
		mv "$WORK/x/$layer.gz" "$WORK/x/$layer"
	done
	(cd "$WORK/x" && tar -cf "$WORK/gz.tar" manifest.json $(ls | grep -v '^manifest.json$'))
	[ "$(tar -tf "$WORK/gz.tar" | head -n1)" = manifest.json ]
	run silo load -i "$WORK/gz.tar"
	assert_status 0
	assert_contains "$output" "Loaded image: example/multi:v1"
	top=$(layer_dir docker.io/example/multi:v1 1)
	assert_equal "$(cat "$top/etc/added")" added
	[ -c "$top/etc/group" ]
	manifest=$(silo images --format json | jq -r '.[0].manifest')
	jq -e '.layers | all(.mediaType == "application/vnd.oci.image.layer.v1.tar+gzip")' \
		"$SILO_STORE/root/blobs/sha256/${manifest#sha256:}" >/dev/null
}

@test "load reads a compressed docker-archive, from a file and from standard input" {
	gzip -c "$FIXTURES/bb-docker.tar" >"$WORK/bb.tar.gz"
	run silo load -i "$WORK/bb.tar.gz"
	assert_status 0
	assert_contains "$output" "Loaded image: example/bb:v1"
	silo rmi example/bb:v1 >/dev/null
	run silo load <"$WORK/bb.tar.gz"
	assert_status 0
	assert_contains "$output" "Loaded image: example/bb:v1"
	run silo load -q -i - < <(cat "$FIXTURES/bb-docker.tar")
	assert_status 0
	assert_equal "$output" ""
	nothing_in_progress
}

@test "load follows docker's legacy <id>/layer.tar symlinks and names by repositories without RepoTags" {
	unpack_archive "$FIXTURES/bb-docker.tar" "$WORK/x"
	link=$(cd "$WORK/x" && find . -name layer.tar -type l | head -n1)
	[ -n "$link" ]
	jq --arg l "${link#./}" '[.[0] | .Layers = [$l] | del(.RepoTags)]' "$WORK/x/manifest.json" >"$WORK/m"
	mv "$WORK/m" "$WORK/x/manifest.json"
	echo '{"example/legacy":{"old":"x"}}' >"$WORK/x/repositories"
	tar -C "$WORK/x" -cf "$WORK/legacy.tar" .
	run silo load -i "$WORK/legacy.tar"
	assert_status 0
	assert_equal "$output" "Loaded image: example/legacy:old"
}

@test "load reads an archive of several images; a layer they share is stored once" {
	unpack_archive "$FIXTURES/bb-docker.tar" "$WORK/x"
	unpack_archive "$FIXTURES/multi-docker.tar" "$WORK/y"
	jq -s '.[0] + .[1]' "$WORK/x/manifest.json" "$WORK/y/manifest.json" >"$WORK/manifest.json"
	cp -an "$WORK/y/." "$WORK/x/"
	mv "$WORK/manifest.json" "$WORK/x/manifest.json"
	tar -C "$WORK/x" -cf "$WORK/two.tar" .
	run silo load -i "$WORK/two.tar"
	assert_status 0
	assert_contains "$output" "Loaded image: example/bb:v1"
	assert_contains "$output" "Loaded image: example/multi:v1"
	[ "$(ls "$SILO_STORE/root/layers" | wc -l)" -eq 2 ]
}

@test "a docker-archive layer that does not match its DiffID is refused and nothing is stored" {
	unpack_archive "$FIXTURES/multi-docker.tar" "$WORK/x"
	layer=$(jq -r '.[0].Layers[1]' "$WORK/x/manifest.json")
	# A valid tar, with other content: only the DiffID can tell.
	mkdir "$WORK/other" && echo other >"$WORK/other/file"
	tar -C "$WORK/other" -cf "$WORK/x/$layer" .
	tar -C "$WORK/x" -cf "$WORK/bad.tar" .
	run silo load -i "$WORK/bad.tar"
	assert_failure
	assert_contains "$output" "uncompressed content is"
	assert_contains "$output" "but the image config says"
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	nothing_stored
}

@test "a docker-archive config that does not hash to its name is refused and nothing is stored" {
	unpack_archive "$FIXTURES/bb-docker.tar" "$WORK/x"
	config=$(jq -r '.[0].Config' "$WORK/x/manifest.json")
	jq -c '.author = "someone else"' "$WORK/x/$config" >"$WORK/c" && mv "$WORK/c" "$WORK/x/$config"
	tar -C "$WORK/x" -cf "$WORK/bad.tar" .
	run silo load -i "$WORK/bad.tar"
	assert_failure
	assert_contains "$output" "digest mismatch"
	nothing_stored
}

@test "broken docker-archives: a missing layer, a truncated tar, a bad manifest.json" {
	unpack_archive "$FIXTURES/bb-docker.tar" "$WORK/x"
	layer=$(jq -r '.[0].Layers[0]' "$WORK/x/manifest.json")
	(cd "$WORK/x" && tar -cf "$WORK/missing.tar" --exclude "./$layer" --exclude "*/layer.tar" .)
	run silo load -i "$WORK/missing.tar"
	assert_failure
	assert_contains "$output" "manifest.json lists $layer, which is not in the archive"
	nothing_stored

	head -c 1000000 "$FIXTURES/bb-docker.tar" >"$WORK/truncated.tar"
	run silo load -i "$WORK/truncated.tar"
	assert_failure
	assert_contains "$output" "$WORK/truncated.tar"
	nothing_stored

	echo '{"not": "a list"}' >"$WORK/x/manifest.json"
	tar -C "$WORK/x" -cf "$WORK/badmanifest.tar" .
	run silo load -i "$WORK/badmanifest.tar"
	assert_failure
	assert_contains "$output" "manifest.json is not a list of images"
	nothing_stored
}

@test "load reads an oci-archive skopeo wrote" {
	skopeo copy -q "oci:$LAYOUT:multi" "oci-archive:$WORK/multi-oci.tar:example/multi:oci" >/dev/null
	run silo load -i "$WORK/multi-oci.tar"
	assert_status 0
	assert_contains "$output" "Loaded image: example/multi:oci"
	want=sha256:$(tar -xOf "$WORK/multi-oci.tar" index.json | jq -r '.manifests[0].digest' | cut -d: -f2)
	assert_equal "$(silo images --format json | jq -r '.[0].manifest')" "$want"
}

# ---------------------------------------------------------------- save --

@test "save writes a docker-archive skopeo reads, with the image's config and layers" {
	silo pull -q "$REGISTRY/multi:latest" >/dev/null
	run silo save -o "$WORK/multi.tar" "$REGISTRY/multi:latest"
	assert_status 0
	assert_equal "$output" ""
	want=$(skopeo inspect --tls-verify=false --config "docker://$REGISTRY/multi:latest")
	got=$(skopeo inspect --config "docker-archive:$WORK/multi.tar")
	assert_equal "$(jq -c .rootfs <<<"$got")" "$(jq -c .rootfs <<<"$want")"
	assert_equal "$(jq -r '.[0].RepoTags[0]' <(tar -xOf "$WORK/multi.tar" manifest.json))" "$REGISTRY/multi:latest"
	# The config goes out byte for byte: the image ID stays.
	id=$(skopeo inspect --raw --config "docker-archive:$WORK/multi.tar" | sha256sum | cut -d' ' -f1)
	assert_equal "sha256:$id" "$(silo images -q --no-trunc)"
	ls "$WORK"/multi.tar.silo-* 2>/dev/null && fail "temporary file left"
	true
}

@test "skopeo copies silo's docker-archive to an OCI layout that umoci unpacks" {
	silo pull -q "$REGISTRY/multi:latest" >/dev/null
	silo save "$REGISTRY/multi:latest" >"$WORK/multi.tar"
	skopeo copy -q "docker-archive:$WORK/multi.tar" "oci:$WORK/layout:t" >/dev/null
	umoci unpack --image "$WORK/layout:t" "$WORK/bundle" >/dev/null
	cmp "$WORK/bundle/rootfs/bin/busybox" /bin/busybox
	assert_equal "$(cat "$WORK/bundle/rootfs/etc/added")" added
	[ ! -e "$WORK/bundle/rootfs/etc/group" ]
	[ -d "$WORK/bundle/rootfs/home/new" ]
}

@test "save --format oci-archive keeps the registry's digests; skopeo and umoci read it" {
	silo pull -q "$REGISTRY/bb:latest" >/dev/null
	run silo save --format oci-archive -o "$WORK/bb-oci.tar" "$REGISTRY/bb:latest"
	assert_status 0
	registry_digest=sha256:$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/bb:latest" | sha256sum | cut -d' ' -f1)
	got=$(skopeo inspect "oci-archive:$WORK/bb-oci.tar:$REGISTRY/bb:latest")
	assert_equal "$(jq -r .Digest <<<"$got")" "$registry_digest"
	unpack_archive "$WORK/bb-oci.tar" "$WORK/layout"
	[ "$(jq -r .imageLayoutVersion "$WORK/layout/oci-layout")" = 1.0.0 ]
	skopeo copy -q "oci:$WORK/layout:$REGISTRY/bb:latest" "oci:$WORK/plain:t" >/dev/null
	umoci unpack --image "$WORK/plain:t" "$WORK/bundle" >/dev/null
	cmp "$WORK/bundle/rootfs/bin/busybox" /bin/busybox
}

@test "save and load round trip: same ID, same layers, in both formats" {
	silo pull -q "$REGISTRY/multi:latest" >/dev/null
	id=$(silo images -q --no-trunc)
	diffs=$(silo images --format json | jq -c '.[0].diffIDs')
	silo save -o "$WORK/d.tar" "$REGISTRY/multi:latest"
	silo save --format oci-archive -o "$WORK/o.tar" "$REGISTRY/multi:latest"
	for archive in d.tar o.tar; do
		silo rmi "$REGISTRY/multi:latest" >/dev/null
		nothing_stored
		run silo load -i "$WORK/$archive"
		assert_status 0
		assert_equal "$output" "Loaded image: $REGISTRY/multi:latest"
		assert_equal "$(silo images -q --no-trunc)" "$id"
		assert_equal "$(silo images --format json | jq -c '.[0].diffIDs')" "$diffs"
		assert_equal "$(cat "$(layer_dir "$REGISTRY/multi:latest" 1)/etc/added")" added
	done
}

@test "save of several images writes a shared layer once; each image reads back by name" {
	silo pull -q "$REGISTRY/bb:latest" >/dev/null
	silo pull -q "$REGISTRY/multi:latest" >/dev/null
	silo save -o "$WORK/both.tar" "$REGISTRY/bb:latest" "$REGISTRY/multi:latest"
	base=$(silo images --format json | jq -r --arg n "$REGISTRY/bb:latest" '.[] | select(.names | index($n)) | .diffIDs[0]')
	[ "$(tar -tf "$WORK/both.tar" | grep -c "${base#sha256:}")" -eq 1 ]
	[ "$(tar -xOf "$WORK/both.tar" manifest.json | jq length)" -eq 2 ]
	run skopeo inspect --config "docker-archive:$WORK/both.tar:$REGISTRY/multi:latest"
	assert_status 0
	assert_equal "$(jq '.rootfs.diff_ids | length' <<<"$output")" 2
}

@test "save by ID writes no name; load then reports the ID" {
	silo pull -q "$REGISTRY/bb:latest" >/dev/null
	id=$(silo images -q --no-trunc)
	silo save -o "$WORK/id.tar" "${id:7:12}"
	assert_equal "$(tar -xOf "$WORK/id.tar" manifest.json | jq -c '.[0].RepoTags')" null
	silo rmi "$REGISTRY/bb:latest" >/dev/null
	run silo load -i "$WORK/id.tar"
	assert_status 0
	assert_equal "$output" "Loaded image ID: $id"
}

@test "save fails clearly: an unknown image, a terminal, a bad --format; no file is left" {
	run silo save -o "$WORK/none.tar" no/such:image
	assert_failure
	assert_contains "$output" "no such image: no/such:image"
	[ -z "$(ls -A "$WORK")" ]
	silo pull -q "$REGISTRY/bb:latest" >/dev/null
	run script -qec "$SILO --root $SILO_STORE/root save $REGISTRY/bb:latest" /dev/null
	assert_failure
	assert_contains "$output" "cowardly refusing to save to a terminal"
	run silo save --format tarball "$REGISTRY/bb:latest"
	assert_status 125
}

# ---------------------------------------------------------- libarchive --

@test "libarchive is opened only to read an archive: other commands run without it, load and pull say it is missing" {
	run readelf -d "$BUILD_DIR/silo-engine.so"
	assert_status 0
	assert_not_contains "$output" "libarchive"
	silo pull -q "$REGISTRY/bb:latest" >/dev/null
	mkdir "$WORK/lib"
	ln -s "$BUILD_DIR/tests/archive_stub.so" "$WORK/lib/libarchive.so.13"

	LD_LIBRARY_PATH=$WORK/lib run silo images -q
	assert_status 0
	[ -n "$output" ] || fail "no image listed"
	LD_LIBRARY_PATH=$WORK/lib run silo pull -q "$REGISTRY/multi:latest"
	assert_failure
	assert_contains "$output" "load libarchive.so.13: it has no archive_read_new"
	run silo rmi "$REGISTRY/bb:latest"
	assert_status 0
	LD_LIBRARY_PATH=$WORK/lib run silo load -i "$FIXTURES/bb-docker.tar"
	assert_failure
	assert_contains "$output" "load libarchive.so.13: it has no archive_read_new"
	nothing_stored
}
