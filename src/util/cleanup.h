/* Scope-bound cleanup: attributes that free memory, close descriptors and
 * release JSON references when a variable goes out of scope, so error paths
 * stay short and leak-free. */
#ifndef SILO_UTIL_CLEANUP_H
#define SILO_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cleanup_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static inline void cleanup_jsonp(json_t **j)
{
	json_decref(*j);
}

static inline void cleanup_strvp(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))
#define _cleanup_json_ __attribute__((cleanup(cleanup_jsonp)))
#define _cleanup_strv_ __attribute__((cleanup(cleanup_strvp)))

/* Hands ownership out of a cleanup-guarded variable. */
#define steal_pointer(p)                  \
	({                                \
		__typeof__(*(p)) _v = *(p); \
		*(p) = NULL;              \
		_v;                       \
	})
#define steal_fd(fd)              \
	({                        \
		int _fd = *(fd);  \
		*(fd) = -1;       \
		_fd;              \
	})

#endif
