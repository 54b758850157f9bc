/* silo's nftables table (see nft.h), through libnftables. The rules are
 * fixed and made once, in the same transaction as the table; everything a
 * network or container changes afterwards is an element of a set or map,
 * which the kernel adds and deletes atomically. libnftables reports a
 * failure only as text, so where the cause matters (an element already
 * there, or already gone) the code looks at the table again rather than
 * parsing messages. */
#include "net/nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "net/ipam.h"
#include "util/cleanup.h"
#include "util/dlib.h"
#include "util/strv.h"

/* libnftables (with libnftnl, libxtables and libgmp) is opened when a
 * command first changes the firewall, not at every engine command's start:
 * loading it takes about 1.3 ms. */
#define LIBNFTABLES_SONAME "libnftables.so.1"

static struct {
	void *handle;
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*ctx_buffer_output)(struct nft_ctx *ctx);
	int (*ctx_buffer_error)(struct nft_ctx *ctx);
	const char *(*ctx_get_output_buffer)(struct nft_ctx *ctx);
	const char *(*ctx_get_error_buffer)(struct nft_ctx *ctx);
	unsigned int (*ctx_output_get_flags)(struct nft_ctx *ctx);
	void (*ctx_output_set_flags)(struct nft_ctx *ctx, unsigned int flags);
	int (*run_cmd_from_buffer)(struct nft_ctx *ctx, const char *buf);
} lib;

#define nft_ctx_new lib.ctx_new
#define nft_ctx_free lib.ctx_free
#define nft_ctx_buffer_output lib.ctx_buffer_output
#define nft_ctx_buffer_error lib.ctx_buffer_error
#define nft_ctx_get_output_buffer lib.ctx_get_output_buffer
#define nft_ctx_get_error_buffer lib.ctx_get_error_buffer
#define nft_ctx_output_get_flags lib.ctx_output_get_flags
#define nft_ctx_output_set_flags lib.ctx_output_set_flags
#define nft_run_cmd_from_buffer lib.run_cmd_from_buffer

static int load_library(struct silo_err *err)
{
	const struct dlib_symbol symbols[] = {
		{ "nft_ctx_new", (void **)&lib.ctx_new, 0 },
		{ "nft_ctx_free", (void **)&lib.ctx_free, 0 },
		{ "nft_ctx_buffer_output", (void **)&lib.ctx_buffer_output, 0 },
		{ "nft_ctx_buffer_error", (void **)&lib.ctx_buffer_error, 0 },
		{ "nft_ctx_get_output_buffer", (void **)&lib.ctx_get_output_buffer, 0 },
		{ "nft_ctx_get_error_buffer", (void **)&lib.ctx_get_error_buffer, 0 },
		{ "nft_ctx_output_get_flags", (void **)&lib.ctx_output_get_flags, 0 },
		{ "nft_ctx_output_set_flags", (void **)&lib.ctx_output_set_flags, 0 },
		{ "nft_run_cmd_from_buffer", (void **)&lib.run_cmd_from_buffer, 0 },
	};

	if (dlib_open(&lib.handle, LIBNFTABLES_SONAME, symbols, ARRAY_SIZE(symbols), err) < 0)
		return silo_err_prefix(err, "nftables");
	return 0;
}

/* One transaction: "create table" fails when the table exists, and the
 * kernel then rejects the whole batch, so two silo commands racing here
 * never add the rules twice.
 *
 * DNAT applies only to packets for one of this host's addresses (fib daddr
 * type local), so traffic routed through the host to another machine's port
 * 8080 is left alone. The specific-address maps come first so that
 * 127.0.0.1:8080 can go to another container than *:8080. The output chain
 * does the same for the host's own connections; nft 1.0.6 knows the name
 * "dstnat" only in prerouting, so it says -100. Connections from 127.0.0.1
 * (routable to the bridge with route_localnet) are masqueraded because the
 * container's replies could not reach a loopback source. IPv6 has no
 * route_localnet: the kernel never sends a packet from ::1 out of a bridge,
 * so [::1] is left out of DNAT, to be refused at once rather than hang on a
 * packet that is dropped after the rewrite. DNATed traffic
 * from one container to another through a published port is masqueraded so
 * the replies come back through the host instead of straight across the
 * bridge. */
