#!/usr/bin/env bats
# silo logs: --tail, --since, --until, -t, --details, -f; log rotation
# (--log-opt max-size/max-file) and --log-driver none, with real containers.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

container_dir() {
	echo "$ENGINE_STORE/root/containers/$(silo inspect "$1" | jq -r '.[0].Id')"
}

@test "--tail shows the last N lines, 0 none, all every one" {
	silo run --name tl "$BB" sh -c 'for i in 1 2 3 4 5; do echo "l$i"; done; echo err >&2'
	run --separate-stderr silo logs --tail 2 tl
	[ "$output" = l5 ]
	[ "$stderr" = err ]
	run silo logs --tail 3 tl
	[ "$output" = "$(printf 'l4\nl5\nerr')" ]
	run silo logs -n 0 tl
	[ -z "$output" ]
	run silo logs --tail all tl
	[ "${#lines[@]}" -eq 6 ]
	run silo logs --tail 100 tl
	[ "${#lines[@]}" -eq 6 ]
	run silo logs --tail -1 tl
	[ "${#lines[@]}" -eq 6 ]
}

@test "--since and --until take RFC 3339 times, Unix times and durations" {
	silo run -d --name win "$BB" sh -c 'echo early; sleep 2; echo late' >/dev/null
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs win | grep -q early"
	sleep 0.5
	mid=$(date +%s.%N)
	silo wait win >/dev/null
	run silo logs --since "$mid" win
	[ "$output" = late ]
	run silo logs --until "$mid" win
	[ "$output" = early ]
	rfc=$(date -u -d "@$mid" +%Y-%m-%dT%H:%M:%S.%NZ)
	run silo logs --since "$rfc" win
	[ "$output" = late ]
	offset=$(TZ=Etc/GMT-2 date -d "@$mid" +%Y-%m-%dT%H:%M:%S.%N+02:00)
	run silo logs --until "$offset" win
	[ "$output" = early ]
	# Durations count back from now.
	run silo logs --since 1h win
	[ "$output" = "$(printf 'early\nlate')" ]
	run silo logs --since 1h30m --until 2h win
	[ -z "$output" ]
	run silo logs --until 10m win
	[ -z "$output" ]
	# Both, and with --tail: the window first, then its last lines.
	run silo logs --since 1h --tail 1 win
	[ "$output" = late ]
	# Whole seconds.
	run silo logs --since "$((${mid%.*} - 100))" --until "$(($(date +%s) + 1))" win
	[ "$output" = "$(printf 'early\nlate')" ]
	run silo logs --until "$((${mid%.*} - 100))" win
	[ -z "$output" ]
}

@test "-t prefixes docker's timestamps; --details a space for no attributes" {
	silo run --name ts "$BB" echo stamped
	run silo logs -t ts
	[[ "$output" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ stamped$ ]]
	run silo logs --details ts
	[ "$output" = " stamped" ]
}

@test "logs -f of a container that does not run returns at once" {
	silo create --name idle "$BB" true >/dev/null
	run timeout 10 "$SILO" --root "$ENGINE_STORE/root" logs -f idle
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "logs -f --tail N prints the last N lines, then follows to the exit" {
	silo run -d --name ft "$BB" sh -c 'for i in 1 2 3 4 5; do echo "n$i"; done; sleep 2; echo after' >/dev/null
	wait_until sh -c "\"$SILO\" --root \"$ENGINE_STORE/root\" logs ft | grep -q n5"
	run timeout 20 "$SILO" --root "$ENGINE_STORE/root" logs -f --tail 2 ft
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'n4\nn5\nafter')" ]
}

@test "max-size rotates the log into max-file files, and logs reads them all in order" {
	silo run --name rot --log-opt max-size=1k --log-opt max-file=10 "$BB" \
		sh -c 'i=1; while [ $i -le 60 ]; do printf "line %03d\n" $i; i=$((i+1)); done'
	dir=$(container_dir rot)
	# Each entry is some 80 bytes: 60 make 5 files of at most 1 KiB and one entry.
	n=$(ls "$dir" | grep -c '^container\.log')
	[ "$n" -eq 5 ]
	for f in "$dir"/container.log.*; do
		size=$(stat -c %s "$f")
		[ "$size" -ge 1024 ] && [ "$size" -lt 1124 ]
	done
	# container.log.4 is the oldest.
	[ "$(head -1 "$dir/container.log.4" | jq -r .log)" = "line 001" ]
	run silo logs rot
	[ "$output" = "$(seq -f 'line %03g' 1 60)" ]
	run silo logs --tail 20 rot
	[ "$output" = "$(seq -f 'line %03g' 41 60)" ]
	# --since across the files: from line 030 (in container.log.2) on.
	t=$(cat "$dir"/container.log* | jq -r 'select(.log == "line 030\n") | .time')
	run silo logs --since "$t" rot
	[ "$output" = "$(seq -f 'line %03g' 30 60)" ]
	run silo logs --since "$t" --until "$t" rot
	[ "$output" = "line 030" ]
	[ "$(silo inspect rot | jq -c .[0].HostConfig.LogConfig)" = \
		'{"Type":"json-file","Config":{"max-size":"1k","max-file":"10"}}' ]
}

