/* names: the cache, its eviction and negative entries, the bounded
 * queue, a slow resolver that never holds up a caller, cleaned names;
 * with a fake resolver and a fake clock, no network. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/names.h"

static int64_t fake_now;
static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cv = PTHREAD_COND_INITIALIZER;
static int fake_calls;
static int fake_hold;		/* lookups wait while set */

static int64_t
fake_clock(void)
{
	return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

static int64_t
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 10.0.0.X is "hX.example", X >= 100 has no name, 10.0.0.66 a name
 * with an escape sequence in it; ::1 is "six.example". */
static int
fake_lookup(int family, const uint8_t *addr, char *name, size_t len)
{
	pthread_mutex_lock(&fake_mu);
	fake_calls++;
	while (fake_hold)
		pthread_cond_wait(&fake_cv, &fake_mu);
	pthread_mutex_unlock(&fake_mu);
	if (family == AF_INET6) {
		snprintf(name, len, "six.example");
		return 0;
	}
	if (addr[3] == 66) {
		snprintf(name, len, "evil\033]0;x\007.example");
		return 0;
	}
	if (addr[3] >= 100)
		return -1;
	snprintf(name, len, "h%u.example", addr[3]);
	return 0;
}

static int
calls(void)
{
	int c;

	pthread_mutex_lock(&fake_mu);
	c = fake_calls;
	pthread_mutex_unlock(&fake_mu);
	return c;
}

static void
hold(int on)
{
	pthread_mutex_lock(&fake_mu);
	fake_hold = on;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
}

static void
v4(uint8_t *a, unsigned last)
{
	memset(a, 0, 16);
	a[0] = 10, a[3] = (uint8_t)last;
}

/* Ask for 10.0.0.last, settle, ask again: the name or -1. */
static int
ask(struct names *n, unsigned last, char *buf, size_t len)
{
	uint8_t a[16];

	v4(a, last);
	if (names_host(n, AF_INET, a, buf, len) == 0)
		return 0;
	names_settle(n, fake_clock() + 1);
	/* The fake clock stands still: settle on real time instead. */
	return names_host(n, AF_INET, a, buf, len);
}

static struct names_conf conf = {
	.max = 4, .queue = 8, .workers = 2, .ttl_ms = 1000,
	.neg_ttl_ms = 100, .lookup = fake_lookup, .now_ms = fake_clock,
};

/* settle with the fake clock: poll real time, bounded. */
static void
settle(struct names *n)
{
	int64_t end = real_ms() + 10000;
	struct names_stats st;

	do {
		names_stats(n, &st);
		if (st.pending == 0)
			return;
		names_settle(n, INT64_MAX);
	} while (real_ms() < end);
}

static void
test_cache(void)
{
	struct names *n = names_new(&conf);
	struct names_stats st;
	char buf[NAMES_LEN];
	uint8_t a[16], z[16] = { 0 };
	int c0;

	names_set_mode(n, NAMES_HOSTS);
	CHECK_EQ(names_mode(n), NAMES_HOSTS);
	fake_calls = 0;
	/* The first ask never has the name: it is queued. */
	v4(a, 1);
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == -1);
	settle(n);
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "h1.example") == 0);
	CHECK_EQ(calls(), 1);
	/* A hit asks nobody. */
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == 0);
	CHECK_EQ(calls(), 1);
	/* The unspecified address has no name and asks nobody. */
	CHECK(names_host(n, AF_INET, z, buf, sizeof buf) == -1);
	CHECK(names_host(n, AF_INET6, z, buf, sizeof buf) == -1);
	CHECK_EQ(calls(), 1);

	/* Negative: no name, and not asked again while fresh. */
	v4(a, 200);
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == -1);
	settle(n);
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == -1);
	c0 = calls();
	CHECK_EQ(c0, 2);
	fake_now += 99;
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == -1);
	settle(n);
	CHECK_EQ(calls(), c0);
	/* Stale after neg_ttl: asked again. */
	fake_now += 1;
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == -1);
	settle(n);
	CHECK_EQ(calls(), c0 + 1);

	/* A stale name is still shown while it is asked again. */
	fake_now += 1000;
	v4(a, 1);
	CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "h1.example") == 0);
	settle(n);
	CHECK_EQ(calls(), c0 + 2);

	/* Eviction: 4 entries; 1 and 200 are there, add 2, 3, 4: the
	 * least recently used (200, then 1) goes. */
	CHECK(ask(n, 2, buf, sizeof buf) == 0);
	settle(n);
	CHECK(ask(n, 3, buf, sizeof buf) == 0);
	settle(n);
	names_stats(n, &st);
	CHECK_EQ(st.entries, 4);
	CHECK_EQ(st.evictions, 0);
	c0 = calls();
	CHECK(ask(n, 4, buf, sizeof buf) == 0);
	settle(n);
	names_stats(n, &st);
	CHECK_EQ(st.entries, 4);
	CHECK_EQ(st.evictions, 1);
	/* 2, 3, 4 are cached; 1 (used after 200) too. */
	c0 = calls();
	CHECK(names_host(n, AF_INET, (v4(a, 1), a), buf, sizeof buf) == 0);
	CHECK(names_host(n, AF_INET, (v4(a, 2), a), buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "h2.example") == 0);
	CHECK_EQ(calls(), c0);
	/* 200 was evicted: asked again at once despite its fresh "none". */
	CHECK(names_host(n, AF_INET, (v4(a, 200), a), buf, sizeof buf) == -1);
	settle(n);
	CHECK_EQ(calls(), c0 + 1);
	names_stats(n, &st);
	CHECK_EQ(st.evictions, 2);
	CHECK(st.entries <= 4);

	/* IPv6, and a name cleaned of its escape sequence. */
	memset(a, 0, 16);
	a[15] = 1;
	CHECK(names_host(n, AF_INET6, a, buf, sizeof buf) == -1);
	settle(n);
	CHECK(names_host(n, AF_INET6, a, buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "six.example") == 0);
	CHECK(ask(n, 66, buf, sizeof buf) == 0);
	v4(a, 66);
	CHECK(strchr(buf, '\033') == NULL && strchr(buf, '\007') == NULL);
	CHECK(strncmp(buf, "evil?]0;x?.example", 18) == 0);
	/* A short buffer gets a cut, terminated name. */
	CHECK(names_host(n, AF_INET, a, buf, 5) == 0);
	CHECK(strcmp(buf, "evil") == 0);
	names_free(n);
}

