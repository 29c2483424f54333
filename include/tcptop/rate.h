/* rate: throughput averaged over 2, 10 and 40 seconds, iftop's three
 * columns, as decaying averages that fit in one 64-bit word a direction.
 *
 * A per-row history of per-second buckets (iftop's way) costs hundreds
 * of bytes a socket; tcptop's budget is about 300 bytes a socket at 1M
 * sockets, so each row keeps exponentially weighted averages instead:
 * at each refresh, with r the bytes per second since the last one and dt
 * its length,
 *
 *	avg += w * (r - avg),	w = max(1 - exp(-dt / tau), dt / age)
 *
 * for tau = 2, 10 and 40 s.  age is the time since the row was first
 * seen, so while it is younger than about tau the average is the plain
 * mean since then (what iftop shows before its window has filled); the
 * first rate starts all three.  Each average is kept as 21 bits,
 * m << e (16-bit m, 5-bit e): exact below 65536 B/s, within 1 part in
 * 65536 above, saturating at RATE_MAX.  Pure. */
#ifndef TCPTOP_RATE_H
#define TCPTOP_RATE_H

#include <stdint.h>

enum rate_span {
	RATE_2S,
	RATE_10S,
	RATE_40S,
	RATE_NSPAN
};

/* The largest rate kept, bytes/s (about 1.1 Pbit/s). */
#define RATE_MAX ((uint64_t)0xffff << 31)

/* The time constant of span i, milliseconds: 2000, 10000, 40000. */
int64_t rate_tau_ms(int span);

/* Span i of the averages word, bytes/s. */
uint64_t rate_get(uint64_t avgs, int span);

/* The averages word with every span set to r bytes/s (the first rate). */
uint64_t rate_start(double r);

/* The averages word after a refresh dt_ms (> 0) long that moved r
 * bytes/s, the row age_ms old (time since first seen, >= dt_ms). */
uint64_t rate_step(uint64_t avgs, double r, int64_t dt_ms, int64_t age_ms);

/* The 21-bit form of r bytes/s (rounded to nearest, saturating), and
 * back. */
uint32_t rate_pack(double r);
uint64_t rate_unpack(uint32_t p);

#endif
