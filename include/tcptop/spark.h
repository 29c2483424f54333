/* spark: the recent history of one connection, the one selected, for the
 * detail view's sparklines: its 2 s throughput each way and its RTT, one
 * sample a refresh, the last SPARK_N refreshes.  Bounded: one ring for
 * the session, whatever the number of sockets.  Pure. */
#ifndef TCPTOP_SPARK_H
#define TCPTOP_SPARK_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conntab.h"

#define SPARK_N 128

enum spark_series {
	SPARK_TX,		/* bytes/s, 2 s average */
	SPARK_RX,
	SPARK_RTT,		/* microseconds */
	SPARK_NSERIES
};

struct spark {
	uint64_t cookie;	/* whose history; 0 with n == 0: nobody's */
	int64_t last_ms;	/* sample_ms of the newest sample */
	size_t n;		/* samples held, up to SPARK_N */
	size_t head;		/* where the next one goes */
	uint64_t v[SPARK_NSERIES][SPARK_N];
	uint8_t known[SPARK_NSERIES][SPARK_N];	/* 0: no value then */
};

/* Note c's sample of this refresh (nothing when its sample is not newer
 * than the last noted); another connection than the one held starts a
 * new history; NULL forgets it. */
void spark_note(struct spark *sp, const struct conn *c);

/* The last w (at most sp->n) samples of series s, oldest first, as
 * heights 0..8 (8: the largest of them; a value above 0 is at least 1;
 * -1: unknown) into h; returns how many, and the largest into *max. */
size_t spark_levels(const struct spark *sp, int s, size_t w, int *h,
    uint64_t *max);

#endif
