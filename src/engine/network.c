/* A container's networking (see network.h). The order at start: the
 * namespace, then per network a lease and a veth, then the published ports
 * (checked free before any rule goes in), then /etc/hosts here and in the
 * peers. Teardown walks the same list backwards and tolerates every step
 * being done already: a monitor killed at any point leaves a state the
 * next teardown or `system prune` clears. */
#include "engine/network.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/etc_files.h"
#include "engine/lifecycle.h"
#include "engine/record.h"
#include "engine/rootless.h"
#include "net/bridge.h"
#include "net/ipam.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/network.h"
#include "net/nft.h"
#include "net/pasta.h"
#include "net/slirp.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define CONTAINER_PREFIX "container:"

#define SLIRP_MODE "slirp4netns"
#define PASTA_MODE "pasta"

static int mode_is_slirp(const char *mode)
{
	return !strcmp(mode, SLIRP_MODE);
}

static int mode_is_pasta(const char *mode)
{
	return !strcmp(mode, PASTA_MODE);
}

static int mode_is_bridged(const char *mode)
{
	return strcmp(mode, "none") && strcmp(mode, "host") && !mode_is_slirp(mode) && !mode_is_pasta(mode) &&
	       strncmp(mode, CONTAINER_PREFIX, strlen(CONTAINER_PREFIX));
}

