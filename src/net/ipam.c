/* Address management for one network's subnet (see ipam.h). The lease file
 * is a JSON object keyed by address in inet_ntop's canonical form, so
 * "fd00:0::2" and "fd00::2" are one key. A lease is found by scanning
 * upward from the first host address for the lowest address not in the
 * file: the scan stops at the first free address, so it takes at most as
 * many steps as there are leases, even in an IPv6 /64. */
#include "net/ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* A /16 full of leases is a few megabytes; this leaves room for /12s. */
#define IPAM_FILE_MAX (64 * 1024 * 1024)

static size_t addr_size(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int max_prefix(int family)
{
	return family == AF_INET ? 32 : 128;
}

static void addr_mask(unsigned char *addr, int family, int prefix_len)
{
	for (int i = 0; i < (int)addr_size(family); i++) {
		int bits = prefix_len - 8 * i;

		if (bits >= 8)
			continue;
		addr[i] &= bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
	}
}

static int prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)bytes))
		return 0;
	if (!rest)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest))) == 0;
}

/* The subnet's last address: the broadcast address in IPv4. */
static void addr_last(const struct ipam_subnet *subnet, unsigned char *out)
{
	size_t size = addr_size(subnet->family);

	memcpy(out, subnet->addr, size);
	for (int i = 0; i < (int)size; i++) {
		int bits = subnet->prefix_len - 8 * i;

		if (bits >= 8)
			continue;
		out[i] |= bits <= 0 ? 0xff : (unsigned char)(0xff >> bits);
	}
}

/* Adds one; returns 0 when the address wrapped around. */
static int addr_increment(unsigned char *addr, size_t size)
{
	for (size_t i = size; i-- > 0;)
		if (++addr[i] != 0)
			return 1;
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

int ipam_subnet_parse(const char *cidr, struct ipam_subnet *out, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(cidr);
	struct ipam_subnet subnet = { 0 };
	char *slash, *end;
	long prefix;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "subnet \"%s\"", cidr);
	slash = strchr(copy, '/');
	if (!slash)
		return silo_err_set(err, EINVAL,
				    "subnet \"%s\" needs a prefix length, as in 10.77.0.0/16", cidr);
	*slash = '\0';
	if (inet_pton(AF_INET, copy, subnet.addr) == 1)
		subnet.family = AF_INET;
	else if (inet_pton(AF_INET6, copy, subnet.addr) == 1)
		subnet.family = AF_INET6;
	else
		return silo_err_set(err, EINVAL, "subnet \"%s\": \"%s\" is not an IP address", cidr,
				    copy);
	errno = 0;
	prefix = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || prefix < 0 || prefix > max_prefix(subnet.family))
		return silo_err_set(err, EINVAL, "subnet \"%s\": prefix length must be 0-%d", cidr,
				    max_prefix(subnet.family));
	/* A network needs a gateway and at least one container address besides
	 * the network (and, in IPv4, broadcast) address. */
	if (prefix > max_prefix(subnet.family) - 2)
		return silo_err_set(err, EINVAL,
				    "subnet \"%s\" is too small for a gateway and a container: use /%d or shorter",
				    cidr, max_prefix(subnet.family) - 2);
	subnet.prefix_len = (int)prefix;
	addr_mask(subnet.addr, subnet.family, subnet.prefix_len);
	memcpy(subnet.gateway, subnet.addr, sizeof(subnet.gateway));
	addr_increment(subnet.gateway, addr_size(subnet.family));
	*out = subnet;
	return 0;
}

void ipam_subnet_format(const struct ipam_subnet *subnet, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(subnet->family, subnet->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, size, "%s/%d", addr, subnet->prefix_len);
}

int ipam_subnet_contains(const struct ipam_subnet *subnet, const unsigned char *addr)
{
	return prefix_equal(subnet->addr, addr, subnet->prefix_len);
}

