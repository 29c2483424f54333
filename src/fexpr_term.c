/* ss-like filter expressions, their terms: each keyword and what it
 * takes (ports, addresses, states, devices, marks, cgroups, owners),
 * and plain words, read into nodes; the names they hold looked up
 * through resolve.c and cgroup.c.  Over fexpr_lex.c (fexpr_int.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/cgroup.h"
#include "tcptop/fexpr.h"
#include "tcptop/resolve.h"
#include "tcptop/tcpstate.h"

#include "fexpr_int.h"

static int
fexpr_port_leaf(struct fexpr_parser *p, int kind, int cmp, uint16_t port)
{
	int i = fexpr_node_new(p, kind, -1, -1);

	if (i >= 0) {
		p->e.nodes[i].cmp = (uint8_t)cmp;
		p->e.nodes[i].port = port;
	}
	return i;
}

/* "port OP P" for either end; "port != P" means neither end is P. */
static int
fexpr_either_port(struct fexpr_parser *p, int cmp, uint16_t port)
{
	int s, d, either;

	s = fexpr_port_leaf(p, FEXPR_SPORT, cmp == FEXPR_NE ? FEXPR_EQ : cmp,
	    port);
	d = fexpr_port_leaf(p, FEXPR_DPORT, cmp == FEXPR_NE ? FEXPR_EQ : cmp,
	    port);
	if (s < 0 || d < 0)
		return -1;
	either = fexpr_node_new(p, FEXPR_OR, s, d);
	if (either < 0 || cmp != FEXPR_NE)
		return either;
	return fexpr_node_new(p, FEXPR_NOT, either, -1);
}

/* sport|dport|port [OP] [:]PORT, PORT as ss reads it (resolve_port). */
static int
fexpr_parse_port(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int cmp = fexpr_parse_cmp(p, &op);
	const char *s, *why;
	size_t len;
	uint16_t port;

	val = p->tok;
	if (val.type != FEXPR_T_WORD)
		return fexpr_expected(p, "a port", kw, &op);
	s = p->text + val.pos;
	len = val.len;
	if (*s == ':')
		s++, len--;
	if (resolve_port(s, len, &port, &why) == -1)
		return fexpr_fail(p, "port \"%.*s\" at column %zu %s",
		    (int)(len < FEXPR_QUOTE ? len : FEXPR_QUOTE), s,
		    val.pos + 1, why);
	fexpr_lex(p);
	if (fexpr_tok_is(p, kw, "sport"))
		return fexpr_port_leaf(p, FEXPR_SPORT, cmp, port);
	if (fexpr_tok_is(p, kw, "dport"))
		return fexpr_port_leaf(p, FEXPR_DPORT, cmp, port);
	return fexpr_either_port(p, cmp, port);
}

struct fexpr_addr {
	int any;		/* no address: "*", ":PORT" or "*:PORT" */
	uint8_t family;
	uint8_t prefix;
	int has_port;
	uint16_t port;
	uint8_t addr[16];
};

/* Split ADDR[/LEN][:PORT] as ss's parse_hostcond does: a port follows the
 * last colon after a "/", or else the only colon ("::1" is an address
 * here; ss reads it as ":" and port 1, and fails).  Returns the port's
 * text, or NULL; cuts a at the colon. */
static char *
fexpr_split_port(char *a)
{
	char *slash = strchr(a, '/'), *c;

	if (slash != NULL)
		c = strrchr(slash, ':');
	else {
		c = strchr(a, ':');
		if (c != NULL && strchr(c + 1, ':') != NULL)
			c = NULL;
	}
	if (c != NULL)
		*c++ = '\0';
	return c;
}

/* The address of a host name that has exactly one (ss tests only the
 * first of several in the kernel, and then all of them in user space:
 * the rows of the first, which no one would guess). */
static int
fexpr_host_name(const char *a, struct fexpr_addr *out, char *why,
    size_t whylen)
{
	struct resolve_addr ra;
	int n = resolve_host(a, strlen(a), &ra, 1);

	if (n == 1) {
		out->family = ra.family;
		memcpy(out->addr, ra.addr, sizeof out->addr);
		return 0;
	}
	if (n > 1)
		snprintf(why, whylen, "host name with %d addresses (write "
		    "them out, joined by or)", n);
	else
		snprintf(why, whylen, "not an address or a known host name");
	return -1;
}

