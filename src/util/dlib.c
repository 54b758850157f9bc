/* Opening a shared library when first needed (see dlib.h). */
#include "util/dlib.h"

#include <dlfcn.h>
#include <errno.h>

int dlib_open(void **handle, const char *soname, const struct dlib_symbol *symbols, size_t n,
	      struct silo_err *err)
{
	void *h;

	if (*handle)
		return 0;
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
	*handle = h;
	return 0;
}
