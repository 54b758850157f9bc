# Shared setup for the image tests: a real registry (Debian's
# docker-registry) on 127.0.0.1, fixture images built with umoci and pushed
# with skopeo — never with silo — and a private storage root per test.
#
# setup_file (image_setup_file) exports:
#   FIXTURES   the file's temporary directory (removed in teardown_file)
#   REGISTRY   127.0.0.1:PORT of the plain registry
#   LAYOUT     the OCI layout the fixtures were built in
# setup (image_setup) gives each test SILO_STORE (its --root) and a
# DOCKER_CONFIG of its own. image_setup_file_pushed and image_setup_with_work
# add the fixtures most files use and a scratch directory.

load ../helpers

SILO=${SILO:-$BUILD_DIR/silo}

# skopeo run as root keeps a blob-info cache in /var/lib/containers/cache.
# Each call gets a private mount namespace with a throwaway tmpfs on /var/lib,
# so the suite leaves nothing on the machine.
skopeo() {
	unshare -m -- sh -c 'mount -t tmpfs -o mode=0755 tmpfs /var/lib && exec /usr/bin/skopeo "$@"' \
		skopeo "$@"
}

free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		if ! ss -Htln "sport = :$port" | grep -q .; then
			echo "$port"
			return
		fi
	done
}

# start_registry NAME PORT [EXTRA_YAML]: runs docker-registry with its
# storage under $FIXTURES/NAME; the pid goes to $FIXTURES/NAME.pid.
start_registry() {
	local name=$1 port=$2 extra=${3:-}
	mkdir -p "$FIXTURES/$name"
	cat >"$FIXTURES/$name.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $FIXTURES/$name/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$extra
YAML
	docker-registry serve "$FIXTURES/$name.yml" >"$FIXTURES/$name.log" 2>&1 &
	echo $! >"$FIXTURES/$name.pid"
	# Stopped by its pid (stop_registry), never waited for: no job notice
	# when a test kills it.
	disown $!
	retry 200 curl -s -o /dev/null "http://127.0.0.1:$port/v2/" ||
		fail "registry $name did not start: $(cat "$FIXTURES/$name.log")"
}

stop_registry() {
	local pidfile=$FIXTURES/$1.pid pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

# push TAG REPO:TAG [SKOPEO_FLAG...]: copies a fixture from the layout.
push() {
	local from=$1 to=$2
	shift 2
	skopeo copy -q --dest-tls-verify=false "$@" "oci:$LAYOUT:$from" "docker://$REGISTRY/$to" >/dev/null
}

# Fixtures:
#   bb          one layer: the busybox rootfs
#   multi       bb's layer plus a layer that adds /etc/added, deletes
#               /etc/group (a whiteout) and replaces /home (an opaque dir)
#   arm64       bb's layer with an arm64 config
#   index       an OCI index of bb (linux/amd64) and arm64 (linux/arm64)
#   zstd        a layer of its own, pushed zstd-compressed
#   corrupt     one small layer of its own (its blob is broken in the registry)
build_fixtures() {
	local rootfs=$FIXTURES/rootfs bundle=$FIXTURES/bundle
	"$SILO_SOURCE_DIR/scripts/busybox-rootfs.sh" "$rootfs" >/dev/null
	LAYOUT=$FIXTURES/layout
	umoci init --layout "$LAYOUT"

	umoci new --image "$LAYOUT:bb"
	umoci unpack --image "$LAYOUT:bb" "$bundle" >/dev/null
	rm -rf "$bundle/rootfs"
	cp -a "$rootfs" "$bundle/rootfs"
	umoci repack --image "$LAYOUT:bb" "$bundle"
	umoci config --image "$LAYOUT:bb" --config.cmd /bin/sh --os linux --architecture amd64
	rm -rf "$bundle"

	umoci tag --image "$LAYOUT:bb" multi
	umoci unpack --image "$LAYOUT:multi" "$bundle" >/dev/null
	echo added >"$bundle/rootfs/etc/added"
	rm "$bundle/rootfs/etc/group"
	rm -rf "$bundle/rootfs/home"
	mkdir -p "$bundle/rootfs/home/new"
	umoci repack --image "$LAYOUT:multi" "$bundle"
	rm -rf "$bundle"

	umoci tag --image "$LAYOUT:bb" arm64
	umoci config --image "$LAYOUT:arm64" --architecture arm64
	make_index index bb arm64

	# Its own layer: skopeo would reuse bb's gzip blob instead of
	# recompressing it.
	umoci new --image "$LAYOUT:zstd"
	umoci unpack --image "$LAYOUT:zstd" "$bundle" >/dev/null
	rm -rf "$bundle/rootfs"
	cp -a "$rootfs" "$bundle/rootfs"
	echo zstd >"$bundle/rootfs/etc/zstd-marker"
	umoci repack --image "$LAYOUT:zstd" "$bundle"
	rm -rf "$bundle"

	umoci new --image "$LAYOUT:corrupt"
	umoci unpack --image "$LAYOUT:corrupt" "$bundle" >/dev/null
	head -c 200000 /dev/urandom >"$bundle/rootfs/random"
	umoci repack --image "$LAYOUT:corrupt" "$bundle"
	rm -rf "$bundle"
}

# make_index NAME TAG...: an OCI index (made with jq, by hand) of the
# layout's manifests for TAG..., each with its config's platform.
make_index() {
	local name=$1 tag entries='[]' desc config arch index hex
	shift
	for tag in "$@"; do
		desc=$(jq -c --arg t "$tag" \
			'.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)
			 | del(.annotations)' "$LAYOUT/index.json")
		config=$(jq -r .config.digest "$LAYOUT/blobs/sha256/$(jq -r .digest <<<"$desc" | cut -d: -f2)")
		arch=$(jq -r .architecture "$LAYOUT/blobs/sha256/${config#sha256:}")
		entries=$(jq -c --argjson d "$desc" --arg a "$arch" \
			'. + [$d + {platform: {os: "linux", architecture: $a}}]' <<<"$entries")
	done
	index=$(jq -c -n --argjson m "$entries" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: $m}')
	printf '%s' "$index" >"$FIXTURES/index.tmp"
	hex=$(sha256sum "$FIXTURES/index.tmp" | cut -d' ' -f1)
	mv "$FIXTURES/index.tmp" "$LAYOUT/blobs/sha256/$hex"
	jq --arg h "sha256:$hex" --argjson s "$(stat -c %s "$LAYOUT/blobs/sha256/$hex")" --arg n "$name" \
		'.manifests += [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $h, size: $s,
		  annotations: {"org.opencontainers.image.ref.name": $n}}]' \
		"$LAYOUT/index.json" >"$LAYOUT/index.json.new"
	mv "$LAYOUT/index.json.new" "$LAYOUT/index.json"
}

