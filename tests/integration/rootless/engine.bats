#!/usr/bin/env bats
# The rootless engine: an unprivileged user with subordinate ID ranges runs
# silo pull, run, exec, ps, logs, stop and rm against the suite's registry,
# with storage under their XDG_DATA_HOME and state under XDG_RUNTIME_DIR,
# in a user namespace of their own (engine/rootless.h). A second user
# without ranges gets a namespace that maps only their own ID.

bats_require_minimum_version 1.5.0

load ../engine/helpers

# Ranges no other test file hands out.
SUBID_START=400000
SUBID_COUNT=65536

setup_file() {
	command -v newuidmap >/dev/null || skip "newuidmap is not installed (uidmap)"
	export RL_USER=silo-test-rlengine RL_SINGLE=silo-test-rlsingle
	for u in "$RL_USER" "$RL_SINGLE"; do
		if ! id "$u" >/dev/null 2>&1; then
			useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$u"
			echo "$u" >>"$BATS_FILE_TMPDIR/made-users"
		fi
	done
	touch /etc/subuid /etc/subgid
	sed -i "/^$RL_USER:/d; /^$RL_SINGLE:/d" /etc/subuid /etc/subgid
	echo "$RL_USER:$SUBID_START:$SUBID_COUNT" >>/etc/subuid
	echo "$RL_USER:$SUBID_START:$SUBID_COUNT" >>/etc/subgid

	# slirp4netns opens /dev/net/tun as the user: udev makes it 0666 on
	# most hosts, the kernel's own devtmpfs leaves it 0600.
	if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
		stat -c %a /dev/net/tun >"$BATS_FILE_TMPDIR/tun-mode"
		chmod 0666 /dev/net/tun
	fi

	image_setup_file
	engine_build_fixtures
	# owners: bb with nettool and files of several owners.
	local bundle=$FIXTURES/owners-bundle
	umoci tag --image "$LAYOUT:bb" owners
	umoci unpack --image "$LAYOUT:owners" "$bundle" >/dev/null
	cp "$BUILD_DIR/tests/nettool" "$bundle/rootfs/bin/nettool"
	mkdir -p "$bundle/rootfs/data"
	echo one >"$bundle/rootfs/data/by-1000"
	echo two >"$bundle/rootfs/data/by-65534"
	chown 1000:1001 "$bundle/rootfs/data/by-1000"
	chown 65534:65534 "$bundle/rootfs/data/by-65534"
	umoci repack --image "$LAYOUT:owners" "$bundle"
	rm -rf "$bundle"
	# rootonly: bb with every file root's, for a namespace of one ID.
	bundle=$FIXTURES/rootonly-bundle
	umoci new --image "$LAYOUT:rootonly"
	umoci unpack --image "$LAYOUT:rootonly" "$bundle" >/dev/null
	rm -rf "$bundle/rootfs"
	cp -a "$FIXTURES/rootfs" "$bundle/rootfs"
	chown -R -h 0:0 "$bundle/rootfs"
	umoci repack --image "$LAYOUT:rootonly" "$bundle"
	rm -rf "$bundle"
	umoci config --image "$LAYOUT:rootonly" --config.cmd /bin/sh --os linux --architecture amd64
	# layered: bb, a layer with keep/{a,b} and gone, one that deletes gone
	# (a whiteout) and replaces keep's content (an opaque directory).
	umoci tag --image "$LAYOUT:bb" layered
	mkdir -p "$FIXTURES/l1/keep" "$FIXTURES/l2/keep"
	touch "$FIXTURES/l1/keep/a" "$FIXTURES/l1/keep/b" "$FIXTURES/l1/gone" "$FIXTURES/l2/keep/c" \
		"$FIXTURES/l2/.wh.gone" "$FIXTURES/l2/keep/.wh..wh..opq"
	tar -C "$FIXTURES/l1" --owner=0 --group=0 -cf "$FIXTURES/l1.tar" keep gone
	tar -C "$FIXTURES/l2" --owner=0 --group=0 -cf "$FIXTURES/l2.tar" keep .wh.gone
	umoci raw add-layer --image "$LAYOUT:layered" "$FIXTURES/l1.tar"
	umoci raw add-layer --image "$LAYOUT:layered" "$FIXTURES/l2.tar"
	umoci config --image "$LAYOUT:layered" --config.cmd /bin/sh
	push bb "silo/bb:latest"
	push owners "silo/owners:latest"
	push layered "silo/layered:latest"
	push rootonly "silo/rootonly:latest"
	export BB=$REGISTRY/silo/bb:latest OWNERS=$REGISTRY/silo/owners:latest
	export ROOTONLY=$REGISTRY/silo/rootonly:latest LAYERED=$REGISTRY/silo/layered:latest
}

