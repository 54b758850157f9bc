#!/bin/sh
# make demo: runs a container from the default busybox image and shows, from
# inside, what it is isolated from: its own hostname, its own process tree
# starting at PID 1, its own root filesystem, and no network but loopback.
set -eu

build=${1:-build}
image="$build/images/busybox"
bundle="$build/demo-bundle"
runtime="$build/silo-runtime"

scripts/busybox-rootfs.sh "$image/rootfs"

rm -rf "$bundle"
mkdir -p "$bundle"
cat >"$bundle/demo.sh" <<'SCRIPT'
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
"$runtime" spec --bundle "$bundle"
# The bundle points at the shared image rootfs, read-only, and brings the
# script in with a read-only bind mount.
jq --arg root "$(cd "$image" && pwd)/rootfs" --arg script "$(cd "$bundle" && pwd)/demo.sh" '
	.root.path = $root |
	.process.terminal = false |
	.hostname = "silo-demo" |
	.process.args = ["sh", "/demo.sh"] |
	.mounts += [{"destination": "/demo.sh", "type": "bind", "source": $script,
		     "options": ["bind", "ro"]}]
' "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

echo "silo-runtime run: a busybox container (bundle $bundle)"
echo
state=$(mktemp -d /tmp/silo-demo.XXXXXX)
trap 'rm -rf "$state" "$bundle"' EXIT
"$runtime" --root "$state" run --bundle "$bundle" "demo-$$"
