#!/bin/sh
# make demo: the engine, end to end and without any network. It builds the
# default busybox image from Debian's busybox-static (an OCI layout made by
# umoci), loads it into a store with `silo load`, and runs containers from
# it with `silo run`: one in the foreground that shows, from inside, what it
# is isolated from (its own hostname, its own process tree starting at
# PID 1, its own root filesystem, no network but loopback: --network none,
# so the demo changes nothing on the host's network), then a detached
# one with `logs`, `exec` and `rm`.
set -eu

build=${1:-build}
silo_bin="$build/silo"
images="$build/images/busybox"
layout="$images/layout"
archive="$images/busybox.tar"
store="$build/demo-store"

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo runs containers: run it as root" >&2
	exit 1
fi

# The image: rebuilt when Debian's busybox is newer than the archive, from a
# fresh rootfs (scripts/busybox-rootfs.sh) in a temporary directory.
if [ ! -f "$archive" ] || [ /bin/busybox -nt "$archive" ]; then
	work=$(mktemp -d /tmp/silo-demo-image.XXXXXX)
	scripts/busybox-rootfs.sh "$work/rootfs"
	rm -rf "$layout"
	mkdir -p "$images"
	umoci init --layout "$layout"
	umoci new --image "$layout:busybox:latest"
	umoci unpack --image "$layout:busybox:latest" "$work/bundle" >/dev/null
	rm -rf "$work/bundle/rootfs"
	mv "$work/rootfs" "$work/bundle/rootfs"
	umoci repack --image "$layout:busybox:latest" "$work/bundle"
	umoci config --image "$layout:busybox:latest" --config.cmd /bin/sh --os linux --architecture amd64
	rm -rf "$work"
	tar -C "$layout" -cf "$archive" .
fi

# A private runtime state root, so the demo leaves nothing in /run/silo.
SILO_RUNTIME_ROOT=$(mktemp -d /tmp/silo-demo.XXXXXX)
export SILO_RUNTIME_ROOT
silo() { "$silo_bin" --root "$store" "$@"; }
# An interrupted demo leaves no container behind, and the next one starts clean.
trap 'silo rm -f demo >/dev/null 2>&1 || true; rm -rf "$SILO_RUNTIME_ROOT"' EXIT
silo rm -f demo >/dev/null 2>&1 || true

echo "\$ silo load -i $archive"
silo load -i "$archive"
echo
echo "\$ silo run --rm -i --network none busybox sh <<SCRIPT ... (the script reads what the container sees)"
echo
silo run --rm -i --network none busybox sh <<'SCRIPT'
echo "hostname:            $(hostname)"
echo
echo "processes (ps):"
ps
echo
echo "root filesystem (ls /):"
ls /
echo
echo "network interfaces:  $(ls /sys/class/net)"
echo
grep Cap /proc/self/status
SCRIPT
echo
echo "\$ silo run -d --name demo --network none busybox sh -c 'echo hello from a detached container; sleep 60'"
silo run -d --name demo --network none busybox sh -c 'echo hello from a detached container; sleep 60'
echo "\$ silo ps"
silo ps
sleep 0.2
echo "\$ silo logs demo"
silo logs demo
echo "\$ silo exec demo ps"
silo exec demo ps
echo "\$ silo rm -f demo"
silo rm -f demo
