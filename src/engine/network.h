/* A container's networking as the engine sees it: the --network mode and
 * the networks it joins, its published ports and its /etc/hosts and
 * resolv.conf. Decided at create (engine_network_prepare, into the record),
 * made when its monitor starts it (engine_network_setup: the namespace, a
 * veth per network, leases, port rules) and undone when it stops
 * (engine_network_teardown), whoever notices that.
 *
 * Record fields: networkMode ("bridge", "none", "host", "container:<id>",
 * or a network's name), networks [{name, id, index, aliases[], ip, mac}],
 * publish [{hostIp, hostPort, containerPort, protocol}] (hostPort 0: pick
 * one at start), dns {servers[], search[], options[]}, extraHosts
 * ["name:ip"], and, while it runs, networkSettings {netns, networks {NAME:
 * {networkId, ip, prefixLen, gateway, mac, veth, ifname, bridge}}, ports
 * [...the publish entries with the host ports chosen]}. */
#ifndef SILO_ENGINE_NETWORK_H
#define SILO_ENGINE_NETWORK_H

#include <jansson.h>

#include "net/ports.h"
#include "util/err.h"

struct engine_env;

struct engine_net_flags {
	const char *mode;      /* --network, or NULL: bridge */
	char **aliases;        /* --network-alias */
	const char *ip;        /* --ip */
	const char *mac;       /* --mac-address */
	struct port_mapping *ports; /* -p */
	size_t n_ports;
	int publish_all;       /* -P: every exposed port, to a free host port */
	char **expose;         /* --expose PORT[/PROTO] */
	char **dns;            /* --dns */
	char **dns_search;     /* --dns-search */
	char **dns_options;    /* --dns-option */
	char **add_hosts;      /* --add-host NAME:IP */
};

/* Checks the flags against each other and the store, and puts the network
 * fields in the new record. */
int engine_network_prepare(const struct engine_env *env, const struct engine_net_flags *flags,
			   json_t *image_config, json_t *rec, struct silo_err *err);

/* The network namespace config.json joins: NULL for a new one of the
 * runtime's (none), "" for the host's, else a path. dir is the
 * container's directory. */
char *engine_network_namespace(json_t *rec, const char *dir);

/* The directory whose hostname, hosts and resolv.conf the container binds:
 * its own, or in container: mode the other container's. */
char *engine_network_etc_dir(const struct engine_env *env, json_t *rec, const char *dir);

/* Writes the container's own hostname, hosts and resolv.conf in dir
 * (nothing in container: mode). */
int engine_network_write_etc(const struct engine_env *env, json_t *rec, const char *dir,
			     const char *hostname, struct silo_err *err);

/* Makes the container's network before its process starts: the namespace,
 * a veth and a lease per network, the published ports, its /etc/hosts and
 * its peers'. On failure whatever was made is undone. */
int engine_network_setup(const struct engine_env *env, const char *id, struct silo_err *err);

/* Undoes engine_network_setup; safe to call any number of times, and on a
 * container whose setup was cut short. */
void engine_network_teardown(const struct engine_env *env, const char *id);

/* Joins a container to one more network (live when it runs: a veth
 * eth<N> appears in it). aliases may be NULL; ip may be NULL. */
int engine_network_connect(const struct engine_env *env, const char *id, const char *network,
			   char **aliases, const char *ip, struct silo_err *err);

/* After a rename: rewrites the hosts files of the container's peers on
 * its user-defined networks (and its own), so they list the new name. */
void engine_network_names_changed(const struct engine_env *env, const char *id);

/* Takes a container off a network (live when it runs). */
int engine_network_disconnect(const struct engine_env *env, const char *id, const char *network,
			      struct silo_err *err);

/* The network sections of docker's inspect output: NetworkSettings. */
json_t *engine_network_inspect(json_t *rec);

/* Whether a container record uses the network (by its ID). */
int engine_network_in_use_by(json_t *rec, const char *network_id);

/* Removes leases, veths, port rules and namespaces that no living
 * container holds. Returns how many things were removed. */
int engine_network_prune_orphans(const struct engine_env *env, struct silo_err *err);

#endif
