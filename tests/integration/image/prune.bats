#!/usr/bin/env bats
# image prune and the image part of system prune: dangling (untagged)
# images, -a for every image no container uses, the until= and label=
# filters, and the store's garbage collection behind them. Each test has a
# store of its own; the effect is checked in it: the blobs and unpacked
# layers are gone, and the ones a kept image shares stay.

bats_require_minimum_version 1.5.0

load ../engine/helpers

# Besides the engine's bb and cfg (cfg is bb's layer plus one of its own):
#   old       bb with a config made in 2020
#   labeled   bb with the label tier=web
setup_file() {
	engine_setup_file
	umoci tag --image "$LAYOUT:bb" old
	umoci config --image "$LAYOUT:old" --created 2020-01-01T00:00:00Z --author old
	umoci tag --image "$LAYOUT:bb" labeled
	umoci config --image "$LAYOUT:labeled" --config.label tier=web
	push old "silo/old:latest"
	push labeled "silo/labeled:latest"
	push bb "silo/app:latest"
	export OLD=$REGISTRY/silo/old:latest LABELED=$REGISTRY/silo/labeled:latest APP=$REGISTRY/silo/app:latest
}
teardown_file() { engine_teardown_file; }

setup() {
	engine_setup
	ENGINE_STORE=$(mktemp -d /tmp/silo-test-engine.XXXXXX)
	export ENGINE_STORE
}

teardown() {
	engine_teardown
	rm -rf --one-file-system "$ENGINE_STORE"
}

pull() {
	silo pull -q "$1" >/dev/null
}

# make_dangling: app:latest is first bb, then cfg, so the bb image loses
# its name. Sets old_id and new_id.
make_dangling() {
	push bb "silo/app:latest"
	pull "$APP"
	old_id=$(field "$APP" .id)
	push cfg "silo/app:latest"
	pull "$APP"
	new_id=$(field "$APP" .id)
	[ "$old_id" != "$new_id" ]
}

# field IMAGE JQ: a field of the image's record.
field() {
	silo images --format json | jq -r --arg n "$1" ".[] | select(.names | index(\$n)) | $2"
}

blob_exists() {
	[ -f "$ENGINE_STORE/root/blobs/sha256/${1#sha256:}" ]
}

layer_exists() {
	[ -d "$ENGINE_STORE/root/layers/${1#sha256:}/diff" ]
}

# image_files IMAGE: the config, manifest and layer blobs and the layers.
image_files() {
	field "$1" '[.id, .manifest] + .blobs + .layers | .[]'
}

@test "image prune removes a dangling image with its own blobs; the layer a tagged image shares stays" {
	pull "$BB"
	old_manifest=$(field "$BB" .manifest)
	shared=$(field "$BB" '.layers[0]')
	silo rmi "$BB" >/dev/null
	make_dangling
	[ "$(silo images --format json | jq -r --arg id "$old_id" '.[] | select(.id == $id) | .manifest')" = "$old_manifest" ]
	[ "$(field "$APP" '.layers[0]')" = "$shared" ]
	run silo images
	[[ "$output" == *"<none>"*"${old_id:7:12}"* ]]
	blob_exists "$old_id"
	blob_exists "$old_manifest"

	run silo image prune -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Images:" ]
	[[ "$output" == *"deleted: $old_id"* ]]
	[[ "$output" != *"$new_id"* ]]
	[[ "${lines[-1]}" == "Total reclaimed space: "* ]]
	[[ "${lines[-1]}" != *" 0B" ]]
	! blob_exists "$old_id"
	! blob_exists "$old_manifest"
	# The tagged image keeps everything, the shared layer included, and runs.
	for f in $(image_files "$APP"); do
		case $f in sha256:*) ;; *) fail "not a digest: $f" ;; esac
		blob_exists "$f" || layer_exists "$f" || fail "$f of app:latest is gone"
	done
	layer_exists "$shared"
	# (cfg's entrypoint is sh -c.)
	run silo run --rm --network none "$APP" 'grep -c "^wheel:x:10:user$" /etc/group'
	[ "$output" = 1 ]
	run silo images -q
	[ "$output" = "${new_id:7:12}" ]
	# Nothing left to prune: only the total, of nothing.
	run silo image prune -f
	[ "$output" = "Total reclaimed space: 0B" ]
}

