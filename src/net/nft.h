/* NAT and port publishing in silo's own nftables table (libnftables):
 *
 *   table inet silo
 *     set subnets4 / subnets6        the networks' subnets (interval sets)
 *     map ports4 / ports6            l4proto . port -> container addr . port
 *     map addr_ports4 / addr_ports6  host addr . l4proto . port -> addr . port
 *     chain prerouting  (nat, dstnat) DNAT of published ports
 *     chain output      (nat, dstnat) the same for the host's own
 *                                     connections to a local address
 *     chain postrouting (nat, srcnat) masquerade of traffic leaving a subnet
 *                                     for elsewhere, of 127.0.0.0/8
 *                                     sources DNATed into a subnet, and of
 *                                     a subnet's own traffic DNATed back
 *                                     into it (hairpin)
 *     chain forward     (filter)      accepts for the subnets
 *
 * Created once and idempotently; each container adds and removes only its
 * own map elements, so rules never pile up. */
#ifndef SILO_NET_NFT_H
#define SILO_NET_NFT_H

#include <jansson.h>

#include "net/ports.h"
#include "util/err.h"

/* Makes the table and its chains, sets and maps when they are missing. */
int nft_ensure_table(struct silo_err *err);

/* Deletes the whole table; no table is fine. */
int nft_remove_table(struct silo_err *err);

/* Adds / removes a subnet ("10.77.0.0/16") to the masqueraded set. Adding
 * one that is there, or removing one that is not, is fine. */
int nft_subnet_add(const char *cidr, struct silo_err *err);
int nft_subnet_remove(const char *cidr, struct silo_err *err);

/* Publishes m (host side; host_port already chosen) to container_ip:
 * m->container_port. Fails with EADDRINUSE ("port 8080/tcp is already
 * published") when the same host address, protocol and port is mapped. */
int nft_port_add(const struct port_mapping *m, const char *container_ip, struct silo_err *err);
/* Removes that element; one not there is fine. */
int nft_port_remove(const struct port_mapping *m, const char *container_ip, struct silo_err *err);

/* Every published element as JSON, [{"hostIp","hostPort","protocol",
 * "containerIp","containerPort"}], for prune to find orphans; [] without a
 * table. */
int nft_ports_list(json_t **out, struct silo_err *err);

#endif