static json_t *strv_json(char **v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

/* The host end of the container's veth on its index-th network: the
 * ID's start keeps it unique, the index apart, and 15 characters fit. */
static void veth_name(const char *id, json_int_t index, char out[16])
{
	snprintf(out, 16, "sv%.11s%x", id, (unsigned int)(index & 0xf));
}

static json_t *port_json(const struct port_mapping *m)
{
	return json_pack("{s:s, s:i, s:i, s:s}", "hostIp", m->host_ip, "hostPort", m->host_port,
			 "containerPort", m->container_port, "protocol", ports_protocol_name(m->protocol));
}

static int port_from_json(json_t *j, struct port_mapping *m)
{
	const char *proto = json_string_value(json_object_get(j, "protocol"));

	memset(m, 0, sizeof(*m));
	snprintf(m->host_ip, sizeof(m->host_ip), "%s", json_string_value(json_object_get(j, "hostIp")) ?: "");
	m->host_port = (int)json_integer_value(json_object_get(j, "hostPort"));
	m->container_port = (int)json_integer_value(json_object_get(j, "containerPort"));
	m->protocol = proto && !strcmp(proto, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
	return m->container_port > 0 ? 0 : -1;
}

static int publish_has(json_t *publish, int port, const char *proto)
{
	size_t i;
	json_t *p;

	json_array_foreach(publish, i, p)
		if (json_integer_value(json_object_get(p, "containerPort")) == port &&
		    !strcmp(json_string_value(json_object_get(p, "protocol")), proto))
			return 1;
	return 0;
}

/* "80/tcp" or "53/udp" or "8080" */
static int parse_exposed(const char *text, int *port, const char **proto)
{
	char *end;
	long n = strtol(text, &end, 10);

	if (n < 1 || n > 65535 || (*end && *end != '/'))
		return -1;
	*port = (int)n;
	*proto = "tcp";
	if (*end == '/') {
		if (!strcmp(end + 1, "udp"))
			*proto = "udp";
		else if (strcmp(end + 1, "tcp"))
			return -1;
	}
	return 0;
}

/* -p mappings, then with -P every port the image and --expose expose, to a
 * host port picked at start. */
static int publish_list(const struct engine_net_flags *flags, json_t *image_config, json_t **out,
			struct silo_err *err)
{
	_cleanup_json_ json_t *publish = json_array();
	_cleanup_json_ json_t *exposed = json_array();
	json_t *image_exposed = json_object_get(json_object_get(image_config, "config"), "ExposedPorts");
	const char *key;
	json_t *value;
	size_t i;

	for (char **e = flags->expose; e && *e; e++) {
		int port;
		const char *proto;

		if (parse_exposed(*e, &port, &proto) < 0)
			return silo_err_set(err, EINVAL, "invalid --expose \"%s\": want PORT[/tcp|/udp]", *e);
		json_array_append_new(exposed, json_string(*e));
	}
	json_object_foreach(image_exposed, key, value)
		json_array_append_new(exposed, json_string(key));
	for (size_t n = 0; n < flags->n_ports; n++)
		json_array_append_new(publish, port_json(&flags->ports[n]));
	if (flags->publish_all) {
		json_array_foreach(exposed, i, value) {
			struct port_mapping m = { .host_port = 0 };
			const char *proto;

			if (parse_exposed(json_string_value(value), &m.container_port, &proto) < 0)
				continue;
			m.protocol = !strcmp(proto, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
			if (!publish_has(publish, m.container_port, proto))
				json_array_append_new(publish, port_json(&m));
		}
	}
	*out = steal_pointer(&publish);
	return 0;
}

static int prepare_container_mode(const struct engine_env *env, const char *mode, json_t *rec,
				  struct silo_err *err)
{
	_cleanup_free_ char *path = NULL;
	char target[RECORD_ID_LENGTH + 1];
	_cleanup_json_ json_t *other = NULL;
	_cleanup_free_ char *mode_text = NULL;
	json_t *state, *settings;
	const char *netns;

	if (record_find(env->store->root, mode + strlen(CONTAINER_PREFIX), target, err) < 0 ||
	    record_load(env->store->root, target, &other, err) < 0)
		return silo_err_prefix(err, "--network %s", mode);
	state = json_object_get(other, "state");
	if (strcmp(json_string_value(json_object_get(state, "status")) ?: "", "running"))
		return silo_err_set(err, EINVAL, "cannot join the network of container %s: it is not running",
				    mode + strlen(CONTAINER_PREFIX));
	settings = json_object_get(other, "networkSettings");
	netns = json_string_value(json_object_get(settings, "netns"));
	/* The other's namespace: the host's, the one the engine bound for
	 * it, or the one its init made. */
	if (!strcmp(json_string_value(json_object_get(other, "networkMode")) ?: "", "host"))
		path = strdup("");
	else if (netns)
		path = strdup(netns);
	else if (asprintf(&path, "/proc/%lld/ns/net",
			  (long long)json_integer_value(json_object_get(state, "pid"))) < 0)
		path = NULL;
	if (!path || asprintf(&mode_text, CONTAINER_PREFIX "%s", target) < 0)
		return silo_err_sys(err, ENOMEM, "--network %s", mode);
	json_object_set_new(rec, "networkMode", json_string(mode_text));
	json_object_set_new(rec, "netnsPath", json_string(path));
	return 0;
}

static int prepare_bridged(const struct engine_env *env, const char *mode,
			   const struct engine_net_flags *flags, json_t *image_config, json_t *rec,
			   struct silo_err *err)
{
	_cleanup_json_ json_t *net = NULL;
	_cleanup_json_ json_t *publish = NULL;
	const char *name;
	int user_defined;
	json_t *entry;

	if (network_load(env->store->root, mode, &net, err) < 0)
		return -1;
	name = json_string_value(json_object_get(net, "name"));
	user_defined = strcmp(name, NETWORK_DEFAULT_NAME) != 0;
	if (!user_defined && flags->ip)
		return silo_err_set(err, EINVAL, "--ip is supported on user-defined networks only");
	if (!user_defined && flags->aliases && flags->aliases[0])
		return silo_err_set(err, EINVAL, "--network-alias is supported on user-defined networks only");
	if (flags->ip) {
		struct ipam_subnet subnet;
		unsigned char addr[16];

		if (ipam_subnet_parse(json_string_value(json_object_get(net, "subnet")), &subnet, err) < 0)
			return -1;
		if (inet_pton(subnet.family, flags->ip, addr) != 1 || !ipam_subnet_contains(&subnet, addr))
			return silo_err_set(err, EINVAL, "invalid --ip \"%s\": not an address of network %s (%s)",
					    flags->ip, name, json_string_value(json_object_get(net, "subnet")));
	}
	if (flags->mac) {
		unsigned char mac[6];

		if (bridge_mac_parse(flags->mac, mac, err) < 0)
			return silo_err_prefix(err, "--mac-address");
	}
	if (publish_list(flags, image_config, &publish, err) < 0)
		return -1;
	entry = json_pack("{s:s, s:O, s:i, s:o}", "name", name, "id", json_object_get(net, "id"), "index", 0,
			  "aliases", strv_json(flags->aliases));
	if (!entry)
		return silo_err_sys(err, ENOMEM, "networks");
	if (flags->ip)
		json_object_set_new(entry, "ip", json_string(flags->ip));
	if (flags->mac)
		json_object_set_new(entry, "mac", json_string(flags->mac));
	json_object_set_new(rec, "networkMode", json_string(name));
	json_object_set_new(rec, "networks", json_pack("[o]", entry));
	json_object_set_new(rec, "publish", steal_pointer(&publish));
	return 0;
}

int engine_network_prepare(const struct engine_env *env, const struct engine_net_flags *flags,
			   json_t *image_config, json_t *rec, struct silo_err *err)
{
	/* Bridges and NAT rules need the host's root: a rootless container
	 * gets its network from pasta or slirp4netns. */
	const char *mode = flags->mode ? flags->mode : engine_rootless() ? engine_rootless_default_network() : NETWORK_DEFAULT_NAME;
	int bridged = mode_is_bridged(mode);

	if (bridged && engine_rootless())
		return silo_err_set(err, EPERM,
				    "invalid --network \"%s\": rootless containers cannot join bridge networks (they need root on the host); use pasta, slirp4netns, none or host",
				    mode);

	for (char **h = flags->add_hosts; h && *h; h++) {
		const char *colon = strchr(*h, ':');
		unsigned char addr[16];

		if (!colon || colon == *h ||
		    (inet_pton(AF_INET, colon + 1, addr) != 1 && inet_pton(AF_INET6, colon + 1, addr) != 1))
			return silo_err_set(err, EINVAL, "invalid --add-host \"%s\": want NAME:IP", *h);
	}
	for (char **d = flags->dns; d && *d; d++) {
		unsigned char addr[16];

		if (inet_pton(AF_INET, *d, addr) != 1 && inet_pton(AF_INET6, *d, addr) != 1)
			return silo_err_set(err, EINVAL, "invalid --dns \"%s\": not an IP address", *d);
	}
	if (!bridged && (flags->ip || flags->mac || (flags->aliases && flags->aliases[0])))
		return silo_err_set(err, EINVAL,
				    "conflicting options: --ip, --mac-address and --network-alias need a bridge network, not --network %s",
				    mode);
	if (!bridged && strcmp(mode, "host") && !mode_is_slirp(mode) && !mode_is_pasta(mode) &&
	    (flags->n_ports || flags->publish_all))
		return silo_err_set(err, EINVAL,
				    "conflicting options: port publishing and --network %s", mode);
	json_object_set_new(rec, "extraHosts", strv_json(flags->add_hosts));
	if (flags->dns || flags->dns_search || flags->dns_options)
		json_object_set_new(rec, "dns",
				    json_pack("{s:o, s:o, s:o}", "servers", strv_json(flags->dns), "search",
					      strv_json(flags->dns_search), "options",
					      strv_json(flags->dns_options)));
	if (mode_is_pasta(mode)) {
		_cleanup_json_ json_t *publish = NULL;

		if (engine_rootless() && engine_rootless_check_tun(mode, err) < 0)
			return -1;
		/* The namespace gets the host's addresses and routes, so the
		 * host's name servers (loopback ones aside) answer it. */
		if (publish_list(flags, image_config, &publish, err) < 0)
			return -1;
		json_object_set_new(rec, "publish", steal_pointer(&publish));
		json_object_set_new(rec, "networkMode", json_string(PASTA_MODE));
		return 0;
	}
	if (mode_is_slirp(mode)) {
		_cleanup_json_ json_t *publish = NULL;
		json_t *dns = json_object_get(rec, "dns");

		if (engine_rootless() && engine_rootless_check_tun(mode, err) < 0)
			return -1;

		/* slirp4netns answers DNS on 10.0.2.3 with the host's servers,
		 * loopback ones included. */
		if (!json_array_size(json_object_get(dns, "servers"))) {
			if (!dns) {
				dns = json_pack("{s:[], s:[], s:[]}", "servers", "search", "options");
				json_object_set_new(rec, "dns", dns);
			}
			json_array_append_new(json_object_get(dns, "servers"), json_string(SLIRP_DNS));
		}
		if (publish_list(flags, image_config, &publish, err) < 0)
			return -1;
		json_object_set_new(rec, "publish", steal_pointer(&publish));
		json_object_set_new(rec, "networkMode", json_string(SLIRP_MODE));
		return 0;
	}
	if (!strncmp(mode, CONTAINER_PREFIX, strlen(CONTAINER_PREFIX)))
		return prepare_container_mode(env, mode, rec, err);
	if (!bridged) {
		json_object_set_new(rec, "networkMode", json_string(mode));
		return 0;
	}
	return prepare_bridged(env, mode, flags, image_config, rec, err);
}

char *engine_network_namespace(json_t *rec, const char *dir)
{
	const char *mode = json_string_value(json_object_get(rec, "networkMode")) ?: "none";
	char *path = NULL;

	if (!strcmp(mode, "none"))
		return NULL;
	if (!strcmp(mode, "host"))
		return strdup("");
	if (!strncmp(mode, CONTAINER_PREFIX, strlen(CONTAINER_PREFIX)))
		return strdup(json_string_value(json_object_get(rec, "netnsPath")) ?: "");
	/* Bridged and slirp4netns: the namespace the engine makes. */
	if (asprintf(&path, "%s/netns", dir) < 0)
		return NULL;
	return path;
}

char *engine_network_etc_dir(const struct engine_env *env, json_t *rec, const char *dir)
{
	const char *mode = json_string_value(json_object_get(rec, "networkMode")) ?: "none";

	if (!strncmp(mode, CONTAINER_PREFIX, strlen(CONTAINER_PREFIX)))
		return record_path(env->store->root, mode + strlen(CONTAINER_PREFIX), NULL);
	return strdup(dir);
}

/* ------------------------------------------------------------ /etc files -- */

static const char *record_hostname(json_t *rec, char buf[RECORD_SHORT_ID_LENGTH + 1])
{
	const char *h = json_string_value(json_object_get(rec, "hostname"));

	if (h)
		return h;
	snprintf(buf, RECORD_SHORT_ID_LENGTH + 1, "%s", json_string_value(json_object_get(rec, "id")) ?: "");
	return buf;
}

/* The names a container answers to on a network: its name, its aliases,
 * its short ID. */
static char *names_on(json_t *rec, json_t *entry)
{
	char *text = NULL;
	size_t size = 0, i;
	FILE *out = open_memstream(&text, &size);
	json_t *alias;

	if (!out)
		return NULL;
	fprintf(out, "%s", json_string_value(json_object_get(rec, "name")) ?: "");
	json_array_foreach(json_object_get(entry, "aliases"), i, alias)
		fprintf(out, " %s", json_string_value(alias));
	fprintf(out, " %.12s", json_string_value(json_object_get(rec, "id")) ?: "");
	fclose(out);
	return text;
}

static json_t *network_entry(json_t *rec, const char *network_id)
{
	size_t i;
	json_t *entry;

	json_array_foreach(json_object_get(rec, "networks"), i, entry)
		if (!strcmp(json_string_value(json_object_get(entry, "id")) ?: "", network_id))
			return entry;
	return NULL;
}

/* Every running container on rec's user-defined networks, itself included,
 * as hosts entries. */
static json_t *peers_of(const struct engine_env *env, json_t *rec)
{
	json_t *peers = json_array();
	size_t i;
	json_t *entry;

	json_array_foreach(json_object_get(rec, "networks"), i, entry) {
		_cleanup_json_ json_t *net = NULL;
		struct silo_err ignored = { 0 };
		const char *address;
		json_t *lease;

		if (!strcmp(json_string_value(json_object_get(entry, "name")) ?: "", NETWORK_DEFAULT_NAME) ||
		    network_load(env->store->root, json_string_value(json_object_get(entry, "id")), &net,
				 &ignored) < 0)
			continue;
		for (int family = 0; family < 2; family++) {
			_cleanup_free_ char *path = family ? network_leases6_path(env->store->root, net)
							   : network_leases_path(env->store->root, net);
			_cleanup_json_ json_t *leases = NULL;

			if (!path || (family && !json_object_get(net, "subnet6")) ||
			    ipam_leases(path, &leases, &ignored) < 0)
				continue;
			json_object_foreach(leases, address, lease) {
				_cleanup_json_ json_t *peer = NULL;
				_cleanup_free_ char *names = NULL;
				const char *owner = json_string_value(json_object_get(lease, "owner"));

				if (!owner || record_load(env->store->root, owner, &peer, &ignored) < 0)
					continue;
				names = names_on(peer, network_entry(peer, json_string_value(json_object_get(net, "id"))));
				if (names)
					json_array_append_new(peers, json_pack("{s:s, s:s, s:s}", "address", address,
									       "names", names, "owner", owner));
			}
		}
	}
	return peers;
}

/* The container's first network (lowest index) while it runs. */
static json_t *first_network(json_t *rec)
{
	json_t *networks = json_object_get(json_object_get(rec, "networkSettings"), "networks");
	const char *name;
	json_t *n, *best = NULL;

	json_object_foreach(networks, name, n)
		if (!best || json_integer_value(json_object_get(n, "index")) <
				     json_integer_value(json_object_get(best, "index")))
			best = n;
	return best;
}

static const char *first_address(json_t *rec)
{
	return json_string_value(json_object_get(first_network(rec), "ip"));
}

/* The container addresses a published port goes to: the IPv4 one, and on
 * a dual-stack network the IPv6 one too, unless the host address given
 * is of one family. */
static int port_targets(json_t *rec, const struct port_mapping *m, const char *targets[2])
{
	json_t *first = first_network(rec);
	const char *v4 = json_string_value(json_object_get(first, "ip"));
	const char *v6 = json_string_value(json_object_get(first, "ip6"));
	int n = 0;

	if (v4 && !strchr(m->host_ip, ':'))
		targets[n++] = v4;
	if (v6 && (!m->host_ip[0] || strchr(m->host_ip, ':')))
		targets[n++] = v6;
	return n;
}

static void etc_files_of(const struct engine_env *env, json_t *rec, struct etc_files *f,
			 char hostname[RECORD_SHORT_ID_LENGTH + 1])
{
	const char *mode = json_string_value(json_object_get(rec, "networkMode")) ?: "none";

	f->hostname = record_hostname(rec, hostname);
	f->network_host = !strcmp(mode, "host");
	f->address = first_address(rec);
	f->extra_hosts = json_object_get(rec, "extraHosts");
	f->dns = json_object_get(rec, "dns");
	f->peers = mode_is_bridged(mode) ? peers_of(env, rec) : NULL;
}

int engine_network_write_etc(const struct engine_env *env, json_t *rec, const char *dir,
			     const char *hostname, struct silo_err *err)
{
	struct etc_files f = { 0 };
	char short_id[RECORD_SHORT_ID_LENGTH + 1];
	const char *mode = json_string_value(json_object_get(rec, "networkMode")) ?: "none";
	int r;

	if (!strncmp(mode, CONTAINER_PREFIX, strlen(CONTAINER_PREFIX)))
		return 0;
	etc_files_of(env, rec, &f, short_id);
	f.hostname = hostname;
	r = etc_files_write(dir, &f, err);
	json_decref(f.peers);
	return r;
}

static void update_hosts(const struct engine_env *env, const char *id)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *dir = record_path(env->store->root, id, NULL);
	struct silo_err ignored = { 0 };
	struct etc_files f = { 0 };
	char hostname[RECORD_SHORT_ID_LENGTH + 1];

	if (!dir || record_load(env->store->root, id, &rec, &ignored) < 0)
		return;
	etc_files_of(env, rec, &f, hostname);
	etc_files_update_hosts(dir, &f, &ignored);
	json_decref(f.peers);
}

/* A lock per store for rewriting hosts files: the last writer saw every
 * lease, so no update is lost between two containers starting at once. */
static int lock_hosts(const struct engine_env *env)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *path = NULL;
	struct silo_err ignored = { 0 };

	if (asprintf(&dir, "%s/networks", env->store->root) < 0 || fs_mkdir_p(dir, 0700, &ignored) < 0 ||
	    asprintf(&path, "%s/hosts.lock", dir) < 0)
		return -1;
	return fs_lock_file(path, &ignored);
}

/* Rewrites the hosts file of every running container that shares a
 * user-defined network with rec, and rec's own. */
static void update_peers_hosts(const struct engine_env *env, json_t *rec)
{
	_cleanup_close_ int lock = lock_hosts(env);
	_cleanup_json_ json_t *peers = peers_of(env, rec);
	const char *self = json_string_value(json_object_get(rec, "id"));
	size_t i;
	json_t *p;

	(void)lock;
	if (self)
		update_hosts(env, self);
	json_array_foreach(peers, i, p) {
		const char *owner = json_string_value(json_object_get(p, "owner"));

		if (owner && (!self || strcmp(owner, self)))
			update_hosts(env, owner);
	}
}

void engine_network_names_changed(const struct engine_env *env, const char *id)
{
	_cleanup_json_ json_t *rec = NULL;
	struct silo_err ignored = { 0 };

	if (record_load(env->store->root, id, &rec, &ignored) == 0)
		update_peers_hosts(env, rec);
}

/* ------------------------------------------------------- setup, teardown -- */

struct settings_change {
	json_t *settings; /* NULL: remove */
};

static int set_settings(json_t *rec, void *opaque)
{
	struct settings_change *c = opaque;

	if (c->settings)
		return json_object_set(rec, "networkSettings", c->settings);
	json_object_del(rec, "networkSettings");
	return 0;
}

static int save_settings(const struct engine_env *env, const char *id, json_t *settings,
			 struct silo_err *err)
{
	struct settings_change c = { .settings = settings };

	return record_update(env->store->root, id, set_settings, &c, err);
}

/* A lease of subnet in the lease file at path, for the container. */
static int lease_address(const char *path, const struct ipam_subnet *subnet, const char *id,
			 json_t *rec, const char *requested, char *address, size_t size,
			 struct silo_err *err)
{
	_cleanup_free_ char *dir = strdup(path);
	struct ipam_lease_request lease = { .owner = id, .requested = requested };
	int r;

	/* A fresh store has no networks directory until its first lease. */
	if (!dir || fs_mkdir_p(dirname(dir), 0700, err) < 0)
		return -1;
	lease.data = json_pack("{s:s}", "name", json_string_value(json_object_get(rec, "name")) ?: "");
	r = ipam_lease(path, subnet, &lease, address, size, err);
	json_decref(lease.data);
	return r;
}

/* A network's subnet (field "subnet" or "subnet6") with its gateway. */
static int network_subnet(json_t *net, const char *field, const char *gateway_field,
			  struct ipam_subnet *subnet, struct silo_err *err)
{
	const char *gateway = json_string_value(json_object_get(net, gateway_field));

	if (ipam_subnet_parse(json_string_value(json_object_get(net, field)) ?: "", subnet, err) < 0)
		return -1;
	if (gateway)
		inet_pton(subnet->family, gateway, subnet->gateway);
	return 0;
}

/* The IPv6 half of a dual-stack network: its bridge address, a lease, the
 * address on the container's end. */
static int attach_ipv6(const struct engine_env *env, const char *id, json_t *rec, json_t *net,
		       const char *ifname, int first, int netns_fd, json_t *live, struct silo_err *err)
{
	_cleanup_free_ char *leases = network_leases6_path(env->store->root, net);
	struct ipam_subnet subnet;
	char address[INET6_ADDRSTRLEN], gateway[INET6_ADDRSTRLEN];
	struct bridge_network bn = { .bridge = json_string_value(json_object_get(net, "bridge")),
				     .subnet = &subnet,
				     .internal = json_is_true(json_object_get(net, "internal")) };

	if (!leases)
		return silo_err_sys(err, ENOMEM, "network");
	if (network_subnet(net, "subnet6", "gateway6", &subnet, err) < 0 || bridge_ensure(&bn, err) < 0 ||
	    lease_address(leases, &subnet, id, rec, NULL, address, sizeof(address), err) < 0)
		return -1;
	inet_ntop(AF_INET6, subnet.gateway, gateway, sizeof(gateway));
	json_object_set_new(live, "ip6", json_string(address));
	json_object_set_new(live, "gateway6", json_string(gateway));
	json_object_set_new(live, "prefixLen6", json_integer(subnet.prefix_len));
	return bridge_add_address(&bn, netns_fd, ifname, address, first, err);
}

/* One network: its bridge, a lease, the veth. */
static int attach_network(const struct engine_env *env, const char *id, json_t *rec, json_t *entry,
			  int netns_fd, json_t *settings_networks, struct silo_err *err)
{
	_cleanup_json_ json_t *net = NULL;
	_cleanup_free_ char *leases = NULL;
	struct ipam_subnet subnet;
	char address[INET6_ADDRSTRLEN], veth[16], gateway[INET6_ADDRSTRLEN], ifname[16];
	json_int_t index = json_integer_value(json_object_get(entry, "index"));
	const char *mac_text = json_string_value(json_object_get(entry, "mac"));
	const char *name;
	unsigned char mac[6];
	char mac_buf[18];
	json_t *live;

	if (network_load(env->store->root, json_string_value(json_object_get(entry, "id")), &net, err) < 0 ||
	    network_subnet(net, "subnet", "gateway", &subnet, err) < 0)
		return -1;
	name = json_string_value(json_object_get(net, "name"));
	leases = network_leases_path(env->store->root, net);
	if (!leases)
		return silo_err_sys(err, ENOMEM, "network");
	struct bridge_network bn = { .bridge = json_string_value(json_object_get(net, "bridge")),
				     .subnet = &subnet,
				     .internal = json_is_true(json_object_get(net, "internal")) };
	if (bridge_ensure(&bn, err) < 0 ||
	    lease_address(leases, &subnet, id, rec, json_string_value(json_object_get(entry, "ip")), address,
			  sizeof(address), err) < 0)
		return silo_err_prefix(err, "network %s", name);
	if (mac_text)
		bridge_mac_parse(mac_text, mac, err);
	else
		bridge_mac_for(address, mac);
	snprintf(mac_buf, sizeof(mac_buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	veth_name(id, index, veth);
	snprintf(ifname, sizeof(ifname), "eth%lld", (long long)index);
	inet_ntop(subnet.family, subnet.gateway, gateway, sizeof(gateway));
	live = json_pack("{s:O, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:I}", "networkId", json_object_get(net, "id"),
			 "ip", address, "prefixLen", subnet.prefix_len, "gateway", gateway, "mac", mac_buf,
			 "veth", veth, "ifname", ifname, "bridge", bn.bridge, "index", index);
	json_object_set_new(settings_networks, name, live);
	struct bridge_attachment a = { .host_veth = veth, .ifname = ifname, .address = address,
				       .mac = mac, .default_route = index == 0 };
	/* A veth of a run cut short would make the name taken. */
	bridge_detach(veth, err);
	silo_err_clear(err);
	if (bridge_attach(&bn, netns_fd, &a, err) < 0)
		return silo_err_prefix(err, "network %s", name);
	if (json_object_get(net, "subnet6") &&
	    attach_ipv6(env, id, rec, net, ifname, index == 0, netns_fd, live, err) < 0)
		return silo_err_prefix(err, "network %s", name);
	return 0;
}

/* Host ports: chosen where asked for, checked free, before any rule. */
static int publish_ports(json_t *rec, json_t *settings, struct silo_err *err)
{
	json_t *ports = json_object_get(settings, "ports");
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(rec, "publish"), i, p) {
		struct port_mapping m;

		if (port_from_json(p, &m) < 0)
			continue;
		if (m.host_port == 0 ? ports_pick_free(&m, err) < 0 : ports_check_free(&m, err) < 0)
			return -1;
		json_array_append_new(ports, port_json(&m));
	}
	return 0;
}

/* Adds (or removes) the rules of every published port: to the IPv4
 * address, and to the IPv6 one of a dual-stack network. Removal goes on
 * past a failure and reports none. */
static int port_rules(json_t *rec, int add, struct silo_err *err)
{
	struct silo_err ignored = { 0 };
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(json_object_get(rec, "networkSettings"), "ports"), i, p) {
		struct port_mapping m;
		const char *targets[2];
		int n;

		if (port_from_json(p, &m) < 0)
			continue;
		n = port_targets(rec, &m, targets);
		for (int t = 0; t < n; t++) {
			if (!add)
				nft_port_remove(&m, targets[t], &ignored);
			else if (nft_port_add(&m, targets[t], err) < 0)
				return -1;
		}
	}
	return 0;
}

/* --network slirp4netns: the namespace, slirp4netns on it, the ports. */
static int setup_slirp(const struct engine_env *env, const char *id, json_t *rec, const char *netns_path,
		       struct silo_err *err)
{
	_cleanup_json_ json_t *settings = NULL;
	struct slirp slirp;
	size_t i;
	json_t *p;

	engine_network_teardown(env, id);
	if (netns_create(netns_path, err) < 0)
		return -1;
	if (slirp_start(netns_path, 0, &slirp, err) < 0) {
		netns_remove(netns_path, &(struct silo_err){ 0 });
		return -1;
	}
	settings = json_pack("{s:s, s:{s:i, s:s}, s:{s:{s:s, s:s, s:i, s:i, s:s}}, s:[]}", "netns",
			     netns_path, "slirp", "pid", (int)slirp.pid, "dir", slirp.dir, "networks", SLIRP_MODE,
			     "ip", SLIRP_ADDRESS, "gateway", SLIRP_GATEWAY, "prefixLen", SLIRP_PREFIX_LEN,
			     "index", 0, "ifname", "tap0", "ports");
	if (!settings || publish_ports(rec, settings, err) < 0 || save_settings(env, id, settings, err) < 0)
		goto fail;
	json_array_foreach(json_object_get(settings, "ports"), i, p) {
		struct port_mapping m;

		if (port_from_json(p, &m) == 0 && slirp_add_port(&slirp, &m, err) < 0)
			goto fail;
	}
	json_object_set(rec, "networkSettings", settings);
	update_hosts(env, id);
	return 0;

fail:
	if (!settings)
		silo_err_sys(err, ENOMEM, "network settings");
	slirp_stop(slirp.pid, netns_path, slirp.dir);
	engine_network_teardown(env, id);
	return -1;
}

/* --network pasta: the namespace, then pasta on it with the ports. */
static int setup_pasta(const struct engine_env *env, const char *id, json_t *rec, const char *netns_path,
		       struct silo_err *err)
{
	_cleanup_json_ json_t *settings = NULL;
	_cleanup_free_ struct port_mapping *ports = NULL;
	struct pasta pasta = { 0 };
	size_t i, n = 0;
	json_t *p;

	engine_network_teardown(env, id);
	settings = json_pack("{s:s, s:{s:{s:s, s:s, s:i, s:i, s:s}}, s:[]}", "netns", netns_path, "networks",
			     PASTA_MODE, "ip", "", "gateway", "", "prefixLen", 0, "index", 0, "ifname", "",
			     "ports");
	if (!settings)
		return silo_err_sys(err, ENOMEM, "network settings");
	if (publish_ports(rec, settings, err) < 0)
		return -1;
	ports = calloc(json_array_size(json_object_get(settings, "ports")) + 1, sizeof(*ports));
	if (!ports)
		return silo_err_sys(err, ENOMEM, "network settings");
	json_array_foreach(json_object_get(settings, "ports"), i, p)
		if (port_from_json(p, &ports[n]) == 0)
			n++;
	if (netns_create(netns_path, err) < 0)
		return -1;
	if (pasta_start(netns_path, ports, n, &pasta, err) < 0) {
		netns_remove(netns_path, &(struct silo_err){ 0 });
		return -1;
	}
	json_object_set_new(settings, "pasta", json_pack("{s:i, s:s}", "pid", (int)pasta.pid, "dir", pasta.dir));
	if (save_settings(env, id, settings, err) < 0) {
		pasta_stop(pasta.pid, netns_path, pasta.dir);
		engine_network_teardown(env, id);
		return -1;
	}
	json_object_set(rec, "networkSettings", settings);
	update_hosts(env, id);
	return 0;
}

int engine_network_setup(const struct engine_env *env, const char *id, struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *settings = NULL;
	_cleanup_free_ char *netns_path = record_path(env->store->root, id, "netns");
	_cleanup_close_ int netns_fd = -1;
	const char *mode;
	json_t *entry, *networks;
	size_t i;

	if (!netns_path || record_load(env->store->root, id, &rec, err) < 0)
		return -1;
	mode = json_string_value(json_object_get(rec, "networkMode")) ?: "none";
	if (mode_is_slirp(mode))
		return setup_slirp(env, id, rec, netns_path, err);
	if (mode_is_pasta(mode))
		return setup_pasta(env, id, rec, netns_path, err);
	if (!mode_is_bridged(mode))
		return 0;
	engine_network_teardown(env, id);
	networks = json_object();
	settings = json_pack("{s:s, s:o, s:[]}", "netns", netns_path, "networks", networks, "ports");
	if (!settings)
		return silo_err_sys(err, ENOMEM, "network settings");
	if (netns_create(netns_path, err) < 0)
		goto fail;
	netns_fd = netns_open(netns_path, err);
	if (netns_fd < 0)
		goto fail;
	json_array_foreach(json_object_get(rec, "networks"), i, entry)
		if (attach_network(env, id, rec, entry, netns_fd, networks, err) < 0) {
			save_settings(env, id, settings, &(struct silo_err){ 0 });
			goto fail;
		}
	if (publish_ports(rec, settings, err) < 0)
		goto fail;
	/* Saved before the rules go in: a teardown after a crash must know
	 * which rules to take out. */
	if (save_settings(env, id, settings, err) < 0)
		goto fail;
	json_object_set(rec, "networkSettings", settings);
	if (port_rules(rec, 1, err) < 0)
		goto fail;
	update_peers_hosts(env, rec);
	return 0;

fail:
	engine_network_teardown(env, id);
	return -1;
}

static void release_ipv6(const struct engine_env *env, json_t *net, const char *id)
{
	_cleanup_free_ char *leases6 = NULL;
	struct silo_err ignored = { 0 };

	if (!json_object_get(net, "subnet6"))
		return;
	leases6 = network_leases6_path(env->store->root, net);
	if (leases6)
		ipam_release(leases6, id, &ignored);
}

void engine_network_teardown(const struct engine_env *env, const char *id)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_free_ char *netns_path = record_path(env->store->root, id, "netns");
	struct silo_err ignored = { 0 };
	json_t *settings, *entry;
	size_t i;

	if (!netns_path || record_load(env->store->root, id, &rec, &ignored) < 0)
		return;
	settings = json_object_get(rec, "networkSettings");
	/* slirp4netns's and pasta's ports go with the process. */
	if (!json_object_get(settings, "slirp") && !json_object_get(settings, "pasta"))
		port_rules(rec, 0, &ignored);
	json_array_foreach(json_object_get(rec, "networks"), i, entry) {
		_cleanup_json_ json_t *net = NULL;
		_cleanup_free_ char *leases = NULL;
		char veth[16];

		veth_name(id, json_integer_value(json_object_get(entry, "index")), veth);
		bridge_detach(veth, &ignored);
		if (network_load(env->store->root, json_string_value(json_object_get(entry, "id")) ?: "", &net,
				 &ignored) < 0)
			continue;
		leases = network_leases_path(env->store->root, net);
		if (leases)
			ipam_release(leases, id, &ignored);
		release_ipv6(env, net, id);
	}
	if (json_object_get(settings, "slirp")) {
		json_t *slirp = json_object_get(settings, "slirp");

		slirp_stop((pid_t)json_integer_value(json_object_get(slirp, "pid")), netns_path,
			   json_string_value(json_object_get(slirp, "dir")));
	}
	if (json_object_get(settings, "pasta")) {
		json_t *pasta = json_object_get(settings, "pasta");

		pasta_stop((pid_t)json_integer_value(json_object_get(pasta, "pid")), netns_path,
			   json_string_value(json_object_get(pasta, "dir")));
	}
	netns_remove(netns_path, &ignored);
	if (settings) {
		save_settings(env, id, NULL, &ignored);
		json_object_del(rec, "networkSettings");
		update_peers_hosts(env, rec);
	}
}