static const char table_definition[] =
	"create table inet silo\n"
	"table inet silo {\n"
	"	set subnets4 { type ipv4_addr; flags interval; }\n"
	"	set subnets6 { type ipv6_addr; flags interval; }\n"
	"	map ports4 { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"	map ports6 { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
	"	map addr_ports4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"	map addr_ports6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }\n"
	"	chain prerouting {\n"
	"		type nat hook prerouting priority dstnat; policy accept;\n"
	"		fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @addr_ports4\n"
	"		fib daddr type local dnat ip to meta l4proto . th dport map @ports4\n"
	"		fib daddr type local dnat ip6 to ip6 daddr . meta l4proto . th dport map @addr_ports6\n"
	"		fib daddr type local dnat ip6 to meta l4proto . th dport map @ports6\n"
	"	}\n"
	"	chain output {\n"
	"		type nat hook output priority -100; policy accept;\n"
	"		fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @addr_ports4\n"
	"		fib daddr type local dnat ip to meta l4proto . th dport map @ports4\n"
	"		fib daddr type local ip6 daddr != ::1 dnat ip6 to ip6 daddr . meta l4proto . th dport map @addr_ports6\n"
	"		fib daddr type local ip6 daddr != ::1 dnat ip6 to meta l4proto . th dport map @ports6\n"
	"	}\n"
	"	chain postrouting {\n"
	"		type nat hook postrouting priority srcnat; policy accept;\n"
	"		ip saddr @subnets4 ip daddr != @subnets4 masquerade\n"
	"		ip6 saddr @subnets6 ip6 daddr != @subnets6 masquerade\n"
	"		ip saddr 127.0.0.0/8 ip daddr @subnets4 masquerade\n"
	"		ct status dnat ip saddr @subnets4 ip daddr @subnets4 masquerade\n"
	"		ct status dnat ip6 saddr @subnets6 ip6 daddr @subnets6 masquerade\n"
	"	}\n"
	"	chain forward {\n"
	"		type filter hook forward priority filter; policy accept;\n"
	"		ip daddr @subnets4 accept\n"
	"		ip saddr @subnets4 accept\n"
	"		ip6 daddr @subnets6 accept\n"
	"		ip6 saddr @subnets6 accept\n"
	"	}\n"
	"}\n";

static const char *const port_maps[] = { "ports4", "ports6", "addr_ports4", "addr_ports6" };

static void nft_ctx_freep(struct nft_ctx **ctx)
{
	if (*ctx)
		nft_ctx_free(*ctx);
}

#define _cleanup_nft_ __attribute__((cleanup(nft_ctx_freep)))

static struct nft_ctx *nft_open(struct silo_err *err)
{
	struct nft_ctx *ctx;

	if (load_library(err) < 0)
		return NULL;
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		silo_err_set(err, ENOMEM, "nftables: cannot make a libnftables context");
		return NULL;
	}
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		nft_ctx_free(ctx);
		silo_err_set(err, ENOMEM, "nftables: cannot buffer libnftables output");
		return NULL;
	}
	return ctx;
}

/* The errno behind nft's message, for callers that branch on it. */
static int message_code(const char *msg)
{
	static const int codes[] = { EPERM, EACCES, ENOENT, EEXIST, EOPNOTSUPP, ENOMEM, EBUSY };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strstr(msg, strerror(codes[i])))
			return codes[i];
	return EIO;
}

/* nft's first "Error: ..." line; the lines after it repeat the command. */
static int nft_error(struct nft_ctx *ctx, const char *what, struct silo_err *err)
{
	const char *buf = nft_ctx_get_error_buffer(ctx);
	const char *msg = buf ? strstr(buf, "Error: ") : NULL;
	size_t len;

	msg = msg ? msg + strlen("Error: ") : (buf && *buf ? buf : "failed");
	len = strcspn(msg, "\n");
	return silo_err_set(err, message_code(msg), "nftables: %s: %.*s", what, (int)len, msg);
}

