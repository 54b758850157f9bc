/* syscall_probe NAME...: makes each named system call once, harmlessly,
 * and prints "NAME: ok" when it reached the kernel (whatever the kernel
 * then said of the bogus arguments) or "NAME: Operation not permitted"
 * when it was refused with EPERM, as a seccomp filter does. Linked statically so it
 * runs in any container image; the seccomp tests bind it in. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long probe(const char *name)
{
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
	if (!strcmp(name, "add_key"))
		return syscall(SYS_add_key, "user", "silo-probe", "x", 1, -3);
	if (!strcmp(name, "open_by_handle_at")) {
		/* A bogus handle: the kernel says ESTALE or EINVAL. */
		struct { unsigned int bytes; int type; unsigned char h[8]; } fh = { 8, 1, { 0 } };

		return syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY);
	}
	if (!strcmp(name, "unshare-user"))
		return unshare(CLONE_NEWUSER);
	if (!strcmp(name, "unshare-files"))
		return unshare(CLONE_FILES);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, 0, NULL, 0);
	if (!strcmp(name, "personality-linux"))
		return personality(PER_LINUX);
	if (!strcmp(name, "personality-bsd"))
		return personality(PER_BSD) < 0 ? -1 : (personality(PER_LINUX), 0);
	if (!strcmp(name, "fork")) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		return pid < 0 ? -1 : waitpid(pid, NULL, 0);
	}
	errno = ENOSYS;
	return -1;
}

int main(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		errno = 0;
		if (probe(argv[i]) < 0 && (errno == EPERM || errno == ENOSYS)) {
			printf("%s: %s\n", argv[i], strerror(errno));
			status = 1;
		} else {
			printf("%s: ok\n", argv[i]);
		}
	}
	return status;
}
