/* ss-like filter expressions: the grammar, a recursive descent into a
 * node array over the terms of fexpr_term.c, and the matcher, with the
 * kernel's address semantics; no I/O. */
#include <string.h>
#include <sys/socket.h>

#include "tcptop/fexpr.h"
#include "tcptop/tcpstate.h"

#include "fexpr_int.h"

/* Parentheses and nots may nest this deep; the node limit bounds the rest,
 * and with it the recursion of every walk over a tree. */
#define FEXPR_MAX_DEPTH	FEXPR_MAX_NODES

/* What fexpr_eval finds: a mark term of a socket whose mark the kernel
 * did not report is unknown. */
enum { FEXPR_FALSE, FEXPR_TRUE, FEXPR_UNKNOWN };

void
fexpr_init(struct fexpr *e)
{
	e->n = 0;
	e->root = -1;
	e->local = 0;
	e->ntext = 0;
}

static int fexpr_parse_list(struct fexpr_parser *p,
    const struct fexpr_token *after);

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
	case FEXPR_T_STRING:
		fexpr_lex(p);
		i = fexpr_parse_term(p, &t);
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