teardown_file() {
	[ ! -s "$BATS_FILE_TMPDIR/tun-mode" ] || chmod "$(cat "$BATS_FILE_TMPDIR/tun-mode")" /dev/net/tun
	sed -i "/^$RL_USER:/d; /^$RL_SINGLE:/d" /etc/subuid /etc/subgid 2>/dev/null || true
	if [ -e "$BATS_FILE_TMPDIR/made-users" ]; then
		while read -r u; do
			pkill -KILL -u "$u" 2>/dev/null || true
			userdel "$u" 2>/dev/null || true
		done <"$BATS_FILE_TMPDIR/made-users"
	fi
	image_teardown_file
}

setup() {
	RL_DIR=$(mktemp -d /tmp/silo-test-rl.XXXXXX)
	chmod 0755 "$RL_DIR"
	mkdir -p "$RL_DIR/data" "$RL_DIR/home" "$RL_DIR/single"
	chown "$RL_USER" "$RL_DIR/data" "$RL_DIR/home"
	chown "$RL_SINGLE" "$RL_DIR/single"
	# Short: the runtime puts unix sockets under XDG_RUNTIME_DIR.
	RL_RUN=$(mktemp -d /tmp/silo-rl.XXXXXX)
	chown "$RL_USER" "$RL_RUN"
	# The runtime root of the tests that run silo as root.
	RL_ROOT_RT=$(mktemp -d /tmp/silo-rlr.XXXXXX)
	export RL_DIR RL_RUN RL_ROOT_RT
}

teardown() {
	local id left
	sed -i '/^containers:600000:131072$/d; /^containers:700000:131072$/d' /etc/subuid /etc/subgid
	if [ -d "$RL_DIR/rootstore" ]; then
		for id in $(SILO_RUNTIME_ROOT=$RL_ROOT_RT "$SILO" --root "$RL_DIR/rootstore" ps -aq --no-trunc 2>/dev/null); do
			SILO_RUNTIME_ROOT=$RL_ROOT_RT "$SILO" --root "$RL_DIR/rootstore" rm -f "$id" >/dev/null 2>&1 || true
		done
	fi
	for id in $(as_user ps -aq --no-trunc 2>/dev/null); do
		as_user rm -fv "$id" >/dev/null 2>&1 || true
	done
	if [ -n "$(ls -A "$RL_DIR/single/silo/containers" 2>/dev/null)" ]; then
		for id in $(as_single ps -aq --no-trunc 2>/dev/null); do
			as_single rm -fv "$id" >/dev/null 2>&1 || true
		done
	fi
	# The holder of the user's namespace leaves once nothing is in it.
	wait_until bash -c "! live_processes '$RL_USER' | grep -q . && ! live_processes '$RL_SINGLE' | grep -q ." || true
	problems=""
	left=$(live_processes "$RL_USER"; live_processes "$RL_SINGLE")
	pkill -KILL -u "$RL_USER" 2>/dev/null || true
	pkill -KILL -u "$RL_SINGLE" 2>/dev/null || true
	[ -z "$left" ] || problems+="processes left: $left"$'\n'
	left=$(pgrep -a slirp4netns | grep "$RL_DIR" || true)
	[ -z "$left" ] || problems+="slirp4netns left: $left"$'\n'
	left=$(pgrep -af '^pasta .*--netns' | grep "$RL_DIR" || true)
	[ -z "$left" ] || problems+="pasta left: $left"$'\n'
	left=$(grep " $RL_DIR/" /proc/self/mountinfo || true)
	[ -z "$left" ] || problems+="mounts left: $left"$'\n'
	left=$(ls -A "$RL_DIR/data/silo/containers" "$RL_DIR/single/silo/containers" 2>/dev/null | grep -v ':$' | grep . || true)
	[ -z "$left" ] || problems+="container records left: $left"$'\n'
	left=$(ls -A "$RL_RUN/silo" 2>/dev/null | grep -v '^\.userns$' || true)
	[ -z "$left" ] || problems+="runtime state left: $left"$'\n'
	left=$(ls -A "$RL_ROOT_RT")
	[ -z "$left" ] || problems+="root's runtime state left: $left"$'\n'
	left=$(find /tmp -maxdepth 1 \( -name 'silo-slirp.*' -o -name 'silo-pasta.*' \) \
		\( -user "$RL_USER" -o -user "$RL_SINGLE" \) 2>/dev/null)
	[ -z "$left" ] || problems+="directories left: $left"$'\n'
	[ -z "$left" ] || rm -rf $left
	# The state root of the user without XDG_RUNTIME_DIR (its holder's
	# lock); the single-ID test checks it is made.
	rm -rf "/tmp/silo-$(id -u "$RL_SINGLE")"
	# The stores hold files of subordinate IDs: root removes them, after
	# whatever is still mounted there.
	grep " $RL_DIR/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf --one-file-system "$RL_DIR" "$RL_RUN" "$RL_ROOT_RT"
	[ -z "$problems" ] || fail "$problems"
}

