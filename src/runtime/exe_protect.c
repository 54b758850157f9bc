/* exe_protect: re-executing silo from a sealed memfd copy (CVE-2019-5736).
 *
 * The copy is made once per silo command that asks for it, before the
 * command does anything: the binary is copied with sendfile into a memfd,
 * sealed against every change (write, grow, shrink, further seals, exec
 * bits), and executed through its descriptor. The process then runs the
 * same command from the start, with /proc/self/exe naming the memfd, and
 * every process it forks or clones into a container inherits that. Writing
 * through the link fails (ETXTBSY while it runs, EPERM from the seals after);
 * and even a write that got through would only reach an anonymous copy that
 * dies with its last process, never the file on the host.
 *
 * Only what the kernel maps is copied: the ELF header, the program headers
 * and the segments, which end before the symbol table and the debug
 * information (three quarters of a debugoptimized build); the copy's
 * header says it has no section headers. Where the file does not look like
 * that, all of it is copied.
 *
 * The copy costs a sendfile of the binary and one more execve, and only
 * commands that put processes into containers pay it (create, run, exec):
 * about 1.5 ms on the development VM, of which the copy is 0.1 ms (the
 * 280 KB that are mapped of the 1 MB debugoptimized build; all of it took
 * 0.5-1 ms), the rest the execve and dynamic linking.
 *
 * The path the copy was made from is kept in the copy's environment
 * (exe_protect_source), for the static monitor of a detached container,
 * which holds no copy while the container runs and makes a new one from
 * that file when it exits (engine/monitor_lean.h). */
#include "runtime/exe_protect.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* Linux 6.3; the headers of Debian 12 predate them. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

/* Set across our own re-exec only, so that a copy that somehow did not
 * take fails instead of re-executing forever. */
#define REEXEC_MARK "_SILO_EXE_PROTECT"
/* The binary the copy was made from, for a process of silo that must make
 * another one later (exe_protect_source). */
#define SOURCE_ENV "SILO_EXE_SOURCE"

/* /proc/self/cmdline can outgrow ARG_MAX: the kernel's limit follows the
 * stack rlimit. */
#define CMDLINE_MAX (4 * 1024 * 1024)

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

