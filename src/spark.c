/* spark: one connection's recent throughput and RTT, for sparklines. */
#include <string.h>

#include "tcptop/rate.h"
#include "tcptop/spark.h"

void
spark_note(struct spark *sp, const struct conn *c)
{
	size_t i = sp->head;

	if (c == NULL) {
		sp->n = sp->head = 0;
		sp->cookie = 0;
		return;
	}
	if (sp->n > 0 && c->s.cookie != sp->cookie) {
		sp->n = sp->head = 0;
	} else if (sp->n > 0 && c->sample_ms <= sp->last_ms)
		return;
	sp->cookie = c->s.cookie;
	sp->last_ms = c->sample_ms;
	sp->known[SPARK_TX][i] = sp->known[SPARK_RX][i] =
	    (c->flags & CONN_RATE) != 0;
	sp->v[SPARK_TX][i] = rate_get(c->tx_avg, RATE_2S);
	sp->v[SPARK_RX][i] = rate_get(c->rx_avg, RATE_2S);
	/* 0 before the first RTT sample: unknown, as the RTT column. */
	sp->known[SPARK_RTT][i] = (c->s.flags & CONN_HAS_INFO) &&
	    c->s.info.rtt_us != 0;
	sp->v[SPARK_RTT][i] = sp->known[SPARK_RTT][i] ? c->s.info.rtt_us : 0;
	sp->head = (i + 1) % SPARK_N;
	if (sp->n < SPARK_N)
		sp->n++;
}

size_t
spark_levels(const struct spark *sp, int s, size_t w, int *h, uint64_t *max)
{
	size_t n = w < sp->n ? w : sp->n, i, at;

	*max = 0;
	if (s < 0 || s >= SPARK_NSERIES)
		return 0;
	at = (sp->head + SPARK_N - n) % SPARK_N;
	for (i = 0; i < n; i++) {
		size_t k = (at + i) % SPARK_N;

		if (sp->known[s][k] && sp->v[s][k] > *max)
			*max = sp->v[s][k];
	}
	for (i = 0; i < n; i++) {
		size_t k = (at + i) % SPARK_N;
		uint64_t v = sp->v[s][k];

		if (!sp->known[s][k])
			h[i] = -1;
		else if (v == 0 || *max == 0)
			h[i] = 0;
		else	/* rounded up: anything above 0 shows */
			h[i] = (int)((v * 8 + *max - 1) / *max);
	}
	return n;
}
