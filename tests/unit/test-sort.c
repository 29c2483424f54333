/* Sorting: every column, direction, the cookie tie-break, and agreement
 * with a reference sort on nearly sorted and random input. */
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcptop/field.h"
#include "tcptop/rate.h"
#include "tcptop/sort.h"

#define N 3000

static struct conn rows[N];
static int ref_key, ref_rev;

static int
ref_cmp(const void *a, const void *b)
{
	const struct conn *x = *(const struct conn *const *)a;
	const struct conn *y = *(const struct conn *const *)b;
	int c = field_cmp(ref_key, x, y, NULL);

	if (ref_rev)
		c = -c;
	if (c == 0)
		c = (x->s.cookie > y->s.cookie) - (x->s.cookie < y->s.cookie);
	return c;
}

static unsigned long rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33) % n;
}

/* Sort v (N rows) by key with sort_conns and a copy with qsort and the
 * reference comparison: the same order? */
static int
sorts_as_ref(const struct conn **v, int key, int rev, struct sort_buf *buf)
{
	static const struct conn *w[N];
	size_t i;

	memcpy(w, v, sizeof w);
	sort_conns(v, N, key, rev, NULL, buf);
	ref_key = key;
	ref_rev = rev;
	qsort(w, N, sizeof w[0], ref_cmp);
	for (i = 0; i < N; i++)
		if (v[i] != w[i])
			return 0;
	return 1;
}

