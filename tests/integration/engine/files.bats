#!/usr/bin/env bats
# cp, export and commit: files in and out of real containers, running and
# stopped, checked from inside the container and on the host; symlinks a
# container plants never lead the copy out of its filesystem.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() {
	engine_setup
	HOSTDIR=$(mktemp -d /tmp/silo-test-host.XXXXXX)
	mkdir "$HOSTDIR/secret" "$HOSTDIR/out"
	echo host-only >"$HOSTDIR/secret/file"
}
teardown() {
	rm -rf "$HOSTDIR"
	engine_teardown
}

# A running container named $1 (no network: nothing here needs one).
run_box() {
	local name=$1
	shift
	silo run -d --name "$name" --network none "$@" "$BB" sleep 1000 >/dev/null
}

@test "cp CONTAINER:FILE to a host directory, a new name, an existing file; the content and mode arrive" {
	run_box c1
	silo exec c1 sh -c 'echo in-container >/f; chmod 0640 /f'
	silo cp c1:/f "$HOSTDIR/out"
	[ "$(cat "$HOSTDIR/out/f")" = in-container ]
	[ "$(stat -c %a "$HOSTDIR/out/f")" = 640 ]
	silo cp c1:/f "$HOSTDIR/out/renamed"
	[ "$(cat "$HOSTDIR/out/renamed")" = in-container ]
	echo old >"$HOSTDIR/out/existing"
	silo cp c1:/f "$HOSTDIR/out/existing"
	[ "$(cat "$HOSTDIR/out/existing")" = in-container ]
	# A trailing slash says DEST must be an existing directory.
	run -125 silo cp c1:/f "$HOSTDIR/out/nodir/"
	[[ "$output" == *"does not exist"* ]]
	[ ! -e "$HOSTDIR/out/nodir" ]
}

@test "cp of a directory: into an existing one, as a new name, and its contents with /." {
	run_box c1
	silo exec c1 sh -c 'mkdir -p /d/sub; echo a >/d/a; echo b >/d/sub/b; ln -s /etc/passwd /d/link'
	silo cp c1:/d "$HOSTDIR/out"
	[ "$(cat "$HOSTDIR/out/d/a")" = a ]
	[ "$(cat "$HOSTDIR/out/d/sub/b")" = b ]
	[ "$(readlink "$HOSTDIR/out/d/link")" = /etc/passwd ]
	silo cp c1:/d "$HOSTDIR/new"
	[ "$(cat "$HOSTDIR/new/sub/b")" = b ]
	mkdir "$HOSTDIR/contents"
	silo cp c1:/d/. "$HOSTDIR/contents"
	[ "$(cat "$HOSTDIR/contents/a")" = a ]
	[ ! -e "$HOSTDIR/contents/d" ]
	# A directory never replaces a file.
	touch "$HOSTDIR/plain"
	run -125 silo cp c1:/d "$HOSTDIR/plain"
	[[ "$output" == *"cannot copy a directory to file"* ]]
	[ -f "$HOSTDIR/plain" ]
}

@test "cp HOST to CONTAINER: a file, a directory, contents with /.; the container sees them" {
	run_box c1
	mkdir -p "$HOSTDIR/tree/sub"
	echo top >"$HOSTDIR/tree/top"
	echo inner >"$HOSTDIR/tree/sub/inner"
	silo cp "$HOSTDIR/tree/top" c1:/tmp/
	silo cp "$HOSTDIR/tree/top" c1:/tmp/renamed
	silo cp "$HOSTDIR/tree" c1:/tmp
	silo cp "$HOSTDIR/tree" c1:/newdir
	silo exec c1 mkdir /into
	silo cp "$HOSTDIR/tree/." c1:/into
	run silo exec c1 sh -c 'cat /tmp/top /tmp/renamed /tmp/tree/sub/inner /newdir/sub/inner /into/top /into/sub/inner; ls /into'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = top ]
	[ "${lines[1]}" = top ]
	[ "${lines[2]}" = inner ]
	[ "${lines[3]}" = inner ]
	[ "${lines[4]}" = top ]
	[ "${lines[5]}" = inner ]
	[ "${lines[6]}" = sub ]
	[ "${lines[7]}" = top ]
}

