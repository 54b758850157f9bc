#!/usr/bin/env bats
# The copy snapshot: a container root made by copying the image's layers
# instead of mounting an overlay, forced with SILO_SNAPSHOTTER=copy, and the
# fallback to it where the kernel refuses the overlay. The copy must show
# what the overlay shows (whiteouts, opaque directories, replaced entries,
# hard links, file capabilities), and the whole lifecycle must work on it.

bats_require_minimum_version 1.5.0

load helpers

# layers: bb, then a layer that adds /etc/added with a hard link
# /etc/added-link, /etc/added-gone, /bin/capped (busybox with the file
# capability cap_net_raw), deletes /bin/vi (a whiteout) and replaces /home
# with a directory holding only "new" (an opaque directory), then a layer
# that deletes /etc/added-gone again and turns the directory /mnt into a
# file.
build_layers_fixture() {
	local bundle=$FIXTURES/layers-bundle root
	umoci tag --image "$LAYOUT:bb" layers
	umoci unpack --image "$LAYOUT:layers" "$bundle" >/dev/null
	root=$bundle/rootfs
	echo added >"$root/etc/added"
	ln "$root/etc/added" "$root/etc/added-link"
	echo gone >"$root/etc/added-gone"
	cp "$root/bin/busybox" "$root/bin/capped"
	setcap cap_net_raw+ep "$root/bin/capped"
	rm "$root/bin/vi"
	rm -rf "$root/home"
	mkdir -p "$root/home/new"
	umoci repack --image "$LAYOUT:layers" "$bundle"
	rm -rf "$bundle"
	umoci unpack --image "$LAYOUT:layers" "$bundle" >/dev/null
	rm "$root/etc/added-gone"
	rmdir "$root/mnt"
	echo file >"$root/mnt"
	umoci repack --image "$LAYOUT:layers" "$bundle"
	rm -rf "$bundle"
	push layers "silo/layers:latest"
	"$SILO" --root "$ENGINE_STORE/root" pull -q "$REGISTRY/silo/layers:latest" >/dev/null
	export LAYERS=$REGISTRY/silo/layers:latest
}

setup_file() {
	engine_setup_file
	build_layers_fixture
}
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() {
	# First: engine_teardown stops at the first thing it finds left.
	[ -z "${FAKE_STORE:-}" ] || cleanup_fake_store
	engine_teardown
}

container_dir() {
	echo "$ENGINE_STORE/root/containers/$(silo inspect "$1" | jq -r '.[0].Id')"
}

# What a container sees of its root: every path with its mode, owner, size
# and type (no times: the copy is newer).
listing() {
	silo exec "$1" sh -c 'find / -xdev ! -path "/proc/*" ! -path "/sys/*" ! -path "/dev/*" |
		sort | while read -r f; do stat -c "%n %a %u %g %s %F" "$f"; done'
}

@test "SILO_SNAPSHOTTER=copy makes the root a copy that shows what the overlay shows" {
	SILO_SNAPSHOTTER=copy silo run -d --name copied --network none "$LAYERS" sleep 100
	silo run -d --name mounted --network none "$LAYERS" sleep 100
	dir=$(container_dir copied)
	[ "$(cat "$dir/snapshotter")" = copy ]
	[ ! -e "$dir/upper" ]
	# No overlay: the root is a plain directory of the container's.
	! grep -q " ${dir}/" /proc/self/mountinfo
	grep -q " $(container_dir mounted)/bundle/rootfs .* overlay " /proc/self/mountinfo
	# inspect tells them apart, and where each keeps its files.
	run silo inspect copied
	[ "$(jq -r '.[0].Driver' <<<"$output")" = copy ]
	[ "$(jq -r '.[0].GraphDriver.Data.MergedDir' <<<"$output")" = "$dir/bundle/rootfs" ]
	[ "$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$output")" = null ]
	run silo inspect mounted
	[ "$(jq -r '.[0].Driver' <<<"$output")" = overlay ]
	[ "$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$output")" = "$(container_dir mounted)/upper" ]
	lower=$(jq -r '.[0].GraphDriver.Data.LowerDir' <<<"$output")
	[ "$(tr ':' '\n' <<<"$lower" | wc -l)" -eq 3 ]
	for d in $(tr ':' ' ' <<<"$lower"); do [ -d "$d" ] || fail "no lower dir $d"; done

	run silo exec copied sh -c 'cat /etc/added /etc/added-link /mnt; ls /home
		[ ! -e /bin/vi ] && [ ! -e /etc/added-gone ] && echo whiteouts-applied
		[ "$(stat -c %i /etc/added)" = "$(stat -c %i /etc/added-link)" ] && echo linked'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'added\nadded\nfile\nnew\nwhiteouts-applied\nlinked')" ]
	# The file capability came along (chown would have cleared it).
	[[ "$(getcap "$dir/bundle/rootfs/bin/capped")" == *cap_net_raw* ]]
	# Exactly the same tree as the overlay's.
	copy_view=$(listing copied)
	overlay_view=$(listing mounted)
	[ -n "$copy_view" ]
	[[ "$copy_view" == *"/etc/added 644 0 0 6 regular file"* ]]
	[ "$copy_view" = "$overlay_view" ]
	# Writes stay in the copy: the image's layers are not touched.
	silo exec copied sh -c 'echo mine >/etc/added; rm /bin/ls'
	run silo exec mounted cat /etc/added
	[ "$output" = added ]
	silo exec mounted test -e /bin/ls
	[ "$(cat "$dir/bundle/rootfs/etc/added")" = mine ]
}

