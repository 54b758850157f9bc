#!/usr/bin/env bats
# silo load -i: images from an OCI layout tar archive (built with umoci,
# never with silo) and from docker archives (written by skopeo), silo save
# and silo import, each image run with silo run.

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() {
	engine_setup
	LOAD_STORE=$(mktemp -d /tmp/silo-test-load.XXXXXX)
}
teardown() {
	local id left
	for id in $("$SILO" --root "$LOAD_STORE" ps -aq --no-trunc 2>/dev/null); do
		"$SILO" --root "$LOAD_STORE" rm -f "$id" >/dev/null 2>&1 || true
	done
	left=$(grep " $LOAD_STORE/" /proc/self/mountinfo || true)
	rm -rf --one-file-system "$LOAD_STORE"
	[ -z "$left" ] || fail "mounts left: $left"
	engine_teardown
}

@test "load -i reads an OCI layout tar, names images by ref.name, and they run" {
	cp -a "$LAYOUT" "$LOAD_STORE/layout"
	umoci tag --image "$LOAD_STORE/layout:bb" busybox:demo
	tar -C "$LOAD_STORE/layout" -czf "$LOAD_STORE/images.tar.gz" .
	run "$SILO" --root "$LOAD_STORE/root" load -i "$LOAD_STORE/images.tar.gz"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Loaded image: busybox:demo"* ]]
	[[ "$output" == *"Loaded image: cfg:latest"* ]]
	run "$SILO" --root "$LOAD_STORE/root" run --rm busybox:demo echo from-loaded
	[ "$status" -eq 0 ]
	[ "$output" = from-loaded ]
	run "$SILO" --root "$LOAD_STORE/root" run --rm cfg
	[ "$output" = from-cmd ]
}

@test "load refuses a blob whose content does not match its digest" {
	cp -a "$LAYOUT" "$LOAD_STORE/layout"
	manifest=$(jq -r '.manifests[0].digest' "$LOAD_STORE/layout/index.json")
	layer=$(jq -r '.layers[0].digest' "$LOAD_STORE/layout/blobs/sha256/${manifest#sha256:}")
	echo tampered >>"$LOAD_STORE/layout/blobs/sha256/${layer#sha256:}"
	tar -C "$LOAD_STORE/layout" -cf "$LOAD_STORE/bad.tar" .
	run "$SILO" --root "$LOAD_STORE/root" load -i "$LOAD_STORE/bad.tar"
	[ "$status" -ne 0 ]
	[[ "$output" == *"${layer#sha256:}"* ]]
	[ ! -e "$LOAD_STORE/root/blobs/sha256/${layer#sha256:}" ]
	run "$SILO" --root "$LOAD_STORE/root" images -q
	[ -z "$output" ]
}

@test "load says what is wrong with a file that is no OCI layout" {
	run "$SILO" --root "$LOAD_STORE/root" load -i /etc/hostname
	[ "$status" -ne 0 ]
	tar -C /etc -cf "$LOAD_STORE/notlayout.tar" hostname
	run "$SILO" --root "$LOAD_STORE/root" load -i "$LOAD_STORE/notlayout.tar"
	[ "$status" -ne 0 ]
	[[ "$output" == *"no manifest.json (docker-archive) and no index.json (OCI layout)"* ]]
	run "$SILO" --root "$LOAD_STORE/root" load </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"standard input is empty"* ]]
}

@test "a docker-archive written by skopeo loads and runs" {
	skopeo copy -q "oci:$LAYOUT:cfg" "docker-archive:$LOAD_STORE/cfg.tar:example/cfg:da" >/dev/null
	run "$SILO" --root "$LOAD_STORE/root" load -i "$LOAD_STORE/cfg.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: example/cfg:da" ]
	run "$SILO" --root "$LOAD_STORE/root" run --rm --network none example/cfg:da true
	[ "$status" -eq 0 ]
	# Entrypoint, Cmd, Env and User came through the archive's config.
	run "$SILO" --root "$LOAD_STORE/root" run --rm --network none example/cfg:da
	[ "$output" = from-cmd ]
	run "$SILO" --root "$LOAD_STORE/root" run --rm --network none example/cfg:da 'echo $GREETING $(id -un)'
	[ "$output" = "hi user" ]
}

@test "an image saved by silo loads into another store and runs" {
	silo save -o "$LOAD_STORE/bb.tar" "$BB"
	run "$SILO" --root "$LOAD_STORE/root" load -i "$LOAD_STORE/bb.tar"
	[ "$status" -eq 0 ]
	run "$SILO" --root "$LOAD_STORE/root" run --rm --network none "$BB" echo round-trip
	[ "$status" -eq 0 ]
	[ "$output" = round-trip ]
	silo save --format oci-archive "$CFG" >"$LOAD_STORE/cfg-oci.tar"
	"$SILO" --root "$LOAD_STORE/root" load -q -i "$LOAD_STORE/cfg-oci.tar"
	run "$SILO" --root "$LOAD_STORE/root" run --rm --network none "$CFG"
	[ "$output" = from-cmd ]
}

@test "an imported rootfs tarball runs, with the CMD --change gave" {
	tar -C "$FIXTURES/rootfs" -czf "$LOAD_STORE/rootfs.tar.gz" .
	run "$SILO" --root "$LOAD_STORE/root" import -c 'CMD ["echo", "imported"]' -c "ENV WHO=me" \
		"$LOAD_STORE/rootfs.tar.gz" example/imported:v1
	[ "$status" -eq 0 ]
	[[ "$output" == sha256:* ]]
	run "$SILO" --root "$LOAD_STORE/root" run --rm --network none example/imported:v1
	[ "$status" -eq 0 ]
	[ "$output" = imported ]
	run "$SILO" --root "$LOAD_STORE/root" run --rm --network none example/imported:v1 sh -c 'echo $WHO'
	[ "$output" = me ]
}
