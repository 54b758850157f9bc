# shellcheck shell=bash
# Helpers for bench/run.sh: clock, runtime invocation, peak RSS, instruction
# counts, bundle, cleanup, report.
#
# This file only defines functions and is sourced twice: by run.sh, and by
# the small bash that times crun inside a private mount namespace (see
# timed_in_v1 below), which needs `timed` too. It sets no shell options.
# run.sh sets BENCH_TMP, BENCH_TAG, BENCH_LIB and BENCH_ERR before calling
# anything here.
# The single-quoted scripts are bash -c (and python3 -c) programs, expanded
# by that bash (python); the arrays declared here are filled and read by
# run.sh.
# shellcheck disable=SC2016,SC2034,SC2094,SC2153

# ---------------------------------------------------------------------------
# Clock

# timed CMD ARGS...
# Runs CMD with stdin and stdout on /dev/null and stderr appended to
# $BENCH_ERR. Sets T_US (wall time in microseconds) and T_RC (exit status).
# The clock is bash's own $EPOCHREALTIME, read without forking, so what is
# measured is fork+exec+run+wait of CMD and nothing of the harness.
timed() {
	local s e
	s=${EPOCHREALTIME/./}
	if "$@" </dev/null >/dev/null 2>>"$BENCH_ERR"; then T_RC=0; else T_RC=$?; fi
	e=${EPOCHREALTIME/./}
	T_US=$((e - s))
}

# The script the crun wrapper runs inside its fresh mount namespace: hide the
# empty cgroup2 mount, then time the real command exactly like `timed` does
# for the other tools and hand the numbers back through a file.
V1_TIMED_SCRIPT='lib=$1 tfile=$2 BENCH_ERR=$3; shift 3
umount /sys/fs/cgroup/unified || exit 125
. "$lib"
timed "$@"
echo "$T_US $T_RC" >"$tfile"'

# Same, untimed: hide the v2 mount and exec the command.
V1_EXEC_SCRIPT='umount /sys/fs/cgroup/unified || exit 125; exec "$@"'

# timed_in_v1 CMD ARGS...
# Like `timed`, but CMD runs in a private mount namespace where the host's
# cgroup2 mount at /sys/fs/cgroup/unified is unmounted (crun 1.8 refuses
# hybrid hosts). T_US covers CMD only; WRAP_US is the whole wrapper
# (unshare + bash + umount + CMD), kept to report what was excluded.
timed_in_v1() {
	local s e tfile=$BENCH_TMP/timing
	rm -f "$tfile"
	s=${EPOCHREALTIME/./}
	unshare -m bash -c "$V1_TIMED_SCRIPT" bench-v1 "$BENCH_LIB" "$tfile" "$BENCH_ERR" "$@" \
		</dev/null >/dev/null 2>>"$BENCH_ERR" || true
	e=${EPOCHREALTIME/./}
	WRAP_US=$((e - s))
	if ! { read -r T_US T_RC <"$tfile"; } 2>/dev/null; then
		T_US=$WRAP_US T_RC=125
		echo "bench: the mount-namespace wrapper failed before running $1" >>"$BENCH_ERR"
	fi
}

# ---------------------------------------------------------------------------
# Runtimes
#
# Every runtime is one executable (TOOL_BIN) called as `BIN --root STATE ...`
# with its own state directory under $BENCH_TMP/state. TOOL_WRAP=1 means
# "call it through the hybrid-cgroup wrapper".
#
# The stderr of the latest call that is not quiet is in $BENCH_ERR (so that
# `last_error` can quote it) and then appended to the tool's log.

declare -A TOOL_BIN=() TOOL_WRAP=() TOOL_STATUS=() TOOL_NOTE=() TOOL_VERSION=() TOOL_CAN=()
LAST_RC=0

log_of() { echo "$BENCH_TMP/log/$1.log"; }

# tool_timed TOOL ARGS...: one timed runtime call; sets T_US, T_RC (and WRAP_US).
tool_timed() {
	local tool=$1
	shift
	: >"$BENCH_ERR"
	if [[ ${TOOL_WRAP[$tool]} == 1 ]]; then
		timed_in_v1 "${TOOL_BIN[$tool]}" --root "$BENCH_TMP/state/$tool" "$@"
	else
		WRAP_US=0
		timed "${TOOL_BIN[$tool]}" --root "$BENCH_TMP/state/$tool" "$@"
	fi
	LAST_RC=$T_RC
	cat "$BENCH_ERR" >>"$(log_of "$tool")"
}

# tool_run TOOL CMD ARGS...: the untimed invocation behind tool_cmd and
# tool_quiet; a timeout keeps a hanging runtime from hanging the bench.
tool_run() {
	local tool=$1
	shift
	local -a cmd=("${TOOL_BIN[$tool]}" --root "$BENCH_TMP/state/$tool" "$@")
	if [[ ${TOOL_WRAP[$tool]} == 1 ]]; then
		cmd=(unshare -m sh -c "$V1_EXEC_SCRIPT" bench-v1 "${cmd[@]}")
	fi
	timeout -k 2 "${BENCH_TIMEOUT:-20}" "${cmd[@]}" </dev/null
}

# tool_cmd TOOL ARGS...: an untimed call (smoke test); stdout is the
# caller's, stderr is kept for last_error and the tool's log.
tool_cmd() {
	: >"$BENCH_ERR"
	if tool_run "$@" 2>>"$BENCH_ERR"; then LAST_RC=0; else LAST_RC=$?; fi
	cat "$BENCH_ERR" >>"$(log_of "$1")"
	return "$LAST_RC"
}

# tool_quiet TOOL ARGS...: an untimed call with no output at all (cleanup
# calls, whose "does not exist" would only clutter the log).
tool_quiet() { tool_run "$@" >/dev/null 2>&1; }

