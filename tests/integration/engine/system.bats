#!/usr/bin/env bats
# silo system df [-v], system info / info, version: what they count and
# measure, checked against the store and the host.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# df_field TYPE FIELD: one field of `system df --format json`.
df_field() {
	silo system df --format json | jq -r --arg t "$1" "select(.Type == \$t) | .$2"
}

@test "system df counts and measures images, containers and volumes" {
	silo run --name writer -v dfvol:/data "$BB" \
		sh -c 'dd if=/dev/zero of=/blob bs=1000 count=200 2>/dev/null; dd if=/dev/zero of=/data/v bs=1000 count=50 2>/dev/null'
	silo run -d --name up "$BB" sleep 100 >/dev/null
	run silo system df
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
	[[ "${lines[4]}" =~ ^Build\ Cache\ +0\ +0\ +0B\ +0B$ ]]
	# bb and cfg; only bb is used, by both containers.
	[ "$(df_field Images TotalCount)" = 2 ]
	[ "$(df_field Images Active)" = 1 ]
	[[ "$(df_field Images Size)" =~ ^[0-9.]+[kM]B$ ]]
	# writer's 200 kB are reclaimable: it has exited.
	[ "$(df_field Containers TotalCount)" = 2 ]
	[ "$(df_field Containers Active)" = 1 ]
	[ "$(df_field Containers Size)" = 200kB ]
	[ "$(df_field Containers Reclaimable)" = "200kB (100%)" ]
	# The volume is used by a container (an exited one counts).
	[ "$(df_field 'Local Volumes' TotalCount)" = 1 ]
	[ "$(df_field 'Local Volumes' Active)" = 1 ]
	[ "$(df_field 'Local Volumes' Size)" = 50kB ]
	[ "$(df_field 'Local Volumes' Reclaimable)" = "0B (0%)" ]
	silo rm writer >/dev/null
	[ "$(df_field 'Local Volumes' Active)" = 0 ]
	[ "$(df_field 'Local Volumes' Reclaimable)" = "50kB (100%)" ]
	[ "$(df_field Containers Size)" = 0B ]
	run silo system df --format '{{.Type}}={{.TotalCount}}'
	[ "$output" = "$(printf 'Images=2\nContainers=1\nLocal Volumes=1\nBuild Cache=0')" ]
	silo volume rm dfvol >/dev/null
}

@test "system df -v lists each image, container and volume" {
	silo run --name v1 -v dfv:/data "$BB" sh -c 'echo x >/data/f; dd if=/dev/zero of=/b bs=1000 count=10 2>/dev/null'
	run silo system df -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"Images space usage:"* ]]
	[[ "$output" =~ silo/bb\ +latest\ +[0-9a-f]{12}\ +[0-9.]+[kM]?B\ +[0-9.]+[kM]?B\ +[0-9.]+[kM]?B\ +1 ]]
	[[ "$output" =~ silo/cfg\ +latest\ +[0-9a-f]{12}\ .*\ 0 ]]
	[[ "$output" == *"Containers space usage:"* ]]
	[[ "$output" =~ [0-9a-f]{12}\ +[^\ ]*silo/bb:latest\ +10kB\ +exited\ +v1 ]]
	[[ "$output" == *"Local Volumes space usage:"* ]]
	[[ "$output" =~ dfv\ +1\ +2B ]]
	[[ "$output" == *"Build cache usage: 0B"* ]]
	silo rm -v v1 >/dev/null
	silo volume rm dfv >/dev/null 2>&1 || true
}

@test "info shows the store, the host and the counts, as text and JSON" {
	silo create --name made "$BB" true >/dev/null
	silo run -d --name up "$BB" sleep 100 >/dev/null
	run silo info --format json
	[ "$status" -eq 0 ]
	json=$output
	jq -e '.Containers == 2 and .ContainersRunning == 1 and .ContainersStopped == 1 and
		.ContainersPaused == 0 and .Images == 2' <<<"$json"
	[ "$(jq -r .DockerRootDir <<<"$json")" = "$ENGINE_STORE/root" ]
	[ "$(jq -r .RuntimeRootDir <<<"$json")" = "$SILO_RUNTIME_ROOT" ]
	[ "$(jq -r .KernelVersion <<<"$json")" = "$(uname -r)" ]
	[ "$(jq -r .Architecture <<<"$json")" = "$(uname -m)" ]
	[ "$(jq -r .NCPU <<<"$json")" = "$(nproc)" ]
	[ "$(jq -r .MemTotal <<<"$json")" = "$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024))" ]
	. /etc/os-release
	[ "$(jq -r .OperatingSystem <<<"$json")" = "$PRETTY_NAME" ]
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then want=2; else want=1; fi
	[ "$(jq -r .CgroupVersion <<<"$json")" = "$want" ]
	if [ "$want" = 1 ] && [ -d /sys/fs/cgroup/unified ]; then
		[ "$(jq -r .CgroupLayout <<<"$json")" = hybrid ]
	fi
	jq -e '.SecurityOptions | index("name=seccomp,profile=builtin")' <<<"$json"
	jq -e '.Rootless == false and .DefaultNetwork == "bridge" and .LoggingDriver == "json-file"' <<<"$json"
	run silo info
	[[ "$output" == *" Containers: 2"$'\n'"  Running: 1"$'\n'"  Paused: 0"$'\n'"  Stopped: 1"* ]]
	[[ "$output" == *" Images: 2"* ]]
	[[ "$output" == *"  seccomp"$'\n'"   Profile: builtin"* ]]
	[[ "$output" == *" Store Root Dir: $ENGINE_STORE/root"* ]]
	[[ "$output" == *" Kernel Version: $(uname -r)"* ]]
	run silo system info --format '{{.ServerVersion}} {{.ContainersRunning}}'
	[ "$output" = "$(jq -r .ServerVersion <<<"$json") 1" ]
}

@test "version prints the client's and the runtime's versions" {
	run silo version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^Client:$'\n'\ Version:\ +[0-9]+\.[0-9]+\.[0-9]+ ]]
	[[ "$output" == *"Runtime:"*"OCI spec:"* ]]
	run silo version --format json
	jq -e '.Client.Version == .Runtime.Version and (.Runtime.OCIVersion | test("^1\\."))' <<<"$output"
	run "$SILO" --version
	[[ "$output" =~ ^silo\ version\ [0-9.]+,\ build\ [0-9a-f]+$ ]]
}

@test "bad system subcommands, formats and arguments exit 125, naming them" {
	run silo system bogus
	[ "$status" -eq 125 ]
	[[ "$output" == *"df, info or prune"* ]]
	run silo system df --format '{{.Nope}}'
	[ "$status" -eq 125 ]
	[[ "$output" == *'--format "{{.Nope}}"'* ]]
	run silo info --format '{{.Nope}}'
	[ "$status" -eq 125 ]
	[[ "$output" == *Nope* ]]
	run silo system df extra
	[ "$status" -eq 125 ]
	run silo version extra
	[ "$status" -eq 125 ]
}
