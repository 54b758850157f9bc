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

@test "cp CONTAINER:/ of a running container: its files and volumes, not the kernel's /proc, /sys and /dev/pts" {
	mkdir "$HOSTDIR/vol"
	echo in-vol >"$HOSTDIR/vol/f"
	run_box c1 -v "$HOSTDIR/vol:/vol"
	silo exec c1 sh -c 'echo rooted >/rooted'
	silo cp c1:/ - >"$HOSTDIR/root.tar"
	run tar -tf "$HOSTDIR/root.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == *"bin/busybox"* ]]
	[[ "$output" == *"/rooted"* ]]
	[[ "$output" == *"/vol/f"* ]]
	[[ "$output" == *"/proc/"* ]]
	[[ "$output" != *"/proc/self"* ]]
	[[ "$output" != *"/proc/1/"* ]]
	[[ "$output" != *"/sys/kernel"* ]]
	silo cp c1:/ "$HOSTDIR/whole"
	[ "$(cat "$HOSTDIR/whole/rooted")" = rooted ]
	[ "$(cat "$HOSTDIR/whole/vol/f")" = in-vol ]
	[ -z "$(ls -A "$HOSTDIR/whole/proc")" ]
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

# The attack: a file in the container with file capabilities (here
# CAP_NET_RAW) copied out would be a capable binary on the host.
@test "cp file capabilities escape: the container's security.capability never reaches the host's copy" {
	run_box c1
	silo exec c1 sh -c 'cp /bin/busybox /capfile'
	upper=$ENGINE_STORE/root/containers/$(silo inspect c1 | jq -r '.[0].Id')/upper
	python3 -c 'import os, struct, sys; os.setxattr(sys.argv[1], "security.capability", struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0))' "$upper/capfile"
	run silo exec c1 sh -c 'test -s /capfile && echo there'
	[ "$output" = there ]
	silo cp c1:/capfile "$HOSTDIR/out/"
	cmp "$upper/capfile" "$HOSTDIR/out/capfile"
	run python3 -c 'import os, sys; print(os.listxattr(sys.argv[1]))' "$HOSTDIR/out/capfile"
	[ "$output" = "[]" ]
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

@test "cp with an exited container reaches its volumes and binds, read-only ones read-only, and leaves no mount behind" {
	mkdir "$HOSTDIR/bound" "$HOSTDIR/robound"
	echo ro-content >"$HOSTDIR/robound/f"
	silo run --name gone --network none -v "$HOSTDIR/bound:/bound" -v "$HOSTDIR/robound:/ro:ro" \
		-v silo-test-cp-vol:/named "$BB" sh -c 'echo in-volume >/named/v' >/dev/null
	echo copied-in >"$HOSTDIR/in"
	silo cp "$HOSTDIR/in" gone:/bound/
	[ "$(cat "$HOSTDIR/bound/in")" = copied-in ]
	silo cp gone:/named/v "$HOSTDIR/out/"
	[ "$(cat "$HOSTDIR/out/v")" = in-volume ]
	silo cp gone:/ro/f "$HOSTDIR/out/"
	[ "$(cat "$HOSTDIR/out/f")" = ro-content ]
	run -125 silo cp "$HOSTDIR/in" gone:/ro/
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$HOSTDIR/robound/in" ]
	# The rootfs under the mount points is untouched.
	[ ! -e "$ENGINE_STORE/root/containers/$(silo inspect gone | jq -r '.[0].Id')/upper/bound/in" ]
	! grep -q " $ENGINE_STORE/root/" /proc/self/mountinfo
	silo rm gone >/dev/null
	silo volume rm silo-test-cp-vol >/dev/null
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

@test "cp library planting escape: a libarchive.so.13 the container put in its library paths never loads in the copy" {
	run_box c1
	for dir in /lib /usr/lib /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
		silo exec -i c1 sh -c "mkdir -p $dir && cat >$dir/libarchive.so.13" <"$BUILD_DIR/tests/archive_stub.so"
	done
	echo host-file >"$HOSTDIR/in"
	# The copy into the container unpacks in its mount namespace: were
	# libarchive opened there, the planted library would run as the
	# host's root (and, lacking libarchive's functions, fail the copy).
	run silo cp "$HOSTDIR/in" c1:/tmp/
	assert_status 0
	[ "$(silo exec c1 cat /tmp/in)" = host-file ]
	tar -C "$HOSTDIR" -cf - in | silo cp - c1:/
	[ "$(silo exec c1 cat /in)" = host-file ]
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
	# And an entry that climbs out by name.
	mkdir -p "$HOSTDIR/t3/in"
	echo climbed >"$HOSTDIR/t3/up"
	(cd "$HOSTDIR/t3/in" && tar -P -cf "$HOSTDIR/dotdot.tar" ../up)
	tar -tPf "$HOSTDIR/dotdot.tar" | grep -qx '../up'
	run -125 silo cp - c1:/tmp <"$HOSTDIR/dotdot.tar"
	[[ "$output" == *'"../up" has a ".." component: refused'* ]]
	run -125 silo cp c1:/up "$HOSTDIR/out/"
	run -125 silo cp c1:/tmp/up "$HOSTDIR/out/"
	[ -z "$(ls -A "$HOSTDIR/out")" ]
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

# ----------------------------------------------------------------- export --

@test "export writes the container's filesystem as a tar, to -o FILE or stdout, that import turns back into a runnable image" {
	run_box c1
	silo exec c1 sh -c 'mkdir -p /exported; echo in-export >/exported/f; rm /bin/true'
	silo export -o "$HOSTDIR/c1.tar" c1
	run tar -tf "$HOSTDIR/c1.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == *"exported/f"* ]]
	[[ "$output" == *"bin/busybox"* ]]
	[[ "$output" != *"bin/true"* ]]
	# The runtime's mounts (procfs) are not the container's files.
	[[ "$output" != *"proc/self"* ]]
	silo export c1 | silo import - silo-test/exported:v1 >/dev/null
	run silo run --rm --network none silo-test/exported:v1 sh -c 'cat /exported/f; test -e /bin/true || echo no-true'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-export ]
	[ "${lines[1]}" = no-true ]
	silo rmi silo-test/exported:v1 >/dev/null
}

@test "export of a stopped container, and bad input: unknown container, an output in a missing directory" {
	silo create --name made --network none "$BB" true >/dev/null
	silo export made >"$HOSTDIR/made.tar"
	tar -tf "$HOSTDIR/made.tar" | grep -q '^bin/busybox$'
	! grep -q " $ENGINE_STORE/root/containers/" /proc/self/mountinfo
	run -125 silo export nosuch
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"No such container: nosuch"* ]]
	run -125 silo export -o "$HOSTDIR/no/such/dir/x.tar" made
	[[ "$output" == *"$HOSTDIR/no/such/dir/x.tar"* ]]
	[ ! -e "$HOSTDIR/no" ]
}

# ----------------------------------------------------------------- commit --

@test "commit: an added file, a deleted one (whiteout) and a replaced directory (opaque) are exactly what the new image holds" {
	run_box c1
	silo exec c1 sh -c 'echo added >/added; rm /etc/group; rm -rf /home; mkdir -p /home/fresh; echo new >/home/fresh/f'
	run silo commit c1 silo-test/committed:v1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	# The layer, as the image spec has it.
	blob=$(silo image inspect silo-test/committed:v1 | jq -r '.[0].RootFS.Layers[-1]')
	run silo images -q --no-trunc
	[[ "$output" == *"$id"* ]]
	run silo run --rm --network none silo-test/committed:v1 sh -c 'cat /added; test -e /etc/group || echo no-group; ls /home; cat /home/fresh/f'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = added ]
	[ "${lines[1]}" = no-group ]
	[ "${lines[2]}" = fresh ]
	[ "${lines[3]}" = new ]
	[ "${#lines[@]}" -eq 4 ]
	# The base image still has what the container removed.
	run silo run --rm --network none "$BB" sh -c 'test -e /etc/group && ls /home'
	[ "$status" -eq 0 ]
	[ "$output" = user ]
	silo rmi silo-test/committed:v1 >/dev/null
}

