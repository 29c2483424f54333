/* Host and service names: a bounded cache, a bounded queue, and worker
 * threads that ask the system resolver, so the loop never waits. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcptop/names.h"
#include "tcptop/text.h"

/* An entry's state. */
enum {
	NAMES_FREE,
	NAMES_PENDING,		/* queued or being looked up */
	NAMES_NAME,		/* name holds the answer */
	NAMES_NONE,		/* the answer was "no name" */
};

/* family 0: a port, in addr[0..1] (host order). */
struct names_key {
	uint8_t family;
	uint8_t addr[16];
};

struct names_entry {
	struct names_key key;
	uint8_t state;
	int64_t expires_ms;	/* NAMES_NAME, NAMES_NONE: fresh until */
	char *name;		/* NAMES_NAME: the cleaned name */
	int32_t hnext;		/* hash chain, or the free list */
	int32_t prev, next;	/* least recently used last */
};

struct names {
	struct names_conf conf;
	unsigned mode;		/* the caller's thread only */

	pthread_mutex_t mu;
	pthread_cond_t work;	/* the queue has a key, or quit */
	pthread_cond_t done;	/* a lookup ended */
	struct names_entry *e;
	int32_t *bucket;
	size_t nbucket;		/* a power of two */
	int32_t free;		/* free list through hnext */
	int32_t head, tail;	/* most and least recently used */
	struct names_key *q;	/* the queue, a ring */
	size_t qhead, qlen;
	int threads;		/* started and not ended */
	int idle;		/* waiting on work */
	int busy;		/* in a lookup */
	int refs;		/* the owner (until names_free) + threads */
	int quit;
	struct names_stats st;
};

static int64_t
names_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
names_now(const struct names *n)
{
	return n->conf.now_ms != NULL ? n->conf.now_ms() : names_clock();
}

/* The resolver: getnameinfo(3) with NI_NAMEREQD, so "no name" is an
 * answer rather than the address written out. */
static int
names_getnameinfo(int family, const uint8_t *addr, char *name, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		sl = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
		sl = sizeof *sin6;
	}
	return getnameinfo((struct sockaddr *)&ss, sl, name, (socklen_t)len,
	    NULL, 0, NI_NAMEREQD) == 0 ? 0 : -1;
}

struct names *
names_new(const struct names_conf *conf)
{
	static const struct names_conf def = {
		.max = NAMES_MAX, .queue = NAMES_QUEUE,
		.workers = NAMES_WORKERS, .ttl_ms = NAMES_TTL_MS,
		.neg_ttl_ms = NAMES_NEG_TTL_MS,
	};
	struct names *n = calloc(1, sizeof *n);
	size_t i;

	if (n == NULL)
		return NULL;
	n->conf = conf != NULL ? *conf : def;
	if (n->conf.max < 1)
		n->conf.max = 1;
	if (n->conf.max > INT32_MAX / 4)
		n->conf.max = INT32_MAX / 4;
	if (n->conf.queue < 1)
		n->conf.queue = 1;
	if (n->conf.workers < 1 || n->conf.workers > NAMES_WORKERS)
		n->conf.workers = NAMES_WORKERS;
	if (n->conf.lookup == NULL)
		n->conf.lookup = names_getnameinfo;
	for (n->nbucket = 16; n->nbucket < 2 * n->conf.max; n->nbucket *= 2)
		;
	n->e = calloc(n->conf.max, sizeof *n->e);
	n->bucket = malloc(n->nbucket * sizeof *n->bucket);
	n->q = calloc(n->conf.queue, sizeof *n->q);
	if (n->e == NULL || n->bucket == NULL || n->q == NULL) {
		free(n->e);
		free(n->bucket);
		free(n->q);
		free(n);
		return NULL;
	}
	for (i = 0; i < n->nbucket; i++)
		n->bucket[i] = -1;
	for (i = 0; i < n->conf.max; i++)
		n->e[i].hnext = i + 1 < n->conf.max ? (int32_t)(i + 1) : -1;
	n->free = 0;
	n->head = n->tail = -1;
	n->refs = 1;
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->work, NULL);
	pthread_cond_init(&n->done, NULL);
	return n;
}

/* Free what n holds; the last one out calls it. */
static void
names_destroy(struct names *n)
{
	size_t i;

	for (i = 0; i < n->conf.max; i++)
		free(n->e[i].name);
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->work);
	pthread_cond_destroy(&n->done);
	free(n->e);
	free(n->bucket);
	free(n->q);
	free(n);
}

void
names_free(struct names *n)
{
	int last;

	if (n == NULL)
		return;
	pthread_mutex_lock(&n->mu);
	n->quit = 1;
	last = --n->refs == 0;
	pthread_cond_broadcast(&n->work);
	pthread_mutex_unlock(&n->mu);
	if (last)
		names_destroy(n);
}

