/* Port, state and expression filters: parsing and matching, no I/O. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "tcptop/filter.h"
#include "tcptop/proc.h"
#include "tcptop/resolve.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"

const int filter_word_fields[] = {
	FIELD_STATE, FIELD_LOCAL, FIELD_REMOTE, FIELD_PROCESS, FIELD_PID,
	FIELD_USER, FIELD_NETNS, FIELD_CGROUP,
};
const size_t filter_nword_fields = sizeof filter_word_fields /
    sizeof filter_word_fields[0];

void
filter_init(struct filter *f)
{
	memset(f, 0, sizeof *f);
	f->states = TCPSTATE_ALL;
	f->families = FILTER_INET4 | FILTER_INET6;
	fexpr_init(&f->expr);
}

/* A TCP service name at *pp, advancing *pp: the whole word up to a comma,
 * a space or the end, or else the shortest part of it before a "-" that
 * names a service ("ssh-http" is a range unless a service has that
 * name).  Returns 0 or -1. */
static int
filter_service(const char **pp, uint16_t *port, char *err, size_t errlen)
{
	const char *p = *pp;
	size_t len = strcspn(p, ", "), i;
	char shown[41];

	if (resolve_service(p, len, port) == 0) {
		*pp = p + len;
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (p[i] == '-' && resolve_service(p, i, port) == 0) {
			if (*port == 0)
				break;
			*pp = p + i;
			return 0;
		}
	}
	/* The input goes to the terminal: its bytes made safe. */
	text_clean(shown, sizeof shown, p, len, 0);
	snprintf(err, errlen, "\"%s\" is no port number and no TCP "
	    "service", shown);
	return -1;
}

/* Parse a port at *pp (1..65535, or a service name), advancing *pp.
 * Returns 0 or -1. */
static int
filter_port(const char **pp, uint16_t *port, char *err, size_t errlen)
{
	const char *p = *pp;
	unsigned long v = 0;
	int digits = 0;

	if (*p != '\0' && *p != '-' && *p != ',' && *p != ' ' &&
	    (*p < '0' || *p > '9'))
		return filter_service(pp, port, err, errlen);

	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p++ - '0');
		if (v > 65535) {
			while (*p >= '0' && *p <= '9')
				p++;
			snprintf(err, errlen, "port %.*s out of range "
			    "1-65535", (int)(p - *pp), *pp);
			return -1;
		}
		digits++;
	}
	if (digits == 0) {
		char shown[21];

		text_clean(shown, sizeof shown, *pp, 20, 0);
		snprintf(err, errlen, "expected a port number at \"%s\"",
		    shown);
		return -1;
	}
	if (v == 0) {
		snprintf(err, errlen, "port 0 out of range 1-65535");
		return -1;
	}
	*port = (uint16_t)v;
	*pp = p;
	return 0;
}

int
filter_parse_ports(struct filter *f, const char *spec, char *err,
    size_t errlen)
{
	struct filter_range r[FILTER_MAX_RANGES];
	const char *p = spec;
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (*p == '\0') {
		f->nranges = 0;
		return 0;
	}
	for (;;) {
		uint16_t lo, hi;

		if (filter_port(&p, &lo, err, errlen) == -1)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (filter_port(&p, &hi, err, errlen) == -1)
				return -1;
			if (hi < lo) {
				snprintf(err, errlen, "port range %u-%u is "
				    "backwards", lo, hi);
				return -1;
			}
		}
		if (n == FILTER_MAX_RANGES) {
			snprintf(err, errlen, "more than %d port ranges",
			    FILTER_MAX_RANGES);
			return -1;
		}
		r[n].lo = lo;
		r[n].hi = hi;
		n++;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p != ',') {
			char shown[21];

			text_clean(shown, sizeof shown, p, 20, 0);
			snprintf(err, errlen, "unexpected \"%s\" in port "
			    "list", shown);
			return -1;
		}
		p++;
		while (*p == ' ')
			p++;
	}
	memcpy(f->ranges, r, n * sizeof r[0]);
	f->nranges = n;
	return 0;
}

