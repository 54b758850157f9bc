/* Small network programs for the network tests (busybox's nc has no UDP
 * and cannot bind an address): built static, so they run inside the
 * busybox image too.
 *
 *   nettool udp-serve PORT              answer every datagram with "echo:" + it
 *   nettool udp-send HOST PORT TEXT     send TEXT, print the answer (2 s timeout)
 *   nettool tcp-serve ADDR PORT TEXT    answer every connection with TEXT
 *   nettool tcp-hold ADDR PORT          listen, say "listening", never accept */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int bound_socket(int type, const char *host, int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "nettool: bad address %s\n", host);
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("nettool: bind");
		exit(1);
	}
	return fd;
}

static int udp_serve(int port)
{
	int fd = bound_socket(SOCK_DGRAM, "0.0.0.0", port);

	for (;;) {
		char buf[1024], reply[1100];
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		ssize_t n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&peer, &len);
		int m;

		if (n < 0)
			continue;
		buf[n] = '\0';
		m = snprintf(reply, sizeof(reply), "echo:%s", buf);
		sendto(fd, reply, (size_t)m, 0, (struct sockaddr *)&peer, len);
	}
	return 0;
}

static int udp_send(const char *host, int port, const char *text)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	struct timeval tv = { .tv_sec = 2 };
	char buf[1100];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n;

	if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "nettool: bad address %s\n", host);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, text, strlen(text), 0, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("nettool: send");
		return 1;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		perror("nettool: no answer");
		return 1;
	}
	buf[n] = '\0';
	printf("%s\n", buf);
	return 0;
}

static int tcp_serve(const char *host, int port, const char *text)
{
	int fd = bound_socket(SOCK_STREAM, host, port);

	if (listen(fd, 16) < 0) {
		perror("nettool: listen");
		return 1;
	}
	for (;;) {
		int conn = accept(fd, NULL, NULL);

		if (conn < 0)
			continue;
		if (write(conn, text, strlen(text)) < 0 || write(conn, "\n", 1) < 0)
			perror("nettool: write");
		close(conn);
	}
	return 0;
}

static int tcp_hold(const char *host, int port)
{
	int fd = bound_socket(SOCK_STREAM, host, port);

	if (listen(fd, 1) < 0) {
		perror("nettool: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "udp-serve"))
		return udp_serve(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "udp-send"))
		return udp_send(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 5 && !strcmp(argv[1], "tcp-serve"))
		return tcp_serve(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "tcp-hold"))
		return tcp_hold(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: nettool udp-serve PORT | udp-send HOST PORT TEXT | "
			"tcp-serve ADDR PORT TEXT | tcp-hold ADDR PORT\n");
	return 2;
}
