#!/usr/bin/env bats
# The default bridge network, published ports, and the none, host and
# container: modes.

bats_require_minimum_version 1.5.0

load helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { engine_setup; }
teardown() {
	# What the "another host" test makes, also when it fails half-way.
	ip route del default via 192.0.2.2 2>/dev/null || true
	ip link del silotest-h 2>/dev/null || true
	[ -z "${other:-}" ] || { kill "$other" 2>/dev/null; wait "$other" 2>/dev/null || true; }
	network_teardown
}

@test "bridge is the default: eth0 with an address of 10.77.0.0/16, a default route, the bridge silo0" {
	run silo run --rm "$BB" sh -c 'ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/mtu'
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.77."*"/16"* ]]
	[[ "$output" == *"default via 10.77.0.1 dev eth0"* ]]
	ip -o link show silo0 | grep -qE '[<,]UP[,>]'
	ip -o -4 addr show silo0 | grep -q 'inet 10.77.0.1/16'
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	[ "$(cat /proc/sys/net/ipv4/conf/silo0/route_localnet)" = 1 ]
}

@test "a container reaches another by IP, and the host reaches both" {
	silo run -d --name srv "$NET" nettool tcp-serve 0.0.0.0 80 from-srv
	ip=$(ip_of srv)
	[[ "$ip" == 10.77.* ]]
	wait_until tcp_get "$ip" 80 >/dev/null
	run silo run --rm "$BB" sh -c "nc $ip 80 </dev/null"
	[ "$status" -eq 0 ]
	[ "$output" = from-srv ]
	run tcp_get "$ip" 80
	[ "$output" = from-srv ]
	# Its MAC is derived from its address, and inspect says both.
	run silo inspect srv
	[ "$(jq -r '.[0].NetworkSettings.Networks.bridge.IPAddress' <<<"$output")" = "$ip" ]
	[[ "$(jq -r '.[0].NetworkSettings.MacAddress' <<<"$output")" == 02:5a:0a:4d:* ]]
}

@test "a published TCP port answers on 127.0.0.1 and on the namespace's other addresses" {
	silo run -d --name web -p 127.0.0.1:18080:80 "$NET" nettool tcp-serve 0.0.0.0 80 hello-tcp
	wait_until tcp_get 127.0.0.1 18080 >/dev/null
	run tcp_get 127.0.0.1 18080
	[ "$output" = hello-tcp ]
	silo run -d --name web2 -p 18081:80 "$NET" nettool tcp-serve 0.0.0.0 80 hello-any
	wait_until tcp_get 127.0.0.1 18081 >/dev/null
	run tcp_get 127.0.0.1 18081
	[ "$output" = hello-any ]
	# DNAT from another address of the host (the bridge's).
	run tcp_get 10.77.0.1 18081
	[ "$output" = hello-any ]
	# From a container, itself included (hairpin), through the host's address.
	run silo exec web2 sh -c 'nc 10.77.0.1 18081 </dev/null'
	[ "$output" = hello-any ]
	run silo exec web sh -c 'nc 10.77.0.1 18081 </dev/null'
	[ "$output" = hello-any ]
	run silo port web
	[ "$output" = "80/tcp -> 127.0.0.1:18080" ]
	run silo ps
	[[ "$output" == *"127.0.0.1:18080->80/tcp"*" web"* ]]
	run silo port web2 80
	[ "$output" = "0.0.0.0:18081" ]
}

@test "a published UDP port answers on 127.0.0.1" {
	silo run -d --name dns -p 127.0.0.1:15353:5353/udp "$NET" nettool udp-serve 5353
	wait_until "$BUILD_DIR/tests/nettool" udp-send 127.0.0.1 15353 probe >/dev/null
	run "$BUILD_DIR/tests/nettool" udp-send 127.0.0.1 15353 hello-udp
	[ "$status" -eq 0 ]
	[ "$output" = echo:hello-udp ]
	run silo port dns 5353/udp
	[ "$output" = "127.0.0.1:15353" ]
}

