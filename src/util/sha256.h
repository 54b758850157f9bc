/* SHA-256 (FIPS 180-4) of a buffer in memory. */
#ifndef SILO_UTIL_SHA256_H
#define SILO_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LENGTH 32

void sha256(const void *data, size_t len, uint8_t out[SHA256_LENGTH]);

#endif
