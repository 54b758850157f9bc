#!/usr/bin/env bats
# silo ps: -a, -q, -n, -l, --no-trunc, -s, every --filter and --format
# (json, table, templates), with real containers.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	engine_setup_file
	# exp: bb with EXPOSE 8125/udp, for expose=.
	umoci tag --image "$LAYOUT:bb" exp
	umoci config --image "$LAYOUT:exp" --config.exposedports 8125/udp
	push exp "silo/exp:latest"
	"$SILO" --root "$ENGINE_STORE/root" pull -q "$REGISTRY/silo/exp:latest" >/dev/null
	export EXP=$REGISTRY/silo/exp:latest
}
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# names NAME...: what `ps -a --format {{.Names}}` prints, sorted, one line.
names() {
	silo ps -a --format '{{.Names}}' "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}

@test "ps shows running containers; -a the others too; -q, --no-trunc, -n and -l" {
	silo create --name made "$BB" true >/dev/null
	run silo run --name done "$BB" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	up=$(silo run -d --name up "$BB" sleep 100)
	run silo ps --format '{{.Names}}'
	[ "$output" = up ]
	[ "$(names)" = "done made up" ]
	run silo ps -q
	[ "$output" = "${up:0:12}" ]
	run silo ps -q --no-trunc
	[ "$output" = "$up" ]
	# -l: the newest container, whatever its state; -n 2 the two newest.
	run silo ps -l --format '{{.Names}}'
	[ "$output" = up ]
	run silo ps -n 2 --format '{{.Names}}'
	[ "$output" = "$(printf 'up\ndone')" ]
	run silo ps -a
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	[[ "$output" == *"Exited (3) "*" ago"*done* ]]
	[[ "$output" == *Created*made* ]]
	[[ "$output" == *"Up "*up* ]]
}

@test "ps --filter status, exited, id and name" {
	silo create --name made "$BB" true >/dev/null
	run silo run --name three "$BB" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	silo run --name zero "$BB" true
	up=$(silo run -d --name up "$BB" sleep 100)
	# A status filter looks at every container, as -a.
	run silo ps --filter status=exited --format '{{.Names}}'
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "three zero " ]
	[ "$(names --filter status=created)" = made ]
	[ "$(names --filter status=running)" = up ]
	# The same key twice: either matches.
	[ "$(names --filter status=created --filter status=running)" = "made up" ]
	[ "$(names --filter exited=3)" = three ]
	[ "$(names --filter exited=0)" = zero ]
	[ "$(names --filter id="${up:0:8}")" = up ]
	[ "$(names --filter name=^ze)" = zero ]
	[ "$(names --filter name=e)" = "made three zero" ]
	# Different keys: both must match.
	[ "$(names --filter name=e --filter status=exited)" = "three zero" ]
	[ -z "$(names --filter name=nothing-like-it)" ]
}

@test "ps --filter label, ancestor, before and since" {
	silo create --name a -l tier=web -l solo "$BB" true >/dev/null
	silo create --name b -l tier=db "$BB" true >/dev/null
	silo create --name c "$CFG" >/dev/null
	[ "$(names --filter label=tier)" = "a b" ]
	[ "$(names --filter label=tier=db)" = b ]
	[ "$(names --filter label=solo)" = a ]
	[ "$(names --filter label=tier=web --filter label=tier=db)" = "a b" ]
	[ "$(names --filter ancestor="$CFG")" = c ]
	bb_id=$(silo inspect a | jq -r '.[0].Image')
	[[ "$bb_id" == sha256:* ]]
	[ "$(names --filter ancestor="$bb_id")" = "a b" ]
	[ "$(names --filter before=b)" = a ]
	[ "$(names --filter since=a)" = "b c" ]
	[ "$(names --filter since=a --filter before=c)" = b ]
}

@test "ps --filter volume, network, publish and expose" {
	silo create --name vol -v data:/data "$BB" true >/dev/null
	silo create --name plain --network none "$BB" true >/dev/null
	silo run -d --name web -p 127.0.0.1:18080:80 "$BB" sleep 100 >/dev/null
	[ "$(names --filter volume=data)" = vol ]
	[ "$(names --filter volume=/data)" = vol ]
	[ "$(names --filter network=none)" = plain ]
	[ "$(names --filter network=bridge)" = "vol web" ]
	[ "$(names --filter publish=18080)" = web ]
	[ "$(names --filter publish=18000-18100/tcp)" = web ]
	[ -z "$(names --filter publish=18080/udp)" ]
	[ -z "$(names --filter publish=80)" ]
	[ "$(names --filter expose=80)" = web ]
	[ "$(names --filter expose=80/tcp)" = web ]
	run silo ps --filter publish=18080 --format '{{.Ports}}'
	[ "$output" = "127.0.0.1:18080->80/tcp" ]
	# The image's EXPOSE counts for expose=, unpublished.
	silo create --name exposed "$EXP" true >/dev/null
	[ "$(names --filter expose=8125/udp)" = exposed ]
	[ "$(names --filter expose=8000-9000/udp)" = exposed ]
	[ -z "$(names --filter expose=8125)" ]
	[ -z "$(names --filter publish=8125/udp)" ]
	silo rm -fv vol >/dev/null
}