@test "-p PORT and -P pick free host ports, and silo port shows them" {
	silo run -d --name pick -p 80 "$NET" nettool tcp-serve 0.0.0.0 80 picked
	run silo port pick 80/tcp
	[ "$status" -eq 0 ]
	port=${output##*:}
	[ "$port" -gt 1024 ]
	wait_until tcp_get 127.0.0.1 "$port" >/dev/null
	[ "$(tcp_get 127.0.0.1 "$port")" = picked ]

	silo run -d --name all -P "$NET" nettool tcp-serve 0.0.0.0 80 all-ports
	run silo port all
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" == *"80/tcp -> 0.0.0.0:"* ]]
	[[ "$output" == *"5353/udp -> 0.0.0.0:"* ]]
	tcp=$(silo port all 80/tcp)
	wait_until tcp_get 127.0.0.1 "${tcp##*:}" >/dev/null
	[ "$(tcp_get 127.0.0.1 "${tcp##*:}")" = all-ports ]
}

@test "a host port already in use is an error before the container starts, and nothing stays" {
	coproc holder { exec "$BUILD_DIR/tests/nettool" tcp-hold 127.0.0.1 18090; }
	read -r -u "${holder[0]}" line
	[ "$line" = listening ]
	holder=$holder_PID
	run silo run --rm -p 127.0.0.1:18090:80 "$BB" true
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	[ "$status" -eq 125 ]
	[[ "$output" == *"port 18090/tcp on 127.0.0.1 is already in use"* ]]
	[ "$(silo ps -aq)" = "" ]
	[ -z "$(ip -o link show type veth)" ]
	# The same port twice through silo: the second is refused.
	silo run -d --name first -p 18091:80 "$BB" sleep 100
	run silo run -d --name second -p 18091:80 "$BB" sleep 100
	[ "$status" -eq 125 ]
	[[ "$output" == *"18091"* ]]
	[ "$(container_status second)" = exited ]
}

@test "--network none has only lo; --network host shares the namespace" {
	run silo run --rm --network none "$BB" ls /sys/class/net
	[ "$output" = lo ]
	ip link add silotest0 type veth peer name silotest1
	run silo run --rm --network host "$BB" ls /sys/class/net
	ip link del silotest0
	[[ "$output" == *silotest0* ]]
	run silo run --rm --network host -p 80 "$BB" true
	[ "$status" -eq 0 ]
}

@test "--network container:NAME shares the other's localhost and addresses" {
	silo run -d --name base "$NET" nettool tcp-serve 127.0.0.1 81 on-lo
	ip=$(ip_of base)
	run silo run --rm --network container:base "$BB" sh -c 'sleep 0.2; nc 127.0.0.1 81 </dev/null; ip -o -4 addr show eth0'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = on-lo ]
	[[ "${lines[1]}" == *"inet $ip/"* ]]
	run silo run --rm --network container:base -p 80 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"conflicting options"* ]]
	run silo run --rm --network container:nosuch "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"No such container: nosuch"* ]]
}

@test "20 containers started at once get 20 distinct addresses, all returned afterwards" {
	local pids=()
	for i in $(seq 20); do
		silo run -d --name "many$i" "$BB" sleep 100 >/dev/null &
		pids+=($!)
	done
	# Not a bare wait: bats has background jobs of its own.
	for pid in "${pids[@]}"; do wait "$pid"; done
	run bash -c "for i in \$(seq 20); do '$SILO' --root '$ENGINE_STORE/root' inspect many\$i | jq -r '.[0].NetworkSettings.IPAddress'; done | sort -u"
	[ "${#lines[@]}" -eq 20 ]
	for ip in "${lines[@]}"; do [[ "$ip" == 10.77.* ]]; done
	[ "$(ip -o link show type veth | wc -l)" -eq 20 ]
	silo rm -f $(silo ps -q) >/dev/null
	[ -z "$(ip -o link show type veth)" ]
	[ "$(jq -c 'keys' "$ENGINE_STORE"/root/networks/0000000000000000000000000000000000000000000000000000000000000000.leases)" = "[]" ]
}