@test "image prune -a removes every image no container uses; a stopped container keeps its image" {
	pull "$BB"
	pull "$CFG"
	bb_id=$(field "$BB" .id)
	bb_manifest=$(field "$BB" .manifest)
	cfg_id=$(field "$CFG" .id)
	cfg_files=$(image_files "$CFG")
	shared=$(field "$CFG" '.layers[0]')
	[ "$(field "$BB" '.layers[0]')" = "$shared" ]
	silo create --name keeper --network none "$CFG" true >/dev/null

	# Without -a a tagged image is not dangling: nothing goes.
	run silo image prune -f
	[ "$output" = "Total reclaimed space: 0B" ]
	blob_exists "$bb_id"

	run silo image prune -a -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Images:" ]
	[[ "$output" == *"untagged: $REGISTRY/silo/bb:latest"* ]]
	[[ "$output" == *"deleted: $bb_id"* ]]
	[[ "$output" != *silo/cfg* ]]
	! blob_exists "$bb_id"
	! blob_exists "$bb_manifest"
	for f in $cfg_files; do
		blob_exists "$f" || layer_exists "$f" || fail "$f of cfg is gone"
	done
	# The container still starts from its image.
	run silo start -a keeper
	[ "$status" -eq 0 ]

	silo rm keeper
	run silo image prune -a -f
	[[ "$output" == *"deleted: $cfg_id"* ]]
	[[ "$output" == *"untagged: $REGISTRY/silo/cfg:latest"* ]]
	run silo images -q
	[ -z "$output" ]
	[ -z "$(ls -A "$ENGINE_STORE/root/layers")" ]
	[ -z "$(ls -A "$ENGINE_STORE/root/blobs/sha256")" ]
}

@test "image prune --filter until= and label= choose among the unused images" {
	pull "$BB"
	pull "$OLD"
	pull "$LABELED"
	old_id=$(field "$OLD" .id)
	labeled_id=$(field "$LABELED" .id)
	bb_id=$(field "$BB" .id)

	# Created more than a day ago: only old (2020).
	run silo image prune -a -f --filter until=24h
	[ "$status" -eq 0 ]
	[[ "$output" == *"deleted: $old_id"* ]]
	[[ "$output" != *"$bb_id"* && "$output" != *"$labeled_id"* ]]
	! blob_exists "$old_id"
	blob_exists "$bb_id"
	# An RFC 3339 date before every image: nothing.
	run silo image prune -a -f --filter until=2019-06-01T00:00:00Z
	[ "$output" = "Total reclaimed space: 0B" ]

	run silo image prune -a -f --filter label=tier=db
	[ "$output" = "Total reclaimed space: 0B" ]
	# Without the label tier: bb goes, labeled stays.
	run silo image prune -a -f --filter 'label!=tier'
	[[ "$output" == *"deleted: $bb_id"* ]]
	[[ "$output" != *"$labeled_id"* ]]
	! blob_exists "$bb_id"
	blob_exists "$labeled_id"
	run silo image prune -a -f --filter label=tier=web --filter until=1700000000
	[ "$output" = "Total reclaimed space: 0B" ]
	run silo image prune -a -f --filter label=tier=web
	[[ "$output" == *"deleted: $labeled_id"* ]]
	! blob_exists "$labeled_id"
	[ -z "$(ls -A "$ENGINE_STORE/root/layers")" ]
}

