/* Network definitions on disk (see network.h). */
#include "net/network.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/ipam.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/json.h"

#define NETWORK_FILE_MAX (64 * 1024)

int network_is_builtin(const char *name)
{
	return !strcmp(name, NETWORK_DEFAULT_NAME) || !strcmp(name, "host") || !strcmp(name, "none");
}

static char *networks_dir(const char *store_root)
{
	char *dir = NULL;

	if (asprintf(&dir, "%s/networks", store_root) < 0)
		return NULL;
	return dir;
}

static int valid_name(const char *name)
{
	return str_is_object_name(name, 1, 64);
}

static json_t *default_network(void)
{
	struct ipam_subnet subnet;
	struct silo_err ignored = { 0 };
	char gateway[INET6_ADDRSTRLEN] = "";

	if (ipam_subnet_parse(NETWORK_DEFAULT_SUBNET, &subnet, &ignored) == 0)
		inet_ntop(subnet.family, subnet.gateway, gateway, sizeof(gateway));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "name", NETWORK_DEFAULT_NAME, "id",
			 NETWORK_DEFAULT_ID,
			 "driver", "bridge", "bridge", NETWORK_DEFAULT_BRIDGE, "subnet",
			 NETWORK_DEFAULT_SUBNET, "gateway", gateway, "created", "", "internal", 0);
}

static int lock_networks(const char *store_root, struct silo_err *err)
{
	_cleanup_free_ char *dir = networks_dir(store_root);
	_cleanup_free_ char *path = NULL;

	if (!dir || asprintf(&path, "%s/lock", dir) < 0)
		return silo_err_sys(err, ENOMEM, "networks");
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return fs_lock_file(path, err);
}

/* The stored definitions, by name. */
static int load_all(const char *store_root, json_t **out, struct silo_err *err)
{
	_cleanup_free_ char *dir = networks_dir(store_root);
	_cleanup_closedir_ DIR *d = NULL;
	json_t *all = json_object();
	struct dirent *e;

	if (!dir || !all) {
		json_decref(all);
		return silo_err_sys(err, ENOMEM, "networks");
	}
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		_cleanup_free_ char *path = NULL;
		json_t *net = NULL;
		struct silo_err ignored = { 0 };

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") || e->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (json_load_path(path, NETWORK_FILE_MAX, &net, &ignored) < 0)
			continue;
		if (json_is_string(json_object_get(net, "name")))
			json_object_set_new(all, json_string_value(json_object_get(net, "name")), net);
		else
			json_decref(net);
	}
	*out = all;
	return 0;
}

/* The network's subnet of subnet->family's kind ("subnet" or "subnet6"). */
static int subnet_of(json_t *net, int family, struct ipam_subnet *subnet)
{
	struct silo_err ignored = { 0 };
	const char *cidr = json_string_value(json_object_get(net, family == AF_INET6 ? "subnet6" : "subnet"));

	return cidr ? ipam_subnet_parse(cidr, subnet, &ignored) : -1;
}

/* The network (built-in or stored) whose subnet overlaps subnet, or NULL. */
static const char *overlapping(json_t *all, const struct ipam_subnet *subnet)
{
	_cleanup_json_ json_t *builtin = default_network();
	struct ipam_subnet other;
	const char *name;
	json_t *net;

	if (builtin && subnet_of(builtin, subnet->family, &other) == 0 &&
	    ipam_subnet_overlaps(&other, subnet))
		return NETWORK_DEFAULT_NAME;
	json_object_foreach(all, name, net)
		if (subnet_of(net, subnet->family, &other) == 0 && ipam_subnet_overlaps(&other, subnet))
			return name;
	return NULL;
}

/* Whether the host routes somewhere into subnet already (an address on a
 * link, a VPN): a network there would shadow it. IPv4 only, from
 * /proc/net/route. */
static int host_routes_into(const struct ipam_subnet *subnet)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
	char line[512];

	if (!f || subnet->family != AF_INET)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char ifname[64];
		unsigned int dest, mask;
		struct ipam_subnet route = { .family = AF_INET };

		if (sscanf(line, "%63s %x %*x %*x %*d %*d %*d %x", ifname, &dest, &mask) != 3 || !mask)
			continue;
		memcpy(route.addr, &dest, 4);
		route.prefix_len = __builtin_popcount(mask);
		if (ipam_subnet_overlaps(&route, subnet))
			return 1;
	}
	return 0;
}

/* The first /64 of the IPv6 pool that no network has. */
static int pick_subnet6(json_t *all, struct ipam_subnet *out, struct silo_err *err)
{
	struct ipam_subnet pool;

	if (ipam_subnet_parse(NETWORK_POOL6_FIRST, &pool, err) < 0)
		return -1;
	for (int n = pool.addr[7]; n < 256; n++) {
		struct ipam_subnet candidate = pool;
		char cidr[64];

		candidate.addr[7] = (unsigned char)n;
		if (overlapping(all, &candidate))
			continue;
		ipam_subnet_format(&candidate, cidr, sizeof(cidr));
		return ipam_subnet_parse(cidr, out, err);
	}
	return silo_err_set(err, ENOSPC, "no free IPv6 subnet left in %s/56: give one with --subnet",
			    NETWORK_POOL6_FIRST);
}

