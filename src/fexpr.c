/* ss-like filter expressions: a recursive-descent parser into a node
 * array, and a matcher with the kernel's address semantics; no I/O but
 * the names resolve.c looks up. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "tcptop/cgroup.h"
#include "tcptop/fexpr.h"
#include "tcptop/resolve.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"

/* Parentheses and nots may nest this deep; the node limit bounds the rest,
 * and with it the recursion of every walk over a tree. */
#define FEXPR_MAX_DEPTH	FEXPR_MAX_NODES

/* Quoted tokens in messages are cut to this many bytes. */
#define FEXPR_QUOTE	32

enum fexpr_tok {
	FEXPR_T_END,
	FEXPR_T_LPAREN,
	FEXPR_T_RPAREN,
	FEXPR_T_NOT,
	FEXPR_T_AND,
	FEXPR_T_OR,
	FEXPR_T_CMP,		/* = == != < <= > >= */
	FEXPR_T_WORD,		/* anything else that is not a symbol */
	FEXPR_T_STRING,		/* "TEXT" or 'TEXT', quotes included */
	FEXPR_T_BAD,		/* a control character, or an unclosed
				 * quote */
};

struct fexpr_token {
	int type;		/* enum fexpr_tok */
	int cmp;		/* FEXPR_T_CMP: enum fexpr_cmp */
	size_t pos;		/* byte offset in the text */
	size_t len;
};

struct fexpr_parser {
	const char *text;
	size_t next;		/* where the token after tok starts */
	struct fexpr_token tok;	/* the lookahead */
	int depth;
	struct fexpr e;		/* built here, copied out on success */
	char *err;
	size_t errlen;
	int failed;
};

/* What fexpr_eval finds: a mark term of a socket whose mark the kernel
 * did not report is unknown. */
enum { FEXPR_FALSE, FEXPR_TRUE, FEXPR_UNKNOWN };

static const struct {
	const char *word;
	int cmp;
} fexpr_cmp_words[] = {
	{ "eq", FEXPR_EQ }, { "ne", FEXPR_NE }, { "neq", FEXPR_NE },
	{ "lt", FEXPR_LT }, { "le", FEXPR_LE }, { "leq", FEXPR_LE },
	{ "gt", FEXPR_GT }, { "ge", FEXPR_GE }, { "geq", FEXPR_GE },
};

void
fexpr_init(struct fexpr *e)
{
	e->n = 0;
	e->root = -1;
	e->local = 0;
	e->ntext = 0;
}

/* Record the first error only: later ones are its consequences. */
static int fexpr_fail(struct fexpr_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fexpr_fail(struct fexpr_parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed++)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	/* The reasons quote the user's words, whose bytes go to the
	 * terminal: made safe in one place, whatever quoted them. */
	if (p->errlen > 0)
		text_clean(p->err, p->errlen, p->err, p->errlen, 0);
	return -1;
}

static int
fexpr_word_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && strchr("()!&|=<>\"'", c) == NULL;
}

/* A quoted text at t[i]: its length with both quotes, or 0 when it is
 * not closed or holds a control character. */
static size_t
fexpr_quoted(const char *t, size_t i)
{
	size_t k;

	for (k = i + 1; t[k] != t[i]; k++)
		if (t[k] == '\0' || (unsigned char)t[k] < ' ' ||
		    t[k] == 0x7f)
			return 0;
	return k + 1 - i;
}

static int
fexpr_tok_is(const struct fexpr_parser *p, const struct fexpr_token *t,
    const char *word)
{
	return t->len == strlen(word) &&
	    strncasecmp(p->text + t->pos, word, t->len) == 0;
}

