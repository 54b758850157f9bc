# Common setup for silo's integration tests (bats). Load it from a test file
# with `load ../helpers` and call silo_setup / silo_teardown from setup() and
# teardown().
#
# The tests run real containers as root, against any runc-compatible binary:
#
#   RUNTIME     the runtime under test (default: $BUILD_DIR/silo-runtime);
#               RUNTIME=/usr/bin/runc runs the same suite against runc
#   BUILD_DIR   silo's meson build directory (default: <repo>/build)
#   RECVTTY     the console-socket test tool (default: $BUILD_DIR/tests/recvtty)
#
# Tests of behaviour that only silo promises (its exact error text, features,
# --version, spec output...) call requires_silo and are skipped for other
# runtimes. SILO_TESTS_FORCE_SILO=1 runs them anyway, to see how another
# runtime differs.
#
# Each test gets:
#   TEST_DIR     a private temporary directory (its name contains "silo-test")
#   STATE_ROOT   the --root for the runtime, inside TEST_DIR
#   CID          a container id unique to the test ("$CID-2" etc. for more)
#   BUNDLE       after setup_bundle: a bundle whose root.path is the shared,
#                read-only busybox rootfs (or a private copy, --copy)
#   ROOTFS       the shared busybox rootfs, built once per suite run
#
# silo_teardown deletes every container left in STATE_ROOT, runs what the test
# registered with on_teardown, removes TEST_DIR, and fails the test if a
# container process, a state directory, a mount or a cgroup was left behind.

SILO_INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SILO_SOURCE_DIR=$(cd "$SILO_INTEGRATION_DIR/../.." && pwd)
: "${BUILD_DIR:=$SILO_SOURCE_DIR/build}"
: "${RUNTIME:=$BUILD_DIR/silo-runtime}"
: "${RECVTTY:=$BUILD_DIR/tests/recvtty}"
# A container that never exits must not hang the whole suite.
: "${BATS_TEST_TIMEOUT:=60}"

# `silo` is the engine; its OCI runtime face is `silo runtime ...`.
if [ "$(basename "$RUNTIME")" = silo ]; then
	RUNTIME_CMD=("$RUNTIME" runtime)
else
	RUNTIME_CMD=("$RUNTIME")
fi

# ---------------------------------------------------------------- runtime --

# rt ARG...: the runtime under test, on this test's state root.
rt() {
	"${RUNTIME_CMD[@]}" --root "$STATE_ROOT" "$@"
}

is_silo() {
	local name
	for name in "$(basename "$RUNTIME")" "$(basename "$(readlink -f "$RUNTIME")")"; do
		case "$name" in
		silo | silo-runtime) return 0 ;;
		esac
	done
	return 1
}

# requires_silo: skip unless the runtime under test is silo.
requires_silo() {
	[ -n "${SILO_TESTS_FORCE_SILO:-}" ] && return 0
	is_silo || skip "silo-only behaviour (RUNTIME=$RUNTIME)"
}

# The values silo's build was configured with, for tests of --version etc.
silo_version() {
	sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$SILO_SOURCE_DIR/meson.build" | head -n1
}
silo_oci_version() {
	sed -n "s/.*'SILO_OCI_VERSION', *'\([^']*\)'.*/\1/p" "$SILO_SOURCE_DIR/meson.build" | head -n1
}

# rt_create ID [FLAG...]: `create` the bundle as ID. The runtime's and the
# container's stdio go to $TEST_DIR/ID.out and ID.err (stdin is /dev/null), so
# that no container holds a pipe bats is reading. On failure the runtime's
# stderr is copied to stderr, where `run rt_create ...` captures it.
rt_create() {
	local id=$1 rc=0
	shift
	rt create --bundle "$BUNDLE" "$@" "$id" </dev/null \
		>"$TEST_DIR/$id.out" 2>"$TEST_DIR/$id.err" || rc=$?
	[ "$rc" -eq 0 ] || cat "$TEST_DIR/$id.err" >&2
	return "$rc"
}

# rt_run [FLAG...]: `run` the bundle as $CID in the foreground, on the caller's
# stdio (use it as `run rt_run`). A runtime may copy the container's stdout
# and stderr through pipes of its own (runc does), which keeps no order
# between the two: a test that checks the order of both merges them in the
# container (exec 2>&1).
rt_run() {
	rt run --bundle "$BUNDLE" "$@" "$CID"
}

# rt_run_bg ID [FLAG...]: `run` in the background, stdio through files as for
# rt_create; the runtime's exit status lands in $TEST_DIR/ID.rc (see
# wait_for_exit).
rt_run_bg() {
	local id=$1
	shift
	(
		rc=0
		rt run --bundle "$BUNDLE" "$@" "$id" </dev/null \
			>"$TEST_DIR/$id.out" 2>"$TEST_DIR/$id.err" || rc=$?
		echo "$rc" >"$TEST_DIR/$id.rc.tmp" && mv "$TEST_DIR/$id.rc.tmp" "$TEST_DIR/$id.rc"
	) 3>&- &
	track_background $!
}