int network_host_has_ipv6(void)
{
	char value[8] = "";
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/net/ipv6/conf/all/disable_ipv6", "re");

	return f && fgets(value, sizeof(value), f) && value[0] == '0';
}

/* The first /24 of the pool that no network and no host route has. */
static int pick_subnet(json_t *all, struct ipam_subnet *out, struct silo_err *err)
{
	struct ipam_subnet pool;

	if (ipam_subnet_parse(NETWORK_POOL_FIRST, &pool, err) < 0)
		return -1;
	for (int third = pool.addr[2]; third < 256; third++) {
		struct ipam_subnet candidate = pool;

		candidate.addr[2] = (unsigned char)third;
		if (!overlapping(all, &candidate) && !host_routes_into(&candidate)) {
			char cidr[64];

			ipam_subnet_format(&candidate, cidr, sizeof(cidr));
			return ipam_subnet_parse(cidr, out, err);
		}
	}
	return silo_err_set(err, ENOSPC, "no free subnet left in %s/16: give one with --subnet",
			    NETWORK_POOL_FIRST);
}

static int random_hex(char *out, size_t bytes, struct silo_err *err)
{
	unsigned char raw[32];

	if (bytes > sizeof(raw) || getrandom(raw, bytes, 0) != (ssize_t)bytes)
		return silo_err_errno(err, "random network ID");
	for (size_t i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", raw[i]);
	return 0;
}

static int gateway_of(const struct ipam_subnet *subnet, const char *requested, char *out, size_t size,
		      struct silo_err *err)
{
	unsigned char addr[16];

	if (!requested) {
		inet_ntop(subnet->family, subnet->gateway, out, (socklen_t)size);
		return 0;
	}
	if (inet_pton(subnet->family, requested, addr) != 1 || !ipam_subnet_contains(subnet, addr))
		return silo_err_set(err, EINVAL, "invalid --gateway \"%s\": not an address in the subnet",
				    requested);
	snprintf(out, size, "%s", requested);
	return 0;
}

/* subnet6 and gateway6 of a dual-stack network. */
static int add_ipv6(json_t *all, const struct network_create_request *req, json_t *net,
		    struct silo_err *err)
{
	struct ipam_subnet subnet;
	char cidr[64], gateway[INET6_ADDRSTRLEN];
	const char *other;

	if (!network_host_has_ipv6())
		return silo_err_set(err, EAFNOSUPPORT, "--ipv6: IPv6 is disabled on this host");
	if (req->subnet6) {
		if (ipam_subnet_parse(req->subnet6, &subnet, err) < 0)
			return silo_err_prefix(err, "invalid --subnet");
		if (subnet.family != AF_INET6)
			return silo_err_set(err, EINVAL, "invalid --subnet \"%s\": not an IPv6 subnet", req->subnet6);
		other = overlapping(all, &subnet);
		if (other)
			return silo_err_set(err, EEXIST, "subnet %s overlaps network %s", req->subnet6, other);
	} else if (pick_subnet6(all, &subnet, err) < 0) {
		return -1;
	}
	ipam_subnet_format(&subnet, cidr, sizeof(cidr));
	if (gateway_of(&subnet, req->gateway6, gateway, sizeof(gateway), err) < 0)
		return -1;
	json_object_set_new(net, "subnet6", json_string(cidr));
	json_object_set_new(net, "gateway6", json_string(gateway));
	return 0;
}

int network_create(const char *store_root, const struct network_create_request *req,
		   json_t **out, struct silo_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *all = NULL;
	_cleanup_json_ json_t *net = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *created = clock_now_text();
	struct ipam_subnet subnet;
	char cidr[64], gateway[INET6_ADDRSTRLEN], id[65], bridge[16];
	const char *other;

	if (!valid_name(req->name))
		return silo_err_set(err, EINVAL,
				    "invalid network name \"%s\": want letters, digits, '_', '.' and '-', at most 64",
				    req->name);
	if (network_is_builtin(req->name))
		return silo_err_set(err, EEXIST, "network %s is built in", req->name);
	lock = lock_networks(store_root, err);
	if (lock < 0 || load_all(store_root, &all, err) < 0)
		return -1;
	if (json_object_get(all, req->name))
		return silo_err_set(err, EEXIST, "network with name %s already exists", req->name);
	if (req->subnet) {
		if (ipam_subnet_parse(req->subnet, &subnet, err) < 0)
			return silo_err_prefix(err, "invalid --subnet");
		if (subnet.family != AF_INET)
			return silo_err_set(err, EINVAL, "invalid --subnet \"%s\": want an IPv4 subnet (and --ipv6 for IPv6)",
					    req->subnet);
		other = overlapping(all, &subnet);
		if (other)
			return silo_err_set(err, EEXIST, "subnet %s overlaps network %s", req->subnet, other);
	} else if (pick_subnet(all, &subnet, err) < 0) {
		return -1;
	}
	ipam_subnet_format(&subnet, cidr, sizeof(cidr));
	if (gateway_of(&subnet, req->gateway, gateway, sizeof(gateway), err) < 0 ||
	    random_hex(id, 32, err) < 0)
		return -1;
	/* IFNAMSIZ: 15 characters at most. */
	snprintf(bridge, sizeof(bridge), "silo-%.10s", id);
	net = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "name", req->name, "id", id,
			"driver", "bridge", "bridge", bridge, "subnet", cidr, "gateway", gateway,
			"created", created ? created : "", "internal", req->internal);
	if (!net || asprintf(&path, "%s/networks/%s.json", store_root, req->name) < 0)
		return silo_err_sys(err, ENOMEM, "network %s", req->name);
	if ((req->ipv6 || req->subnet6) && add_ipv6(all, req, net, err) < 0)
		return -1;
	if (json_write_path_atomic(path, net, 0600, err) < 0)
		return -1;
	if (out)
		*out = json_incref(net);
	return 0;
}