@test "stop releases the veth, the lease and the port rules" {
	silo run -d --name halt -p 18097:80 "$BB" sleep 100
	nft list map inet silo ports4 | grep -q 18097
	silo stop -t 1 halt
	[ -z "$(ip -o link show type veth)" ]
	! nft list map inet silo ports4 | grep -q 18097
	[ "$(jq -c 'keys' "$ENGINE_STORE"/root/networks/0000000000000000000000000000000000000000000000000000000000000000.leases)" = "[]" ]
	[ "$(silo inspect halt | jq -r '.[0].NetworkSettings.IPAddress')" = "" ]
}

@test "rm -f releases the veth, the lease, the port rules and the namespace" {
	silo run -d --name gone -p 18095:80 "$BB" sleep 100
	id=$(silo inspect gone | jq -r '.[0].Id')
	ip=$(ip_of gone)
	[ -n "$(ip -o link show type veth)" ]
	nft list map inet silo ports4 | grep -q 18095
	grep -q "$id/netns" /proc/self/mountinfo
	silo rm -f gone
	[ -z "$(ip -o link show type veth)" ]
	! nft list map inet silo ports4 | grep -q 18095
	! grep -q "$id/netns" /proc/self/mountinfo
	! grep -q "$ip" "$ENGINE_STORE"/root/networks/*.leases
}

@test "after SIGKILL of a monitor and its container, system prune removes what they held" {
	id=$(silo run -d --name crashed -p 18096:80 "$BB" sleep 100)
	pid=$(silo inspect crashed | jq -r '.[0].State.Pid')
	monitor=$(silo inspect crashed | jq -r '.[0].State.MonitorPid')
	kill -9 "$monitor" "$pid"
	wait_until bash -c "! kill -0 $pid 2>/dev/null"
	run silo system prune -f
	[ "$status" -eq 0 ]
	[ -z "$(ip -o link show type veth)" ]
	! nft list table inet silo >/dev/null 2>&1
	! ip link show silo0 >/dev/null 2>&1
	[ "$(silo ps -aq)" = "" ]
	! grep -q "$id/netns" /proc/self/mountinfo
}

@test "bad network flags get one clear line and leave nothing" {
	run silo run --rm --network nosuch "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"network nosuch not found"* ]]
	run silo run --rm -p 99999:80 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"99999"* ]]
	run silo run --rm -p 80/sctp "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"sctp"* ]]
	run silo run --rm --ip 10.77.0.50 "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"user-defined networks only"* ]]
	run silo run --rm --add-host nocolon "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--add-host"* ]]
	run silo run --rm --dns not-an-ip "$BB" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--dns"* ]]
	[ "$(silo ps -aq)" = "" ]
}

@test "a published port answers another host, and containers take the uplink's MTU" {
	# "Another host": a namespace of the test's own, joined to this one by
	# a veth, with TEST-NET-1 addresses that exist only in the two.
	unshare --net sleep 1000 &
	other=$!
	# unshare runs before sleep: until then the PID is still in our namespace.
	wait_until bash -c "[ \"\$(readlink /proc/$other/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]"
	ip link add silotest-h mtu 1400 type veth peer name silotest-c netns "$other"
	ip addr add 192.0.2.1/24 dev silotest-h
	ip link set silotest-h up
	nsenter -t "$other" -n sh -c 'ip link set lo up; ip addr add 192.0.2.2/24 dev silotest-c; ip link set silotest-c up'
	# The uplink is the link of the default route.
	ip route add default via 192.0.2.2 dev silotest-h
	silo run -d --name far -p 18120:80 "$NET" nettool tcp-serve 0.0.0.0 80 from-far
	run silo exec far cat /sys/class/net/eth0/mtu
	mtu=$output
	run timeout 10 nsenter -t "$other" -n bash -c 'for i in $(seq 50); do exec 3<>/dev/tcp/192.0.2.1/18120 && cat <&3 && exit 0; sleep 0.1; done; exit 1'
	ip route del default
	ip link del silotest-h
	kill "$other"
	wait "$other" || true
	[ "$mtu" = 1400 ]
	[ "$status" -eq 0 ]
	[ "$output" = from-far ]
}