@test "commit's layer: gzip, whiteouts as .wh. files, its DiffID in the config, its chain ID in the layer cache; save and history show it" {
	run_box c1
	silo exec c1 sh -c 'rm /etc/group; rm -rf /home; mkdir /home; echo x >/home/new'
	silo commit -m "the message" -a "A U Thor" c1 silo-test/layer:v1 >/dev/null
	# An OCI archive keeps the blobs as the store has them.
	silo save --format oci-archive -o "$HOSTDIR/saved.tar" silo-test/layer:v1
	mkdir "$HOSTDIR/saved"
	tar -C "$HOSTDIR/saved" -xf "$HOSTDIR/saved.tar"
	blobs=$HOSTDIR/saved/blobs/sha256
	manifest=$(jq -r '.manifests[0].digest' "$HOSTDIR/saved/index.json")
	manifest=$blobs/${manifest#sha256:}
	[ "$(jq -r '.layers[-1].mediaType' "$manifest")" = application/vnd.oci.image.layer.v1.tar+gzip ]
	layer=$blobs/$(jq -r '.layers[-1].digest' "$manifest" | cut -d: -f2)
	config=$blobs/$(jq -r '.config.digest' "$manifest" | cut -d: -f2)
	gzip -t "$layer"
	run tar -tzvf "$layer"
	[ "$status" -eq 0 ]
	[[ "$output" == *" etc/.wh.group"* ]]
	[[ "$output" == *" home/.wh..wh..opq"* ]]
	[[ "$output" == *" home/new"* ]]
	# The empty files the runtime mounts /etc/hosts ... on are not changes.
	[[ "$output" != *" etc/hosts"* ]]
	[[ "$output" != *" etc/resolv.conf"* ]]
	diff_id=sha256:$(gzip -dc "$layer" | sha256sum | cut -d' ' -f1)
	[ "$(jq -r '.rootfs.diff_ids[-1]' "$config")" = "$diff_id" ]
	[ "$(jq -r '.rootfs.diff_ids | length' "$config")" -eq 2 ]
	[ "$(jq -r '.history[-1].comment' "$config")" = "the message" ]
	[ "$(jq -r '.author' "$config")" = "A U Thor" ]
	# The chain ID of the image spec: sha256 of "PARENT_CHAIN DIFF_ID".
	[ "$(jq -r '.rootfs.diff_ids | length' "$config")" -eq 2 ]
	chain=$(printf '%s %s' "$(jq -r '.rootfs.diff_ids[0]' "$config")" "$diff_id" | sha256sum | cut -d' ' -f1)
	[ "$(cat "$ENGINE_STORE/root/layers/$chain/diff/home/new")" = x ]
	run silo history silo-test/layer:v1
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *"sleep 1000"*"the message"* ]]
	silo rmi silo-test/layer:v1 >/dev/null
}

