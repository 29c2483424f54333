/* Formatting of socket addresses, and the congestion-control name table. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/clock.h"
#include "tcptop/conn.h"
#include "tcptop/text.h"

/* Interface names by index, looked up at most once a second each: a
 * refresh formats the same few devices for many rows, and a rename shows
 * within a second. */
#define CONN_SCOPE_SLOTS	16
static struct {
	uint32_t ifindex;
	int64_t stamp_ms;
	char name[CONN_SCOPE_LEN];
} conn_scope_cache[CONN_SCOPE_SLOTS];

/* Interned congestion-control names; slot 0 is "unknown". */
static char conn_cc_names[256][16];
static unsigned conn_cc_count = 1;

/* v in decimal at d, no NUL; returns its length (10 at most). */
static size_t
conn_put_uint(char *d, unsigned v)
{
	char t[10];
	size_t n = 0, i;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		d[i] = t[n - 1 - i];
	return n;
}

char *
conn_fmt_addr(const struct conn_sample *s, int remote, char *buf, size_t len)
{
	const uint8_t *a = remote ? s->remote : s->local;

	if (len == 0)
		return buf;
	/* IPv4 by hand: a report formats every endpoint, and inet_ntop
	 * goes through sprintf for each of its four numbers. */
	if (s->family != AF_INET6 && len >= INET_ADDRSTRLEN) {
		size_t n = 0, i;

		for (i = 0; i < 4; i++) {
			if (i > 0)
				buf[n++] = '.';
			n += conn_put_uint(buf + n, a[i]);
		}
		buf[n] = '\0';
		return buf;
	}
	if (inet_ntop(s->family == AF_INET6 ? AF_INET6 : AF_INET, a, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

char *
conn_fmt_scope(const struct conn_sample *s, char *buf, size_t len)
{
	char name[IF_NAMESIZE];
	int64_t now = clock_ns(CLOCK_MONOTONIC) / 1000000;
	unsigned slot = s->ifindex % CONN_SCOPE_SLOTS;

	if (s->ifindex == 0)
		return NULL;
	/* Another namespace's index means nothing here (ss -N enters the
	 * namespace; --all-netns cannot for every row). */
	if (s->netns != 0) {
		snprintf(buf, len, "if%u", s->ifindex);
		return buf;
	}
	if (conn_scope_cache[slot].ifindex != s->ifindex ||
	    now - conn_scope_cache[slot].stamp_ms >= 1000 ||
	    now < conn_scope_cache[slot].stamp_ms) {
		conn_scope_cache[slot].ifindex = s->ifindex;
		conn_scope_cache[slot].stamp_ms = now;
		if (if_indextoname(s->ifindex, name) != NULL)
			text_clean(conn_scope_cache[slot].name,
			    sizeof conn_scope_cache[slot].name, name,
			    strnlen(name, sizeof name), TEXT_ASCII |
			    TEXT_NOSPACE);
		else
			snprintf(conn_scope_cache[slot].name,
			    sizeof conn_scope_cache[slot].name, "if%u",
			    s->ifindex);
	}
	snprintf(buf, len, "%s", conn_scope_cache[slot].name);
	return buf;
}

/* Append s to d at *n, stopping before end. */
static void
conn_append(char *d, size_t *n, size_t end, const char *s)
{
	while (*s != '\0' && *n < end)
		d[(*n)++] = *s++;
}

char *
conn_fmt_endpoint(const struct conn_sample *s, int remote, char *buf,
    size_t len)
{
	static const uint8_t any6[16];
	char addr[CONN_ADDR_LEN], scope[CONN_SCOPE_LEN];
	unsigned port = remote ? s->rport : s->lport;
	size_t n = 0, end;

	if (len == 0)
		return buf;
	/* Put together by hand, cut where snprintf would cut: the text
	 * report formats every endpoint of every row twice. */
	end = len - 1;
	/* ss (inet_addr_print) writes "*" for the IPv6 any address of
	 * both ends unless INET_DIAG_SKV6ONLY said v6only; the scope only
	 * for the local end. */
	if (s->family == AF_INET6 && !(s->flags & CONN_V6ONLY) &&
	    memcmp(remote ? s->remote : s->local, any6, 16) == 0)
		conn_append(buf, &n, end, "*");
	else if (s->family == AF_INET6) {
		conn_append(buf, &n, end, "[");
		conn_append(buf, &n, end, conn_fmt_addr(s, remote, addr,
		    sizeof addr));
		conn_append(buf, &n, end, "]");
	} else
		conn_append(buf, &n, end, conn_fmt_addr(s, remote, addr,
		    sizeof addr));
	if (!remote && s->ifindex != 0) {
		conn_append(buf, &n, end, "%");
		conn_append(buf, &n, end, conn_fmt_scope(s, scope,
		    sizeof scope));
	}
	conn_append(buf, &n, end, ":");
	if (port != 0) {
		char num[8];

		num[conn_put_uint(num, port)] = '\0';
		conn_append(buf, &n, end, num);
	} else
		conn_append(buf, &n, end, "*");	/* a listener's peer, as
							 * ss shows */
	buf[n] = '\0';
	return buf;
}

/* How many digits v has in decimal. */
static size_t
conn_digits(unsigned v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

size_t
conn_endpoint_len(const struct conn_sample *s, int remote)
{
	const uint8_t *a = remote ? s->remote : s->local;
	unsigned port = remote ? s->rport : s->lport;

	if (s->family == AF_INET6 || (!remote && s->ifindex != 0))
		return 0;
	/* "a.b.c.d:port", port 0 as "*" */
	return conn_digits(a[0]) + conn_digits(a[1]) + conn_digits(a[2]) +
	    conn_digits(a[3]) + 3 + 1 + (port != 0 ? conn_digits(port) : 1);
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

static uint32_t conn_marks[256];
static unsigned conn_mark_count = 1;

uint8_t
conn_mark_intern(uint32_t mark)
{
	static unsigned last;
	unsigned i;

	/* Nearly every socket has the same mark, most often 0. */
	if (last != 0 && conn_marks[last] == mark)
		return (uint8_t)last;
	for (i = 1; i < conn_mark_count; i++)
		if (conn_marks[i] == mark)
			return (uint8_t)(last = i);
	if (conn_mark_count == 256)
		return 0;
	conn_marks[i] = mark;
	conn_mark_count++;
	return (uint8_t)(last = i);
}

int
conn_mark_value(uint8_t idx, uint32_t *mark)
{
	if (idx == 0 || idx >= conn_mark_count)
		return -1;
	*mark = conn_marks[idx];
	return 0;
}
