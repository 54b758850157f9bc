# Shared setup for the engine tests: real containers run by `silo run`
# from images served by a real registry (the image tests' helpers: Debian's
# docker-registry on 127.0.0.1, fixtures built with umoci, pushed with
# skopeo).
#
# setup_file (engine_setup_file) builds and pushes the fixtures and pulls
# them once into a store shared by the file's tests:
#   bb    the busybox rootfs, Cmd /bin/sh
#   cfg   bb with Entrypoint ["/bin/sh","-c"], Cmd ["echo from-cmd"],
#         Env GREETING=hi, WorkingDir /home/user, User user,
#         StopSignal SIGUSR1, and "user" a member of group wheel
# engine_build_volume_fixture (volumes.bats) adds vol: bb with Volumes.
# setup (engine_setup) gives each test its own runtime state root
# (SILO_RUNTIME_ROOT); engine_teardown removes every container the test
# left and fails when a mount, a state directory or a monitor survived.

load ../image/helpers

engine_build_fixtures() {
	local rootfs=$FIXTURES/rootfs bundle=$FIXTURES/bundle
	"$SILO_SOURCE_DIR/scripts/busybox-rootfs.sh" "$rootfs" >/dev/null
	export LAYOUT=$FIXTURES/layout
	umoci init --layout "$LAYOUT"
	umoci new --image "$LAYOUT:bb"
	umoci unpack --image "$LAYOUT:bb" "$bundle" >/dev/null
	rm -rf "$bundle/rootfs"
	cp -a "$rootfs" "$bundle/rootfs"
	umoci repack --image "$LAYOUT:bb" "$bundle"
	umoci config --image "$LAYOUT:bb" --config.cmd /bin/sh --os linux --architecture amd64
	rm -rf "$bundle"

	umoci tag --image "$LAYOUT:bb" cfg
	umoci unpack --image "$LAYOUT:cfg" "$bundle" >/dev/null
	sed -i 's/^wheel:x:10:$/wheel:x:10:user/' "$bundle/rootfs/etc/group"
	umoci repack --image "$LAYOUT:cfg" "$bundle"
	rm -rf "$bundle"
	umoci config --image "$LAYOUT:cfg" --clear=config.cmd \
		--config.entrypoint /bin/sh --config.entrypoint -c --config.cmd 'echo from-cmd' \
		--config.env GREETING=hi --config.workingdir /home/user --config.user user \
		--config.stopsignal SIGUSR1
}

engine_setup_file() {
	image_setup_file
	# The name marks every process of the suite for leftovers.sh.
	ENGINE_STORE=$(mktemp -d /tmp/silo-test-engine.XXXXXX)
	export ENGINE_STORE
	engine_build_fixtures
	push bb "silo/bb:latest"
	push cfg "silo/cfg:latest"
	"$SILO" --root "$ENGINE_STORE/root" pull -q "$REGISTRY/silo/bb:latest" >/dev/null
	"$SILO" --root "$ENGINE_STORE/root" pull -q "$REGISTRY/silo/cfg:latest" >/dev/null
	export BB=$REGISTRY/silo/bb:latest CFG=$REGISTRY/silo/cfg:latest
}

# vol: bb with Volumes /seeded and /empty; /seeded holds seed.txt,
# sub/deep.txt and a symlink "link" -> /etc/passwd, all owned by 1000:1000,
# the directory mode 0750; /escape is a symlink to $FIXTURES/host-secret, a
# host directory with a file "secret" (the copy-up must not reach it).
engine_build_volume_fixture() {
	local bundle=$FIXTURES/vol-bundle
	mkdir -p "$FIXTURES/host-secret"
	echo host-only >"$FIXTURES/host-secret/secret"
	umoci tag --image "$LAYOUT:bb" vol
	umoci unpack --image "$LAYOUT:vol" "$bundle" >/dev/null
	mkdir -p "$bundle/rootfs/seeded/sub"
	echo hello-seed >"$bundle/rootfs/seeded/seed.txt"
	echo deep >"$bundle/rootfs/seeded/sub/deep.txt"
	ln -s /etc/passwd "$bundle/rootfs/seeded/link"
	chown -R -h 1000:1000 "$bundle/rootfs/seeded"
	chmod 0750 "$bundle/rootfs/seeded"
	ln -s "$FIXTURES/host-secret" "$bundle/rootfs/escape"
	umoci repack --image "$LAYOUT:vol" "$bundle"
	rm -rf "$bundle"
	umoci config --image "$LAYOUT:vol" --config.volume /seeded --config.volume /empty
	push vol "silo/vol:latest"
	"$SILO" --root "$ENGINE_STORE/root" pull -q "$REGISTRY/silo/vol:latest" >/dev/null
	export VOL=$REGISTRY/silo/vol:latest
}

engine_teardown_file() {
	# The default bridge and the nftables table stay while the store is
	# used; prune takes them out once nothing runs on them.
	"$SILO" --root "$ENGINE_STORE/root" system prune -f >/dev/null 2>&1 || true
	rm -rf --one-file-system "$ENGINE_STORE"
	image_teardown_file
}

engine_setup() {
	# Short: the runtime puts unix sockets in it (108 bytes a path).
	SILO_RUNTIME_ROOT=$(mktemp -d /tmp/silo-test-rt.XXXXXX)
	export SILO_RUNTIME_ROOT
}

engine_teardown() {
	local id left
	for id in $(silo ps -aq --no-trunc 2>/dev/null); do
		silo rm -fv "$id" >/dev/null 2>&1 || true
	done
	left=$(ls -A "$ENGINE_STORE/root/volumes" 2>/dev/null || true)
	if [ -n "$left" ]; then
		silo volume prune -af >/dev/null 2>&1 || true
		fail "volumes left: $left"
	fi
	left=$(grep " $ENGINE_STORE/" /proc/self/mountinfo || true)
	[ -z "$left" ] || fail "mounts left: $left"
	left=$(ls -A "$SILO_RUNTIME_ROOT")
	[ -z "$left" ] || fail "runtime state left: $left"
	left=$(ls -A "$ENGINE_STORE/root/containers" 2>/dev/null || true)
	[ -z "$left" ] || fail "container records left: $left"
	# The suite runs in a network namespace of its own: any veth is ours.
	left=$(ip -o link show type veth 2>/dev/null || true)
	[ -z "$left" ] || fail "veths left: $left"
	left=$(find /sys/fs/cgroup -maxdepth 4 -type d -path '*silo*' 2>/dev/null |
		grep -E '/[0-9a-f]{64}$' || true)
	[ -z "$left" ] || fail "cgroups left: $left"
	rm -rf "$SILO_RUNTIME_ROOT"
}

silo() {
	"$SILO" --root "$ENGINE_STORE/root" "$@"
}

# wait_until CMD...: retries for up to 10 s.
wait_until() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

container_status() {
	silo inspect "$1" | jq -r '.[0].State.Status'
}
