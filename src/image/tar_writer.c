/* The ustar writer: one 512-byte header per entry, the data, zero padding
 * to the next block. */
#include "image/tar_writer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/fs.h"

void tar_writer_init(struct tar_writer *t, int fd)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
}

static int put_all(struct tar_writer *t, const void *data, size_t len, struct silo_err *err)
{
	int r = fs_write_all(t->fd, data, len);

	return r < 0 ? silo_err_sys(err, -r, "write archive") : 0;
}

static void octal(char *field, size_t width, uint64_t value)
{
	/* width - 1 digits and a NUL, as every tar reader expects. */
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)value);
}

/* ustar keeps names of up to 100 bytes in name[] and longer ones split at
 * a slash into prefix[155] "/" name[100]. */
static int set_name(char *header, const char *name, struct silo_err *err)
{
	size_t len = strlen(name);

	if (len <= 100) {
		memcpy(header, name, len);
		return 0;
	}
	for (size_t i = len - 1; i > 0; i--) {
		if (name[i] != '/' || i > 155 || len - i - 1 > 100 || len - i - 1 == 0)
			continue;
		memcpy(header + 345, name, i);
		memcpy(header, name + i + 1, len - i - 1);
		return 0;
	}
	return silo_err_set(err, ENAMETOOLONG, "archive entry name \"%s\" is too long for ustar", name);
}

static int write_header(struct tar_writer *t, const char *name, char type, uint64_t size,
			unsigned mode, struct silo_err *err)
{
	char h[TAR_BLOCK];
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	if (set_name(h, name, err) < 0)
		return -1;
	octal(h + 100, 8, mode);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	if (size <= 077777777777ULL) {
		octal(h + 124, 12, size);
	} else {
		/* Base-256: a set high bit, then the size big-endian. */
		h[124] = (char)0x80;
		for (int i = 11; i >= 4; i--) {
			h[124 + i] = (char)(size & 0xff);
			size >>= 8;
		}
	}
	octal(h + 136, 12, 0);
	h[156] = type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return put_all(t, h, sizeof(h), err);
}

int tar_write_dir(struct tar_writer *t, const char *name, struct silo_err *err)
{
	char with_slash[256];

	snprintf(with_slash, sizeof(with_slash), "%s/", name);
	return write_header(t, with_slash, '5', 0, 0755, err);
}

int tar_begin_file(struct tar_writer *t, const char *name, uint64_t size, struct silo_err *err)
{
	if (write_header(t, name, '0', size, 0644, err) < 0)
		return -1;
	t->entry_size = size;
	t->entry_left = size;
	return 0;
}

int tar_write_data(struct tar_writer *t, const void *data, size_t len, struct silo_err *err)
{
	if (len > t->entry_left)
		return silo_err_set(err, EIO, "write archive: an entry got more than its %llu bytes",
				    (unsigned long long)t->entry_size);
	t->entry_left -= len;
	return put_all(t, data, len, err);
}

int tar_end_file(struct tar_writer *t, struct silo_err *err)
{
	static const char zeros[TAR_BLOCK];
	size_t pad = (size_t)((TAR_BLOCK - t->entry_size % TAR_BLOCK) % TAR_BLOCK);

	if (t->entry_left)
		return silo_err_set(err, EIO, "write archive: an entry got %llu bytes short of its %llu",
				    (unsigned long long)t->entry_left, (unsigned long long)t->entry_size);
	return pad ? put_all(t, zeros, pad, err) : 0;
}

int tar_write_file(struct tar_writer *t, const char *name, const void *data, size_t len,
		   struct silo_err *err)
{
	if (tar_begin_file(t, name, len, err) < 0 || tar_write_data(t, data, len, err) < 0)
		return -1;
	return tar_end_file(t, err);
}

int tar_finish(struct tar_writer *t, struct silo_err *err)
{
	static const char zeros[2 * TAR_BLOCK];

	return put_all(t, zeros, sizeof(zeros), err);
}
