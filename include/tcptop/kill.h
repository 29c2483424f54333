/* kill: the sockets chosen to be destroyed, as a snapshot taken when
 * they were chosen, and what became of each.  Pure: the caller destroys
 * them (diag_destroy) and writes each result back, so what goes is
 * exactly what was listed, never a re-read of a changing view. */
#ifndef TCPTOP_KILL_H
#define TCPTOP_KILL_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conn.h"
#include "tcptop/ssh.h"
#include "tcptop/view.h"

/* KILL_PENDING: not tried yet; KILL_SPARED: never to be tried, the
 * operator's own SSH session kept out (kill_spare_own); KILL_CHANGED:
 * not destroyed, its state is no longer the one listed (kill_item.now);
 * 0: destroyed; else the errno of diag_destroy. */
#define KILL_PENDING	(-1)
#define KILL_SPARED	(-2)
#define KILL_CHANGED	(-3)

struct kill_item {
	struct conn_sample s;	/* a copy: cookie, 4-tuple, state */
	int err;		/* KILL_PENDING, KILL_SPARED,
				 * KILL_CHANGED, 0 or an errno */
	uint8_t own;		/* the operator's own SSH session
				 * (kill_find_own) */
	uint8_t peer;		/* its peer is a socket of this host
				 * (kill_find_peers): reset too */
	uint8_t now;		/* KILL_CHANGED: the state it was in */
};

struct kill_list {
	struct kill_item *items;	/* owned */
	size_t n;
	size_t cap;
	size_t listeners;		/* LISTEN sockets among them */
	size_t minisocks;		/* TIME_WAIT and request sockets */
	size_t own;			/* the operator's own SSH session
					 * among them (kill_find_own) */
	size_t peers;			/* items whose peer is on this host
					 * (kill_find_peers) */
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

/* Mark the items that are the operator's own SSH session, by the one
 * rule the list's "@" row follows (ssh_match), and count them in
 * k->own; the interactive and the batch kill both ask this.  ssh NULL
 * (no $SSH_CONNECTION): none is.  Returns k->own. */
size_t kill_find_own(struct kill_list *k, const struct ssh_session *ssh);

/* Mark the items whose other end is a socket of this host, and count
 * them in k->peers: destroying one sends a reset (ESTABLISHED,
 * CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, SYN_RECV full sockets), and the
 * peer, being local, goes too, its owner told ECONNRESET.  The peer is
 * local when its remote address is a loopback one, or when one of rows
 * (n of them: the snapshot's, tombstones skipped) has the reversed
 * 4-tuple.  One pass over rows and a hash of the items.  Returns
 * k->peers. */
size_t kill_find_peers(struct kill_list *k, struct conn *const *rows,
    size_t n);

/* Whether state st is what item it was listed in; if not, mark it
 * KILL_CHANGED with now = st (the caller checks just before destroying,
 * since the kernel destroys by cookie whatever the state).  Returns 1
 * when it is unchanged. */
int kill_check_state(struct kill_item *it, int st);

/* Keep the own session out: its pending items become KILL_SPARED, so
 * nothing destroys them (collector_destroy tries pending items only). */
void kill_spare_own(struct kill_list *k);

/* What is special about s, for the confirmation: "listener",
 * "timewait minisocket", "request minisocket", or NULL for a plain
 * connection.  A static string. */
const char *kill_note(const struct conn_sample *s);

/* Items destroyed, items that failed, items spared and items pending.
 * A socket already gone (ENOENT) counts as neither destroyed nor
 * failed: it went, but not by us; except a listener, which may only be
 * hidden behind another of its SO_REUSEPORT group.  Pending and spared
 * items count as neither. */
size_t kill_count_ok(const struct kill_list *k);
size_t kill_count_failed(const struct kill_list *k);
size_t kill_count_spared(const struct kill_list *k);
size_t kill_count_pending(const struct kill_list *k);
size_t kill_count_changed(const struct kill_list *k);

/* One line on the outcome: "3 destroyed", "1 destroyed, 1 spared (your
 * own SSH session), 1 skipped: changed state since the preview (now
 * CLOSE_WAIT), 2 failed: needs CAP_NET_ADMIN: run as root", with
 * the first failure's reason (and "and others" when the reasons
 * differ).  Into buf (len bytes). */
void kill_summary(const struct kill_list *k, char *buf, size_t len);

/* The result of item i as one line: "ok", "spared: your own SSH
 * session", "not tried", "changed state since the preview (now
 * CLOSE_WAIT)" or the reason it failed (a static string). */
const char *kill_result(const struct kill_item *it);

#endif
