#!/usr/bin/env bash
# silo bench: how long an OCI runtime takes to run a container, silo-runtime
# side by side with crun and runc, on identical inputs.
#
# What it measures (wall clock of one runtime invocation, in ms):
#   run      `RUNTIME run --bundle B ID` of /bin/true, a fresh ID every time
#   create   `RUNTIME create --bundle B ID`
#   start    `RUNTIME start ID`            (then, untimed, wait for "stopped")
#   delete   `RUNTIME delete ID`
#   floor    `unshare -pfmiun --fork /bin/true`: the same namespaces with no
#            runtime at all, measured in the same rounds as `run`
#   memory   peak RSS (KiB) of `RUNTIME create`, as `/usr/bin/time -f %M`
#            reports it: the runtime's own process (the container init that
#            create leaves running is not waited for, so not included); in
#            the first min(ROUNDS, 10) rounds (BENCH_MEM_ROUNDS)
#   instructions  instructions of one `RUNTIME run` of /bin/true, median of 3
#            runs (BENCH_INSN_RUNS): `perf stat -e instructions:u` where the
#            CPU counters work, else callgrind's "I refs" of the runtime's own
#            process. A count, not a time: machine noise does not change it.
#            A runtime whose first counted run fails is "not measured", with
#            the reason (runc: callgrind does not survive the Go runtime).
#
# And the engine, silo against podman (ratios to podman), on images that a
# local docker-registry on 127.0.0.1 serves (made with umoci, pushed with
# skopeo), both with --network none except in engine-run-bridge:
#   engine-run   `run --rm --network none IMAGE true`, BENCH_ENG_ROUNDS
#                (default BENCH_ROUNDS) rounds; in the same rounds
#                silo-runtime alone, `silo-runtime run` of /bin/true on the
#                bundle above, to show what the engine adds to its runtime
#                (the row also has each tool's ratio to it)
#   engine-run-bridge  `run --rm IMAGE true` on each engine's default network
#                (silo: bridge on silo0; podman: its CNI or netavark
#                bridge), in the same rounds, which then have four calls
#                taking turns: silo none, silo bridge, podman none, podman
#                bridge. Also what the network adds: per round, bridge -
#                none of the same engine, and the median of those
#                differences.
#   pull         a ~100 MB, 6-layer image into a fresh store: silo pull vs
#                podman pull vs skopeo copy + umoci unpack (BENCH_PULL_ROUNDS)
#   monitor      VmRSS (KiB) of silo's monitor vs conmon, BENCH_IDLE s after
#                `run -d IMAGE sleep 60` (BENCH_MONITOR_ROUNDS)
#   scale-start  BENCH_SCALE_N (100) `run -d IMAGE sleep 300`, one by one
#   scale-rm     then one `rm -f` of them all (BENCH_SCALE_ROUNDS, 1)
#
# How: one bundle (busybox-static rootfs, config.json from `runc spec` with
# /bin/true, no terminal, pid/mount/uts/ipc/net namespaces, 256 MiB memory
# and 512 pids limits) and one --root state dir per runtime, all in a temp
# dir. N rounds (BENCH_ROUNDS, default 30); in each round every tool runs once,
# one after another, in an order rotated every round (A B C, B C A, C A B …),
# so drift on a noisy machine hits all tools alike. The clock is bash's
# $EPOCHREALTIME around the runtime's fork+exec+wait. Per round, each tool's
# time is divided by the anchor's (crun; BENCH_ANCHOR to change) and the
# table shows the median ratio and its interquartile range.
#
# On a hybrid cgroup host crun 1.8 refuses to start, so each crun call runs in
# a fresh private mount namespace with /sys/fs/cgroup/unified unmounted; the
# clock starts inside it, right around crun, so the wrapper is not counted.
# See docs/bench.md.
#
# Under callgrind each runtime starts from a sealed memfd copy of its binary,
# so that it skips its own memfd re-exec (valgrind cannot exec a memfd), and
# the bundle has no rlimits (valgrind refuses to change RLIMIT_NOFILE's hard
# limit); docs/bench.md has the details.
#
# The whole bench runs in a network namespace of its own (it re-executes
# itself under `unshare --net --mount` first), so the bridges, veths and
# nftables/iptables rules of the bridge runs never reach the machine's
# interfaces or firewall; without one, the bridge row is "not measured".
#
# Usage: bench/run.sh [BUILD_DIR]     (as root; silo is BUILD_DIR/silo-runtime
#                                      and BUILD_DIR/silo)
# Writes bench/results/<timestamp>.json, latest.json and latest.png.
# Cleans up containers, state dirs, cgroups, podman storage, the registry and
# the temp dirs, also on ^C.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_LIB=$BENCH_DIR/lib.sh
# shellcheck source=bench/lib.sh
. "$BENCH_LIB"
# shellcheck source=bench/rootless.sh
. "$BENCH_DIR/rootless.sh"

BUILD_DIR=${1:-build}
ROUNDS=${BENCH_ROUNDS:-30}
ANCHOR=${BENCH_ANCHOR:-crun}
MEM_ROUNDS=${BENCH_MEM_ROUNDS:-$((ROUNDS < 10 ? ROUNDS : 10))}
INSN_RUNS=${BENCH_INSN_RUNS:-3}
RESULTS=$BENCH_DIR/results
SILO_RUNTIME=${SILO_RUNTIME:-$BUILD_DIR/silo-runtime}

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer, not '$ROUNDS'"
[[ $MEM_ROUNDS =~ ^[0-9]+$ ]] || die "BENCH_MEM_ROUNDS must be a number, not '$MEM_ROUNDS'"
((MEM_ROUNDS <= ROUNDS)) || MEM_ROUNDS=$ROUNDS
[[ $INSN_RUNS =~ ^[0-9]+$ ]] || die "BENCH_INSN_RUNS must be a number, not '$INSN_RUNS'"
[[ $(id -u) == 0 ]] || die "must run as root (containers, namespaces and cgroups)"
for cmd in jq unshare findmnt timeout; do
	command -v "$cmd" >/dev/null || die "$cmd is missing (scripts/deps.sh --bench installs it)"
done
[[ -x /bin/busybox ]] || die "/bin/busybox is missing (apt-get install busybox-static)"
command -v runc >/dev/null || die "runc is needed to generate config.json (scripts/deps.sh --bench)"

# ---------------------------------------------------------------------------
# A network namespace of the bench's own. The bridge-networked engine runs
# make bridges, veths and firewall rules, and none of them may reach the
# machine's interfaces or firewall. So before it makes anything, the bench
# re-executes itself (same pid, same arguments) under `unshare --net
# --mount`: everything after this point, the registry on 127.0.0.1
# included, runs in a fresh network namespace that holds only lo and goes
# away with the bench, and in a private mount namespace, where podman's CNI
# state gets a tmpfs (see netns_private_dirs). Where that cannot be done,
# the bridge row is "not measured" and the rest is measured as before.

