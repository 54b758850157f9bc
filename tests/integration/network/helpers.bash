# Shared setup for the network tests: the engine tests' registry and
# fixtures, plus an image "net" (busybox with nettool, static UDP and TCP
# servers, and EXPOSE 80/tcp 5353/udp). The whole suite already runs in a
# network namespace of its own (scripts/check.sh), so bridges, veths and
# nftables rules made here never reach the machine; traffic goes only to
# 127.0.0.1 and to container addresses inside it.

load ../engine/helpers

network_setup_file() {
	[ "${SILO_CHECK_NETNS:-}" = 1 ] || skip "needs the suite's own network namespace (make check)"
	engine_setup_file
	local bundle=$FIXTURES/net-bundle
	umoci tag --image "$LAYOUT:bb" net
	umoci unpack --image "$LAYOUT:net" "$bundle" >/dev/null
	cp "$BUILD_DIR/tests/nettool" "$bundle/rootfs/bin/nettool"
	umoci repack --image "$LAYOUT:net" "$bundle"
	rm -rf "$bundle"
	umoci config --image "$LAYOUT:net" --config.exposedports 80/tcp --config.exposedports 5353/udp
	push net "silo/net:latest"
	"$SILO" --root "$ENGINE_STORE/root" pull -q "$REGISTRY/silo/net:latest" >/dev/null
	export NET=$REGISTRY/silo/net:latest
}

network_teardown_file() {
	[ "${SILO_CHECK_NETNS:-}" = 1 ] || return 0
	engine_teardown_file
	local left
	left=$(ip -o link show type bridge | grep silo || true)
	[ -z "$left" ] || fail "bridges left: $left"
	left=$(nft list tables | grep silo || true)
	[ -z "$left" ] || fail "nftables tables left: $left"
}

network_teardown() {
	local net
	engine_teardown
	for net in $(silo network ls -q 2>/dev/null); do
		case $net in 000000000000 | host | none) ;; *) silo network rm "$net" >/dev/null 2>&1 || true ;; esac
	done
	# No port rule and no lease outlives its container.
	if nft list table inet silo >/dev/null 2>&1; then
		for map in ports4 addr_ports4 ports6 addr_ports6; do
			left=$(nft -j list map inet silo "$map" | jq -c '[.nftables[].map.elem // empty] | flatten')
			[ "$left" = "[]" ] || fail "port rules left in $map: $left"
		done
	fi
	for f in "$ENGINE_STORE"/root/networks/*.leases "$ENGINE_STORE"/root/networks/*.leases6; do
		[ -e "$f" ] || continue
		left=$(jq -c 'keys' "$f")
		[ "$left" = "[]" ] || fail "leases left in $f: $left"
	done
}

# The container's address on its first network.
ip_of() {
	silo inspect "$1" | jq -r '.[0].NetworkSettings.IPAddress'
}

# A TCP request from the test's namespace: prints what the server sent.
tcp_get() {
	timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && cat <&3' "$1" "$2"
}
