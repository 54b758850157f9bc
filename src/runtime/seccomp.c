/* seccomp filters from linux.seccomp.
 *
 * libseccomp does the hard part: it turns syscall names, argument
 * conditions and architectures into a BPF program. silo exports that
 * program and loads it with seccomp(2) itself, for two reasons: every flag
 * the kernel has is then available (libseccomp 2.5 has no
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV), and loading is one system call
 * with nothing to compute or allocate once the filter is in force.
 *
 * seccomp_prepare runs in the init before pivot_root: it checks the whole
 * profile (so a bad one fails `create` with the field named), compiles it,
 * and connects to listenerPath while that host path is still reachable.
 * seccomp_install loads the program and, with SCMP_ACT_NOTIFY, hands the
 * listener descriptor the kernel returns to the agent at listenerPath along
 * with the container process state.
 *
 * libseccomp is opened with dlopen, only for a config that has a profile:
 * as a library the binary starts with, it cost every silo process about
 * 0.15 ms on the development VM, twice per `run` (silo starts again from
 * its sealed copy, exe_protect.c). The runtime opens it before it clones
 * the process that compiles the filter (seccomp_load_library), so that it always
 * comes from the host's filesystem. */
#include "runtime/seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "runtime/seccomp_cache.h"
#include "util/cleanup.h"
#include "util/dlib.h"
#include "util/json.h"
#include "util/json_locate.h"
#include "util/strv.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The ABI of libseccomp 2, whose headers silo is built with. */
#define LIBSECCOMP_SONAME "libseccomp.so.2"

#define FIELD_MAX 256
#define ARG_INDEX_MAX 5 /* a system call has at most six arguments */

/* The part of libseccomp silo uses, once seccomp_load_library has found it. */
static struct {
	void *handle;
	scmp_filter_ctx (*init)(uint32_t def_action);
	void (*release)(scmp_filter_ctx ctx);
	int (*arch_add)(scmp_filter_ctx ctx, uint32_t arch_token);
	int (*syscall_resolve_name)(const char *name);
	int (*rule_add_array)(scmp_filter_ctx ctx, uint32_t action, int syscall,
			      unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array);
	int (*export_bpf)(const scmp_filter_ctx ctx, int fd);
	/* For the cache's key only (seccomp_cache.h); may be missing. */
	const struct scmp_version *(*version)(void);
	unsigned int (*api_get)(void);
} lib;

static int load_library(struct silo_err *err)
{
	const struct dlib_symbol symbols[] = {
		{ "seccomp_init", (void **)&lib.init, 0 },
		{ "seccomp_release", (void **)&lib.release, 0 },
		{ "seccomp_arch_add", (void **)&lib.arch_add, 0 },
		{ "seccomp_syscall_resolve_name", (void **)&lib.syscall_resolve_name, 0 },
		{ "seccomp_rule_add_array", (void **)&lib.rule_add_array, 0 },
		{ "seccomp_export_bpf", (void **)&lib.export_bpf, 0 },
		{ "seccomp_version", (void **)&lib.version, 1 },
		{ "seccomp_api_get", (void **)&lib.api_get, 1 },
	};

	if (dlib_open(&lib.handle, LIBSECCOMP_SONAME, symbols, ARRAY_SIZE(symbols), err) < 0)
		return silo_err_prefix(err, "config.json: linux.seccomp");
	return 0;
}

struct seccomp_filter {
	struct sock_fprog program;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	int listener_fd;    /* connected to listenerPath; -1 without SCMP_ACT_NOTIFY */
	const char *listener_path;
	const char *metadata; /* listenerMetadata, or NULL */
	const struct spec *spec;
};

struct action_name {
	const char *name;
	uint32_t action;
	int takes_errno; /* the action carries errnoRet in its data bits */
};

static const struct action_name action_names[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, 0 },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, 0 },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, 0 },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, 0 },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), 1 },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), 1 },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, 0 },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, 0 },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, 0 },
};

struct operator_name {
	const char *name;
	enum scmp_compare op;
};

