/* Compiled seccomp programs kept between creates (see seccomp_cache.h).
 *
 * An entry is one file, named by the FNV-1a hash of its key:
 *   header (magic, key length, instruction count, checksum)
 *   the key, then the program (struct sock_filter[count])
 * The checksum (FNV-1a over key and program) only tells a damaged file;
 * trust comes from the directory being the caller's alone, and the key
 * match from comparing the whole key. */
#include "runtime/seccomp_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

#define CACHE_MAGIC "SILOBPF1"
#define CACHE_KEY_MAX (1024 * 1024)

struct cache_header {
	char magic[8];
	uint32_t key_len;
	uint32_t count; /* instructions */
	uint64_t checksum;
};

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

static void entry_name(const char *key, char name[32])
{
	snprintf(name, 32, "%016llx.bpf", (unsigned long long)fnv1a(FNV_OFFSET, key, strlen(key)));
}

/* Only a directory of ours that nobody else may write to. */
static int open_cache_dir(const char *dir, int make)
{
	struct stat st;
	int fd;

	if (make && mkdir(dir, 0700) < 0 && errno == ENOENT) {
		struct silo_err ignored = { 0 };

		if (fs_mkdir_p(dir, 0700, &ignored) < 0)
			return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return -1;
	}
	return fd;
}

int seccomp_cache_load(const char *dir, const char *key, struct sock_fprog *program)
{
	_cleanup_close_ int dir_fd = open_cache_dir(dir, 0);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *data = NULL;
	struct cache_header h;
	size_t key_len = strlen(key), size, code_size;
	struct stat st;
	char name[32];
	ssize_t n;

	if (dir_fd < 0 || key_len > CACHE_KEY_MAX)
		return -1;
	entry_name(key, name);
	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || st.st_size < (off_t)sizeof(h) ||
	    st.st_size > (off_t)(sizeof(h) + CACHE_KEY_MAX + BPF_MAXINSNS * sizeof(struct sock_filter)))
		return -1;
	size = (size_t)st.st_size;
	data = malloc(size);
	if (!data)
		return -1;
	n = pread(fd, data, size, 0);
	if (n != (ssize_t)size)
		return -1;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) || h.key_len != key_len || h.count == 0 ||
	    h.count > BPF_MAXINSNS)
		return -1;
	code_size = (size_t)h.count * sizeof(struct sock_filter);
	if (size != sizeof(h) + key_len + code_size || memcmp(data + sizeof(h), key, key_len) ||
	    fnv1a(fnv1a(FNV_OFFSET, key, key_len), data + sizeof(h) + key_len, code_size) != h.checksum)
		return -1;
	program->filter = malloc(code_size);
	if (!program->filter)
		return -1;
	memcpy(program->filter, data + sizeof(h) + key_len, code_size);
	program->len = (unsigned short)h.count;
	return 0;
}

int seccomp_cache_store(const char *dir, const char *key, const struct sock_fprog *program)
{
	_cleanup_close_ int dir_fd = open_cache_dir(dir, 1);
	_cleanup_close_ int fd = -1;
	size_t key_len = strlen(key), code_size = (size_t)program->len * sizeof(struct sock_filter);
	struct cache_header h = { .key_len = (uint32_t)key_len, .count = program->len };
	char name[32], tmp[64];
	int r;

	if (dir_fd < 0 || key_len > CACHE_KEY_MAX || program->len == 0)
		return -1;
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	h.checksum = fnv1a(fnv1a(FNV_OFFSET, key, key_len), program->filter, code_size);
	entry_name(key, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", name, (int)getpid());
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	r = fs_write_all(fd, &h, sizeof(h));
	if (r == 0)
		r = fs_write_all(fd, key, key_len);
	if (r == 0)
		r = fs_write_all(fd, program->filter, code_size);
	if (close(fd) < 0)
		r = -1;
	fd = -1;
	if (r == 0 && renameat(dir_fd, tmp, dir_fd, name) == 0)
		return 0;
	unlinkat(dir_fd, tmp, 0);
	return -1;
}