/* Read the next token into p->tok. */
static void
fexpr_lex(struct fexpr_parser *p)
{
	const char *t = p->text;
	size_t i = p->next;
	struct fexpr_token *k = &p->tok;

	while (t[i] == ' ' || (t[i] >= '\t' && t[i] <= '\r'))
		i++;
	k->pos = i;
	k->len = 1;
	k->cmp = FEXPR_EQ;
	switch (t[i]) {
	case '\0':
		k->type = FEXPR_T_END;
		k->len = 0;
		break;
	case '(':
		k->type = FEXPR_T_LPAREN;
		break;
	case ')':
		k->type = FEXPR_T_RPAREN;
		break;
	case '&':
		k->type = FEXPR_T_AND;
		k->len = t[i + 1] == '&' ? 2 : 1;
		break;
	case '|':
		k->type = FEXPR_T_OR;
		k->len = t[i + 1] == '|' ? 2 : 1;
		break;
	case '!':
		if (t[i + 1] == '=') {
			k->type = FEXPR_T_CMP;
			k->cmp = FEXPR_NE;
			k->len = 2;
		} else
			k->type = FEXPR_T_NOT;
		break;
	case '=':
		k->type = FEXPR_T_CMP;
		k->len = t[i + 1] == '=' ? 2 : 1;
		break;
	case '"':
	case '\'':
		k->len = fexpr_quoted(t, i);
		k->type = k->len > 0 ? FEXPR_T_STRING : FEXPR_T_BAD;
		if (k->len == 0)
			k->len = 1;
		break;
	case '<':
	case '>':
		k->type = FEXPR_T_CMP;
		if (t[i + 1] == '=') {
			k->cmp = t[i] == '<' ? FEXPR_LE : FEXPR_GE;
			k->len = 2;
		} else
			k->cmp = t[i] == '<' ? FEXPR_LT : FEXPR_GT;
		break;
	default:
		if (!fexpr_word_char((unsigned char)t[i])) {
			k->type = FEXPR_T_BAD;
			break;
		}
		while (fexpr_word_char((unsigned char)t[i + k->len]))
			k->len++;
		if (fexpr_tok_is(p, k, "and"))
			k->type = FEXPR_T_AND;
		else if (fexpr_tok_is(p, k, "or"))
			k->type = FEXPR_T_OR;
		else if (fexpr_tok_is(p, k, "not"))
			k->type = FEXPR_T_NOT;
		else
			k->type = FEXPR_T_WORD;
		break;
	}
	p->next = i + k->len;
}

/* Say that `what` was expected at the lookahead, after the text of the
 * tokens from `from` to `to` (both NULL at the start). */
static int
fexpr_expected(struct fexpr_parser *p, const char *what,
    const struct fexpr_token *from, const struct fexpr_token *to)
{
	const struct fexpr_token *t = &p->tok;
	char after[2 * FEXPR_QUOTE + 16] = "", found[FEXPR_QUOTE + 16] = "";

	if (from != NULL) {
		int n = (int)(from->len < FEXPR_QUOTE ? from->len :
		    FEXPR_QUOTE);

		if (to != NULL && to->pos != from->pos)
			snprintf(after, sizeof after, " after \"%.*s %.*s\"",
			    n, p->text + from->pos,
			    (int)(to->len < FEXPR_QUOTE ? to->len :
			    FEXPR_QUOTE), p->text + to->pos);
		else
			snprintf(after, sizeof after, " after \"%.*s\"", n,
			    p->text + from->pos);
	}
	if (t->type == FEXPR_T_BAD && (p->text[t->pos] == '"' ||
	    p->text[t->pos] == '\''))
		snprintf(found, sizeof found, ", not an unclosed quote");
	else if (t->type == FEXPR_T_BAD)
		snprintf(found, sizeof found, ", not control character "
		    "0x%02x", (unsigned char)p->text[t->pos]);
	else if (t->type != FEXPR_T_END)
		snprintf(found, sizeof found, ", not \"%.*s\"",
		    (int)(t->len < FEXPR_QUOTE ? t->len : FEXPR_QUOTE),
		    p->text + t->pos);
	return fexpr_fail(p, "expected %s%s at column %zu%s", what, after,
	    t->pos + 1, found);
}

