/* A directory of compiled seccomp programs, so that a profile used again
 * (the engine's default profile, for every container with the same
 * capabilities) is compiled once rather than at every create: libseccomp
 * takes 7-12 ms for the default profile on the development VM, loading a
 * kept program a few µs.
 *
 * An entry is found by a hash of its key, but only used when the key it
 * holds is the caller's byte for byte (the key is the whole profile, with
 * what else decides the program: seccomp.c), and when its checksum and
 * sizes hold: a colliding, torn or truncated file is a miss, never a
 * weaker filter. Entries are written to a temporary name and renamed, and
 * not flushed to disk: a crash costs one compile. The directory and its
 * files must belong to the caller and be writable by nobody else;
 * otherwise the cache is not used. */
#ifndef SILO_RUNTIME_SECCOMP_CACHE_H
#define SILO_RUNTIME_SECCOMP_CACHE_H

#include <linux/filter.h>

/* 0 with *program filled (the caller frees program->filter), or -1 when
 * there is no usable entry for key in dir. */
int seccomp_cache_load(const char *dir, const char *key, struct sock_fprog *program);

/* Keeps program under key in dir (made 0700 if missing). -1 when it could
 * not; nothing depends on it. */
int seccomp_cache_store(const char *dir, const char *key, const struct sock_fprog *program);

#endif