/* ------------------------------------------------- connect, disconnect -- */

struct entry_change {
	json_t *entry;       /* to add, or NULL */
	const char *drop_id; /* the network ID to drop, or NULL */
	json_t *live;        /* networkSettings.networks[name], or NULL */
	const char *name;
};

static int change_entry(json_t *rec, void *opaque)
{
	struct entry_change *c = opaque;
	json_t *networks = json_object_get(rec, "networks");
	json_t *settings = json_object_get(rec, "networkSettings");
	json_t *entry;
	size_t i;

	if (!json_is_array(networks)) {
		networks = json_array();
		json_object_set_new(rec, "networks", networks);
	}
	if (c->entry)
		json_array_append(networks, c->entry);
	if (c->drop_id) {
		json_array_foreach(networks, i, entry)
			if (!strcmp(json_string_value(json_object_get(entry, "id")) ?: "", c->drop_id)) {
				json_array_remove(networks, i);
				break;
			}
		json_object_del(json_object_get(settings, "networks"), c->name);
	}
	if (c->live && json_is_object(json_object_get(settings, "networks")))
		json_object_set(json_object_get(settings, "networks"), c->name, c->live);
	return 0;
}

static json_int_t free_index(json_t *rec)
{
	for (json_int_t index = 0;; index++) {
		size_t i;
		json_t *entry;
		int used = 0;

		json_array_foreach(json_object_get(rec, "networks"), i, entry)
			used |= json_integer_value(json_object_get(entry, "index")) == index;
		if (!used)
			return index;
	}
}

