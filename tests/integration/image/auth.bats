#!/usr/bin/env bats
# Registry authentication against docker-registry with htpasswd (basic)
# auth: login, logout, stored credentials in docker's config.json and in
# containers' auth.json.

load helpers

setup_file() {
	command -v htpasswd >/dev/null || skip "htpasswd (apache2-utils) is not installed"
	image_setup_file
	build_fixtures
	AUTH_REGISTRY=127.0.0.1:$(free_port)
	export AUTH_REGISTRY
	htpasswd -Bbc "$FIXTURES/htpasswd" tester s3cret >/dev/null 2>&1
	start_registry secured "${AUTH_REGISTRY##*:}" "auth:
  htpasswd:
    realm: silo-test
    path: $FIXTURES/htpasswd"
	skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret \
		"oci:$LAYOUT:bb" "docker://$AUTH_REGISTRY/private/bb:latest" >/dev/null
}

teardown_file() {
	image_teardown_file
}

setup() {
	image_setup
}

teardown() {
	image_teardown
}

@test "pull from a registry with basic auth fails without credentials" {
	run silo pull "$AUTH_REGISTRY/private/bb:latest"
	assert_failure
	assert_contains "$output" "authentication required"
}

@test "login with a wrong password fails and stores nothing" {
	run silo login -u tester --password-stdin "$AUTH_REGISTRY" <<<"wrong"
	assert_failure
	assert_contains "$output" "incorrect username or password"
	[ ! -e "$DOCKER_CONFIG/config.json" ]
}

@test "login stores docker's config.json, pull uses it, logout removes it" {
	run silo login -u tester --password-stdin "$AUTH_REGISTRY" <<<"s3cret"
	assert_status 0
	assert_contains "$output" "Login Succeeded"
	auth=$(jq -r --arg r "$AUTH_REGISTRY" '.auths[$r].auth' "$DOCKER_CONFIG/config.json")
	assert_equal "$(base64 -d <<<"$auth")" "tester:s3cret"
	assert_equal "$(stat -c %a "$DOCKER_CONFIG/config.json")" 600

	run silo pull -q "$AUTH_REGISTRY/private/bb:latest"
	assert_status 0

	run silo logout "$AUTH_REGISTRY"
	assert_status 0
	assert_equal "$(jq -r --arg r "$AUTH_REGISTRY" '.auths[$r]' "$DOCKER_CONFIG/config.json")" null
	run silo pull "$AUTH_REGISTRY/private/bb:latest"
	assert_failure
	run silo logout "$AUTH_REGISTRY"
	assert_failure
	assert_contains "$output" "not logged in"
}

@test "login keeps the other entries of config.json" {
	mkdir -p "$DOCKER_CONFIG"
	echo '{"auths":{"other.example":{"auth":"eDp5"}},"credsStore":"none-here"}' >"$DOCKER_CONFIG/config.json"
	silo login -u tester --password-stdin "$AUTH_REGISTRY" <<<"s3cret"
	assert_equal "$(jq -r '.auths["other.example"].auth' "$DOCKER_CONFIG/config.json")" eDp5
	assert_equal "$(jq -r .credsStore "$DOCKER_CONFIG/config.json")" none-here
}

@test "credentials from containers' auth.json are used" {
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$AUTH_REGISTRY" "$(printf tester:s3cret | base64)" \
		>"$REGISTRY_AUTH_FILE"
	run silo pull -q "$AUTH_REGISTRY/private/bb:latest"
	assert_status 0
}