int
filter_parse_states(struct filter *f, const char *spec, char *err,
    size_t errlen)
{
	uint32_t mask = 0;
	const char *p = spec;

	do {
		char name[32], shown[41];
		size_t len = strcspn(p, ",");

		while (len > 0 && *p == ' ')
			p++, len--;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == 0 || len >= sizeof name) {
			text_clean(shown, sizeof shown, spec, 40, 0);
			snprintf(err, errlen, "empty or overlong state name "
			    "in \"%s\"", shown);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (tcpstate_parse(name, &mask) == -1) {
			text_clean(shown, sizeof shown, name, len, 0);
			snprintf(err, errlen, "unknown state \"%s\" (try "
			    "ESTABLISHED, fin-wait-1, time-wait, all...)",
			    shown);
			return -1;
		}
		p += strcspn(p, ",");
	} while (*p++ == ',');
	f->states = mask;
	return 0;
}

int
filter_parse_expr(struct filter *f, const char *text, char *err,
    size_t errlen)
{
	return fexpr_parse(&f->expr, text, err, errlen);
}

int
filter_keeps_all(const struct filter *f)
{
	return (f->states & TCPSTATE_ALL) == TCPSTATE_ALL &&
	    (f->families & (FILTER_INET4 | FILTER_INET6)) ==
	    (FILTER_INET4 | FILTER_INET6) && f->nranges == 0 &&
	    f->expr.root == -1;
}

/* The state, family and port ranges: all but the expression. */
static int
filter_match_base(const struct filter *f, const struct conn_sample *s)
{
	size_t i;

	if (s->state > 31 || !(f->states & (1U << s->state)))
		return 0;
	if (!(f->families & (s->family == AF_INET6 ? FILTER_INET6 :
	    FILTER_INET4)))
		return 0;
	if (f->nranges == 0)
		return 1;
	for (i = 0; i < f->nranges; i++) {
		if ((s->lport >= f->ranges[i].lo &&
		    s->lport <= f->ranges[i].hi) ||
		    (s->rport >= f->ranges[i].lo &&
		    s->rport <= f->ranges[i].hi))
			return 1;
	}
	return 0;
}

int
filter_match(const struct filter *f, const struct conn_sample *s)
{
	return filter_match_base(f, s) && fexpr_match(&f->expr, s);
}

struct filter_row {
	const struct conn *c;
	const struct field_ctx *cx;
};

/* Does one of the word fields of the row read with word in it, in any
 * case? */
static int
filter_has_word(void *arg, const char *word, size_t len)
{
	const struct filter_row *r = arg;
	char text[CONN_ENDPOINT_LEN];
	size_t i, k;

	for (i = 0; i < filter_nword_fields; i++) {
		field_fmt(filter_word_fields[i], r->c, r->cx, text,
		    sizeof text);
		for (k = 0; text[k] != '\0'; k++)
			if (strncasecmp(text + k, word, len) == 0)
				return 1;
	}
	return 0;
}

int
filter_match_conn(const struct filter *f, const struct conn *c,
    const struct field_ctx *cx)
{
	static const struct field_ctx none;
	const struct proc_owner *o;
	struct filter_row r;
	struct fexpr_row row;
	int bucket;

	if (!filter_match_base(f, &c->s))
		return 0;
	if (!fexpr_has_row_terms(&f->expr))
		return fexpr_match(&f->expr, &c->s);
	r.c = c;
	r.cx = cx != NULL ? cx : &none;
	memset(&row, 0, sizeof row);
	if ((o = proc_owner(r.cx->proc, c, &bucket)) != NULL) {
		row.comm = o->comm;
		row.user = o->user;
		row.pid = (unsigned long)o->pid;
		row.uid = (uint32_t)o->uid;
	} else
		row.owner_hidden = bucket == PROC_HIDDEN ||
		    bucket == PROC_QUEUED || bucket == PROC_PENDING;
	row.has_word = filter_has_word;
	row.arg = &r;
	return fexpr_match_row(&f->expr, &c->s, &row);
}

void
filter_fmt_ports(const struct filter *f, char *buf, size_t len)
{
	size_t i, off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < f->nranges && off < len; i++) {
		int w;

		if (f->ranges[i].lo == f->ranges[i].hi)
			w = snprintf(buf + off, len - off, "%s%u",
			    i ? "," : "", f->ranges[i].lo);
		else
			w = snprintf(buf + off, len - off, "%s%u-%u",
			    i ? "," : "", f->ranges[i].lo, f->ranges[i].hi);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}
