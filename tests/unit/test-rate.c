/* rate's arithmetic with synthetic samples: the packed form, the first
 * rate, the plain mean while a row is young, the decay after, with
 * exact expected values. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "tcptop/rate.h"

/* The packed form: exact below 2^16, nearest above, saturating. */
static void
test_pack(void)
{
	CHECK_EQ(rate_unpack(rate_pack(0)), 0);
	CHECK_EQ(rate_unpack(rate_pack(-5)), 0);
	CHECK_EQ(rate_unpack(rate_pack(NAN)), 0);
	CHECK_EQ(rate_unpack(rate_pack(1)), 1);
	CHECK_EQ(rate_unpack(rate_pack(65535)), 65535);
	CHECK_EQ(rate_unpack(rate_pack(65535.6)), 65536);
	CHECK_EQ(rate_unpack(rate_pack(65536)), 65536);
	CHECK_EQ(rate_unpack(rate_pack(65537)), 65536);	/* 32768 << 1 */
	CHECK_EQ(rate_unpack(rate_pack(65538)), 65538);
	CHECK_EQ(rate_unpack(rate_pack(131071)), 131072); /* rounds up */
	/* 1 Gbit/s: 61035 << 11, 320 B/s (2.6 ppm) short */
	CHECK_EQ(rate_unpack(rate_pack(125000000)), 124999680);
	CHECK_EQ(rate_unpack(rate_pack(1e30)), RATE_MAX);
	CHECK_EQ(rate_unpack(rate_pack((double)RATE_MAX)), RATE_MAX);
	CHECK(rate_pack(1e30) < 1u << 21);
}

/* The first rate starts all three; the three stay apart in the word. */
static void
test_start(void)
{
	uint64_t a = rate_start(12345);
	int i;

	for (i = 0; i < RATE_NSPAN; i++)
		CHECK_EQ(rate_get(a, i), 12345);
	CHECK_EQ(rate_get(a, RATE_NSPAN), 0);
	CHECK_EQ(rate_get(rate_start(1e30), RATE_40S), RATE_MAX);
	CHECK_EQ(rate_tau_ms(RATE_2S), 2000);
	CHECK_EQ(rate_tau_ms(RATE_10S), 10000);
	CHECK_EQ(rate_tau_ms(RATE_40S), 40000);
}

/* A steady rate stays exact whatever the refresh. */
static void
test_steady(void)
{
	uint64_t a = rate_start(50000);
	int64_t t;

	for (t = 2000; t < 200000; t += 700)
		a = rate_step(a, 50000, 700, t);
	CHECK_EQ(rate_get(a, RATE_2S), 50000);
	CHECK_EQ(rate_get(a, RATE_10S), 50000);
	CHECK_EQ(rate_get(a, RATE_40S), 50000);
}

/* Young: the mean since first seen.  1 s at 30000 B/s, then 1 s at
 * 0, then 2 s at 9000: means 15000, then (30000 + 0 + 18000) / 4 s =
 * 12000 for the spans whose weight is still dt / age. */
static void
test_young(void)
{
	uint64_t a = rate_start(30000);		/* age 1 s */

	a = rate_step(a, 0, 1000, 2000);
	/* 2 s: 1 - e^-0.5 = 0.393 > 1/2?  No: 0.5 wins. */
	CHECK_EQ(rate_get(a, RATE_2S), 15000);
	CHECK_EQ(rate_get(a, RATE_10S), 15000);
	CHECK_EQ(rate_get(a, RATE_40S), 15000);
	a = rate_step(a, 9000, 2000, 4000);
	CHECK_EQ(rate_get(a, RATE_10S), 12000);
	CHECK_EQ(rate_get(a, RATE_40S), 12000);
	/* 2 s: w = max(1 - e^-1, 0.5) = 0.632: 15000 - 0.632 * 6000 */
	CHECK_EQ(rate_get(a, RATE_2S),
	    (uint64_t)llround(15000 - (1 - exp(-1.0)) * 6000));
}

/* Old: a step from 0 to R decays to R as 1 - e^(-t/tau). */
static void
test_decay(void)
{
	uint64_t a = rate_start(0);
	int64_t t, age = 1000000;
	int i;

	for (t = 0; t < 10000; t += 1000)
		a = rate_step(a, 60000, 1000, age += 1000);
	/* Each step rounds to whole bytes/s (below 2^16), so allow 1 B/s
	 * a step. */
	for (i = 0; i < RATE_NSPAN; i++) {
		double want = 60000 * (1 - exp(-10000.0 / (double)
		    rate_tau_ms(i)));
		uint64_t got = rate_get(a, i);

		if (!CHECK(fabs((double)got - want) <= 10))
			fprintf(stderr, "span %d: %llu, want %.1f\n", i,
			    (unsigned long long)got, want);
	}
	/* 60000 (1 - e^-5) = 59595.7 */
	CHECK(rate_get(a, RATE_2S) >= 59590 && rate_get(a, RATE_2S) <= 59600);
	/* 60000 (1 - e^-0.25) = 13271.5 */
	CHECK(rate_get(a, RATE_40S) >= 13265 && rate_get(a, RATE_40S) <= 13278);
}

int
main(void)
{
	test_pack();
	test_start();
	test_steady();
	test_young();
	test_decay();
	return check_done();
}