/* A resolver that hangs: callers never wait, the queue stays bounded,
 * and names_free returns at once.  In a child, which ends with its
 * workers still hung, as tcptop may. */
static void
test_slow_child(void)
{
	struct names_conf c = conf;
	struct names *n;
	struct names_stats st;
	char buf[NAMES_LEN];
	uint8_t a[16];
	int64_t t0;
	unsigned i;

	c.max = 64, c.queue = 4, c.workers = 2;
	n = names_new(&c);
	hold(1);
	t0 = real_ms();
	for (i = 1; i <= 20; i++) {
		v4(a, i);
		CHECK(names_host(n, AF_INET, a, buf, sizeof buf) == -1);
	}
	CHECK(real_ms() - t0 < 1000);
	names_stats(n, &st);
	/* 2 in the workers at most, 4 queued; the rest refused. */
	CHECK(st.pending <= 6);
	CHECK(st.dropped >= 14);
	/* settle gives up at its deadline. */
	t0 = real_ms();
	CHECK(names_settle(n, fake_clock()) > 0);
	CHECK(real_ms() - t0 < 1000);
	t0 = real_ms();
	names_free(n);
	CHECK(real_ms() - t0 < 1000);
	_exit(check_failed ? 1 : 0);
}

static void
test_slow(void)
{
	int64_t end = real_ms() + 30000;
	pid_t pid = fork();
	int status = -1;

	if (pid == 0)
		test_slow_child();
	CHECK(pid > 0);
	while (pid > 0 && waitpid(pid, &status, WNOHANG) == 0 &&
	    real_ms() < end) {
		struct timespec ts = { 0, 10 * 1000000 };

		nanosleep(&ts, NULL);	/* polling the child's end */
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_ports(void)
{
	struct names *n = names_new(&conf);
	char buf[NAMES_LEN];

	CHECK(names_port(n, 22, buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "ssh") == 0);
	CHECK(names_port(n, 22, buf, sizeof buf) == 0);	/* cached */
	CHECK(names_port(n, 0, buf, sizeof buf) == -1);
	CHECK(names_port(n, 1, buf, sizeof buf) == 0 ||
	    names_port(n, 1, buf, sizeof buf) == -1);
	/* No resolver was asked for ports. */
	CHECK(names_port(NULL, 22, buf, sizeof buf) == -1);
	{
		uint8_t a[16];

		v4(a, 1);
		CHECK(names_host(NULL, AF_INET, a, buf, sizeof buf) == -1);
	}
	names_free(n);
	names_free(NULL);
}

int
main(void)
{
	test_cache();
	test_ports();
	test_slow();
	/* The released workers end on their own: names_free never waits
	 * for them, and the last one out frees. */
	return check_done();
}