# last_error: what went wrong in the latest timed call or tool_cmd, one line.
last_error() {
	local msg
	if [[ $LAST_RC == 124 || $LAST_RC == 137 ]]; then
		echo "timed out after ${BENCH_TIMEOUT:-20} s"
		return
	fi
	msg=$(tr '\t\n' '  ' <"$BENCH_ERR" | cut -c1-300)
	msg=${msg%"${msg##*[! ]}"}
	echo "exit $LAST_RC${msg:+: $msg}"
}

# tool_status TOOL ID: prints the container's status, or nothing.
tool_status() {
	local json
	json=$(tool_run "$1" state "$2" 2>/dev/null) || return 0
	jq -r '.status // empty' <<<"$json" 2>/dev/null || true
}

# wait_stopped TOOL ID: waits (untimed, up to 5 s) until the container has stopped.
wait_stopped() {
	local i
	for ((i = 0; i < 500; i++)); do
		[[ $(tool_status "$1" "$2") == stopped ]] && return 0
		sleep 0.01
	done
	return 1
}

# new_id TOOL WHAT: a fresh container id, remembered for cleanup. Every id
# (and so every cgroup a runtime makes for it) contains $BENCH_TAG.
ID_SEQ=0
new_id() {
	ID_SEQ=$((ID_SEQ + 1))
	NEW_ID="$BENCH_TAG-$1-$2-$ID_SEQ"
	echo "$1 $NEW_ID" >>"$BENCH_TMP/ids"
}

# ---------------------------------------------------------------------------
# Memory: peak RSS of one runtime call

# tool_maxrss TOOL ARGS...: one untimed runtime call under GNU time; sets
# M_KIB (peak RSS in KiB as `/usr/bin/time -f %M` reports it: ru_maxrss of
# the runtime's process, which also covers children it waited for, but not
# the container init that `create` leaves running) and T_RC.
tool_maxrss() {
	local tool=$1 out=$BENCH_TMP/maxrss
	shift
	local -a cmd=(/usr/bin/time -f %M -o "$out" "${TOOL_BIN[$tool]}" --root "$BENCH_TMP/state/$tool" "$@")
	if [[ ${TOOL_WRAP[$tool]} == 1 ]]; then
		cmd=(unshare -m sh -c "$V1_EXEC_SCRIPT" bench-v1 "${cmd[@]}")
	fi
	rm -f "$out"
	: >"$BENCH_ERR"
	if timeout -k 2 "${BENCH_TIMEOUT:-20}" "${cmd[@]}" </dev/null >/dev/null 2>>"$BENCH_ERR"; then T_RC=0; else T_RC=$?; fi
	LAST_RC=$T_RC
	# On failure GNU time writes "Command exited with non-zero status N"
	# first; the number is always the last line.
	M_KIB=$(tail -n 1 "$out" 2>/dev/null || true)
	if [[ ! $M_KIB =~ ^[0-9]+$ ]]; then
		M_KIB=""
		if [[ $T_RC == 0 ]]; then
			T_RC=125 LAST_RC=125
			echo "bench: /usr/bin/time wrote no peak RSS" >>"$BENCH_ERR"
		fi
	fi
	cat "$BENCH_ERR" >>"$(log_of "$tool")"
}

# ---------------------------------------------------------------------------
# Instruction counts: callgrind (or perf stat where the CPU counters work)

# The python that starts a runtime from a sealed memfd copy of its binary:
# SRC LINK CMD ARGS... copies SRC into a memfd, seals it as runc, crun and
# silo seal their own copy (CVE-2019-5736), makes LINK a symlink to it
# (/proc/self/fd/N, valid in every process that inherits the fd) and execs
# CMD. A runtime that finds /proc/self/exe already sealed skips its own
# re-exec from a memfd, which valgrind cannot follow (its execveat opens the
# memfd by name, "/memfd:… (deleted)", and fails with ENOENT). LINK keeps the
# binary's name, so silo's argv[0] still says silo-runtime.
SEALED_EXEC_PY='import fcntl, os, sys
src, link = sys.argv[1], sys.argv[2]
fd = os.memfd_create(os.path.basename(src), os.MFD_ALLOW_SEALING)
with open(src, "rb") as f:
    data = f.read()
while data:
    data = data[os.write(fd, data):]
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK
            | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE)
os.set_inheritable(fd, True)
if os.path.lexists(link):
    os.unlink(link)
os.symlink("/proc/self/fd/%d" % fd, link)
os.execvp(sys.argv[3], sys.argv[3:])'

# Names of the syscalls that valgrind 3.19 (Debian 12) does not implement
# and a runtime may call, for the "not measured" reason.
declare -A SYSCALL_NAME=([424]=pidfd_send_signal [425]=io_uring_setup [428]=open_tree
	[429]=move_mount [430]=fsopen [431]=fsconfig [432]=fsmount [433]=fspick
	[317]=seccomp [434]=pidfd_open [435]=clone3 [436]=close_range [437]=openat2 [438]=pidfd_getfd
	[439]=faccessat2 [441]=epoll_pwait2 [442]=mount_setattr [444]=landlock_create_ruleset)

# perf_instructions_probe: prints nothing and succeeds when `perf stat -e
# instructions:u` counts here; otherwise prints why not and fails.
perf_instructions_probe() {
	local out=$BENCH_TMP/perf-probe n
	command -v perf >/dev/null || { echo "perf is not installed (Debian package linux-perf)"; return 1; }
	if ! perf stat -x, -o "$out" -e instructions:u -- /bin/true </dev/null >/dev/null 2>&1; then
		echo "\`perf stat -e instructions:u /bin/true\` failed"
		return 1
	fi
	n=$(awk -F, '$3 ~ /^instructions/ { print $1; exit }' "$out" 2>/dev/null)
	if [[ ! $n =~ ^[0-9]+$ ]]; then
		echo "\`perf stat -e instructions:u\` says \"${n:-no count}\" (no hardware counters on this CPU or VM)"
		return 1
	fi
}