@test "cp - streams: CONTAINER:DIR - writes a tar on stdout, - CONTAINER:DIR extracts stdin into the directory" {
	run_box c1
	silo exec c1 sh -c 'mkdir -p /d/sub; echo a >/d/a; echo b >/d/sub/b'
	silo cp c1:/d - >"$HOSTDIR/d.tar"
	run tar -tf "$HOSTDIR/d.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == *"d/a"* ]]
	[[ "$output" == *"d/sub/b"* ]]
	mkdir -p "$HOSTDIR/src/x"
	echo streamed >"$HOSTDIR/src/x/s"
	tar -C "$HOSTDIR/src" -cf - . | silo cp - c1:/tmp
	run silo exec c1 cat /tmp/x/s
	[ "$output" = streamed ]
	# The stream goes into a directory that exists, or nowhere.
	run -125 silo cp - c1:/nowhere <"$HOSTDIR/d.tar"
	[[ "$output" == *'"/nowhere"'*"must be an existing directory"* ]]
	run silo exec c1 test -e /nowhere
	[ "$status" -ne 0 ]
}

@test "cp -a keeps uid:gid both ways; without it the copy belongs to root in the container and to the caller on the host" {
	run_box c1
	silo exec c1 sh -c 'echo x >/owned; chown 1234:5678 /owned'
	silo cp c1:/owned "$HOSTDIR/out/plain"
	silo cp -a c1:/owned "$HOSTDIR/out/kept"
	[ "$(stat -c %u:%g "$HOSTDIR/out/plain")" = "$(id -u):$(id -g)" ]
	[ "$(stat -c %u:%g "$HOSTDIR/out/kept")" = 1234:5678 ]
	echo y >"$HOSTDIR/hostfile"
	chown 4321:8765 "$HOSTDIR/hostfile"
	silo cp "$HOSTDIR/hostfile" c1:/plain
	silo cp -a "$HOSTDIR/hostfile" c1:/kept
	run silo exec c1 stat -c %u:%g /plain /kept
	[ "${lines[0]}" = 0:0 ]
	[ "${lines[1]}" = 4321:8765 ]
}

@test "cp -L copies what a symlink SRC points to; without it the link itself" {
	run_box c1
	silo exec c1 sh -c 'echo target >/real; ln -s /real /link'
	silo cp c1:/link "$HOSTDIR/out/asis"
	silo cp -L c1:/link "$HOSTDIR/out/followed"
	[ "$(readlink "$HOSTDIR/out/asis")" = /real ]
	[ -f "$HOSTDIR/out/followed" ] && [ ! -L "$HOSTDIR/out/followed" ]
	[ "$(cat "$HOSTDIR/out/followed")" = target ]
}

@test "cp into a running container reaches its volumes and tmpfs: the copy happens in its mount namespace" {
	mkdir "$HOSTDIR/vol"
	run_box c1 -v "$HOSTDIR/vol:/vol" --tmpfs /scratch
	echo to-volume >"$HOSTDIR/in"
	silo cp "$HOSTDIR/in" c1:/vol/
	silo cp "$HOSTDIR/in" c1:/scratch/
	[ "$(cat "$HOSTDIR/vol/in")" = to-volume ]
	run silo exec c1 sh -c 'cat /scratch/in; grep " /scratch " /proc/mounts'
	[ "${lines[0]}" = to-volume ]
	[[ "${lines[1]}" == tmpfs* ]]
	silo cp c1:/scratch/in "$HOSTDIR/out/back"
	[ "$(cat "$HOSTDIR/out/back")" = to-volume ]
}

@test "cp works on created and exited containers through the rootfs snapshot, and leaves it unmounted" {
	silo create --name made --network none "$BB" sh -c 'cat /tmp/given; echo made-here >/tmp/made' >/dev/null
	echo given >"$HOSTDIR/given"
	silo cp "$HOSTDIR/given" made:/tmp/given
	! grep -q " $ENGINE_STORE/root/containers/" /proc/self/mountinfo
	run silo start -a made
	[ "$status" -eq 0 ]
	[ "$output" = given ]
	[ "$(container_status made)" = exited ]
	silo cp made:/tmp/made "$HOSTDIR/out/"
	[ "$(cat "$HOSTDIR/out/made")" = made-here ]
	! grep -q " $ENGINE_STORE/root/containers/" /proc/self/mountinfo
}

