/* kill: the sockets chosen to be destroyed, as a snapshot taken when
 * they were chosen, and what became of each.  Pure: the caller destroys
 * them (diag_destroy) and writes each result back, so what goes is
 * exactly what was listed, never a re-read of a changing view. */
#ifndef TCPTOP_KILL_H
#define TCPTOP_KILL_H

#include <stddef.h>

#include "tcptop/conn.h"
#include "tcptop/view.h"

/* KILL_PENDING: not tried yet; 0: destroyed; else the errno of
 * diag_destroy. */
#define KILL_PENDING	(-1)

struct kill_item {
	struct conn_sample s;	/* a copy: cookie, 4-tuple, state */
	int err;		/* KILL_PENDING, 0 or an errno */
};

struct kill_list {
	struct kill_item *items;	/* owned */
	size_t n;
	size_t cap;
	size_t listeners;		/* LISTEN sockets among them */
	size_t minisocks;		/* TIME_WAIT and request sockets */
};

void kill_init(struct kill_list *k);
void kill_done(struct kill_list *k);

/* Forget every item; the memory stays for the next list. */
void kill_clear(struct kill_list *k);

/* Add a copy of s, pending. */
void kill_add(struct kill_list *k, const struct conn_sample *s);

/* Replace the list with the live rows of v (no tombstones), in v's
 * order. */
void kill_from_view(struct kill_list *k, const struct view *v);

/* What is special about s, for the confirmation: "listener",
 * "timewait minisocket", "request minisocket", or NULL for a plain
 * connection.  A static string. */
const char *kill_note(const struct conn_sample *s);

/* Items destroyed, and items that failed.  A socket already gone
 * (ENOENT) counts as neither: it went, but not by us; except a
 * listener, which may only be hidden behind another of its SO_REUSEPORT
 * group.  Pending items count as neither. */
size_t kill_count_ok(const struct kill_list *k);
size_t kill_count_failed(const struct kill_list *k);

/* One line on the outcome: "3 destroyed", "1 destroyed, 2 failed: needs
 * CAP_NET_ADMIN: run as root", with the first failure's reason (and
 * "and others" when the reasons differ).  Into buf (len bytes). */
void kill_summary(const struct kill_list *k, char *buf, size_t len);

/* The result of item i as one line: "ok" or the reason it failed (a
 * static string). */
const char *kill_result(const struct kill_item *it);

#endif