int engine_network_connect(const struct engine_env *env, const char *id, const char *network,
			   char **aliases, const char *ip, struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *net = NULL;
	_cleanup_json_ json_t *entry = NULL;
	_cleanup_json_ json_t *live = json_object();
	const char *mode, *netns;
	struct entry_change change = { 0 };

	if (engine_container_inspect(env, id, &rec, err) < 0 ||
	    network_load(env->store->root, network, &net, err) < 0)
		return -1;
	mode = json_string_value(json_object_get(rec, "networkMode")) ?: "none";
	if (!mode_is_bridged(mode))
		return silo_err_set(err, EINVAL, "container %s has --network %s: it cannot join networks",
				    json_string_value(json_object_get(rec, "name")), mode);
	if (network_entry(rec, json_string_value(json_object_get(net, "id"))))
		return silo_err_set(err, EEXIST, "container %s is already connected to network %s",
				    json_string_value(json_object_get(rec, "name")), network);
	entry = json_pack("{s:O, s:O, s:I, s:o}", "name", json_object_get(net, "name"), "id",
			  json_object_get(net, "id"), "index", free_index(rec), "aliases", strv_json(aliases));
	if (!entry)
		return silo_err_sys(err, ENOMEM, "network");
	if (ip)
		json_object_set_new(entry, "ip", json_string(ip));
	change.entry = entry;
	change.name = json_string_value(json_object_get(net, "name"));
	netns = json_string_value(json_object_get(json_object_get(rec, "networkSettings"), "netns"));
	if (netns && !strcmp(engine_container_status(rec), "running")) {
		_cleanup_close_ int fd = netns_open(netns, err);

		if (fd < 0 || attach_network(env, id, rec, entry, fd, live, err) < 0) {
			_cleanup_free_ char *leases = network_leases_path(env->store->root, net);
			struct silo_err ignored = { 0 };
			char veth[16];

			/* What attach_network made before it failed. */
			veth_name(id, json_integer_value(json_object_get(entry, "index")), veth);
			bridge_detach(veth, &ignored);
			if (leases)
				ipam_release(leases, id, &ignored);
			release_ipv6(env, net, id);
			return -1;
		}
		change.live = json_object_get(live, change.name);
	}
	if (record_update(env->store->root, id, change_entry, &change, err) < 0)
		return -1;
	json_decref(rec);
	rec = NULL;
	if (record_load(env->store->root, id, &rec, err) == 0 && change.live)
		update_peers_hosts(env, rec);
	return 0;
}