# Processes of a user that are not zombies (PID 1 reaps them late here).
live_processes() {
	ps -u "$1" -o pid=,stat=,args= 2>/dev/null | awk '$2 !~ /^Z/' || true
}
export -f live_processes

# as_user ARG...: silo as the user with ranges; as_single: the user without.
as_user() {
	runuser -u "$RL_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_DIR/home" \
		XDG_DATA_HOME="$RL_DIR/data" XDG_RUNTIME_DIR="$RL_RUN" "$SILO" "$@"
}
as_single() {
	runuser -u "$RL_SINGLE" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent \
		XDG_DATA_HOME="$RL_DIR/single" "$SILO" "$@"
}

tcp_get() {
	timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && cat <&3' "$1" "$2"
}

@test "rootless: pull stores the image under XDG_DATA_HOME with its files' owners mapped" {
	run as_user pull -q "$OWNERS"
	[ "$status" -eq 0 ] || fail "$output"
	run as_user images
	[[ "$output" == *"silo/owners"* ]]
	# On the host the layer's files belong to the user's subordinate IDs:
	# the image's uid N is SUBID_START + N - 1, its root the user.
	f=$(find "$RL_DIR/data/silo/layers" -path '*/data/by-1000')
	[ "$(stat -c %u:%g "$f")" = "$((SUBID_START + 999)):$((SUBID_START + 1000))" ]
	f=$(find "$RL_DIR/data/silo/layers" -path '*/data/by-65534')
	[ "$(stat -c %u "$f")" = "$((SUBID_START + 65533))" ]
	f=$(find "$RL_DIR/data/silo/layers" -path '*/diff/bin/busybox')
	[ "$(stat -c %u "$f")" = "$(id -u "$RL_USER")" ]
	[ ! -e /var/lib/silo/layers ] || ! find /var/lib/silo/layers -path '*/data/by-65534' | grep -q .
}

@test "rootless: run in the foreground is root of the user's namespace and sees the image's owners" {
	as_user pull -q "$OWNERS" >/dev/null
	uid=$(id -u "$RL_USER")
	run as_user run --rm "$OWNERS" sh -c 'id -u; stat -c %u:%g /data/by-1000 /data/by-65534 /bin/busybox; cat /proc/self/uid_map; echo x >/data/by-1000 && echo wrote'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 1000:1001 ]
	[ "${lines[2]}" = 65534:65534 ]
	[ "${lines[3]}" = 0:0 ]
	# The container's uid_map is the user's namespace's: 0 is the user.
	[[ "${lines[4]}" =~ ^\ *0\ +$uid\ +1$ ]]
	[[ "${lines[5]}" =~ ^\ *1\ +$SUBID_START\ +$SUBID_COUNT$ ]]
	[ "${lines[6]}" = wrote ]
	[ "$(as_user ps -aq | wc -l)" = 0 ]
}