@test "image prune refuses a bad --filter naming it, and asks before it removes anything" {
	make_dangling
	run silo image prune -f --filter bogus=1
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --filter "bogus=1"'* ]]
	run silo image prune -f --filter until=soon
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --filter "until=soon"'* ]]
	run silo image prune -f --filter label=
	[ "$status" -eq 125 ]
	run silo image prune extra
	[ "$status" -eq 125 ]
	[[ "$output" == *'"extra"'* ]]
	# Answered no: nothing goes.
	run silo image prune <<<n
	[ "$status" -eq 0 ]
	[[ "$output" == *"WARNING! This will remove all dangling images."* ]]
	[[ "$output" != *deleted:* ]]
	[ "$(silo images -q | wc -l)" -eq 2 ]
	run silo image prune <<<y
	[[ "$output" == *deleted:* ]]
	[ "$(silo images -q | wc -l)" -eq 1 ]
	run silo image --help
	[[ "$output" == *prune* ]]
}

@test "system prune removes dangling images and what no image refers to; -a every unused image" {
	make_dangling
	# What a killed rmi or pull could leave: a layer and a blob no record
	# has.
	orphan=$(printf orphan | sha256sum | cut -d' ' -f1)
	printf orphan >"$ENGINE_STORE/root/blobs/sha256/$orphan"
	mkdir -p "$ENGINE_STORE/root/layers/$orphan/diff"
	silo run --name stopped --network none "$APP" true >/dev/null

	run silo system prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted Containers:"*"Deleted Images:"*"deleted: $old_id"* ]]
	[[ "${lines[-1]}" == "Total reclaimed space: "* ]]
	! blob_exists "$old_id"
	! blob_exists "$orphan"
	! layer_exists "$orphan"
	[ ! -e "$ENGINE_STORE/root/layers/$orphan" ]
	# The tagged image stays without -a, though its container went.
	blob_exists "$new_id"
	run silo ps -a -q
	[ -z "$output" ]

	silo create --name user --network none "$APP" true >/dev/null
	# -a: the created container goes first, then nothing keeps the image.
	run silo system prune -a -f
	[[ "$output" == *"Deleted Images:"*"untagged: $REGISTRY/silo/app:latest"*"deleted: $new_id"* ]]
	[ -z "$(silo images -q)" ]
	[ -z "$(ls -A "$ENGINE_STORE/root/layers")" ]
	[ -z "$(ls -A "$ENGINE_STORE/root/blobs/sha256")" ]
}

@test "rmi refuses an image a container uses, naming it; -f only untags it, and its layers stay for the container" {
	pull "$CFG"
	cfg_id=$(field "$CFG" .id)
	cfg_files=$(image_files "$CFG")
	cid=$(silo create --name user --network none "$CFG" "echo still-runs")

	run silo rmi "$CFG"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container ${cid:0:12} uses it"* ]]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(silo images -q --no-trunc)" = "$cfg_id" ]

	run silo rmi -f "$CFG"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Untagged: $REGISTRY/silo/cfg:latest" ]
	[[ "$output" != *Deleted* ]]
	# Dangling now, and kept: every blob and layer, and the container starts.
	run silo images --format json
	[ "$(echo "$output" | jq -r '.[0].id')" = "$cfg_id" ]
	[ "$(echo "$output" | jq -r '.[0].names | length')" = 0 ]
	for f in $cfg_files; do
		blob_exists "$f" || layer_exists "$f" || fail "$f of cfg is gone"
	done
	run silo start -a user
	[ "$status" -eq 0 ]
	[ "$output" = still-runs ] || fail "start -a: $output"
	# A prune leaves it while the container is there, takes it after.
	silo image prune -f >/dev/null
	[ "$(silo images -q --no-trunc)" = "$cfg_id" ]
	silo rm user >/dev/null
	run silo image prune -f
	[[ "$output" == *"deleted: $cfg_id"* ]]
	[ -z "$(ls -A "$ENGINE_STORE/root/layers")" ]
}
