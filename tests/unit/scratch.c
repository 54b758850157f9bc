/* Scratch directories for the unit tests (see scratch.h). */
#include "scratch.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/fs.h"

void *scratch_new(size_t size, const char *name)
{
	char *dir = size >= SCRATCH_DIR_SIZE ? calloc(1, size) : NULL;
	int n;

	if (!dir)
		return NULL;
	n = snprintf(dir, SCRATCH_DIR_SIZE, "/tmp/silo-test-%s-XXXXXX", name);
	if (n < 0 || n >= SCRATCH_DIR_SIZE || !mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

int scratch_free(void *state)
{
	struct silo_err err = { 0 };
	int r = fs_remove_tree(state, &err) < 0 ? -1 : 0;

	free(state);
	return r;
}
