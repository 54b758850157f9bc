/* Published ports (see ports.h): docker's -p syntax, and the host side
 * checks made before a container starts. A port is free when a socket of
 * the same protocol can bind it now; silo keeps no socket open afterwards,
 * since nftables, not a proxy, carries the traffic. */
#include "net/ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cleanup.h"

struct port_range {
	int first;
	int last;
};

const char *ports_protocol_name(int protocol)
{
	switch (protocol) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	}
	return "unknown";
}

static int parse_protocol(const char *spec, const char *name, int *out, struct silo_err *err)
{
	if (!strcasecmp(name, "tcp"))
		*out = IPPROTO_TCP;
	else if (!strcasecmp(name, "udp"))
		*out = IPPROTO_UDP;
	else
		return silo_err_set(err, EINVAL,
				    "port spec \"%s\": unsupported protocol \"%s\": use tcp or udp", spec,
				    name);
	return 0;
}

static int parse_port(const char *text, int *out)
{
	char *end;
	long v;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < 0 || v > 65535)
		return -1;
	*out = (int)v;
	return 0;
}

/* "80" or "80-89". An empty host side means "pick one" (0); only the host
 * side may say 0. */
static int parse_range(const char *spec, const char *what, char *text, int allow_zero,
		       struct port_range *out, struct silo_err *err)
{
	char *dash = strchr(text, '-');

	if (!*text && allow_zero) {
		*out = (struct port_range){ 0, 0 };
		return 0;
	}
	if (dash)
		*dash = '\0';
	if (parse_port(text, &out->first) < 0 || (dash && parse_port(dash + 1, &out->last) < 0))
		return silo_err_set(err, EINVAL, "port spec \"%s\": %s port \"%s%s%s\" is not a port (1-65535)",
				    spec, what, text, dash ? "-" : "", dash ? dash + 1 : "");
	if (!dash)
		out->last = out->first;
	if (out->first == 0 && (!allow_zero || dash))
		return silo_err_set(err, EINVAL, "port spec \"%s\": %s port 0 is not a port (1-65535)",
				    spec, what);
	if (out->last < out->first)
		return silo_err_set(err, EINVAL, "port spec \"%s\": %s port range %d-%d ends before it starts",
				    spec, what, out->first, out->last);
	return 0;
}

/* Bracketed addresses are IPv6, bare ones IPv4; both come out canonical. */
static int parse_host_ip(const char *spec, const char *text, int bracketed,
			 char out[INET6_ADDRSTRLEN], struct silo_err *err)
{
	int family = bracketed ? AF_INET6 : AF_INET;
	unsigned char addr[16];

	if (!*text && !bracketed) {
		out[0] = '\0';
		return 0;
	}
	if (inet_pton(family, text, addr) != 1 || !inet_ntop(family, addr, out, INET6_ADDRSTRLEN))
		return silo_err_set(err, EINVAL, "port spec \"%s\": \"%s\" is not an %s address", spec,
				    text, bracketed ? "IPv6" : "IPv4");
	return 0;
}

static int append(struct port_mapping **list, size_t *n, const struct port_mapping *add,
		  size_t count, const char *spec, struct silo_err *err)
{
	struct port_mapping *grown = reallocarray(*list, *n + count, sizeof(**list));

	if (!grown)
		return silo_err_sys(err, ENOMEM, "port spec \"%s\"", spec);
	memcpy(grown + *n, add, count * sizeof(*add));
	*list = grown;
	*n += count;
	return 0;
}

int ports_parse(const char *spec, struct port_mapping **list, size_t *n, struct silo_err *err)
{
	_cleanup_free_ char *copy = strdup(spec);
	_cleanup_free_ struct port_mapping *out = NULL;
	struct port_mapping base = { .protocol = IPPROTO_TCP };
	struct port_range host, container;
	char no_host[] = "";
	char *ip = NULL, *host_text = no_host, *container_text, *slash, *colon;
	int bracketed = 0;
	size_t count;

	if (!copy)
		return silo_err_sys(err, ENOMEM, "port spec \"%s\"", spec);
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		if (parse_protocol(spec, slash + 1, &base.protocol, err) < 0)
			return -1;
	}
	container_text = copy;
	if (copy[0] == '[') {
		char *close = strchr(copy, ']');

		if (!close || close[1] != ':' || !strchr(close + 2, ':'))
			return silo_err_set(err, EINVAL,
					    "port spec \"%s\": an address needs a host and a container port, as in [::1]:8080:80",
					    spec);
		*close = '\0';
		ip = copy + 1;
		bracketed = 1;
		host_text = close + 2;
	} else if ((colon = strchr(copy, ':'))) {
		char *second = strchr(colon + 1, ':');

		*colon = '\0';
		if (second) {
			ip = copy;
			host_text = colon + 1;
		} else {
			host_text = copy;
			container_text = colon + 1;
		}
	}
	if (ip) {
		colon = strchr(host_text, ':');
		*colon = '\0';
		container_text = colon + 1;
		if (strchr(container_text, ':'))
			return silo_err_set(err, EINVAL,
					    "port spec \"%s\": too many colons; IPv6 addresses go in brackets, as in [::1]:8080:80",
					    spec);
		if (parse_host_ip(spec, ip, bracketed, base.host_ip, err) < 0)
			return -1;
	}
	if (parse_range(spec, "container", container_text, 0, &container, err) < 0 ||
	    parse_range(spec, "host", host_text, 1, &host, err) < 0)
		return -1;

	count = (size_t)(container.last - container.first + 1);
	if (host.first && host.last > host.first && container.first == container.last) {
		/* docker's "any one of": ports_pick_free chooses in the range. */
		base.host_port = host.first;
		base.host_port_last = host.last;
		base.container_port = container.first;
		return append(list, n, &base, 1, spec, err);
	}
	if (host.first && host.last - host.first != container.last - container.first)
		return silo_err_set(err, EINVAL,
				    "port spec \"%s\": host ports %d-%d and container ports %d-%d are ranges of different lengths",
				    spec, host.first, host.last, container.first, container.last);
	out = calloc(count, sizeof(*out));
	if (!out)
		return silo_err_sys(err, ENOMEM, "port spec \"%s\"", spec);
	for (size_t i = 0; i < count; i++) {
		out[i] = base;
		out[i].host_port = host.first ? host.first + (int)i : 0;
		out[i].container_port = container.first + (int)i;
	}
	return append(list, n, out, count, spec, err);
}

