#!/bin/sh
# Builds the default busybox root filesystem from Debian's busybox-static:
# the static binary, a link for every applet, the directories a container
# expects, and minimal /etc/passwd and /etc/group. No network needed.
# Usage: scripts/busybox-rootfs.sh DIR   (DIR is created; an existing one is
# rebuilt only when /bin/busybox is newer)
set -eu

dir=${1:?usage: busybox-rootfs.sh DIR}
busybox=/bin/busybox

if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
	echo "busybox-rootfs: Debian's busybox-static is not installed (make deps)" >&2
	exit 1
fi
if [ -x "$dir/bin/busybox" ] && [ ! "$busybox" -nt "$dir/bin/busybox" ]; then
	exit 0
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
# /mnt and /data are mount points a bundle may use without writing to the
# rootfs.
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/etc" "$tmp/root" \
	"$tmp/home/user" "$tmp/mnt" "$tmp/data"
chmod 0755 "$tmp"
chmod 0700 "$tmp/root"
cp "$busybox" "$tmp/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] && continue
	ln -s busybox "$tmp/bin/$applet"
done
chmod 1777 "$tmp/tmp"
cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
adm:x:4:
tty:x:5:
wheel:x:10:
users:x:100:
user:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$tmp/home/user"
rm -rf "$dir"
mv "$tmp" "$dir"