static const struct operator_name operator_names[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },	  { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },	  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },	  { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

struct arch_name {
	const char *name;
	uint32_t arch;
};

static const struct arch_name arch_names[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
	{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
#ifdef SCMP_ARCH_LOONGARCH64
	{ "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
#endif
#ifdef SCMP_ARCH_M68K
	{ "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
#endif
};

struct flag_name {
	const char *name;
	unsigned int flag;
};

static const struct flag_name flag_names[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

/* What compiling a profile needs to carry from one entry to the next. */
struct profile {
	scmp_filter_ctx ctx;
	uint32_t default_action;
	int notify;           /* some rule, or the default, is SCMP_ACT_NOTIFY */
	int sendmsg_notified; /* a rule may send sendmsg to the listener */
	int sendmsg_spared;   /* a rule without conditions gives sendmsg another action */
	struct silo_err *err;
};

static int seccomp_syscall(unsigned int op, unsigned int flags, void *args)
{
	return (int)syscall(SYS_seccomp, op, flags, args);
}

/* Messages */

static int field_error(struct silo_err *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int field_error(struct silo_err *err, const char *field, const char *fmt, ...)
{
	char msg[SILO_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return silo_err_set(err, EINVAL, "config.json: %s: %s", field, msg);
}

/* Typed access to the raw document (spec.c does not model linux.seccomp).
 * A member set to null counts as absent, as in spec.c. */

static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

static int want_array(const json_t *v, const char *field, struct silo_err *err)
{
	return json_is_array(v) ? 0 : field_error(err, field, "expected an array, got %s", json_kind_name(v));
}

static int want_string(const json_t *v, const char *field, struct silo_err *err)
{
	return json_is_string(v) ? 0 : field_error(err, field, "expected a string, got %s", json_kind_name(v));
}

static int want_uint(const json_t *v, const char *field, uint64_t max, uint64_t *out,
		     struct silo_err *err)
{
	json_int_t n;

	if (!json_is_integer(v))
		return field_error(err, field, "expected an unsigned integer, got %s", json_kind_name(v));
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max)
		return field_error(err, field, "expected an integer from 0 to %llu, got %lld",
				   (unsigned long long)max, (long long)n);
	*out = (uint64_t)n;
	return 0;
}

/* Names */

static const struct action_name *find_action(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++)
		if (!strcmp(action_names[i].name, name))
			return &action_names[i];
	return NULL;
}

/* Reads an action and its errno (defaultAction/defaultErrnoRet, or
 * action/errnoRet of a syscalls entry) into one libseccomp action value. */
static int parse_action(const json_t *obj, const char *parent, const char *action_key,
			const char *errno_key, uint32_t *out, struct silo_err *err)
{
	char field[FIELD_MAX], errno_field[FIELD_MAX];
	json_t *name = member(obj, action_key);
	json_t *errno_ret = member(obj, errno_key);
	const struct action_name *action;
	uint64_t value = EPERM;

	json_path_key(field, sizeof(field), parent, action_key);
	json_path_key(errno_field, sizeof(errno_field), parent, errno_key);
	if (!name)
		return field_error(err, field, "missing, expected a string");
	if (want_string(name, field, err) < 0)
		return -1;
	action = find_action(json_string_value(name));
	if (!action)
		return field_error(err, field, "unknown action \"%s\"", json_string_value(name));
	if (errno_ret && !action->takes_errno)
		return field_error(err, errno_field,
				   "%s takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)",
				   action->name);
	/* The errno travels in the 16 data bits of the filter's return value. */
	if (errno_ret && want_uint(errno_ret, errno_field, 0xffff, &value, err) < 0)
		return -1;
	*out = action->takes_errno ? action->action | (uint32_t)value : action->action;
	return 0;
}

static int parse_condition(const json_t *arg, const char *field, struct scmp_arg_cmp *out,
			   struct silo_err *err)
{
	char sub[FIELD_MAX];
	json_t *index = member(arg, "index"), *value = member(arg, "value");
	json_t *value_two = member(arg, "valueTwo"), *op = member(arg, "op");
	uint64_t n, a, b = 0;
	size_t i;

	if (!json_is_object(arg))
		return field_error(err, field, "expected an object, got %s", json_kind_name(arg));
	json_path_key(sub, sizeof(sub), field, "index");
	if (!index)
		return field_error(err, sub, "missing, expected an unsigned integer");
	if (want_uint(index, sub, ARG_INDEX_MAX, &n, err) < 0)
		return -1;
	json_path_key(sub, sizeof(sub), field, "value");
	if (!value)
		return field_error(err, sub, "missing, expected an unsigned integer");
	if (want_uint(value, sub, UINT64_MAX, &a, err) < 0)
		return -1;
	json_path_key(sub, sizeof(sub), field, "valueTwo");
	if (value_two && want_uint(value_two, sub, UINT64_MAX, &b, err) < 0)
		return -1;
	json_path_key(sub, sizeof(sub), field, "op");
	if (!op)
		return field_error(err, sub, "missing, expected a string");
	if (want_string(op, sub, err) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(operator_names); i++)
		if (!strcmp(operator_names[i].name, json_string_value(op)))
			break;
	if (i == ARRAY_SIZE(operator_names))
		return field_error(err, sub, "unknown operator \"%s\"", json_string_value(op));
	/* For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the value
	 * the masked argument must equal: libseccomp's datum_a and datum_b. */
	*out = (struct scmp_arg_cmp){ .arg = (unsigned int)n, .op = operator_names[i].op,
				      .datum_a = a, .datum_b = b };
	return 0;
}

/* Conditions in one rule must all hold. libseccomp takes at most one per
 * argument; when an entry has several for the same argument, each becomes
 * a rule of its own, so that any of them matches. */
static int repeats_an_argument(const struct scmp_arg_cmp *conds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (conds[i].arg == conds[j].arg)
				return 1;
	return 0;
}

static int add_rules(struct profile *p, const char *field, const char *name, uint32_t action,
		     const struct scmp_arg_cmp *conds, size_t n)
{
	int nr = lib.syscall_resolve_name(name);
	int r = 0;

	/* Not a syscall of any architecture libseccomp knows: skipped, so a
	 * profile written for newer kernels still loads on this one. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (n > 0 && repeats_an_argument(conds, n)) {
		for (size_t i = 0; i < n && r == 0; i++)
			r = lib.rule_add_array(p->ctx, action, nr, 1, &conds[i]);
	} else {
		r = lib.rule_add_array(p->ctx, action, nr, (unsigned int)n, conds);
	}
	if (r < 0)
		return silo_err_sys(p->err, -r, "config.json: %s: add rule for \"%s\"", field, name);
	if (!strcmp(name, "sendmsg")) {
		if (action == SCMP_ACT_NOTIFY)
			p->sendmsg_notified = 1;
		else if (n == 0)
			p->sendmsg_spared = 1;
	}
	return 0;
}

static int add_syscalls_entry(struct profile *p, const json_t *entry, const char *field)
{
	char sub[FIELD_MAX];
	json_t *names, *args, *v;
	_cleanup_free_ struct scmp_arg_cmp *conds = NULL;
	size_t n_conds = 0, i;
	uint32_t action;

	if (!json_is_object(entry))
		return field_error(p->err, field, "expected an object, got %s", json_kind_name(entry));
	json_path_key(sub, sizeof(sub), field, "names");
	names = member(entry, "names");
	if (!names)
		return field_error(p->err, sub, "missing, expected an array");
	if (want_array(names, sub, p->err) < 0)
		return -1;
	if (json_array_size(names) == 0)
		return field_error(p->err, sub, "empty, expected at least one syscall name");
	json_array_foreach (names, i, v) {
		char name_field[FIELD_MAX];

		if (want_string(v, json_path_index(name_field, sizeof(name_field), sub, i), p->err) < 0)
			return -1;
	}
	if (parse_action(entry, field, "action", "errnoRet", &action, p->err) < 0)
		return -1;

	json_path_key(sub, sizeof(sub), field, "args");
	args = member(entry, "args");
	if (args) {
		if (want_array(args, sub, p->err) < 0)
			return -1;
		conds = calloc(json_array_size(args) + 1, sizeof(*conds));
		if (!conds)
			return silo_err_sys(p->err, ENOMEM, "config.json: %s", sub);
		json_array_foreach (args, i, v) {
			char arg_field[FIELD_MAX];

			json_path_index(arg_field, sizeof(arg_field), sub, i);
			if (parse_condition(v, arg_field, &conds[n_conds++], p->err) < 0)
				return -1;
		}
	}

	if (action == SCMP_ACT_NOTIFY)
		p->notify = 1;
	/* libseccomp refuses a rule that only repeats the default action; it
	 * would change nothing anyway. */
	if (action == p->default_action)
		return 0;
	json_array_foreach (names, i, v)
		if (add_rules(p, field, json_string_value(v), action, conds, n_conds) < 0)
			return -1;
	return 0;
}

static int add_architectures(struct profile *p, const json_t *seccomp)
{
	const char *field = "linux.seccomp.architectures";
	json_t *archs = member(seccomp, "architectures"), *v;
	size_t i, j;

	if (!archs)
		return 0;
	if (want_array(archs, field, p->err) < 0)
		return -1;
	json_array_foreach (archs, i, v) {
		char sub[FIELD_MAX];
		int r;

		json_path_index(sub, sizeof(sub), field, i);
		if (want_string(v, sub, p->err) < 0)
			return -1;
		for (j = 0; j < ARRAY_SIZE(arch_names); j++)
			if (!strcmp(arch_names[j].name, json_string_value(v)))
				break;
		if (j == ARRAY_SIZE(arch_names))
			return field_error(p->err, sub, "unknown architecture \"%s\"",
					   json_string_value(v));
		/* The native architecture is always in the filter (EEXIST). */
		r = lib.arch_add(p->ctx, arch_names[j].arch);
		if (r < 0 && r != -EEXIST)
			return silo_err_sys(p->err, -r, "config.json: %s: add architecture %s", sub,
					    arch_names[j].name);
	}
	return 0;
}

/* A flag the kernel knows makes seccomp(2) fail on the NULL program
 * (EFAULT); one it does not know fails first, with EINVAL. The kernel takes
 * WAIT_KILLABLE_RECV only together with NEW_LISTENER. */
static int kernel_has_flag(unsigned int flag)
{
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return seccomp_syscall(SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static int parse_flags(const json_t *seccomp, unsigned int *flags, struct silo_err *err)
{
	const char *field = "linux.seccomp.flags";
	json_t *list = member(seccomp, "flags"), *v;
	size_t i, j;

	*flags = 0;
	if (!list)
		return 0;
	if (want_array(list, field, err) < 0)
		return -1;
	json_array_foreach (list, i, v) {
		char sub[FIELD_MAX];

		json_path_index(sub, sizeof(sub), field, i);
		if (want_string(v, sub, err) < 0)
			return -1;
		for (j = 0; j < ARRAY_SIZE(flag_names); j++)
			if (!strcmp(flag_names[j].name, json_string_value(v)))
				break;
		if (j == ARRAY_SIZE(flag_names))
			return field_error(err, sub, "unknown flag \"%s\"", json_string_value(v));
		if (!kernel_has_flag(flag_names[j].flag))
			return field_error(err, sub, "%s is not supported by this kernel",
					   flag_names[j].name);
		*flags |= flag_names[j].flag;
	}
	return 0;
}

/* libseccomp 2.5 exports BPF only to a file descriptor: a memfd holds it
 * on the way into memory. */
static int export_program(scmp_filter_ctx ctx, struct sock_fprog *program, struct silo_err *err)
{
	_cleanup_close_ int fd = memfd_create("silo-seccomp", MFD_CLOEXEC);
	_cleanup_free_ struct sock_filter *code = NULL;
	off_t size;
	size_t done = 0;
	int r;

	if (fd < 0)
		return silo_err_errno(err, "compile the seccomp filter");
	r = lib.export_bpf(ctx, fd);
	if (r < 0)
		return silo_err_sys(err, -r, "compile the seccomp filter");
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0)
		return silo_err_set(err, EINVAL, "compile the seccomp filter: libseccomp gave %lld bytes",
				    (long long)size);
	if (size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return silo_err_set(err, E2BIG,
				    "config.json: linux.seccomp: the filter compiles to %lld instructions, more than the kernel's limit of %d",
				    (long long)(size / (off_t)sizeof(struct sock_filter)), BPF_MAXINSNS);
	code = malloc((size_t)size);
	if (!code)
		return silo_err_sys(err, ENOMEM, "compile the seccomp filter");
	while (done < (size_t)size) {
		ssize_t n = pread(fd, (char *)code + done, (size_t)size - done, (off_t)done);

		if (n <= 0)
			return silo_err_sys(err, n < 0 ? errno : EIO, "compile the seccomp filter");
		done += (size_t)n;
	}
	program->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	program->filter = steal_pointer(&code);
	return 0;
}

static int connect_listener(const char *path, struct silo_err *err)
{
	const char *field = "config.json: linux.seccomp.listenerPath";
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return silo_err_set(err, ENAMETOOLONG, "%s: \"%s\" is too long for a socket path", field,
				    path);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return silo_err_errno(err, "%s: socket", field);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;

		close(fd);
		return silo_err_sys(err, saved, "%s: connect to \"%s\"", field, path);
	}
	return fd;
}

/* The listener's side of the profile: where it is, what it is told, and
 * that it can be told at all. */
static int prepare_listener(struct seccomp_filter *filter, const struct profile *p,
			    const json_t *seccomp, struct silo_err *err)
{
	json_t *path = member(seccomp, "listenerPath");
	json_t *metadata = member(seccomp, "listenerMetadata");

	if (path && want_string(path, "linux.seccomp.listenerPath", err) < 0)
		return -1;
	if (metadata && want_string(metadata, "linux.seccomp.listenerMetadata", err) < 0)
		return -1;
	if (metadata && !path)
		return field_error(err, "linux.seccomp.listenerMetadata", "set without listenerPath");
	/* Without SCMP_ACT_NOTIFY, listenerPath is ignored (OCI). */
	if (!p->notify)
		return 0;
	if (!path)
		return field_error(err, "linux.seccomp",
				   "SCMP_ACT_NOTIFY needs a listenerPath to send the notifications to");
	/* sendmsg is how the agent gets its descriptor: were it notified
	 * itself, the init would wait forever for an agent that has none. */
	if (p->sendmsg_notified || (p->default_action == SCMP_ACT_NOTIFY && !p->sendmsg_spared))
		return field_error(err, "linux.seccomp",
				   "SCMP_ACT_NOTIFY must not apply to sendmsg, which silo needs to hand the listener its descriptor");
	filter->listener_path = json_string_value(path);
	filter->metadata = metadata ? json_string_value(metadata) : NULL;
	filter->listener_fd = connect_listener(filter->listener_path, err);
	return filter->listener_fd < 0 ? -1 : 0;
}

static int compile_profile(struct profile *p, const json_t *seccomp, struct sock_fprog *program)
{
	json_t *syscalls = member(seccomp, "syscalls"), *entry;
	size_t i;

	if (parse_action(seccomp, "linux.seccomp", "defaultAction", "defaultErrnoRet",
			 &p->default_action, p->err) < 0)
		return -1;
	if (p->default_action == SCMP_ACT_NOTIFY)
		p->notify = 1;
	p->ctx = lib.init(p->default_action);
	if (!p->ctx)
		return silo_err_set(p->err, EINVAL, "config.json: linux.seccomp: libseccomp refused the default action");
	/* A rule for a syscall that only exists on some of the filter's
	 * architectures is added to those only. */
	if (add_architectures(p, seccomp) < 0)
		return -1;
	if (syscalls) {
		if (want_array(syscalls, "linux.seccomp.syscalls", p->err) < 0)
			return -1;
		json_array_foreach (syscalls, i, entry) {
			char field[FIELD_MAX];

			json_path_index(field, sizeof(field), "linux.seccomp.syscalls", i);
			if (add_syscalls_entry(p, entry, field) < 0)
				return -1;
		}
	}
	return export_program(p->ctx, program, p->err);
}

int seccomp_load_library(const struct spec *spec, struct silo_err *err)
{
	if (!member(member(spec->document, "linux"), "seccomp"))
		return 0;
	return load_library(err);
}

/* What the compiled program depends on besides the profile: libseccomp's
 * version and the API level it found in this kernel, the kernel, the
 * architecture; then the profile itself, its keys sorted. NULL for a
 * profile the cache does not take: one with SCMP_ACT_NOTIFY, whose
 * listener the init must connect to itself. */
static char *cache_key(const json_t *seccomp)
{
	_cleanup_free_ char *text = json_dumps(seccomp, JSON_COMPACT | JSON_SORT_KEYS);
	const struct scmp_version *v = lib.version ? lib.version() : NULL;
	struct utsname u;
	char *key;

	if (!text || !v || !lib.api_get || uname(&u) < 0 || strstr(text, "SCMP_ACT_NOTIFY") ||
	    member(seccomp, "listenerPath"))
		return NULL;
	if (asprintf(&key, "silo seccomp 1\nlibseccomp %u.%u.%u api %u\n%s %s %zu\n%s", v->major,
		     v->minor, v->micro, lib.api_get(), u.release, u.machine, sizeof(void *), text) < 0)
		return NULL;
	return key;
}

int seccomp_compile_cached(const struct spec *spec, const char *cache_dir, struct sock_fprog *program,
			   struct silo_err *err)
{
	json_t *seccomp = member(member(spec->document, "linux"), "seccomp");
	_cleanup_free_ char *key = NULL;
	struct profile p = { .err = err };
	int r;

	program->filter = NULL;
	program->len = 0;
	if (!cache_dir || !json_is_object(seccomp) || load_library(err) < 0)
		return 0;
	key = cache_key(seccomp);
	if (!key)
		return 0;
	if (seccomp_cache_load(cache_dir, key, program) == 0)
		return 0;
	r = compile_profile(&p, seccomp, program);
	if (p.ctx)
		lib.release(p.ctx);
	if (r < 0)
		return -1;
	seccomp_cache_store(cache_dir, key, program);
	return 0;
}

int seccomp_prepare(const struct spec *spec, struct seccomp_filter **out, struct silo_err *err)
{
	return seccomp_prepare_compiled(spec, NULL, out, err);
}

int seccomp_prepare_compiled(const struct spec *spec, const struct sock_fprog *compiled,
			     struct seccomp_filter **out, struct silo_err *err)
{
	json_t *seccomp = member(member(spec->document, "linux"), "seccomp");
	struct profile p = { .err = err };
	struct seccomp_filter *filter;
	int r;

	*out = NULL;
	if (!seccomp)
		return 0;
	if (!json_is_object(seccomp))
		return field_error(err, "linux.seccomp", "expected an object, got %s", json_kind_name(seccomp));
	if (load_library(err) < 0)
		return -1;
	filter = calloc(1, sizeof(*filter));
	if (!filter)
		return silo_err_sys(err, ENOMEM, "seccomp filter");
	filter->listener_fd = -1;
	filter->spec = spec;

	r = parse_flags(seccomp, &filter->flags, err);
	if (r == 0 && compiled && compiled->len) {
		/* Compiled by the runtime (seccomp_compile_cached), which only
		 * does so for a profile without SCMP_ACT_NOTIFY. */
		filter->program.filter = malloc(compiled->len * sizeof(struct sock_filter));
		if (!filter->program.filter)
			r = silo_err_sys(err, ENOMEM, "seccomp filter");
		else
			memcpy(filter->program.filter, compiled->filter,
			       compiled->len * sizeof(struct sock_filter));
		filter->program.len = compiled->len;
	} else if (r == 0) {
		r = compile_profile(&p, seccomp, &filter->program);
	}
	if (r == 0)
		r = prepare_listener(filter, &p, seccomp, err);
	if (p.ctx)
		lib.release(p.ctx);
	if (r < 0) {
		seccomp_filter_free(filter);
		return -1;
	}
	if (filter->listener_fd >= 0) {
		filter->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* The kernel takes TSYNC with a listener only if a thread that
		 * cannot be synchronized fails the call rather than being
		 * named in its return value, where the descriptor goes. */
		if (filter->flags & SECCOMP_FILTER_FLAG_TSYNC)
			filter->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	} else {
		/* It only changes how notifications are waited for; without a
		 * listener the kernel refuses it, and there is nothing to do. */
		filter->flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	*out = filter;
	return 0;
}

/* The container process state of the OCI spec, for the seccomp agent. */
static char *listener_message(const struct seccomp_filter *filter, const char *id, pid_t pid)
{
	const struct spec *spec = filter->spec;
	_cleanup_json_ json_t *message = json_pack(
		"{s:s, s:[s], s:I, s:{s:s, s:s, s:s, s:I, s:s, s:O}}", "ociVersion", SILO_OCI_VERSION,
		"fds", "seccompFd", "pid", (json_int_t)pid, "state", "ociVersion", SILO_OCI_VERSION, "id",
		id, "status", "creating", "pid", (json_int_t)pid, "bundle", spec->bundle, "annotations",
		spec->annotations);

	if (!message)
		return NULL;
	if (filter->metadata &&
	    json_object_set_new(message, "metadata", json_string(filter->metadata)) < 0)
		return NULL;
	return json_dumps(message, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* Sends the state, with the descriptor attached to its first part. */
static int send_to_listener(const struct seccomp_filter *filter, int notify_fd,
			    const char *message, struct silo_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	size_t len = strlen(message), done = 0;
	int first = 1;

	memset(&control, 0, sizeof(control));
	while (done < len) {
		struct iovec iov = { .iov_base = (char *)message + done, .iov_len = len - done };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (first) {
			struct cmsghdr *cmsg;

			msg.msg_control = control.buf;
			msg.msg_controllen = sizeof(control.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cmsg), &notify_fd, sizeof(int));
		}
		n = sendmsg(filter->listener_fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return silo_err_errno(err, "send the seccomp listener descriptor to \"%s\"",
					      filter->listener_path);
		first = 0;
		done += (size_t)n;
	}
	return 0;
}

int seccomp_install(struct seccomp_filter *filter, const char *id, pid_t host_pid,
		    struct silo_err *err)
{
	_cleanup_free_ char *message = NULL;
	int r, notify_fd;

	if (!filter)
		return 0;
	/* Everything that allocates happens before the filter is in force. */
	if (filter->listener_fd >= 0) {
		message = listener_message(filter, id, host_pid);
		if (!message)
			return silo_err_sys(err, ENOMEM, "seccomp listener message");
	}
	r = seccomp_syscall(SECCOMP_SET_MODE_FILTER, filter->flags, &filter->program);
	if (r < 0) {
		if (errno == EACCES)
			return silo_err_set(err, EACCES,
					    "load the seccomp filter: permission denied (loading needs noNewPrivileges or CAP_SYS_ADMIN)");
		return silo_err_errno(err, "load the seccomp filter");
	}
	if (filter->listener_fd < 0) {
		/* With TSYNC, a positive value names a thread that could not
		 * be synchronized (the init has none, but say so if it did). */
		if (r > 0)
			return silo_err_set(err, ESRCH,
					    "load the seccomp filter: thread %d could not be synchronized", r);
		return 0;
	}
	notify_fd = r;
	r = send_to_listener(filter, notify_fd, message, err);
	close(notify_fd);
	close(filter->listener_fd);
	filter->listener_fd = -1;
	return r;
}

void seccomp_filter_free(struct seccomp_filter *filter)
{
	if (!filter)
		return;
	if (filter->listener_fd >= 0)
		close(filter->listener_fd);
	free(filter->program.filter);
	free(filter);
}

json_t *seccomp_features(void)
{
	_cleanup_json_ json_t *features = json_pack("{s:b, s:[], s:[], s:[], s:[], s:[]}", "enabled", 1,
						    "actions", "operators", "archs", "knownFlags",
						    "supportedFlags");
	json_t *actions, *operators, *archs, *known, *supported;

	if (!features)
		return NULL;
	actions = json_object_get(features, "actions");
	operators = json_object_get(features, "operators");
	archs = json_object_get(features, "archs");
	known = json_object_get(features, "knownFlags");
	supported = json_object_get(features, "supportedFlags");
	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++)
		if (json_array_append_new(actions, json_string(action_names[i].name)) < 0)
			return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(operator_names); i++)
		if (json_array_append_new(operators, json_string(operator_names[i].name)) < 0)
			return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++)
		if (json_array_append_new(archs, json_string(arch_names[i].name)) < 0)
			return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++) {
		if (json_array_append_new(known, json_string(flag_names[i].name)) < 0)
			return NULL;
		if (kernel_has_flag(flag_names[i].flag) &&
		    json_array_append_new(supported, json_string(flag_names[i].name)) < 0)
			return NULL;
	}
	return steal_pointer(&features);
}