# track_background PID: teardown waits for (then kills) this background job of
# the test; it should end with its container.
track_background() {
	SILO_BACKGROUND+=("$1")
}

silo_background_running() {
	local pid
	for pid in "${SILO_BACKGROUND[@]}"; do
		kill -0 "$pid" 2>/dev/null && return 0
	done
	return 1
}

# wait_for_exit ID: waits for rt_run_bg's runtime to return; prints its status.
wait_for_exit() {
	wait_for test -e "$TEST_DIR/$1.rc"
	cat "$TEST_DIR/$1.rc"
}

# container_field ID JQ_FILTER: one field of `state ID`.
container_field() {
	rt state "$1" 2>/dev/null | jq -r "$2"
}

container_status() {
	container_field "$1" .status
}

status_is() {
	[ "$(container_status "$1")" = "$2" ]
}

wait_for_status() {
	wait_for status_is "$1" "$2"
}

# container_output ID: what the container wrote to stdout (rt_create/rt_run_bg).
container_output() {
	cat "$TEST_DIR/$1.out"
}

# -------------------------------------------------------------- waiting ----

# retry N CMD...: runs CMD until it succeeds, at most N times, 50 ms apart.
retry() {
	local tries=$1 i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "gave up waiting for: $*" >&2
	return 1
}

# wait_for CMD...: retry for up to 10 seconds.
wait_for() {
	retry 200 "$@"
}

# ---------------------------------------------------------------- rootfs ---

# The busybox rootfs every test shares, built once per bats run (in
# BATS_RUN_TMPDIR, which bats removes at the end) under a lock, so that
# `bats -j` is safe. Bundles mount it read-only; tests that must write to / use
# setup_bundle --copy.
silo_build_rootfs() {
	local cache=${SILO_TEST_CACHE:-${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/silo-test-cache}
	ROOTFS=$cache/rootfs
	[ -d "$ROOTFS" ] && return 0
	mkdir -p "$cache"
	(
		flock 9
		[ -d "$ROOTFS" ] && exit 0
		tmp=$cache/rootfs.build
		rm -rf "$tmp"
		"$SILO_SOURCE_DIR/scripts/busybox-rootfs.sh" "$tmp" >&2 || exit 1
		# Lets a test tell the container's / from the host's.
		echo "silo test rootfs" >"$tmp/etc/silo-test-rootfs"
		mv "$tmp" "$ROOTFS"
	) 9>"$cache/lock"
}

# ---------------------------------------------------------------- bundles --

# setup_bundle [--copy]: makes $BUNDLE with a config.json from `RUNTIME spec`,
# adjusted to run non-interactively on the shared read-only rootfs with
# process.args ["true"]. --copy gives the bundle a private, writable,
# hard-linked copy of the rootfs instead (root.readonly false). New files are
# private to the test; do not modify existing files of the copy in place.
setup_bundle() {
	local root=$ROOTFS readonly=true
	BUNDLE=$TEST_DIR/bundle
	mkdir "$BUNDLE"
	"${RUNTIME_CMD[@]}" spec --bundle "$BUNDLE" || fail "'$RUNTIME spec --bundle' failed"
	if [ "${1:-}" = --copy ]; then
		cp -a -l "$ROOTFS" "$BUNDLE/rootfs"
		root=$BUNDLE/rootfs
		readonly=false
	fi
	update_config '
		  .root = {path: $root, readonly: $readonly}
		| .process.terminal = false
		| .process.args = ["true"]
		| .process.env += [$mark]' \
		--arg root "$root" --argjson readonly "$readonly" --arg mark "SILO_TEST_MARK=$TEST_DIR"
}

# update_config FILTER [JQ_OPTION...]: edits $BUNDLE/config.json with jq.
update_config() {
	local config=$BUNDLE/config.json
	jq "${@:2}" "$1" "$config" >"$config.new" || {
		rm -f "$config.new"
		fail "update_config: jq failed on: $1"
	}
	mv "$config.new" "$config"
}

# set_args ARG...: process.args. (Each argument goes through --arg: jq would
# take an argument such as "-c" for one of its own options.)
set_args() {
	local filter='.process.args = []' opts=() i=0 arg
	for arg in "$@"; do
		opts+=(--arg "a$i" "$arg")
		filter+=" | .process.args += [\$a$i]"
		i=$((i + 1))
	done
	update_config "$filter" "${opts[@]}"
}

# set_namespace TYPE [PATH]: the container gets a new namespace of TYPE, or
# joins the one at PATH.
set_namespace() {
	update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != $type)]
		+ [{type: $type} + (if $path == "" then {} else {path: $path} end)]' \
		--arg type "$1" --arg path "${2:-}"
}

# remove_namespace TYPE: the container shares the runtime's namespace of TYPE.
remove_namespace() {
	update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != $type)]' \
		--arg type "$1"
}

# add_mount JSON: appends one entry to .mounts.
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# ----------------------------------------------------------- assertions ----

fail() {
	echo "$*" >&2
	return 1
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	[[ "$1" == *"$2"* ]] || fail "expected to find '$2' in: $1"
}