@test "rootless: run -d, ps, logs, exec, stop and rm" {
	as_user pull -q "$BB" >/dev/null
	id=$(as_user run -d --name web "$BB" sh -c 'echo started; trap "echo bye; exit 3" TERM; while :; do sleep 0.1; done')
	[ ${#id} -eq 64 ]
	run as_user ps
	[[ "$output" == *" web"* ]]
	[[ "$output" == *"Up "* ]]
	wait_until bash -c "runuser -u $RL_USER -- env -i HOME=$RL_DIR/home XDG_DATA_HOME=$RL_DIR/data XDG_RUNTIME_DIR=$RL_RUN $SILO logs web | grep -q started"
	run as_user exec web sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" == "sh -c echo started"* ]]
	run as_user exec web sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run as_user stop -t 5 web
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = web ]
	run as_user inspect web
	[ "$(jq -r '.[0].State.Status' <<<"$output")" = exited ]
	[ "$(jq -r '.[0].State.ExitCode' <<<"$output")" = 3 ]
	run as_user logs web
	[[ "$output" == *bye* ]]
	run as_user rm web
	[ "$status" -eq 0 ]
	[ -z "$(as_user ps -aq)" ]
	[ -z "$(ls -A "$RL_DIR/data/silo/containers")" ]
}

@test "rootless: a published port answers on 127.0.0.1 through slirp4netns, the default without a route" {
	as_user pull -q "$OWNERS" >/dev/null
	port=$(free_port)
	as_user run -d --name srv -p "127.0.0.1:$port:80" "$OWNERS" nettool tcp-serve 0.0.0.0 80 from-rootless >/dev/null
	out=$(wait_until tcp_get 127.0.0.1 "$port" 2>/dev/null)
	[ "$out" = from-rootless ]
	run as_user inspect srv
	[ "$(jq -r '.[0].HostConfig.NetworkMode' <<<"$output")" = slirp4netns ]
	pgrep -u "$RL_USER" -x slirp4netns >/dev/null
	as_user rm -f srv >/dev/null
	run tcp_get 127.0.0.1 "$port"
	[ "$status" -ne 0 ]
}

@test "rootless: --network none and host" {
	as_user pull -q "$BB" >/dev/null
	run as_user run --rm --network none "$BB" sh -c 'ls /sys/class/net'
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = lo ]
	run as_user run --rm --network host "$BB" sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = "$(ls /sys/class/net | sort | tr '\n' ' ')" ]
}

@test "rootless: a limit is refused with what delegation would take; a bridge too; nothing is left" {
	as_user pull -q "$BB" >/dev/null
	run as_user run --rm -m 64m "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--memory"* ]]
	[[ "$output" == *"delegated"* ]]
	[[ "$output" == *"cgroup v2"* ]]
	run as_user run --rm --pids-limit 10 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--pids-limit"* ]]
	run as_user run --rm --network bridge "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'--network "bridge"'* ]]
	[[ "$output" == *"slirp4netns"* ]]
	# The tun device closed to the user (a bare devtmpfs's 0600).
	chmod 0600 /dev/net/tun
	run as_user run --rm --network slirp4netns "$BB" true
	chmod 0666 /dev/net/tun
	[ "$status" -eq 125 ]
	[[ "$output" == *"--network slirp4netns: /dev/net/tun (mode 0600)"* ]]
	[[ "$output" == *"chmod 0666 /dev/net/tun"* ]]
	[ -z "$(as_user ps -aq)" ]
	[ -z "$(ls -A "$RL_DIR/data/silo/containers")" ]
}

