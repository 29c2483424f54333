/* conntab: the connection model.  Rows keyed by socket cookie, updated by
 * one scan per refresh, with state history, events and tombstones. */
#ifndef TCPTOP_CONNTAB_H
#define TCPTOP_CONNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conn.h"

/* Bits of conn.flags. */
#define CONN_PREEXISTING 0x01	/* already there at the first scan: its
				 * first_seen is a lower bound */
#define CONN_GONE	0x02	/* tombstone: not seen by the last scan */
#define CONN_NEW	0x04	/* first seen by the last scan */
#define CONN_PATH_CUT	0x08	/* path lost its oldest states */
#define CONN_RATE	0x10	/* tx_avg and rx_avg hold rates: two
				 * samples with tcp_info were seen */
#define CONN_SINCE_UNSEEN 0x20	/* it changed state while out of view
				 * (parked): state_since_ms is when it was
				 * found again, its time in state a lower
				 * bound */
#define CONN_DROP	0x40	/* an exact request found it gone: the
				 * scan's end makes it a tombstone
				 * whatever states the scan covers
				 * (conntab_drop) */

/* How long a row hidden by a narrower query is kept for it to come back
 * (conntab_rescope). */
#define CONNTAB_PARK_MS (60 * 60 * 1000)

/* One connection.  The table owns it; pointers to it stay valid until the
 * conntab_end_scan that frees its tombstone. */
struct conn {
	struct conn_sample s;		/* as the last scan saw it */
	int64_t first_seen_ms;		/* model clock (conntab_begin_scan) */
	int64_t state_since_ms;		/* when it entered s.state */
	int64_t gone_ms;		/* when it went, for tombstones */
	int64_t sample_ms;		/* when s was taken (its scan) */
	uint64_t tx_avg;		/* bytes/s acked, and received, */
	uint64_t rx_avg;		/* averaged over 2, 10 and 40 s
					 * (rate.h; CONN_RATE) */
	uint32_t seen_pass;		/* last scan pass that saw it */
	uint32_t created_scan;		/* scan that created it */
	uint32_t view_rank;		/* 1 + position in the last merge
					 * sort; sort.c's, a hint for the
					 * next */
	uint32_t dump_idx;		/* position in the last scan's dump
					 * order; conntab's, a lookup hint */
	uint32_t path;			/* the states it was seen in, 4 bits
					 * each, newest in the low bits (see
					 * conntab_path) */
	uint8_t prev_state;		/* state before s.state, 0 if none */
	uint8_t flags;			/* CONN_* above */
	uint16_t path_ds[8];		/* when each state of path was
					 * entered: tenths of a second after
					 * first_seen_ms, saturating; [0] is
					 * the newest (conntab_path_times) */
	uint16_t owner;			/* proc.c's: who holds it (see
					 * PROC_OWNER_* in proc.h) */
};

/* The budget is 400 bytes a socket at 10k sockets: a field added here
 * has to find its room elsewhere. */
_Static_assert(sizeof(struct conn) <= 264, "struct conn grew");

enum conntab_event_kind {
	CONNTAB_EV_NEW = 1,
	CONNTAB_EV_STATE,
	CONNTAB_EV_GONE,
};

/* What changed in one scan.  from is 0 for NEW, to is 0 for GONE.  mini
 * says the socket was a minisocket without tcp_info (a request socket in
 * SYN_RECV, or a timewait socket: TIME_WAIT, or FIN_WAIT2 on a timewait
 * timer) in the sample the event starts from (STATE, GONE) or ends in
 * (NEW): the tracepoint never sees those, so the transition engine
 * counts their changes from the scans (transfeed.c). */
struct conntab_event {
	int64_t t_ms;
	uint64_t cookie;
	uint8_t kind;
	uint8_t from;
	uint8_t to;
	uint8_t family;
	uint8_t mini;
	uint16_t lport;
	uint16_t rport;
	uint8_t local[16];
	uint8_t remote[16];
};

struct conntab;

/* A table whose tombstones stay tombstone_ms after their socket went
 * (0: freed at the next scan).  Never fails (xmalloc). */
struct conntab *conntab_new(int64_t tombstone_ms);
void conntab_free(struct conntab *t);

/* Start a scan at model time now_ms (monotonic, ms).  Clears the events of
 * the previous scan. */
void conntab_begin_scan(struct conntab *t, int64_t now_ms);

/* The dump restarted: what the partial pass saw no longer counts as
 * seen.  Rows it created that the new pass does not see again vanish
 * without an event. */
void conntab_restart_scan(struct conntab *t);

/* The dump failed part way: leave the scan open.  The next
 * conntab_begin_scan takes it over as a restart instead of starting a new
 * one, so the changes and new rows the partial pass saw still produce
 * their events, and the last good rows stay until a dump completes. */
void conntab_abort_scan(struct conntab *t);

/* The next scan should see about n rows (a hint: the kernel's own count
 * of its sockets, say).  The hash and the arrays are sized for them at
 * once instead of doubling as they come, and past 2048 the rows come in
 * huge chunks from the first.  It changes nothing the table holds; a
 * hint too high costs memory until the scan ends (conntab_end_scan gives
 * back what it did not use), one too low the doubling it would have
 * saved.  Good for the next scan only. */
void conntab_expect(struct conntab *t, size_t n);

/* Insert or update the row for s.  s is copied.  When the row had a
 * sample with tcp_info at an earlier time, the bytes acked and received
 * since, per second, move its tx_avg and rx_avg (rate_step; rate_start
 * for the first, CONN_RATE); else they are unknown until the next scan. */
