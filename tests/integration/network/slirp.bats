#!/usr/bin/env bats
# --network slirp4netns: user-mode networking (what an unprivileged user can
# have), with ports published through slirp4netns's own sockets.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	command -v slirp4netns >/dev/null || skip "slirp4netns is not installed (make deps)"
	network_setup_file
}
teardown_file() { network_teardown_file; }
setup() { engine_setup; }
teardown() {
	network_teardown
	left=$(pgrep -a slirp4netns | grep "$ENGINE_STORE" || true)
	[ -z "$left" ] || fail "slirp4netns left: $left"
	left=$(ls -d /tmp/silo-slirp.* 2>/dev/null || true)
	[ -z "$left" ] || fail "slirp4netns directories left: $left"
}

@test "slirp4netns: tap0 at 10.0.2.100/24, a default route, DNS through 10.0.2.3, no bridge" {
	run silo run --rm --network slirp4netns "$BB" sh -c 'ip -o -4 addr show tap0; ip route; cat /etc/resolv.conf'
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.0.2.100/24"* ]]
	[[ "$output" == *"default via 10.0.2.2 dev tap0"* ]]
	[[ "$output" == *"nameserver 10.0.2.3"* ]]
	! ip link show silo0 >/dev/null 2>&1
	[ -z "$(ip -o link show type veth)" ]
}

@test "slirp4netns: a published TCP port answers on 127.0.0.1, a UDP one on the host's address" {
	silo run -d --name tcp --network slirp4netns -p 127.0.0.1:18300:80 "$NET" nettool tcp-serve 0.0.0.0 80 via-slirp
	out=$(wait_until tcp_get 127.0.0.1 18300 2>/dev/null)
	[ "$out" = via-slirp ]
	run silo port tcp
	[ "$output" = "80/tcp -> 127.0.0.1:18300" ]
	[ "$(silo inspect tcp | jq -r '.[0].NetworkSettings.IPAddress')" = 10.0.2.100 ]
	# UDP from a loopback source cannot work with --disable-host-loopback:
	# slirp4netns presents the datagram as coming from 10.0.2.2 and then
	# drops the answer to it. From the host's other addresses it does.
	ip addr add 192.0.2.11/32 dev lo
	silo run -d --name udp --network slirp4netns -p 18301:5353/udp "$NET" nettool udp-serve 5353
	run wait_until "$BUILD_DIR/tests/nettool" udp-send 192.0.2.11 18301 hello
	ip addr del 192.0.2.11/32 dev lo
	[ "$status" -eq 0 ]
	[[ "$output" == *echo:hello* ]]
}

@test "slirp4netns: the container reaches a server of the host through it" {
	# An address of the suite's own namespace that is not loopback-only
	# (slirp4netns runs with --disable-host-loopback).
	ip addr add 192.0.2.10/32 dev lo
	coproc server { exec "$BUILD_DIR/tests/nettool" tcp-serve 192.0.2.10 18310 from-the-host; }
	run silo run --rm --network slirp4netns "$BB" sh -c 'sleep 0.3; nc 192.0.2.10 18310 </dev/null'
	kill "$server_PID" 2>/dev/null || true
	wait "$server_PID" 2>/dev/null || true
	ip addr del 192.0.2.10/32 dev lo
	[ "$status" -eq 0 ]
	[ "$output" = from-the-host ]
}

@test "slirp4netns: rm -f stops it; a SIGKILLed monitor takes it along" {
	id=$(silo run -d --name gone --network slirp4netns -p 18302:80 "$BB" sleep 100)
	pgrep -f "[s]lirp4netns.*$id" >/dev/null
	silo rm -f gone
	wait_until bash -c "! pgrep -f '[s]lirp4netns.*$id' >/dev/null"
	! grep -q "$id/netns" /proc/self/mountinfo

	id=$(silo run -d --name crashed --network slirp4netns "$BB" sleep 100)
	pid=$(silo inspect crashed | jq -r '.[0].State.Pid')
	monitor=$(silo inspect crashed | jq -r '.[0].State.MonitorPid')
	kill -9 "$monitor" "$pid"
	# Its exit pipe closed with the monitor.
	wait_until bash -c "! pgrep -f '[s]lirp4netns.*$id' >/dev/null"
	silo system prune -f >/dev/null
	! grep -q "$id/netns" /proc/self/mountinfo
}

@test "slirp4netns: --ip and aliases are refused, as on the other non-bridge modes" {
	run silo run --rm --network slirp4netns --ip 10.0.2.5 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"conflicting options"* ]]
}