/* Parse ADDR[/LEN][:PORT], [ADDR][/LEN][:PORT], [ADDR/LEN][:PORT],
 * *[:PORT] or :PORT, ADDR an IPv4 or IPv6 address or a host name with
 * one address, PORT as resolve_port reads it or "*" (any).  Returns 0, or
 * -1 with why the text is no address in why. */
static int
fexpr_parse_addr_text(const char *w, size_t len, struct fexpr_addr *out,
    char *why, size_t whylen)
{
	char buf[96], *a = buf, *pfx = NULL, *port = NULL, *c;
	const char *pwhy;
	unsigned long v;
	int rc;

	memset(out, 0, sizeof *out);
	if (len >= sizeof buf)
		return snprintf(why, whylen, "too long"), -1;
	memcpy(buf, w, len);
	buf[len] = '\0';
	if (*a == '[') {
		char *close = strchr(a, ']');

		if (close == NULL)
			return snprintf(why, whylen, "no \"]\" after \"[\""), -1;
		*close = '\0';
		a++;
		c = close + 1;
		if (*c == '/') {
			pfx = c + 1;
			port = fexpr_split_port(pfx);
		} else if (*c == ':')
			port = c + 1;
		else if (*c != '\0')
			return snprintf(why, whylen, "junk after \"]\""), -1;
		if (strchr(a, '/') != NULL) {
			if (pfx != NULL)
				return snprintf(why, whylen, "two prefix "
				    "lengths"), -1;
			pfx = strchr(a, '/');
			*pfx++ = '\0';
		}
	} else if (*a == '*') {
		/* ss: what follows "*" is the port, a colon first or not. */
		port = a + 1 + (a[1] == ':');
		*a = '\0';
	} else {
		port = fexpr_split_port(a);
		pfx = strchr(a, '/');
		if (pfx != NULL)
			*pfx++ = '\0';
	}
	/* ss: an empty port, or "*", is any port. */
	if (port != NULL && *port != '\0' && strcmp(port, "*") != 0) {
		if (resolve_port(port, strlen(port), &out->port, &pwhy) == -1)
			return snprintf(why, whylen, "port \"%.*s\" %s",
			    FEXPR_QUOTE, port, pwhy), -1;
		out->has_port = 1;
	}
	if (*a == '\0' && pfx == NULL) {
		out->any = 1;
		return 0;
	}
	out->family = strchr(a, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, a, out->addr) != 1) {
		if (out->family == AF_INET6 || pfx != NULL || *a == '\0')
			return snprintf(why, whylen, out->family == AF_INET6 ?
			    "not an IPv6 address" : "not an IPv4 address"), -1;
		if (fexpr_host_name(a, out, why, whylen) == -1)
			return -1;
	}
	out->prefix = out->family == AF_INET6 ? 128 : 32;
	if (pfx != NULL) {
		rc = fexpr_number(pfx, strlen(pfx), out->prefix, &v);
		if (rc == -1)
			return snprintf(why, whylen, "bad prefix length"), -1;
		if (rc == -2)
			return snprintf(why, whylen, out->family == AF_INET6 ?
			    "prefix length above 128" :
			    "prefix length above 32"), -1;
		out->prefix = (uint8_t)v;
	}
	return 0;
}

/* The error for an operator other than = and != (op) on what. */
static int
fexpr_eq_only(struct fexpr_parser *p, const struct fexpr_token *op,
    const char *what)
{
	return fexpr_fail(p, "operator \"%.*s\" does not apply to %s at "
	    "column %zu", (int)op->len, p->text + op->pos, what, op->pos + 1);
}

/* src|dst [=|!=] ADDR */
static int
fexpr_parse_host(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int cmp = fexpr_parse_cmp(p, &op), src = fexpr_tok_is(p, kw, "src");
	struct fexpr_addr a;
	char why[FEXPR_QUOTE + 64];
	int i;

	if (cmp != FEXPR_EQ && cmp != FEXPR_NE)
		return fexpr_eq_only(p, &op, "addresses");
	val = p->tok;
	if (val.type != FEXPR_T_WORD)
		return fexpr_expected(p, "an address", kw, &op);
	if (fexpr_parse_addr_text(p->text + val.pos, val.len, &a, why,
	    sizeof why) == -1)
		return fexpr_fail(p, "bad address \"%.*s\" at column %zu: %s",
		    (int)(val.len < FEXPR_QUOTE ? val.len : FEXPR_QUOTE),
		    p->text + val.pos, val.pos + 1, why);
	fexpr_lex(p);
	if (a.any)
		/* No address: the port, or any port (always true). */
		i = fexpr_port_leaf(p, src ? FEXPR_SPORT : FEXPR_DPORT,
		    a.has_port ? FEXPR_EQ : FEXPR_GE, a.port);
	else {
		i = fexpr_node_new(p, src ? FEXPR_SRC : FEXPR_DST, -1, -1);
		if (i < 0)
			return -1;
		p->e.nodes[i].family = a.family;
		p->e.nodes[i].prefix = a.prefix;
		memcpy(p->e.nodes[i].addr, a.addr, sizeof a.addr);
		if (a.has_port) {
			/* The kernel's host condition checks the port first,
			 * then the address: the same as both terms. */
			int port = fexpr_port_leaf(p, src ? FEXPR_SPORT :
			    FEXPR_DPORT, FEXPR_EQ, a.port);

			if (port < 0)
				return -1;
			i = fexpr_node_new(p, FEXPR_AND, i, port);
		}
	}
	if (i < 0 || cmp == FEXPR_EQ)
		return i;
	return fexpr_node_new(p, FEXPR_NOT, i, -1);
}

