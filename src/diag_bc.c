/* Filters compiled to the inet_diag bytecode the kernel runs on each
 * socket of a dump. */
#include <string.h>


#include "tcptop/diag.h"
#include "tcptop/diag_file.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"
#include "diag_int.h"

/* Kernel bytecode (inet_diag_bc_run).  A block accepts a socket by running
 * off its end and rejects it by jumping 4 bytes past its end; blocks
 * compose as ss's ssfilter_bytecompile() composes them (misc/ss.c):
 *
 *	A and B	A B, with A's rejections moved to B's end (diag_bc_patch)
 *	A or B	A, a JMP over B, B: A's rejections land on B
 *	not A	A, JMP{yes 4, no 8}: A accepting runs onto the JMP, which
 *		rejects; A rejecting lands past it, at the end: accept
 *
 * Every op's "yes" is its own length, so the audit (inet_diag_bc_audit,
 * valid_cc) finds every jump target on the chain of yes steps. */

struct diag_bc {
	uint8_t *buf;
	size_t cap;		/* usable bytes of buf */
	size_t off;		/* bytes written */
	int overflow;		/* something did not fit: give up */
};

/* What the kernel can test of a subexpression.  It cannot test states
 * (only the request's idiag_states can, for the whole dump), so a state
 * term counts as true in the program, and anything built on such a guess
 * selects a superset, or everything when a NOT or an OR meets it; the
 * user-space filter_match makes the result exact. */
enum diag_bc_fit {
	DIAG_BC_TRUE,		/* nothing to test: accept */
	DIAG_BC_EXACT,		/* the program tests all of it */
	DIAG_BC_SUPERSET,	/* the program accepts a superset */
};

/* Room for n more bytes, or remember that there was not. */
static int
diag_bc_room(struct diag_bc *bc, size_t n)
{
	if (bc->overflow || bc->cap - bc->off < n) {
		bc->overflow = 1;
		return 0;
	}
	return 1;
}

static void
diag_bc_op(struct diag_bc *bc, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = { .code = code, .yes = yes, .no = no };

	if (!diag_bc_room(bc, sizeof op))
		return;
	memcpy(bc->buf + bc->off, &op, sizeof op);
	bc->off += sizeof op;
}

/* A port comparison: the op, then an op whose "no" holds the port, as
 * inet_diag_bc_run reads it.  no: where a failed test goes. */
static void
diag_bc_port(struct diag_bc *bc, uint8_t code, uint16_t port, uint16_t no)
{
	if (!diag_bc_room(bc, 8))
		return;
	diag_bc_op(bc, code, 8, no);
	diag_bc_op(bc, 0, 0, port);
}

/* A host condition: family AF_UNSPEC (no address, only the port, as ss
 * compiles "sport = :80"), AF_INET or AF_INET6; port -1 for any. */
static void
diag_bc_hostcond(struct diag_bc *bc, uint8_t code, uint8_t family,
    uint8_t prefix, int port, const uint8_t *addr)
{
	struct inet_diag_hostcond hc;
	size_t alen = family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
	size_t len = sizeof(struct inet_diag_bc_op) + sizeof hc + alen;

	if (!diag_bc_room(bc, len))
		return;
	diag_bc_op(bc, code, (uint8_t)len, (uint16_t)(len + 4));
	memset(&hc, 0, sizeof hc);
	hc.family = family;
	hc.prefix_len = prefix;
	hc.port = port;
	memcpy(bc->buf + bc->off, &hc, sizeof hc);
	bc->off += sizeof hc;
	if (alen > 0)
		memcpy(bc->buf + bc->off, addr, alen);
	bc->off += alen;
}

/* Move the rejections of the block at [start, start + len), jumps to 4
 * past its end, to 4 past the end of the reloc bytes that follow it
 * (ss's ssfilter_patch).  Walking by "yes" visits every op and skips the
 * operands. */
static void
diag_bc_patch(struct diag_bc *bc, size_t start, size_t len, size_t reloc)
{
	size_t at = start;

	if (bc->overflow)
		return;
	while (at < start + len) {
		struct inet_diag_bc_op op;

		memcpy(&op, bc->buf + at, sizeof op);
		if (op.no == start + len - at + 4) {
			op.no = (uint16_t)(op.no + reloc);
			memcpy(bc->buf + at, &op, sizeof op);
		}
		at += op.yes;
	}
}