static int
fexpr_node_new(struct fexpr_parser *p, int kind, int a, int b)
{
	struct fexpr_node *n;

	if (p->e.n == FEXPR_MAX_NODES)
		return fexpr_fail(p, "expression too long (%d terms)",
		    FEXPR_MAX_NODES);
	n = &p->e.nodes[p->e.n];
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->cmp = FEXPR_EQ;
	n->a = (int16_t)a;
	n->b = (int16_t)b;
	return (int)p->e.n++;
}

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

/* Decimal 0-65535, the whole of s[0..len).  Returns 0, -1 when s is not a
 * number, -2 when it is out of range. */
static int
fexpr_number(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v <= max)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -2;
	*out = v;
	return 0;
}

/* An optional comparison operator, symbol or word; FEXPR_EQ when there is
 * none.  *op is set to the operator's token, or left as it was. */
static int
fexpr_parse_cmp(struct fexpr_parser *p, struct fexpr_token *op)
{
	size_t i;

	if (p->tok.type == FEXPR_T_CMP) {
		*op = p->tok;
		fexpr_lex(p);
		return op->cmp;
	}
	if (p->tok.type != FEXPR_T_WORD)
		return FEXPR_EQ;
	for (i = 0; i < sizeof fexpr_cmp_words / sizeof fexpr_cmp_words[0];
	    i++) {
		if (fexpr_tok_is(p, &p->tok, fexpr_cmp_words[i].word)) {
			*op = p->tok;
			op->cmp = fexpr_cmp_words[i].cmp;
			fexpr_lex(p);
			return op->cmp;
		}
	}
	return FEXPR_EQ;
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

/* A 32-bit number as ss's sscanf("%i") reads it: decimal, 0x hex or 0
 * octal, the whole of s[0..len). */
static int
fexpr_u32(const char *s, size_t len, uint32_t *out)
{
	char buf[24], *end;
	unsigned long long v;

	if (len == 0 || len >= sizeof buf || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtoull(buf, &end, 0);
	if (*end != '\0' || v > 0xffffffffULL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A term's optional = or !=; any other operator is an error. */
static int
fexpr_eq_ne(struct fexpr_parser *p, struct fexpr_token *op,
    const char *what)
{
	int cmp = fexpr_parse_cmp(p, op);

	if (cmp != FEXPR_EQ && cmp != FEXPR_NE)
		return fexpr_fail(p, "operator \"%.*s\" does not apply to "
		    "%s at column %zu", (int)op->len, p->text + op->pos, what,
		    op->pos + 1);
	return cmp;
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
fexpr_parse_auto(struct fexpr_parser *p)
{
	uint16_t lo, hi;
	int i;

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

/* Keep s[0..len) in the expression's text; its offset, or -1. */
static int
fexpr_keep_text(struct fexpr_parser *p, const char *s, size_t len,
    size_t pos)
{
	size_t at = p->e.ntext;

	if (len > FEXPR_WORD_MAX)
		return fexpr_fail(p, "\"%.*s...\" at column %zu is longer than "
		    "%d bytes", FEXPR_QUOTE, s, pos + 1, FEXPR_WORD_MAX);
	if (at + len + 1 > FEXPR_TEXT_MAX)
		return fexpr_fail(p, "expression too long (%d bytes of words "
		    "and names)", FEXPR_TEXT_MAX);
	memcpy(p->e.text + at, s, len);
	p->e.text[at + len] = '\0';
	p->e.ntext += len + 1;
	return (int)at;
}

/* A token's text: a word, or a quoted text without its quotes. */
static void
fexpr_tok_text(const struct fexpr_parser *p, const struct fexpr_token *t,
    const char **s, size_t *len)
{
	*s = p->text + t->pos;
	*len = t->len;
	if (t->type == FEXPR_T_STRING) {
		(*s)++;
		*len -= 2;
	}
}

/* A leaf of kind holding the text s[0..len), read at column pos + 1. */
static int
fexpr_text_leaf(struct fexpr_parser *p, int kind, const char *s, size_t len,
    size_t pos)
{
	int at, i;

	if (len == 0)
		return fexpr_fail(p, "empty text at column %zu", pos + 1);
	if ((at = fexpr_keep_text(p, s, len, pos)) < 0)
		return -1;
	i = fexpr_node_new(p, kind, -1, -1);
	if (i >= 0) {
		p->e.nodes[i].str = (uint16_t)at;
		p->e.nodes[i].slen = (uint8_t)len;
	}
	return i;
}

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

/* Is t one of the operator words (eq, ne, lt...)? */
static int
fexpr_cmp_word(const struct fexpr_parser *p, const struct fexpr_token *t)
{
	size_t i;

	for (i = 0; i < sizeof fexpr_cmp_words / sizeof fexpr_cmp_words[0];
	    i++)
		if (fexpr_tok_is(p, t, fexpr_cmp_words[i].word))
			return 1;
	return 0;
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

static int fexpr_parse_list(struct fexpr_parser *p,
    const struct fexpr_token *after);

/* Is t a term of ss's that tcptop does not support? */
/* A term, "not" and what it applies to, or a parenthesised expression. */
static int
fexpr_parse_unary(struct fexpr_parser *p, const struct fexpr_token *after)
{
	struct fexpr_token t = p->tok;
	int i;

	if (p->depth == FEXPR_MAX_DEPTH)
		return fexpr_fail(p, "expression nested too deeply (%d levels) "
		    "at column %zu", FEXPR_MAX_DEPTH, t.pos + 1);
	p->depth++;
	switch (t.type) {
	case FEXPR_T_NOT:
		fexpr_lex(p);
		i = fexpr_parse_unary(p, &t);
		if (i >= 0)
			i = fexpr_node_new(p, FEXPR_NOT, i, -1);
		break;
	case FEXPR_T_LPAREN:
		fexpr_lex(p);
		i = fexpr_parse_list(p, &t);
		if (i < 0)
			break;
		if (p->tok.type == FEXPR_T_END)
			i = fexpr_fail(p, "unbalanced \"(\" at column %zu",
			    t.pos + 1);
		else if (p->tok.type != FEXPR_T_RPAREN)
			i = fexpr_expected(p, "\")\"", NULL, NULL);
		else
			fexpr_lex(p);
		break;
	case FEXPR_T_WORD:
		fexpr_lex(p);
		if (fexpr_tok_is(p, &t, "sport") ||
		    fexpr_tok_is(p, &t, "dport") ||
		    fexpr_tok_is(p, &t, "port"))
			i = fexpr_parse_port(p, &t);
		else if (fexpr_tok_is(p, &t, "src") ||
		    fexpr_tok_is(p, &t, "dst"))
			i = fexpr_parse_host(p, &t);
		else if (fexpr_tok_is(p, &t, "state"))
			i = fexpr_parse_state(p, &t);
		else if (fexpr_tok_is(p, &t, "dev"))
			i = fexpr_parse_dev(p, &t);
		else if (fexpr_tok_is(p, &t, "fwmark"))
			i = fexpr_parse_mark(p, &t);
		else if (fexpr_tok_is(p, &t, "cgroup"))
			i = fexpr_parse_cgroup(p, &t);
		else if (fexpr_tok_is(p, &t, "autobound"))
			i = fexpr_parse_auto(p);
		else if (fexpr_tok_is(p, &t, "comm") ||
		    fexpr_tok_is(p, &t, "user"))
			i = fexpr_parse_name(p, &t);
		else if (fexpr_tok_is(p, &t, "pid"))
			i = fexpr_parse_pid(p, &t);
		else
			i = fexpr_parse_word(p, &t);
		break;
	case FEXPR_T_STRING:
		fexpr_lex(p);
		i = fexpr_parse_word(p, &t);
		break;
	default:
		i = fexpr_expected(p, "a term", after, NULL);
		break;
	}
	p->depth--;
	return i;
}

/* Terms joined by "and" ("&&", "&" or nothing at all) and "or" ("||",
 * "|"), read from left to right with neither binding tighter: ss's
 * grammar (misc/ssfilter.y, exprlist) takes "a or b and c" as
 * "(a or b) and c".  Only "not" and parentheses bind tighter. */
static int
fexpr_parse_list(struct fexpr_parser *p, const struct fexpr_token *after)
{
	int l = fexpr_parse_unary(p, after);

	while (l >= 0) {
		struct fexpr_token op = p->tok;
		int joined = op.type == FEXPR_T_AND || op.type == FEXPR_T_OR;
		int r;

		if (joined)
			fexpr_lex(p);
		else if (op.type != FEXPR_T_NOT && op.type != FEXPR_T_LPAREN &&
		    op.type != FEXPR_T_WORD && op.type != FEXPR_T_STRING)
			break;
		r = fexpr_parse_unary(p, joined ? &op : NULL);
		if (r < 0)
			return -1;
		l = fexpr_node_new(p, op.type == FEXPR_T_OR ? FEXPR_OR :
		    FEXPR_AND, l, r);
	}
	return l;
}

/* Does node i test what only user space can: a state, an owner, a
 * word? */
static int
fexpr_user_only(const struct fexpr_node *n)
{
	return n->kind == FEXPR_STATE || n->kind == FEXPR_WORD ||
	    n->kind == FEXPR_COMM || n->kind == FEXPR_PID ||
	    n->kind == FEXPR_USER;
}

/* Is there a term only user space tests below node i other than on the
 * chain of ands from the top (top: i is on it)? */
static int
fexpr_state_inside(const struct fexpr *e, int i, int top)
{
	const struct fexpr_node *n;

	if (i < 0 || (size_t)i >= e->n)
		return 0;
	n = &e->nodes[i];
	if (fexpr_user_only(n))
		return !top;
	if (n->kind == FEXPR_AND || n->kind == FEXPR_OR ||
	    n->kind == FEXPR_NOT) {
		top = top && n->kind == FEXPR_AND;
		return fexpr_state_inside(e, n->a, top) ||
		    fexpr_state_inside(e, n->b, top);
	}
	return 0;
}

int
fexpr_parse(struct fexpr *e, const char *text, char *err, size_t errlen)
{
	struct fexpr_parser p;
	int root = -1;

	memset(&p, 0, sizeof p);
	p.text = text != NULL ? text : "";
	p.err = err;
	p.errlen = errlen;
	fexpr_init(&p.e);
	fexpr_lex(&p);
	if (p.tok.type != FEXPR_T_END) {
		root = fexpr_parse_list(&p, NULL);
		if (root >= 0 && p.tok.type == FEXPR_T_RPAREN)
			root = fexpr_fail(&p, "unbalanced \")\" at column %zu",
			    p.tok.pos + 1);
		else if (root >= 0 && p.tok.type != FEXPR_T_END)
			root = fexpr_expected(&p, "\"and\", \"or\" or the end",
			    NULL, NULL);
		if (root < 0)
			return -1;
		/* The kernel's MARK_COND decides a row whose mark it does
		 * not report (fexpr_match) only where its program is exact:
		 * states it cannot test but at the top, joined by and. */
		if (fexpr_has_mark(&p.e) && fexpr_state_inside(&p.e, root, 1))
			return fexpr_fail(&p, "fwmark with a state, owner or "
			    "word term under \"or\" or \"not\" cannot be exact "
			    "(no mark is reported for timewait and request "
			    "sockets): join those terms to the rest with "
			    "\"and\""), -1;
	}
	p.e.root = root;
	e->n = p.e.n;
	e->root = p.e.root;
	e->local = p.e.local;
	memcpy(e->nodes, p.e.nodes, p.e.n * sizeof p.e.nodes[0]);
	e->ntext = p.e.ntext;
	memcpy(e->text, p.e.text, p.e.ntext);
	return 0;
}

/* The first bits of a and b agree (the kernel's bitstring_match: address
 * bytes are in network order, so bit 0 is the top bit of byte 0). */
static int
fexpr_prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	size_t whole = bits / 8;
	unsigned rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	return rest == 0 ||
	    ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* As inet_diag_bc_run's S_COND/D_COND with no port: the family must be
 * the condition's, except that an IPv4 condition also tests the IPv4
 * address inside an IPv4-mapped IPv6 one. */
static int
fexpr_addr_match(const struct fexpr_node *n, int family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};
	unsigned bits = n->prefix;

	if (n->family != family) {
		if (family == AF_INET6 && n->family == AF_INET &&
		    memcmp(addr, mapped, sizeof mapped) == 0)
			return fexpr_prefix_match(addr + 12, n->addr,
			    bits > 32 ? 32 : bits);
		return 0;
	}
	if (bits > (family == AF_INET ? 32U : 128U))
		bits = family == AF_INET ? 32 : 128;
	return fexpr_prefix_match(addr, n->addr, bits);
}

static int
fexpr_cmp(unsigned long v, int cmp, unsigned long port)
{
	switch (cmp) {
	case FEXPR_EQ:
		return v == port;
	case FEXPR_NE:
		return v != port;
	case FEXPR_LT:
		return v < port;
	case FEXPR_LE:
		return v <= port;
	case FEXPR_GT:
		return v > port;
	case FEXPR_GE:
		return v >= port;
	}
	return 0;
}

/* A term only the row decides: unknown without one (the kernel, and
 * fexpr_match); with one, false where the row has no owner. */
static int
fexpr_eval_row(const struct fexpr *e, const struct fexpr_node *n,
    const struct fexpr_row *row)
{
	const char *text = e->text + n->str;

	if (row == NULL)
		return FEXPR_UNKNOWN;
	if (n->kind == FEXPR_WORD)
		return row->has_word != NULL &&
		    row->has_word(row->arg, text, n->slen);
	if (row->comm == NULL)
		return row->owner_hidden ? FEXPR_UNKNOWN : FEXPR_FALSE;
	switch (n->kind) {
	case FEXPR_COMM:
		return strcmp(row->comm, text) == 0;
	case FEXPR_PID:
		return fexpr_cmp(row->pid, n->cmp, n->num);
	case FEXPR_USER:
		return n->slen == 0 ? row->uid == n->num :
		    row->user != NULL && strcmp(row->user, text) == 0;
	}
	return FEXPR_FALSE;
}

/* FEXPR_TRUE, FEXPR_FALSE or FEXPR_UNKNOWN, in Kleene's logic. */
static int
fexpr_eval(const struct fexpr *e, int i, const struct conn_sample *s,
    const struct fexpr_row *row)
{
	const struct fexpr_node *n;
	int a, b;

	if (i < 0 || (size_t)i >= e->n)
		return FEXPR_FALSE;
	n = &e->nodes[i];
	switch (n->kind) {
	case FEXPR_AND:
	case FEXPR_OR:
		/* The value that decides: false for and, true for or. */
		a = fexpr_eval(e, n->a, s, row);
		if (a == (n->kind == FEXPR_OR))
			return a;
		b = fexpr_eval(e, n->b, s, row);
		if (b == (n->kind == FEXPR_OR))
			return b;
		return a == FEXPR_UNKNOWN || b == FEXPR_UNKNOWN ?
		    FEXPR_UNKNOWN : a;
	case FEXPR_NOT:
		a = fexpr_eval(e, n->a, s, row);
		return a == FEXPR_UNKNOWN ? a : !a;
	case FEXPR_SPORT:
		return fexpr_cmp(s->lport, n->cmp, n->port);
	case FEXPR_DPORT:
		return fexpr_cmp(s->rport, n->cmp, n->port);
	case FEXPR_SRC:
		return fexpr_addr_match(n, s->family, s->local);
	case FEXPR_DST:
		return fexpr_addr_match(n, s->family, s->remote);
	case FEXPR_STATE:
		return s->state < 32 && (n->states >> s->state & 1);
	case FEXPR_DEV:
		/* idiag_if and the bytecode's entry->ifindex are both
		 * sk_bound_dev_if. */
		return s->ifindex == n->ifindex;
	case FEXPR_MARK: {
		uint32_t mark;

		if (conn_mark_value(s->mark, &mark) == -1)
			return FEXPR_UNKNOWN;
		return (mark & n->mask) == n->mark;
	}
	case FEXPR_CGROUP:
		/* Request and timewait sockets have none (index 0), as the
		 * kernel's entry has cgroup id 0 for them. */
		return s->cgroup == n->cgroup;
	case FEXPR_AUTO:
		/* ss's half; the kernel's runs in the dump's program. */
		return s->lport >= n->port && s->lport <= n->port_hi;
	case FEXPR_WORD:
	case FEXPR_COMM:
	case FEXPR_PID:
	case FEXPR_USER:
		return fexpr_eval_row(e, n, row);
	}
	return FEXPR_FALSE;
}

int
fexpr_match(const struct fexpr *e, const struct conn_sample *s)
{
	return e->root < 0 || fexpr_eval(e, e->root, s, NULL) != FEXPR_FALSE;
}

int
fexpr_match_row(const struct fexpr *e, const struct conn_sample *s,
    const struct fexpr_row *row)
{
	int r;

	if (e->root < 0)
		return 1;
	r = fexpr_eval(e, e->root, s, row);
	if (r == FEXPR_UNKNOWN && row != NULL && row->owner_hidden)
		return FEXPR_UNTESTED;
	return r != FEXPR_FALSE;
}

int
fexpr_has_row_terms(const struct fexpr *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (fexpr_user_only(&e->nodes[i]) &&
		    e->nodes[i].kind != FEXPR_STATE)
			return 1;
	return 0;
}

int
fexpr_has_owner_terms(const struct fexpr *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->nodes[i].kind == FEXPR_COMM ||
		    e->nodes[i].kind == FEXPR_PID ||
		    e->nodes[i].kind == FEXPR_USER)
			return 1;
	return 0;
}

int
fexpr_has_mark(const struct fexpr *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->nodes[i].kind == FEXPR_MARK)
			return 1;
	return 0;
}

/* The states where node i can hold (*may) and those where it holds
 * whatever the rest of the socket (*must). */
static void
fexpr_state_bounds(const struct fexpr *e, int i, uint32_t *may,
    uint32_t *must)
{
	const struct fexpr_node *n;
	uint32_t amay, amust, bmay, bmust;

	*may = TCPSTATE_ALL;
	*must = 0;
	if (i < 0 || (size_t)i >= e->n)
		return;
	n = &e->nodes[i];
	switch (n->kind) {
	case FEXPR_AND:
	case FEXPR_OR:
		fexpr_state_bounds(e, n->a, &amay, &amust);
		fexpr_state_bounds(e, n->b, &bmay, &bmust);
		if (n->kind == FEXPR_AND) {
			*may = amay & bmay;
			*must = amust & bmust;
		} else {
			*may = amay | bmay;
			*must = amust | bmust;
		}
		break;
	case FEXPR_NOT:
		fexpr_state_bounds(e, n->a, &amay, &amust);
		*may = TCPSTATE_ALL & ~amust;
		*must = TCPSTATE_ALL & ~amay;
		break;
	case FEXPR_STATE:
		*may = *must = n->states & TCPSTATE_ALL;
		break;
	}
}

uint32_t
fexpr_states(const struct fexpr *e)
{
	uint32_t may, must;

	if (e->root < 0)
		return TCPSTATE_ALL;
	fexpr_state_bounds(e, e->root, &may, &must);
	return may;
}