int
main(void)
{
	static const struct conn *v[N];
	struct sort_buf buf = { 0 };
	int key, rev, trial;
	size_t i;

	for (i = 0; i < N; i++) {
		struct conn *c = &rows[i];

		/* Random order, each its own, as the kernel's cookies:
		 * with equal cookies, rows of equal keys may come in
		 * either order. */
		c->s.cookie = 1000 + (uint64_t)rnd(100000) * N + i;
		c->s.family = rnd(2) ? AF_INET : AF_INET6;
		c->s.state = (uint8_t)(1 + rnd(11));
		c->s.lport = (uint16_t)rnd(5);	/* many ties */
		c->s.rport = (uint16_t)rnd(70000);
		c->s.local[3] = (uint8_t)rnd(3);
		c->s.remote[3] = (uint8_t)rnd(300);
		c->s.rqueue = rnd(3);
		c->s.wqueue = rnd(1000);
		c->s.info.rtt_us = rnd(50000);
		c->s.info.total_retrans = rnd(3);
		c->s.uid = rnd(4);
		c->s.inode = rnd(1000000);
		c->s.flags = rnd(4) ? CONN_HAS_INFO : 0;
		c->s.info.snd_cwnd = rnd(20);
		c->s.info.bytes_acked = rnd(3) * 1000000000ULL;
		c->flags = rnd(2) ? CONN_RATE : 0;
		c->tx_avg = rate_start(rnd(5));
		c->state_since_ms = rnd(10000);
		c->first_seen_ms = rnd(10000);
		c->prev_state = (uint8_t)rnd(12);
		c->s.timer = (uint8_t)rnd(5);
		c->s.expires_ms = rnd(3) * 200;
		c->s.shutdown = (uint8_t)rnd(4);
		if (rnd(2))
			c->s.flags |= CONN_HAS_SHUTDOWN;
		c->s.cc = (uint8_t)rnd(3);
	}
	CHECK(field_sort_lookup("STATE") == FIELD_STATE);
	CHECK(field_sort_lookup("rtt") == FIELD_RTT);
	CHECK(field_sort_lookup("nope") == -1);
	CHECK(field_sort_lookup("process") == FIELD_PROCESS);
	for (key = 0; key < FIELD_N; key++) {
		/* Every field is a sort key. */
		CHECK(field_table[key].flags & FIELD_F_SORT);
		CHECK(field_table[key].name != NULL);
		for (rev = 0; rev < 2; rev++) {
			for (trial = 0; trial < 3; trial++) {
				for (i = 0; i < N; i++)
					v[i] = &rows[i];
				if (trial == 1) {
					/* sorted, then a few swaps and a tail
					 * of new rows, like a refresh */
					ref_key = key;
					ref_rev = rev;
					qsort(v, N, sizeof v[0], ref_cmp);
					for (i = 0; i < 20; i++) {
						size_t a = rnd(N), b = rnd(N);
						const struct conn *x = v[a];

						v[a] = v[b];
						v[b] = x;
					}
				} else if (trial == 2) {
					for (i = 0; i < N / 2; i++) {
						const struct conn *x = v[i];

						v[i] = v[N - 1 - i];
						v[N - 1 - i] = x;
					}
				}
				CHECK(sorts_as_ref(v, key, rev, &buf));
			}
		}
	}
	/* Cookies too large to share 64 bits with a key (a host that made
	 * 2^62 sockets): the ties read the rows, the order is the same. */
	for (i = 0; i < N; i++)
		rows[i].s.cookie += 1ULL << 62;
	for (key = 0; key < FIELD_N; key++) {
		for (rev = 0; rev < 2; rev++) {
			for (i = 0; i < N; i++)
				v[i] = &rows[(i * 7) % N];
			CHECK(sorts_as_ref(v, key, rev, &buf));
		}
	}
	for (i = 0; i < N; i++)
		rows[i].s.cookie -= 1ULL << 62;
	/* A field's key orders rows as its comparison does, on random
	 * pairs with ties; the fields with no key are those that compare
	 * addresses or texts. */
	for (key = 0; key < FIELD_N; key++) {
		uint64_t ka, kb;
		int agree = 1, keyed = field_key(key, &rows[0], NULL, &ka) == 0;

		for (trial = 0; trial < 20000 && keyed; trial++) {
			const struct conn *a = &rows[rnd(N)], *b = &rows[rnd(N)];
			int c = field_cmp(key, a, b, NULL);

			CHECK(field_key(key, a, NULL, &ka) == 0);
			CHECK(field_key(key, b, NULL, &kb) == 0);
			if ((c > 0) - (c < 0) != (ka > kb) - (ka < kb))
				agree = 0;
		}
		CHECK(agree);
		if (key == FIELD_STATE || key == FIELD_PREV ||
		    key == FIELD_RTT || key == FIELD_UID)
			CHECK(keyed);
		if (key == FIELD_LOCAL || key == FIELD_REMOTE)
			CHECK(!keyed);
	}
	/* Direction does not reverse the tie-break: equal keys keep cookie
	 * order both ways, so rows do not jump when the user flips it. */
	for (i = 0; i < N; i++)
		v[i] = &rows[i];
	sort_conns(v, N, FIELD_UID, 1, NULL, &buf);
	{
		int ok = 1;

		for (i = 1; i < N; i++)
			if (v[i - 1]->s.uid == v[i]->s.uid &&
			    v[i - 1]->s.cookie > v[i]->s.cookie)
				ok = 0;
		CHECK(ok);
	}
	/* The first k alone (sort_top): the same rows in the same order as
	 * the whole sort's first k, every other row after them once, for
	 * keyed fields and those that compare rows (addresses, texts), both
	 * ways, from any order. */
	for (key = 0; key < FIELD_N; key++) {
		for (rev = 0; rev < 2; rev++) {
			static const size_t ks[] = { 1, 7, 100, N - 1 };
			static const struct conn *w[N];

			for (i = 0; i < N; i++)
				v[i] = &rows[(i * 7 + (size_t)key) % N];
			memcpy(w, v, sizeof w);
			sort_conns(w, N, key, rev, NULL, &buf);
			for (trial = 0; trial < 4; trial++) {
				size_t k = ks[trial], j;
				int same = 1, once = 1;

				for (i = 0; i < N; i++)
					v[i] = &rows[(i * 13 + (size_t)trial) % N];
				sort_top(v, N, k, key, rev, NULL, &buf);
				for (j = 0; j < k; j++)
					same &= v[j] == w[j];
				/* The rest: each row once. */
				for (i = 0; i < N; i++)
					rows[i].view_rank = 0;
				for (i = 0; i < N; i++)
					once &= rows[v[i] - rows].view_rank++ ==
					    0;
				CHECK(same);
				CHECK(once);
			}
		}
	}
	sort_conns(v, 0, FIELD_STATE, 0, NULL, &buf);
	sort_conns(v, 1, FIELD_STATE, 0, NULL, &buf);
	sort_top(v, 0, 5, FIELD_STATE, 0, NULL, &buf);
	sort_buf_done(&buf);
	return check_done();
}
