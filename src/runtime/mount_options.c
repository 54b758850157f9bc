/* Translating OCI mount options. Three families share one option list:
 * classic mount(2) flags ("nosuid"), propagation ("rprivate"), and the
 * recursive attributes ("rro") that only mount_setattr(2) can apply to a
 * whole tree. Anything unknown is filesystem data ("mode=755"), which the
 * kernel, not silo, gets to judge. Later options win over earlier ones, as
 * with mount(8). */
#include "runtime/mount_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "util/strv.h"

struct flag_option {
	const char *name;
	unsigned long flag;
	int clear;
};

static const struct flag_option flag_options[] = {
	{ "defaults", 0, 0 },
	{ "ro", MS_RDONLY, 0 },
	{ "rw", MS_RDONLY, 1 },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", MS_NOSUID, 1 },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", MS_NODEV, 1 },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", MS_NOEXEC, 1 },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", MS_SYNCHRONOUS, 1 },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "remount", MS_REMOUNT, 0 },
	{ "mand", MS_MANDLOCK, 0 },
	{ "nomand", MS_MANDLOCK, 1 },
	{ "noatime", MS_NOATIME, 0 },
	{ "atime", MS_NOATIME, 1 },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", MS_NODIRATIME, 1 },
	{ "relatime", MS_RELATIME, 0 },
	{ "norelatime", MS_RELATIME, 1 },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "nostrictatime", MS_STRICTATIME, 1 },
	{ "nosymfollow", MS_NOSYMFOLLOW, 0 },
	{ "symfollow", MS_NOSYMFOLLOW, 1 },
};

struct propagation_option {
	const char *name;
	unsigned long propagation;
};

static const struct propagation_option propagation_options[] = {
	{ "shared", MS_SHARED },
	{ "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },
	{ "rslave", MS_SLAVE | MS_REC },
	{ "private", MS_PRIVATE },
	{ "rprivate", MS_PRIVATE | MS_REC },
	{ "unbindable", MS_UNBINDABLE },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
};

struct attr_option {
	const char *name;
	uint64_t attr;
	int clear;
};

/* The atime mode is one field, not independent bits: mount_setattr(2) takes
 * it only as "clear all of MOUNT_ATTR__ATIME, set exactly one mode", so
 * every atime option below picks a mode, and the ones that undo another
 * ("ratime", "rnostrictatime") pick the kernel's default, relatime. */
#define ATTR_ATIME_MODE 2

static const struct attr_option attr_options[] = {
	{ "rro", MOUNT_ATTR_RDONLY, 0 },
	{ "rrw", MOUNT_ATTR_RDONLY, 1 },
	{ "rnosuid", MOUNT_ATTR_NOSUID, 0 },
	{ "rsuid", MOUNT_ATTR_NOSUID, 1 },
	{ "rnodev", MOUNT_ATTR_NODEV, 0 },
	{ "rdev", MOUNT_ATTR_NODEV, 1 },
	{ "rnoexec", MOUNT_ATTR_NOEXEC, 0 },
	{ "rexec", MOUNT_ATTR_NOEXEC, 1 },
	{ "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 },
	{ "rdiratime", MOUNT_ATTR_NODIRATIME, 1 },
	{ "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "rsymfollow", MOUNT_ATTR_NOSYMFOLLOW, 1 },
	{ "rrelatime", MOUNT_ATTR_RELATIME, ATTR_ATIME_MODE },
	{ "rnorelatime", MOUNT_ATTR_STRICTATIME, ATTR_ATIME_MODE },
	{ "rnoatime", MOUNT_ATTR_NOATIME, ATTR_ATIME_MODE },
	{ "ratime", MOUNT_ATTR_RELATIME, ATTR_ATIME_MODE },
	{ "rstrictatime", MOUNT_ATTR_STRICTATIME, ATTR_ATIME_MODE },
	{ "rnostrictatime", MOUNT_ATTR_RELATIME, ATTR_ATIME_MODE },
};


/* Options that are neither flags nor data. */
static const char *const other_options[] = { "bind", "rbind", "idmap", "ridmap", "tmpcopyup" };

static const struct flag_option *find_flag(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_options); i++)
		if (!strcmp(flag_options[i].name, name))
			return &flag_options[i];
	return NULL;
}

static const struct propagation_option *find_propagation(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(propagation_options); i++)
		if (!strcmp(propagation_options[i].name, name))
			return &propagation_options[i];
	return NULL;
}