@test "rootless: without /etc/subuid ranges one ID is mapped, and an image that needs more says what to add" {
	run as_single pull -q "$ROOTONLY"
	[ "$status" -eq 0 ] || fail "$output"
	uid=$(id -u "$RL_SINGLE")
	run as_single run --rm "$ROOTONLY" sh -c 'id -u; cat /proc/self/uid_map | wc -l; cat /proc/self/uid_map'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 1 ]
	[[ "${lines[2]}" =~ ^\ *0\ +$uid\ +1$ ]]
	# The default state root without XDG_RUNTIME_DIR: /tmp/silo-UID.
	[ -d "/tmp/silo-$uid" ]
	[ "$(stat -c %u "/tmp/silo-$uid")" = "$uid" ]

	run as_single pull -q "$OWNERS"
	[ "$status" -eq 1 ]
	[[ "$output" == *"uid 1000 is not mapped"* ]]
	[[ "$output" == *"/etc/subuid"* ]]
	[[ "$output" == *"\"$RL_SINGLE:100000:65536\""* ]]
	run as_single images
	[[ "$output" != *"silo/owners"* ]]
	[ -z "$(find "$RL_DIR/single/silo/tmp" -mindepth 1)" ]
	rm -rf "/tmp/silo-$uid"
}

@test "rootless: volumes keep files of several owners; -t and -it get a terminal" {
	as_user pull -q "$BB" >/dev/null
	run as_user run --rm -v store:/store "$BB" sh -c 'echo kept >/store/f && chown 1000:1000 /store/f'
	[ "$status" -eq 0 ] || fail "$output"
	run as_user run --rm -v store:/store "$BB" stat -c '%u:%g %n' /store/f
	[ "$output" = "1000:1000 /store/f" ]
	[ "$(stat -c %u "$RL_DIR/data/silo/volumes/store/_data/f")" = "$((SUBID_START + 999))" ]
	run as_user volume ls -q
	[ "$output" = store ]
	as_user volume rm store >/dev/null
	run as_user run --rm -t "$BB" tty
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == /dev/pts/* ]]
	run script -qec "runuser -u $RL_USER -- env -i HOME=$RL_DIR/home XDG_DATA_HOME=$RL_DIR/data XDG_RUNTIME_DIR=$RL_RUN $SILO run --rm -it $BB sh -c 'tty; id -u'" /dev/null </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"/dev/pts/0"* ]]
}

@test "rootless: save and load an image of several owners" {
	as_user pull -q "$OWNERS" >/dev/null
	run as_user save -o "$RL_DIR/home/owners.tar" "$OWNERS"
	[ "$status" -eq 0 ] || fail "$output"
	# The archive has the image's owners, not the host's.
	mkdir "$RL_DIR/x"
	tar -xf "$RL_DIR/home/owners.tar" -C "$RL_DIR/x"
	for layer in $(jq -r '.[0].Layers[]' "$RL_DIR/x/manifest.json"); do
		tar -tvf "$RL_DIR/x/$layer" --numeric-owner
	done >"$RL_DIR/listing"
	grep -E '^-[rwx-]{9} 1000/1001 .* data/by-1000$' "$RL_DIR/listing"
	grep -E '^-[rwx-]{9} 0/0 .* bin/busybox$' "$RL_DIR/listing"
	as_user rmi "$OWNERS" >/dev/null
	run as_user images -q
	[ -z "$output" ]
	run as_user load -i "$RL_DIR/home/owners.tar"
	[ "$status" -eq 0 ] || fail "$output"
	run as_user run --rm "$OWNERS" stat -c %u:%g /data/by-1000
	[ "$output" = 1000:1001 ]
}

@test "rootless: whiteouts and opaque directories hide the lower layers' files" {
	as_user pull -q "$LAYERED" >/dev/null
	run as_user run --rm "$LAYERED" sh -c 'ls -A /keep; ls /gone 2>&1 || echo no-gone; rm /keep/c; ls -A /keep | wc -l'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = c ]
	[ "${lines[1]}" != /gone ]
	[ "${lines[2]}" = no-gone ]
	[ "${lines[3]}" = 0 ]
}

@test "rootless: a copy snapshot keeps the owners and applies whiteouts and opaque directories" {
	as_user pull -q "$LAYERED" >/dev/null
	as_user pull -q "$OWNERS" >/dev/null
	copy() {
		runuser -u "$RL_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_DIR/home" \
			XDG_DATA_HOME="$RL_DIR/data" XDG_RUNTIME_DIR="$RL_RUN" SILO_SNAPSHOTTER=copy "$SILO" "$@"
	}
	run copy run --rm "$LAYERED" sh -c 'ls -A /keep; ls /gone 2>&1 || echo no-gone'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = c ]
	[ "${lines[2]}" = no-gone ]
	id=$(copy run -d "$OWNERS" sleep 100)
	[ "$(as_user inspect "$id" | jq -r '.[0].Driver')" = copy ]
	run as_user exec "$id" stat -c %u:%g /data/by-1000 /data/by-65534
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 1000:1001 ]
	[ "${lines[1]}" = 65534:65534 ]
	# The copy is the container's own: on the host, in the user's store,
	# with the subordinate owners.
	f=$(find "$RL_DIR/data/silo/containers/$id" -path '*/data/by-65534')
	[ "$(stat -c %u "$f")" = "$((SUBID_START + 65533))" ]
	as_user rm -f "$id" >/dev/null
	[ ! -e "$RL_DIR/data/silo/containers/$id" ]
}

