/* libcurl, opened when a command first reaches a registry rather than
 * linked into the engine module: with the TLS, SSH, LDAP and Kerberos
 * libraries it brings, loading it takes about 11 ms on the development VM,
 * at every start of every engine command. curl_lib_load opens it; the
 * names below then call it. Include this instead of <curl/curl.h>. */
#ifndef SILO_IMAGE_CURL_LIB_H
#define SILO_IMAGE_CURL_LIB_H

/* The type-checking macros of curl/typecheck-gcc.h would wrap the names
 * that are macros here. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "util/err.h"

/* The part of libcurl silo uses. */
struct curl_lib {
	void *handle;
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	CURLcode (*easy_perform)(CURL *curl);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
	char *(*easy_escape)(CURL *curl, const char *string, int length);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
	void (*slist_free_all)(struct curl_slist *list);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *multi, CURL *curl);
	CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *curl);
	CURLMcode (*multi_perform)(CURLM *multi, int *running);
	CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd extra_fds[], unsigned int n,
				int timeout_ms, int *ret);
	CURLMsg *(*multi_info_read)(CURLM *multi, int *queued);
	CURLMcode (*multi_cleanup)(CURLM *multi);
};

extern struct curl_lib curl_lib;

/* Opens libcurl and runs its global setup, once; later calls do nothing.
 * Not thread-safe (neither is curl_global_init): call it before starting
 * threads that use libcurl. */
int curl_lib_load(struct silo_err *err);
/* Undoes the global setup if curl_lib_load did it. */
void curl_lib_unload(void);

#define curl_easy_init curl_lib.easy_init
/* curl.h makes these two macros of themselves, to count their arguments. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_setopt curl_lib.easy_setopt
#define curl_easy_getinfo curl_lib.easy_getinfo
#define curl_easy_perform curl_lib.easy_perform
#define curl_easy_cleanup curl_lib.easy_cleanup
#define curl_easy_strerror curl_lib.easy_strerror
#define curl_easy_escape curl_lib.easy_escape
#define curl_free curl_lib.free
#define curl_slist_append curl_lib.slist_append
#define curl_slist_free_all curl_lib.slist_free_all
#define curl_multi_init curl_lib.multi_init
#define curl_multi_add_handle curl_lib.multi_add_handle
#define curl_multi_remove_handle curl_lib.multi_remove_handle
#define curl_multi_perform curl_lib.multi_perform
#define curl_multi_poll curl_lib.multi_poll
#define curl_multi_info_read curl_lib.multi_info_read
#define curl_multi_cleanup curl_lib.multi_cleanup

#endif
