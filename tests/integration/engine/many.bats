#!/usr/bin/env bats
# 100 containers run and removed, sequentially and 20 at a time, leave no
# mount, cgroup, state directory or record behind; ps -a is right
# throughout.

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

nothing_left() {
	[ -z "$(silo ps -aq)" ] || fail "ps -a still lists: $(silo ps -aq)"
	[ -z "$(ls -A "$ENGINE_STORE/root/containers")" ] || fail "records left"
	[ -z "$(ls -A "$SILO_RUNTIME_ROOT")" ] || fail "runtime state left"
	! grep -q " $ENGINE_STORE/" /proc/self/mountinfo || fail "mounts left"
}

@test "100 run --rm one after another" {
	local i
	for i in $(seq 100); do
		[ "$(silo run --rm "$BB" echo "$i")" = "$i" ] || fail "container $i"
	done
	nothing_left
}

@test "100 detached containers, 20 at a time, then stopped and removed" {
	local batch i pids
	# Waits for our own jobs only: bats runs a timer in the background.
	for batch in 1 2 3 4 5; do
		pids=()
		for i in $(seq 20); do
			silo run -d --name "c$batch-$i" "$BB" sleep 100 >/dev/null &
			pids+=($!)
		done
		wait "${pids[@]}"
		[ "$(silo ps -q | wc -l)" -eq 20 ] || fail "batch $batch: $(silo ps -q | wc -l) running"
		pids=()
		for i in $(seq 20); do
			silo rm -f "c$batch-$i" >/dev/null &
			pids+=($!)
		done
		wait "${pids[@]}"
		[ -z "$(silo ps -aq)" ] || fail "batch $batch left: $(silo ps -a)"
	done
	nothing_left
}
