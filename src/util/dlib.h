/* Shared libraries opened when first needed, rather than linked: a library
 * linked into silo (or its engine module) is mapped and initialised at every
 * start, whether the command uses it or not. */
#ifndef SILO_UTIL_DLIB_H
#define SILO_UTIL_DLIB_H

#include <stddef.h>

#include "util/err.h"

struct dlib_symbol {
	const char *name;
	void **slot; /* where its address goes */
	int optional; /* may be missing: the slot is then NULL */
};

/* Opens soname (RTLD_NOW | RTLD_LOCAL) and fills the slot of every symbol.
 * Does nothing when *handle is set already. Fails, naming the library and
 * the first symbol missing, when it cannot be opened or lacks a symbol that
 * is not optional; nothing is left open then. Refuses when the process's
 * root is no longer the one it started with (inside a container's mount
 * namespace the library would be the container's): open what such a
 * process needs before it gets there. Safe to call from several threads. */
int dlib_open(void **handle, const char *soname, const struct dlib_symbol *symbols, size_t n,
	      struct silo_err *err);

#endif