@test "rootless: --userns keep-id runs as the user's own IDs; a bind-mounted work directory is theirs" {
	as_user pull -q "$OWNERS" >/dev/null
	uid=$(id -u "$RL_USER")
	gid=$(id -g "$RL_USER")
	mkdir "$RL_DIR/home/work"
	echo mine >"$RL_DIR/home/work/in"
	chown -R "$RL_USER:" "$RL_DIR/home/work"
	chmod 0700 "$RL_DIR/home/work"
	run as_user run --rm --userns keep-id -v "$RL_DIR/home/work:/work" "$OWNERS" sh -c \
		'id -u; id -g; stat -c %u:%g /work/in; cat /work/in; echo out >/work/out; stat -c %u:%g /data/by-1000 /bin/busybox /data/by-65534'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = "$uid" ]
	[ "${lines[1]}" = "$gid" ]
	[ "${lines[2]}" = "$uid:$gid" ]
	[ "${lines[3]}" = mine ] || fail "$output"
	# The image's files keep their owners in there too.
	[ "${lines[4]}" = 1000:1001 ]
	[ "${lines[5]}" = 0:0 ]
	[ "${lines[6]}" = 65534:65534 ]
	[ "$(stat -c %u:%g "$RL_DIR/home/work/out")" = "$uid:$gid" ]
	# exec runs with the container's IDs too.
	as_user run -d --name kept --userns keep-id "$OWNERS" sleep 100 >/dev/null
	run as_user exec kept sh -c 'id -u; stat -c %u /bin/busybox'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = "$uid" ]
	[ "${lines[1]}" = 0 ]
	as_user rm -f kept >/dev/null
	# Without keep-id the same directory is root's in the container.
	run as_user run --rm -v "$RL_DIR/home/work:/work" "$OWNERS" stat -c %u /work/in
	[ "$output" = 0 ]
	run as_user run --rm --userns bogus "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --userns "bogus"'* ]]
	run as_single run --rm --userns keep-id "$ROOTONLY" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"/etc/subuid"* ]]
}

@test "rootless: the runtime face runs a spec --rootless bundle with --rootless auto" {
	mkdir -p "$RL_DIR/home/bundle"
	cp -a "$FIXTURES/rootfs" "$RL_DIR/home/bundle/rootfs"
	chown -R "$RL_USER:" "$RL_DIR/home/bundle"
	rt_user() {
		runuser -u "$RL_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_DIR/home" \
			XDG_RUNTIME_DIR="$RL_RUN" "$BUILD_DIR/silo-runtime" "$@"
	}
	rt_user spec --rootless --bundle "$RL_DIR/home/bundle"
	jq '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]' \
		"$RL_DIR/home/bundle/config.json" >"$RL_DIR/config.json"
	cp "$RL_DIR/config.json" "$RL_DIR/home/bundle/config.json"
	run rt_user --rootless auto run --bundle "$RL_DIR/home/bundle" rl-rt
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ *0\ +$(id -u "$RL_USER")\ +1$ ]]
	[ ! -e "$RL_RUN/silo/rl-rt" ]
	run rt_user --rootless maybe list
	[ "$status" -ne 0 ]
	[[ "$output" == *'--rootless: invalid value "maybe"'* ]]
}