void
names_set_mode(struct names *n, unsigned mode)
{
	if (n != NULL)
		n->mode = mode & (NAMES_HOSTS | NAMES_PORTS);
}

unsigned
names_mode(const struct names *n)
{
	return n != NULL ? n->mode : 0;
}

/* The cache, under n->mu ----------------------------------------------- */

static size_t
names_hash(const struct names *n, const struct names_key *k)
{
	uint32_t h = 2166136261u;
	size_t i;

	h = (h ^ k->family) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ k->addr[i]) * 16777619u;
	return h & (n->nbucket - 1);
}

static int32_t
names_find(const struct names *n, const struct names_key *k)
{
	int32_t i;

	for (i = n->bucket[names_hash(n, k)]; i != -1; i = n->e[i].hnext)
		if (memcmp(&n->e[i].key, k, sizeof *k) == 0)
			return i;
	return -1;
}

static void
names_unlink(struct names *n, int32_t i)
{
	struct names_entry *e = &n->e[i];

	if (e->prev != -1)
		n->e[e->prev].next = e->next;
	else
		n->head = e->next;
	if (e->next != -1)
		n->e[e->next].prev = e->prev;
	else
		n->tail = e->prev;
}

/* Put entry i, in no list, at the head of the recently used list. */
static void
names_push(struct names *n, int32_t i)
{
	n->e[i].prev = -1;
	n->e[i].next = n->head;
	if (n->head != -1)
		n->e[n->head].prev = i;
	n->head = i;
	if (n->tail == -1)
		n->tail = i;
}

/* Make i the most recently used. */
static void
names_touch(struct names *n, int32_t i)
{
	if (n->head == i)
		return;
	names_unlink(n, i);
	names_push(n, i);
}

/* Drop entry i from the hash and the list onto the free list. */
static void
names_drop(struct names *n, int32_t i)
{
	int32_t *p = &n->bucket[names_hash(n, &n->e[i].key)];

	while (*p != i)
		p = &n->e[*p].hnext;
	*p = n->e[i].hnext;
	names_unlink(n, i);
	free(n->e[i].name);
	memset(&n->e[i], 0, sizeof n->e[i]);
	n->e[i].hnext = n->free;
	n->free = i;
	n->st.entries--;
}

/* A new entry for k, the least recently used one dropped if need be. */
static int32_t
names_insert(struct names *n, const struct names_key *k, int state)
{
	size_t b = names_hash(n, k);
	int32_t i;

	if (n->free == -1) {
		names_drop(n, n->tail);
		n->st.evictions++;
	}
	i = n->free;
	n->free = n->e[i].hnext;
	n->e[i].key = *k;
	n->e[i].state = (uint8_t)state;
	n->e[i].hnext = n->bucket[b];
	n->bucket[b] = i;
	names_push(n, i);
	n->st.entries++;
	return i;
}

/* Set entry i's answer: name (NULL: none). */
static void
names_answer(struct names *n, int32_t i, const char *name, int64_t now)
{
	struct names_entry *e = &n->e[i];

	free(e->name);
	e->name = name != NULL ? strdup(name) : NULL;
	e->state = e->name != NULL ? NAMES_NAME : NAMES_NONE;
	e->expires_ms = now + (e->name != NULL ? n->conf.ttl_ms :
	    n->conf.neg_ttl_ms);
}

/* The workers --------------------------------------------------------- */

static void *
names_worker(void *arg)
{
	struct names *n = arg;
	char raw[NAMES_LEN], name[NAMES_LEN];
	struct names_key k;
	int ok, last;

	pthread_mutex_lock(&n->mu);
	for (;;) {
		while (n->qlen == 0 && !n->quit) {
			n->idle++;
			pthread_cond_wait(&n->work, &n->mu);
			n->idle--;
		}
		if (n->quit)
			break;
		k = n->q[n->qhead];
		n->qhead = (n->qhead + 1) % n->conf.queue;
		n->qlen--;
		n->busy++;
		pthread_mutex_unlock(&n->mu);
		ok = n->conf.lookup(k.family, k.addr, raw, sizeof raw) == 0;
		if (ok) {
			raw[sizeof raw - 1] = '\0';
			ok = text_clean(name, sizeof name, raw, strlen(raw),
			    TEXT_NOSPACE) > 0;
		}
		pthread_mutex_lock(&n->mu);
		n->busy--;
		n->st.lookups++;
		if (!n->quit) {
			int32_t i = names_find(n, &k);

			if (i != -1 && n->e[i].state == NAMES_PENDING)
				names_answer(n, i, ok ? name : NULL,
				    names_now(n));
		}
		pthread_cond_broadcast(&n->done);
	}
	n->threads--;
	last = --n->refs == 0;
	pthread_mutex_unlock(&n->mu);
	if (last)
		names_destroy(n);
	return NULL;
}

/* Start a worker if none is idle and there is room for one; with every
 * signal blocked in it, so that they all go to the loop's thread. */
