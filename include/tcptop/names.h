/* names: host names of addresses and service names of ports, for the
 * eye only (--resolve, keys r and R).  Host names come from the system
 * resolver (getnameinfo(3): /etc/hosts, then DNS as nsswitch.conf says)
 * in worker threads, so no caller ever waits on the network: a lookup
 * not answered yet reads as "no name" (the caller shows the address),
 * and a later call, at the next refresh, finds the answer.  Service
 * names come from getservbyport(3) (/etc/services), a local file, at
 * once, as ss reads them.  Every answer, a name or "none", is kept in a
 * cache of bounded size for a while (NAMES_TTL_MS, NAMES_NEG_TTL_MS);
 * the queue of lookups is bounded too: when it is full, an address
 * waits for a later call.  Names are cleaned (text_clean) before they
 * leave this module.  Everything here but the workers runs on the
 * caller's one thread. */
#ifndef TCPTOP_NAMES_H
#define TCPTOP_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* What is resolved: bits of names_mode. */
#define NAMES_HOSTS	0x1	/* addresses to host names */
#define NAMES_PORTS	0x2	/* ports to TCP service names */

#define NAMES_LEN	256	/* a host name (253) and its NUL */

#define NAMES_MAX	4096	/* cache entries by default */
#define NAMES_QUEUE	128	/* lookups waiting by default */
#define NAMES_WORKERS	4	/* threads at most */
#define NAMES_TTL_MS	(10 * 60 * 1000)	/* a name is kept */
#define NAMES_NEG_TTL_MS (60 * 1000)		/* "no name" is kept */

/* Look up the host name of addr (family AF_INET or AF_INET6, addr in
 * network order, 4 or 16 bytes) into name (len bytes).  Returns 0, or
 * -1 when it has none.  May block: it runs on a worker. */
typedef int (*names_lookup_fn)(int family, const uint8_t *addr, char *name,
    size_t len);

struct names_conf {
	size_t max;		/* cache entries, at least 1 */
	size_t queue;		/* lookups waiting, at least 1 */
	int workers;		/* threads, 1 to NAMES_WORKERS */
	int64_t ttl_ms;
	int64_t neg_ttl_ms;
	names_lookup_fn lookup;	/* NULL: getnameinfo */
	int64_t (*now_ms)(void);	/* NULL: CLOCK_MONOTONIC */
};

/* What the cache holds and did, for the status line and tests. */
struct names_stats {
	size_t entries;		/* in the cache */
	size_t pending;		/* queued or being looked up */
	uint64_t lookups;	/* answered by the resolver, ever */
	uint64_t evictions;	/* entries dropped to make room */
	uint64_t dropped;	/* requests refused: the queue was full */
};

struct names;

/* A cache with conf (NULL: the defaults above), resolving nothing
 * (names_set_mode).  No thread starts before the first host lookup.
 * Returns NULL only when memory runs out. */
struct names *names_new(const struct names_conf *conf);

/* Stop: lookups still running are abandoned (their threads end on
 * their own, and the last one out frees what they share), so this
 * never waits on the network.  n may be NULL. */
void names_free(struct names *n);

/* What n resolves now (NAMES_* bits); 0 when n is NULL. */
void names_set_mode(struct names *n, unsigned mode);
unsigned names_mode(const struct names *n);

/* The host name of addr (family AF_INET or AF_INET6; the unspecified
 * address has none) into buf (len bytes), cleaned for the terminal and
 * JSON.  Returns 0, or -1 when there is none, or none yet: a lookup
 * is then queued unless one is queued or running, or the answer "none"
 * is still fresh, or the queue is full.  Never waits. */
int names_host(struct names *n, int family, const uint8_t *addr,
    char *buf, size_t len);

/* The TCP service name of port (host order) into buf (len bytes).
 * Returns 0, or -1 when there is none (port 0 has none). */
int names_port(struct names *n, uint16_t port, char *buf, size_t len);

/* Wait until no lookup is queued or running, or until deadline_ms
 * (names' clock, CLOCK_MONOTONIC by default) passes.  For batch reports
 * only, never the interactive loop.  Returns how many are still
 * pending (0: all answered). */
size_t names_settle(struct names *n, int64_t deadline_ms);

/* names' clock now, in ms. */
int64_t names_now(const struct names *n);

void names_stats(struct names *n, struct names_stats *st);

#endif
