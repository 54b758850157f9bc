#!/usr/bin/env bats
# /etc/hosts, /etc/resolv.conf and the hostname of networked containers.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { engine_setup; }
teardown() { network_teardown; }

@test "hosts names the container at its address; --add-host adds lines; --hostname sets the name" {
	run silo run --rm --hostname box --add-host db.test:10.9.8.7 "$BB" sh -c 'hostname; cat /etc/hosts; ip -o -4 addr show eth0'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box ]
	ip=$(grep -o 'inet [0-9.]*' <<<"$output" | cut -d' ' -f2)
	grep -qP "^$ip\tbox$" <<<"$output"
	grep -qP '^10\.9\.8\.7\tdb\.test$' <<<"$output"
	grep -qP '^127\.0\.0\.1\tlocalhost$' <<<"$output"
}

@test "resolv.conf is the host's without loopback servers; --dns, --dns-search, --dns-option replace" {
	run silo run --rm --dns 10.0.0.53 --dns 10.0.0.54 --dns-search example.test --dns-option ndots:2 "$BB" cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[[ "$output" == *"nameserver 10.0.0.53"* ]]
	[[ "$output" == *"nameserver 10.0.0.54"* ]]
	[[ "$output" == *"search example.test"* ]]
	[[ "$output" == *"options ndots:2"* ]]
	[[ "$output" != *"nameserver 127."* ]]
	run silo run --rm "$BB" cat /etc/resolv.conf
	[[ "$output" != *"nameserver 127."* ]]
	[[ "$output" != *"10.0.0.53"* ]]
}