/* The port ranges: per range and direction GE lo (8 bytes), LE hi (8) and
 * a JMP to the end (4) when both held.  A failed test goes on to the next
 * term; the last term's go 4 past the end: reject. */
static void
diag_bc_ranges(struct diag_bc *bc, const struct filter *f)
{
	const size_t term = 20;
	size_t nterms = f->nranges * 2, total = nterms * term, i;

	if (!diag_bc_room(bc, total))
		return;
	for (i = 0; i < nterms; i++) {
		const struct filter_range *r = &f->ranges[i / 2];
		int remote = i % 2, last = i == nterms - 1;
		size_t left = total - i * term;	/* bytes from this term on */

		diag_bc_port(bc, remote ? INET_DIAG_BC_D_GE : INET_DIAG_BC_S_GE,
		    r->lo, (uint16_t)(last ? term + 4 : term));
		diag_bc_port(bc, remote ? INET_DIAG_BC_D_LE : INET_DIAG_BC_S_LE,
		    r->hi, (uint16_t)(last ? term - 8 + 4 : term - 8));
		/* JMP always takes "no". */
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, (uint16_t)(left - 16));
	}
}

static int
diag_bc_fit(const struct fexpr *e, int i)
{
	const struct fexpr_node *n;
	int a, b;

	if (i < 0 || (size_t)i >= e->n)
		return DIAG_BC_TRUE;
	n = &e->nodes[i];
	switch (n->kind) {
	case FEXPR_SPORT:
	case FEXPR_DPORT:
		return n->cmp <= FEXPR_GE ? DIAG_BC_EXACT : DIAG_BC_TRUE;
	case FEXPR_SRC:
	case FEXPR_DST:
		/* What the audit takes (valid_hostcond). */
		if ((n->family == AF_INET && n->prefix <= 32) ||
		    (n->family == AF_INET6 && n->prefix <= 128))
			return DIAG_BC_EXACT;
		return DIAG_BC_TRUE;
	case FEXPR_DEV:
	case FEXPR_MARK:
	case FEXPR_CGROUP:
	case FEXPR_AUTO:
		return DIAG_BC_EXACT;
	case FEXPR_NOT:
		/* The negation of a guess is no guess. */
		return diag_bc_fit(e, n->a) == DIAG_BC_EXACT ? DIAG_BC_EXACT :
		    DIAG_BC_TRUE;
	case FEXPR_AND:
	case FEXPR_OR:
		a = diag_bc_fit(e, n->a);
		b = diag_bc_fit(e, n->b);
		if (a == DIAG_BC_EXACT && b == DIAG_BC_EXACT)
			return DIAG_BC_EXACT;
		if (n->kind == FEXPR_AND)
			return a == DIAG_BC_TRUE && b == DIAG_BC_TRUE ?
			    DIAG_BC_TRUE : DIAG_BC_SUPERSET;
		return a == DIAG_BC_TRUE || b == DIAG_BC_TRUE ? DIAG_BC_TRUE :
		    DIAG_BC_SUPERSET;
	default:
		/* States, and whatever the kernel cannot test. */
		return DIAG_BC_TRUE;
	}
}

/* A port term: = and != as a host condition with only a port (as ss),
 * < as not >=, > as not <=. */
static void
diag_bc_port_term(struct diag_bc *bc, const struct fexpr_node *n)
{
	int local = n->kind == FEXPR_SPORT;

	switch (n->cmp) {
	case FEXPR_EQ:
	case FEXPR_NE:
		diag_bc_hostcond(bc, local ? INET_DIAG_BC_S_COND :
		    INET_DIAG_BC_D_COND, AF_UNSPEC, 0, n->port, NULL);
		break;
	case FEXPR_GE:
	case FEXPR_LT:
		diag_bc_port(bc, local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE,
		    n->port, 12);
		break;
	default:
		diag_bc_port(bc, local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE,
		    n->port, 12);
		break;
	}
	if (n->cmp == FEXPR_NE || n->cmp == FEXPR_LT || n->cmp == FEXPR_GT)
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, 8);
}

