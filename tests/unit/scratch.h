/* A scratch directory under /tmp for a unit test: its setup makes one,
 * its teardown removes it with everything below it. */
#ifndef SILO_TESTS_UNIT_SCRATCH_H
#define SILO_TESTS_UNIT_SCRATCH_H

#include <stddef.h>

/* Room for "/tmp/silo-test-NAME-XXXXXX" with a short NAME. */
#define SCRATCH_DIR_SIZE 64

/* A test's state of size bytes, zeroed, whose first member is its
 * directory (char dir[SCRATCH_DIR_SIZE]): a new /tmp/silo-test-NAME-XXXXXX.
 * NULL when either cannot be made. */
void *scratch_new(size_t size, const char *name);

/* rm -rf of the state's directory, then free. Returns 0, or -1 when
 * something stays. */
int scratch_free(void *state);

#endif
