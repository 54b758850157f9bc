/* Unit tests for the attach socket (src/engine/attach.c): docker's
 * --detach-keys syntax, and the server's fan-out, input and flush over
 * real socketpairs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/attach.h"

static void test_detach_keys(void **state)
{
	struct silo_err err = { 0 };
	unsigned char keys[16];
	size_t n = 0;

	(void)state;
	assert_int_equal(attach_parse_detach_keys(ATTACH_DEFAULT_DETACH_KEYS, keys, sizeof(keys), &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(keys[0], 16);
	assert_int_equal(keys[1], 17);
	assert_int_equal(attach_parse_detach_keys("ctrl-a,d,ctrl-@,ctrl-[,ctrl-\\,ctrl-_,,", keys, sizeof(keys), &n,
						  &err) < 0, 1);
	assert_int_equal(attach_parse_detach_keys("ctrl-a,d,ctrl-@,ctrl-[,ctrl-\\,ctrl-_,x", keys, sizeof(keys), &n,
						  &err), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(keys, "\001d\000\033\034\037x", 7);
	assert_true(attach_parse_detach_keys("ctrl-xx", keys, sizeof(keys), &n, &err) < 0);
	assert_non_null(strstr(err.msg, "invalid --detach-keys \"ctrl-xx\": \"ctrl-xx\""));
	assert_true(attach_parse_detach_keys("ctrl-1", keys, sizeof(keys), &n, &err) < 0);
	assert_true(attach_parse_detach_keys("", keys, sizeof(keys), &n, &err) < 0);
	assert_true(attach_parse_detach_keys("ab", keys, sizeof(keys), &n, &err) < 0);
	assert_true(attach_parse_detach_keys("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", keys, sizeof(keys), &n, &err) < 0);
	assert_non_null(strstr(err.msg, "at most 16 keys"));
}

/* Two clients get the output and the exit; one client's input reaches the
 * input target. */
static void test_fan_out(void **state)
{
	struct attach_server s;
	int a[2], b[2], in[2];
	char buf[64];

	(void)state;
	attach_server_init(&s);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b), 0);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(attach_server_add(&s, a[1]), 0);
	assert_int_equal(attach_server_add(&s, b[1]), 0);
	attach_server_set_target(&s, in[1], -1, -1);

	attach_server_output(&s, ATTACH_STDERR, "oops", 4);
	assert_int_equal(recv(a[0], buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "Eoops", 5);
	assert_int_equal(recv(b[0], buf, sizeof(buf), 0), 5);

	assert_int_equal(attach_send(b[0], ATTACH_STDIN, "typed", 5), 0);
	{
		struct pollfd fds[8];
		size_t n = attach_server_pollfds(&s, fds, 8);

		assert_int_equal(n, 4);
		assert_int_equal(poll(fds, n, 1000), 1);
		attach_server_dispatch(&s, fds, n);
	}
	assert_int_equal(read(in[0], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "typed", 5);

	/* A client that hung up is dropped at the next output. */
	close(a[0]);
	attach_server_output(&s, ATTACH_STDOUT, "x", 1);
	assert_int_equal(s.n_clients, 1);

	close(b[0]);
	attach_server_exit(&s, 3);
	assert_int_equal(s.n_clients, 0);
	attach_server_close(&s);
	close(in[0]);
	close(in[1]);
}

/* What a client could not take yet is sent by attach_server_flush, in
 * order, as the client reads; flush gives up after its timeout, and drops
 * a client that hung up. */
static void test_flush(void **state)
{
	struct attach_server s;
	char chunk[ATTACH_MAX_PAYLOAD];
	int a[2], b[2], status;
	uint32_t n = 0;
	struct timespec t0, t1;
	pid_t reader;

	(void)state;
	attach_server_init(&s);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b), 0);
	assert_int_equal(attach_server_add(&s, a[1]), 0);
	assert_int_equal(attach_server_add(&s, b[1]), 0);
	memset(chunk, 'x', sizeof(chunk));
	/* Until both sockets are full and something is queued for each. */
	while (s.n_clients == 2 && (s.clients[0].queued == 0 || s.clients[1].queued == 0) && n < 10000) {
		memcpy(chunk, &n, sizeof(n));
		attach_server_output(&s, ATTACH_STDOUT, chunk, sizeof(chunk));
		n++;
	}
	assert_int_equal(s.n_clients, 2);
	assert_true(s.clients[0].queued > 0);

	/* Nobody reads: it waits out its timeout, and keeps the queues. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	attach_server_flush(&s, 100);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 90);
	assert_int_equal(s.n_clients, 2);

	/* a reads everything, in order; b hangs up. */
	reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		char msg[1 + ATTACH_MAX_PAYLOAD];
		uint32_t seq;

		/* Never left behind, should the flush fail. */
		alarm(10);
		close(a[1]);
		for (uint32_t i = 0; i < n; i++) {
			if (recv(a[0], msg, sizeof(msg), 0) != (ssize_t)sizeof(msg) || msg[0] != ATTACH_STDOUT)
				_exit(1);
			memcpy(&seq, msg + 1, sizeof(seq));
			if (seq != i)
				_exit(2);
		}
		_exit(0);
	}
	close(a[0]);
	close(b[0]);
	attach_server_flush(&s, 5000);
	assert_int_equal(s.n_clients, 1);
	assert_int_equal(s.clients[0].queued, 0);
	assert_int_equal(waitpid(reader, &status, 0), reader);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	attach_server_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detach_keys),
		cmocka_unit_test(test_fan_out),
		cmocka_unit_test(test_flush),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