@test "max-file drops the oldest files; max-size alone keeps one file" {
	silo run --name few --log-opt max-size=1k --log-opt max-file=3 "$BB" \
		sh -c 'i=1; while [ $i -le 60 ]; do printf "line %03d\n" $i; i=$((i+1)); done'
	dir=$(container_dir few)
	[ "$(ls "$dir" | grep -c '^container\.log')" -eq 3 ]
	[ ! -e "$dir/container.log.3" ]
	# What is left is the end of the output, whole and in order.
	run silo logs few
	first=${lines[0]#line }
	[ "$output" = "$(seq -f 'line %03g' "$((10#$first))" 60)" ]
	[ "$((10#$first))" -gt 1 ]
	silo run --name one --log-opt max-size=1k "$BB" \
		sh -c 'i=1; while [ $i -le 60 ]; do printf "line %03d\n" $i; i=$((i+1)); done'
	dir=$(container_dir one)
	[ "$(ls "$dir" | grep -c '^container\.log')" -eq 1 ]
	[ "$(stat -c %s "$dir/container.log")" -lt 1124 ]
	run silo logs one
	[ "${lines[-1]}" = "line 060" ]
}

@test "logs -f follows across rotations without losing or repeating a line" {
	silo run -d --name live --log-opt max-size=1k --log-opt max-file=20 "$BB" \
		sh -c 'sleep 1; i=1; while [ $i -le 60 ]; do printf "line %03d\n" $i; i=$((i+1)); sleep 0.03; done' >/dev/null
	run timeout 30 "$SILO" --root "$ENGINE_STORE/root" logs -f live
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq -f 'line %03g' 1 60)" ]
	[ -e "$(container_dir live)/container.log.3" ]
	# Several rotations between two reads of the follower: it goes on
	# with the file after the one it read, not with the newest.
	silo run -d --name burst --log-opt max-size=1k --log-opt max-file=20 "$BB" \
		sh -c 'sleep 1; i=1; while [ $i -le 60 ]; do printf "line %03d\n" $i; i=$((i+1)); done; sleep 1' >/dev/null
	run timeout 30 "$SILO" --root "$ENGINE_STORE/root" logs -f burst
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq -f 'line %03g' 1 60)" ]
}

@test "--log-driver none keeps no log, and logs says it cannot read it" {
	silo run --name quiet --log-driver none "$BB" echo unseen
	[ ! -e "$(container_dir quiet)/container.log" ]
	run silo logs quiet
	[ "$status" -eq 1 ]
	[ "$output" = "silo logs: configured logging driver does not support reading" ]
	[ "$(silo inspect quiet | jq -r .[0].HostConfig.LogConfig.Type)" = none ]
	# A detached one under its monitor, too.
	silo run -d --name quiet2 --log-driver none "$BB" sh -c 'echo unseen; sleep 0.2' >/dev/null
	silo wait quiet2
	[ ! -e "$(container_dir quiet2)/container.log" ]
}

@test "the default log config is json-file without options" {
	silo create --name plain "$BB" true >/dev/null
	[ "$(silo inspect plain | jq -c .[0].HostConfig.LogConfig)" = '{"Type":"json-file","Config":{}}' ]
}

@test "bad log options, drivers, times and tails are refused, naming them, leaving nothing" {
	run silo run --log-opt max-size=big "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'max-size="big"'* ]]
	run silo run --log-opt max-file=0 --log-opt max-size=1m "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'max-file="0"'* ]]
	run silo create --log-opt max-file=2 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'max-file="2"'*'needs max-size'* ]]
	run silo run --log-opt compress=yes "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'"compress=yes"'*'unknown option "compress"'* ]]
	run silo run --log-opt novalue "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'"novalue"'*KEY=VALUE* ]]
	run silo run --log-driver syslog "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'--log-driver "syslog"'* ]]
	run silo run --log-driver none --log-opt max-size=1m "$BB" true
	[ "$status" -eq 125 ]
	[ -z "$(silo ps -aq)" ]
	silo create --name c "$BB" true >/dev/null
	for flag in --since --until; do
		for bad in yesterday 10x 2026-13-01 1h-; do
			run silo logs "$flag" "$bad" c
			[ "$status" -eq 125 ]
			[[ "$output" == *"invalid $flag \"$bad\""* ]]
		done
	done
	run silo logs --tail -3x c
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --tail "-3x"'* ]]
}
