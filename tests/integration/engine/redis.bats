#!/usr/bin/env bats
# The redis scenario: a real redis-server in a detached container, and
# redis-cli containers that reach it by name on a user-defined network and
# through a published port. The image is built here from Debian's
# redis-server and redis-tools packages as installed on the machine (their
# binaries, the shared libraries ldd lists and the dynamic loader) on top of
# the busybox rootfs, packed with umoci and pushed with skopeo.

bats_require_minimum_version 1.5.0

load ../network/helpers

# redis: bb plus /usr/bin/redis-server and redis-cli with their libraries;
# Cmd redis-server --protected-mode no (it answers other hosts without a
# password), WorkingDir /data, EXPOSE 6379/tcp.
build_redis_fixture() {
	local bundle=$FIXTURES/redis-bundle root file lib
	local pkg
	for pkg in redis-server redis-tools; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			fail "Debian's $pkg is not installed (scripts/deps.sh)"
	done
	umoci tag --image "$LAYOUT:bb" redis
	umoci unpack --image "$LAYOUT:redis" "$bundle" >/dev/null
	root=$bundle/rootfs
	# Every file the two packages ship under /usr/bin (redis-server is a
	# symlink to redis-check-rdb, which acts by the name it is called by).
	for file in $(dpkg -L redis-server redis-tools | grep '^/usr/bin/'); do
		mkdir -p "$root/usr/bin"
		cp -a "$file" "$root/usr/bin/"
	done
	for lib in $(ldd /usr/bin/redis-check-rdb /usr/bin/redis-cli | awk '$2 == "=>" {print $3} $1 ~ /^\// && $2 ~ /^\(/ {print $1}' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	# busybox's /bin is a directory of its own: the libraries' paths
	# (/lib/x86_64-linux-gnu, /lib64) are made above, and glibc looks up
	# host names in /etc/hosts first.
	echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
	umoci repack --image "$LAYOUT:redis" "$bundle"
	rm -rf "$bundle"
	umoci config --image "$LAYOUT:redis" --clear=config.cmd \
		--config.cmd redis-server --config.cmd --protected-mode --config.cmd no \
		--config.workingdir /data --config.exposedports 6379/tcp \
		--config.env PATH=/usr/local/bin:/usr/bin:/bin
	push redis "silo/redis:latest"
	"$SILO" --root "$ENGINE_STORE/root" pull -q "$REGISTRY/silo/redis:latest" >/dev/null
	export REDIS=$REGISTRY/silo/redis:latest
}

setup_file() {
	network_setup_file
	build_redis_fixture
}
teardown_file() { network_teardown_file; }
setup() { engine_setup; }
teardown() { network_teardown; }

# redis_ready CONTAINER: the server in CONTAINER answers PING.
redis_ready() {
	[ "$(silo exec "$1" redis-cli ping 2>/dev/null)" = PONG ]
}

@test "redis-cli containers SET and GET a value on a redis-server reached by name on a user-defined network" {
	silo network create redisnet
	silo run -d --name cache --network redisnet "$REDIS"
	wait_until redis_ready cache
	# The server runs as the container's init, from the image's Cmd.
	run silo exec cache sh -c "tr '\\0' ' ' </proc/1/cmdline"
	[[ "$output" == redis-server* ]]
	run silo run --rm --network redisnet "$REDIS" redis-cli -h cache SET greeting "hello from silo"
	[ "$status" -eq 0 ]
	[ "$output" = OK ]
	run silo run --rm --network redisnet "$REDIS" redis-cli -h cache GET greeting
	[ "$status" -eq 0 ]
	[ "$output" = "hello from silo" ]
	# The value lives in the server's memory, not in a client's: the server
	# itself has it, and counts the two clients' commands.
	run silo exec cache redis-cli GET greeting
	[ "$output" = "hello from silo" ]
	run silo exec cache redis-cli INFO commandstats
	[[ "$output" == *cmdstat_set:calls=1,* ]]
	[[ "$output" == *cmdstat_get:calls=2,* ]]
	# A client outside the network does not reach the name.
	run silo run --rm "$REDIS" redis-cli -h cache PING
	[ "$status" -ne 0 ]
	[[ "$output" != *PONG* ]]
	silo rm -f cache
	silo network rm redisnet
	run silo network ls
	[[ "$output" != *redisnet* ]]
}

@test "redis-server published on 127.0.0.1 answers through the port, from the host and from a container" {
	port=$(free_port)
	silo run -d --name pub -p "127.0.0.1:$port:6379" "$REDIS"
	wait_until redis_ready pub
	run silo port pub
	[[ "$output" == *"6379/tcp -> 127.0.0.1:$port"* ]]
	# From the test's namespace, with the host's redis-cli.
	wait_until sh -c "[ \"\$(redis-cli -h 127.0.0.1 -p $port ping)\" = PONG ]"
	run redis-cli -h 127.0.0.1 -p "$port" SET via-port published
	[ "$output" = OK ]
	# From a container with the host's network, through the same port.
	run silo run --rm --network host "$REDIS" redis-cli -h 127.0.0.1 -p "$port" GET via-port
	[ "$status" -eq 0 ]
	[ "$output" = published ]
	run silo exec pub redis-cli GET via-port
	[ "$output" = published ]
	silo rm -f pub
	# The port is closed with the container.
	run redis-cli -h 127.0.0.1 -p "$port" ping
	[[ "$output" != PONG ]]
}
