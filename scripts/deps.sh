#!/bin/sh
# Installs every package silo needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are not downloaded again, and the apt
# index is refreshed only when something is missing.
set -eu

# libc6-dev's libc.a and libjansson-dev's libjansson.a: silo-init (run --init)
# and silo-monitor (a detached container's monitor) are linked statically.
build="meson ninja-build gcc libc6-dev pkg-config libjansson-dev libseccomp-dev libcurl4-openssl-dev libarchive-dev zlib1g-dev libssl-dev libmnl-dev libnftables-dev"
test="libcmocka-dev bats jq busybox-static iproute2 util-linux procps bsdutils python3 containerd podman umoci skopeo docker-registry apache2-utils openssl nftables uidmap slirp4netns redis-server redis-tools libcap2-bin passt"

# What silo's commands run on the host: `silo top` runs ps(1).
run="procps"

want="$build $run $test"
if [ "${1:-}" = "--bench" ]; then
	want="$want crun runc hyperfine gnuplot-nox valgrind podman time python3-minimal"
fi

missing=""
for pkg in $want; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $pkg"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# redis-server's maintainer script starts a redis service: the tests only
# copy its binaries into an image. A policy-rc.d that refuses every start
# keeps the machine free of it (one already there is left as it is).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
