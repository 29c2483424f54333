/* fexpr: ss-like filter expressions over one socket; pure but for the
 * service and host names it looks up (resolve.h) and the cgroup paths
 * it turns into ids (cgroup.h). */
#ifndef TCPTOP_FEXPR_H
#define TCPTOP_FEXPR_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conn.h"

/* The syntax, as ss's (misc/ssfilter.y), keywords in any case:
 *
 *	sport|dport|port [OP] [:]PORT	OP: = == eq != ne < lt <= le > gt
 *					>= ge (none means =); PORT 0-65535
 *					as resolve_port reads it (0x16,
 *					026, ssh)
 *	src|dst [=|!=] ADDR[/LEN][:PORT]	IPv4, IPv6 or a host name with
 *					one address, "[::1]:22" for a
 *					port after IPv6, "*:PORT" or
 *					":PORT" for any address, "*" for
 *					anything
 *	state [=|!=] NAME[,NAME...]	tcpstate_parse() names and groups
 *	dev [=|!=] DEV			bound to the device (SO_BINDTODEVICE,
 *					a link-local peer's scope): a name
 *					(resolve_dev) or an index
 *	fwmark [=|!=] MARK[/MASK]	(SO_MARK & MASK) == MARK; numbers
 *					decimal, 0x hex or 0 octal, MASK
 *					0xffffffff when left out
 *	cgroup [=|!=] PATH		made in the cgroup v2 at PATH,
 *					absolute or below the cgroup2
 *					mount (cgroup_path_id)
 *	autobound			the kernel picked the local port
 *					(INET_DIAG_BC_AUTO, in the dump's
 *					program) and, as ss checks in
 *					user space, it lies in the
 *					ephemeral range (resolve_ephemeral)
 *	not E, ! E, E and E, E && E, E E, E or E, E || E, ( E )
 *
 * not binds tighter than and and or, which bind alike and are read from
 * left to right, as ss reads them: "a or b and c" is "(a or b) and c".
 * "port OP P" is "sport OP P or dport OP P", except "port != P", which is
 * "not port = P": neither end uses P.  An address term matches as the kernel's S_COND and
 * D_COND bytecode (inet_diag_bc_run): the socket's address lies in
 * ADDR/LEN of the same family, and an IPv4 prefix also matches an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d); an IPv6 prefix never matches
 * an IPv4 socket. */

#define FEXPR_MAX_NODES	64

enum fexpr_kind {
	FEXPR_AND = 1,		/* a and b */
	FEXPR_OR,		/* a or b */
	FEXPR_NOT,		/* not a */
	FEXPR_SPORT,		/* local port <cmp> port */
	FEXPR_DPORT,		/* remote port <cmp> port */
	FEXPR_SRC,		/* local address in addr/prefix */
	FEXPR_DST,		/* remote address in addr/prefix */
	FEXPR_STATE,		/* state in states */
	FEXPR_DEV,		/* bound to device ifindex */
	FEXPR_MARK,		/* (socket mark & mask) == mark */
	FEXPR_CGROUP,		/* made in cgroup cgroup_id */
	FEXPR_AUTO,		/* autobound: local port in port..port_hi
				 * here, the port lock in the kernel */
};

/* Port comparisons; address and state terms are always FEXPR_EQ (the
 * parser turns != into a NOT node). */
enum fexpr_cmp { FEXPR_EQ, FEXPR_NE, FEXPR_LT, FEXPR_LE, FEXPR_GT, FEXPR_GE };

struct fexpr_node {
	uint8_t kind;		/* enum fexpr_kind */
	uint8_t cmp;		/* enum fexpr_cmp */
	uint8_t family;		/* SRC/DST: AF_INET or AF_INET6 */
	uint8_t prefix;		/* SRC/DST: prefix length in bits */
	uint16_t port;		/* SPORT/DPORT, host order; AUTO: low */
	uint16_t port_hi;	/* AUTO: the ephemeral range's top */
	int16_t a, b;		/* children (node indexes), -1 none */
	uint32_t states;	/* STATE: bits 1 << TCP_* */
	uint32_t ifindex;	/* DEV: the device's index */
	uint32_t mark, mask;	/* MARK */
	uint64_t cgroup_id;	/* CGROUP: the kernel's id */
	uint16_t cgroup;	/* CGROUP: cgroup_intern(cgroup_id) */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
};

/* A parsed expression: a tree of nodes[0..n), children before parents. */
struct fexpr {
	size_t n;
	int root;		/* -1: empty, matches everything */
	int local;		/* parsing read names of the namespace it
				 * ran in: devices, the ephemeral range */
	struct fexpr_node nodes[FEXPR_MAX_NODES];
};

/* The empty expression, which matches everything. */
void fexpr_init(struct fexpr *e);

/* Parse text into e.  Empty or blank text gives the empty expression.
 * Returns 0, or -1 with a one-line reason naming the offending token's
 * column (1-based) in err (errlen bytes) and e unchanged. */
int fexpr_parse(struct fexpr *e, const char *text, char *err,
    size_t errlen);

/* Nonzero when s satisfies e (always for the empty expression).  The
 * kernel reports no mark for request and timewait sockets, only its
 * bytecode sees theirs: a mark term is unknown for a sample without
 * one (conn_sample.mark 0), and an expression whose value hangs on an unknown term
 * matches, leaving the choice to the kernel's MARK_COND. */
int fexpr_match(const struct fexpr *e, const struct conn_sample *s);

/* A superset of the states (bits 1 << TCP_*, within TCPSTATE_ALL) in
 * which a socket can satisfy e, from its state terms: TCPSTATE_ALL when
 * e does not restrict the state. */
uint32_t fexpr_states(const struct fexpr *e);

/* Nonzero when e has a fwmark term (which the kernel takes only from a
 * caller with CAP_NET_ADMIN). */
int fexpr_has_mark(const struct fexpr *e);

#endif