# insn_count METHOD TOOL BUNDLE ID: one `run` of the bundle, counted. METHOD is
# callgrind or perf. Sets I_COUNT (instructions) or, on failure, I_ERR (why).
#
# callgrind: valgrind --tool=callgrind on the runtime, started from a sealed
# copy of its binary (SEALED_EXEC_PY). Valgrind 3.19 answers clone3 with
# ENOSYS, so the runtimes fall back to clone(2) and the container init runs
# under valgrind too, with a count of its own that is never written (the init
# execs /bin/true, and valgrind leaves it there); the figure is "I refs" of
# the runtime's own process only.
# perf: `perf stat -e instructions:u` on the runtime as it is, which counts
# the runtime, its threads and the processes it forks (container init and
# /bin/true included).
insn_count() {
	local method=$1 tool=$2 bundle=$3 id=$4 dir=$BENCH_TMP/insn/$2 bin link out pid="" n="" msg sc who vg_version
	local -a cmd
	mkdir -p "$dir"
	I_COUNT="" I_ERR=""
	bin=${TOOL_BIN[$tool]}
	out=$dir/$id.out
	if [[ $method == perf ]]; then
		cmd=(perf stat "-x," -o "$out" -e instructions:u -- "$bin" --root "$BENCH_TMP/state/$tool" run --bundle "$bundle" "$id")
	else
		link=$dir/$(basename "$bin")
		cmd=(/usr/bin/python3 -c "$SEALED_EXEC_PY" "$bin" "$link"
			valgrind --tool=callgrind --vgdb=no --callgrind-out-file="$dir/$id.%p"
			"$link" --root "$BENCH_TMP/state/$tool" run --bundle "$bundle" "$id")
	fi
	if [[ ${TOOL_WRAP[$tool]} == 1 ]]; then
		cmd=(unshare -m sh -c "$V1_EXEC_SCRIPT" bench-v1 "${cmd[@]}")
	fi
	: >"$BENCH_ERR"
	if TMPDIR=$dir timeout -k 5 "${BENCH_VALGRIND_TIMEOUT:-60}" "${cmd[@]}" </dev/null >/dev/null 2>>"$BENCH_ERR"; then
		LAST_RC=0
	else
		LAST_RC=$?
	fi
	cat "$BENCH_ERR" >>"$(log_of "$tool")"
	if [[ $method == perf ]]; then
		n=$(awk -F, '$3 ~ /^instructions/ { print $1; exit }' "$out" 2>/dev/null)
	else
		# The runtime's own count: "==PID== I   refs: 1,234" of the process
		# that valgrind started ("==PID== Command: …"), not of its children.
		pid=$(sed -n 's/^==\([0-9]*\)== Command: .*/\1/p' "$BENCH_ERR" | head -n 1)
		n=""
		[[ -n $pid ]] && n=$(sed -n "s/^==$pid== I *refs: *//p" "$BENCH_ERR" | tr -d ', ' | head -n 1)
	fi
	if [[ $LAST_RC == 0 && $n =~ ^[0-9]+$ ]]; then
		I_COUNT=$n
		return 0
	fi
	if [[ $LAST_RC == 124 || $LAST_RC == 137 ]]; then
		I_ERR="timed out after ${BENCH_VALGRIND_TIMEOUT:-60} s"
		return 1
	fi
	# Why: the first line of valgrind's own complaint, else the runtime's
	# stderr (lines that are not valgrind's), plus every syscall valgrind
	# did not implement.
	msg=$(grep -m 1 -E "Assertion '.*' failed|valgrind: the 'impossible' happened|Valgrind's memory management: out of memory" "$BENCH_ERR" | sed 's/^==[0-9]*== *//' || true)
	[[ -n $msg ]] && msg="valgrind aborted: $msg"
	if [[ -z $msg ]]; then
		msg=$(grep -v -E '^(==|--)[0-9]+(==|--)' "$BENCH_ERR" | grep -v '^$' | tr '\t\n' '  ' | cut -c1-240 || true)
		msg=${msg%"${msg##*[! ]}"}
		msg="exit $LAST_RC${msg:+: $msg}"
	fi
	vg_version=$(valgrind --version 2>/dev/null | sed 's/^valgrind-//')
	while read -r who sc; do
		if [[ $who == "$pid" ]]; then who=""
		elif [[ $who == 1 ]]; then who=", called by the container init"
		else who=", called by a child process"; fi
		msg+="; valgrind $vg_version does not implement syscall $sc${SYSCALL_NAME[$sc]:+ (${SYSCALL_NAME[$sc]})}$who"
	done < <(sed -n 's/^--\([0-9]*\)-- WARNING: unhandled [a-z0-9]*-linux syscall: \([0-9]*\).*/\1 \2/p' "$BENCH_ERR" | sort -u -k2,2n)
	I_ERR=$msg
	return 1
}

# ---------------------------------------------------------------------------
# Inputs

# make_bundle DIR: a busybox-static rootfs and a runc-generated config.json.
make_bundle() {
	local dir=$1
	"$BENCH_DIR/../scripts/busybox-rootfs.sh" "$dir/rootfs"
	(cd "$dir" && runc spec)
	jq --argjson mem $((256 * 1024 * 1024)) --argjson pids 512 '
		.process.args = ["/bin/true"]
		| .process.terminal = false
		| .hostname = "bench"
		| .linux.namespaces = [{type: "pid"}, {type: "mount"}, {type: "uts"},
		                       {type: "ipc"}, {type: "network"}]
		| .linux.resources.memory = {limit: $mem}
		| .linux.resources.pids = {limit: $pids}
	' "$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
}

# cgroup_mode: v2, v1 or hybrid.
cgroup_mode() {
	local root unified
	root=$(findmnt -n -o FSTYPE /sys/fs/cgroup 2>/dev/null || true)
	unified=$(findmnt -n -o FSTYPE /sys/fs/cgroup/unified 2>/dev/null || true)
	if [[ $root == cgroup2 ]]; then
		echo v2
	elif [[ $unified == cgroup2 ]]; then
		echo hybrid
	else
		echo v1
	fi
}