static const struct attr_option *find_attr(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_options); i++)
		if (!strcmp(attr_options[i].name, name))
			return &attr_options[i];
	return NULL;
}

static int is_known(const char *name)
{
	if (find_flag(name) || find_propagation(name) || find_attr(name))
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(other_options); i++)
		if (!strcmp(other_options[i], name))
			return 1;
	return 0;
}

static void apply_attr(struct mount_options *out, const struct attr_option *a)
{
	if (a->clear == ATTR_ATIME_MODE) {
		out->attr_clr |= MOUNT_ATTR__ATIME;
		out->attr_set = (out->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | a->attr;
	} else if (a->clear) {
		out->attr_clr |= a->attr;
		out->attr_set &= ~a->attr;
	} else {
		out->attr_set |= a->attr;
		out->attr_clr &= ~a->attr;
	}
}

static int append_data(char **data, const char *option)
{
	size_t old = *data ? strlen(*data) : 0;
	size_t add = strlen(option);
	char *grown = realloc(*data, old + add + 2);

	if (!grown)
		return -ENOMEM;
	if (old)
		grown[old++] = ',';
	memcpy(grown + old, option, add + 1);
	*data = grown;
	return 0;
}

static int parse_one(const char *option, struct mount_options *out, struct silo_err *err)
{
	const struct flag_option *f;
	const struct propagation_option *p;
	const struct attr_option *a;

	if (!*option)
		return silo_err_set(err, EINVAL, "empty mount option");
	if ((f = find_flag(option))) {
		if (f->clear) {
			out->clear_flags |= f->flag;
			out->flags &= ~f->flag;
		} else {
			out->flags |= f->flag;
			out->clear_flags &= ~f->flag;
		}
		return 0;
	}
	if ((p = find_propagation(option))) {
		out->propagation = p->propagation;
		return 0;
	}
	if ((a = find_attr(option))) {
		apply_attr(out, a);
		return 0;
	}
	if (!strcmp(option, "bind") || !strcmp(option, "rbind")) {
		out->bind = 1;
		out->recursive = option[0] == 'r';
		return 0;
	}
	if (!strcmp(option, "idmap") || !strcmp(option, "ridmap")) {
		out->idmap = 1;
		return 0;
	}
	if (!strcmp(option, "tmpcopyup"))
		return 0;
	/* "rsync" or "rremount" look like a recursive form of a known option
	 * but have none; passing them on as data would only get a puzzling
	 * EINVAL from the kernel later. Other words starting with 'r' are
	 * left alone: filesystems have their own ("recovery"). */
	if (option[0] == 'r' && is_known(option + 1))
		return silo_err_set(err, EINVAL,
				    "mount option \"%s\": \"%s\" has no recursive form", option,
				    option + 1);
	if (append_data(&out->data, option) < 0)
		return silo_err_sys(err, ENOMEM, "mount option \"%s\"", option);
	return 0;
}

int mount_options_parse(char *const *options, struct mount_options *out, struct silo_err *err)
{
	struct mount_options parsed = { 0 };

	for (size_t i = 0; options && options[i]; i++) {
		if (parse_one(options[i], &parsed, err) < 0) {
			mount_options_free(&parsed);
			return -1;
		}
	}
	if (parsed.recursive)
		parsed.flags |= MS_REC;
	if (parsed.bind)
		parsed.flags |= MS_BIND;
	*out = parsed;
	return 0;
}

void mount_options_free(struct mount_options *opts)
{
	if (!opts)
		return;
	free(opts->data);
	opts->data = NULL;
}