/* state [=|!=] NAME[,NAME...] */
static int
fexpr_parse_state(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int cmp = fexpr_parse_cmp(p, &op), i;
	uint32_t mask = 0;
	size_t at;

	if (cmp != FEXPR_EQ && cmp != FEXPR_NE)
		return fexpr_eq_only(p, &op, "states");
	val = p->tok;
	if (val.type != FEXPR_T_WORD)
		return fexpr_expected(p, "a state name", kw, &op);
	for (at = 0; at <= val.len; at++) {
		const char *name = p->text + val.pos + at;
		size_t len = 0;
		char buf[32];

		while (at + len < val.len && name[len] != ',')
			len++;
		if (len == 0)
			return fexpr_fail(p, "empty state name at column %zu",
			    val.pos + at + 1);
		if (len < sizeof buf) {
			memcpy(buf, name, len);
			buf[len] = '\0';
		}
		if (len >= sizeof buf || tcpstate_parse(buf, &mask) == -1)
			return fexpr_fail(p, "unknown state \"%.*s\" at column "
			    "%zu", (int)(len < FEXPR_QUOTE ? len : FEXPR_QUOTE),
			    name, val.pos + at + 1);
		at += len;
	}
	fexpr_lex(p);
	i = fexpr_node_new(p, FEXPR_STATE, -1, -1);
	if (i < 0)
		return -1;
	p->e.nodes[i].states = mask & TCPSTATE_ALL;
	if (cmp == FEXPR_EQ)
		return i;
	return fexpr_node_new(p, FEXPR_NOT, i, -1);
}

/* dev [=|!=] DEV */
static int
fexpr_parse_dev(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int cmp = fexpr_parse_cmp(p, &op), i;
	uint32_t ifindex;

	if (cmp != FEXPR_EQ && cmp != FEXPR_NE)
		return fexpr_eq_only(p, &op, "devices");
	val = p->tok;
	if (val.type != FEXPR_T_WORD)
		return fexpr_expected(p, "a device", kw, &op);
	p->e.local = 1;
	if (resolve_dev(p->text + val.pos, val.len, &ifindex) == -1)
		return fexpr_fail(p, "no device \"%.*s\" at column %zu (in "
		    "this network namespace)",
		    (int)(val.len < FEXPR_QUOTE ? val.len : FEXPR_QUOTE),
		    p->text + val.pos, val.pos + 1);
	fexpr_lex(p);
	i = fexpr_node_new(p, FEXPR_DEV, -1, -1);
	if (i < 0)
		return -1;
	p->e.nodes[i].ifindex = ifindex;
	if (cmp == FEXPR_EQ)
		return i;
	return fexpr_node_new(p, FEXPR_NOT, i, -1);
}

/* fwmark [=|!=] MARK[/MASK], as ss's parse_markmask */
static int
fexpr_parse_mark(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int cmp = fexpr_eq_ne(p, &op, "marks"), i;
	const char *s, *slash;
	uint32_t mark, mask = 0xffffffffU;

	if (cmp < 0)
		return -1;
	val = p->tok;
	if (val.type != FEXPR_T_WORD)
		return fexpr_expected(p, "a mark", kw, &op);
	s = p->text + val.pos;
	slash = memchr(s, '/', val.len);
	if (fexpr_u32(s, slash != NULL ? (size_t)(slash - s) : val.len,
	    &mark) == -1 || (slash != NULL && fexpr_u32(slash + 1,
	    val.len - (size_t)(slash - s) - 1, &mask) == -1))
		return fexpr_fail(p, "bad mark \"%.*s\" at column %zu (MARK or "
		    "MARK/MASK, 32-bit numbers)",
		    (int)(val.len < FEXPR_QUOTE ? val.len : FEXPR_QUOTE), s,
		    val.pos + 1);
	fexpr_lex(p);
	i = fexpr_node_new(p, FEXPR_MARK, -1, -1);
	if (i < 0)
		return -1;
	p->e.nodes[i].mark = mark;
	p->e.nodes[i].mask = mask;
	if (cmp == FEXPR_EQ)
		return i;
	return fexpr_node_new(p, FEXPR_NOT, i, -1);
}