image_setup_file() {
	export FIXTURES
	FIXTURES=$(mktemp -d /tmp/silo-image-test.XXXXXX)
	REGISTRY=127.0.0.1:$(free_port)
	export REGISTRY
	start_registry plain "${REGISTRY##*:}"
}

# image_setup_file_pushed: image_setup_file, with the fixtures built (LAYOUT
# exported) and bb and multi pushed to the plain registry.
image_setup_file_pushed() {
	image_setup_file
	build_fixtures
	push bb bb:latest
	push multi multi:latest
	export LAYOUT
}

image_teardown_file() {
	local f
	for f in "$FIXTURES"/*.pid; do
		[ -e "$f" ] || continue
		f=${f##*/}
		stop_registry "${f%.pid}"
	done
	rm -rf --one-file-system "$FIXTURES"
}

image_setup() {
	SILO_STORE=$(mktemp -d /tmp/silo-image-store.XXXXXX)
	export DOCKER_CONFIG=$SILO_STORE/docker-config
	export REGISTRY_AUTH_FILE=$SILO_STORE/auth.json
	export SILO_REGISTRIES_CONF=$SILO_STORE/registries.json
}

# image_setup_with_work: image_setup, and WORK, an empty directory in the
# test's store.
image_setup_with_work() {
	image_setup
	WORK=$SILO_STORE/work
	mkdir -p "$WORK"
}

image_teardown() {
	rm -rf --one-file-system "$SILO_STORE"
}

silo() {
	"$SILO" --root "$SILO_STORE/root" "$@"
}

# layer_dir N: the diff directory of the image's Nth layer (0-based).
layer_dir() {
	local image=$1 n=$2 chain
	chain=$(silo images --format json | jq -r --arg n "$image" \
		'.[] | select(.names | index($n)) | .layers['"$n"']')
	echo "$SILO_STORE/root/layers/${chain#sha256:}/diff"
}

# Big fixtures, for downloads that take long enough to watch or break off:
#   big     the busybox rootfs and 4 MiB of random bytes (/big): a layer
#           that takes seconds on a slowed loopback
#   bigtop  big plus a small layer (/etc/top)
build_big_fixtures() {
	local bundle=$FIXTURES/bundle
	umoci new --image "$LAYOUT:big"
	umoci unpack --image "$LAYOUT:big" "$bundle" >/dev/null
	rm -rf "$bundle/rootfs"
	cp -a "$FIXTURES/rootfs" "$bundle/rootfs"
	head -c 4194304 /dev/urandom >"$bundle/rootfs/big"
	cp "$bundle/rootfs/big" "$FIXTURES/big.data"
	umoci repack --image "$LAYOUT:big" "$bundle"
	umoci config --image "$LAYOUT:big" --config.cmd /bin/sh --os linux --architecture amd64
	rm -rf "$bundle"
	umoci tag --image "$LAYOUT:big" bigtop
	umoci unpack --image "$LAYOUT:bigtop" "$bundle" >/dev/null
	echo top >"$bundle/rootfs/etc/top"
	umoci repack --image "$LAYOUT:bigtop" "$bundle"
	rm -rf "$bundle"
}

in_private_netns() {
	[ "${SILO_CHECK_NETNS:-}" = 1 ] && [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ]
}

# shape_loopback RATE: loopback at RATE (tc's units: 4mbit). The MTU goes
# down so that packets fit the bucket.
shape_loopback() {
	in_private_netns || fail "not in a private network namespace"
	ip link set lo mtu 1500
	tc qdisc replace dev lo root tbf rate "$1" burst 64kb latency 200ms
}

unshape_loopback() {
	in_private_netns || return 0
	tc qdisc del dev lo root 2>/dev/null || true
	ip link set lo mtu 65536
}

lo_bytes() {
	cat /sys/class/net/lo/statistics/tx_bytes
}

# nothing_in_progress: no temporary file or directory is left in the store.
nothing_in_progress() {
	[ -z "$(ls -A "$SILO_STORE/root/tmp")" ] || fail "left in tmp/: $(ls -A "$SILO_STORE/root/tmp")"
}