@test "commit --change CMD and ENV set the new image's config; the container's -e variables stay; --pause=false works on a running container" {
	run_box c1 -e FROM_RUN=kept
	silo exec c1 sh -c 'echo from-cmd >/msg'
	silo commit --pause=false -c 'CMD ["cat","/msg"]' --change 'ENV ADDED=yes' c1 silo-test/changed:v1 >/dev/null
	run silo run --rm --network none silo-test/changed:v1
	[ "$status" -eq 0 ]
	[ "$output" = from-cmd ]
	run silo run --rm --network none silo-test/changed:v1 sh -c 'echo $ADDED $FROM_RUN'
	[ "$output" = "yes kept" ]
	run silo image inspect silo-test/changed:v1
	[ "$(echo "$output" | jq -c '.[0].Config.Cmd')" = '["cat","/msg"]' ]
	# The container runs on, not frozen.
	[ "$(container_status c1)" = running ]
	silo rmi silo-test/changed:v1 >/dev/null
}

@test "commit makes the container's command the new Cmd, after the image's Entrypoint, as docker does" {
	run_box c1
	silo commit c1 silo-test/cmd:v1 >/dev/null
	[ "$(silo image inspect silo-test/cmd:v1 | jq -c '.[0].Config.Cmd')" = '["sleep","1000"]' ]
	# cfg's Entrypoint is ["/bin/sh","-c"]: it stays, the argument is Cmd.
	silo run -d --name c2 --network none "$CFG" 'echo committed-cmd; sleep 1000' >/dev/null
	silo commit c2 silo-test/cmd:v2 >/dev/null
	run silo image inspect silo-test/cmd:v2
	[ "$(echo "$output" | jq -c '.[0].Config.Entrypoint')" = '["/bin/sh","-c"]' ]
	[ "$(echo "$output" | jq -c '.[0].Config.Cmd')" = '["echo committed-cmd; sleep 1000"]' ]
	silo rm -f c2 >/dev/null
	run silo run --rm --network none --entrypoint "" silo-test/cmd:v2 echo replaced
	[ "$output" = replaced ]
	silo rmi silo-test/cmd:v1 silo-test/cmd:v2 >/dev/null
}

