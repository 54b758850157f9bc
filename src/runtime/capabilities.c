/* Capabilities, set through capset(2) and prctl(2) directly: the sets are
 * bit masks already (spec.c turned the names into numbers). */
#include "runtime/capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

int capabilities_last_cap(void)
{
	static int last = -1;
	_cleanup_free_ char *text = NULL;

	if (last >= 0)
		return last;
	if (fs_read_file("/proc/sys/kernel/cap_last_cap", 64, &text, NULL, NULL) == 0)
		last = atoi(text);
	if (last <= 0)
		last = CAP_LAST_CAP;
	return last;
}

/* The names the kernel's headers give, by number. A table of its own rather
 * than libcap: silo starts twice per container (the sealed copy), and each
 * shared library costs every start its mapping and linking. */
#define NAME(cap) [CAP_##cap] = "CAP_" #cap
static const char *const cap_names[] = {
	NAME(CHOWN),
	NAME(DAC_OVERRIDE),
	NAME(DAC_READ_SEARCH),
	NAME(FOWNER),
	NAME(FSETID),
	NAME(KILL),
	NAME(SETGID),
	NAME(SETUID),
	NAME(SETPCAP),
	NAME(LINUX_IMMUTABLE),
	NAME(NET_BIND_SERVICE),
	NAME(NET_BROADCAST),
	NAME(NET_ADMIN),
	NAME(NET_RAW),
	NAME(IPC_LOCK),
	NAME(IPC_OWNER),
	NAME(SYS_MODULE),
	NAME(SYS_RAWIO),
	NAME(SYS_CHROOT),
	NAME(SYS_PTRACE),
	NAME(SYS_PACCT),
	NAME(SYS_ADMIN),
	NAME(SYS_BOOT),
	NAME(SYS_NICE),
	NAME(SYS_RESOURCE),
	NAME(SYS_TIME),
	NAME(SYS_TTY_CONFIG),
	NAME(MKNOD),
	NAME(LEASE),
	NAME(AUDIT_WRITE),
	NAME(AUDIT_CONTROL),
	NAME(SETFCAP),
	NAME(MAC_OVERRIDE),
	NAME(MAC_ADMIN),
	NAME(SYSLOG),
	NAME(WAKE_ALARM),
	NAME(BLOCK_SUSPEND),
	NAME(AUDIT_READ),
	NAME(PERFMON),
	NAME(BPF),
	NAME(CHECKPOINT_RESTORE),
};
#undef NAME

const char *capabilities_name(int cap)
{
	return cap >= 0 && (size_t)cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

int capabilities_from_name(const char *name)
{
	for (size_t cap = 0; cap < ARRAY_SIZE(cap_names); cap++)
		if (!strcasecmp(name, cap_names[cap]))
			return (int)cap;
	return -1;
}

static const char *cap_display_name(int cap)
{
	static char buf[64];
	const char *name = capabilities_name(cap);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "capability %d", cap);
	return buf;
}

int capabilities_check_host(const struct spec_capabilities *caps, struct silo_err *err)
{
	uint64_t wanted = caps->bounding | caps->effective | caps->permitted | caps->inheritable |
			  caps->ambient;
	int last = capabilities_last_cap();

	for (int cap = 0; cap < 64; cap++) {
		if (!(wanted & (1ULL << cap)))
			continue;
		if (cap > last)
			return silo_err_set(err, EINVAL,
					    "config.json: process.capabilities: %s is not known to this kernel",
					    cap_display_name(cap));
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
			return silo_err_set(err, EPERM,
					    "config.json: process.capabilities: %s is not in the host's bounding set, so no container can have it",
					    cap_display_name(cap));
	}
	return 0;
}

int capabilities_apply_bounding(const struct spec_capabilities *caps, struct silo_err *err)
{
	int last = capabilities_last_cap();

	for (int cap = 0; cap <= last; cap++) {
		if (caps->bounding & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return silo_err_errno(err, "drop %s from the bounding set", cap_display_name(cap));
	}
	return 0;
}

int capabilities_apply(const struct spec_capabilities *caps, struct silo_err *err)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	int last = capabilities_last_cap();

	data[0].effective = (uint32_t)caps->effective;
	data[1].effective = (uint32_t)(caps->effective >> 32);
	data[0].permitted = (uint32_t)caps->permitted;
	data[1].permitted = (uint32_t)(caps->permitted >> 32);
	data[0].inheritable = (uint32_t)caps->inheritable;
	data[1].inheritable = (uint32_t)(caps->inheritable >> 32);
	if (syscall(SYS_capset, &header, data) < 0)
		return silo_err_errno(err, "set capabilities");

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return silo_err_errno(err, "clear ambient capabilities");
	for (int cap = 0; cap <= last; cap++) {
		/* The kernel only raises an ambient capability that is both
		 * permitted and inheritable. `runc spec` writes ambient sets
		 * with an empty inheritable set, and runc lets that pass; so
		 * does silo, by raising only the ones the kernel can keep. */
		uint64_t bit = 1ULL << cap;

		if (!(caps->ambient & caps->inheritable & caps->permitted & bit))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return silo_err_errno(err, "raise ambient %s (it must also be permitted and inheritable)",
					      cap_display_name(cap));
	}
	return 0;
}
