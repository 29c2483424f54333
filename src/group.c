/* Group views: the view's rows gathered by a key, counted per state in
 * one pass with a hash table that is kept across refreshes. */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "tcptop/group.h"
#include "tcptop/netns.h"
#include "tcptop/proc.h"
#include "tcptop/xmalloc.h"

/* Service keys: b[0] says which port, b[1..2] the port, big-endian, so
 * the keys sort as local services first, ports ascending. */
#define GROUP_SVC_LOCAL		1
#define GROUP_SVC_REMOTE	2

static int
group_listens(const struct groups *g, unsigned port)
{
	return (g->listen[port / 64] >> (port % 64)) & 1;
}

/* A socket on a port something listens on serves it (the listener, its
 * requests, what it accepted); any other socket went out to a service,
 * which is its remote port. */
static int
group_key_service(const struct groups *g, const struct conn *c,
    const struct field_ctx *cx, struct group_key *k)
{
	unsigned port;

	(void)cx;
	memset(k, 0, sizeof *k);
	if (c->s.state == TCP_LISTEN || group_listens(g, c->s.lport)) {
		k->b[0] = GROUP_SVC_LOCAL;
		port = c->s.lport;
	} else {
		k->b[0] = GROUP_SVC_REMOTE;
		port = c->s.rport;
	}
	k->b[1] = (uint8_t)(port >> 8);
	k->b[2] = (uint8_t)port;
	return 0;
}

static void
group_label_service(const struct groups *g, const struct group_key *k,
    char *buf, size_t len)
{
	(void)g;
	snprintf(buf, len, "%s:%u", k->b[0] == GROUP_SVC_LOCAL ? "" : "->",
	    (unsigned)k->b[1] << 8 | k->b[2]);
}

static const uint8_t group_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

/* The remote host: family and address.  A v4-mapped IPv6 peer is the
 * same host as its IPv4 address, so it joins that group. */
static int
group_key_remote(const struct groups *g, const struct conn *c,
    const struct field_ctx *cx, struct group_key *k)
{
	(void)g, (void)cx;
	memset(k, 0, sizeof *k);
	if (c->s.family == AF_INET6 &&
	    memcmp(c->s.remote, group_v4mapped, 12) == 0) {
		k->b[0] = AF_INET;
		memcpy(k->b + 1, c->s.remote + 12, 4);
	} else if (c->s.family == AF_INET6) {
		k->b[0] = AF_INET6;
		memcpy(k->b + 1, c->s.remote, 16);
	} else {
		k->b[0] = AF_INET;
		memcpy(k->b + 1, c->s.remote, 4);
	}
	return 0;
}

/* The address as the list shows it (a listener's peer is 0.0.0.0 or
 * ::), without the port. */
