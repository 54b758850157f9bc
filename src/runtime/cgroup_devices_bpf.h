/* The device controller of cgroup v2: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, built from the device rules, loaded and
 * attached to the container's cgroup. */
#ifndef SILO_RUNTIME_CGROUP_DEVICES_BPF_H
#define SILO_RUNTIME_CGROUP_DEVICES_BPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "runtime/cgroup.h"

/* Assembles the program that decides as cgroup_devices_allowed() does.
 * *insns is malloc'ed. */
int cgroup_devices_bpf_build(const struct cgroup_device_rule *rules, size_t n,
			     struct bpf_insn **insns, size_t *count, struct silo_err *err);

/* Loads the program for the rules and attaches it to the cgroup directory
 * cgroup_fd, then detaches the programs that were there before (an
 * `update`), so the container is never without one. */
int cgroup_devices_bpf_apply(int cgroup_fd, const struct cgroup_device_rule *rules, size_t n,
			     struct silo_err *err);

#endif
