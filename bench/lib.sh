# shellcheck shell=bash
# Helpers for bench/run.sh: clock, runtime invocation, bundle, cleanup, report.
#
# This file only defines functions and is sourced twice: by run.sh, and by
# the small bash that times crun inside a private mount namespace (see
# timed_in_v1 below), which needs `timed` too. It sets no shell options.
# run.sh sets BENCH_TMP, BENCH_TAG, BENCH_LIB and BENCH_ERR before calling
# anything here.
# The single-quoted scripts are bash -c programs, expanded by that bash; the
# arrays declared here are filled and read by run.sh.
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
# Inputs

# make_bundle DIR: a busybox-static rootfs and a runc-generated config.json.
make_bundle() {
	local dir=$1 bb applet
	bb=$(readlink -f /bin/busybox)
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/"{proc,sys,dev,tmp,etc}
	cp "$bb" "$dir/rootfs/bin/busybox"
	for applet in $("$bb" --list); do
		[[ -e $dir/rootfs/bin/$applet ]] || ln -s busybox "$dir/rootfs/bin/$applet"
	done
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
# Cleanup: containers, leftover processes and cgroups, mounts, temp dir.

cleanup() {
	local rc=$? tool id cg
	trap '' INT TERM HUP
	set +e
	[[ -n ${BENCH_TMP:-} && -d $BENCH_TMP ]] || exit "$rc"
	progress_done
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

# print_table RESULTS_JSON: the human-readable table on stdout.
print_table() {
	jq -r '
		def num: if . == null then "-" else (. * 100 | round | tostring
		         | if length < 3 then ("000" + .)[-3:] else . end | .[:-2] + "." + .[-2:]) end;
		def l(n): tostring | if length < n then . + (" " * (n - length)) else . + " " end;
		def r(n): tostring | if length < n then (" " * (n - length)) + . else " " + . end;
		"silo bench: \(.rounds) rounds in alternating order; times in ms (wall clock per call)",
		"host: Linux \(.host.kernel), \(.host.cpus) CPUs, cgroups \(.host.cgroups)",
		(.notes[] | "note: \(.)"),
		(.comparisons[] |
			"",
			"\(.name): \(.description)",
			"  \("tool" | l(9))\("median" | r(8))\("min" | r(8))\("max" | r(8))\("ok" | r(7))   ratio to \(.ratio_to): median (IQR)",
			(.results[] |
				if .ok == 0 then
					"  \(.tool | l(9))not measured: \(.status)\(if .failed > 0 then ", all \(.failed) calls failed" else "" end)"
				else
					"  \(.tool | l(9))\(.median_ms | num | r(8))\(.min_ms | num | r(8))\(.max_ms | num | r(8))\("\(.ok)/\(.rounds)" | r(7))   " +
					(if .is_anchor then "1 (anchor)"
					 elif .ratio.median == null then "-"
					 else "\(.ratio.median | num) (\(.ratio.q1 | num)-\(.ratio.q3 | num))" end)
				end))
	' "$1"
}

# plot_png RESULTS_JSON PNG: grouped bars, one group per comparison, one bar
# per tool (median), whiskers from the first to the third quartile.
plot_png() {
	local json=$1 png=$2 dat=$BENCH_TMP/plot.dat plot="" i=0 t
	local -a tools
	mapfile -t tools < <(jq -r '[.comparisons[].results[] | select(.ok > 0) | .tool]
		| reduce .[] as $t ([]; if any(.[]; . == $t) then . else . + [$t] end) | .[]' "$json")
	((${#tools[@]})) || return 1
	jq -r '$ARGS.positional as $tools
		| .comparisons[] | . as $c
		| [$c.name] + ($tools | map(. as $t | (first($c.results[] | select(.tool == $t and .ok > 0)) // {})
			| (.median_ms // "?"), (.q1_ms // "?"), (.q3_ms // "?")))
		| @tsv' "$json" --args "${tools[@]}" >"$dat"
	for t in "${tools[@]}"; do
		plot+="${plot:+, }'$dat' using $((2 + 3 * i)):$((3 + 3 * i)):$((4 + 3 * i))"
		((i == 0)) && plot+=":xtic(1)"
		plot+=" title '$t'"
		i=$((i + 1))
	done
	gnuplot <<-EOF
		set terminal pngcairo size 1000,560 font 'sans,11'
		set output '$png'
		set title "silo bench: median wall time per call ($(jq -r .rounds "$json") rounds; whiskers: interquartile range)"
		set datafile separator '\t'
		set datafile missing '?'
		set style data histogram
		set style histogram errorbars gap 1 lw 1
		set style fill solid 0.85 border -1
		set key top right
		set grid ytics
		set yrange [0:*]
		set offsets 0, 0, graph 0.08, 0
		set ylabel 'ms'
		plot $plot
	EOF
}
