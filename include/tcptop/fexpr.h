/* fexpr: ss-like filter expressions over one socket, with plain words
 * and owner terms as htop's filter has them; pure but for the service
 * and host names it looks up (resolve.h) and the cgroup paths it turns
 * into ids (cgroup.h). */
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
 *	comm [=|!=] NAME		held by a process whose command
 *					name (comm, 15 bytes at most) is
 *					NAME, exactly
 *	pid [OP] N			held by process N (OP as for ports)
 *	user [=|!=] NAME|UID		held by a process of that user (its
 *					effective uid; all digits: a uid)
 *	WORD, "TEXT" or 'TEXT'		a plain word: the row's text holds
 *					it, in any case (below)
 *	not E, ! E, E and E, E && E, E E, E or E, E || E, ( E )
 *
 * ss's syntax keeps its meaning exactly: ss has no bare term (a bare
 * address is a syntax error there: misc/ssfilter.y has no rule for a
 * lone HOSTCOND), so a word where a term starts is a plain word unless
 * it is a keyword (sport dport port src dst state dev fwmark cgroup
 * autobound comm pid user), an operator (and or not eq ne neq lt le
 * leq gt ge geq) or followed by a comparison operator ("dprot = 1" is
 * a typo, refused).  A quoted text is always a plain word, so a
 * keyword or text with spaces or symbols can be looked for.  The
 * kernel cannot test words and owners: its bytecode takes them as true
 * (a superset), and fexpr_match_row decides in user space from what the
 * row shows.  A row with no known owner (no file, hidden, in flight)
 * has no command, pid or user: "comm X" leaves it out and "not comm X"
 * keeps it.
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
	FEXPR_WORD,		/* the row's text holds text[str..] */
	FEXPR_COMM,		/* the owner's command is text[str..] */
	FEXPR_PID,		/* the owner's pid <cmp> num */
	FEXPR_USER,		/* the owner's user is text[str..], or its
				 * uid num when slen is 0 */
};

#define FEXPR_TEXT_MAX	512	/* bytes of words and names in all */
#define FEXPR_WORD_MAX	63	/* bytes of one word or name */

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
	uint16_t str;		/* WORD, COMM, USER: offset in fexpr.text */
	uint8_t slen;		/* its length, without a NUL */
	uint32_t num;		/* PID: the pid; USER: the uid */
};

/* A parsed expression: a tree of nodes[0..n), children before parents. */
struct fexpr {
	size_t n;
	int root;		/* -1: empty, matches everything */
	int local;		/* parsing read names of the namespace it
				 * ran in: devices, the ephemeral range */
	struct fexpr_node nodes[FEXPR_MAX_NODES];
	size_t ntext;
	char text[FEXPR_TEXT_MAX];	/* the nodes' words, each NUL-ended */
};

/* What a row shows beyond its sample, for the terms only user space can
 * test. */
struct fexpr_row {
	const char *comm;	/* the owner's; NULL: no owner known */
	const char *user;
	unsigned long pid;
	uint32_t uid;
	int owner_hidden;	/* with comm NULL: a process holds it, but
				 * which cannot be read, so owner terms are
				 * unknown rather than false */
	/* Nonzero when the row's text holds word (len bytes, any case). */
	int (*has_word)(void *arg, const char *word, size_t len);
	void *arg;
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

/* The same with the row's owner and text: words and owner terms are
 * decided too (fexpr_match takes them as unknown, so it keeps a
 * superset of what this keeps).  Returns 0, 1, or FEXPR_UNTESTED when
 * the owner is hidden (row->owner_hidden) and the value hangs on an
 * unknown term: the row cannot be told either way. */
#define FEXPR_UNTESTED	2
int fexpr_match_row(const struct fexpr *e, const struct conn_sample *s,
    const struct fexpr_row *row);

/* Nonzero when e has a term only user space can test (a plain word, an
 * owner term). */
int fexpr_has_row_terms(const struct fexpr *e);

/* Nonzero when e has an owner term (comm, pid, user): one only a row
 * whose owner is known can satisfy. */
int fexpr_has_owner_terms(const struct fexpr *e);

/* A superset of the states (bits 1 << TCP_*, within TCPSTATE_ALL) in
 * which a socket can satisfy e, from its state terms: TCPSTATE_ALL when
 * e does not restrict the state. */
uint32_t fexpr_states(const struct fexpr *e);

/* Nonzero when e has a fwmark term (which the kernel takes only from a
 * caller with CAP_NET_ADMIN). */
int fexpr_has_mark(const struct fexpr *e);

#endif
