# shellcheck shell=bash
# The rootless row of bench/run.sh (sourced by it): `run --rm --network none
# IMAGE true` as an unprivileged user with a subordinate ID range, silo
# against rootless podman, in the same rounds, taking turns. The bench makes
# the user (silo-bench-rl) and its /etc/subuid and /etc/subgid lines, and
# rootless_cleanup (called by cleanup) removes them, the user's processes and
# its storage (files of subordinate IDs, removed as root).

RL_USER=silo-bench-rl
RL_RANGE=500000:65536
RL_MADE_USER=0 RL_HOME="" RL_RUN="" RL_WHY=""
# RL: the prefix that runs a command as the bench's unprivileged user
# (setpriv: no PAM session, which would add its own time to every call).
RL=()

# rootless_setup: the user, its range and directories; RL_WHY says why not.
rootless_setup() {
	command -v setpriv >/dev/null || { RL_WHY="setpriv is missing (util-linux)"; return 1; }
	command -v newuidmap >/dev/null || { RL_WHY="newuidmap is missing (uidmap)"; return 1; }
	if ! id "$RL_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RL_USER" ||
			{ RL_WHY="could not make the user $RL_USER"; return 1; }
		RL_MADE_USER=1
	fi
	touch /etc/subuid /etc/subgid
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	echo "$RL_USER:$RL_RANGE" >>/etc/subuid
	echo "$RL_USER:$RL_RANGE" >>/etc/subgid
	RL_HOME=$BENCH_TMP/rootless
	# Short: unix sockets live under XDG_RUNTIME_DIR.
	RL_RUN=$(mktemp -d /tmp/silo-brl.XXXXXX)
	mkdir -p "$RL_HOME"
	chmod 0755 "$BENCH_TMP"
	chown "$RL_USER" "$RL_HOME" "$RL_RUN"
	RL=(setpriv --reuid "$(id -u "$RL_USER")" --regid "$(id -g "$RL_USER")" --clear-groups
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_HOME" XDG_DATA_HOME="$RL_HOME/data"
		XDG_RUNTIME_DIR="$RL_RUN")
	# Rootless podman as the bench runs it: cgroupfs, events to a file,
	# runc on hybrid hosts (crun 1.8 refuses them).
	RL_PODMAN=(podman --cgroup-manager cgroupfs --events-backend file)
	[[ $CGROUPS == hybrid ]] && RL_PODMAN+=(--runtime runc)
	return 0
}
RL_PODMAN=()

measure_rootless() { # TOOL ROUND
	case $1 in
	silo) eng_timed silo "${RL[@]}" "$ENG_SILO" run --rm --network none "$IMG" true ;;
	podman) eng_timed podman "${RL[@]}" "${RL_PODMAN[@]}" run --rm "${PODMAN_RUN_OPTS[@]}" "$IMG" true ;;
	esac
	record engine-run-rootless "$1" "$2"
}

rootless_cleanup() {
	[[ -n $RL_RUN && ${#RL[@]} -gt 0 ]] || return 0
	local id
	for id in $("${RL[@]}" "$ENG_SILO" ps -aq --no-trunc 2>/dev/null); do
		"${RL[@]}" "$ENG_SILO" rm -f "$id" >/dev/null 2>&1
	done
	"${RL[@]}" "${RL_PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1
	pkill -KILL -u "$RL_USER" 2>/dev/null
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	((RL_MADE_USER)) && userdel "$RL_USER" 2>/dev/null
	rm -rf --one-file-system "$RL_RUN" "$RL_HOME"
	RL_RUN=""
}
