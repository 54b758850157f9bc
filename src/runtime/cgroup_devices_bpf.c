/* The cgroup v2 device controller: cgroup v2 has no devices.allow; instead
 * the kernel runs the BPF_PROG_TYPE_CGROUP_DEVICE programs attached to a
 * task's cgroup (and its ancestors) on every open and mknod of a device
 * node, and refuses the access unless they all return 1.
 *
 * The program is assembled here, without libbpf, from the same rules the
 * v1 files get. It reads the request from struct bpf_cgroup_dev_ctx:
 *   access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*, major, minor
 * and decides as cgroup_devices_allowed() does: for each access bit asked
 * for (mknod, read, write), the last rule that matches the device and has
 * the bit decides; no matching rule allows. In code, per bit:
 *
 *   if (!(access & bit)) goto next_bit;
 *   for rules from the last to the first (those with the bit):
 *       if (type/major/minor differ) goto next_rule;
 *       allow ? goto next_bit : return 0;
 *   next_bit:
 *   ...
 *   return 1;
 *
 * A rule that matches every device ends its bit's list: code after it
 * could never run, and the verifier refuses unreachable instructions. */
#include "runtime/cgroup_devices_bpf.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Registers: r1 the context on entry; then r2 the access bits, r3 the
 * device type, r4 the major, r5 the minor, r6 scratch, r0 the verdict. */
enum { R0, R1, R2, R3, R4, R5, R6 };

struct assembler {
	struct bpf_insn *insns;
	size_t n, cap;
	struct {
		size_t insn;
		int label;
	} *jumps;
	size_t n_jumps, cap_jumps;
	size_t *labels; /* instruction index of each label */
	size_t n_labels, cap_labels;
	int failed;
};

static void *grow(void *p, size_t *cap, size_t need, size_t size, int *failed)
{
	void *bigger;

	if (need <= *cap)
		return p;
	bigger = realloc(p, (need * 2) * size);
	if (!bigger) {
		*failed = 1;
		return p;
	}
	*cap = need * 2;
	return bigger;
}

static void emit(struct assembler *a, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		 int32_t imm)
{
	a->insns = grow(a->insns, &a->cap, a->n + 1, sizeof(*a->insns), &a->failed);
	if (a->failed)
		return;
	a->insns[a->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off,
					    .imm = imm };
	a->n++;
}

static int new_label(struct assembler *a)
{
	a->labels = grow(a->labels, &a->cap_labels, a->n_labels + 1, sizeof(*a->labels), &a->failed);
	if (a->failed)
		return 0;
	a->labels[a->n_labels] = SIZE_MAX;
	return (int)a->n_labels++;
}

static void place(struct assembler *a, int label)
{
	if (!a->failed)
		a->labels[label] = a->n;
}

/* A jump whose offset is filled in once its label is placed. */
static void emit_jump(struct assembler *a, uint8_t code, uint8_t dst, int32_t imm, int label)
{
	a->jumps = grow(a->jumps, &a->cap_jumps, a->n_jumps + 1, sizeof(*a->jumps), &a->failed);
	if (a->failed)
		return;
	a->jumps[a->n_jumps].insn = a->n;
	a->jumps[a->n_jumps].label = label;
	a->n_jumps++;
	emit(a, code, dst, 0, 0, imm);
}

static int resolve(struct assembler *a)
{
	for (size_t i = 0; i < a->n_jumps; i++) {
		size_t from = a->jumps[i].insn, to = a->labels[a->jumps[i].label];
		long off = (long)to - (long)(from + 1);

		if (to == SIZE_MAX || off < INT16_MIN || off > INT16_MAX)
			return -1;
		a->insns[from].off = (int16_t)off;
	}
	return 0;
}