static void
names_spawn(struct names *n)
{
	sigset_t all, old;
	pthread_attr_t at;
	pthread_t t;

	if (n->idle > 0 || n->threads >= n->conf.workers ||
	    n->threads >= n->busy + (int)n->qlen)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, names_worker, n) == 0) {
		n->threads++;
		n->refs++;
	}
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The callers ---------------------------------------------------------- */

static int
names_copy(const struct names_entry *e, char *buf, size_t len)
{
	size_t l;

	/* A stale name while it is asked again too. */
	if (e->name == NULL || len == 0)
		return -1;
	l = strlen(e->name);
	if (l >= len)
		l = len - 1;
	memcpy(buf, e->name, l);
	buf[l] = '\0';
	return 0;
}

/* Queue a lookup of k: a pending entry and the key on the queue.
 * Returns -1 when the queue is full. */
static int
names_queue(struct names *n, const struct names_key *k, int32_t i)
{
	if (n->qlen == n->conf.queue) {
		n->st.dropped++;	/* a later call asks again */
		return -1;
	}
	if (i == -1)
		i = names_insert(n, k, NAMES_PENDING);
	else
		n->e[i].state = NAMES_PENDING;
	n->q[(n->qhead + n->qlen) % n->conf.queue] = *k;
	n->qlen++;
	names_spawn(n);
	if (n->threads == 0) {
		/* No thread at all: nobody will answer, so say none. */
		n->qlen--;
		names_answer(n, i, NULL, names_now(n));
		return -1;
	}
	pthread_cond_signal(&n->work);
	return 0;
}

int
names_host(struct names *n, int family, const uint8_t *addr, char *buf,
    size_t len)
{
	static const uint8_t zero[16];
	struct names_key k;
	int32_t i;
	int rc = -1;

	if (n == NULL || (family != AF_INET && family != AF_INET6))
		return -1;
	memset(&k, 0, sizeof k);
	k.family = (uint8_t)family;
	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	if (memcmp(k.addr, zero, sizeof zero) == 0)
		return -1;
	pthread_mutex_lock(&n->mu);
	i = names_find(n, &k);
	if (i != -1) {
		names_touch(n, i);
		if (n->e[i].state != NAMES_PENDING &&
		    n->e[i].expires_ms <= names_now(n))
			names_queue(n, &k, i);	/* stale: ask again */
		/* A stale name is shown until the new answer comes. */
		rc = names_copy(&n->e[i], buf, len);
	} else
		names_queue(n, &k, -1);
	pthread_mutex_unlock(&n->mu);
	return rc;
}

int
names_port(struct names *n, uint16_t port, char *buf, size_t len)
{
	struct names_key k;
	struct servent se, *r = NULL;
	char sbuf[1024], name[NAMES_LEN];
	int32_t i;
	int rc;

	if (n == NULL || port == 0)
		return -1;
	memset(&k, 0, sizeof k);
	memcpy(k.addr, &port, sizeof port);
	pthread_mutex_lock(&n->mu);
	i = names_find(n, &k);
	if (i != -1) {
		names_touch(n, i);
		rc = names_copy(&n->e[i], buf, len);
		pthread_mutex_unlock(&n->mu);
		return rc;
	}
	pthread_mutex_unlock(&n->mu);
	/* A local file: read at once, as ss does, outside the lock. */
	if (getservbyport_r((int)htons(port), "tcp", &se, sbuf, sizeof sbuf,
	    &r) != 0 || r == NULL || text_clean(name, sizeof name, r->s_name,
	    strlen(r->s_name), TEXT_NOSPACE) == 0)
		r = NULL;
	pthread_mutex_lock(&n->mu);
	i = names_insert(n, &k, NAMES_NONE);
	names_answer(n, i, r != NULL ? name : NULL, 0);
	n->e[i].expires_ms = INT64_MAX;	/* /etc/services stays */
	rc = names_copy(&n->e[i], buf, len);
	pthread_mutex_unlock(&n->mu);
	return rc;
}

size_t
names_settle(struct names *n, int64_t deadline_ms)
{
	size_t left;

	if (n == NULL)
		return 0;
	pthread_mutex_lock(&n->mu);
	while (n->qlen + (size_t)n->busy > 0) {
		int64_t now = names_now(n);
		struct timespec ts;

		if (now >= deadline_ms)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		/* At most 50 ms at a time: names' clock may be the
		 * caller's, not CLOCK_REALTIME. */
		ts.tv_nsec += (long)((deadline_ms - now < 50 ?
		    deadline_ms - now : 50) * 1000000);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&n->done, &n->mu, &ts);
	}
	left = n->qlen + (size_t)n->busy;
	pthread_mutex_unlock(&n->mu);
	return left;
}

void
names_stats(struct names *n, struct names_stats *st)
{
	pthread_mutex_lock(&n->mu);
	*st = n->st;
	st->pending = n->qlen + (size_t)n->busy;
	pthread_mutex_unlock(&n->mu);
}
