/* ssh: which connection is the operator's own SSH session. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/ssh.h"

/* An address field: IPv4, or IPv6 with a mapped IPv4 address taken as
 * IPv4.  Returns the family, or 0. */
static int
ssh_addr(const char *text, size_t len, uint8_t *out)
{
	char tmp[INET6_ADDRSTRLEN];
	struct in6_addr a6;

	if (len == 0 || len >= sizeof tmp)
		return 0;
	memcpy(tmp, text, len);
	tmp[len] = '\0';
	memset(out, 0, 16);
	if (inet_pton(AF_INET, tmp, out) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, tmp, &a6) != 1)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(out, a6.s6_addr + 12, 4);
		return AF_INET;
	}
	memcpy(out, a6.s6_addr, 16);
	return AF_INET6;
}

/* A port: 1..65535, plain decimal, no sign, no leading zero. */
static int
ssh_port(const char *text, size_t len, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5 || text[0] == '0')
		return 0;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(text[i] - '0');
	}
	if (v > 65535)
		return 0;
	*out = (uint16_t)v;
	return 1;
}

int
ssh_parse(const char *text, struct ssh_session *s)
{
	const char *f[4], *p = text;
	size_t len[4];
	struct ssh_session n;
	int i, fc, fs;

	if (text == NULL)
		return -1;
	for (i = 0; i < 4; i++) {
		f[i] = p;
		len[i] = strcspn(p, " ");
		p += len[i];
		if (i < 3) {
			if (*p != ' ')
				return -1;
			p++;
		}
	}
	if (*p != '\0')
		return -1;
	memset(&n, 0, sizeof n);
	fc = ssh_addr(f[0], len[0], n.client);
	fs = ssh_addr(f[2], len[2], n.server);
	if (fc == 0 || fc != fs || !ssh_port(f[1], len[1], &n.cport) ||
	    !ssh_port(f[3], len[3], &n.sport))
		return -1;
	n.family = (uint8_t)fc;
	*s = n;
	return 0;
}

/* addr of family as the session keeps it: a mapped IPv6 address as
 * IPv4.  Returns the family. */
static int
ssh_norm(int family, const uint8_t *addr, uint8_t *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(out, 0, 16);
	if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		memcpy(out, addr + 12, 4);
		return AF_INET;
	}
	memcpy(out, addr, family == AF_INET ? 4 : 16);
	return family;
}

int
ssh_match(const struct ssh_session *s, const struct conn_sample *c)
{
	uint8_t l[16], r[16];

	if (s->elsewhere || c->netns != 0 || c->lport != s->sport ||
	    c->rport != s->cport)
		return 0;
	if (ssh_norm(c->family, c->local, l) != s->family ||
	    ssh_norm(c->family, c->remote, r) != s->family)
		return 0;
	return memcmp(l, s->server, 16) == 0 && memcmp(r, s->client, 16) == 0;
}

void
ssh_from_conn(struct ssh_session *s, const struct conn_sample *c)
{
	memset(s, 0, sizeof *s);
	s->family = (uint8_t)ssh_norm(c->family, c->local, s->server);
	(void)ssh_norm(c->family, c->remote, s->client);
	s->sport = c->lport;
	s->cport = c->rport;
}

const struct conn *
ssh_find(const struct ssh_session *s, const struct view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!(v->rows[i]->flags & CONN_GONE) &&
		    ssh_match(s, &v->rows[i]->s))
			return v->rows[i];
	return NULL;
}

char *
ssh_fmt_end(const struct ssh_session *s, int server, char *buf, size_t len)
{
	struct conn_sample c;

	memset(&c, 0, sizeof c);
	c.family = s->family;
	memcpy(c.local, server ? s->server : s->client, 16);
	c.lport = server ? s->sport : s->cport;
	return conn_fmt_endpoint(&c, 0, buf, len);
}
