#!/usr/bin/env bats
# User-defined networks: their own bridge and subnet, names and aliases
# that resolve between containers (also for one started later), --ip and
# --mac-address, connect and disconnect, and the network commands.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { engine_setup; }
teardown() { network_teardown; }

@test "network create makes a network with its own subnet; ls and inspect show it; rm removes it" {
	run silo network create front
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run silo network ls
	[[ "${lines[0]}" == "NETWORK ID"*NAME*DRIVER*SCOPE ]]
	[[ "$output" == *"${id:0:12}"*front*bridge*local* ]]
	[[ "$output" == *bridge*bridge*local* ]]
	run silo network inspect front
	[ "$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$output")" = 10.78.0.0/24 ]
	[ "$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$output")" = 10.78.0.1 ]
	silo network create --subnet 10.79.5.0/24 --gateway 10.79.5.254 back
	run silo network inspect back
	[ "$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$output")" = 10.79.5.254 ]
	run silo network create front
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
	run silo network create --subnet 10.79.5.128/25 overlap
	[ "$status" -ne 0 ]
	[[ "$output" == *"overlaps network back"* ]]
	run silo network create --subnet 10.79.300.0/24 bad
	[ "$status" -ne 0 ]
	[[ "$output" == *"--subnet"* ]]
	run silo network rm bridge
	[ "$status" -ne 0 ]
	[[ "$output" == *"pre-defined"* ]]
	silo network rm front back
	run silo network ls -q
	[ "$output" = 000000000000 ]
}

@test "containers on a network reach each other by name and alias, also one started later" {
	silo network create app
	silo run -d --name early --network app "$BB" sleep 100
	silo run -d --name late --network app --network-alias cache "$NET" nettool tcp-serve 0.0.0.0 80 from-late
	ip=$(ip_of late)
	[[ "$ip" == 10.78.* ]]
	wait_until tcp_get "$ip" 80 >/dev/null
	bridge=$(silo network inspect app | jq -r '.[0].Options["com.docker.network.bridge.name"]')
	ip -o link show "$bridge" | grep -q 'state UP'
	# early was running before late existed: its hosts file was updated.
	run silo exec early sh -c 'nc late 80 </dev/null; nc cache 80 </dev/null; ping -c1 -W2 late'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-late ]
	[ "${lines[1]}" = from-late ]
	[[ "$output" == *"PING late ($ip)"* ]]
	run silo exec late ping -c1 -W2 early
	[ "$status" -eq 0 ]
	# When late goes, early's hosts forgets it.
	silo rm -f late
	run silo exec early cat /etc/hosts
	[[ "$output" != *late* ]]
	# Names do not resolve across networks or on the default bridge.
	silo run -d --name outsider "$BB" sleep 100
	run silo exec outsider ping -c1 -W1 early
	[ "$status" -ne 0 ]
	run silo network rm app
	[ "$status" -ne 0 ]
	[[ "$output" == *"active endpoints"* ]]
}

@test "--ip and --mac-address set the container's address on a user-defined network" {
	silo network create --subnet 10.79.7.0/24 fixed
	silo run -d --name pinned --network fixed --ip 10.79.7.42 --mac-address 02:00:00:00:07:42 "$BB" sleep 100
	run silo exec pinned sh -c 'ip -o -4 addr show eth0; cat /sys/class/net/eth0/address'
	[[ "$output" == *"inet 10.79.7.42/24"* ]]
	[[ "$output" == *"02:00:00:00:07:42"* ]]
	run silo run --rm --network fixed --ip 10.79.7.42 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"10.79.7.42"*"in use"* ]]
	run silo run --rm --network fixed --ip 10.1.1.1 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"not an address of network fixed"* ]]
	run silo run --rm --network fixed --mac-address zz "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"MAC address"* ]]
}

@test "network connect and disconnect add and remove an interface live" {
	silo network create side
	silo run -d --name multi "$BB" sleep 100
	silo run -d --name peer --network side "$NET" nettool tcp-serve 0.0.0.0 80 from-peer
	wait_until tcp_get "$(ip_of peer)" 80 >/dev/null
	silo network connect --alias m2 side multi
	run silo exec multi sh -c 'ip -o -4 addr show eth1; nc peer 80 </dev/null'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"inet 10.78."* ]]
	[ "${lines[1]}" = from-peer ]
	run silo exec peer ping -c1 -W2 m2
	[ "$status" -eq 0 ]
	run silo network connect side multi
	[ "$status" -ne 0 ]
	[[ "$output" == *"already connected"* ]]
	silo network disconnect side multi
	run silo exec multi ls /sys/class/net
	[[ "$output" != *eth1* ]]
	[ "$(ip -o link show type veth | wc -l)" -eq 2 ]
}

@test "network prune removes unused networks" {
	silo network create unused1
	silo network create used
	silo run -d --name user --network used "$BB" sleep 100
	run silo network prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *unused1* ]]
	run silo network ls
	[[ "$output" != *unused1* ]]
	[[ "$output" == *used* ]]
}

@test "a dual-stack network (--ipv6) gives containers an IPv6 address, a route, names and published ports" {
	[ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ] || skip "IPv6 is disabled here"
	silo network create --ipv6 --subnet fd77:99::/64 dual
	run silo network inspect dual
	[ "$(jq -r '.[0].EnableIPv6' <<<"$output")" = true ]
	[ "$(jq -r '.[0].IPAM.Config[1].Gateway' <<<"$output")" = fd77:99::1 ]
	# busybox's nc listens on both families (nettool only on IPv4).
	silo run -d --name six --network dual -p 18110:80 "$BB" sh -c 'while true; do echo both | nc -l -p 80; done'
	ip6=$(silo inspect six | jq -r '.[0].NetworkSettings.GlobalIPv6Address')
	[[ "$ip6" == fd77:99::* ]]
	run silo run --rm --network dual "$BB" sh -c 'ip -o -6 addr show eth0 scope global; ip -6 route; ping -6 -c1 -W2 six'
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet6 fd77:99::"*"/64"* ]]
	[[ "$output" == *"default via fd77:99::1 dev eth0"* ]]
	[[ "$output" == *"from $ip6"* ]]
	# The published port answers on the host's IPv6 address of the bridge too.
	out=$(wait_until tcp_get fd77:99::1 18110 2>/dev/null)
	[ "$out" = both ]
	nft list map inet silo ports6 | grep -q "$ip6"
	silo rm -f six
	! nft list map inet silo ports6 | grep -q "$ip6"
	run silo network create --ipv6 --subnet fd77:99:0:0:1::/80 clash
	[ "$status" -ne 0 ]
	[[ "$output" == *"overlaps network dual"* ]]
}