int exe_protect_fd_is_sealed(int fd)
{
	/* A regular file has no seals (EINVAL); only a memfd sealed by us
	 * has all of these. */
	int seals = fd < 0 ? -1 : fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

int exe_protect_is_sealed(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	return exe_protect_fd_is_sealed(fd);
}

static int create_memfd(struct silo_err *err)
{
	int fd = memfd_create("silo", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	/* Before 6.3 the kernel does not know MFD_EXEC; every memfd is
	 * executable there. */
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("silo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return silo_err_errno(err, "protect the silo binary: memfd_create");
	return fd;
}

/* Where the last part of the file the kernel maps ends: the furthest end of
 * the program headers and of what each describes. 0 when the file does not
 * look like an executable of our own kind, or nothing would be saved. */
static off_t mapped_end(int fd, off_t size)
{
	ElfW(Ehdr) ehdr;
	ElfW(Phdr) phdr;
	off_t end;

	if (pread(fd, &ehdr, sizeof(ehdr), 0) != (ssize_t)sizeof(ehdr) ||
	    memcmp(ehdr.e_ident, ELFMAG, SELFMAG) || ehdr.e_ident[EI_CLASS] != (__ELF_NATIVE_CLASS == 64 ? ELFCLASS64 : ELFCLASS32) ||
	    ehdr.e_phentsize != sizeof(phdr) || ehdr.e_phnum == 0 || ehdr.e_phnum == PN_XNUM)
		return 0;
	end = (off_t)(ehdr.e_phoff + (ElfW(Off))ehdr.e_phnum * sizeof(phdr));
	for (unsigned i = 0; i < ehdr.e_phnum; i++) {
		off_t at = (off_t)(ehdr.e_phoff + (ElfW(Off))i * sizeof(phdr));

		if (pread(fd, &phdr, sizeof(phdr), at) != (ssize_t)sizeof(phdr))
			return 0;
		if ((off_t)(phdr.p_offset + phdr.p_filesz) > end)
			end = (off_t)(phdr.p_offset + phdr.p_filesz);
	}
	return end > 0 && end < size && end >= (off_t)sizeof(ehdr) ? end : 0;
}

/* The copy ends before the section headers: its header must not point at
 * them. */
static int drop_section_headers(int fd)
{
	ElfW(Ehdr) ehdr;

	if (pread(fd, &ehdr, sizeof(ehdr), 0) != (ssize_t)sizeof(ehdr))
		return -1;
	ehdr.e_shoff = 0;
	ehdr.e_shnum = 0;
	ehdr.e_shstrndx = SHN_UNDEF;
	return pwrite(fd, &ehdr, sizeof(ehdr), 0) == (ssize_t)sizeof(ehdr) ? 0 : -1;
}

static int copy_binary(int from, int to, struct silo_err *err)
{
	struct stat st;
	off_t left, mapped;

	if (fstat(from, &st) < 0)
		return silo_err_errno(err, "protect the silo binary: stat /proc/self/exe");
	mapped = mapped_end(from, st.st_size);
	for (left = mapped ? mapped : st.st_size; left > 0;) {
		ssize_t n = sendfile(to, from, NULL, (size_t)left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return silo_err_sys(err, n < 0 ? errno : EIO,
					    "protect the silo binary: copy /proc/self/exe");
		left -= n;
	}
	if (mapped && drop_section_headers(to) < 0)
		return silo_err_errno(err, "protect the silo binary: write the copy's ELF header");
	return 0;
}

static int seal(int fd, struct silo_err *err)
{
	/* F_SEAL_EXEC (6.3) keeps the exec bits as they are; older kernels
	 * refuse the unknown seal, and have no way to change them either that
	 * matters here. */
	if (fcntl(fd, F_ADD_SEALS, REQUIRED_SEALS | F_SEAL_EXEC) == 0)
		return 0;
	if (errno == EINVAL && fcntl(fd, F_ADD_SEALS, REQUIRED_SEALS) == 0)
		return 0;
	return silo_err_errno(err, "protect the silo binary: seal the copy");
}

/* The kernel names a process executed through a descriptor after the
 * descriptor's number: give it back the name it was started under. */
static void restore_name(void)
{
	_cleanup_free_ char *cmdline = NULL;
	const char *name;

	if (fs_read_file("/proc/self/cmdline", CMDLINE_MAX, &cmdline, NULL, NULL) < 0)
		return;
	name = strrchr(cmdline, '/') ? strrchr(cmdline, '/') + 1 : cmdline;
	if (*name)
		prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* The NUL-separated arguments of /proc/self/cmdline as an argv. */
static char **read_argv(char **cmdline, struct silo_err *err)
{
	size_t len, n = 0;
	char **argv;

	if (fs_read_file("/proc/self/cmdline", CMDLINE_MAX, cmdline, &len, err) < 0)
		return NULL;
	for (size_t i = 0; i < len; i++)
		n += (*cmdline)[i] == '\0';
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv) {
		silo_err_sys(err, ENOMEM, "protect the silo binary");
		return NULL;
	}
	for (size_t i = 0, k = 0; i < len && k < n; k++) {
		argv[k] = *cmdline + i;
		i += strlen(*cmdline + i) + 1;
	}
	return argv;
}

int exe_protect_copy(const char *path, struct silo_err *err)
{
	_cleanup_close_ int from = open(path, O_RDONLY | O_CLOEXEC);
	int copy;

	if (from < 0)
		return silo_err_errno(err, "protect the silo binary: open \"%s\"", path);
	copy = create_memfd(err);
	if (copy < 0)
		return -1;
	if (copy_binary(from, copy, err) < 0 || seal(copy, err) < 0) {
		close(copy);
		return -1;
	}
	return copy;
}

const char *exe_protect_source(void)
{
	const char *source = getenv(SOURCE_ENV);

	return source && source[0] == '/' && exe_protect_is_sealed() ? source : NULL;
}

int exe_protect_reexec(struct silo_err *err)
{
	_cleanup_close_ int copy = -1;
	_cleanup_free_ char *cmdline = NULL;
	_cleanup_free_ char **argv = NULL;
	int reexecuted = getenv(REEXEC_MARK) != NULL;
	char source[PATH_MAX];
	ssize_t n;

	unsetenv(REEXEC_MARK);
	if (exe_protect_is_sealed()) {
		if (reexecuted)
			restore_name();
		return 0;
	}
	if (reexecuted)
		return silo_err_set(err, EIO,
				    "protect the silo binary: still not running from the sealed copy after re-executing it");

	argv = read_argv(&cmdline, err);
	if (!argv)
		return -1;
	copy = exe_protect_copy("/proc/self/exe", err);
	if (copy < 0)
		return -1;
	/* Always set here, so the copy never reads a value of its caller's. */
	n = readlink("/proc/self/exe", source, sizeof(source) - 1);
	source[n > 0 ? n : 0] = '\0';
	if (setenv(REEXEC_MARK, "1", 1) < 0 || setenv(SOURCE_ENV, source, 1) < 0)
		return silo_err_errno(err, "protect the silo binary");
	fexecve(copy, argv, environ);
	unsetenv(REEXEC_MARK);
	return silo_err_errno(err, "protect the silo binary: execute the sealed copy");
}
