/* `silo import`: a root filesystem tarball (plain, gzip, zstd or xz; from
 * a file or a pipe) becomes a one-layer image. The tarball is stored
 * uncompressed as the layer's blob, so its digest is its DiffID; the layer
 * is unpacked with unpack.c like any other; the config says the host's
 * platform (or the one asked for), the container config given (docker's
 * --change), and one history entry. A broken tarball stores nothing. */
#ifndef SILO_IMAGE_IMPORT_H
#define SILO_IMAGE_IMPORT_H

#include <jansson.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "image/store.h"
#include "util/err.h"

struct image_import_options {
	const char *ref;     /* the name to give the image, or NULL */
	const char *message; /* the history comment; NULL: "Imported from SOURCE" */
	const char *source;  /* the file name, or "-" */
	json_t *config;      /* the config's "config" (Cmd, Env...), or NULL */
	struct platform platform;
};

/* Applies one Dockerfile instruction, as `import --change` gives it ("CMD
 * [\"sh\"]", "ENV A=1", "EXPOSE 80/tcp" ...), to config, the config's
 * "config" object. Knows CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL,
 * USER, VOLUME, WORKDIR: the instructions that only change the config. */
int image_import_change(json_t *config, const char *change, struct silo_err *err);
/* The same for another command (`commit --change`): command names it in
 * the error for an instruction it cannot apply. */
int image_config_change(json_t *config, const char *change, const char *command,
			struct silo_err *err);

/* Stores a JSON document (compact) as a blob; *text gets the bytes stored
 * (the caller frees them) and digest their digest. */
int image_store_json(const struct store *store, json_t *doc, char **text,
		     char digest[DIGEST_STRING_LENGTH + 1], struct silo_err *err);

int image_import(const struct store *store, int fd, const struct image_import_options *opts,
		 char id[DIGEST_STRING_LENGTH + 1], struct silo_err *err);

#endif
