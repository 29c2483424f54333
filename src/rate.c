/* rate: 2, 10 and 40 s decaying averages of throughput, packed. */
#include <math.h>
#include <stdint.h>

#include "tcptop/rate.h"

#define RATE_BITS	21
#define RATE_MASK	((1u << RATE_BITS) - 1)

static const int64_t rate_taus[RATE_NSPAN] = { 2000, 10000, 40000 };

int64_t
rate_tau_ms(int span)
{
	return span >= 0 && span < RATE_NSPAN ? rate_taus[span] : 0;
}

uint32_t
rate_pack(double r)
{
	int x, e = 0;
	double m;

	if (!(r > 0))		/* also NaN */
		return 0;
	if (r >= (double)RATE_MAX)
		return 31u << 16 | 0xffff;
	(void)frexp(r, &x);	/* r < 2^x */
	if (x > 16)
		e = x - 16;
	m = nearbyint(ldexp(r, -e));
	if (m > 65535.0)	/* rounded up to 2^16 */
		m = nearbyint(ldexp(r, -++e));
	return (uint32_t)e << 16 | (uint32_t)m;
}

uint64_t
rate_unpack(uint32_t p)
{
	return (uint64_t)(p & 0xffff) << (p >> 16 & 31);
}

uint64_t
rate_get(uint64_t avgs, int span)
{
	if (span < 0 || span >= RATE_NSPAN)
		return 0;
	return rate_unpack((uint32_t)(avgs >> (span * RATE_BITS)) &
	    RATE_MASK);
}

uint64_t
rate_start(double r)
{
	uint64_t p = rate_pack(r), avgs = 0;
	int i;

	for (i = 0; i < RATE_NSPAN; i++)
		avgs |= p << (i * RATE_BITS);
	return avgs;
}

uint64_t
rate_step(uint64_t avgs, double r, int64_t dt_ms, int64_t age_ms)
{
	/* A refresh steps every row by the same dt: its weights once. */
	static int64_t wdt = -1;
	static double wexp[RATE_NSPAN];
	uint64_t out = 0;
	int i;

	/* Idle and idle before: every average stays exactly 0. */
	if (avgs == 0 && !(r > 0))
		return 0;
	if (dt_ms != wdt) {
		for (i = 0; i < RATE_NSPAN; i++)
			wexp[i] = 1.0 - exp(-(double)dt_ms /
			    (double)rate_taus[i]);
		wdt = dt_ms;
	}
	for (i = 0; i < RATE_NSPAN; i++) {
		double avg = (double)rate_get(avgs, i);
		double w = wexp[i];

		/* Younger than its span: the mean since first seen. */
		if (age_ms > 0 && (double)dt_ms / (double)age_ms > w)
			w = (double)dt_ms / (double)age_ms;
		if (w > 1.0)
			w = 1.0;
		avg += w * (r - avg);
		out |= (uint64_t)rate_pack(avg) << (i * RATE_BITS);
	}
	return out;
}