/* cgroup [=|!=] PATH, as ss's parse_cgroupcond */
static int
fexpr_parse_cgroup(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int cmp = fexpr_eq_ne(p, &op, "cgroups"), i;
	char path[4096];
	const char *why = "";
	uint64_t id;
	uint16_t idx;

	if (cmp < 0)
		return -1;
	val = p->tok;
	if (val.type != FEXPR_T_WORD)
		return fexpr_expected(p, "a cgroup path", kw, &op);
	if (val.len >= sizeof path)
		return fexpr_fail(p, "cgroup path at column %zu too long",
		    val.pos + 1);
	memcpy(path, p->text + val.pos, val.len);
	path[val.len] = '\0';
	if (cgroup_path_id(path, &id, &why) == -1)
		return fexpr_fail(p, "cgroup \"%.*s\" at column %zu: %s",
		    (int)(val.len < FEXPR_QUOTE ? val.len : FEXPR_QUOTE), path,
		    val.pos + 1, why);
	/* Rows carry interned ids: interned now, the filter's id has a slot
	 * that every socket of that cgroup will share. */
	if ((idx = cgroup_intern(id)) == 0)
		return fexpr_fail(p, "cgroup \"%.*s\" at column %zu: too many "
		    "cgroups seen to tell this one apart",
		    (int)(val.len < FEXPR_QUOTE ? val.len : FEXPR_QUOTE), path,
		    val.pos + 1);
	fexpr_lex(p);
	i = fexpr_node_new(p, FEXPR_CGROUP, -1, -1);
	if (i < 0)
		return -1;
	p->e.nodes[i].cgroup_id = id;
	p->e.nodes[i].cgroup = idx;
	if (cmp == FEXPR_EQ)
		return i;
	return fexpr_node_new(p, FEXPR_NOT, i, -1);
}

/* autobound, as ss: the kernel's INET_DIAG_BC_AUTO (the local port was
 * not bound by hand: no SOCK_BINDPORT_LOCK, never set on request and
 * timewait sockets) in the dump's program, and here, as ss's
 * run_ssfilter, the local port in the ephemeral range.  ss runs both on
 * every socket, so the two halves meet as ss's do, through the rest of
 * the expression, each on its own side. */
static int
fexpr_parse_auto(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	uint16_t lo, hi;
	int i;

	(void)kw;
	p->e.local = 1;
	resolve_ephemeral(&lo, &hi);
	i = fexpr_node_new(p, FEXPR_AUTO, -1, -1);
	if (i < 0)
		return -1;
	p->e.nodes[i].port = lo;
	p->e.nodes[i].port_hi = hi;
	return i;
}

/* The largest pid Linux hands out (PID_MAX_LIMIT), and the most of a
 * command's name it keeps (TASK_COMM_LEN less the NUL). */
#define FEXPR_PID_MAX	4194304UL
#define FEXPR_COMM_MAX	15

