#!/usr/bin/env bats
# Pulls that go wrong: the registry killed mid-layer (and started again),
# silo killed mid-layer, a blob that changes in the registry, a blob longer
# than its manifest says, two pulls of overlapping images at once. Each
# test checks that the store stays consistent (no half layer visible, every
# blob matching its name, nothing left in tmp/ but a resumable download)
# and that the next pull finishes.
#
# To have time to interrupt a download, loopback is slowed with tc
# (shape_loopback in helpers.bash) — only inside the suite's own network
# namespace, never on the machine's.

load helpers

setup_file() {
	image_setup_file
	build_fixtures
	build_big_fixtures
	push bb bb:latest
	push big big:latest
	push bigtop bigtop:latest
	BIG_BLOB=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/big:latest" | jq -r '.layers[0].digest')
	BIG_SIZE=$(skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/big:latest" | jq -r '.layers[0].size')
	export LAYOUT BIG_BLOB BIG_SIZE
}

teardown_file() {
	image_teardown_file
}

setup() {
	in_private_netns || skip "slows loopback: needs the suite's own network namespace (SILO_CHECK_NETNS=1)"
	image_setup
}

teardown() {
	unshape_loopback
	if ! curl -s -o /dev/null "http://$REGISTRY/v2/"; then
		restart_registry
	fi
	restore_blob
	image_teardown
}

kill_registry() {
	local pid
	pid=$(cat "$FIXTURES/plain.pid")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

# docker-registry reads REGISTRY_* variables as configuration: the tests'
# REGISTRY_AUTH_FILE (for silo) must not reach it.
restart_registry() {
	env -u REGISTRY_AUTH_FILE docker-registry serve "$FIXTURES/plain.yml" >>"$FIXTURES/plain.log" 2>&1 &
	echo $! >"$FIXTURES/plain.pid"
	disown $!
	retry 200 curl -s -o /dev/null "http://$REGISTRY/v2/" || fail "the registry did not start again: $(grep -i error "$FIXTURES/plain.log" | tail -1)"
}

registry_blob() {
	echo "$FIXTURES/plain/data/docker/registry/v2/blobs/sha256/${1:7:2}/${1#sha256:}/data"
}

# Changes the big layer's bytes in the registry's storage (restored in
# teardown).
tamper_blob() {
	local data
	data=$(registry_blob "$BIG_BLOB")
	[ -f "$FIXTURES/big.blob.saved" ] || cp "$data" "$FIXTURES/big.blob.saved"
	"$@" "$data"
}

restore_blob() {
	[ -f "$FIXTURES/big.blob.saved" ] || return 0
	cp "$FIXTURES/big.blob.saved" "$(registry_blob "$BIG_BLOB")"
	rm "$FIXTURES/big.blob.saved"
}

partial_path() {
	echo "$SILO_STORE/root/tmp/${BIG_BLOB#sha256:}.partial"
}

partial_bytes() {
	stat -c %s "$(partial_path)" 2>/dev/null || echo 0
}

# wait_partial BYTES: until the big layer's download has that many.
wait_partial() {
	local i
	for i in $(seq 300); do
		[ "$(partial_bytes)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "the download never reached $1 bytes (it has $(partial_bytes))"
}

# store_consistent: no image half recorded, every blob hashes to its name,
# every visible layer is complete (has its layer.json).
store_consistent() {
	local f dir
	for f in "$SILO_STORE/root/blobs/sha256/"*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "${f##*/}" ] || fail "blob ${f##*/} does not match its name"
	done
	for dir in "$SILO_STORE/root/layers/"*; do
		[ -e "$dir" ] || continue
		[ -f "$dir/layer.json" ] || fail "layer ${dir##*/} is visible but incomplete"
	done
}

big_is_complete() {
	local image=$1 n=${2:-0}
	cmp "$(layer_dir "$image" "$n")/big" "$FIXTURES/big.data"
	nothing_in_progress
	store_consistent
}

@test "the registry killed mid-layer and started again: the same pull resumes with Range and finishes" {
	shape_loopback 4mbit
	silo pull -q "$REGISTRY/big:latest" >"$SILO_STORE/pull.out" 2>&1 &
	pid=$!
	wait_partial 1500000
	kill_registry
	had=$(partial_bytes)
	before=$(lo_bytes)
	restart_registry
	wait "$pid" || fail "the pull failed: $(cat "$SILO_STORE/pull.out")"
	moved=$(($(lo_bytes) - before))
	# Only what was missing came again (with headers), not the whole blob.
	[ "$moved" -lt "$((BIG_SIZE - had + 400000))" ] || fail "$moved bytes moved after the restart; $had of $BIG_SIZE were there"
	big_is_complete "$REGISTRY/big:latest"
}

@test "a pull that failed when the registry went away keeps its download; the next pull resumes it" {
	shape_loopback 4mbit
	run_bg_pull() { silo pull -q "$REGISTRY/big:latest" >"$SILO_STORE/pull.out" 2>&1; }
	run_bg_pull &
	pid=$!
	wait_partial 1000000
	kill_registry
	if wait "$pid"; then fail "the pull succeeded without a registry"; fi
	assert_contains "$(cat "$SILO_STORE/pull.out")" "get blob $BIG_BLOB"
	[ "$(wc -l <"$SILO_STORE/pull.out")" -eq 1 ]
	had=$(partial_bytes)
	[ "$had" -ge 1000000 ]
	run silo images -q
	assert_equal "$output" ""
	[ -z "$(ls -A "$SILO_STORE/root/layers")" ]
	store_consistent

	restart_registry
	before=$(lo_bytes)
	run silo pull -q "$REGISTRY/big:latest"
	assert_status 0
	moved=$(($(lo_bytes) - before))
	[ "$moved" -lt "$((BIG_SIZE - had + 400000))" ] || fail "$moved bytes moved; $had of $BIG_SIZE were there"
	big_is_complete "$REGISTRY/big:latest"
}

@test "a pull killed with SIGKILL mid-layer leaves a consistent store; rmi cleans up, the next pull finishes" {
	shape_loopback 4mbit
	"$SILO" --root "$SILO_STORE/root" pull -q "$REGISTRY/big:latest" >/dev/null 2>&1 &
	pid=$!
	wait_partial 1000000
	kill -9 "$pid"
	wait "$pid" || true
	run silo images -q
	assert_equal "$output" ""
	[ -z "$(ls -A "$SILO_STORE/root/layers")" ]
	store_consistent
	# What the killed pull was building is left in tmp/ ...
	ls "$SILO_STORE/root/tmp" | grep -q '^layer-' || fail "no layer build in tmp/: $(ls "$SILO_STORE/root/tmp")"
	# ... until the next garbage collection, which keeps the download.
	mkdir "$SILO_STORE/small" && echo x >"$SILO_STORE/small/x"
	tar -C "$SILO_STORE/small" -cf "$SILO_STORE/small.tar" .
	silo import "$SILO_STORE/small.tar" example/small >/dev/null
	silo rmi example/small >/dev/null
	assert_equal "$(ls "$SILO_STORE/root/tmp")" "${BIG_BLOB#sha256:}.partial"

	unshape_loopback
	run silo pull "$REGISTRY/big:latest"
	assert_status 0
	assert_contains "$output" "Pull complete"
	big_is_complete "$REGISTRY/big:latest"
}

@test "pulls killed again and again at random points: the store stays consistent and the last pull finishes" {
	shape_loopback 16mbit
	for delay in 0.3 0.9 1.4 1.7 2.0; do
		"$SILO" --root "$SILO_STORE/root" pull -q "$REGISTRY/bigtop:latest" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		store_consistent
	done
	unshape_loopback
	run silo pull -q "$REGISTRY/bigtop:latest"
	assert_status 0
	big_is_complete "$REGISTRY/bigtop:latest"
	assert_equal "$(cat "$(layer_dir "$REGISTRY/bigtop:latest" 1)/etc/top")" top
}

@test "a download that already has every byte is checked and kept without asking the registry for more" {
	# What a pull killed between the last byte and the rename leaves.
	silo images -q >/dev/null
	cp "$(registry_blob "$BIG_BLOB")" "$(partial_path)"
	before=$(lo_bytes)
	run silo pull -q "$REGISTRY/big:latest"
	assert_status 0
	moved=$(($(lo_bytes) - before))
	[ "$moved" -lt 1000000 ] || fail "$moved bytes moved for a blob that was all there"
	big_is_complete "$REGISTRY/big:latest"
}

@test "a blob that changed in the registry before its download resumed is rejected and nothing of it kept" {
	shape_loopback 4mbit
	silo pull -q "$REGISTRY/big:latest" >/dev/null 2>&1 &
	pid=$!
	wait_partial 1000000
	kill_registry
	wait "$pid" || true
	# Same size, other bytes after what was already downloaded.
	tamper_blob sh -c 'size=$(stat -c %s "$1"); head -c 1000000 "$1" >"$1.new";
		head -c $((size - 1000000)) /dev/urandom >>"$1.new"; mv "$1.new" "$1"' tamper
	restart_registry
	unshape_loopback
	run silo pull "$REGISTRY/big:latest"
	assert_failure
	assert_contains "$output" "digest mismatch"
	[ ! -e "$(partial_path)" ]
	[ ! -e "$SILO_STORE/root/blobs/sha256/${BIG_BLOB#sha256:}" ]
	[ -z "$(ls -A "$SILO_STORE/root/layers")" ]
	nothing_in_progress
	store_consistent
	restore_blob
	run silo pull -q "$REGISTRY/big:latest"
	assert_status 0
	big_is_complete "$REGISTRY/big:latest"
}

@test "a blob longer than its manifest says is refused and nothing of it kept" {
	tamper_blob sh -c 'echo trailing >>"$1"' tamper
	run silo pull "$REGISTRY/big:latest"
	assert_failure
	assert_contains "$output" "more than the $BIG_SIZE bytes announced"
	[ ! -e "$(partial_path)" ]
	[ ! -e "$SILO_STORE/root/blobs/sha256/${BIG_BLOB#sha256:}" ]
	nothing_in_progress
	restore_blob
	run silo pull -q "$REGISTRY/big:latest"
	assert_status 0
}

@test "two pulls of overlapping images at once both succeed; the shared layer comes and is stored once" {
	shape_loopback 16mbit
	before=$(lo_bytes)
	silo pull -q "$REGISTRY/big:latest" >"$SILO_STORE/a.out" 2>&1 &
	a=$!
	silo pull -q "$REGISTRY/bigtop:latest" >"$SILO_STORE/b.out" 2>&1 &
	b=$!
	wait "$a" || fail "pull of big failed: $(cat "$SILO_STORE/a.out")"
	wait "$b" || fail "pull of bigtop failed: $(cat "$SILO_STORE/b.out")"
	moved=$(($(lo_bytes) - before))
	[ "$moved" -lt "$((BIG_SIZE * 3 / 2))" ] || fail "$moved bytes moved: the shared layer came twice"
	[ "$(ls "$SILO_STORE/root/layers" | wc -l)" -eq 2 ]
	[ "$(silo images -q | wc -l)" -eq 2 ]
	big_is_complete "$REGISTRY/big:latest"
	big_is_complete "$REGISTRY/bigtop:latest"
}

@test "the same image pulled three times at once: all succeed, one download" {
	shape_loopback 16mbit
	before=$(lo_bytes)
	pids=()
	for i in 1 2 3; do
		silo pull -q "$REGISTRY/bigtop:latest" >"$SILO_STORE/$i.out" 2>&1 &
		pids+=($!)
	done
	for i in 0 1 2; do
		wait "${pids[$i]}" || fail "pull $i failed: $(cat "$SILO_STORE/$((i + 1)).out")"
	done
	moved=$(($(lo_bytes) - before))
	[ "$moved" -lt "$((BIG_SIZE * 3 / 2))" ] || fail "$moved bytes moved: the layer came more than once"
	[ "$(silo images -q | wc -l)" -eq 1 ]
	big_is_complete "$REGISTRY/bigtop:latest"
}