# progress TEXT / progress_done: a one-line status on stderr, only on a tty.
progress() { if [[ -t 2 ]]; then printf '\r\033[Kbench: %s' "$*" >&2; fi; }
progress_done() { if [[ -t 2 ]]; then printf '\r\033[K' >&2; fi; }

# ---------------------------------------------------------------------------
# The bench's own network namespace
#
# run.sh re-executes itself under `unshare --net --mount` (see there);
# SILO_BENCH_HOST_NETNS is the network namespace it was started in, and
# BENCH_NETNS the one it made, once netns_check has found it fresh.

# netns_id: this process's network namespace, as "net:[INODE]".
netns_id() { readlink /proc/self/ns/net; }

# netns_check: true if this is a fresh network namespace of the bench's own:
# neither the one it was started in nor init's, with only lo in it. Sets
# NETNS_WHY when not. /proc/self/net/dev lists the interfaces of the
# reader's namespace (/sys/class/net would show the host's).
netns_check() {
	local me ifs
	me=$(netns_id)
	NETNS_WHY=""
	if [[ -z $me || $me == "${SILO_BENCH_HOST_NETNS:-}" ]]; then
		NETNS_WHY="it is the namespace the bench was started in"
	elif [[ $me == "$(readlink /proc/1/ns/net)" ]]; then
		NETNS_WHY="it is init's"
	else
		ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); if ($1 != "lo") printf " %s", $1 }' /proc/self/net/dev)
		[[ -z $ifs ]] || NETNS_WHY="it has interfaces besides lo:$ifs"
	fi
	[[ -z $NETNS_WHY ]]
}

# netns_is_own: still in the namespace that netns_check accepted. Nothing
# that touches the network is done unless this holds.
netns_is_own() {
	[[ -n ${BENCH_NETNS:-} && $(netns_id) == "$BENCH_NETNS" && $BENCH_NETNS != "${SILO_BENCH_HOST_NETNS:-}" &&
		$BENCH_NETNS != "$(readlink /proc/1/ns/net)" ]]
}

# The directories that podman's CNI writes to whatever podman's own options
# say: host-local leases and cached results under /var/lib/cni, and the
# bind mounts of each container's netns under /run/netns. (Its network
# config and cni.lock go to --network-config-dir, in the temp dir.)
CNI_STATE_DIRS=(/var/lib/cni /run/netns)

# netns_private_dirs: a tmpfs on each of CNI_STATE_DIRS, in the bench's
# private mount namespace, so podman's network state stays in the bench and
# goes with it. A directory that is missing is made (and removed at the end:
# $BENCH_TMP/made-dirs). Sets NETNS_DIRS_ERR on failure.
netns_private_dirs() {
	local d
	NETNS_DIRS_ERR=""
	for d in "${CNI_STATE_DIRS[@]}"; do
		if [[ ! -d $d ]]; then
			mkdir "$d" 2>/dev/null || { NETNS_DIRS_ERR="could not make $d"; return 1; }
			echo "$d" >>"$BENCH_TMP/made-dirs"
		fi
		if ! mount -t tmpfs -o mode=0755,size=16m silo-bench "$d" 2>/dev/null; then
			NETNS_DIRS_ERR="could not mount a private tmpfs on $d"
			return 1
		fi
		echo "$d" >>"$BENCH_TMP/tmpfs-dirs"
	done
}

# netns_cleanup: in the bench's own namespace only, the bridges the engines
# made (their veths went with the containers; what else is left, addresses,
# routes, nftables and iptables rules, goes with the namespace when the
# bench exits). Then the tmpfs of netns_private_dirs, and the directories
# it made.
netns_cleanup() {
	local d
	if netns_is_own && command -v ip >/dev/null; then
		for d in silo0 cni-podman0 podman0; do
			ip link show dev "$d" >/dev/null 2>&1 && ip link delete dev "$d" 2>/dev/null
		done
	fi
	if [[ -f $BENCH_TMP/tmpfs-dirs ]]; then
		while read -r d; do
			awk -v d="$d/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
				while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
			umount -l "$d" 2>/dev/null
		done <"$BENCH_TMP/tmpfs-dirs"
	fi
	if [[ -f $BENCH_TMP/made-dirs ]]; then
		while read -r d; do rmdir "$d" 2>/dev/null; done <"$BENCH_TMP/made-dirs"
	fi
	return 0
}

# ---------------------------------------------------------------------------
# Engine: silo against podman, on images from a local registry
#
# ENG_SILO is the silo binary, SILO_RUNTIME_ROOT a short runtime state dir
# (unix socket paths must fit in 108 bytes, so it is /tmp/sb-rt.XXXX, not
# under $BENCH_TMP). Every engine store, podman storage, registry and layout
# is under $BENCH_TMP/engine. The engines run with --network none, except in
# the engine-run-bridge row, which uses each one's default network, and only
# inside the bench's own network namespace.

# podman as the bench runs it: its own storage and run root, cgroupfs, a
# file for events, runc (podman's default, crun 1.8, refuses hybrid hosts)
# and rlimits this host can grant (podman's default nofile 1048576 is over
# the hard limit of 20000).
# PODMAN_BRIDGE_OPTS: the same on podman's default network (no --network).
# --network-config-dir keeps podman's network definitions and cni.lock in
# the storage dir rather than /etc; with none there, podman uses its
# built-in default network "podman".
PODMAN_ULIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
PODMAN_RUN_OPTS=(--network none "${PODMAN_ULIMITS[@]}")
PODMAN_BRIDGE_OPTS=("${PODMAN_ULIMITS[@]}")
podman_base() { # STORAGE_DIR: prints nothing, sets PODMAN
	PODMAN=(podman --root "$1/storage" --runroot "$1/run" --cgroup-manager cgroupfs
		--events-backend file --tmpdir "$1/tmp" --network-config-dir "$1/networks")
	[[ $CGROUPS == hybrid ]] && PODMAN+=(--runtime runc)
	return 0
}