# The attack: a container plants symlinks, absolute and with "..", that
# would lead a path resolved on the host to the host's files. Resolved
# inside the container's root, they lead to the container's own paths.
hostile_links() {
	silo exec c1 sh -c "ln -s $HOSTDIR/secret /abs; ln -s ../../../../../../..$HOSTDIR/secret /rel;
		mkdir -p /d; ln -s ../../../../../../..$HOSTDIR/secret/file /d/up"
}

@test "cp symlink escape from a running container: reads and writes through hostile links stay inside the container" {
	run_box c1
	hostile_links
	run -125 silo cp c1:/abs/file "$HOSTDIR/out/"
	[[ "$output" == *"could not find"* ]]
	run -125 silo cp c1:/rel/file "$HOSTDIR/out/"
	run -125 silo cp -L c1:/d/up "$HOSTDIR/out/"
	[ -z "$(ls -A "$HOSTDIR/out")" ]
	echo evil >"$HOSTDIR/evil"
	run -125 silo cp "$HOSTDIR/evil" c1:/abs/
	run -125 silo cp "$HOSTDIR/evil" c1:/rel/planted
	[ "$(ls "$HOSTDIR/secret")" = file ]
	[ "$(cat "$HOSTDIR/secret/file")" = host-only ]
	# Where the container has the path the link names, that is what the
	# copy reads and writes.
	silo exec c1 sh -c "mkdir -p $HOSTDIR/secret; echo container-own >$HOSTDIR/secret/file"
	silo cp c1:/rel/file "$HOSTDIR/out/read"
	[ "$(cat "$HOSTDIR/out/read")" = container-own ]
	silo cp -L c1:/d/up "$HOSTDIR/out/followed"
	[ "$(cat "$HOSTDIR/out/followed")" = container-own ]
	silo cp "$HOSTDIR/evil" c1:/abs/planted
	run silo exec c1 cat "$HOSTDIR/secret/planted"
	[ "$output" = evil ]
	[ "$(ls "$HOSTDIR/secret")" = file ]
	[ "$(cat "$HOSTDIR/secret/file")" = host-only ]
}

@test "cp symlink escape from a stopped container and through a tar stream: the host directory is untouched" {
	run_box c1
	hostile_links
	silo stop -t 0 c1 >/dev/null
	run -125 silo cp c1:/abs/file "$HOSTDIR/out/"
	run -125 silo cp -L c1:/d/up "$HOSTDIR/out/"
	echo evil >"$HOSTDIR/evil"
	run -125 silo cp "$HOSTDIR/evil" c1:/rel/
	[ -z "$(ls -A "$HOSTDIR/out")" ]
	# A tar whose symlink "l" points at the host directory, then a file
	# "l/evil" written through it.
	mkdir -p "$HOSTDIR/t1" "$HOSTDIR/t2/l"
	ln -s "$HOSTDIR/secret" "$HOSTDIR/t1/l"
	echo evil >"$HOSTDIR/t2/l/evil"
	tar -C "$HOSTDIR/t1" -cf "$HOSTDIR/hostile.tar" l
	tar -C "$HOSTDIR/t2" -rf "$HOSTDIR/hostile.tar" l/evil
	run silo cp - c1:/tmp <"$HOSTDIR/hostile.tar"
	[ "$(ls "$HOSTDIR/secret")" = file ]
	[ "$(cat "$HOSTDIR/secret/file")" = host-only ]
	! grep -q " $ENGINE_STORE/root/containers/" /proc/self/mountinfo
}

@test "cp bad input: unknown container, missing path, two containers, no container: one line, status 125, nothing written" {
	run_box c1
	run -125 silo cp nosuch:/etc/passwd "$HOSTDIR/out/"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"No such container: nosuch"* ]]
	run -125 silo cp c1:/no/such/file "$HOSTDIR/out/"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *'could not find "/no/such/file" in container c1'* ]]
	run -125 silo cp "$HOSTDIR/missing" c1:/tmp/
	[[ "$output" == *"could not find \"$HOSTDIR/missing\" on the host"* ]]
	run -125 silo cp c1:/etc/passwd c1:/tmp/
	[[ "$output" == *"copying between containers is not supported"* ]]
	run -125 silo cp "$HOSTDIR/in" "$HOSTDIR/out"
	[[ "$output" == *"CONTAINER:PATH"* ]]
	run -125 silo cp c1:/etc/passwd/ "$HOSTDIR/out/"
	[[ "$output" == *"is not a directory"* ]]
	[ -z "$(ls -A "$HOSTDIR/out")" ]
}
