#!/usr/bin/env bats
# Volumes, bind mounts and tmpfs mounts (-v, --mount, --tmpfs), the volume
# commands, and what each does as seen from inside the container.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	engine_setup_file
	engine_build_volume_fixture
}
teardown_file() { engine_teardown_file; }
setup() {
	engine_setup
	HOSTDIR=$(mktemp -d /tmp/silo-test-host.XXXXXX)
}
teardown() {
	rm -rf "$HOSTDIR"
	engine_teardown
}

volumes_dir() { echo "$ENGINE_STORE/root/volumes"; }

@test "-v HOST:DST binds a host directory both ways; :ro makes it read-only; a missing host directory is made" {
	echo from-host >"$HOSTDIR/in"
	run silo run --rm -v "$HOSTDIR:/h" "$BB" sh -c 'cat /h/in; echo from-container >/h/out'
	[ "$status" -eq 0 ]
	[ "$output" = from-host ]
	[ "$(cat "$HOSTDIR/out")" = from-container ]
	run silo run --rm -v "$HOSTDIR:/h:ro" "$BB" sh -c 'cat /h/in; grep " /h " /proc/mounts; touch /h/nope'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = from-host ]
	[[ "${lines[1]}" == *" /h "*" ro,"* ]]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$HOSTDIR/nope" ]
	run silo run --rm -v "$HOSTDIR/made/here:/m" "$BB" sh -c 'echo x >/m/f'
	[ "$status" -eq 0 ]
	[ -d "$HOSTDIR/made/here" ]
	[ "$(cat "$HOSTDIR/made/here/f")" = x ]
}

@test "a named volume is made on first use, keeps its data across containers, and lives in the store" {
	run silo run --rm -v data1:/data "$BB" sh -c 'echo kept >/data/f'
	[ "$status" -eq 0 ]
	[ -f "$(volumes_dir)/data1/_data/f" ]
	jq -e '.name == "data1" and .anonymous == false and (.created | test("Z$"))' "$(volumes_dir)/data1/volume.json"
	run silo run --rm -v data1:/elsewhere "$BB" cat /elsewhere/f
	[ "$output" = kept ]
	run silo volume ls -q
	[ "$output" = data1 ]
	silo volume rm data1
}

@test "a new volume is seeded with the image's content, ownership and mode, once" {
	run silo run --rm -v seed1:/seeded "$VOL" sh -c 'cat /seeded/seed.txt /seeded/sub/deep.txt; readlink /seeded/link; stat -c "%u:%g %a" /seeded /seeded/seed.txt'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello-seed ]
	[ "${lines[1]}" = deep ]
	[ "${lines[2]}" = /etc/passwd ]
	[ "${lines[3]}" = "1000:1000 750" ]
	[ "${lines[4]}" = "1000:1000 644" ]
	# The link is copied as a link, not as what it points to.
	[ -L "$(volumes_dir)/seed1/_data/link" ]
	# Not empty any more: a second container sees the first one's changes,
	# not a fresh copy.
	silo run --rm -v seed1:/seeded "$VOL" sh -c 'rm /seeded/seed.txt; echo mine >/seeded/own'
	run silo run --rm -v seed1:/seeded "$VOL" ls /seeded
	[ "$output" = "$(printf 'link\nown\nsub')" ]
	# nocopy: an empty volume stays empty.
	run silo run --rm -v seed2:/seeded:nocopy "$VOL" ls -A /seeded
	[ -z "$output" ]
	silo volume rm seed1 seed2
}

@test "copy-up resolves the image's path inside the root: a symlink to a host directory copies nothing of the host's" {
	# /escape in the image is a symlink to a host path: resolved inside
	# the container's root it names nothing the image has.
	run silo run --rm -v esc:/escape "$VOL" sh -c 'ls -A /escape'
	[ "$status" -eq 0 ]
	[[ "$output" != *secret* ]]
	[ -z "$(ls -A "$(volumes_dir)/esc/_data")" ]
	[ "$(cat "$FIXTURES/host-secret/secret")" = host-only ]
	[ "$(ls -A "$FIXTURES/host-secret")" = secret ]
	silo volume rm esc
}