/* The socket address for m's host side at port; "" is every IPv4 address. */
static int host_sockaddr(const struct port_mapping *m, int port, struct sockaddr_storage *ss,
			 socklen_t *len, struct silo_err *err)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!m->host_ip[0] || inet_pton(AF_INET, m->host_ip, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, m->host_ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return silo_err_set(err, EINVAL, "host address \"%s\" is not an IP address", m->host_ip);
}

static const char *host_ip_name(const struct port_mapping *m)
{
	return m->host_ip[0] ? m->host_ip : "0.0.0.0";
}

/* Binds a socket like a server of m's protocol would; returns it, or -errno
 * with err filled. */
static int bind_host_port(const struct port_mapping *m, int port, struct silo_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	_cleanup_close_ int fd = -1;
	int one = 1, type;

	if (m->protocol != IPPROTO_TCP && m->protocol != IPPROTO_UDP)
		return silo_err_set(err, EINVAL, "port %d: unsupported protocol %d", port, m->protocol);
	if (host_sockaddr(m, port, &ss, &len, err) < 0)
		return -1;
	type = m->protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return silo_err_errno(err, "port %d/%s on %s: socket", port,
				      ports_protocol_name(m->protocol), host_ip_name(m));
	/* Servers set SO_REUSEADDR so a port whose old connections linger in
	 * TIME_WAIT binds again; so must the check, or it reports those ports
	 * as taken when the container could use them. */
	if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return silo_err_errno(err, "port %d/tcp on %s: SO_REUSEADDR", port, host_ip_name(m));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		if (e == EADDRINUSE)
			return silo_err_set(err, EADDRINUSE, "port %d/%s on %s is already in use", port,
					    ports_protocol_name(m->protocol), host_ip_name(m));
		if (e == EADDRNOTAVAIL)
			return silo_err_set(err, EADDRNOTAVAIL,
					    "port %d/%s: %s is not an address of this host", port,
					    ports_protocol_name(m->protocol), host_ip_name(m));
		return silo_err_sys(err, e, "port %d/%s on %s: bind", port,
				    ports_protocol_name(m->protocol), host_ip_name(m));
	}
	return steal_fd(&fd);
}

int ports_check_free(const struct port_mapping *m, struct silo_err *err)
{
	int fd;

	if (m->host_port < 1 || m->host_port > 65535)
		return silo_err_set(err, EINVAL, "host port %d is not a port (1-65535)", m->host_port);
	fd = bind_host_port(m, m->host_port, err);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* A host range (docker's "any one of"): the first port in it that binds. */
static int pick_in_range(struct port_mapping *m, struct silo_err *err)
{
	for (int port = m->host_port; port <= m->host_port_last; port++) {
		struct silo_err ignored = { 0 };
		int fd = bind_host_port(m, port, &ignored);

		if (fd >= 0) {
			close(fd);
			m->host_port = port;
			m->host_port_last = 0;
			return 0;
		}
		if (ignored.code != EADDRINUSE) {
			*err = ignored;
			return -1;
		}
	}
	return silo_err_set(err, EADDRINUSE, "ports %d-%d/%s on %s are all in use", m->host_port,
			    m->host_port_last, ports_protocol_name(m->protocol), host_ip_name(m));
}

int ports_pick_free(struct port_mapping *m, struct silo_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	_cleanup_close_ int fd = -1;

	if (m->host_port_last > m->host_port && m->host_port > 0)
		return pick_in_range(m, err);
	/* Port 0 makes the kernel choose from its ephemeral range. */
	fd = bind_host_port(m, 0, err);
	if (fd < 0)
		return -1;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return silo_err_errno(err, "pick a free %s port on %s", ports_protocol_name(m->protocol),
				      host_ip_name(m));
	m->host_port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	m->host_port_last = 0;
	return 0;
}