@test "commit pauses a running container while it reads its changes and resumes it after" {
	run_box c1
	silo exec c1 sh -c 'echo x >/f'
	id=$(silo inspect c1 | jq -r '.[0].Id')
	silo commit c1 silo-test/paused:v1 >/dev/null
	[ "$(cat "/sys/fs/cgroup/freezer/silo-$id/freezer.state")" = THAWED ]
	run silo exec c1 echo alive
	[ "$output" = alive ]
	silo rmi silo-test/paused:v1 >/dev/null
}

@test "commit of an exited container, without a name: the ID is printed and the image runs" {
	silo run --name gone --network none "$BB" sh -c 'echo after-exit >/kept' >/dev/null
	run silo commit gone
	[ "$status" -eq 0 ]
	id=$output
	run silo run --rm --network none "$id" cat /kept
	[ "$output" = after-exit ]
	silo rmi "$id" >/dev/null
}

@test "commit symlink escape: a link the container planted to a host file is committed as the link, never as the host file" {
	run_box c1
	silo exec c1 sh -c "ln -s $HOSTDIR/secret/file /stolen; ln -s ../../../../../../..$HOSTDIR/secret /stolen-dir"
	silo commit c1 silo-test/links:v1 >/dev/null
	silo save --format oci-archive -o "$HOSTDIR/links.tar" silo-test/links:v1
	mkdir "$HOSTDIR/l"
	tar -C "$HOSTDIR/l" -xf "$HOSTDIR/links.tar"
	manifest=$(jq -r '.manifests[0].digest' "$HOSTDIR/l/index.json" | cut -d: -f2)
	layer=$HOSTDIR/l/blobs/sha256/$(jq -r '.layers[-1].digest' "$HOSTDIR/l/blobs/sha256/$manifest" | cut -d: -f2)
	run tar -tzvf "$layer"
	[[ "$output" == *"stolen -> $HOSTDIR/secret/file"* ]]
	[[ "$output" == *"stolen-dir -> ../../../../../../..$HOSTDIR/secret"* ]]
	! gzip -dc "$layer" | grep -q host-only
	silo rmi silo-test/links:v1 >/dev/null
}

@test "commit bad input: unknown container, a bad --change keyword, an invalid repository name: status 125, one line, no image" {
	run_box c1
	before=$(silo images -q | wc -l)
	blobs=$(ls "$ENGINE_STORE/root/blobs/sha256" | wc -l)
	run -125 silo commit nosuch silo-test/x:v1
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"No such container: nosuch"* ]]
	run -125 silo commit -c 'RUN echo hi' c1 silo-test/x:v1
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *'--change "RUN echo hi": commit cannot apply RUN'* ]]
	run -125 silo commit c1 'Bad/UPPER:tag'
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"Bad/UPPER:tag"* ]]
	run -125 silo commit --pause=maybe c1
	[[ "$output" == *'invalid --pause "maybe"'* ]]
	[ "$(silo images -q | wc -l)" -eq "$before" ]
	[ "$(ls "$ENGINE_STORE/root/blobs/sha256" | wc -l)" -eq "$blobs" ]
	[ "$(container_status c1)" = running ]
}
