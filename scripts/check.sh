#!/bin/bash
# make check: unit tests (cmocka through meson test), then the integration
# suite (bats, real containers, as root), then a check that nothing was left
# on the machine. Ends with one line: "N passed, N failed".
set -u

# As root the whole run happens in a network namespace of its own: the
# network tests make bridges, veths and nftables rules, and the machine's
# interfaces and firewall must never see them. Traffic stays on its
# loopback and inside namespaces the tests make.
if [ "$(id -u)" -eq 0 ] && [ -z "${SILO_CHECK_NETNS:-}" ]; then
	export SILO_CHECK_NETNS=1
	exec unshare --net -- "$0" "$@"
fi
if [ -n "${SILO_CHECK_NETNS:-}" ]; then
	ip link set lo up
fi

build=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
logs="$build/test-logs"
mkdir -p "$logs"
passed=0
failed=0
skipped=0

echo "== unit tests"
meson test -C "$build" --suite unit --print-errorlogs >"$logs/unit.txt" 2>&1
unit_rc=$?
cat "$logs/unit.txt" | grep -E '^ *[0-9]+/[0-9]+ ' || true
unit_ok=$(awk '/^Ok:/ {print $2}' "$logs/unit.txt")
unit_fail=$(awk '/^(Fail|Unexpected Pass|Timeout):/ {n += $2} END {print n + 0}' "$logs/unit.txt")
if [ -z "$unit_ok" ]; then
	echo "meson test did not run:"
	tail -20 "$logs/unit.txt"
	unit_ok=0
	unit_fail=$((unit_fail + 1))
elif [ "$unit_rc" -ne 0 ] && [ "$unit_fail" -eq 0 ]; then
	unit_fail=1
fi
passed=$((passed + unit_ok))
failed=$((failed + unit_fail))

if [ "$(id -u)" -ne 0 ]; then
	echo "integration tests need root: skipped"
else
	echo "== integration tests"
	export BUILD_DIR="$build"
	"$top/tests/integration/leftovers.sh" snapshot "$logs/leftovers.before"
	bats --tap -r "$top/tests/integration" >"$logs/integration.tap" 2>&1
	cat "$logs/integration.tap"
	ok=$(grep -cE '^ok [0-9]+' "$logs/integration.tap" | tr -d ' ')
	skip=$(grep -cE '^ok [0-9]+ .*# skip' "$logs/integration.tap" | tr -d ' ')
	bad=$(grep -cE '^not ok [0-9]+' "$logs/integration.tap" | tr -d ' ')
	if ! grep -qE '^1\.\.[0-9]+' "$logs/integration.tap"; then
		echo "bats did not run"
		bad=$((bad + 1))
	fi
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + bad))

	# The runtime and security tests again, with openat2 and the new mount
	# API failing (ENOSYS) under a seccomp filter around silo-runtime, to
	# prove mount_resolve's fallback walk and the mount(2) fallback.
	# seccomp.bats stays out: it checks the container's seccomp state, which
	# that filter itself changes.
	echo "== integration tests without openat2 and the new mount API"
	RUNTIME="$top/tests/tools/no-openat2/silo-runtime" bats --tap $(ls "$top"/tests/integration/runtime/*.bats \
		"$top"/tests/integration/security/*.bats | grep -v '/security/seccomp\.bats$') \
		>"$logs/integration-no-openat2.tap" 2>&1
	cat "$logs/integration-no-openat2.tap"
	ok=$(grep -cE '^ok [0-9]+' "$logs/integration-no-openat2.tap" | tr -d ' ')
	skip=$(grep -cE '^ok [0-9]+ .*# skip' "$logs/integration-no-openat2.tap" | tr -d ' ')
	bad=$(grep -cE '^not ok [0-9]+' "$logs/integration-no-openat2.tap" | tr -d ' ')
	grep -qE '^1\.\.[0-9]+' "$logs/integration-no-openat2.tap" || bad=$((bad + 1))
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + bad))

	echo "== leftovers"
	if "$top/tests/integration/leftovers.sh" compare "$logs/leftovers.before"; then
		echo "ok: nothing left behind"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
