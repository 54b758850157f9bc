#!/usr/bin/env bats
# image inspect, history, import and the `image` command group. What silo
# shows is compared with what skopeo reads from the registry, and imported
# images are read back by skopeo and umoci.

load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	image_setup_file_pushed
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

# ------------------------------------------------------------- inspect --

@test "image inspect shows docker's fields, as the registry has them" {
	silo pull -q "$REGISTRY/multi:latest" >/dev/null
	config=$(skopeo inspect --tls-verify=false --config "docker://$REGISTRY/multi:latest")
	raw=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/multi:latest")
	digest=sha256:$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/multi:latest" | sha256sum | cut -d' ' -f1)
	run silo image inspect "$REGISTRY/multi:latest"
	assert_status 0
	img=$(jq '.[0]' <<<"$output")
	assert_equal "$(jq length <<<"$output")" 1
	assert_equal "$(jq -r .Id <<<"$img")" "$(jq -r .config.digest <<<"$raw")"
	assert_equal "$(jq -c .RepoTags <<<"$img")" "[\"$REGISTRY/multi:latest\"]"
	assert_equal "$(jq -c .RepoDigests <<<"$img")" "[\"$REGISTRY/multi@$digest\"]"
	assert_equal "$(jq -r .Created <<<"$img")" "$(jq -r .created <<<"$config")"
	assert_equal "$(jq -r .Architecture <<<"$img")" amd64
	assert_equal "$(jq -r .Os <<<"$img")" linux
	assert_equal "$(jq -c .Config <<<"$img")" "$(jq -c .config <<<"$config")"
	assert_equal "$(jq -r .RootFS.Type <<<"$img")" layers
	assert_equal "$(jq -c .RootFS.Layers <<<"$img")" "$(jq -c .rootfs.diff_ids <<<"$config")"
	[ "$(jq -r .Size <<<"$img")" -gt 1000000 ]
	# The layers' directories, top first, as overlayfs stacks them.
	lower=$(jq -r .GraphDriver.Data.LowerDir <<<"$img")
	assert_equal "${lower%%:*}" "$(layer_dir "$REGISTRY/multi:latest" 1)"
}

@test "image inspect of several images, by ID prefix; an unknown one fails but the rest is shown" {
	silo pull -q "$REGISTRY/bb:latest" >/dev/null
	id=$(silo images -q)
	run silo image inspect "$id" no/such:image
	assert_failure
	assert_contains "$output" "no such image: no/such:image"
	run --separate-stderr silo image inspect "$id" no/such:image
	assert_equal "$(jq length <<<"$output")" 1
	assert_equal "$(jq -r '.[0].Id' <<<"$output" | cut -c8-19)" "$id"
}

# ------------------------------------------------------------- history --

@test "history lists the config's history newest first, with the layers' sizes" {
	silo pull -q "$REGISTRY/multi:latest" >/dev/null
	config=$(skopeo inspect --tls-verify=false --config "docker://$REGISTRY/multi:latest")
	entries=$(jq '.history | length' <<<"$config")
	run silo history "$REGISTRY/multi:latest"
	assert_status 0
	[ "$(echo "$output" | head -n1 | tr -s ' ')" = "IMAGE CREATED CREATED BY SIZE COMMENT" ]
	[ "$(echo "$output" | wc -l)" -eq $((entries + 1)) ]
	id=$(silo images -q)
	assert_equal "$(echo "$output" | sed -n 2p | cut -d' ' -f1)" "$id"
	assert_equal "$(echo "$output" | sed -n 3p | cut -d' ' -f1)" "<missing>"
	newest_by=$(jq -r '.history[-1].created_by' <<<"$config")
	assert_contains "$(echo "$output" | sed -n 2p)" "${newest_by:0:20}"

	run silo history --format json "$REGISTRY/multi:latest"
	assert_status 0
	[ "$(echo "$output" | wc -l)" -eq "$entries" ]
	assert_equal "$(echo "$output" | head -n1 | jq -r .ID)" "$(silo images -q --no-trunc)"
	assert_equal "$(echo "$output" | tail -n1 | jq -r .CreatedAt)" "$(jq -r '.history[0].created' <<<"$config")"
	# Sizes: the busybox layer is the bottom row.
	assert_contains "$(echo "$output" | tail -n1 | jq -r .Size)" MB

	run silo history -q "$REGISTRY/multi:latest"
	assert_equal "$(echo "$output" | head -n1)" "$id"
	run silo history --no-trunc -H=false "$REGISTRY/multi:latest"
	assert_contains "$output" "$(silo images -q --no-trunc)"
	run silo history no/such:image
	assert_failure
	assert_contains "$output" "no such image"
}

# -------------------------------------------------------------- import --