@test "a copy container goes through run, exec, stop, start, restart and rm, keeping its changes" {
	# In the foreground, with --rm: the exit status, and nothing left.
	run env SILO_SNAPSHOTTER=copy "$SILO" --root "$ENGINE_STORE/root" run --rm --network none "$BB" \
		sh -c 'echo in-copy; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = in-copy ]
	[ -z "$(ls -A "$ENGINE_STORE/root/containers")" ]

	SILO_SNAPSHOTTER=copy silo run -d --name life "$BB" sh -c 'echo started >>/runs; sleep 100'
	dir=$(container_dir life)
	[ "$(cat "$dir/snapshotter")" = copy ]
	silo exec life sh -c 'echo changed >/changed'
	[ "$(container_status life)" = running ]
	silo stop -t 1 life
	[ "$(container_status life)" = exited ]
	# Started again without the variable: the container keeps its mode.
	silo start life
	[ "$(container_status life)" = running ]
	run silo exec life cat /changed /runs
	[ "$output" = "$(printf 'changed\nstarted\nstarted')" ]
	silo restart -t 1 life
	run silo exec life cat /runs
	[ "$output" = "$(printf 'started\nstarted\nstarted')" ]
	! grep -q " ${dir}/" /proc/self/mountinfo
	[ ! -e "$dir/upper" ]
	silo rm -f life
	[ ! -e "$dir" ]
}

@test "an overlay container stays one when SILO_SNAPSHOTTER=copy is set later; another value is refused" {
	silo create --name over --network none "$BB" sleep 100 >/dev/null
	SILO_SNAPSHOTTER=copy silo start over
	dir=$(container_dir over)
	[ ! -e "$dir/snapshotter" ]
	grep -q " $dir/bundle/rootfs .* overlay " /proc/self/mountinfo
	silo rm -f over

	run env SILO_SNAPSHOTTER=bogus "$SILO" --root "$ENGINE_STORE/root" run -d --name bad "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'SILO_SNAPSHOTTER="bogus": want overlay or copy'* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	[ -z "$(ls -A "$ENGINE_STORE/root/containers")" ]
}

# A store on an overlayfs mount: overlayfs refuses an overlayfs as its
# upper directory (EINVAL), as a kernel without overlayfs would (ENODEV).
make_fake_store() {
	FAKE_STORE=$(mktemp -d /tmp/silo-test-engine.XXXXXX)
	mkdir "$FAKE_STORE/lower" "$FAKE_STORE/upper" "$FAKE_STORE/work" "$FAKE_STORE/fs"
	mount -t overlay overlay -o "lowerdir=$FAKE_STORE/lower,upperdir=$FAKE_STORE/upper,workdir=$FAKE_STORE/work" \
		"$FAKE_STORE/fs"
}

cleanup_fake_store() {
	local id
	for id in $("$SILO" --root "$FAKE_STORE/fs/root" ps -aq --no-trunc 2>/dev/null); do
		"$SILO" --root "$FAKE_STORE/fs/root" rm -f "$id" >/dev/null 2>&1 || true
	done
	umount "$FAKE_STORE/fs"
	rm -rf --one-file-system "$FAKE_STORE"
}

@test "where the overlay cannot be mounted the container falls back to a copy" {
	make_fake_store
	fake() { "$SILO" --root "$FAKE_STORE/fs/root" "$@"; }
	fake pull -q "$BB" >/dev/null
	run fake run --rm --network none "$BB" sh -c 'echo fell-back; ls /bin/busybox'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'fell-back\n/bin/busybox')" ]
	fake run -d --name fb --network none "$BB" sleep 100
	id=$(fake inspect fb | jq -r '.[0].Id')
	dir=$FAKE_STORE/fs/root/containers/$id
	[ "$(cat "$dir/snapshotter")" = copy ]
	[ ! -e "$dir/upper" ] && [ ! -e "$dir/work" ]
	fake exec fb sh -c 'echo kept >/kept'
	fake restart -t 1 fb
	run fake exec fb cat /kept
	[ "$output" = kept ]
	fake rm -f fb
	[ ! -e "$dir" ]
	[ -z "$(ls -A "$FAKE_STORE/fs/root/containers")" ]
	! grep -q " $FAKE_STORE/fs/root/" /proc/self/mountinfo
}
