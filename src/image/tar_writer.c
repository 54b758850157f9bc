/* The ustar writer: one 512-byte header per entry, the data, zero padding
 * to the next block. */
#include "image/tar_writer.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"

void tar_writer_init(struct tar_writer *t, int fd)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
}

void tar_writer_init_sink(struct tar_writer *t, tar_sink_fn sink, void *opaque)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->sink = sink;
	t->sink_opaque = opaque;
}

static int put_all(struct tar_writer *t, const void *data, size_t len, struct silo_err *err)
{
	int r;

	if (t->sink)
		return t->sink(t->sink_opaque, data, len, err);
	r = fs_write_all(t->fd, data, len);
	return r < 0 ? silo_err_sys(err, -r, "write archive") : 0;
}

static void octal(char *field, size_t width, uint64_t value)
{
	/* width - 1 digits and a NUL, as every tar reader expects; callers
	 * pass only values that fit. */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0; value >>= 3)
		field[i] = (char)('0' + (value & 7));
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

/* The fields of one ustar header; name and linkname must fit (the caller
 * puts what does not in a pax header first). */
struct header_fields {
	const char *name;
	char type;
	unsigned mode;
	uint64_t uid, gid, size;
	int64_t mtime;
	const char *linkname;
	unsigned dev_major, dev_minor;
};

static int write_fields(struct tar_writer *t, const struct header_fields *f, struct silo_err *err)
{
	char h[TAR_BLOCK];
	unsigned sum = 0;
	uint64_t size = f->size;

	memset(h, 0, sizeof(h));
	if (set_name(h, f->name, err) < 0)
		return -1;
	octal(h + 100, 8, f->mode & 07777);
	octal(h + 108, 8, f->uid <= 07777777 ? f->uid : 0);
	octal(h + 116, 8, f->gid <= 07777777 ? f->gid : 0);
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
	octal(h + 136, 12, f->mtime > 0 && f->mtime <= 077777777777LL ? (uint64_t)f->mtime : 0);
	h[156] = f->type;
	if (f->linkname)
		memcpy(h + 157, f->linkname, strnlen(f->linkname, 100));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	if (f->type == TAR_TYPE_CHAR || f->type == TAR_TYPE_BLOCK) {
		octal(h + 329, 8, f->dev_major);
		octal(h + 337, 8, f->dev_minor);
	}
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return put_all(t, h, sizeof(h), err);
}

static int write_header(struct tar_writer *t, const char *name, char type, uint64_t size,
			unsigned mode, struct silo_err *err)
{
	struct header_fields f = { .name = name, .type = type, .size = size, .mode = mode };

	return write_fields(t, &f, err);
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

/* ----------------------------------------------------- entries with pax -- */

struct pax_buffer {
	char *data;
	size_t len, cap;
};

/* One "LEN KEY=VALUE\n" record; LEN counts itself. */
static int pax_add(struct pax_buffer *b, const char *key, const void *value, size_t value_len)
{
	size_t body = 1 + strlen(key) + 1 + value_len + 1, len = body, digits;

	for (;;) {
		char tmp[24];

		digits = (size_t)snprintf(tmp, sizeof(tmp), "%zu", len);
		if (body + digits == len)
			break;
		len = body + digits;
	}
	if (b->len + len > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 512) + len;
		char *grown = realloc(b->data, cap);

		if (!grown)
			return -1;
		b->data = grown;
		b->cap = cap;
	}
	b->len += (size_t)sprintf(b->data + b->len, "%zu %s=", len, key);
	memcpy(b->data + b->len, value, value_len);
	b->len += value_len;
	b->data[b->len++] = '\n';
	return 0;
}

/* Whether ustar's name/prefix split can hold name. */
static int fits_ustar(const char *name)
{
	size_t len = strlen(name);

	if (len <= 100)
		return 1;
	for (size_t i = len - 1; i > 0; i--)
		if (name[i] == '/' && i <= 155 && len - i - 1 <= 100 && len - i - 1 > 0)
			return 1;
	return 0;
}

int tar_write_entry(struct tar_writer *t, const struct tar_entry *e, struct silo_err *err)
{
	struct pax_buffer pax = { 0 };
	char name[PATH_MAX + 2], number[24];
	struct header_fields f = {
		.name = name, .type = e->type, .mode = e->mode, .uid = e->uid, .gid = e->gid,
		.mtime = e->mtime, .linkname = e->linkname, .dev_major = e->dev_major,
		.dev_minor = e->dev_minor,
	};
	size_t len = strlen(e->name);
	int r = 0;

	if (len + 2 > sizeof(name))
		return silo_err_set(err, ENAMETOOLONG, "archive entry name \"%s\" is too long", e->name);
	memcpy(name, e->name, len + 1);
	if (e->type == TAR_TYPE_DIR && (len == 0 || name[len - 1] != '/'))
		memcpy(name + len, "/", 2);
	if (e->type == TAR_TYPE_FILE)
		f.size = e->size;
	if (!fits_ustar(name) && pax_add(&pax, "path", name, strlen(name)) < 0)
		r = -1;
	if (e->linkname && strlen(e->linkname) > 100 &&
	    pax_add(&pax, "linkpath", e->linkname, strlen(e->linkname)) < 0)
		r = -1;
	if (e->uid > 07777777) {
		snprintf(number, sizeof(number), "%llu", (unsigned long long)e->uid);
		if (pax_add(&pax, "uid", number, strlen(number)) < 0)
			r = -1;
	}
	if (e->gid > 07777777) {
		snprintf(number, sizeof(number), "%llu", (unsigned long long)e->gid);
		if (pax_add(&pax, "gid", number, strlen(number)) < 0)
			r = -1;
	}
	for (size_t i = 0; i < e->n_xattrs && r == 0; i++) {
		char key[320];

		snprintf(key, sizeof(key), "SCHILY.xattr.%s", e->xattrs[i].name);
		if (pax_add(&pax, key, e->xattrs[i].value, e->xattrs[i].size) < 0)
			r = -1;
	}
	if (r < 0) {
		free(pax.data);
		return silo_err_sys(err, ENOMEM, "write archive");
	}
	if (pax.len) {
		static const char zeros[TAR_BLOCK];
		struct header_fields x = { .name = "././@PaxHeader", .type = 'x', .mode = 0644,
					   .size = pax.len };
		size_t pad = (TAR_BLOCK - pax.len % TAR_BLOCK) % TAR_BLOCK;

		if (write_fields(t, &x, err) < 0 || put_all(t, pax.data, pax.len, err) < 0 ||
		    (pad && put_all(t, zeros, pad, err) < 0))
			r = -1;
		/* The ustar fields keep what fits; readers take the pax ones. */
		if (!fits_ustar(name))
			name[100] = '\0';
	}
	free(pax.data);
	if (r < 0 || write_fields(t, &f, err) < 0)
		return -1;
	t->entry_size = f.size;
	t->entry_left = f.size;
	return 0;
}
