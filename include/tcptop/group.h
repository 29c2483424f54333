/* group: the view's rows gathered by service, remote host, process or
 * namespace, each group with its count and its own state histogram;
 * pure (no curses, no netlink). */
#ifndef TCPTOP_GROUP_H
#define TCPTOP_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/column.h"
#include "tcptop/conntab.h"
#include "tcptop/tcpstate.h"
#include "tcptop/view.h"

/* Kinds of group; 0 is "no grouping", so a zeroed struct means none. */
enum group_kind {
	GROUP_NONE,
	GROUP_SERVICE,	/* local port of a listened-on port, else
			 * the remote port ("->:443") */
	GROUP_REMOTE,	/* remote address, without the port */
	GROUP_PROCESS,	/* owning process */
	GROUP_NETNS,	/* network namespace */
	GROUP_NKINDS
};

/* A group's identity: kind-specific bytes, zero-padded, compared whole. */
struct group_key {
	uint8_t b[24];
};

/* Text of a key: at most this, with the NUL. */
#define GROUP_LABEL_LEN	64

struct groups;

/* One kind of group.  key gives c's key, or -1 when c belongs to no
 * group of this kind (counted as ungrouped); label writes a key as text
 * that is safe for a terminal and JSON (sanitized when it came from
 * outside); member is the drill-down predicate: c is in the group of k.
 * A kind whose data source is missing has key NULL and is skipped. */
struct group_kind_def {
	const char *name;	/* --group NAME, JSON "group" */
	const char *title;	/* above the key column */
	int (*key)(const struct groups *g, const struct conn *c,
	    const struct field_ctx *cx, struct group_key *k);
	void (*label)(const struct groups *g, const struct group_key *k,
	    char *buf, size_t len);
	int (*member)(const struct groups *g, const struct group_key *k,
	    const struct conn *c, const struct field_ctx *cx);
};

extern const struct group_kind_def group_kinds[GROUP_NKINDS];

/* One group: its key, its live rows and their states. */
struct group {
	struct group_key key;
	uint32_t count;
	uint32_t states[TCPSTATE_MAX + 1];	/* by TCP state number */
};

/* The groups of one refresh.  Memory is kept across builds and only
 * grows to the largest number of groups seen. */
struct groups {
	int kind;		/* enum group_kind of the last build */
	int sort_state;		/* 0: by count; else by this state's count
				 * first */
	struct group *v;	/* sorted: see group_build */
	size_t n, cap;
	uint32_t *slots;	/* hash: 1 + index into v, 0 empty */
	size_t nslots;		/* a power of two, at least 2n */
	size_t total;		/* live rows grouped */
	size_t ungrouped;	/* live rows without a key */
	const struct field_ctx *cx;	/* the last build's, borrowed: labels
					 * read its tables */
	uint64_t listen[65536 / 64];	/* local ports with a LISTEN
					 * socket, for the service rule */
};

void group_init(struct groups *g);
void group_done(struct groups *g);

/* The kind named name (case-insensitive), or GROUP_NONE. */
int group_lookup(const char *name);

/* Whether kind can be built with what cx offers; with cx NULL, whether
 * this build knows the kind at all.  netns needs several namespaces in
 * cx (--all-netns). */
int group_available(int kind, const struct field_ctx *cx);

/* The next available kind after kind in the cycle service, remote,
 * process, netns; GROUP_NONE after the last (back to connections). */
int group_next(int kind, const struct field_ctx *cx);

/* Group the live rows of v (tombstones are left out) by kind, in O(n).
 * The listeners are taken from every live row of tab, not only v's, so
 * a filter that hides a listener does not turn its accepted sockets into
 * outgoing ones; a kernel query that leaves listeners out does (the rule
 * is by port: a port with a LISTEN socket is a service).  Groups are
 * sorted by the count of g->sort_state (or the count), descending, then
 * by count, then by key.  An unavailable kind builds no groups. */
void group_build(struct groups *g, int kind, const struct view *v,
    const struct conntab *tab, const struct field_ctx *cx);

/* The group of key k in the last build, or NULL. */
const struct group *group_find(const struct groups *g,
    const struct group_key *k);

/* Whether c belongs to the group of key k of the last build's kind
 * (the drill-down filter). */
int group_contains(const struct groups *g, const struct group_key *k,
    const struct conn *c, const struct field_ctx *cx);

/* Write k as text for the last build's kind. */
void group_label(const struct groups *g, const struct group_key *k,
    char *buf, size_t len);

#endif