/* Runs one batch of commands; with output, in JSON, returning its parse. */
static int nft_run(struct nft_ctx *ctx, const char *cmd, json_t **output, const char *what,
		   struct silo_err *err)
{
	unsigned int flags = nft_ctx_output_get_flags(ctx);
	json_error_t jerr;
	const char *text;

	nft_ctx_output_set_flags(ctx, output ? flags | NFT_CTX_OUTPUT_JSON
					     : flags & ~(unsigned int)NFT_CTX_OUTPUT_JSON);
	/* Reading a buffer empties it, so each command's text stands alone. */
	nft_ctx_get_output_buffer(ctx);
	nft_ctx_get_error_buffer(ctx);
	if (nft_run_cmd_from_buffer(ctx, cmd) != 0)
		return nft_error(ctx, what, err);
	if (!output)
		return 0;
	text = nft_ctx_get_output_buffer(ctx);
	*output = json_loads(text ? text : "", 0, &jerr);
	if (!*output)
		return silo_err_set(err, EIO, "nftables: %s: unreadable JSON output: %s", what, jerr.text);
	return 0;
}

/* The first object in nft's JSON output {"nftables": [...]} under key. */
static json_t *nft_json_find(json_t *output, const char *key)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(output, "nftables"), i, item) {
		json_t *found = json_object_get(item, key);

		if (found)
			return found;
	}
	return NULL;
}

static int table_exists(struct nft_ctx *ctx, int *exists, struct silo_err *err)
{
	_cleanup_json_ json_t *output = NULL;
	json_t *item;
	size_t i;

	if (nft_run(ctx, "list tables inet", &output, "list tables", err) < 0)
		return -1;
	*exists = 0;
	json_array_foreach(json_object_get(output, "nftables"), i, item) {
		json_t *table = json_object_get(item, "table");

		if (table && !strcmp(json_string_value(json_object_get(table, "name")) ?: "", "silo"))
			*exists = 1;
	}
	return 0;
}

int nft_ensure_table(struct silo_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = nft_open(err);
	struct silo_err create_err = { 0 };
	int exists;

	if (!ctx || table_exists(ctx, &exists, err) < 0)
		return -1;
	if (exists)
		return 0;
	if (nft_run(ctx, table_definition, NULL, "create table inet silo", &create_err) == 0)
		return 0;
	/* Another silo may have made it between the check and the batch. */
	if (table_exists(ctx, &exists, err) < 0)
		return -1;
	if (exists)
		return 0;
	*err = create_err;
	return -1;
}

int nft_remove_table(struct silo_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = nft_open(err);

	if (!ctx)
		return -1;
	/* Adding first makes the delete succeed whether the table was there
	 * or not, in one transaction. */
	return nft_run(ctx, "add table inet silo\ndelete table inet silo\n", NULL,
		       "delete table inet silo", err);
}

/* The interval set for cidr's family, and cidr in canonical form. */
static int subnet_element(const char *cidr, const char **set, char *canonical, size_t size,
			  struct silo_err *err)
{
	struct ipam_subnet subnet;

	if (ipam_subnet_parse(cidr, &subnet, err) < 0)
		return -1;
	*set = subnet.family == AF_INET ? "subnets4" : "subnets6";
	ipam_subnet_format(&subnet, canonical, size);
	return 0;
}

int nft_subnet_add(const char *cidr, struct silo_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	_cleanup_free_ char *cmd = NULL;
	char canonical[INET6_ADDRSTRLEN + 8], what[128];
	const char *set;

	if (subnet_element(cidr, &set, canonical, sizeof(canonical), err) < 0)
		return -1;
	if (!(ctx = nft_open(err)))
		return -1;
	if (asprintf(&cmd, "add element inet silo %s { %s }", set, canonical) < 0)
		return silo_err_sys(err, ENOMEM, "add subnet %s", canonical);
	snprintf(what, sizeof(what), "add subnet %s", canonical);
	return nft_run(ctx, cmd, NULL, what, err);
}

/* `list set|map inet silo NAME` as JSON. */
static int list_elements(struct nft_ctx *ctx, const char *kind, const char *name, json_t **output,
			 struct silo_err *err)
{
	_cleanup_free_ char *cmd = NULL;