@test "rootless: with a default route pasta is the default network; a published port answers on 127.0.0.1" {
	command -v pasta >/dev/null || skip "pasta is not installed (passt)"
	# It adds a link and a default route: only in the suite's own namespace.
	[ "${SILO_CHECK_NETNS:-}" = 1 ] || skip "needs the suite's own network namespace (make check)"
	as_user pull -q "$OWNERS" >/dev/null
	# pasta copies an interface of the host with a route: give the suite's
	# namespace one, a veth with a default route through it.
	ip link add silo-rl0 type veth peer name silo-rl1
	ip addr add 192.0.2.1/24 dev silo-rl0
	ip link set silo-rl0 up
	ip link set silo-rl1 up
	ip route add default via 192.0.2.254 dev silo-rl0
	port=$(free_port)
	run as_user run -d --name srv -p "127.0.0.1:$port:80" "$OWNERS" nettool tcp-serve 0.0.0.0 80 via-pasta
	if [ "$status" -eq 0 ]; then
		out=$(wait_until tcp_get 127.0.0.1 "$port" 2>/dev/null) || true
		mode=$(as_user inspect srv | jq -r '.[0].HostConfig.NetworkMode')
		addr=$(as_user exec srv ip -o -4 addr show | grep -c 192.0.2.1/24 || true)
		pasta_pid=$(pgrep -u "$RL_USER" -f "^pasta .*--netns" || true)
		as_user rm -f srv >/dev/null
	fi
	run2_status=0
	explicit=$(as_user run --rm --network slirp4netns "$OWNERS" sh -c 'ip -o -4 addr show tap0' 2>&1) || run2_status=$?
	ip link del silo-rl0
	[ "$status" -eq 0 ] || fail "$output"
	[ "$out" = via-pasta ]
	[ "$mode" = pasta ]
	# The container has the host interface's address.
	[ "$addr" = 1 ]
	[ -n "$pasta_pid" ]
	[ "$run2_status" -eq 0 ] || fail "$explicit"
	[[ "$explicit" == *10.0.2.100/24* ]]
	wait_until bash -c "! pgrep -u $RL_USER -f '^pasta .*--netns' >/dev/null"
	[ -z "$(ls -d /tmp/silo-pasta.* 2>/dev/null)" ]
}

@test "rootless: rmi removes layers of subordinate owners; system prune works; a network needs root" {
	as_user pull -q "$OWNERS" >/dev/null
	as_user run --name gone "$OWNERS" true
	run as_user system prune -f
	[ "$status" -eq 0 ] || fail "$output"
	[ -z "$(as_user ps -aq)" ]
	run as_user rmi "$OWNERS"
	[ "$status" -eq 0 ] || fail "$output"
	[ -z "$(ls -A "$RL_DIR/data/silo/layers")" ]
	run as_user network create mine
	[ "$status" -eq 125 ]
	[[ "$output" == *"silo network create: rootless: networks are bridges, which need root"* ]] || fail "$output"
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$RL_DIR/data/silo/networks/mine" ]
}

@test "rootless: --uidmap and --gidmap give the container a map of its own; the image keeps its owners" {
	as_user pull -q "$OWNERS" >/dev/null
	run as_user run --name mapped --uidmap 0:2:65535 --gidmap 0:2:65535 "$OWNERS" sh -c \
		'id -u; stat -c %u:%g /data/by-1000 /bin/busybox; cat /proc/self/uid_map /proc/self/gid_map; touch /made'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 1000:1001 ]
	[ "${lines[2]}" = 0:0 ]
	[[ "${lines[3]}" =~ ^\ *0\ +2\ +65535$ ]]
	[[ "${lines[4]}" =~ ^\ *0\ +2\ +65535$ ]]
	# Container root is the namespace's 2: the user's second subordinate ID.
	made=$(find "$RL_DIR/data/silo/containers" -path '*/upper/made')
	[ "$(stat -c %u:%g "$made")" = "$((SUBID_START + 1)):$((SUBID_START + 1))" ]
	as_user rm mapped >/dev/null
	# An image file the map leaves out is named.
	run as_user run --rm --uidmap 0:1000:60000 "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'"by-65534" is owned by uid 65534, which the container'"'"'s ID map does not map'* ]]
	run as_user run --rm --uidmap 5:0:10 "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"container ID 0 (root) must be mapped"* ]]
	run as_user run --rm --uidmap 0:x:10 "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --uidmap "0:x:10": want CONTAINER_ID:HOST_ID:SIZE'* ]]
	run as_user run --rm --uidmap 0:60000:10000 "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--uidmap: host IDs 60000-69999 are beyond"* ]]
	run as_user run --rm --userns keep-id --uidmap 0:1:10 "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"conflicting options"* ]]
	[ -z "$(as_user ps -aq)" ]
}