assert_not_contains() {
	[[ "$1" != *"$2"* ]] || fail "did not expect '$2' in: $1"
}

# assert_equal ACTUAL EXPECTED
assert_equal() {
	[ "$1" = "$2" ] || fail "expected '$2', got '$1'"
}

# assert_status EXPECTED: checks bats' $status after `run`.
assert_status() {
	[ "$status" -eq "$1" ] || fail "expected status $1, got $status; output: $output"
}

assert_failure() {
	[ "$status" -ne 0 ] || fail "expected failure, got status 0; output: $output"
}

# assert_nothing_left: no container state, process, mount or cgroup of this
# test remains (after a failed command, say). silo_teardown checks the same.
assert_nothing_left() {
	local left
	left=$(silo_leftovers)
	[ -z "$left" ] || fail "left behind: $left"
}

# --------------------------------------------------------- setup/teardown --

silo_setup() {
	[ -x "$RUNTIME" ] || fail "RUNTIME '$RUNTIME' is not an executable; build silo (ninja -C $BUILD_DIR) or set RUNTIME"
	silo_build_rootfs
	# Canonical, so that it compares equal to the paths a runtime reports.
	TEST_DIR=$(realpath "$(mktemp -d "${BATS_TMPDIR:-/tmp}/silo-test.XXXXXX")")
	STATE_ROOT=$TEST_DIR/state
	mkdir "$STATE_ROOT"
	CID=silo-test-${TEST_DIR##*.}
	SILO_CLEANUPS=()
	SILO_BACKGROUND=()
	# Every process the test starts from here on, and every container
	# process (setup_bundle puts it in process.env), carries the mark, so
	# teardown can find any that outlive the test.
	export SILO_TEST_MARK=$TEST_DIR
}

# on_teardown COMMAND: run COMMAND (a string for eval) in teardown, after the
# containers are deleted and before the leftover checks; last registered first.
on_teardown() {
	SILO_CLEANUPS+=("$1")
}

# The test's processes: those carrying its mark, and those in a cgroup named
# after one of its containers (a runtime's own init, which the mark may not
# reach).
silo_test_processes() {
	local files f cgroup
	# grep runs without the mark, so that it does not find itself.
	files=$(env -u SILO_TEST_MARK grep -lszxF "SILO_TEST_MARK=$TEST_DIR" /proc/[0-9]*/environ) || true
	{
		for f in $files; do
			f=${f#/proc/}
			echo "${f%/environ}"
		done
		for cgroup in $(silo_left_cgroups); do
			cat "$cgroup/cgroup.procs" 2>/dev/null || true
		done
	} | sort -n -u
}

silo_no_test_processes() {
	[ -z "$(silo_test_processes)" ]
}

silo_left_mounts() {
	grep -F -e "$TEST_DIR" -e "$ROOTFS" /proc/self/mountinfo | awk '{ print $5 }'
}

silo_left_cgroups() {
	find /sys/fs/cgroup -maxdepth 4 -type d -name "*$CID*" 2>/dev/null
}

silo_left_state() {
	find "$STATE_ROOT" -mindepth 1 -maxdepth 1 -type d 2>/dev/null
}

# silo_leftovers: one line per thing of this test that is still there.
silo_leftovers() {
	local pid
	for pid in $(silo_test_processes); do
		echo "process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done
	silo_left_state | sed 's/^/state directory /'
	silo_left_mounts | sed 's/^/mount /'
	silo_left_cgroups | sed 's/^/cgroup /'
}

silo_teardown() {
	local d id i pid left mnt
	[ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0

	for d in "$STATE_ROOT"/*/; do
		[ -d "$d" ] || continue
		id=${d%/}
		id=${id##*/}
		rt delete --force "$id" >/dev/null 2>&1 || true
	done
	for ((i = ${#SILO_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${SILO_CLEANUPS[i]}" >/dev/null 2>&1 || true
	done

	# delete --force may return while the kernel is still reaping.
	retry 100 silo_no_test_processes 2>/dev/null || true
	left=$(silo_leftovers)

	# Clean up by hand whatever the runtime left, so one broken test does
	# not break the next ones.
	for pid in $(silo_test_processes); do
		kill -9 "$pid" 2>/dev/null || true
	done
	retry 100 silo_no_test_processes 2>/dev/null || true
	for mnt in $(silo_left_mounts | sort -r); do
		umount -l "$mnt" 2>/dev/null || true
	done
	silo_left_cgroups | sort -r | while read -r d; do rmdir "$d" 2>/dev/null || true; done
	# Background jobs of the test (rt_run_bg, recvtty) end with their
	# containers.
	if retry 100 eval '! silo_background_running' 2>/dev/null; then :; else
		kill -9 "${SILO_BACKGROUND[@]}" 2>/dev/null || true
	fi
	# --one-file-system: never walk into a mount that could not be removed.
	rm -rf --one-file-system "$TEST_DIR"

	if [ -n "$left" ]; then
		echo "the test left behind:" >&2
		echo "$left" >&2
		return 1
	fi
}