static void emit_return(struct assembler *a, int32_t verdict)
{
	emit(a, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, verdict);
	emit(a, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int unconditional(const struct cgroup_device_rule *rule)
{
	return rule->type == 'a' && rule->major < 0 && rule->minor < 0;
}

int cgroup_devices_bpf_build(const struct cgroup_device_rule *rules, size_t n,
			     struct bpf_insn **insns, size_t *count, struct silo_err *err)
{
	static const unsigned bits[] = { CGROUP_DEVICE_MKNOD, CGROUP_DEVICE_READ, CGROUP_DEVICE_WRITE };
	struct assembler a = { 0 };

	/* The three access bits are the kernel's BPF_DEVCG_ACC_* values. */
	_Static_assert(CGROUP_DEVICE_MKNOD == BPF_DEVCG_ACC_MKNOD && CGROUP_DEVICE_READ == BPF_DEVCG_ACC_READ &&
			       CGROUP_DEVICE_WRITE == BPF_DEVCG_ACC_WRITE,
		       "access bits");
	emit(&a, BPF_LDX | BPF_MEM | BPF_W, R2, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(&a, BPF_ALU64 | BPF_MOV | BPF_X, R3, R2, 0, 0);
	emit(&a, BPF_ALU64 | BPF_AND | BPF_K, R3, 0, 0, 0xffff);
	emit(&a, BPF_ALU64 | BPF_RSH | BPF_K, R2, 0, 0, 16);
	emit(&a, BPF_LDX | BPF_MEM | BPF_W, R4, R1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(&a, BPF_LDX | BPF_MEM | BPF_W, R5, R1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
		int next_bit = new_label(&a);

		emit(&a, BPF_ALU64 | BPF_MOV | BPF_X, R6, R2, 0, 0);
		emit(&a, BPF_ALU64 | BPF_AND | BPF_K, R6, 0, 0, (int32_t)bits[b]);
		emit_jump(&a, BPF_JMP | BPF_JEQ | BPF_K, R6, 0, next_bit);
		for (size_t i = n; i-- > 0;) {
			const struct cgroup_device_rule *rule = &rules[i];
			int next_rule;

			if (!(rule->access & bits[b]))
				continue;
			if (unconditional(rule)) {
				if (rule->allow)
					emit_jump(&a, BPF_JMP | BPF_JA, 0, 0, next_bit);
				else
					emit_return(&a, 0);
				break;
			}
			next_rule = new_label(&a);
			if (rule->type != 'a')
				emit_jump(&a, BPF_JMP32 | BPF_JNE | BPF_K, R3,
					  rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
					  next_rule);
			if (rule->major >= 0)
				emit_jump(&a, BPF_JMP32 | BPF_JNE | BPF_K, R4, (int32_t)(uint32_t)rule->major,
					  next_rule);
			if (rule->minor >= 0)
				emit_jump(&a, BPF_JMP32 | BPF_JNE | BPF_K, R5, (int32_t)(uint32_t)rule->minor,
					  next_rule);
			if (rule->allow)
				emit_jump(&a, BPF_JMP | BPF_JA, 0, 0, next_bit);
			else
				emit_return(&a, 0);
			place(&a, next_rule);
		}
		place(&a, next_bit);
	}
	emit_return(&a, 1);
	if (a.failed || resolve(&a) < 0) {
		free(a.insns);
		free(a.jumps);
		free(a.labels);
		return silo_err_set(err, a.failed ? ENOMEM : E2BIG,
				    "linux.resources.devices: too many rules for one device filter");
	}
	free(a.jumps);
	free(a.labels);
	*insns = a.insns;
	*count = a.n;
	return 0;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load(const struct bpf_insn *insns, size_t count, struct silo_err *err)
{
	union bpf_attr attr;
	char log[4096];
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)count;
	attr.license = (uintptr_t) "Apache-2.0";
	fd = (int)bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != EACCES)
		return silo_err_errno(err, "linux.resources.devices: load the device filter (eBPF)");
	/* Once more with the verifier's log, for a message that says why. */
	log[0] = '\0';
	attr.log_buf = (uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = (int)bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	log[strcspn(log, "\n")] = '\0';
	return silo_err_errno(err, "linux.resources.devices: the kernel refused the device filter (%s)",
			      log[0] ? log : "no verifier log");
}

int cgroup_devices_bpf_apply(int cgroup_fd, const struct cgroup_device_rule *rules, size_t n,
			     struct silo_err *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	_cleanup_close_ int prog = -1;
	uint32_t old[64];
	uint32_t n_old = 0;
	union bpf_attr attr;
	size_t count;

	if (cgroup_devices_bpf_build(rules, n, &insns, &count, err) < 0)
		return -1;
	prog = load(insns, count, err);
	if (prog < 0)
		return -1;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgroup_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)old;
	attr.query.prog_cnt = sizeof(old) / sizeof(old[0]);
	if (bpf(BPF_PROG_QUERY, &attr) == 0)
		n_old = attr.query.prog_cnt;

	/* The new program first, then the old ones go: the container is
	 * never without a filter, and for a moment has both (the stricter). */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return silo_err_errno(err, "linux.resources.devices: attach the device filter to the cgroup");
	for (uint32_t i = 0; i < n_old && i < sizeof(old) / sizeof(old[0]); i++) {
		_cleanup_close_ int fd = -1;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = old[i];
		fd = (int)bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)cgroup_fd;
		attr.attach_bpf_fd = (uint32_t)fd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (bpf(BPF_PROG_DETACH, &attr) < 0)
			return silo_err_errno(err, "linux.resources.devices: detach the previous device filter");
	}
	return 0;
}
