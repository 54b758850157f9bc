/* Opening a shared library when first needed (see dlib.h). */
#include "util/dlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>

/* The root directory the process started with. A library is looked up
 * under the current root: after joining a container's mount namespace
 * (as `cp` does) that is the container's, and a dlopen there would run
 * the container's code with the host's privileges. */
static struct stat start_root;

__attribute__((constructor)) static void note_start_root(void)
{
	if (stat("/", &start_root) < 0)
		start_root.st_ino = 0;
}

static int root_is_start_root(void)
{
	struct stat now;

	return start_root.st_ino && stat("/", &now) == 0 && now.st_dev == start_root.st_dev &&
	       now.st_ino == start_root.st_ino;
}

static int open_locked(void **handle, const char *soname, const struct dlib_symbol *symbols,
		       size_t n, struct silo_err *err)
{
	void *h;

	if (*handle)
		return 0;
	if (!root_is_start_root())
		return silo_err_set(err, EPERM, "load %s: refused under another root than silo's own",
				    soname);
	h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return silo_err_set(err, ENOENT, "load %s: %s", soname, dlerror());
	for (size_t i = 0; i < n; i++) {
		*symbols[i].slot = dlsym(h, symbols[i].name);
		if (!*symbols[i].slot && !symbols[i].optional) {
			for (size_t k = 0; k < i; k++)
				*symbols[k].slot = NULL;
			dlclose(h);
			return silo_err_set(err, ENOSYS, "load %s: it has no %s", soname, symbols[i].name);
		}
	}
	/* After the slots: a caller that sees the handle sees them filled. */
	__atomic_store_n(handle, h, __ATOMIC_RELEASE);
	return 0;
}

int dlib_open(void **handle, const char *soname, const struct dlib_symbol *symbols, size_t n,
	      struct silo_err *err)
{
	/* Threads (a pull's extractors) may ask at once. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int r;

	if (__atomic_load_n(handle, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&lock);
	r = open_locked(handle, soname, symbols, n, err);
	pthread_mutex_unlock(&lock);
	return r;
}
