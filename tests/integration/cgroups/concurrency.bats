#!/usr/bin/env bats
# Containers created and deleted at the same time under one parent cgroup.
# delete removes the parent silo made once it is empty, while another
# create may be making its own cgroup under it: that create must neither
# fail (ENOENT, the parent gone under it) nor get a v1 cpuset cgroup without
# CPUs or memory nodes (ENOSPC on joining it, because the parent another
# create has just made is still empty), and the last delete still removes
# the parent.

load ../helpers
load cgroup_helpers

setup() {
	silo_setup
	setup_bundle
}

teardown() {
	silo_teardown
}

LOOPS=10
ROUNDS=20

# churn N PARENT: ROUNDS times, `run` then create + delete a container whose
# cgroup is PARENT/a/b/loop-N (relative, so under silo's default parent).
# Each level between is shared by the loops and removed by whichever delete
# empties it, which makes one more window for the race. Prints one line
# per failure.
churn() {
	local n=$1 parent=$2 bundle=$TEST_DIR/bundle-$1 round id
	mkdir "$bundle"
	jq --arg p "$parent/a/b/loop-$n" '.linux.cgroupsPath = $p' "$BUNDLE/config.json" >"$bundle/config.json"
	for round in $(seq "$ROUNDS"); do
		id=$CID-$n-$round
		rt run --bundle "$bundle" "$id" </dev/null >"$TEST_DIR/$id.out" 2>&1 ||
			echo "run $id: $(cat "$TEST_DIR/$id.out")"
		rt create --bundle "$bundle" "$id-c" </dev/null >"$TEST_DIR/$id-c.out" 2>&1 ||
			echo "create $id-c: $(cat "$TEST_DIR/$id-c.out")"
		rt delete --force "$id-c" >>"$TEST_DIR/$id-c.out" 2>&1 ||
			echo "delete $id-c: $(cat "$TEST_DIR/$id-c.out")"
	done
}

@test "parallel creates and deletes under one parent cgroup race its removal without failing" {
	local n pids=() parent=$CID-parent failures
	for n in $(seq "$LOOPS"); do
		churn "$n" "$parent" >"$TEST_DIR/churn-$n.log" 2>&1 &
		pids+=($!)
	done
	# Our own jobs only: bats runs a timer in the background.
	wait "${pids[@]}"
	failures=$(cat "$TEST_DIR"/churn-*.log)
	[ -z "$failures" ] || fail "$(echo "$failures" | head -20)"
	# The last delete took the parent away, in every hierarchy.
	[ -z "$(silo_left_cgroups)" ] || fail "left: $(silo_left_cgroups)"
}

@test "a v1 cpuset parent still without CPUs or memory nodes is filled before the child is made" {
	requires_v1 cpuset
	local top parent
	top=$(v1_mount cpuset)
	parent=$top/silo/$CID-cpuset
	# What a create sees while another one has just made the parent and not
	# yet copied cpuset.cpus and cpuset.mems into it: both empty.
	mkdir -p "$parent"
	[ -z "$(tr -d '\n' <"$parent/cpuset.cpus")" ]
	update_config '.linux.cgroupsPath = $p' --arg p "$CID-cpuset/inner"
	set_args sleep 1000
	rt_create "$CID"
	assert_equal "$(cat "$parent/cpuset.cpus")" "$(cat "$top/silo/cpuset.cpus")"
	assert_equal "$(cat "$parent/inner/cpuset.mems")" "$(cat "$top/cpuset.mems")"
	rt start "$CID"
	wait_until_running "$CID"
	rt delete --force "$CID"
	[ ! -e "$parent" ]
}
