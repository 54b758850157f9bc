# Helpers for the cgroup tests: where a container's cgroup lives on the
# host, and skips for what this host cannot do. Load after ../helpers.
#
# The development machines are hybrid (v1 controllers, a v2 mount at
# /sys/fs/cgroup/unified that has only what v1 did not take), so most tests
# are about v1 files; the v2 ones skip with "no cgroup v2 controllers on this
# host" until a v2 lane runs them.

# The mount point of the v1 hierarchy that has CONTROLLER, or nothing.
v1_mount() {
	awk -v c="$1" '$0 ~ / - cgroup / {
		n = split($NF, opts, ","); for (i = 1; i <= n; i++) if (opts[i] == c) { print $5; exit } }' \
		/proc/self/mountinfo
}

# The v2 mount point, or nothing.
v2_mount() {
	awk '$0 ~ / - cgroup2 / && $5 ~ /^\/sys\/fs\/cgroup/ { print $5; exit }' /proc/self/mountinfo
}

# cg_dir CONTROLLER [PATH]: the host directory of the cgroup PATH (default
# /silo-$CID) where CONTROLLER works: its v1 hierarchy, else the v2 one.
cg_dir() {
	local m path=${2:-/silo-$CID}
	m=$(v1_mount "$1")
	[ -n "$m" ] || m=$(v2_mount)
	echo "$m$path"
}

# cg_read CONTROLLER FILE: a file of the test container's cgroup, from the host.
cg_read() {
	cat "$(cg_dir "$1")/$2"
}

requires_v1() {
	local c
	for c in "$@"; do
		[ -n "$(v1_mount "$c")" ] || skip "no cgroup v1 $c controller on this host"
	done
}

# requires_v2 [CONTROLLER...]: a v2 hierarchy whose root offers them all.
requires_v2() {
	local m c
	m=$(v2_mount)
	[ -n "$m" ] || skip "no cgroup v2 hierarchy on this host"
	for c in "$@"; do
		grep -qw "$c" "$m/cgroup.controllers" 2>/dev/null ||
			skip "no cgroup v2 $c controller on this host"
	done
}

# requires_v2_host: a pure v2 host (every controller on v2).
requires_v2_host() {
	[ "$(v2_mount)" = /sys/fs/cgroup ] || skip "no cgroup v2 controllers on this host"
}

# set_resources JQ_OBJECT [JQ_OPTION...]: merges into linux.resources.
set_resources() {
	update_config '.linux.resources += ($r | fromjson)' --arg r "$1"
}

# wait_until_running ID: a detached container's process has started.
wait_until_running() {
	wait_for_status "$1" running
}