@test "import makes a one-layer image of a rootfs tarball; skopeo and umoci read it back" {
	tar -C "$FIXTURES/rootfs" -czf "$WORK/rootfs.tar.gz" .
	run silo import "$WORK/rootfs.tar.gz" example/imported:v1
	assert_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	assert_equal "$(silo images -q --no-trunc)" "$id"
	layer=$(layer_dir docker.io/example/imported:v1 0)
	cmp "$layer/bin/busybox" "$FIXTURES/rootfs/bin/busybox"
	# The stored layer is the tarball uncompressed: its digest is its DiffID.
	want=sha256:$(gzip -dc "$WORK/rootfs.tar.gz" | sha256sum | cut -d' ' -f1)
	assert_equal "$(silo image inspect example/imported:v1 | jq -c .[0].RootFS.Layers)" "[\"$want\"]"
	run silo history example/imported:v1
	assert_contains "$output" "Imported from $WORK/rootfs.tar.gz"

	silo save --format oci-archive -o "$WORK/imported.tar" example/imported:v1
	got=$(skopeo inspect --config "oci-archive:$WORK/imported.tar:example/imported:v1")
	assert_equal "$(jq -r .architecture <<<"$got")" amd64
	assert_equal "$(jq -c .rootfs.diff_ids <<<"$got")" "[\"$want\"]"
	skopeo copy -q "oci-archive:$WORK/imported.tar:example/imported:v1" "oci:$WORK/layout:t" >/dev/null
	umoci unpack --image "$WORK/layout:t" "$WORK/bundle" >/dev/null
	cmp "$WORK/bundle/rootfs/bin/busybox" "$FIXTURES/rootfs/bin/busybox"
}

@test "import from standard input with --change, --message and --platform" {
	tar -C "$FIXTURES/rootfs" -cf - . | silo import \
		-c 'CMD ["echo", "hi"]' -c 'ENTRYPOINT /bin/sh' -c 'ENV A=1 B=two' -c 'ENV C spaced value' \
		-c 'WORKDIR /srv' -c 'USER nobody' -c 'EXPOSE 80 53/udp' -c 'LABEL team=img' \
		-c 'VOLUME ["/data"]' -c 'STOPSIGNAL SIGINT' \
		-m "made by a test" --platform linux/arm64 - example/changed >/dev/null
	img=$(silo image inspect example/changed | jq '.[0]')
	assert_equal "$(jq -c .RepoTags <<<"$img")" '["example/changed:latest"]'
	assert_equal "$(jq -c .Config.Cmd <<<"$img")" '["echo","hi"]'
	assert_equal "$(jq -c .Config.Entrypoint <<<"$img")" '["/bin/sh","-c","/bin/sh"]'
	assert_equal "$(jq -c .Config.Env <<<"$img")" '["A=1","B=two","C=spaced value"]'
	assert_equal "$(jq -r .Config.WorkingDir <<<"$img")" /srv
	assert_equal "$(jq -r .Config.User <<<"$img")" nobody
	assert_equal "$(jq -c '.Config.ExposedPorts | keys' <<<"$img")" '["53/udp","80/tcp"]'
	assert_equal "$(jq -r .Config.Labels.team <<<"$img")" img
	assert_equal "$(jq -c '.Config.Volumes | keys' <<<"$img")" '["/data"]'
	assert_equal "$(jq -r .Config.StopSignal <<<"$img")" SIGINT
	assert_equal "$(jq -r .Architecture <<<"$img")" arm64
	run silo history --format json example/changed
	assert_equal "$(jq -r .Comment <<<"$output")" "made by a test"
}

@test "import refuses what is no tarball, an unknown --change, a name with a digest; nothing is stored" {
	head -c 10000 /dev/urandom >"$WORK/garbage"
	run silo import "$WORK/garbage" example/bad
	assert_failure
	assert_contains "$output" "import $WORK/garbage"
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	run silo import - example/bad </dev/null
	assert_failure
	assert_contains "$output" "the tarball is empty"
	run silo import -c 'RUN rm -rf /' "$WORK/garbage"
	assert_failure
	assert_contains "$output" "import cannot apply RUN"
	run silo import "$WORK/garbage" "example/bad@sha256:$(printf '%064d' 0)"
	assert_failure
	assert_contains "$output" "cannot have a digest"
	run silo import "$WORK/does-not-exist"
	assert_failure
	assert_contains "$output" "No such file or directory"
	run silo images -q
	assert_equal "$output" ""
	[ -z "$(ls -A "$SILO_STORE/root/blobs/sha256")" ]
	[ -z "$(ls -A "$SILO_STORE/root/layers")" ]
	nothing_in_progress
}

# ------------------------------------------------------------ image ... --

@test "the image group: ls, inspect, history, tag, save, load, rm" {
	silo image pull -q "$REGISTRY/bb:latest" >/dev/null
	run silo image ls
	assert_contains "$output" "$REGISTRY/bb"
	silo image tag "$REGISTRY/bb:latest" example/bb:group
	run silo image history -q example/bb:group
	assert_status 0
	silo image save -o "$WORK/bb.tar" example/bb:group
	run silo image rm example/bb:group
	assert_contains "$output" "Untagged: example/bb:group"
	run silo image load -i "$WORK/bb.tar"
	assert_equal "$output" "Loaded image: example/bb:group"
	run silo image inspect --help
	assert_status 0
	assert_contains "$output" "Usage:  silo image inspect"
	run silo image ls --help
	assert_contains "$output" "Usage:  silo images"
	run silo image frobnicate
	assert_status 125
	run silo image
	assert_status 125
	assert_contains "$output" "Usage:  silo image COMMAND"
}
