#!/usr/bin/env bats
# The bearer token flow against a real issuer: docker-registry configured
# with auth: token (realm, service, issuer, rootcertbundle), and the suite's
# token service (tests/tools/token_issuer.c), which signs JWTs with a test
# key whose self-signed certificate is the registry's rootcertbundle.
# Fixtures are pushed by skopeo, through the same issuer.

load helpers

TOKEN_ISSUER=${TOKEN_ISSUER:-$BUILD_DIR/tests/token_issuer}

setup_file() {
	[ -x "$TOKEN_ISSUER" ] || skip "token_issuer is not built ($TOKEN_ISSUER)"
	image_setup_file
	build_fixtures
	export LAYOUT
	local ca=$FIXTURES/ca
	mkdir -p "$ca"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=silo-test-issuer -keyout "$ca/ec.key" -out "$ca/ec.crt" 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj /CN=silo-test-issuer-rsa -keyout "$ca/rsa.key" -out "$ca/rsa.crt" 2>/dev/null
	cat "$ca/ec.crt" "$ca/rsa.crt" >"$ca/bundle.pem"
	echo tester:s3cret >"$FIXTURES/token-users"
	start_issuer 0
	TOKEN_PORT=$(cat "$FIXTURES/issuer.port")
	TOKEN_REGISTRY=127.0.0.1:$(free_port)
	export TOKEN_PORT TOKEN_REGISTRY
	start_registry tokened "${TOKEN_REGISTRY##*:}" "auth:
  token:
    realm: http://127.0.0.1:$TOKEN_PORT/token
    service: silo-test-registry
    issuer: silo-test-issuer
    rootcertbundle: $ca/bundle.pem"
	local image
	for image in bb multi; do
		skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret \
			"oci:$LAYOUT:$image" "docker://$TOKEN_REGISTRY/private/$image:latest" >/dev/null
	done
	skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret \
		"oci:$LAYOUT:bb" "docker://$TOKEN_REGISTRY/public/bb:latest" >/dev/null
}

teardown_file() {
	image_teardown_file
}

setup() {
	image_setup
	: >"$FIXTURES/issuer.log"
}

teardown() {
	# Back to the issuer every test starts with.
	if [ -n "${RESTARTED_ISSUER:-}" ]; then
		stop_registry issuer
		start_issuer "$TOKEN_PORT"
	fi
	image_teardown
}

# start_issuer PORT [FLAG...]: the token service, EC key, on PORT (0: any).
start_issuer() {
	start_issuer_signing "$FIXTURES/ca/ec" "$@"
}

# start_issuer_signing KEY PORT [FLAG...]: the token service on PORT (0: any),
# signing with KEY.key, whose certificate is KEY.crt.
start_issuer_signing() {
	local key=$1 port=$2
	shift 2
	rm -f "$FIXTURES/issuer.port"
	"$TOKEN_ISSUER" --key "$key.key" --cert "$key.crt" \
		--issuer silo-test-issuer --service silo-test-registry --users "$FIXTURES/token-users" \
		--public public/bb --log "$FIXTURES/issuer.log" --port "$port" \
		--port-file "$FIXTURES/issuer.port" "$@" 2>>"$FIXTURES/issuer.err" &
	echo $! >"$FIXTURES/issuer.pid"
	retry 200 test -s "$FIXTURES/issuer.port" || fail "the token issuer did not start: $(cat "$FIXTURES/issuer.err")"
}

restart_issuer() {
	stop_registry issuer
	start_issuer "$TOKEN_PORT" "$@"
	RESTARTED_ISSUER=1
}

# pull_public_signed_by KEY: runs a pull of the public image while the
# issuer signs with KEY.key (see start_issuer_signing).
pull_public_signed_by() {
	stop_registry issuer
	RESTARTED_ISSUER=1
	start_issuer_signing "$1" "$TOKEN_PORT"
	run silo pull -q "$TOKEN_REGISTRY/public/bb:latest"
}

# token_requests: what the issuer was asked, one line each.
token_requests() {
	cat "$FIXTURES/issuer.log"
}