/* comm [=|!=] NAME, user [=|!=] NAME|UID */
static int
fexpr_parse_name(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int comm = fexpr_tok_is(p, kw, "comm"), cmp, i, rc;
	const char *s;
	size_t len;
	unsigned long uid;

	cmp = fexpr_eq_ne(p, &op, comm ? "command names" : "users");
	if (cmp < 0)
		return -1;
	val = p->tok;
	if (val.type != FEXPR_T_WORD && val.type != FEXPR_T_STRING)
		return fexpr_expected(p, comm ? "a command name" :
		    "a user name or uid", kw, &op);
	fexpr_tok_text(p, &val, &s, &len);
	if (comm && len > FEXPR_COMM_MAX)
		return fexpr_fail(p, "command name \"%.*s\" at column %zu is "
		    "longer than the kernel keeps (%d bytes)",
		    (int)(len < FEXPR_QUOTE ? len : FEXPR_QUOTE), s,
		    val.pos + 1, FEXPR_COMM_MAX);
	fexpr_lex(p);
	rc = comm || val.type == FEXPR_T_STRING ? -1 :
	    fexpr_number(s, len, 0xffffffffUL, &uid);
	if (rc == -2)
		return fexpr_fail(p, "uid \"%.*s\" at column %zu is out of "
		    "range", (int)(len < FEXPR_QUOTE ? len : FEXPR_QUOTE), s,
		    val.pos + 1);
	if (rc == 0) {
		i = fexpr_node_new(p, FEXPR_USER, -1, -1);
		if (i >= 0)
			p->e.nodes[i].num = (uint32_t)uid;
	} else
		i = fexpr_text_leaf(p, comm ? FEXPR_COMM : FEXPR_USER, s, len,
		    val.pos);
	if (i < 0 || cmp == FEXPR_EQ)
		return i;
	return fexpr_node_new(p, FEXPR_NOT, i, -1);
}

/* pid [OP] N */
static int
fexpr_parse_pid(struct fexpr_parser *p, const struct fexpr_token *kw)
{
	struct fexpr_token op = *kw, val;
	int cmp = fexpr_parse_cmp(p, &op), i, rc;
	unsigned long v;

	val = p->tok;
	if (val.type != FEXPR_T_WORD)
		return fexpr_expected(p, "a pid", kw, &op);
	rc = fexpr_number(p->text + val.pos, val.len, FEXPR_PID_MAX, &v);
	if (rc < 0)
		return fexpr_fail(p, "pid \"%.*s\" at column %zu %s",
		    (int)(val.len < FEXPR_QUOTE ? val.len : FEXPR_QUOTE),
		    p->text + val.pos, val.pos + 1, rc == -1 ? "is no number" :
		    "is out of range 0-4194304");
	fexpr_lex(p);
	i = fexpr_node_new(p, FEXPR_PID, -1, -1);
	if (i >= 0) {
		p->e.nodes[i].cmp = (uint8_t)cmp;
		p->e.nodes[i].num = (uint32_t)v;
	}
	return i;
}

/* A word that is no keyword, or a quoted text: a plain word.  The word
 * t is behind the lookahead. */
static int
fexpr_parse_word(struct fexpr_parser *p, const struct fexpr_token *t)
{
	const char *s;
	size_t len;

	if (t->type == FEXPR_T_WORD && fexpr_cmp_word(p, t))
		return fexpr_fail(p, "\"%.*s\" at column %zu is an operator, "
		    "not a term", (int)t->len, p->text + t->pos, t->pos + 1);
	/* "dprot = 1": a typo of a keyword, not a word to look for. */
	if (t->type == FEXPR_T_WORD && p->tok.type == FEXPR_T_CMP)
		return fexpr_fail(p, "unknown word \"%.*s\" at column %zu "
		    "before \"%.*s\" (a plain word takes no operator)",
		    (int)(t->len < FEXPR_QUOTE ? t->len : FEXPR_QUOTE),
		    p->text + t->pos, t->pos + 1, (int)p->tok.len,
		    p->text + p->tok.pos);
	fexpr_tok_text(p, t, &s, &len);
	return fexpr_text_leaf(p, FEXPR_WORD, s, len, t->pos);
}

/* The keywords, each with what reads the rest of its term. */
static const struct {
	const char *word;
	int (*parse)(struct fexpr_parser *, const struct fexpr_token *);
} fexpr_terms[] = {
	{ "sport", fexpr_parse_port },
	{ "dport", fexpr_parse_port },
	{ "port", fexpr_parse_port },
	{ "src", fexpr_parse_host },
	{ "dst", fexpr_parse_host },
	{ "state", fexpr_parse_state },
	{ "dev", fexpr_parse_dev },
	{ "fwmark", fexpr_parse_mark },
	{ "cgroup", fexpr_parse_cgroup },
	{ "autobound", fexpr_parse_auto },
	{ "comm", fexpr_parse_name },
	{ "user", fexpr_parse_name },
	{ "pid", fexpr_parse_pid },
};

int
fexpr_parse_term(struct fexpr_parser *p, const struct fexpr_token *t)
{
	size_t i;

	for (i = 0; t->type == FEXPR_T_WORD &&
	    i < sizeof fexpr_terms / sizeof fexpr_terms[0]; i++)
		if (fexpr_tok_is(p, t, fexpr_terms[i].word))
			return fexpr_terms[i].parse(p, t);
	return fexpr_parse_word(p, t);
}
