#!/usr/bin/env bats
# silo load -i: images from an OCI layout tar archive (built with umoci,
# never with silo), run with silo run.

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
	[[ "$output" == *"has no index.json"* ]]
	run "$SILO" --root "$LOAD_STORE/root" load
	[ "$status" -eq 125 ]
}
