/* Formatting of socket addresses, and the congestion-control name table. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/conn.h"

/* Interned congestion-control names; slot 0 is "unknown". */
static char conn_cc_names[256][16];
static unsigned conn_cc_count = 1;

char *
conn_fmt_addr(const struct conn_sample *s, int remote, char *buf, size_t len)
{
	const uint8_t *a = remote ? s->remote : s->local;

	if (len == 0)
		return buf;
	if (inet_ntop(s->family == AF_INET6 ? AF_INET6 : AF_INET, a, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

char *
conn_fmt_endpoint(const struct conn_sample *s, int remote, char *buf,
    size_t len)
{
	char addr[CONN_ADDR_LEN];

	unsigned port = remote ? s->rport : s->lport;
	char num[8] = "*";	/* no port: a listener's peer, as ss shows */

	conn_fmt_addr(s, remote, addr, sizeof addr);
	if (port != 0)
		snprintf(num, sizeof num, "%u", port);
	snprintf(buf, len, s->family == AF_INET6 ? "[%s]:%s" : "%s:%s", addr,
	    num);
	return buf;
}

const char *
conn_family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "ipv4";
	case AF_INET6:
		return "ipv6";
	}
	return "?";
}

uint8_t
conn_cc_intern(const char *name, size_t len)
{
	static unsigned last;
	unsigned i;

	if (len >= sizeof conn_cc_names[0])
		len = sizeof conn_cc_names[0] - 1;
	if (len == 0)
		return 0;
	/* Nearly every socket uses the same one or two algorithms. */
	if (last != 0 && strncmp(conn_cc_names[last], name, len) == 0 &&
	    conn_cc_names[last][len] == '\0')
		return (uint8_t)last;
	for (i = 1; i < conn_cc_count; i++) {
		if (strncmp(conn_cc_names[i], name, len) == 0 &&
		    conn_cc_names[i][len] == '\0')
			return (uint8_t)(last = i);
	}
	if (conn_cc_count == 256)
		return 0;
	memcpy(conn_cc_names[i], name, len);
	conn_cc_names[i][len] = '\0';
	conn_cc_count++;
	return (uint8_t)(last = i);
}

const char *
conn_cc_name(uint8_t cc)
{
	return cc < conn_cc_count ? conn_cc_names[cc] : "";
}
