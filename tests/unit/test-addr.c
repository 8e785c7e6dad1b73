/* test-addr.c - address text and host:port splitting. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>

#include "addr.h"
#include "test.h"

TEST(addr_fmt)
{
	uint8_t	v4[16] = { 192, 0, 2, 1 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    [15] = 1 };
	char	s[64];

	addr_fmt(s, sizeof s, AF_INET, v4, 3306);
	CHECK_STR(s, "192.0.2.1:3306");
	addr_fmt(s, sizeof s, AF_INET6, v6, 5432);
	CHECK_STR(s, "[2001:db8::1]:5432");
}

TEST(addr_fmt_sa)
{
	struct sockaddr_in	s4;
	struct sockaddr_in6	s6;
	struct sockaddr		sx;
	char			s[64];

	memset(&s4, 0, sizeof s4);
	s4.sin_family = AF_INET;
	s4.sin_port = htons(18650);
	s4.sin_addr.s_addr = htonl(0x7f000001);
	addr_fmt_sa(s, sizeof s, (struct sockaddr *)&s4);
	CHECK_STR(s, "127.0.0.1:18650");
	memset(&s6, 0, sizeof s6);
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(80);
	s6.sin6_addr.s6_addr[15] = 1;
	addr_fmt_sa(s, sizeof s, (struct sockaddr *)&s6);
	CHECK_STR(s, "[::1]:80");
	memset(&sx, 0, sizeof sx);
	sx.sa_family = AF_UNIX;
	addr_fmt_sa(s, sizeof s, &sx);
	CHECK_STR(s, "?");
}

TEST(addr_split)
{
	char		 h[16];
	const char	*p;

	p = addr_split("127.0.0.1:3306", h, sizeof h);
	CHECK(p != NULL);
	CHECK_STR(h, "127.0.0.1");
	CHECK_STR(p, "3306");
	p = addr_split("[::1]:mysql", h, sizeof h);
	CHECK(p != NULL);
	CHECK_STR(h, "::1");
	CHECK_STR(p, "mysql");
	p = addr_split(":5432", h, sizeof h);
	CHECK(p != NULL);
	CHECK_STR(h, "");
	CHECK_STR(p, "5432");
	CHECK(addr_split("localhost", h, sizeof h) == NULL);
	CHECK(addr_split("a-very-long-host-name:1", h, sizeof h) == NULL);
}
