/* seccomp filters from linux.seccomp, through libseccomp. */
#include "runtime/seccomp.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

int seccomp_prepare(const struct spec *spec, struct seccomp_filter **out, struct silo_err *err)
{
	json_t *linux_obj = json_object_get(spec->document, "linux");

	*out = NULL;
	if (json_object_get(linux_obj, "seccomp"))
		return silo_err_set(err, ENOTSUP, "config.json: linux.seccomp: not supported yet");
	return 0;
}

int seccomp_install(struct seccomp_filter *filter, const char *id, pid_t host_pid,
		    struct silo_err *err)
{
	(void)filter;
	(void)id;
	(void)host_pid;
	(void)err;
	return 0;
}

void seccomp_filter_free(struct seccomp_filter *filter)
{
	free(filter);
}
