/* filter: which sockets to keep, by port, state, family and expression;
 * pure. */
#ifndef TCPTOP_FILTER_H
#define TCPTOP_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conn.h"
#include "tcptop/conntab.h"
#include "tcptop/fexpr.h"
#include "tcptop/field.h"

#define FILTER_MAX_RANGES 64

struct filter_range {
	uint16_t lo;
	uint16_t hi;
};

/* A socket matches when its state is in states, its family in families,
 * it satisfies expr and, if nranges > 0, its local or its remote port lies
 * in one of the ranges. */
struct filter {
	uint32_t states;	/* bits (1 << TCP_*); TCPSTATE_ALL keeps all */
	unsigned families;	/* FILTER_INET4 | FILTER_INET6 */
	size_t nranges;
	struct filter_range ranges[FILTER_MAX_RANGES];
	struct fexpr expr;	/* empty: keeps all */
};

#define FILTER_INET4 0x1
#define FILTER_INET6 0x2

/* Everything: all states, both families, no port ranges, an empty
 * expression. */
void filter_init(struct filter *f);

/* Parse "PORT[,PORT|LO-HI...]" (ports 1..65535, decimal or a TCP service
 * name: "ssh,http-alt,8000-8080,ssh-http") and replace f's ranges.
 * An empty string clears them.  Returns 0, or -1 with a one-line reason
 * in err (errlen bytes) and f unchanged. */
int filter_parse_ports(struct filter *f, const char *spec, char *err,
    size_t errlen);

/* Parse a comma-separated list of state names (tcpstate_parse) and replace
 * f->states.  Returns 0, or -1 with the reason in err and f unchanged. */
int filter_parse_states(struct filter *f, const char *spec, char *err,
    size_t errlen);

/* Parse an ss-like filter expression (fexpr.h) and replace f->expr; an
 * empty or blank text clears it.  Returns 0, or -1 with a one-line reason
 * in err and f unchanged. */
int filter_parse_expr(struct filter *f, const char *text, char *err,
    size_t errlen);

/* Nonzero when f keeps every socket (as filter_init leaves it). */
int filter_keeps_all(const struct filter *f);

/* Nonzero when s passes f.  Plain words and owner terms (fexpr.h) are
 * unknown for a bare sample, and an unknown term keeps it: a superset
 * of what filter_match_conn keeps, as the kernel's bytecode is. */
int filter_match(const struct filter *f, const struct conn_sample *s);

/* 1 when row c passes f, its words and owner terms decided from what
 * the row shows: the owner (cx->proc; none when attribution is off)
 * and the text of filter_word_fields (field_fmt with cx); 0 when it
 * does not; FILTER_UNTESTED when its owner is hidden and an owner term
 * decides (not shown, but counted: view.untested).  cx NULL: nothing
 * known outside the row. */
#define FILTER_UNTESTED	FEXPR_UNTESTED
int filter_match_conn(const struct filter *f, const struct conn *c,
    const struct field_ctx *cx);

/* The fields whose text a plain word is looked for in: the state, the
 * endpoints, the owner's process, pid and user, the namespace and the
 * cgroup, as they read on screen and in the text report. */
extern const int filter_word_fields[];
extern const size_t filter_nword_fields;

/* Write f's ports back as text ("9000,8000-8080"), "" when none. */
void filter_fmt_ports(const struct filter *f, char *buf, size_t len);

#endif