int network_load(const char *store_root, const char *name, json_t **out, struct silo_err *err)
{
	_cleanup_json_ json_t *all = NULL;
	json_t *found = NULL, *net;
	const char *key;
	size_t len = strlen(name);

	if (!strcmp(name, NETWORK_DEFAULT_NAME) || !strcmp(name, NETWORK_DEFAULT_ID)) {
		*out = default_network();
		return *out ? 0 : silo_err_sys(err, ENOMEM, "network %s", name);
	}
	if (load_all(store_root, &all, err) < 0)
		return -1;
	found = json_object_get(all, name);
	if (!found && len >= 3) {
		json_object_foreach(all, key, net) {
			const char *id = json_string_value(json_object_get(net, "id"));

			if (id && !strncmp(id, name, len)) {
				if (found)
					return silo_err_set(err, EINVAL, "network ID %s is ambiguous", name);
				found = net;
			}
		}
	}
	if (!found)
		return silo_err_set(err, ENOENT, "network %s not found", name);
	*out = json_incref(found);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	json_t *const *x = a, *const *y = b;

	return strcmp(json_string_value(json_object_get(*x, "name")),
		      json_string_value(json_object_get(*y, "name")));
}

int network_list(const char *store_root, json_t **out, struct silo_err *err)
{
	_cleanup_json_ json_t *all = NULL;
	_cleanup_free_ json_t **sorted = NULL;
	json_t *list = json_array(), *net;
	const char *key;
	size_t n = 0;

	if (!list || load_all(store_root, &all, err) < 0) {
		json_decref(list);
		return -1;
	}
	json_array_append_new(list, default_network());
	sorted = calloc(json_object_size(all) + 1, sizeof(*sorted));
	if (!sorted) {
		json_decref(list);
		return silo_err_sys(err, ENOMEM, "networks");
	}
	json_object_foreach(all, key, net)
		sorted[n++] = net;
	qsort(sorted, n, sizeof(*sorted), by_name);
	for (size_t i = 0; i < n; i++)
		json_array_append(list, sorted[i]);
	*out = list;
	return 0;
}

char *network_leases_path(const char *store_root, json_t *network)
{
	char *path = NULL;

	if (asprintf(&path, "%s/networks/%s.leases", store_root,
		     json_string_value(json_object_get(network, "id"))) < 0)
		return NULL;
	return path;
}

char *network_leases6_path(const char *store_root, json_t *network)
{
	char *path = NULL;

	if (asprintf(&path, "%s/networks/%s.leases6", store_root,
		     json_string_value(json_object_get(network, "id"))) < 0)
		return NULL;
	return path;
}

int network_remove(const char *store_root, const char *name, struct silo_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *net = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *leases = NULL;
	_cleanup_free_ char *leases_lock = NULL;

	if (network_is_builtin(name))
		return silo_err_set(err, EPERM, "%s is a pre-defined network and cannot be removed", name);
	lock = lock_networks(store_root, err);
	if (lock < 0 || network_load(store_root, name, &net, err) < 0)
		return -1;
	leases = network_leases_path(store_root, net);
	if (!leases || asprintf(&path, "%s/networks/%s.json", store_root,
				json_string_value(json_object_get(net, "name"))) < 0 ||
	    asprintf(&leases_lock, "%s.lock", leases) < 0)
		return silo_err_sys(err, ENOMEM, "network %s", name);
	if (unlink(path) < 0 && errno != ENOENT)
		return silo_err_errno(err, "remove network %s", name);
	unlink(leases);
	unlink(leases_lock);
	{
		_cleanup_free_ char *leases6 = network_leases6_path(store_root, net);
		_cleanup_free_ char *leases6_lock = NULL;

		if (leases6 && asprintf(&leases6_lock, "%s.lock", leases6) >= 0) {
			unlink(leases6);
			unlink(leases6_lock);
		}
	}
	return 0;
}