/* Emit node i, whose fit is not DIAG_BC_TRUE. */
static void
diag_bc_node(struct diag_bc *bc, const struct fexpr *e, int i)
{
	const struct fexpr_node *n = &e->nodes[i];
	size_t start = bc->off, mid;

	switch (n->kind) {
	case FEXPR_SPORT:
	case FEXPR_DPORT:
		diag_bc_port_term(bc, n);
		break;
	case FEXPR_SRC:
	case FEXPR_DST:
		diag_bc_hostcond(bc, n->kind == FEXPR_SRC ?
		    INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND, n->family,
		    n->prefix, -1, n->addr);
		break;
	case FEXPR_DEV:
		/* The op, then the index (valid_devcond). */
		if (diag_bc_room(bc, 8)) {
			diag_bc_op(bc, INET_DIAG_BC_DEV_COND, 8, 12);
			memcpy(bc->buf + bc->off, &n->ifindex, 4);
			bc->off += 4;
		}
		break;
	case FEXPR_MARK:
		/* The op, then struct inet_diag_markcond (valid_markcond). */
		if (diag_bc_room(bc, 12)) {
			struct inet_diag_markcond mc = { n->mark, n->mask };

			diag_bc_op(bc, INET_DIAG_BC_MARK_COND, 12, 16);
			memcpy(bc->buf + bc->off, &mc, sizeof mc);
			bc->off += sizeof mc;
		}
		break;
	case FEXPR_CGROUP:
		/* The op, then the u64 id (valid_cgroupcond). */
		if (diag_bc_room(bc, 12)) {
			diag_bc_op(bc, INET_DIAG_BC_CGROUP_COND, 12, 16);
			memcpy(bc->buf + bc->off, &n->cgroup_id, 8);
			bc->off += 8;
		}
		break;
	case FEXPR_AUTO:
		/* The kernel's half of autobound, a bare op as ss compiles
		 * it; the port range is fexpr_match's half. */
		diag_bc_op(bc, INET_DIAG_BC_AUTO, 4, 8);
		break;
	case FEXPR_NOT:
		diag_bc_node(bc, e, n->a);
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, 8);
		break;
	case FEXPR_AND:
		/* A side the kernel cannot test is left out: true. */
		if (diag_bc_fit(e, n->a) == DIAG_BC_TRUE) {
			diag_bc_node(bc, e, n->b);
			break;
		}
		if (diag_bc_fit(e, n->b) == DIAG_BC_TRUE) {
			diag_bc_node(bc, e, n->a);
			break;
		}
		diag_bc_node(bc, e, n->a);
		mid = bc->off;
		diag_bc_node(bc, e, n->b);
		diag_bc_patch(bc, start, mid - start, bc->off - mid);
		break;
	case FEXPR_OR:
		diag_bc_node(bc, e, n->a);
		mid = bc->off;
		diag_bc_op(bc, INET_DIAG_BC_JMP, 4, 0);
		diag_bc_node(bc, e, n->b);
		if (!bc->overflow) {
			/* Over B to the end: accept. */
			struct inet_diag_bc_op op = { INET_DIAG_BC_JMP, 4,
			    (uint16_t)(bc->off - mid) };

			memcpy(bc->buf + mid, &op, sizeof op);
		}
		break;
	}
}

int
diag_compile_filter(const struct filter *f, void *buf, size_t len)
{
	struct diag_bc bc = { buf, len < DIAG_BC_LIMIT ? len : DIAG_BC_LIMIT,
	    0, 0 };
	const struct fexpr *e = &f->expr;
	size_t ports;

	if (f->nranges > 0)
		diag_bc_ranges(&bc, f);
	ports = bc.off;
	if (e->root >= 0 && diag_bc_fit(e, e->root) != DIAG_BC_TRUE) {
		diag_bc_node(&bc, e, e->root);
		/* ports AND expression */
		if (ports > 0)
			diag_bc_patch(&bc, 0, ports, bc.off - ports);
	}
	if (bc.overflow)
		return -1;
	return (int)bc.off;
}