@test "an anonymous pull of a private repository is denied with a hint to log in; nothing is stored" {
	run silo pull "$TOKEN_REGISTRY/private/bb:latest"
	assert_failure
	assert_contains "$output" "pull access denied for $TOKEN_REGISTRY/private/bb"
	assert_contains "$output" "authentication required (silo login $TOKEN_REGISTRY)"
	[ "$(echo "$output" | grep -vc ': Pulling from')" -eq 1 ]
	# Asked anonymously for exactly the pull scope.
	assert_contains "$(token_requests)" "- repository:private/bb:pull"
	run silo images -q
	assert_equal "$output" ""
}

@test "an anonymous pull of a public repository works with an anonymous token" {
	run silo pull -q "$TOKEN_REGISTRY/public/bb:latest"
	assert_status 0
	assert_equal "$(token_requests)" "- repository:public/bb:pull"
	cmp "$(layer_dir "$TOKEN_REGISTRY/public/bb:latest" 0)/bin/busybox" /bin/busybox
}

@test "login with a wrong password is refused by the token service and stores nothing" {
	run silo login -u tester --password-stdin "$TOKEN_REGISTRY" <<<"wrong"
	assert_failure
	assert_contains "$output" "incorrect username or password"
	[ ! -e "$DOCKER_CONFIG/config.json" ]
	assert_contains "$(token_requests)" "refused tester"
}

@test "login, then pull: one token serves the manifest, the config and every layer" {
	run silo login -u tester --password-stdin "$TOKEN_REGISTRY" <<<"s3cret"
	assert_status 0
	assert_contains "$output" "Login Succeeded"
	assert_equal "$(base64 -d <<<"$(jq -r --arg r "$TOKEN_REGISTRY" '.auths[$r].auth' "$DOCKER_CONFIG/config.json")")" tester:s3cret
	: >"$FIXTURES/issuer.log"
	run silo pull "$TOKEN_REGISTRY/private/multi:latest"
	assert_status 0
	assert_equal "$(echo "$output" | grep -c 'Pull complete')" 2
	assert_equal "$(token_requests)" "tester repository:private/multi:pull"
	assert_equal "$(cat "$(layer_dir "$TOKEN_REGISTRY/private/multi:latest" 1)/etc/added")" added
	# The registry's digest, as skopeo sees it through the same issuer.
	want=$(skopeo inspect --tls-verify=false --creds tester:s3cret --raw \
		"docker://$TOKEN_REGISTRY/private/multi:latest" | jq -r .config.digest)
	assert_equal "$(silo images -q --no-trunc)" "$want"

	silo logout "$TOKEN_REGISTRY" >/dev/null
	run silo pull "$TOKEN_REGISTRY/private/bb:latest"
	assert_failure
	assert_contains "$output" "authentication required"
}

@test "credentials from containers' auth.json go to the token service" {
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$TOKEN_REGISTRY" "$(printf tester:s3cret | base64)" \
		>"$REGISTRY_AUTH_FILE"
	run silo pull -q "$TOKEN_REGISTRY/private/bb:latest"
	assert_status 0
	assert_equal "$(token_requests)" "tester repository:private/bb:pull"
}

@test "a token the registry refuses is asked for again, once, and the pull goes on" {
	restart_issuer --bad-tokens 1
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$TOKEN_REGISTRY" "$(printf tester:s3cret | base64)" \
		>"$REGISTRY_AUTH_FILE"
	run silo pull -q "$TOKEN_REGISTRY/private/multi:latest"
	assert_status 0
	[ "$(token_requests | wc -l)" -eq 2 ]
}

@test "a registry that keeps refusing every token fails with one clear line" {
	restart_issuer --bad-tokens 1000
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$TOKEN_REGISTRY" "$(printf tester:s3cret | base64)" \
		>"$REGISTRY_AUTH_FILE"
	run silo pull "$TOKEN_REGISTRY/private/bb:latest"
	assert_failure
	assert_contains "$output" "pull access denied for $TOKEN_REGISTRY/private/bb"
	assert_contains "$output" "does not let user \"tester\" pull it"
	[ "$(token_requests | wc -l)" -le 3 ]
}

@test "RS256 tokens from an RSA key work as well" {
	pull_public_signed_by "$FIXTURES/ca/rsa"
	assert_status 0
}

@test "a token signed by a key the registry does not trust is refused (the registry checks signatures)" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=silo-test-issuer -keyout "$SILO_STORE/other.key" -out "$SILO_STORE/other.crt" 2>/dev/null
	pull_public_signed_by "$SILO_STORE/other"
	assert_failure
	assert_contains "$output" "pull access denied"
}