int engine_network_disconnect(const struct engine_env *env, const char *id, const char *network,
			      struct silo_err *err)
{
	_cleanup_json_ json_t *rec = NULL;
	_cleanup_json_ json_t *net = NULL;
	_cleanup_free_ char *leases = NULL;
	struct entry_change change = { 0 };
	struct silo_err ignored = { 0 };
	json_t *entry;
	char veth[16];

	if (engine_container_inspect(env, id, &rec, err) < 0 ||
	    network_load(env->store->root, network, &net, err) < 0)
		return -1;
	entry = network_entry(rec, json_string_value(json_object_get(net, "id")));
	if (!entry)
		return silo_err_set(err, ENOENT, "container %s is not connected to network %s",
				    json_string_value(json_object_get(rec, "name")), network);
	veth_name(id, json_integer_value(json_object_get(entry, "index")), veth);
	if (bridge_detach(veth, err) < 0)
		return -1;
	leases = network_leases_path(env->store->root, net);
	if (leases)
		ipam_release(leases, id, &ignored);
	release_ipv6(env, net, id);
	change.drop_id = json_string_value(json_object_get(net, "id"));
	change.name = json_string_value(json_object_get(net, "name"));
	if (record_update(env->store->root, id, change_entry, &change, err) < 0)
		return -1;
	/* The peers still list it until their hosts are written again. */
	{
		_cleanup_json_ json_t *peers = peers_of(env, rec);
		size_t i;
		json_t *p;

		json_decref(rec);
		rec = NULL;
		if (record_load(env->store->root, id, &rec, &ignored) == 0)
			update_hosts(env, id);
		json_array_foreach(peers, i, p) {
			const char *owner = json_string_value(json_object_get(p, "owner"));

			if (owner && strcmp(owner, id))
				update_hosts(env, owner);
		}
	}
	return 0;
}