static void
group_label_remote(const struct groups *g, const struct group_key *k,
    char *buf, size_t len)
{
	int fam = k->b[0] == AF_INET6 ? AF_INET6 : AF_INET;

	(void)g;
	if (len < CONN_ADDR_LEN || inet_ntop(fam, k->b + 1, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* The drill-down predicate of a kind whose membership is its key. */
static int
group_same_key(const struct groups *g, const struct group_key *k,
    const struct conn *c, const struct field_ctx *cx)
{
	struct group_key ck;

	if (group_kinds[g->kind].key(g, c, cx, &ck) == -1)
		return 0;
	return memcmp(&ck, k, sizeof ck) == 0;
}

/* The network namespace: its index in the app's namespace table (never
 * reused within a run).  Without -N or --all-netns every row is in
 * index 0, this namespace. */
static int
group_key_netns(const struct groups *g, const struct conn *c,
    const struct field_ctx *cx, struct group_key *k)
{
	(void)g, (void)cx;
	memset(k, 0, sizeof *k);
	k->b[0] = (uint8_t)(c->s.netns >> 8);
	k->b[1] = (uint8_t)c->s.netns;
	return 0;
}

static void
group_label_netns(const struct groups *g, const struct group_key *k,
    char *buf, size_t len)
{
	size_t idx = (size_t)k->b[0] << 8 | k->b[1];

	if (g->cx != NULL && g->cx->netns != NULL)
		netns_sanitize(netns_tab_label(g->cx->netns, idx), buf, len);
	else
		snprintf(buf, len, "%s", idx == 0 ? "this namespace" : "?");
}

/* The owning process: its bucket, pid and command (the command in the
 * key so the label needs no lookup, and a pid reused by another program
 * is another group).  Sockets without a file and hidden ones make one
 * group each, so the groups add up to the total.  Without attribution
 * (a replay) no row has a key. */
static int
group_key_process(const struct groups *g, const struct conn *c,
    const struct field_ctx *cx, struct group_key *k)
{
	const struct proc_owner *o;
	int b;
	uint32_t pid;

	(void)g;
	memset(k, 0, sizeof *k);
	o = proc_owner(cx != NULL ? cx->proc : NULL, c, &b);
	if (b == PROC_OFF)
		return -1;
	k->b[0] = (uint8_t)(b + 1);
	if (o != NULL) {
		pid = (uint32_t)o->pid;
		memcpy(k->b + 1, &pid, sizeof pid);
		memcpy(k->b + 5, o->comm, strnlen(o->comm, sizeof k->b - 6));
	}
	return 0;
}

static void
group_label_process(const struct groups *g, const struct group_key *k,
    char *buf, size_t len)
{
	uint32_t pid;

	(void)g;
	memcpy(&pid, k->b + 1, sizeof pid);
	if (k->b[0] == PROC_OWNED + 1)
		snprintf(buf, len, "%s/%lu", (const char *)k->b + 5,
		    (unsigned long)pid);
	else if (k->b[0] == PROC_QUEUED + 1 && pid != 0)
		snprintf(buf, len, "queued:%s/%lu", (const char *)k->b + 5,
		    (unsigned long)pid);
	else
		snprintf(buf, len, "%s", k->b[0] == PROC_HIDDEN + 1 ?
		    "(owner hidden)" : k->b[0] == PROC_QUEUED + 1 ?
		    "(queued: listener's owner unknown)" :
		    k->b[0] == PROC_INFLIGHT + 1 ?
		    "(in flight: no process)" : k->b[0] == PROC_FAILED + 1 ?
		    "(owner unknown: attribution failed)" :
		    k->b[0] == PROC_PENDING + 1 ?
		    "(owner pending: being looked up)" :
		    "(no file: no process)");
}

const struct group_kind_def group_kinds[GROUP_NKINDS] = {
	[GROUP_SERVICE] = { "service", "SERVICE", group_key_service,
	    group_label_service, group_same_key },
	[GROUP_REMOTE] = { "remote", "REMOTE HOST", group_key_remote,
	    group_label_remote, group_same_key },
	[GROUP_PROCESS] = { "process", "PROCESS", group_key_process,
	    group_label_process, group_same_key },
	[GROUP_NETNS] = { "netns", "NETNS", group_key_netns,
	    group_label_netns, group_same_key },
};

void
group_init(struct groups *g)
{
	memset(g, 0, sizeof *g);
}

void
group_done(struct groups *g)
{
	free(g->v);
	free(g->slots);
	memset(g, 0, sizeof *g);
}

int
group_lookup(const char *name)
{
	int i;

	for (i = GROUP_NONE + 1; i < GROUP_NKINDS; i++)
		if (strcasecmp(name, group_kinds[i].name) == 0)
			return i;
	return GROUP_NONE;
}

int
group_available(int kind, const struct field_ctx *cx)
{
	size_t n = 0;

	if (kind <= GROUP_NONE || kind >= GROUP_NKINDS ||
	    group_kinds[kind].key == NULL)
		return 0;
	/* Processes need attribution (not a replay); namespaces group
	 * only when there are several (--all-netns).  Without a context,
	 * whether the kind exists at all. */
	if (kind == GROUP_PROCESS && cx != NULL)
		return cx->proc != NULL;
	if (kind == GROUP_NETNS && cx != NULL) {
		if (cx->netns != NULL)
			netns_tab_ents(cx->netns, &n);
		return n > 1;
	}
	return 1;
}

int
group_next(int kind, const struct field_ctx *cx)
{
	for (kind++; kind < GROUP_NKINDS; kind++)
		if (group_available(kind, cx))
			return kind;
	return GROUP_NONE;
}

/* FNV-1a over the key. */
static size_t
group_hash(const struct group_key *k)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < sizeof k->b; i++)
		h = (h ^ k->b[i]) * 1099511628211ULL;
	return (size_t)(h ^ h >> 29);
}

/* The slot of k: where it is, or the empty one where it would go. */
static size_t
group_slot(const struct groups *g, const struct group_key *k)
{
	size_t mask = g->nslots - 1, i = group_hash(k) & mask;

	while (g->slots[i] != 0 &&
	    memcmp(&g->v[g->slots[i] - 1].key, k, sizeof *k) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Keep the table at most half full: double it and put the groups back. */
static void
group_rehash(struct groups *g, size_t want)
{
	size_t n = g->nslots > 0 ? g->nslots : 256, i;

	while (n < 2 * want)
		n *= 2;
	if (n == g->nslots)
		return;
	free(g->slots);
	g->slots = xcalloc(n, sizeof *g->slots);
	g->nslots = n;
	for (i = 0; i < g->n; i++)
		g->slots[group_slot(g, &g->v[i].key)] = (uint32_t)(i + 1);
}

static struct group *
group_get(struct groups *g, const struct group_key *k)
{
	size_t s = group_slot(g, k);
	struct group *gr;

	if (g->slots[s] != 0)
		return &g->v[g->slots[s] - 1];
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->v = xreallocarray(g->v, g->cap, sizeof *g->v);
	}
	if (2 * (g->n + 1) > g->nslots) {
		group_rehash(g, g->n + 1);
		s = group_slot(g, k);
	}
	gr = &g->v[g->n];
	memset(gr, 0, sizeof *gr);
	gr->key = *k;
	g->slots[s] = (uint32_t)++g->n;
	return gr;
}

static int
group_cmp(const void *a, const void *b, void *arg)
{
	const struct group *x = a, *y = b;
	int st = *(const int *)arg;

	if (st > 0 && x->states[st] != y->states[st])
		return x->states[st] > y->states[st] ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof x->key);
}

void
group_build(struct groups *g, int kind, const struct view *v,
    const struct conntab *tab, const struct field_ctx *cx)
{
	struct conn *const *rows;
	struct group_key k;
	struct group *gr;
	size_t n, i;
	int st;

	g->kind = kind;
	g->cx = cx;
	g->n = g->total = g->ungrouped = 0;
	if (g->nslots > 0)
		memset(g->slots, 0, g->nslots * sizeof *g->slots);
	else
		group_rehash(g, 1);
	memset(g->listen, 0, sizeof g->listen);
	if (!group_available(kind, cx))
		return;
	rows = conntab_rows(tab, &n);
	for (i = 0; i < n; i++)
		if (rows[i]->s.state == TCP_LISTEN &&
		    !(rows[i]->flags & CONN_GONE))
			g->listen[rows[i]->s.lport / 64] |=
			    1ULL << (rows[i]->s.lport % 64);
	for (i = 0; i < v->n; i++) {
		const struct conn *c = v->rows[i];

		if (c->flags & CONN_GONE)
			continue;
		if (group_kinds[kind].key(g, c, cx, &k) == -1) {
			g->ungrouped++;
			continue;
		}
		gr = group_get(g, &k);
		gr->count++;
		st = c->s.state <= TCPSTATE_MAX ? c->s.state : 0;
		gr->states[st]++;
		g->total++;
	}
	/* No groups (an empty view): g->v may still be NULL, and qsort_r
	 * with NULL is undefined even for no elements. */
	if (g->n == 0)
		return;
	st = g->sort_state;
	qsort_r(g->v, g->n, sizeof *g->v, group_cmp, &st);
	/* Sorting moved the groups: the slots point at them again. */
	memset(g->slots, 0, g->nslots * sizeof *g->slots);
	for (i = 0; i < g->n; i++)
		g->slots[group_slot(g, &g->v[i].key)] = (uint32_t)(i + 1);
}

const struct group *
group_find(const struct groups *g, const struct group_key *k)
{
	size_t s;

	if (g->nslots == 0 || g->n == 0)
		return NULL;
	s = group_slot(g, k);
	return g->slots[s] != 0 ? &g->v[g->slots[s] - 1] : NULL;
}

int
group_contains(const struct groups *g, const struct group_key *k,
    const struct conn *c, const struct field_ctx *cx)
{
	if (!group_available(g->kind, cx))
		return 0;
	return group_kinds[g->kind].member(g, k, c, cx);
}

void
group_label(const struct groups *g, const struct group_key *k, char *buf,
    size_t len)
{
	if (len == 0)
		return;
	if (g->kind <= GROUP_NONE || g->kind >= GROUP_NKINDS ||
	    group_kinds[g->kind].label == NULL) {
		buf[0] = '\0';
		return;
	}
	group_kinds[g->kind].label(g, k, buf, len);
}
