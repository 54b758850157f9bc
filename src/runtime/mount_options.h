/* The options of an OCI mount ("ro", "nosuid", "rbind", "rprivate",
 * "mode=755", "rro" ...) turned into what the kernel takes: mount(2) flags,
 * propagation, mount_setattr attributes for recursive options, and the
 * filesystem data string. */
#ifndef SILO_RUNTIME_MOUNT_OPTIONS_H
#define SILO_RUNTIME_MOUNT_OPTIONS_H

#include <stdint.h>

#include "util/err.h"

struct mount_options {
	unsigned long flags;       /* MS_RDONLY, MS_NOSUID, ... to set */
	unsigned long clear_flags; /* flags an option turned off ("rw", "suid", "dev" ...) */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, | MS_REC */
	int bind;                  /* "bind" or "rbind" */
	int recursive;             /* "rbind" */
	uint64_t attr_set;         /* MOUNT_ATTR_* from "rro", "rnosuid", ... */
	uint64_t attr_clr;         /* MOUNT_ATTR_* from "rrw", "rsuid", ... */
	char *data;                /* comma-joined filesystem options, or NULL */
	int idmap;                 /* "idmap" / "ridmap" seen (refused for now) */
};

/* Parses a NULL-terminated option list. An option that is neither a known
 * flag nor key=value/filesystem data is passed through as data, as runc
 * does; a malformed recursive option ("rfoo") is an error. */
int mount_options_parse(char *const *options, struct mount_options *out, struct silo_err *err);
void mount_options_free(struct mount_options *opts);

#endif
