/* Base64 (RFC 4648, with padding), as registry credentials use it. */
#ifndef SILO_UTIL_BASE64_H
#define SILO_UTIL_BASE64_H

#include <stddef.h>

/* The encoding of data, NUL-terminated and malloc'd; NULL without memory. */
char *base64_encode(const void *data, size_t len);
/* Decodes text (padding optional) into a malloc'd, NUL-terminated buffer
 * of *len bytes. -EINVAL for text that is not base64, -ENOMEM. */
int base64_decode(const char *text, unsigned char **out, size_t *len);

#endif