	if (asprintf(&cmd, "list %s inet silo %s", kind, name) < 0)
		return silo_err_sys(err, ENOMEM, "list %s %s", kind, name);
	return nft_run(ctx, cmd, output, cmd, err);
}

/* Whether set holds exactly the interval canonical ("10.77.0.0/16"). */
static int set_has_subnet(struct nft_ctx *ctx, const char *set, const char *canonical,
			  int *found, struct silo_err *err)
{
	_cleanup_json_ json_t *output = NULL;
	json_t *elem;
	size_t i;

	*found = 0;
	if (list_elements(ctx, "set", set, &output, err) < 0)
		return -1;
	json_array_foreach(json_object_get(nft_json_find(output, "set"), "elem"), i, elem) {
		json_t *prefix = json_object_get(elem, "prefix");
		char text[INET6_ADDRSTRLEN + 8];

		if (prefix)
			snprintf(text, sizeof(text), "%s/%lld",
				 json_string_value(json_object_get(prefix, "addr")) ?: "",
				 json_integer_value(json_object_get(prefix, "len")));
		else
			snprintf(text, sizeof(text), "%s/%d", json_string_value(elem) ?: "",
				 strcmp(set, "subnets4") ? 128 : 32);
		if (!strcmp(text, canonical))
			*found = 1;
	}
	return 0;
}

int nft_subnet_remove(const char *cidr, struct silo_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	_cleanup_free_ char *cmd = NULL;
	struct silo_err delete_err = { 0 };
	char canonical[INET6_ADDRSTRLEN + 8], what[128];
	const char *set;
	int exists, found;

	if (subnet_element(cidr, &set, canonical, sizeof(canonical), err) < 0)
		return -1;
	if (!(ctx = nft_open(err)))
		return -1;
	if (asprintf(&cmd, "delete element inet silo %s { %s }", set, canonical) < 0)
		return silo_err_sys(err, ENOMEM, "remove subnet %s", canonical);
	snprintf(what, sizeof(what), "remove subnet %s", canonical);
	if (nft_run(ctx, cmd, NULL, what, &delete_err) == 0)
		return 0;
	if (table_exists(ctx, &exists, err) < 0)
		return -1;
	if (!exists)
		return 0;
	if (set_has_subnet(ctx, set, canonical, &found, err) < 0)
		return -1;
	if (!found)
		return 0;
	*err = delete_err;
	return -1;
}

/* One published port as the maps hold it, every address canonical. */
struct published {
	const char *map;
	char host_ip[INET6_ADDRSTRLEN]; /* "" in the any-address maps */
	int protocol;
	int host_port;
	char container_ip[INET6_ADDRSTRLEN];
	int container_port;
};

static int canonical_addr(const char *text, int family, char out[INET6_ADDRSTRLEN])
{
	unsigned char addr[16];

	if (!text || inet_pton(family, text, addr) != 1 ||
	    !inet_ntop(family, addr, out, INET6_ADDRSTRLEN))
		return -1;
	return 0;
}

/* Which map m goes in, for a container address of container_ip's family. */
static int published_from(const struct port_mapping *m, const char *container_ip,
			  struct published *p, struct silo_err *err)
{
	static const unsigned char any[16];
	unsigned char host[16];
	int family = AF_INET;

	memset(p, 0, sizeof(*p));
	if (canonical_addr(container_ip, AF_INET, p->container_ip) < 0) {
		family = AF_INET6;
		if (canonical_addr(container_ip, AF_INET6, p->container_ip) < 0)
			return silo_err_set(err, EINVAL, "container address \"%s\" is not an IP address",
					    container_ip ?: "");
	}
	if (m->protocol != IPPROTO_TCP && m->protocol != IPPROTO_UDP)
		return silo_err_set(err, EINVAL, "port %d: unsupported protocol %d", m->host_port,
				    m->protocol);
	if (m->host_port < 1 || m->host_port > 65535 || m->container_port < 1 ||
	    m->container_port > 65535)
		return silo_err_set(err, EINVAL, "publish %d:%d/%s: ports must be 1-65535", m->host_port,
				    m->container_port, ports_protocol_name(m->protocol));
	if (m->host_ip[0]) {
		if (inet_pton(family, m->host_ip, host) != 1)
			return silo_err_set(err, EINVAL,
					    "host address %s and container address %s are not of one family",
					    m->host_ip, p->container_ip);
		/* 0.0.0.0 and :: are "every address", like "". */
		if (memcmp(host, any, family == AF_INET ? 4 : 16))
			inet_ntop(family, host, p->host_ip, sizeof(p->host_ip));
	}
	p->map = p->host_ip[0] ? (family == AF_INET ? "addr_ports4" : "addr_ports6")
			       : (family == AF_INET ? "ports4" : "ports6");
	p->protocol = m->protocol;
	p->host_port = m->host_port;
	p->container_port = m->container_port;
	return 0;
}