@test "root: --uidmap runs the container in a user namespace of host IDs" {
	local store=$RL_DIR/rootstore rt=$RL_ROOT_RT
	"$SILO" --root "$store" pull -q "$OWNERS" >/dev/null
	run env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" run --rm --network none \
		--uidmap 0:300000:65536 "$OWNERS" sh -c 'cat /proc/self/uid_map; stat -c %u:%g /data/by-1000 /bin/busybox; touch /made && stat -c %u /made'
	local st=$status out=$output
	left=$(ls -A "$rt")
	[ "$st" -eq 0 ] || fail "$out"
	lines=($out)
	[ "${lines[0]} ${lines[1]} ${lines[2]}" = "0 300000 65536" ]
	[ "${lines[3]}" = 1000:1001 ]
	[ "${lines[4]}" = 0:0 ]
	[ "${lines[5]}" = 0 ]
	[ -z "$left" ]
	run "$SILO" --root "$store" run --rm --network none --userns keep-id "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--userns keep-id is for rootless containers only"* ]]
}

@test "rootless: a killed namespace holder is replaced from a running container's monitor" {
	as_user pull -q "$BB" >/dev/null
	as_user run -d --name long "$BB" sleep 100 >/dev/null
	holder=$(cat "$RL_RUN/silo/.userns/pid")
	ns=$(readlink "/proc/$holder/ns/user")
	kill -KILL "$holder"
	wait_until bash -c "! readlink /proc/$holder/ns/user >/dev/null 2>&1"
	# The next command joins the container's namespace again: its mount
	# and processes are there for exec and rm.
	run as_user exec long sh -c 'echo reached'
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = reached ]
	new=$(cat "$RL_RUN/silo/.userns/pid")
	[ "$new" != "$holder" ]
	[ "$(readlink "/proc/$new/ns/user")" = "$ns" ]
	run as_user rm -f long
	[ "$status" -eq 0 ] || fail "$output"
}

@test "root: --userns auto gives each container a free range of the containers user" {
	local store=$RL_DIR/rootstore rt=$RL_ROOT_RT
	grep -q '^containers:' /etc/subuid /etc/subgid && skip "the host already gives the user containers ranges"
	run env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" run --rm --network none --userns auto "$OWNERS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'"containers:2147483647:2147483648" to /etc/subuid and /etc/subgid'* ]] || fail "$output"
	echo "containers:600000:131072" >>/etc/subuid
	echo "containers:700000:131072" >>/etc/subgid
	"$SILO" --root "$store" pull -q "$OWNERS" >/dev/null
	a=$(env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" run -d --network none --userns auto "$OWNERS" sleep 100)
	b=$(env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" run -d --network none --userns auto "$OWNERS" sleep 100)
	run env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" run --rm --network none --userns auto "$OWNERS" true
	c_status=$status c_output=$output
	map_a=$(env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" exec "$a" cat /proc/self/uid_map /proc/self/gid_map | tr -s ' ' | tr '\n' ,)
	map_b=$(env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" exec "$b" cat /proc/self/uid_map | tr -s ' ')
	owner=$(env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" exec "$a" stat -c %u:%g /data/by-1000)
	env SILO_RUNTIME_ROOT="$rt" "$SILO" --root "$store" rm -f "$a" "$b" >/dev/null
	left=$(ls -A "$rt")
	[ "$map_a" = " 0 600000 65536, 0 700000 65536," ]
	[ "$map_b" = " 0 665536 65536" ]
	[ "$owner" = 1000:1001 ]
	# Both blocks are taken while a and b run.
	[ "$c_status" -eq 125 ]
	[[ "$c_output" == *"every 65536-ID block"* ]]
	[ -z "$left" ]
}