int ipam_subnet_overlaps(const struct ipam_subnet *a, const struct ipam_subnet *b)
{
	if (a->family != b->family)
		return 0;
	return prefix_equal(a->addr, b->addr, a->prefix_len < b->prefix_len ? a->prefix_len
									       : b->prefix_len);
}

static int lock_leases(const char *path, struct silo_err *err)
{
	_cleanup_free_ char *lock_path = NULL;

	if (asprintf(&lock_path, "%s.lock", path) < 0)
		return silo_err_sys(err, ENOMEM, "lock leases \"%s\"", path);
	return fs_lock_file(lock_path, err);
}

static int load_leases(const char *path, json_t **out, struct silo_err *err)
{
	struct silo_err load_err = { 0 };
	json_t *leases = NULL;

	if (json_load_path(path, IPAM_FILE_MAX, &leases, &load_err) < 0) {
		if (load_err.code != ENOENT) {
			*err = load_err;
			return -1;
		}
		leases = json_object();
		if (!leases)
			return silo_err_sys(err, ENOMEM, "leases \"%s\"", path);
	}
	if (!json_is_object(leases)) {
		silo_err_set(err, EINVAL, "lease file \"%s\" holds %s, not an object", path,
			     json_kind_name(leases));
		json_decref(leases);
		return -1;
	}
	*out = leases;
	return 0;
}

static const char *lease_owner(json_t *lease)
{
	return json_string_value(json_object_get(lease, "owner"));
}

/* The address owner holds, or NULL. */
static const char *find_owner(json_t *leases, const char *owner)
{
	const char *addr;
	json_t *lease;

	json_object_foreach(leases, addr, lease) {
		const char *o = lease_owner(lease);

		if (o && !strcmp(o, owner))
			return addr;
	}
	return NULL;
}