/* --------------------------------------------------------------- inspect -- */

json_t *engine_network_inspect(json_t *rec)
{
	json_t *settings = json_object_get(rec, "networkSettings");
	json_t *networks = json_object(), *ports = json_object();
	const char *name, *address = first_address(rec);
	json_t *n, *entry, *p;
	size_t i;
	json_t *out;

	json_array_foreach(json_object_get(rec, "publish"), i, p) {
		char key[32];

		snprintf(key, sizeof(key), "%lld/%s", (long long)json_integer_value(json_object_get(p, "containerPort")),
			 json_string_value(json_object_get(p, "protocol")));
		if (!json_object_get(ports, key))
			json_object_set_new(ports, key, json_null());
	}
	json_array_foreach(json_object_get(settings, "ports"), i, p) {
		char key[32], host_port[16];
		json_t *list;

		snprintf(key, sizeof(key), "%lld/%s", (long long)json_integer_value(json_object_get(p, "containerPort")),
			 json_string_value(json_object_get(p, "protocol")));
		snprintf(host_port, sizeof(host_port), "%lld", (long long)json_integer_value(json_object_get(p, "hostPort")));
		list = json_object_get(ports, key);
		if (!json_is_array(list)) {
			list = json_array();
			json_object_set_new(ports, key, list);
		}
		json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp",
						      *json_string_value(json_object_get(p, "hostIp")) ?
							      json_string_value(json_object_get(p, "hostIp")) :
							      "0.0.0.0",
						      "HostPort", host_port));
	}
	json_array_foreach(json_object_get(rec, "networks"), i, entry) {
		const char *net_name = json_string_value(json_object_get(entry, "name"));
		json_t *live = json_object_get(json_object_get(settings, "networks"), net_name);

		json_object_set_new(networks, net_name,
				    json_pack("{s:O, s:O, s:s, s:s, s:I, s:s, s:s, s:I, s:s}", "NetworkID",
					      json_object_get(entry, "id"), "Aliases",
					      json_object_get(entry, "aliases") ?: json_null(), "IPAddress",
					      json_string_value(json_object_get(live, "ip")) ?: "", "Gateway",
					      json_string_value(json_object_get(live, "gateway")) ?: "",
					      "IPPrefixLen", json_integer_value(json_object_get(live, "prefixLen")),
					      "MacAddress", json_string_value(json_object_get(live, "mac")) ?: "",
					      "GlobalIPv6Address", json_string_value(json_object_get(live, "ip6")) ?: "",
					      "GlobalIPv6PrefixLen",
					      json_integer_value(json_object_get(live, "prefixLen6")), "IPv6Gateway",
					      json_string_value(json_object_get(live, "gateway6")) ?: ""));
	}
	n = NULL;
	json_object_foreach(json_object_get(settings, "networks"), name, entry)
		if (!n || json_integer_value(json_object_get(entry, "index")) <
				  json_integer_value(json_object_get(n, "index")))
			n = entry;
	out = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:s}", "IPAddress", address ? address : "",
			"Gateway", json_string_value(json_object_get(n, "gateway")) ?: "", "MacAddress",
			json_string_value(json_object_get(n, "mac")) ?: "", "IPPrefixLen",
			json_integer_value(json_object_get(n, "prefixLen")), "GlobalIPv6Address",
			json_string_value(json_object_get(n, "ip6")) ?: "", "IPv6Gateway",
			json_string_value(json_object_get(n, "gateway6")) ?: "", "Ports", ports, "Networks",
			networks, "SandboxKey", json_string_value(json_object_get(settings, "netns")) ?: "");
	return out;
}

