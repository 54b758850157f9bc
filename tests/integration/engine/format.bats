#!/usr/bin/env bats
# --format templates beyond ps: images, volume ls, network ls.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "images --format takes templates and table templates; json stays the records" {
	run silo images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	[ "$status" -eq 0 ]
	id=$(silo inspect "$(silo create "$BB" true)" | jq -r '.[0].Image')
	[[ "$output" == *"${BB%:latest}:latest ${id:7:12}"* ]]
	[ "${#lines[@]}" -eq 2 ]
	run silo images --no-trunc --format '{{.ID}}'
	[[ "$output" == *"$id"* ]]
	run silo images --format 'table {{.Repository}}\t{{.Size}}'
	[[ "${lines[0]}" =~ ^REPOSITORY\ +SIZE$ ]]
	[[ "${lines[1]}" =~ \ [0-9.]+[kM]?B$ ]]
	run silo images --format json
	jq -e 'type == "array" and length == 2' <<<"$output"
	run silo images --format '{{.Bogus}}'
	[ "$status" -eq 125 ]
	[[ "$output" == *'--format "{{.Bogus}}"'* ]]
}

@test "volume ls --format prints docker's fields" {
	silo volume create --label team=io fv1 >/dev/null
	silo create --name user -v fv1:/d "$BB" true >/dev/null
	run silo volume ls --format '{{.Name}} {{.Driver}} {{.Labels}} {{.Links}} {{.Mountpoint}}'
	[ "$output" = "fv1 local team=io 1 $ENGINE_STORE/root/volumes/fv1/_data" ]
	run silo volume ls --format json
	jq -e '.Name == "fv1" and .Scope == "local" and .Links == "1"' <<<"$output"
	run silo volume ls --format table
	[[ "${lines[0]}" =~ ^DRIVER\ +VOLUME\ NAME$ ]]
	[[ "${lines[1]}" =~ ^local\ +fv1$ ]]
	run silo volume ls --format '{{.Nope}}'
	[ "$status" -eq 125 ]
	silo rm user >/dev/null
	silo volume rm fv1 >/dev/null
}

@test "network ls --format prints docker's fields, the modes included" {
	run silo network ls --format '{{.Name}} {{.Driver}} {{.Scope}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'bridge bridge local\nhost host local\nnone null local')" ]
	run silo network ls --format json
	[ "$(jq -r .Name <<<"${lines[0]}")" = bridge ]
	[ "$(jq -r '.ID | length' <<<"${lines[0]}")" = 12 ]
	run silo network ls --format 'table {{.Name}}\t{{.Internal}}'
	[[ "${lines[0]}" =~ ^NAME\ +INTERNAL$ ]]
	run silo network ls --format '{{.Nope}}'
	[ "$status" -eq 125 ]
}