static void format_addr(int family, const unsigned char *addr, char buf[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(family, addr, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
}

/* Checks a --ip value and puts it in canonical form. */
static int check_requested(const struct ipam_subnet *subnet, const char *requested,
			   char text[INET6_ADDRSTRLEN], struct silo_err *err)
{
	unsigned char addr[16] = { 0 }, last[16];
	size_t size = addr_size(subnet->family);
	char cidr[INET6_ADDRSTRLEN + 8];

	ipam_subnet_format(subnet, cidr, sizeof(cidr));
	if (inet_pton(subnet->family, requested, addr) != 1)
		return silo_err_set(err, EINVAL, "address \"%s\" is not an %s address, as subnet %s needs",
				    requested, family_name(subnet->family), cidr);
	format_addr(subnet->family, addr, text);
	addr_last(subnet, last);
	if (!ipam_subnet_contains(subnet, addr))
		return silo_err_set(err, EINVAL, "address %s is not in subnet %s", text, cidr);
	if (!memcmp(addr, subnet->addr, size))
		return silo_err_set(err, EINVAL, "address %s is the network address of %s", text, cidr);
	if (!memcmp(addr, subnet->gateway, size))
		return silo_err_set(err, EINVAL, "address %s is the gateway of %s", text, cidr);
	if (subnet->family == AF_INET && !memcmp(addr, last, size))
		return silo_err_set(err, EINVAL, "address %s is the broadcast address of %s", text,
				    cidr);
	return 0;
}

static int lease_in_subnet(const struct ipam_subnet *subnet, const char *text)
{
	unsigned char addr[16] = { 0 };

	return inet_pton(subnet->family, text, addr) == 1 && ipam_subnet_contains(subnet, addr);
}

static int lowest_free(const struct ipam_subnet *subnet, json_t *leases,
		       char text[INET6_ADDRSTRLEN], struct silo_err *err)
{
	size_t size = addr_size(subnet->family);
	unsigned char candidate[16], last[16];
	char cidr[INET6_ADDRSTRLEN + 8];

	memcpy(candidate, subnet->addr, sizeof(candidate));
	addr_last(subnet, last);
	while (addr_increment(candidate, size) && memcmp(candidate, last, size) <= 0) {
		if (subnet->family == AF_INET && !memcmp(candidate, last, size))
			break;
		if (!memcmp(candidate, subnet->gateway, size))
			continue;
		format_addr(subnet->family, candidate, text);
		if (!json_object_get(leases, text))
			return 0;
	}
	ipam_subnet_format(subnet, cidr, sizeof(cidr));
	return silo_err_set(err, ENOSPC, "no free address left in subnet %s", cidr);
}

int ipam_lease(const char *path, const struct ipam_subnet *subnet,
	       const struct ipam_lease_request *req, char *out, size_t out_size,
	       struct silo_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *leases = NULL;
	_cleanup_json_ json_t *lease = NULL;
	_cleanup_json_ json_t *old_data = NULL;
	_cleanup_free_ char *held = NULL;
	char text[INET6_ADDRSTRLEN];
	char cidr[INET6_ADDRSTRLEN + 8];
	const char *owned;
	json_t *data;

	if (!req->owner || !*req->owner)
		return silo_err_set(err, EINVAL, "lease in \"%s\": no owner given", path);
	ipam_subnet_format(subnet, cidr, sizeof(cidr));
	if (req->requested && check_requested(subnet, req->requested, text, err) < 0)
		return -1;
	lock = lock_leases(path, err);
	if (lock < 0)
		return -1;
	if (load_leases(path, &leases, err) < 0)
		return -1;
	owned = find_owner(leases, req->owner);
	if (owned && !(held = strdup(owned)))
		return silo_err_sys(err, ENOMEM, "lease in \"%s\"", path);

	if (req->requested) {
		json_t *taken = json_object_get(leases, text);

		if (taken && strcmp(lease_owner(taken) ?: "", req->owner))
			return silo_err_set(err, EADDRINUSE, "address %s is already in use on %s", text,
					    cidr);
	} else if (held && lease_in_subnet(subnet, held)) {
		snprintf(text, sizeof(text), "%s", held);
	} else if (lowest_free(subnet, leases, text, err) < 0) {
		return -1;
	}
	/* The owner's old entry goes; it is written again below, at the same
	 * address or, when the owner asked for another or held one of a subnet
	 * the network no longer has, at the new one: it never holds two. */
	if (held) {
		old_data = json_incref(json_object_get(json_object_get(leases, held), "data"));
		json_object_del(leases, held);
	}
	if (strlen(text) >= out_size)
		return silo_err_set(err, ERANGE, "lease %s: buffer too small", text);

	/* A lease asked for again without data keeps what it had. */
	data = req->data ? req->data : old_data;
	lease = json_pack("{s:s}", "owner", req->owner);
	if (!lease || (data && json_object_set(lease, "data", data) < 0) ||
	    json_object_set(leases, text, lease) < 0)
		return silo_err_sys(err, ENOMEM, "lease %s in \"%s\"", text, path);
	if (json_write_path_atomic(path, leases, 0644, err) < 0)
		return -1;
	snprintf(out, out_size, "%s", text);
	return 0;
}

int ipam_release(const char *path, const char *owner, struct silo_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_t *leases = NULL;
	_cleanup_free_ char *held = NULL;
	struct silo_err lock_err = { 0 };

	lock = lock_leases(path, &lock_err);
	if (lock < 0) {
		/* No directory for the file: nothing was ever leased there. */
		if (lock_err.code == ENOENT)
			return 0;
		*err = lock_err;
		return -1;
	}
	if (load_leases(path, &leases, err) < 0)
		return -1;
	if (!find_owner(leases, owner))
		return 0;
	held = strdup(find_owner(leases, owner));
	if (!held)
		return silo_err_sys(err, ENOMEM, "release lease of \"%s\"", owner);
	json_object_del(leases, held);
	return json_write_path_atomic(path, leases, 0644, err);
}

int ipam_leases(const char *path, json_t **out, struct silo_err *err)
{
	/* Writers rename a complete file into place, so reading needs no lock. */
	return load_leases(path, out, err);
}