# skopeo_priv ARGS...: skopeo in a private mount namespace with a tmpfs on
# /var/lib, so that its blob-info cache (/var/lib/containers/cache) is thrown
# away with the namespace and nothing is left on the machine.
skopeo_priv() {
	unshare -m -- sh -c 'mount -t tmpfs -o mode=0755 tmpfs /var/lib && exec skopeo "$@"' skopeo "$@"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		ss -Htln "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return; }
	done
}

# registry_start DIR: Debian's docker-registry on 127.0.0.1 with its storage
# in DIR; sets REGISTRY (host:port), or REGISTRY_ERR (why not). The pid is in $BENCH_TMP/registry.pid
# for cleanup.
registry_start() {
	local dir=$1 port i
	port=$(free_port)
	mkdir -p "$dir"
	cat >"$dir/config.yml" <<-YAML
		version: 0.1
		log:
		  level: error
		storage:
		  filesystem:
		    rootdirectory: $dir/data
		http:
		  addr: 127.0.0.1:$port
	YAML
	docker-registry serve "$dir/config.yml" </dev/null >"$dir/log" 2>&1 &
	echo $! >"$BENCH_TMP/registry.pid"
	REGISTRY=127.0.0.1:$port
	for ((i = 0; i < 200; i++)); do
		curl -s -o /dev/null "http://$REGISTRY/v2/" && return 0
		kill -0 "$(cat "$BENCH_TMP/registry.pid")" 2>/dev/null || break
		sleep 0.05
	done
	REGISTRY_ERR="docker-registry did not start: $(tr '\n' ' ' <"$dir/log" | cut -c1-200)"
	return 1
}

# make_images LAYOUT ROOTFS: two images in an OCI layout, made with umoci:
#   bb    one layer, the busybox rootfs (the one the runtime bench uses)
#   big   bb's layer plus 5 layers of 20 MiB from /dev/urandom each, ~100 MB
#         that gzip cannot shrink
make_images() {
	local layout=$1 rootfs=$2 b=$BENCH_TMP/engine/unpacked i
	umoci init --layout "$layout" &&
		umoci new --image "$layout:bb" &&
		umoci unpack --image "$layout:bb" "$b" >/dev/null &&
		rm -rf "$b/rootfs" && cp -a "$rootfs" "$b/rootfs" &&
		umoci repack --image "$layout:bb" "$b" &&
		umoci config --image "$layout:bb" --config.cmd /bin/sh --os linux --architecture amd64 &&
		rm -rf "$b" && umoci tag --image "$layout:bb" big || return 1
	for ((i = 1; i <= 5; i++)); do
		umoci unpack --image "$layout:big" "$b" >/dev/null &&
			head -c 20M /dev/urandom >"$b/rootfs/data-$i" &&
			umoci repack --image "$layout:big" "$b" && rm -rf "$b" || return 1
	done
}

# eng_cmd TOOL ARGS...: one untimed engine call (silo or podman), with a
# timeout; stdout is the caller's, stderr goes to BENCH_ERR and the log.
eng_cmd() {
	local tool=$1
	shift
	: >"$BENCH_ERR"
	if timeout -k 2 "${BENCH_TIMEOUT:-20}" "$@" </dev/null 2>>"$BENCH_ERR"; then LAST_RC=0; else LAST_RC=$?; fi
	cat "$BENCH_ERR" >>"$(log_of "$tool")"
	return "$LAST_RC"
}

# eng_timed TOOL ARGS...: one timed engine call; sets T_US and T_RC.
eng_timed() {
	local tool=$1
	shift
	: >"$BENCH_ERR"
	WRAP_US=0
	timed "$@"
	LAST_RC=$T_RC
	cat "$BENCH_ERR" >>"$(log_of "$tool")"
}

# vmrss PID: the process's VmRSS in KiB (nothing if it is gone).
vmrss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }

# podman_clean DIR: removes every container of the podman storage in DIR
# and unmounts what podman mounted there (cleanup and the fresh pull stores).
podman_clean() {
	local dir=$1 mnt
	[[ -d $dir/storage ]] || return 0
	podman_base "$dir"
	timeout -k 2 60 "${PODMAN[@]}" rm -a -f -t 0 </dev/null >/dev/null 2>&1 || true
	awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
	return 0
}

# silo_clean STORE: removes every container of a silo store.
silo_clean() {
	local store=$1 ids
	[[ -d $store && -n ${ENG_SILO:-} ]] || return 0
	# Both may fail (run.sh has set -e); what is left is tried again on exit.
	ids=$(timeout -k 2 20 "$ENG_SILO" --root "$store" ps -a -q --no-trunc </dev/null 2>/dev/null) || true
	# shellcheck disable=SC2086
	[[ -z $ids ]] || timeout -k 2 60 "$ENG_SILO" --root "$store" rm -f $ids </dev/null >/dev/null 2>&1 || true
	return 0
}