void conntab_update(struct conntab *t, const struct conn_sample *s);

/* End the scan: rows not seen become tombstones (a GONE event), expired
 * tombstones are freed, and a request socket that became a full socket
 * (same 4-tuple, new cookie) is kept as one row with a state change.
 * When the table holds less than a quarter of the rows it has room for
 * (past 8192), the room goes back: chunks no row uses, the hash and the
 * arrays.  Rows never move. */
void conntab_end_scan(struct conntab *t);

/* Bytes the last conntab_end_scan gave back to malloc (0 mostly): the
 * caller may then ask the C library to return them to the system. */
size_t conntab_trimmed(const struct conntab *t);

/* The query changed between scans (a new port filter, say).  The live
 * rows keep() rejects leave the table without events, but are parked by
 * cookie: when a later scan finds one again (the query widened back) it
 * returns as it was, its first seen time, time in state and path kept.
 * A parked row is freed after CONNTAB_PARK_MS, or sooner when the park
 * holds more rows than the table ever held live.  What the next scan
 * finds for the first time and was never parked is treated as there
 * before tcptop (no NEW events, ages are lower bounds), since it was
 * only out of view.  Tombstones keep() rejects are freed.  Call between
 * scans. */
void conntab_rescope(struct conntab *t,
    int (*keep)(void *arg, const struct conn_sample *s), void *arg);

/* Every row, live and tombstone, in no particular order.  The array is
 * borrowed and valid until the next conntab call that modifies t. */
struct conn *const *conntab_rows(const struct conntab *t, size_t *n);

/* Live rows (not tombstones). */
size_t conntab_live(const struct conntab *t);

/* Rows parked by conntab_rescope, waiting to come back into view. */
size_t conntab_parked(const struct conntab *t);

/* The events of the last scan, oldest first; borrowed like the rows. */
const struct conntab_event *conntab_events(const struct conntab *t,
    size_t *n);

/* Feeding one dump into the table.  conntab_feed_begin and
 * conntab_feed_sample have the shape of a struct diag_sink's begin and
 * sample with a struct conntab_feed as their argument: the first begin
 * starts a scan at *mono_ns (the dump's start, which the dump or replay
 * sets before it calls begin, so a replay computes the ages the live run
 * did), a later one restarts it; each sample updates its row.  Reset
 * begun before each dump; end the scan with conntab_end_scan. */
struct conntab_feed {
	struct conntab *tab;
	const int64_t *mono_ns;
	int begun;
};

void conntab_feed_begin(void *feed);
void conntab_feed_sample(void *feed, const struct conn_sample *s);

/* The states c was seen in while watched, oldest first, into states
 * (max entries; 8 are kept).  Returns how many; CONN_PATH_CUT in c->flags
 * says older ones were dropped. */
size_t conntab_path(const struct conn *c, uint8_t *states, size_t max);

/* When c entered each of the states conntab_path gives, in the same
 * order, into t_ms (model clock ms, to a tenth of a second; the first is
 * first_seen_ms, a lower bound for a CONN_PREEXISTING row; times past
 * 6553 s after it are cut to that).  Returns how many. */
size_t conntab_path_times(const struct conn *c, int64_t *t_ms, size_t max);

/* Whether s is a minisocket: a request socket (SYN_RECV without
 * tcp_info) or a timewait socket (TIME_WAIT, or the timewait timer). */
int conntab_is_mini(const struct conn_sample *s);

/* Incremental refreshes (collector_events.c) -------------------------
 *
 * Between full dumps the model is kept from events: a dump of a few
 * states, exact requests for the sockets events named, and drops. */

/* The scan covers only the sockets in states (bits 1 << TCP_*): at its
 * end a row in another state that it did not see stays as it was,
 * unless dropped.  Call after conntab_begin_scan; the next scan covers
 * every state again. */
void conntab_scan_states(struct conntab *t, uint32_t states);

/* c is gone (an exact request found no such socket): the scan's end
 * makes it a tombstone with a GONE event unless the scan saw it. */
void conntab_drop(struct conntab *t, struct conn *c);

/* Keep an index by 4-tuple from now on (it costs a pointer slot or two
 * a row), for conntab_find_tuple. */
void conntab_index_tuples(struct conntab *t);

/* The live rows with s's family and 4-tuple (several: a timewait socket
 * and the connection that took its tuple, listeners sharing a port),
 * at most max of them into out.  Returns how many; 0 without the
 * index.  Valid until the scan's end. */
size_t conntab_find_tuple(const struct conntab *t,
    const struct conn_sample *s, struct conn **out, size_t max);

/* Whether conntab_index_tuples was called. */
int conntab_tuples_indexed(const struct conntab *t);

/* What conntab_find_tuple cannot answer, as the last scan's end left
 * it: its tombstones (returned, *ntombs of them), and its live SYN_SENT
 * rows (*connecting), which a connect's first event names before the
 * local port is chosen.  Borrowed; valid until the next scan begins. */
struct conn *const *conntab_unindexed(const struct conntab *t,
    size_t *ntombs, struct conn *const **connecting, size_t *nconnecting);

/* The live row of s's cookie (its 4-tuple without one), or NULL. */
struct conn *conntab_find(const struct conntab *t,
    const struct conn_sample *s);

/* Number of scans ended so far. */
unsigned long conntab_scans(const struct conntab *t);

#endif