@test "-v DST and the image's Volumes get anonymous volumes; --rm and rm -v remove them, rm keeps them" {
	run silo run --rm -v /scratch "$VOL" sh -c 'grep -c -E " /(scratch|seeded|empty) " /proc/mounts; cat /seeded/seed.txt'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 3 ]
	[ "${lines[1]}" = hello-seed ]
	[ -z "$(silo volume ls -q)" ]
	silo run --name keep -v /scratch "$VOL" true
	[ "$(silo volume ls -q | wc -l)" -eq 3 ]
	for v in $(silo volume ls -q); do
		[[ "$v" =~ ^[0-9a-f]{64}$ ]]
		jq -e '.anonymous == true and .labels["com.docker.volume.anonymous"] == ""' "$(volumes_dir)/$v/volume.json"
	done
	silo rm keep
	[ "$(silo volume ls -q | wc -l)" -eq 3 ]
	silo volume prune -f >/dev/null
	silo run --name gone -v named3:/n -v /scratch "$VOL" true
	silo rm -v gone
	# Only the named volume stays.
	[ "$(silo volume ls -q)" = named3 ]
	silo volume rm named3
	# A user mount on an image Volume's path replaces it, and a bind is
	# never seeded.
	run silo run --rm -v "$HOSTDIR:/seeded" "$VOL" ls -A /seeded
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$(ls -A "$HOSTDIR")" ]
}

@test "--mount type=bind|volume|tmpfs and --tmpfs mount what they say, with their options" {
	echo m >"$HOSTDIR/f"
	run silo run --rm \
		--mount "type=bind,source=$HOSTDIR,target=/b,readonly" \
		--mount type=volume,src=mvol,dst=/v \
		--mount type=tmpfs,destination=/t,tmpfs-size=2m,tmpfs-mode=1770 \
		--tmpfs /t2:size=1m,exec \
		"$BB" sh -c 'cat /b/f; grep -E " /(b|v|t|t2) " /proc/mounts | sort -k2; stat -c %a /t; echo ok >/v/f'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = m ]
	[[ "${lines[1]}" == *" /b "*" ro,"* ]]
	[[ "${lines[2]}" == "tmpfs /t tmpfs rw,nosuid,nodev,noexec,"*"size=2048k,mode=1770"* ]]
	[[ "${lines[3]}" == "tmpfs /t2 tmpfs rw,nosuid,nodev,"*"size=1024k"* ]]
	[[ "${lines[3]}" != *noexec* ]]
	[[ "${lines[4]}" == *" /v "*" rw,"* ]]
	[ "${lines[5]}" = 1770 ]
	[ "$(cat "$(volumes_dir)/mvol/_data/f")" = ok ]
	# --mount without a source is an anonymous volume.
	silo run --rm --mount type=volume,target=/anon "$BB" true
	[ "$(silo volume ls -q)" = mvol ]
	silo volume rm mvol
}

@test "inspect shows Mounts as docker does: Type, Name, Source, Destination, Mode, RW" {
	silo run --name insp -v "$HOSTDIR:/h:ro" -v ivol:/v --tmpfs /t "$BB" true
	run silo inspect insp
	m=$(jq -c '.[0].Mounts' <<<"$output")
	jq -e --arg h "$HOSTDIR" '.[] | select(.Type == "bind") |
		.Source == $h and .Destination == "/h" and .Mode == "ro" and .RW == false and .Propagation == "rprivate"' <<<"$m"
	jq -e --arg s "$(volumes_dir)/ivol/_data" '.[] | select(.Type == "volume") |
		.Name == "ivol" and .Source == $s and .Destination == "/v" and .RW == true and .Driver == "local"' <<<"$m"
	jq -e '.[] | select(.Type == "tmpfs") | .Destination == "/t" and .RW == true and .Source == ""' <<<"$m"
	silo rm insp
	silo volume rm ivol
}