static void published_key(const struct published *p, char *buf, size_t size)
{
	if (p->host_ip[0])
		snprintf(buf, size, "%s . %s . %d", p->host_ip, ports_protocol_name(p->protocol),
			 p->host_port);
	else
		snprintf(buf, size, "%s . %d", ports_protocol_name(p->protocol), p->host_port);
}

static int json_port(json_t *v, int *out)
{
	if (json_is_integer(v))
		*out = (int)json_integer_value(v);
	else if (json_is_string(v))
		*out = atoi(json_string_value(v));
	else
		return -1;
	return *out > 0 && *out <= 65535 ? 0 : -1;
}

static int json_protocol(json_t *v, int *out)
{
	const char *name = json_string_value(v);

	if ((name && !strcmp(name, "tcp")) || json_integer_value(v) == IPPROTO_TCP)
		*out = IPPROTO_TCP;
	else if ((name && !strcmp(name, "udp")) || json_integer_value(v) == IPPROTO_UDP)
		*out = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

/* The parts of a concatenation, with the {"elem": {"val": ...}} wrapper nft
 * puts around elements that carry a timeout or comment taken off. */
static json_t *concat_parts(json_t *v)
{
	json_t *wrapped = json_object_get(json_object_get(v, "elem"), "val");

	return json_object_get(wrapped ? wrapped : v, "concat");
}

/* One map element [key, value]; 0 when it parses as one silo made. */
static int parse_element(const char *map, json_t *elem, struct published *p)
{
	int family = strchr(map, '6') ? AF_INET6 : AF_INET;
	int with_addr = !strncmp(map, "addr_", 5);
	json_t *key = concat_parts(json_array_get(elem, 0));
	json_t *value = concat_parts(json_array_get(elem, 1));
	size_t k = 0;

	memset(p, 0, sizeof(*p));
	p->map = map;
	if (json_array_size(key) != (with_addr ? 3u : 2u) || json_array_size(value) != 2)
		return -1;
	if (with_addr && canonical_addr(json_string_value(json_array_get(key, k++)), family,
					p->host_ip) < 0)
		return -1;
	if (json_protocol(json_array_get(key, k++), &p->protocol) < 0 ||
	    json_port(json_array_get(key, k), &p->host_port) < 0 ||
	    canonical_addr(json_string_value(json_array_get(value, 0)), family, p->container_ip) < 0 ||
	    json_port(json_array_get(value, 1), &p->container_port) < 0)
		return -1;
	return 0;
}

/* Appends map's elements to list, as struct published. */
static int map_elements(struct nft_ctx *ctx, const char *map, struct published **list, size_t *n,
			struct silo_err *err)
{
	_cleanup_json_ json_t *output = NULL;
	json_t *elem;
	size_t i;

	if (list_elements(ctx, "map", map, &output, err) < 0)
		return -1;
	json_array_foreach(json_object_get(nft_json_find(output, "map"), "elem"), i, elem) {
		struct published p, *grown;

		/* Something else's element (added by hand) is not silo's to list. */
		if (parse_element(map, elem, &p) < 0)
			continue;
		grown = reallocarray(*list, *n + 1, sizeof(**list));
		if (!grown)
			return silo_err_sys(err, ENOMEM, "list map %s", map);
		*list = grown;
		(*list)[(*n)++] = p;
	}
	return 0;
}

/* The element with want's key, in a table that exists. */
static int find_published(struct nft_ctx *ctx, const struct published *want, int *found,
			  struct published *out, struct silo_err *err)
{
	_cleanup_free_ struct published *list = NULL;
	size_t n = 0;

	*found = 0;
	if (map_elements(ctx, want->map, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (list[i].protocol == want->protocol && list[i].host_port == want->host_port &&
		    !strcmp(list[i].host_ip, want->host_ip)) {
			*out = list[i];
			*found = 1;
		}
	}
	return 0;
}

int nft_port_add(const struct port_mapping *m, const char *container_ip, struct silo_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	_cleanup_free_ char *cmd = NULL;
	struct silo_err create_err = { 0 };
	struct published want, have;
	char key[128], what[160];
	int exists, found;

	if (published_from(m, container_ip, &want, err) < 0)
		return -1;
	if (!(ctx = nft_open(err)))
		return -1;
	published_key(&want, key, sizeof(key));
	if (asprintf(&cmd, "create element inet silo %s { %s : %s . %d }", want.map, key,
		     want.container_ip, want.container_port) < 0)
		return silo_err_sys(err, ENOMEM, "publish port %d", want.host_port);
	snprintf(what, sizeof(what), "publish port %d/%s to %s:%d", want.host_port,
		 ports_protocol_name(want.protocol), want.container_ip, want.container_port);
	if (nft_run(ctx, cmd, NULL, what, &create_err) == 0)
		return 0;
	if (table_exists(ctx, &exists, err) < 0)
		return -1;
	if (!exists)
		return silo_err_set(err, ENOENT, "nftables: %s: table inet silo does not exist", what);
	if (find_published(ctx, &want, &found, &have, err) < 0)
		return -1;
	if (found)
		return silo_err_set(err, EADDRINUSE, "port %d/%s is already published%s%s", want.host_port,
				    ports_protocol_name(want.protocol), want.host_ip[0] ? " on " : "",
				    want.host_ip);
	*err = create_err;
	return -1;
}

int nft_port_remove(const struct port_mapping *m, const char *container_ip, struct silo_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	_cleanup_free_ char *cmd = NULL;
	struct published want, have;
	char key[128], what[160];
	int exists, found;

	if (published_from(m, container_ip, &want, err) < 0)
		return -1;
	if (!(ctx = nft_open(err)))
		return -1;
	if (table_exists(ctx, &exists, err) < 0)
		return -1;
	if (!exists)
		return 0;
	/* The key may since have been published again for another container:
	 * only an element pointing at this container is this caller's. */
	if (find_published(ctx, &want, &found, &have, err) < 0)
		return -1;
	if (!found || strcmp(have.container_ip, want.container_ip) ||
	    have.container_port != want.container_port)
		return 0;
	published_key(&want, key, sizeof(key));
	if (asprintf(&cmd, "delete element inet silo %s { %s }", want.map, key) < 0)
		return silo_err_sys(err, ENOMEM, "unpublish port %d", want.host_port);
	snprintf(what, sizeof(what), "unpublish port %d/%s", want.host_port,
		 ports_protocol_name(want.protocol));
	return nft_run(ctx, cmd, NULL, what, err);
}

int nft_ports_list(json_t **out, struct silo_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = nft_open(err);
	_cleanup_free_ struct published *list = NULL;
	_cleanup_json_ json_t *array = json_array();
	size_t n = 0;
	int exists;

	if (!ctx || !array)
		return ctx ? silo_err_sys(err, ENOMEM, "list published ports") : -1;
	if (table_exists(ctx, &exists, err) < 0)
		return -1;
	for (size_t i = 0; exists && i < sizeof(port_maps) / sizeof(port_maps[0]); i++)
		if (map_elements(ctx, port_maps[i], &list, &n, err) < 0)
			return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_pack("{s:s, s:i, s:s, s:s, s:i}", "hostIp", list[i].host_ip,
					 "hostPort", list[i].host_port, "protocol",
					 ports_protocol_name(list[i].protocol), "containerIp",
					 list[i].container_ip, "containerPort",
					 list[i].container_port);

		if (!item || json_array_append_new(array, item) < 0)
			return silo_err_sys(err, ENOMEM, "list published ports");
	}
	*out = steal_pointer(&array);
	return 0;
}