int engine_network_in_use_by(json_t *rec, const char *network_id)
{
	return network_entry(rec, network_id) != NULL;
}

/* ----------------------------------------------------------------- prune -- */

/* Whether the record's container is running (so what it holds is in use). */
static int holds_network(const struct engine_env *env, const char *id)
{
	_cleanup_json_ json_t *rec = NULL;
	struct silo_err ignored = { 0 };

	if (engine_container_inspect(env, id, &rec, &ignored) < 0)
		return 0;
	return !strcmp(engine_container_status(rec), "running");
}

struct orphan_links {
	const struct engine_env *env;
	json_t *names; /* host veths of running containers */
	json_t *stale;
};

static void collect_stale_veth(void *opaque, const char *name, const char *kind, const char *master)
{
	struct orphan_links *o = opaque;

	(void)master;
	if (!strcmp(kind, "veth") && !strncmp(name, "sv", 2) && strlen(name) == 14 &&
	    !json_object_get(o->names, name))
		json_array_append_new(o->stale, json_string(name));
}

int engine_network_prune_orphans(const struct engine_env *env, struct silo_err *err)
{
	_cleanup_json_ json_t *networks = NULL;
	_cleanup_json_ json_t *records = NULL;
	_cleanup_json_ json_t *live_addresses = json_object();
	struct orphan_links links = { .env = env, .names = json_object(), .stale = json_array() };
	struct netlink nl = { 0 };
	int removed = 0;
	size_t i;
	json_t *net, *rec, *v;

	if (network_list(env->store->root, &networks, err) < 0 ||
	    record_list(env->store->root, &records, err) < 0)
		goto out;
	/* Records first: inspecting each releases what a dead monitor left. */
	json_array_foreach(records, i, rec) {
		const char *id = json_string_value(json_object_get(rec, "id"));
		const char *name;
		json_t *n;

		if (!id || !holds_network(env, id))
			continue;
		json_object_foreach(json_object_get(json_object_get(rec, "networkSettings"), "networks"), name, n) {
			json_object_set_new(links.names, json_string_value(json_object_get(n, "veth")) ?: "",
					    json_true());
			json_object_set_new(live_addresses, json_string_value(json_object_get(n, "ip")) ?: "",
					    json_true());
			json_object_set_new(live_addresses, json_string_value(json_object_get(n, "ip6")) ?: "",
					    json_true());
		}
	}
	/* Leases whose owner does not run. */
	json_array_foreach(networks, i, net) {
		for (int family = 0; family < 2; family++) {
			_cleanup_free_ char *path = family ? network_leases6_path(env->store->root, net)
							   : network_leases_path(env->store->root, net);
			_cleanup_json_ json_t *leases = NULL;
			struct silo_err ignored = { 0 };
			const char *address;
			json_t *lease;

			if (!path || ipam_leases(path, &leases, &ignored) < 0)
				continue;
			json_object_foreach(leases, address, lease) {
				const char *owner = json_string_value(json_object_get(lease, "owner"));

				if (owner && !holds_network(env, owner)) {
					ipam_release(path, owner, &ignored);
					removed++;
				}
			}
		}
	}
	/* Port rules to an address no running container has. */
	{
		_cleanup_json_ json_t *ports = NULL;
		struct silo_err ignored = { 0 };

		if (nft_ports_list(&ports, &ignored) == 0) {
			json_array_foreach(ports, i, v) {
				const char *address = json_string_value(json_object_get(v, "containerIp"));
				struct port_mapping m;

				if (!address || json_object_get(live_addresses, address) || port_from_json(v, &m) < 0)
					continue;
				if (nft_port_remove(&m, address, &ignored) == 0)
					removed++;
			}
		}
	}
	/* Host ends of veths whose container is gone. */
	if (netlink_open(&nl, -1, err) < 0)
		goto out;
	if (netlink_links_foreach(&nl, collect_stale_veth, &links, err) < 0)
		goto out;
	json_array_foreach(links.stale, i, v) {
		struct silo_err ignored = { 0 };

		if (netlink_link_delete(&nl, json_string_value(v), &ignored) == 0)
			removed++;
	}
	netlink_close(&nl);
	json_decref(links.names);
	json_decref(links.stale);
	return removed;
out:
	netlink_close(&nl);
	json_decref(links.names);
	json_decref(links.stale);
	return -1;
}
