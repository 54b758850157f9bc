#!/bin/bash
# What silo (or its tests) could leave on the machine, recorded before a test
# run and compared after it:
#
#   leftovers.sh snapshot FILE   record the current state in FILE
#   leftovers.sh compare FILE    print what is new since FILE; exit 1 if anything
#
# Looked at: mounts that mention silo or a silo-test path, directories under
# /run/silo, cgroups named *silo* (to depth 4 under /sys/fs/cgroup), network
# namespaces, veth links, nftables tables named *silo*, and processes whose
# command line or environment mentions silo-test (the tests mark every process
# they start with SILO_TEST_MARK=<their silo-test dir>).
set -u

usage() {
	echo "usage: $0 snapshot FILE | compare FILE" >&2
	exit 2
}

mounts() {
	# Field 5 is the mount point; after " - " come the type and the source.
	grep silo /proc/self/mountinfo 2>/dev/null |
		awk '{ sep = 0; for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
			print "mount", $5, $(sep + 1), $(sep + 2) }'
}

state_dirs() {
	[ -d /run/silo ] || return 0
	find /run/silo -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sed 's/^/state /'
}

cgroups() {
	find /sys/fs/cgroup -maxdepth 4 -type d -name '*silo*' 2>/dev/null | sed 's/^/cgroup /'
}

netns() {
	command -v ip >/dev/null || return 0
	ip netns list 2>/dev/null | awk '{ print "netns", $1 }'
}

veths() {
	command -v ip >/dev/null || return 0
	ip -o link show type veth 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print "veth", $2 }'
}

bridges() {
	command -v ip >/dev/null || return 0
	ip -o link show type bridge 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print "bridge", $2 }' |
		grep silo
}

nft_tables() {
	command -v nft >/dev/null || return 0
	nft list tables 2>/dev/null | grep silo | sed 's/^/nftables /'
}

processes() {
	local dir pid
	for dir in /proc/[0-9]*; do
		pid=${dir#/proc/}
		# Not this script, nor the subshell running this function.
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		# [-] keeps grep from matching its own command line.
		if grep -qsa -e 'silo[-]test' "$dir/cmdline" "$dir/environ"; then
			echo "process $pid $(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null)"
		fi
	done
}

everything() {
	mounts
	state_dirs
	cgroups
	netns
	veths
	bridges
	nft_tables
	processes
}

[ $# -eq 2 ] || usage
case "$1" in
snapshot)
	everything | sort -u >"$2"
	;;
compare)
	[ -r "$2" ] || { echo "$0: no snapshot $2" >&2; exit 2; }
	new=$(comm -13 "$2" <(everything | sort -u))
	if [ -n "$new" ]; then
		echo "left behind since the snapshot:"
		echo "$new" | sed 's/^/  /'
		exit 1
	fi
	echo "nothing left behind"
	;;
*)
	usage
	;;
esac