# engine_cleanup: containers of every silo store and podman storage, the
# registry, podman's cgroups, the runtime root; before the temp dir goes.
engine_cleanup() {
	local d pid cg i mnt
	[[ -d $BENCH_TMP/engine ]] || return 0
	for d in "$BENCH_TMP"/engine/silo-*; do silo_clean "$d"; done
	for d in "$BENCH_TMP"/engine/podman-*; do podman_clean "$d"; done
	if [[ -f $BENCH_TMP/registry.pid ]]; then
		pid=$(cat "$BENCH_TMP/registry.pid")
		kill "$pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$pid" 2>/dev/null
	fi
	# podman with cgroupfs: libpod_parent/libpod-ID and libpod_parent/conmon;
	# remove the empty ones, and libpod_parent itself if the bench made it.
	# A cgroup can stay busy for a moment after its last process exited, so
	# this is tried for up to 2 s.
	for ((i = 0; i < 20; i++)); do
		d=""
		for cg in /sys/fs/cgroup/*/libpod_parent; do
			[[ -d $cg ]] || continue
			find "$cg" -mindepth 1 -depth -type d -name 'libpod-*' -newer "$BENCH_TMP/engine.stamp" -exec rmdir {} + 2>/dev/null
			if [[ ${LIBPOD_PARENT_EXISTED:-1} == 0 ]]; then
				find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
				[[ -d $cg ]] && d=busy
			elif find "$cg" -mindepth 1 -type d -name 'libpod-*' -newer "$BENCH_TMP/engine.stamp" | grep -q .; then
				d=busy
			fi
		done
		[[ -n $d ]] || break
		sleep 0.1
	done
	if [[ -n ${SILO_RUNTIME_ROOT:-} && $SILO_RUNTIME_ROOT == /tmp/sb-rt.* && -d $SILO_RUNTIME_ROOT ]]; then
		awk -v d="$SILO_RUNTIME_ROOT/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
			while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
		rm -rf --one-file-system "$SILO_RUNTIME_ROOT"
	fi
	return 0
}

# ---------------------------------------------------------------------------
# Cleanup: containers, leftover processes and cgroups, mounts, temp dir.

cleanup() {
	local rc=$? tool id cg
	trap '' INT TERM HUP
	set +e
	[[ -n ${BENCH_TMP:-} && -d $BENCH_TMP ]] || exit "$rc"
	progress_done
	declare -F rootless_cleanup >/dev/null && rootless_cleanup
	engine_cleanup
	netns_cleanup
	# podman pull keeps a blob-info cache in /var/lib/containers/cache
	# whatever --root says; if the bench made that directory, it goes.
	[[ ${BENCH_HAD_VAR_LIB_CONTAINERS:-1} == 0 ]] && rm -rf /var/lib/containers
	if [[ -f $BENCH_TMP/ids ]]; then
		while read -r tool id; do
			tool_quiet "$tool" delete --force "$id"
		done <"$BENCH_TMP/ids"
	fi
	# Anything a broken runtime left: kill what is still in our cgroups, then
	# remove them (deepest first).
	while read -r cg; do
		[[ -f $cg/cgroup.procs ]] && xargs -r kill -KILL <"$cg/cgroup.procs" 2>/dev/null
	done < <(find /sys/fs/cgroup -type d -name "*$BENCH_TAG*" 2>/dev/null)
	while read -r cg; do
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
	done < <(find /sys/fs/cgroup -depth -type d -name "*$BENCH_TAG*" 2>/dev/null)
	# Mounts a runtime may have left in our namespace under the temp dir.
	awk -v d="$BENCH_TMP" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
	rm -rf --one-file-system "$BENCH_TMP"
	if find /sys/fs/cgroup -name "*$BENCH_TAG*" 2>/dev/null | grep -q .; then
		echo "bench: warning: could not remove every cgroup named *$BENCH_TAG*" >&2
	fi
	exit "$rc"
}

# ---------------------------------------------------------------------------
# Report

# print_table RESULTS_JSON: the human-readable table on stdout. Each
# comparison has a unit: ms (2 decimals), KiB or instructions (integers).
print_table() {
	jq -r '
		def num: if . == null then "-" elif . < 0 then "-" + (-. | num) else (. * 100 | round | tostring
		         | if length < 3 then ("000" + .)[-3:] else . end | .[:-2] + "." + .[-2:]) end;
		def int: if . == null then "-" else round | tostring end;
		def l(n): tostring | if length < n then . + (" " * (n - length)) else . + " " end;
		def r(n): tostring | if length < n then (" " * (n - length)) + . else " " + . end;
		"silo bench: \(.rounds) rounds in alternating order; times in ms (wall clock per call)",
		"host: Linux \(.host.kernel), \(.host.cpus) CPUs, cgroups \(.host.cgroups)",
		(.notes[] | "note: \(.)"),
		(.comparisons[] |
			(.unit // "ms") as $u
			| (if $u == "instructions" then 12 else 8 end) as $w
			| (if $u == "ms" then "ms" elif $u == "KiB" then "kib" else "instructions" end) as $f
			| (.ratio_of_medians // false) as $rom
			| "",
			"\(.name): \(.description)",
			"  \("tool" | l(13))\("median" | r($w))\("min" | r($w))\("max" | r($w))\("ok" | r(7))   ratio to \(.ratio_to): " +
				(if $rom then "of the medians" else "median (IQR)" end),
			(.results[] |
				if .ok == 0 then
					"  \(.tool | l(13))not measured: \(.status)\(if .note then ": \(.note)" else "" end)\(if .failed > 0 and .note == null then ", all \(.failed) calls failed" else "" end)"
				else
					[.["median_\($f)"], .["min_\($f)"], .["max_\($f)"] | if $u == "ms" then num else int end] as $v
					| "  \(.tool | l(13))\($v[0] | r($w))\($v[1] | r($w))\($v[2] | r($w))\("\(.ok)/\(.rounds)" | r(7))   " +
					(if .is_anchor then "1 (anchor)"
					 elif .ratio.median == null then "-"
					 elif $rom then (.ratio.median | num)
					 else "\(.ratio.median | num) (\(.ratio.q1 | num)-\(.ratio.q3 | num))" end) +
					(if .spread_pct != null then "   spread \(.spread_pct)%" else "" end)
				end),
			(select(.also_ratio_to and any(.results[]; .ok > 0 and .tool != .also_ratio.to))
			 | .also_ratio_to as $to
			 | "  ratio to \($to), per round: " +
			   ([.results[] | select(.ok > 0 and .tool != $to and .also_ratio.median != null)
			     | "\(.tool) \(.also_ratio.median | num) (\(.also_ratio.q1 | num)-\(.also_ratio.q3 | num))"]
			    | if length == 0 then "not measured" else join(", ") end)),
			(select(.added_to and any(.results[]; .ok > 0)) | .added_to as $to | .ratio_to as $rt
			 | "  added over \($to): per round, this row minus \($to) (the same engine), median of those differences (min, max) in \($u)",
			   "  \("tool" | l(13))\("median" | r($w))\("min" | r($w))\("max" | r($w))\("ok" | r(7))   ratio to \($rt): of the medians, IQR",
			   (.results[] | select(.ok > 0) | .["added_\($f)"] as $a
				| if $a.ok == 0 then
					"  \(.tool | l(13))not measured: no round where both calls worked"
				  else
					"  \(.tool | l(13))\($a.median | num | r($w))\($a.min | num | r($w))\($a.max | num | r($w))\("\($a.ok)/\(.rounds)" | r(7))   " +
					(if .is_anchor then "1 (anchor)" elif $a.ratio == null then "-" else ($a.ratio | num) end) +
					"   IQR \($a.q1 | num)-\($a.q3 | num)"
				  end)))
	' "$1"
}

# PLOT_TOOLS: every tool that can have a bar, in the order that fixes its
# colour (gnuplot line type 1, 2, …) in every panel.
PLOT_TOOLS=(silo crun runc unshare podman skopeo-umoci silo-runtime)

# The engine comparisons, in ms but drawn in panels of their own: next to
# a pull or 100 starts, a runtime's `run` would be invisible.
ENGINE_PLOT_NAMES=(engine-run engine-run-bridge pull scale-start scale-rm)

# plot_dat RESULTS_JSON DAT LO HI SCALE COMPARISON...: one tsv row per
# comparison (name, then median, LO and HI of each tool in PLOT_TOOLS times
# SCALE, "?" where not measured); prints the tools that have at least one bar.
plot_dat() {
	local json=$1 dat=$2 lo=$3 hi=$4 scale=$5 names
	shift 5
	names=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	jq -r --arg lo "$lo" --arg hi "$hi" --argjson scale "$scale" --argjson names "$names" '
		$ARGS.positional as $tools
		| .comparisons[] | select(.name as $n | $names | index($n)) | . as $c
		| (if (.unit // "ms") == "ms" then "ms" elif .unit == "KiB" then "kib" else "instructions" end) as $f
		| [$c.name] + ($tools | map(. as $t | (first($c.results[] | select(.tool == $t and .ok > 0)) // {})
			| (.["median_\($f)"], .["\($lo)_\($f)"], .["\($hi)_\($f)"]) | if . == null then "?" else . * $scale end))
		| @tsv' "$json" --args "${PLOT_TOOLS[@]}" >"$dat"
	jq -r --argjson names "$names" '
		[.comparisons[] | select(.name as $n | $names | index($n)) | .results[] | select(.ok > 0) | .tool]
		| unique | .[]' "$json"
}

# plot_cmd DAT TOOLS...: the gnuplot `plot` clause for a histogram with
# errorbars from plot_dat, one bar per tool, each in its fixed colour.
plot_cmd() {
	local dat=$1 plot="" i t k
	shift
	for ((i = 0; i < ${#PLOT_TOOLS[@]}; i++)); do
		t=${PLOT_TOOLS[i]}
		[[ " $* " == *" $t "* ]] || continue
		k=$((2 + 3 * i))
		plot+="${plot:+, }'$dat' using $k:$((k + 1)):$((k + 2))"
		[[ $plot == *xtic* ]] || plot+=":xtic(1)"
		plot+=" lt $((i + 1)) title '$t'"
	done
	echo "$plot"
}

# panel_title RESULTS_JSON COMPARISON TITLE: TITLE, plus a second line that
# names the tools of COMPARISON that have no bar.
panel_title() {
	jq -r --arg c "$2" --arg t "$3" '
		[.comparisons[] | select(.name == $c) | .results[] | select(.ok == 0) | .tool] as $nm
		| $t + (if ($nm | length) > 0 then "\\nnot measured: " + ($nm | join(", ")) else "" end)' "$1"
}

# What a small panel with no bar at all draws (then restores the settings).
EMPTY_PANEL="unset key; unset xtics; unset ytics; unset ylabel
		set label 1 'not measured' at graph 0.5, 0.5 center
		plot [0:1] [0:1] -1 notitle
		unset label 1; set key; set xtics; set ytics"

# plot_png RESULTS_JSON PNG: on top, grouped bars of the wall times, one group
# per comparison in ms, one bar per tool (median), whiskers from the first to
# the third quartile. Below, two small panels: peak RSS of `create` (KiB,
# whiskers IQR) and instructions per `run` (millions, whiskers min-max). A
# panel whose tools were all not measured says so instead of drawing bars.
plot_png() {
	local json=$1 png=$2 mem_plot="" insn_plot="" mem_title insn_title
	local -a time_names tools
	mapfile -t time_names < <(jq -r '.comparisons[] | select((.unit // "ms") == "ms")
		| select(.name as $n | $ARGS.positional | index($n) | not) | .name' "$json" --args "${ENGINE_PLOT_NAMES[@]}")
	mapfile -t tools < <(plot_dat "$json" "$BENCH_TMP/plot-time.dat" q1 q3 1 "${time_names[@]}")
	((${#tools[@]})) || return 1
	local time_plot
	time_plot=$(plot_cmd "$BENCH_TMP/plot-time.dat" "${tools[@]}")
	# The small panels have one group each, labelled with the command.
	mapfile -t tools < <(plot_dat "$json" "$BENCH_TMP/plot-mem.dat" q1 q3 1 memory)
	sed -i 's/^memory\t/create\t/' "$BENCH_TMP/plot-mem.dat"
	((${#tools[@]})) && mem_plot=$(plot_cmd "$BENCH_TMP/plot-mem.dat" "${tools[@]}")
	mapfile -t tools < <(plot_dat "$json" "$BENCH_TMP/plot-insn.dat" min max 0.000001 instructions)
	sed -i 's/^instructions\t/run\t/' "$BENCH_TMP/plot-insn.dat"
	((${#tools[@]})) && insn_plot=$(plot_cmd "$BENCH_TMP/plot-insn.dat" "${tools[@]}")
	# The engine row: run --rm (ms), pull (s), monitor RSS (KiB), scale (s).
	local erun_plot="" pull_plot="" mon_plot="" scale_plot="" erun_title pull_title mon_title scale_title
	# Three groups: --network none, the default network, and what the latter
	# adds (median of the per-round differences, whiskers IQR).
	mapfile -t tools < <(plot_dat "$json" "$BENCH_TMP/plot-erun.dat" q1 q3 1 engine-run engine-run-bridge)
	sed -i 's/^engine-run\t/none\t/; s/^engine-run-bridge\t/bridge\t/' "$BENCH_TMP/plot-erun.dat"
	jq -r '$ARGS.positional as $tools
		| .comparisons[] | select(.name == "engine-run-bridge") | . as $c
		| ["added"] + ($tools | map(. as $t | (first($c.results[] | select(.tool == $t and .ok > 0)) // {}) | (.added_ms // {})
			| (.median, .q1, .q3) | if . == null then "?" else . end))
		| @tsv' "$json" --args "${PLOT_TOOLS[@]}" >>"$BENCH_TMP/plot-erun.dat"
	((${#tools[@]})) && erun_plot=$(plot_cmd "$BENCH_TMP/plot-erun.dat" "${tools[@]}")
	mapfile -t tools < <(plot_dat "$json" "$BENCH_TMP/plot-pull.dat" q1 q3 0.001 pull)
	((${#tools[@]})) && pull_plot=$(plot_cmd "$BENCH_TMP/plot-pull.dat" "${tools[@]}")
	mapfile -t tools < <(plot_dat "$json" "$BENCH_TMP/plot-mon.dat" q1 q3 1 monitor)
	sed -i 's/^monitor\t/run -d\t/' "$BENCH_TMP/plot-mon.dat"
	((${#tools[@]})) && mon_plot=$(plot_cmd "$BENCH_TMP/plot-mon.dat" "${tools[@]}")
	mapfile -t tools < <(plot_dat "$json" "$BENCH_TMP/plot-scale.dat" min max 0.001 scale-start scale-rm)
	sed -i 's/^scale-start\t/start\t/; s/^scale-rm\t/rm -f\t/' "$BENCH_TMP/plot-scale.dat"
	((${#tools[@]})) && scale_plot=$(plot_cmd "$BENCH_TMP/plot-scale.dat" "${tools[@]}")
	erun_title=$(panel_title "$json" engine-run "engine run --rm true, ms (IQR)")
	erun_title+=$(jq -r '[.comparisons[] | select(.name == "engine-run-bridge") | .results[] | select(.ok == 0) | .tool]
		| if length > 0 then "\\nbridge not measured: " + join(", ") else "" end' "$json")
	pull_title=$(panel_title "$json" pull "pull of $(jq -r 'first(.comparisons[] | select(.name == "pull") | .description | capture("of a (?<mb>[0-9?]+) MB").mb) // "?"' "$json") MB, s (IQR)")
	mon_title=$(panel_title "$json" monitor "idle monitor RSS, KiB (IQR)")
	scale_title=$(panel_title "$json" scale-start "$(jq -r 'first(.comparisons[] | select(.name == "scale-start") | .description | capture("start (?<n>[0-9]+)").n) // "N"' "$json") containers, s (min-max)")
	mem_title=$(panel_title "$json" memory "peak RSS of create, KiB (whiskers: IQR)")
	insn_title=$(panel_title "$json" instructions "$(jq -r '(first(.comparisons[] | select(.name == "instructions") | .method) // "")
		| (split(",")[0] // "") | "instructions per run, millions (\(if . == "" then "not measured" else . end); whiskers: min-max)"' "$json")")
	gnuplot <<-EOF
		set terminal pngcairo size 1200,1300 font 'sans,11'
		set output '$png'
		set datafile separator '\t'
		set datafile missing '?'
		set style data histogram
		set style histogram errorbars gap 1 lw 1
		set style fill solid 0.85 border -1
		set grid ytics
		set yrange [0:*]
		set offsets 0, 0, graph 0.1, 0
		set multiplot
		set size 1, 0.44
		set origin 0, 0.56
		set key top right
		set title "silo bench: median wall time per call ($(jq -r .rounds "$json") rounds; whiskers: interquartile range)"
		set ylabel 'ms'
		plot $time_plot
		set size 0.5, 0.28
		set key top right
		set offsets 0, 0, graph 0.3, 0
		set origin 0, 0.28
		set title "$mem_title" font 'sans,10'
		set ylabel 'KiB'
		$(if [[ -n $mem_plot ]]; then echo "plot $mem_plot"; else echo "$EMPTY_PANEL"; fi)
		set origin 0.5, 0.28
		set title "$insn_title" font 'sans,10'
		set ylabel 'million instructions'
		$(if [[ -n $insn_plot ]]; then echo "plot $insn_plot"; else echo "$EMPTY_PANEL"; fi)
		set size 0.25, 0.28
		set key top right font 'sans,9'
		set origin 0, 0
		set title "$erun_title" font 'sans,10'
		set ylabel 'ms'
		$(if [[ -n $erun_plot ]]; then echo "plot $erun_plot"; else echo "$EMPTY_PANEL"; fi)
		set origin 0.25, 0
		set title "$pull_title" font 'sans,10'
		set ylabel 's'
		$(if [[ -n $pull_plot ]]; then echo "plot $pull_plot"; else echo "$EMPTY_PANEL"; fi)
		set origin 0.5, 0
		set title "$mon_title" font 'sans,10'
		set ylabel 'KiB'
		$(if [[ -n $mon_plot ]]; then echo "plot $mon_plot"; else echo "$EMPTY_PANEL"; fi)
		set origin 0.75, 0
		set title "$scale_title" font 'sans,10'
		set ylabel 's'
		$(if [[ -n $scale_plot ]]; then echo "plot $scale_plot"; else echo "$EMPTY_PANEL"; fi)
		unset multiplot
	EOF
}