@test "volume create, ls, inspect and rm have docker's shapes; rm refuses a volume in use, naming the container" {
	run silo volume create --label team=a made
	[ "$output" = made ]
	# Idempotent, as docker's.
	run silo volume create made
	[ "$status" -eq 0 ]
	run silo volume create
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	random=$output
	run silo volume ls
	[[ "${lines[0]}" =~ ^DRIVER\ +VOLUME\ NAME$ ]]
	[[ "$output" =~ local\ +made ]]
	run silo volume inspect made
	jq -e --arg mp "$(volumes_dir)/made/_data" '.[0] | .Name == "made" and .Driver == "local" and
		.Mountpoint == $mp and .Scope == "local" and .Labels.team == "a" and (.CreatedAt | test("Z$"))' <<<"$output"
	run silo volume inspect nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such volume: nosuch"* ]]
	silo run -d --name holder -v made:/m "$BB" sleep 100
	run silo volume rm made
	[ "$status" -eq 1 ]
	[[ "$output" == *"volume is in use by container holder"* ]]
	silo stop -t 0 holder
	# Stopped still counts, as with docker.
	run silo volume rm made
	[ "$status" -eq 1 ]
	silo rm holder
	run silo volume rm made "$random"
	[ "$status" -eq 0 ]
	run silo volume rm made
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such volume: made"* ]]
	run silo volume rm -f made
	[ "$status" -eq 0 ]
	run silo volume ls -q --filter dangling=true
	[ -z "$output" ]
}

@test "volume prune removes unused anonymous volumes; -a every unused one; in-use ones stay" {
	silo run --name a1 "$VOL" true
	silo rm a1
	silo volume create named >/dev/null
	silo run --name user -v used:/u "$BB" true
	[ "$(silo volume ls -q | wc -l)" -eq 4 ]
	run silo volume prune -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Volumes:" ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[3]}" == "Total reclaimed space: "* ]]
	[ "$(silo volume ls -q | sort | tr '\n' ' ')" = "named used " ]
	# Without -f it asks, and "n" keeps everything.
	run sh -c "echo n | \"$SILO\" --root \"$ENGINE_STORE/root\" volume prune -a"
	[ "$(silo volume ls -q | wc -l)" -eq 2 ]
	run silo volume prune -af
	[ "${lines[1]}" = named ]
	[ "$(silo volume ls -q)" = used ]
	silo rm -v user
	silo volume rm used
}

@test "bad -v, --mount and --tmpfs exit 125 with one line and leave nothing behind" {
	for spec in "-v foo/bar:/x" "-v ./rel:/x" "-v data:rel" "-v data:/x:bogus" "-v /tmp:/" "-v /x:ro" \
		"--mount type=bind,source=/no/such/dir,target=/x" "--mount type=volume,src=v,dst=/x,nosuch=1" \
		"--mount type=tmpfs,target=/x,tmpfs-size=lots" "--mount type=bind,target=/x" \
		"--mount type=nfs,target=/x" "--tmpfs /x:bogus" "--tmpfs rel" "-v d1:/x -v d2:/x"; do
		# shellcheck disable=SC2086
		run silo run --rm $spec "$BB" true
		[ "$status" -eq 125 ] || fail "$spec: status $status"
		[ "${#lines[@]}" -eq 1 ] || fail "$spec: $output"
	done
	run silo run --rm -v foo/bar:/x "$BB" true
	[[ "$output" == *'"foo/bar" includes invalid characters for a local volume name'* ]]
	run silo run --rm -v data:rel "$BB" true
	[[ "$output" == *'the container path "rel" must be absolute'* ]]
	run silo run --rm --mount type=bind,source=/no/such/dir,target=/x "$BB" true
	[[ "$output" == *"bind source path \"/no/such/dir\": No such file or directory"* ]]
	run silo run --rm -v d1:/x -v d2:/x "$BB" true
	[[ "$output" == *"Duplicate mount point: /x"* ]]
	[ -z "$(silo ps -aq)" ]
	[ -z "$(silo volume ls -q)" ]
	[ ! -e /no/such/dir ]
}

@test "a volume made by a create that fails later is removed again" {
	run silo run --rm -v late:/data -u nosuchuser "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unable to find user nosuchuser"* ]]
	[ -z "$(silo volume ls -q)" ]
	[ -z "$(silo ps -aq)" ]
	# A name already taken fails after the volumes are made, too.
	silo run --name taken "$BB" true
	run silo run --name taken -v late2:/data "$VOL" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"already in use"* ]]
	[ -z "$(silo volume ls -q)" ]
	silo rm taken
}
