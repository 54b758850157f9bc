/* libcurl, opened when first needed (see curl_lib.h). */
#include "image/curl_lib.h"

#include <errno.h>

#include "util/dlib.h"
#include "util/strv.h"

#define LIBCURL_SONAME "libcurl.so.4"

struct curl_lib curl_lib;
static int initialized;

int curl_lib_load(struct silo_err *err)
{
	const struct dlib_symbol symbols[] = {
		{ "curl_global_init", (void **)&curl_lib.global_init, 0 },
		{ "curl_global_cleanup", (void **)&curl_lib.global_cleanup, 0 },
		{ "curl_easy_init", (void **)&curl_lib.easy_init, 0 },
		{ "curl_easy_setopt", (void **)&curl_lib.easy_setopt, 0 },
		{ "curl_easy_getinfo", (void **)&curl_lib.easy_getinfo, 0 },
		{ "curl_easy_perform", (void **)&curl_lib.easy_perform, 0 },
		{ "curl_easy_cleanup", (void **)&curl_lib.easy_cleanup, 0 },
		{ "curl_easy_strerror", (void **)&curl_lib.easy_strerror, 0 },
		{ "curl_easy_escape", (void **)&curl_lib.easy_escape, 0 },
		{ "curl_free", (void **)&curl_lib.free, 0 },
		{ "curl_slist_append", (void **)&curl_lib.slist_append, 0 },
		{ "curl_slist_free_all", (void **)&curl_lib.slist_free_all, 0 },
		{ "curl_multi_init", (void **)&curl_lib.multi_init, 0 },
		{ "curl_multi_add_handle", (void **)&curl_lib.multi_add_handle, 0 },
		{ "curl_multi_remove_handle", (void **)&curl_lib.multi_remove_handle, 0 },
		{ "curl_multi_perform", (void **)&curl_lib.multi_perform, 0 },
		{ "curl_multi_poll", (void **)&curl_lib.multi_poll, 0 },
		{ "curl_multi_info_read", (void **)&curl_lib.multi_info_read, 0 },
		{ "curl_multi_cleanup", (void **)&curl_lib.multi_cleanup, 0 },
	};

	if (initialized)
		return 0;
	if (dlib_open(&curl_lib.handle, LIBCURL_SONAME, symbols, ARRAY_SIZE(symbols), err) < 0)
		return -1;
	/* libcurl's global setup (OpenSSL's with it) takes about 1 ms. */
	if (curl_lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return silo_err_set(err, ENOMEM, "initialize %s", LIBCURL_SONAME);
	initialized = 1;
	return 0;
}

void curl_lib_unload(void)
{
	if (initialized)
		curl_lib.global_cleanup();
	initialized = 0;
}