@test "ps refuses unknown filters and bad values, naming them" {
	run silo ps --filter color=red
	[ "$status" -eq 125 ]
	[[ "$output" == *'--filter "color=red"'*'unknown filter "color"'* ]]
	run silo ps --filter status=sleeping
	[ "$status" -eq 125 ]
	[[ "$output" == *'"status=sleeping"'* ]]
	run silo ps --filter exited=abc
	[ "$status" -eq 125 ]
	[[ "$output" == *'"exited=abc"'* ]]
	run silo ps --filter publish=99999
	[ "$status" -eq 125 ]
	[[ "$output" == *'"publish=99999"'* ]]
	run silo ps --filter noequals
	[ "$status" -eq 125 ]
	[[ "$output" == *'"noequals"'*KEY=VALUE* ]]
	run silo ps --filter before=ghost
	[ "$status" -eq 125 ]
	[[ "$output" == *'before=ghost'*'No such container'* ]]
	run silo ps --format '{{.Nope}}'
	[ "$status" -eq 125 ]
	[[ "$output" == *'--format "{{.Nope}}"'*Nope* ]]
	run silo ps --format '{{upper .Names}}'
	[ "$status" -eq 125 ]
	[[ "$output" == *'function "upper" not defined'* ]]
	run silo ps -n many
	[ "$status" -eq 125 ]
	[[ "$output" == *'--last "many"'* ]]
}

@test "ps --format json prints one object a line with docker's fields" {
	id=$(silo run -d --name j -l app=demo -v jv:/v "$BB" sleep 100)
	run silo ps --format json
	[ "${#lines[@]}" -eq 1 ]
	jq -e --arg id "${id:0:12}" '
		.ID == $id and .Names == "j" and (.Image | endswith("silo/bb:latest")) and
		.Command == "\"sleep 100\"" and .State == "running" and (.Status | startswith("Up ")) and
		.Labels == "app=demo" and .Mounts == "jv" and .LocalVolumes == "1" and
		.Networks == "bridge" and (.RunningFor | endswith(" ago")) and
		(.CreatedAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [+-][0-9]{4} ")) and
		.Size == "0B" and .Ports == ""' <<<"$output"
	# {{json .}} is the same object.
	run silo ps --format '{{json .}}'
	jq -e '.Names == "j"' <<<"$output"
	silo rm -fv j >/dev/null
}

@test "ps --format templates: fields, .Label, tabs, and table headers" {
	silo run -d --name t1 -l app=one "$BB" sleep 100 >/dev/null
	silo create --name t2 -l app=two "$BB" echo 'a long command line, longer than twenty' >/dev/null
	run silo ps -a --format '{{.Names}}\t{{.Label "app"}}:{{.State}}'
	[ "$output" = "$(printf 't2\ttwo:created\nt1\tone:running')" ]
	run silo ps -a --format 'table {{.Names}}\t{{.Label "app"}}\t{{.Status}}'
	[[ "${lines[0]}" =~ ^NAMES\ +LABEL\ +STATUS$ ]]
	[[ "${lines[1]}" =~ ^t2\ +two\ +Created$ ]]
	[[ "${lines[2]}" =~ ^t1\ +one\ +Up\  ]]
	# Cells line up under their headers.
	col=$(awk 'NR==1 {print index($0, "STATUS")}' <<<"$output")
	[ "$(awk 'NR==2 {print index($0, "Created")}' <<<"$output")" = "$col" ]
	run silo ps -a --filter name=t2 --format '{{.Command}}'
	[ "$output" = '"echo a long command…"' ]
	run silo ps -a --filter name=t2 --no-trunc --format '{{.Command}}'
	[ "$output" = '"echo a long command line, longer than twenty"' ]
	run silo ps --format table
	[[ "${lines[0]}" == "CONTAINER ID"* ]]
	[[ "${lines[1]}" == *t1 ]]
}

@test "ps -s shows the writable layer's size and the virtual one" {
	silo run --name big "$BB" sh -c 'dd if=/dev/zero of=/blob bs=1000 count=300 2>/dev/null'
	run silo ps -a -s --format '{{.Names}} {{.Size}}'
	[[ "$output" =~ ^big\ 30[0-9]kB\ \(virtual\ [0-9.]+[kM]B\)$ ]]
	run silo ps -a -s
	[[ "${lines[0]}" == *"NAMES"*"SIZE" ]]
	# A template with .Size measures it without -s.
	run silo ps -a --format '{{.Size}}'
	[[ "$output" =~ ^30[0-9]kB\ \(virtual ]]
	run silo ps -a --format '{{.Names}}'
	[ "$output" = big ]
}
