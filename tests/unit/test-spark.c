/* spark: the selected connection's history, one sample a refresh,
 * scaled to heights 0..8, bounded, reset for another connection. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "tcptop/rate.h"
#include "tcptop/spark.h"

static void
sample(struct conn *c, int64_t ms, double tx, uint32_t rtt)
{
	c->sample_ms = ms;
	c->flags = CONN_RATE;
	c->tx_avg = rate_start(tx);
	c->rx_avg = rate_start(0);
	c->s.flags = CONN_HAS_INFO;
	c->s.info.rtt_us = rtt;
}

int
main(void)
{
	static struct spark sp;
	struct conn c;
	int h[SPARK_N];
	uint64_t max;
	size_t n, i;

	memset(&c, 0, sizeof c);
	c.s.cookie = 7;
	/* First refresh: no rate yet, no RTT sample. */
	c.sample_ms = 1000;
	spark_note(&sp, &c);
	sample(&c, 2000, 800, 100);
	spark_note(&sp, &c);
	spark_note(&sp, &c);		/* the same refresh: not again */
	sample(&c, 3000, 100, 50);
	spark_note(&sp, &c);
	sample(&c, 4000, 0, 25);
	spark_note(&sp, &c);
	CHECK_EQ(sp.n, 4);
	n = spark_levels(&sp, SPARK_TX, 80, h, &max);
	CHECK_EQ(n, 4);
	CHECK_EQ(max, 800);
	CHECK(h[0] == -1 && h[1] == 8 && h[2] == 1 && h[3] == 0);
	n = spark_levels(&sp, SPARK_RTT, 2, h, &max);	/* the last two */
	CHECK_EQ(n, 2);
	CHECK_EQ(max, 50);
	CHECK(h[0] == 8 && h[1] == 4);
	n = spark_levels(&sp, SPARK_RX, 80, h, &max);
	CHECK(n == 4 && max == 0 && h[0] == -1 && h[3] == 0);
	/* 100 of 800 is 1 eighth; 101 rounds up to 2. */
	sample(&c, 5000, 101, 25);
	spark_note(&sp, &c);
	n = spark_levels(&sp, SPARK_TX, 80, h, &max);
	CHECK(n == 5 && h[4] == 2);
	/* Bounded: the ring keeps the last SPARK_N, oldest first. */
	for (i = 0; i < 3 * SPARK_N; i++) {
		sample(&c, 6000 + (int64_t)i * 1000, (double)i + 1, 10);
		spark_note(&sp, &c);
	}
	CHECK_EQ(sp.n, SPARK_N);
	n = spark_levels(&sp, SPARK_TX, 1000, h, &max);
	CHECK_EQ(n, SPARK_N);
	CHECK_EQ(max, 3 * SPARK_N);
	CHECK_EQ(h[SPARK_N - 1], 8);
	/* Another connection starts again; NULL forgets. */
	c.s.cookie = 8;
	sample(&c, 1, 5, 10);
	spark_note(&sp, &c);
	CHECK(sp.n == 1 && sp.cookie == 8);
	spark_note(&sp, NULL);
	CHECK_EQ(sp.n, 0);
	CHECK_EQ(spark_levels(&sp, SPARK_TX, 10, h, &max), 0);
	CHECK_EQ(spark_levels(&sp, SPARK_NSERIES, 10, h, &max), 0);
	return check_done();
}