BENCH_NETNS="" NETNS_ERR=""
if [[ -z ${SILO_BENCH_HOST_NETNS:-} ]]; then
	SILO_BENCH_HOST_NETNS=$(netns_id)
	export SILO_BENCH_HOST_NETNS
	if unshare --net --mount true 2>/dev/null; then
		exec unshare --net --mount -- "$BASH" "$BENCH_DIR/run.sh" "$@"
	fi
	NETNS_ERR="\`unshare --net --mount\` does not work here, so no run may touch the network"
elif ! netns_check; then
	NETNS_ERR="the bench's network namespace is not a fresh one of its own ($NETNS_WHY), so no run may touch the network"
else
	BENCH_NETNS=$(netns_id)
	command -v ip >/dev/null || die "ip is missing (apt-get install iproute2)"
	ip link set lo up || die "could not bring lo up in the bench's network namespace"
fi

# ---------------------------------------------------------------------------
# Inputs, all under one temp dir that the EXIT trap removes.

BENCH_TMP=""
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
BENCH_HAD_VAR_LIB_CONTAINERS=$([[ -e /var/lib/containers ]] && echo 1 || echo 0)
BENCH_TMP=$(mktemp -d /tmp/silo-bench.XXXXXX)
BENCH_TAG=silobench-$$
BENCH_ERR=$BENCH_TMP/log/last.err
export BENCH_TMP BENCH_TAG BENCH_ERR
# podman's CNI state on a tmpfs of the bench's mount namespace.
PODMAN_NET_ERR=""
if [[ -n $BENCH_NETNS ]] && ! netns_private_dirs; then
	PODMAN_NET_ERR="$NETNS_DIRS_ERR in the bench's mount namespace, for podman's CNI state"
fi

mkdir -p "$BENCH_TMP"/{state,log}
BUNDLE=$BENCH_TMP/bundle
make_bundle "$BUNDLE"
SAMPLES=$BENCH_TMP/samples.tsv
WRAPPER=$BENCH_TMP/wrapper.tsv
: >"$SAMPLES"
: >"$WRAPPER"
CGROUPS=$(cgroup_mode)
NOTES=()

# record COMPARISON TOOL ROUND [VALUE]: stores the last call (failure = "-"):
# its time, or VALUE (peak RSS, instructions), which also means that there
# was no wrapper to account for.
record() {
	if [[ $T_RC == 0 ]]; then
		printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-$T_US}" >>"$SAMPLES"
	else
		printf '%s\t%s\t%s\t-\n' "$1" "$2" "$3" >>"$SAMPLES"
		printf '%s %s failed in round %s: %s\n' "$2" "$1" "$3" "$(last_error)" >>"$BENCH_TMP/failures"
	fi
	if [[ ${TOOL_WRAP[$2]:-0} == 1 && $T_RC == 0 && $# == 3 ]]; then
		echo $((WRAP_US - T_US)) >>"$WRAPPER"
	fi
}

# ---------------------------------------------------------------------------
# The runtimes. A tool that is missing or fails its smoke test is reported
# and left out; the others go on.

add_tool() { # NAME BINARY
	local name=$1 bin=$2
	TOOL_BIN[$name]=$bin TOOL_WRAP[$name]=0 TOOL_STATUS[$name]=ok TOOL_NOTE[$name]="" TOOL_CAN[$name]=""
	mkdir -p "$BENCH_TMP/state/$name"
	: >"$(log_of "$name")"
	TOOL_VERSION[$name]=$(timeout 10 "$bin" --version 2>/dev/null </dev/null | head -n 1 || true)
	if [[ $name == crun && $CGROUPS == hybrid ]]; then
		TOOL_WRAP[$name]=1
		NOTES+=("crun runs in a private mount namespace with /sys/fs/cgroup/unified unmounted (crun 1.8 refuses hybrid hosts); its clock starts inside, so the wrapper is not counted")
	fi
}

skip_tool() { # NAME STATUS NOTE
	TOOL_STATUS[$1]=$2 TOOL_NOTE[$1]=$3
	NOTES+=("$1: $2: $3")
	say "bench: $1: $2: $3"
}

# smoke_test NAME: one untimed run and one create/start/delete, with
# timeouts. Sets TOOL_CAN[NAME] to the groups ("run", "csd") that work.
smoke_test() {
	local t=$1 id st
	new_id "$t" smoke
	if tool_cmd "$t" run --bundle "$BUNDLE" "$NEW_ID" >/dev/null; then
		TOOL_CAN[$t]+=" run"
	else
		skip_tool "$t" failed "\`run\` did not work: $(last_error)"
	fi
	tool_quiet "$t" delete --force "$NEW_ID" || true

	new_id "$t" smoke
	id=$NEW_ID
	if ! tool_cmd "$t" create --bundle "$BUNDLE" "$id" >/dev/null; then
		st="\`create\` did not work: $(last_error)"
	elif [[ $(tool_status "$t" "$id") != created ]]; then
		st="\`state\` after create did not say \"created\""
	elif ! tool_cmd "$t" start "$id" >/dev/null; then
		st="\`start\` did not work: $(last_error)"
	elif ! wait_stopped "$t" "$id"; then
		st="\`state\` never said \"stopped\" after start"
	elif ! tool_cmd "$t" delete "$id" >/dev/null; then
		st="\`delete\` did not work: $(last_error)"
	elif tool_quiet "$t" state "$id"; then
		st="the container was still there after \`delete\`"
	else
		st=""
		TOOL_CAN[$t]+=" csd"
	fi
	tool_quiet "$t" delete --force "$id" || true
	if [[ -n $st ]]; then
		if [[ ${TOOL_STATUS[$t]} == ok ]]; then
			skip_tool "$t" partial "create/start/delete not measured: $st"
		else
			NOTES+=("$t: also $st")
		fi
	fi
}

if [[ -x $SILO_RUNTIME ]]; then
	add_tool silo "$(cd "$(dirname "$SILO_RUNTIME")" && pwd)/$(basename "$SILO_RUNTIME")"
else
	TOOL_BIN[silo]="" TOOL_VERSION[silo]=""
	skip_tool silo skipped "$SILO_RUNTIME not found (build silo first); measuring the others only"
fi
for t in crun runc; do
	if command -v "$t" >/dev/null; then
		add_tool "$t" "$(command -v "$t")"
	else
		TOOL_BIN[$t]="" TOOL_VERSION[$t]=""
		skip_tool "$t" skipped "not installed (scripts/deps.sh --bench)"
	fi
done

ALL_TOOLS=(silo crun runc)
RUN_TOOLS=() CSD_TOOLS=()
for t in "${ALL_TOOLS[@]}"; do
	[[ -n ${TOOL_BIN[$t]} ]] || continue
	smoke_test "$t"
	if [[ ${TOOL_CAN[$t]} == *run* ]]; then RUN_TOOLS+=("$t"); fi
	if [[ ${TOOL_CAN[$t]} == *csd* ]]; then CSD_TOOLS+=("$t"); fi
done
((${#RUN_TOOLS[@]} + ${#CSD_TOOLS[@]})) || die "no runtime works here; see the notes above"

# The anchor is what ratios are taken against; it must have worked.
if [[ " ${RUN_TOOLS[*]} " != *" $ANCHOR "* ]]; then
	old=$ANCHOR
	ANCHOR=""
	for t in crun runc silo; do
		if [[ " ${RUN_TOOLS[*]} " == *" $t "* ]]; then
			ANCHOR=$t
			break
		fi
	done
	NOTES+=("anchor $old is not usable here; ratios are against ${ANCHOR:-nothing}")
fi

# ---------------------------------------------------------------------------
# Measurements

measure_run() { # TOOL ROUND
	if [[ $1 == unshare ]]; then
		: >"$BENCH_ERR"
		WRAP_US=0
		timed unshare -pfmiun --fork /bin/true
		LAST_RC=$T_RC
		record floor unshare "$2"
		return
	fi
	new_id "$1" run
	tool_timed "$1" run --bundle "$BUNDLE" "$NEW_ID"
	record run "$1" "$2"
	# `run` removes the container when it exits; make sure.
	tool_quiet "$1" delete --force "$NEW_ID" || true
}

# missing COMPARISON TOOL ROUND: a call that was not made because an earlier
# step of the same container failed.
missing() { printf '%s\t%s\t%s\t-\n' "$1" "$2" "$3" >>"$SAMPLES"; }

measure_csd() { # TOOL ROUND
	local t=$1 r=$2 id
	new_id "$t" csd
	id=$NEW_ID
	tool_timed "$t" create --bundle "$BUNDLE" "$id"
	record create "$t" "$r"
	if [[ $T_RC != 0 ]]; then
		missing start "$t" "$r"
		missing delete "$t" "$r"
	else
		tool_timed "$t" start "$id"
		record start "$t" "$r"
		if [[ $T_RC != 0 ]]; then
			missing delete "$t" "$r"
		elif ! wait_stopped "$t" "$id"; then
			printf '%s start in round %s: the container never stopped\n' "$t" "$r" >>"$BENCH_TMP/failures"
			missing delete "$t" "$r"
		else
			tool_timed "$t" delete "$id"
			record delete "$t" "$r"
		fi
	fi
	tool_quiet "$t" delete --force "$id" || true
}

# measure_mem TOOL ROUND: peak RSS of one `create` (untimed), then the
# container is removed.
measure_mem() {
	new_id "$1" mem
	tool_maxrss "$1" create --bundle "$BUNDLE" "$NEW_ID"
	record memory "$1" "$2" "$M_KIB"
	tool_quiet "$1" delete --force "$NEW_ID" || true
}

# rotated ROUND ITEMS...: the items, starting at position ROUND mod count.
rotated() {
	local r=$1
	shift
	local -a items=("$@")
	local n=${#items[@]} i
	for ((i = 0; i < n; i++)); do
		ROTATED[i]=${items[(r + i) % n]}
	done
}

# each_round LABEL ROUNDS MEASURE ITEM...: ROUNDS rounds, each calling
# MEASURE ITEM ROUND for every item, in the order rotated for that round.
each_round() {
	local label=$1 rounds=$2 measure=$3 r t
	shift 3
	for ((r = 1; r <= rounds; r++)); do
		progress "$label $r/$rounds"
		ROTATED=()
		rotated "$r" "$@"
		for t in "${ROTATED[@]}"; do "$measure" "$t" "$r"; done
	done
	progress_done
}

: >"$(log_of unshare)"
RUN_ITEMS=("${RUN_TOOLS[@]}" unshare)

# One untimed warm-up of each, so the first timed round is not the one that
# pulls binaries and the bundle into the page cache.
for t in "${RUN_TOOLS[@]}"; do
	new_id "$t" warmup
	tool_quiet "$t" run --bundle "$BUNDLE" "$NEW_ID" || true
	tool_quiet "$t" delete --force "$NEW_ID" || true
done
unshare -pfmiun --fork /bin/true || die "\`unshare -pfmiun --fork /bin/true\` does not work here"

# Memory needs GNU time (its -f %M), not bash's time keyword.
MEM_TOOLS=()
# MEM_NOT is read by named_json, through a nameref.
declare -A MEM_NOT=()
if [[ ! -x /usr/bin/time ]] || ! /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	# shellcheck disable=SC2034
	for t in "${CSD_TOOLS[@]}"; do MEM_NOT[$t]="/usr/bin/time (GNU time, Debian package time) is missing"; done
	NOTES+=("memory not measured: /usr/bin/time (GNU time, Debian package time) is missing")
	MEM_ROUNDS=0
elif ((MEM_ROUNDS > 0)); then
	MEM_TOOLS=("${CSD_TOOLS[@]}")
fi

say "bench: $ROUNDS rounds of: run [${RUN_ITEMS[*]}], create/start/delete [${CSD_TOOLS[*]}]; memory of create [${MEM_TOOLS[*]}] in the first $MEM_ROUNDS"
for ((r = 1; r <= ROUNDS; r++)); do
	progress "round $r/$ROUNDS"
	ROTATED=()
	rotated "$r" "${RUN_ITEMS[@]}"
	for t in "${ROTATED[@]}"; do measure_run "$t" "$r"; done
	if ((${#CSD_TOOLS[@]})); then
		ROTATED=()
		rotated "$r" "${CSD_TOOLS[@]}"
		for t in "${ROTATED[@]}"; do measure_csd "$t" "$r"; done
	fi
	if ((r <= MEM_ROUNDS && ${#MEM_TOOLS[@]})); then
		ROTATED=()
		rotated "$r" "${MEM_TOOLS[@]}"
		for t in "${ROTATED[@]}"; do measure_mem "$t" "$r"; done
	fi
done
progress_done

# ---------------------------------------------------------------------------
# Instruction counts: perf stat where the CPU has counters for it, else
# callgrind. Not in the timed rounds: a count does not drift with the
# machine, and valgrind is 50-100 times slower than the runtime. The runs
# still take turns. A tool whose first run fails is tried no more.

INSN_METHOD="" INSN_METHOD_NOTE=""
declare -A INSN_NOT=()
if ((INSN_RUNS == 0)); then
	INSN_METHOD_NOTE="BENCH_INSN_RUNS=0"
elif perf_why=$(perf_instructions_probe); then
	INSN_METHOD=perf INSN_METHOD_NOTE="perf stat -e instructions:u"
	NOTES+=("instructions: counted with \`perf stat -e instructions:u\` (the runtime, its threads and the processes it forks, the container init and /bin/true included)")
elif ! command -v valgrind >/dev/null; then
	INSN_METHOD_NOTE="$perf_why, and valgrind is not installed (scripts/deps.sh --bench)"
elif [[ ! -x /usr/bin/python3 ]]; then
	INSN_METHOD_NOTE="$perf_why, and callgrind needs /usr/bin/python3 (Debian package python3-minimal) to start the runtimes from a sealed copy"
else
	INSN_METHOD=callgrind
	INSN_METHOD_NOTE="callgrind, $(valgrind --version)"
	NOTES+=("instructions: $perf_why, so they are callgrind's \"I refs\" of the runtime's own process (the container init runs under valgrind too, but its count is never written because it execs /bin/true)")
fi
INSN_TOOLS=()
if [[ -n $INSN_METHOD ]]; then
	INSN_TOOLS=("${RUN_TOOLS[@]}")
	INSN_BUNDLE=$BUNDLE
	if [[ $INSN_METHOD == callgrind ]]; then
		# Valgrind lets a program lower RLIMIT_NOFILE but never set its hard
		# limit (EPERM), so this bundle has no rlimits; same rootfs.
		INSN_BUNDLE=$BENCH_TMP/bundle-insn
		mkdir -p "$INSN_BUNDLE"
		jq --arg root "$BUNDLE/rootfs" 'del(.process.rlimits) | .root.path = $root' \
			"$BUNDLE/config.json" >"$INSN_BUNDLE/config.json"
	fi
	say "bench: $INSN_RUNS counted runs ($INSN_METHOD) of: run [${INSN_TOOLS[*]}]"
else
	for t in "${RUN_TOOLS[@]}"; do INSN_NOT[$t]=$INSN_METHOD_NOTE; done
	NOTES+=("instructions not measured: $INSN_METHOD_NOTE")
fi
for ((r = 1; r <= INSN_RUNS && ${#INSN_TOOLS[@]}; r++)); do
	progress "instructions $r/$INSN_RUNS"
	ROTATED=()
	rotated "$r" "${INSN_TOOLS[@]}"
	for t in "${ROTATED[@]}"; do
		[[ -z ${INSN_NOT[$t]:-} ]] || continue
		new_id "$t" insn
		if insn_count "$INSN_METHOD" "$t" "$INSN_BUNDLE" "$NEW_ID"; then
			T_RC=0
			record instructions "$t" "$r" "$I_COUNT"
		else
			printf 'instructions\t%s\t%s\t-\n' "$t" "$r" >>"$SAMPLES"
			if ((r == 1)); then
				INSN_NOT[$t]=$I_ERR
				say "bench: $t: instructions not measured: $I_ERR"
			else
				printf '%s instructions failed in run %s: %s\n' "$t" "$r" "$I_ERR" >>"$BENCH_TMP/failures"
			fi
		fi
		tool_quiet "$t" delete --force "$NEW_ID" || true
	done
done
progress_done

# ---------------------------------------------------------------------------
# Engine: silo against podman (and skopeo + umoci for pull), on images served
# by a local docker-registry on 127.0.0.1. Each part takes turns like the
# rounds above; a tool that cannot be measured is "not measured" with the
# reason, and the others go on.

ENG_ROUNDS=${BENCH_ENG_ROUNDS:-$ROUNDS}
PULL_ROUNDS=${BENCH_PULL_ROUNDS:-$((ROUNDS < 5 ? ROUNDS : 5))}
MON_ROUNDS=${BENCH_MONITOR_ROUNDS:-$((ROUNDS < 5 ? ROUNDS : 5))}
SCALE_N=${BENCH_SCALE_N:-100}
SCALE_ROUNDS=${BENCH_SCALE_ROUNDS:-1}
SCALE_TIMEOUT=${BENCH_SCALE_TIMEOUT:-300}
PULL_TIMEOUT=${BENCH_PULL_TIMEOUT:-120}
for v in ENG_ROUNDS PULL_ROUNDS MON_ROUNDS SCALE_N SCALE_ROUNDS SCALE_TIMEOUT PULL_TIMEOUT; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
ENG_COMPS=(engine-run engine-run-bridge engine-run-rootless pull monitor scale-start scale-rm)
# ENG_NOT["COMPARISON TOOL"]: why that tool was not measured there.
declare -A ENG_NOT=()
eng_not() { # TOOL REASON COMPARISON...
	local t=$1 why=$2 c
	shift 2
	for c in "$@"; do [[ -n ${ENG_NOT["$c $t"]:-} ]] || ENG_NOT["$c $t"]=$why; done
	say "bench: $t: not measured ($*): $why"
}
eng_ok() { [[ -z ${ENG_NOT["$1 $2"]:-} ]]; } # COMPARISON TOOL

for t in silo podman skopeo-umoci; do : >"$(log_of "$t")"; done
ENG=$BENCH_TMP/engine
mkdir -p "$ENG"
touch "$BENCH_TMP/engine.stamp"
LIBPOD_PARENT_EXISTED=0
[[ -d /sys/fs/cgroup/memory/libpod_parent || -d /sys/fs/cgroup/libpod_parent ]] && LIBPOD_PARENT_EXISTED=1
ENG_SILO=""
SILO_ENGINE_BIN=${SILO_ENGINE:-$BUILD_DIR/silo}
if [[ -x $SILO_ENGINE_BIN ]]; then
	ENG_SILO=$(cd "$(dirname "$SILO_ENGINE_BIN")" && pwd)/$(basename "$SILO_ENGINE_BIN")
	SILO_RUNTIME_ROOT=$(mktemp -d /tmp/sb-rt.XXXX)
	export SILO_RUNTIME_ROOT
else
	eng_not silo "$SILO_ENGINE_BIN not found (build silo first)" "${ENG_COMPS[@]}"
fi
command -v podman >/dev/null || eng_not podman "not installed (scripts/deps.sh --bench)" "${ENG_COMPS[@]}"
for cmd in skopeo umoci docker-registry curl ss; do
	if ! command -v $cmd >/dev/null; then
		for t in silo podman skopeo-umoci; do eng_not $t "$cmd is not installed (scripts/deps.sh --bench)" "${ENG_COMPS[@]}"; done
		break
	fi
done
SILO_STORE=$ENG/silo-main PODMAN_DIR=$ENG/podman-main
IMG="" BIG=""
if eng_ok engine-run skopeo-umoci; then
	progress "engine: images and registry"
	if ! registry_start "$ENG/registry"; then
		for t in silo podman skopeo-umoci; do eng_not $t "$REGISTRY_ERR" "${ENG_COMPS[@]}"; done
	elif ! make_images "$ENG/layout" "$BUNDLE/rootfs" >>"$(log_of skopeo-umoci)" 2>&1; then
		for t in silo podman skopeo-umoci; do eng_not $t "could not build the images with umoci (see the log)" "${ENG_COMPS[@]}"; done
	elif ! skopeo_priv copy -q --dest-tls-verify=false "oci:$ENG/layout:bb" "docker://$REGISTRY/bench/bb:latest" >/dev/null 2>>"$(log_of skopeo-umoci)" ||
		! skopeo_priv copy -q --dest-tls-verify=false "oci:$ENG/layout:big" "docker://$REGISTRY/bench/big:latest" >/dev/null 2>>"$(log_of skopeo-umoci)"; then
		for t in silo podman skopeo-umoci; do eng_not $t "skopeo could not push the images to the local registry" "${ENG_COMPS[@]}"; done
	else
		IMG=$REGISTRY/bench/bb:latest BIG=$REGISTRY/bench/big:latest
		BIG_MB=$(du -sm --apparent-size "$ENG/layout/blobs" | cut -f1)
	fi
fi
# skopeo + umoci is only in the pull row.
for c in engine-run engine-run-bridge engine-run-rootless monitor scale-start scale-rm; do ENG_NOT["$c skopeo-umoci"]=x; done
# Bridge networking only where nothing of it can reach the machine.
if [[ -n $NETNS_ERR ]]; then
	for t in silo podman; do eng_not $t "$NETNS_ERR" engine-run-bridge; done
elif [[ -n $PODMAN_NET_ERR ]]; then
	eng_not podman "$PODMAN_NET_ERR" engine-run-bridge
fi

# The smoke test of each engine: pull the small image (untimed), then one
# run --rm with --network none and one on the default network. What fails
# is left out with the reason.
if [[ -n $IMG ]] && eng_ok engine-run silo; then
	SILO_ENG=("$ENG_SILO" --root "$SILO_STORE")
	if ! eng_cmd silo "${SILO_ENG[@]}" pull "$IMG" >/dev/null; then
		eng_not silo "\`silo pull\` did not work: $(last_error)" "${ENG_COMPS[@]}"
	else
		if ! eng_cmd silo "${SILO_ENG[@]}" run --rm --network none "$IMG" true >/dev/null; then
			eng_not silo "\`silo run --rm\` did not work: $(last_error)" engine-run monitor scale-start scale-rm
		fi
		if eng_ok engine-run-bridge silo && netns_is_own &&
			! eng_cmd silo "${SILO_ENG[@]}" run --rm "$IMG" true >/dev/null; then
			eng_not silo "\`silo run --rm\` on the default network did not work: $(last_error)" engine-run-bridge
		fi
	fi
fi
PODMAN_NET=""
if [[ -n $IMG ]] && eng_ok engine-run podman; then
	podman_base "$PODMAN_DIR"
	PODMAN_MAIN=("${PODMAN[@]}")
	if ! eng_cmd podman "${PODMAN_MAIN[@]}" pull -q --tls-verify=false "$IMG" >/dev/null; then
		eng_not podman "\`podman pull\` did not work: $(last_error)" "${ENG_COMPS[@]}"
	else
		if ! eng_cmd podman "${PODMAN_MAIN[@]}" run --rm "${PODMAN_RUN_OPTS[@]}" "$IMG" true >/dev/null; then
			eng_not podman "\`podman run --rm\` did not work: $(last_error)" engine-run monitor scale-start scale-rm
		fi
		PODMAN_NET=$(eng_cmd podman "${PODMAN_MAIN[@]}" info --format '{{.Host.NetworkBackend}}' 2>/dev/null) || PODMAN_NET=""
		if eng_ok engine-run-bridge podman && netns_is_own &&
			! eng_cmd podman "${PODMAN_MAIN[@]}" run --rm "${PODMAN_BRIDGE_OPTS[@]}" "$IMG" true >/dev/null; then
			eng_not podman "\`podman run --rm\` on the default network (${PODMAN_NET:-?}) did not work: $(last_error)" engine-run-bridge
		fi
	fi
fi
[[ -n $IMG ]] && NOTES+=("engine: silo and podman run the same image ($IMG, the busybox rootfs) from the local registry, with --network none except in engine-run-bridge; podman: --cgroup-manager cgroupfs, --ulimit nofile=4096:4096 nproc=4096:4096$([[ $CGROUPS == hybrid ]] && echo ", --runtime runc (its default crun 1.8 refuses hybrid hosts)")")
if [[ -n $BENCH_NETNS ]]; then
	NOTES+=("network: the whole bench runs in a network namespace of its own (unshare --net --mount; only lo, which the registry listens on), so the bridges, veths and firewall rules of engine-run-bridge never reach the machine; podman's network backend: ${PODMAN_NET:-?}, with ${CNI_STATE_DIRS[*]} on a tmpfs of the bench's mount namespace")
fi
if ((ENG_ROUNDS == 0)); then
	ENG_NOT["engine-run silo-runtime"]="BENCH_ENG_ROUNDS=0"
	for c in engine-run engine-run-bridge engine-run-rootless; do
		for t in silo podman; do [[ -n ${ENG_NOT["$c $t"]:-} ]] || ENG_NOT["$c $t"]="BENCH_ENG_ROUNDS=0"; done
	done
fi

# eng_tools COMPARISON TOOLS...: the tools that still work for COMPARISON.
eng_tools() {
	local c=$1 t
	shift
	ENG_TOOLS=()
	for t in "$@"; do eng_ok "$c" "$t" && ENG_TOOLS+=("$t"); done
	return 0
}

# 3. Engine: run --rm of /bin/true, in every round, with --network none
# (engine-run) and on each engine's default network (engine-run-bridge): up
# to four calls a round (silo none, silo bridge, podman none, podman
# bridge), taking turns like the rest, so that a round's bridge - none is
# measured a few hundred ms apart. The bridge calls only run while the bench
# is in its own network namespace.
measure_engine_run() { # TOOL:NET ROUND
	local t=${1%%:*} net=${1#*:} r=$2 c=engine-run
	if [[ $net == bridge ]]; then
		c=engine-run-bridge
		if ! netns_is_own; then
			T_RC=1 LAST_RC=1
			echo "bench: not in the bench's own network namespace; bridge run not made" >"$BENCH_ERR"
			record "$c" "$t" "$r"
			return
		fi
	fi
	case $t:$net in
	silo-runtime:none)
		new_id silo eng
		tool_timed silo run --bundle "$BUNDLE" "$NEW_ID"
		record "$c" silo-runtime "$r"
		tool_quiet silo delete --force "$NEW_ID" || true
		return
		;;
	silo:none) eng_timed silo "${SILO_ENG[@]}" run --rm --network none "$IMG" true ;;
	silo:bridge) eng_timed silo "${SILO_ENG[@]}" run --rm "$IMG" true ;;
	podman:none) eng_timed podman "${PODMAN_MAIN[@]}" run --rm "${PODMAN_RUN_OPTS[@]}" "$IMG" true ;;
	podman:bridge) eng_timed podman "${PODMAN_MAIN[@]}" run --rm "${PODMAN_BRIDGE_OPTS[@]}" "$IMG" true ;;
	esac
	record "$c" "$t" "$r"
}
# silo-runtime alone in the engine-run rounds: what `silo run --rm` costs
# over the runtime it calls in-process.
if ((ENG_ROUNDS)) && [[ -z ${ENG_NOT["engine-run silo-runtime"]:-} ]]; then
	if [[ " ${RUN_TOOLS[*]} " != *" silo "* ]]; then
		ENG_NOT["engine-run silo-runtime"]="silo-runtime: ${TOOL_STATUS[silo]}${TOOL_NOTE[silo]:+: ${TOOL_NOTE[silo]}}"
	elif [[ -z $IMG ]]; then
		ENG_NOT["engine-run silo-runtime"]="no engine rows without the image (see the notes)"
	fi
fi
ENG_RUN_ITEMS=()
for t in silo podman; do
	eng_ok engine-run "$t" && ENG_RUN_ITEMS+=("$t:none")
	eng_ok engine-run-bridge "$t" && ENG_RUN_ITEMS+=("$t:bridge")
done
eng_ok engine-run silo-runtime && ENG_RUN_ITEMS+=("silo-runtime:none")
if ((${#ENG_RUN_ITEMS[@]} && ENG_ROUNDS)); then
	say "bench: $ENG_ROUNDS rounds of: engine run --rm [${ENG_RUN_ITEMS[*]}]"
	each_round "engine run" "$ENG_ROUNDS" measure_engine_run "${ENG_RUN_ITEMS[@]}"
fi

# 3b. Rootless: the same run --rm --network none as an unprivileged user
# (bench/rootless.sh), silo against rootless podman, each pulled once
# into the user's own storage first.
if [[ -n $IMG ]] && ((ENG_ROUNDS)) && { eng_ok engine-run-rootless silo || eng_ok engine-run-rootless podman; }; then
	if ! rootless_setup; then
		for t in silo podman; do eng_not $t "$RL_WHY" engine-run-rootless; done
	else
		if eng_ok engine-run-rootless silo && ! { eng_cmd silo "${RL[@]}" "$ENG_SILO" pull -q "$IMG" >/dev/null &&
			eng_cmd silo "${RL[@]}" "$ENG_SILO" run --rm --network none "$IMG" true >/dev/null; }; then
			eng_not silo "rootless \`silo run --rm\` did not work: $(last_error)" engine-run-rootless
		fi
		if eng_ok engine-run-rootless podman && ! { eng_cmd podman "${RL[@]}" "${RL_PODMAN[@]}" pull -q --tls-verify=false "$IMG" >/dev/null &&
			eng_cmd podman "${RL[@]}" "${RL_PODMAN[@]}" run --rm "${PODMAN_RUN_OPTS[@]}" "$IMG" true >/dev/null; }; then
			eng_not podman "rootless \`podman run --rm\` did not work: $(last_error)" engine-run-rootless
		fi
	fi
fi
eng_tools engine-run-rootless silo podman
RL_TOOLS=("${ENG_TOOLS[@]}")
if ((${#RL_TOOLS[@]} && ENG_ROUNDS)) && [[ -n $RL_RUN ]]; then
	say "bench: $ENG_ROUNDS rounds of: rootless engine run --rm [${RL_TOOLS[*]}]"
	each_round "rootless run" "$ENG_ROUNDS" measure_rootless "${RL_TOOLS[@]}"
fi

# 4. Pull of the big image into a fresh store every time.
# shellcheck disable=SC2016 # expanded by that sh
PULL_OCI_SCRIPT='ref=$1 dir=$2
unshare -m -- sh -c "mount -t tmpfs -o mode=0755 tmpfs /var/lib && exec skopeo copy -q --src-tls-verify=false docker://$ref oci:$dir/layout:big" &&
umoci unpack --image "$dir/layout:big" "$dir/bundle"'
measure_pull() { # TOOL ROUND
	local t=$1 r=$2 dir=$ENG/pull-$1-$2
	case $t in
	silo)
		dir=$ENG/silo-pull-$r
		eng_timed silo timeout -k 2 "$PULL_TIMEOUT" "$ENG_SILO" --root "$dir" pull "$BIG"
		record pull silo "$r"
		silo_clean "$dir"
		;;
	podman)
		dir=$ENG/podman-pull-$r
		podman_base "$dir"
		eng_timed podman timeout -k 2 "$PULL_TIMEOUT" "${PODMAN[@]}" pull -q --tls-verify=false "$BIG"
		record pull podman "$r"
		podman_clean "$dir"
		;;
	skopeo-umoci)
		mkdir -p "$dir"
		eng_timed skopeo-umoci timeout -k 2 "$PULL_TIMEOUT" sh -c "$PULL_OCI_SCRIPT" pull-oci "$BIG" "$dir"
		record pull skopeo-umoci "$r"
		;;
	esac
	rm -rf --one-file-system "$dir" || true
}
eng_tools pull silo podman skopeo-umoci
PULL_TOOLS=("${ENG_TOOLS[@]}")
((PULL_ROUNDS)) || for t in silo podman skopeo-umoci; do ENG_NOT["pull $t"]="BENCH_PULL_ROUNDS=0"; done
if ((${#PULL_TOOLS[@]} && PULL_ROUNDS)); then
	say "bench: $PULL_ROUNDS rounds of: pull of ${BIG_MB:-?} MB in 6 layers [${PULL_TOOLS[*]}]"
	each_round "pull" "$PULL_ROUNDS" measure_pull "${PULL_TOOLS[@]}"
fi

# 5b. Idle RSS of a detached container's monitor (silo's own process) and of
# podman's conmon, BENCH_IDLE seconds after run -d returned.
measure_monitor() { # TOOL ROUND
	local t=$1 r=$2 id pid="" rss=""
	# eng_cmd runs in a command substitution here, so its LAST_RC is lost.
	T_RC=0
	if [[ $t == silo ]]; then
		{ id=$(eng_cmd silo "${SILO_ENG[@]}" run -d --network none "$IMG" sleep 60) &&
			pid=$(eng_cmd silo "${SILO_ENG[@]}" inspect "$id" | jq -r '.[0].State.MonitorPid // empty'); } || T_RC=$?
	else
		{ id=$(eng_cmd podman "${PODMAN_MAIN[@]}" run -d "${PODMAN_RUN_OPTS[@]}" "$IMG" sleep 60) &&
			pid=$(eng_cmd podman "${PODMAN_MAIN[@]}" inspect --format '{{.State.ConmonPid}}' "$id"); } || T_RC=$?
	fi
	if [[ $T_RC == 0 && $pid =~ ^[1-9][0-9]*$ ]]; then
		sleep "${BENCH_IDLE:-1}"
		rss=$(vmrss "$pid") || true
		[[ $rss =~ ^[0-9]+$ ]] || { T_RC=1; echo "bench: monitor pid $pid has no VmRSS (it is gone)" >"$BENCH_ERR"; }
	elif [[ $T_RC == 0 ]]; then
		T_RC=1
		echo "bench: no monitor pid in inspect (\"$pid\")" >"$BENCH_ERR"
	fi
	LAST_RC=$T_RC
	record monitor "$t" "$r" "$rss"
	if [[ -n ${id:-} ]]; then
		if [[ $t == silo ]]; then eng_cmd silo "${SILO_ENG[@]}" rm -f "$id" >/dev/null || true
		else eng_cmd podman "${PODMAN_MAIN[@]}" rm -f -t 0 "$id" >/dev/null || true; fi
	fi
}
eng_tools monitor silo podman
MON_TOOLS=("${ENG_TOOLS[@]}")
((MON_ROUNDS)) || for t in silo podman; do ENG_NOT["monitor $t"]="BENCH_MONITOR_ROUNDS=0"; done
if ((${#MON_TOOLS[@]} && MON_ROUNDS)); then
	say "bench: $MON_ROUNDS rounds of: idle RSS of the monitor of run -d [${MON_TOOLS[*]}]"
	each_round "monitor" "$MON_ROUNDS" measure_monitor "${MON_TOOLS[@]}"
fi

# 6. Scale: SCALE_N detached containers started one after the other, then
# removed with one rm -f of all of them. Bounded: the first failed start, or
# SCALE_TIMEOUT seconds, ends the series; everything is removed after.
scale_start() { # TOOL IDFILE
	local t=$1 ids=$2 i deadline=$((${EPOCHREALTIME%.*} + SCALE_TIMEOUT))
	for ((i = 1; i <= SCALE_N; i++)); do
		if ((${EPOCHREALTIME%.*} > deadline)); then
			echo "bench: $i of $SCALE_N started after $SCALE_TIMEOUT s, gave up" >&2
			return 124
		fi
		if [[ $t == silo ]]; then
			timeout -k 2 30 "${SILO_ENG[@]}" run -d --network none "$IMG" sleep 300 >>"$ids" || return
		else
			timeout -k 2 30 "${PODMAN_MAIN[@]}" run -d "${PODMAN_RUN_OPTS[@]}" "$IMG" sleep 300 >>"$ids" || return
		fi
	done
}
scale_rm() { # TOOL IDFILE
	local -a list
	mapfile -t list <"$2"
	if [[ $1 == silo ]]; then
		timeout -k 2 "$SCALE_TIMEOUT" "${SILO_ENG[@]}" rm -f "${list[@]}"
	else
		timeout -k 2 "$SCALE_TIMEOUT" "${PODMAN_MAIN[@]}" rm -f -t 0 "${list[@]}"
	fi
}
measure_scale() { # TOOL ROUND
	local t=$1 r=$2 ids=$ENG/scale-ids
	: >"$ids"
	: >"$BENCH_ERR"
	WRAP_US=0
	timed scale_start "$t" "$ids"
	LAST_RC=$T_RC
	cat "$BENCH_ERR" >>"$(log_of "$t")"
	record scale-start "$t" "$r"
	if [[ $T_RC == 0 ]]; then
		eng_timed "$t" scale_rm "$t" "$ids"
		record scale-rm "$t" "$r"
	else
		missing scale-rm "$t" "$r"
	fi
	if [[ $t == silo ]]; then silo_clean "$SILO_STORE"; else podman_clean "$PODMAN_DIR"; fi
}
eng_tools scale-start silo podman
SCALE_TOOLS=("${ENG_TOOLS[@]}")
((SCALE_ROUNDS && SCALE_N)) || for t in silo podman; do ENG_NOT["scale-start $t"]="BENCH_SCALE_ROUNDS or BENCH_SCALE_N is 0" ENG_NOT["scale-rm $t"]="BENCH_SCALE_ROUNDS or BENCH_SCALE_N is 0"; done
if ((${#SCALE_TOOLS[@]} && SCALE_ROUNDS && SCALE_N)); then
	say "bench: $SCALE_ROUNDS rounds of: start $SCALE_N detached containers, then rm -f them [${SCALE_TOOLS[*]}]"
	each_round "scale" "$SCALE_ROUNDS" measure_scale "${SCALE_TOOLS[@]}"
fi
# The "x" placeholders mark comparisons a tool is not part of.
for k in "${!ENG_NOT[@]}"; do [[ ${ENG_NOT[$k]} != x ]] || unset 'ENG_NOT[$k]'; done

if [[ -s $BENCH_TMP/failures ]]; then
	n=$(wc -l <"$BENCH_TMP/failures")
	say "bench: $n timed calls failed; the first ones:"
	sed 's/^/  /' "$BENCH_TMP/failures" | head -n 5 >&2
	NOTES+=("$n timed calls failed; failed calls are left out of the statistics: $(head -n 1 "$BENCH_TMP/failures" | cut -c1-300)")
fi
if [[ -s $WRAPPER ]]; then
	w=$(sort -n "$WRAPPER" | awk '{ a[NR] = $1 } END { printf "%.2f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1000 }')
	NOTES+=("the crun wrapper (unshare -m, bash, umount) cost a median $w ms per call on top, not counted")
fi

# ---------------------------------------------------------------------------
# Report

# named_json ASSOC: an associative array as a JSON object.
named_json() {
	local -n a=$1
	local -a args=()
	local k
	for k in "${!a[@]}"; do args+=(--arg "$k" "${a[$k]}"); done
	jq -n '$ARGS.named' "${args[@]}"
}

tools_json=$(
	for t in "${ALL_TOOLS[@]}"; do
		jq -n --arg name "$t" --arg status "${TOOL_STATUS[$t]}" --arg note "${TOOL_NOTE[$t]:-}" \
			--arg bin "${TOOL_BIN[$t]:-}" --arg version "${TOOL_VERSION[$t]:-}" \
			--argjson wrapped "$([[ ${TOOL_WRAP[$t]:-0} == 1 ]] && echo true || echo false)" \
			'{($name): {status: $status, note: $note, binary: $bin, version: $version,
			            in_private_mount_namespace: $wrapped}}'
	done
	jq -n '{unshare: {status: "ok", note: "", binary: "unshare -pfmiun --fork /bin/true",
	                   version: $v, in_private_mount_namespace: false}}' \
		--arg v "$(unshare --version | head -n 1)"
	jq -n '{"silo-runtime": {status: $rs, note: $rn, binary: ($rb + " run --bundle B ID"), version: $rv,
	         in_private_mount_namespace: false}}' \
		--arg rs "${TOOL_STATUS[silo]}" --arg rn "${TOOL_NOTE[silo]:-}" --arg rb "${TOOL_BIN[silo]:-}" \
		--arg rv "${TOOL_VERSION[silo]:-}"
	jq -n '{silo: {engine_binary: $silo}, podman: {status: "ok", note: "", binary: $podman,
	         version: $pv, in_private_mount_namespace: false},
	        "skopeo-umoci": {status: "ok", note: "", binary: "skopeo copy docker://REF oci:DIR && umoci unpack",
	         version: $sv, in_private_mount_namespace: false}}' \
		--arg silo "${ENG_SILO:-}" --arg podman "$(command -v podman || true)" \
		--arg pv "$(podman --version 2>/dev/null || true)" \
		--arg sv "$(skopeo --version 2>/dev/null || true); $(umoci --version 2>/dev/null || true)"
)
meta=$(
	jq -n \
		--arg timestamp "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--argjson rounds "$ROUNDS" \
		--arg anchor "$ANCHOR" \
		--arg kernel "$(uname -r)" \
		--argjson cpus "$(nproc)" \
		--arg cgroups "$CGROUPS" \
		--argjson tools "$(jq -s 'reduce .[] as $t ({}; . * $t)' <<<"$tools_json")" \
		--argjson mem_rounds "$MEM_ROUNDS" \
		--argjson mem_not "$(named_json MEM_NOT)" \
		--arg insn_method "$INSN_METHOD" \
		--arg insn_method_note "$INSN_METHOD_NOTE" \
		--argjson insn_runs "$INSN_RUNS" \
		--argjson insn_not "$(named_json INSN_NOT)" \
		--argjson eng_not "$(named_json ENG_NOT | jq 'to_entries | map(.key |= split(" "))
			| reduce .[] as $e ({}; .[$e.key[0]][$e.key[1]] = $e.value)')" \
		--arg podman_net "$PODMAN_NET" --argjson private_netns "$([[ -n $BENCH_NETNS ]] && echo true || echo false)" \
		--argjson eng_rounds "$ENG_ROUNDS" --argjson pull_rounds "$PULL_ROUNDS" \
		--argjson mon_rounds "$MON_ROUNDS" --argjson scale_rounds "$SCALE_ROUNDS" \
		--argjson scale_n "$SCALE_N" --arg big_mb "${BIG_MB:-?}" --arg idle "${BENCH_IDLE:-1}" \
		--args '{timestamp: $timestamp, rounds: $rounds,
		         anchor: (if $anchor == "" then null else $anchor end),
		         host: {kernel: $kernel, cpus: $cpus, cgroups: $cgroups, private_netns: $private_netns},
		         notes: $ARGS.positional, tools: $tools,
		         comparisons: [
		  {name: "run", ratio_ref: "run", tools: ["silo", "crun", "runc"],
		   description: "`run --bundle B ID` of /bin/true (create+start+wait+delete in one call)"},
		  {name: "create", ratio_ref: "create", tools: ["silo", "crun", "runc"],
		   description: "`create --bundle B ID`"},
		  {name: "start", ratio_ref: "start", tools: ["silo", "crun", "runc"],
		   description: "`start ID` (the process is /bin/true)"},
		  {name: "delete", ratio_ref: "delete", tools: ["silo", "crun", "runc"],
		   description: "`delete ID` of the stopped container"},
		  {name: "floor", ratio_ref: "run", tools: ["unshare"],
		   description: "`unshare -pfmiun --fork /bin/true`: the namespaces alone, no runtime (ratio to the anchor'"'"'s run)"},
		  {name: "memory", ratio_ref: "memory", tools: ["silo", "crun", "runc"],
		   unit: "KiB", scale: 1, not_measured: $mem_not,
		   description: "peak RSS of `create --bundle B ID` in KiB, \($mem_rounds) rounds (/usr/bin/time -f %M: the runtime'"'"'s own process; the container init, which create leaves running, is not included)"},
		  {name: "instructions", ratio_ref: "instructions", tools: ["silo", "crun", "runc"],
		   unit: "instructions", scale: 1, ratio_of_medians: true, spread: true,
		   method: (if $insn_method == "" then null else $insn_method_note end), not_measured: $insn_not,
		   description: ("instructions per `run --bundle B ID` of /bin/true, median of \($insn_runs) runs; a count, not a time: it does not depend on machine noise ("
		     + (if $insn_method == "perf" then "perf stat -e instructions:u: the runtime, its threads and its children"
		        elif $insn_method == "callgrind" then "callgrind \"I refs\" of the runtime'"'"'s own process, not the container init"
		        else "not measured" end) + ")")},
		  {name: "engine-run", ratio_ref: "engine-run", anchor: "podman", tools: ["silo", "podman", "silo-runtime"],
		   also_ratio_to: "silo-runtime", not_measured: ($eng_not["engine-run"] // {}),
		   description: "engine: `run --rm --network none IMAGE true` (busybox image from the local registry, already pulled), \($eng_rounds) rounds; silo-runtime: `silo-runtime run` of /bin/true on the bundle, in the same rounds"},
		  {name: "engine-run-bridge", ratio_ref: "engine-run-bridge", anchor: "podman", tools: ["silo", "podman"],
		   added_to: "engine-run", not_measured: ($eng_not["engine-run-bridge"] // {}),
		   description: "engine: `run --rm IMAGE true` on the default network (silo: bridge, silo0; podman: podman, \(if $podman_net == "" then "?" else $podman_net end)), in the same rounds as engine-run, in the bench'"'"'s own network namespace, \($eng_rounds) rounds"},
		  {name: "engine-run-rootless", ratio_ref: "engine-run-rootless", anchor: "podman", tools: ["silo", "podman"],
		   not_measured: ($eng_not["engine-run-rootless"] // {}),
		   description: "engine, rootless: `run --rm --network none IMAGE true` as an unprivileged user with a subordinate ID range (silo: its user namespace; podman: rootless, \(if $cgroups == "hybrid" then "--runtime runc, " else "" end)cgroupfs), each from the user'"'"'s own store, \($eng_rounds) rounds"},
		  {name: "pull", ratio_ref: "pull", anchor: "podman", tools: ["silo", "podman", "skopeo-umoci"],
		   not_measured: ($eng_not["pull"] // {}),
		   description: "pull of a \($big_mb) MB, 6-layer image (busybox + 5 x 20 MiB of random data) from the local registry into a fresh store, \($pull_rounds) rounds (skopeo-umoci: skopeo copy to an OCI layout + umoci unpack)"},
		  {name: "monitor", ratio_ref: "monitor", anchor: "podman", tools: ["silo", "podman"],
		   unit: "KiB", scale: 1, not_measured: ($eng_not["monitor"] // {}),
		   description: "idle RSS (VmRSS, KiB) of the monitor of `run -d IMAGE sleep 60`, \($idle) s after it returned: silo'"'"'s monitor process vs podman'"'"'s conmon, \($mon_rounds) rounds"},
		  {name: "scale-start", ratio_ref: "scale-start", anchor: "podman", tools: ["silo", "podman"],
		   not_measured: ($eng_not["scale-start"] // {}),
		   description: "start \($scale_n) detached containers (`run -d IMAGE sleep 300`, one after the other), \($scale_rounds) rounds"},
		  {name: "scale-rm", ratio_ref: "scale-rm", anchor: "podman", tools: ["silo", "podman"],
		   not_measured: ($eng_not["scale-rm"] // {}),
		   description: "remove those \($scale_n) running containers with one `rm -f ID…` (podman: `rm -f -t 0`), \($scale_rounds) rounds"}]}' \
		"${NOTES[@]}"
)

mkdir -p "$RESULTS"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
jq -R -n --argjson meta "$meta" -f "$BENCH_DIR/report.jq" "$SAMPLES" >"$RESULTS/$stamp.json"
cp "$RESULTS/$stamp.json" "$RESULTS/latest.json"

print_table "$RESULTS/latest.json"
echo
if command -v gnuplot >/dev/null && plot_png "$RESULTS/latest.json" "$RESULTS/latest.png.new"; then
	mv "$RESULTS/latest.png.new" "$RESULTS/latest.png"
	echo "results: $RESULTS/$stamp.json, latest.json, latest.png"
else
	rm -f "$RESULTS/latest.png.new"
	echo "results: $RESULTS/$stamp.json, latest.json (no chart: gnuplot missing or failed)"
fi
