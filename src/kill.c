/* The snapshot of sockets to destroy and the tally of what went. */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/diag.h"
#include "tcptop/kill.h"
#include "tcptop/xmalloc.h"

void
kill_init(struct kill_list *k)
{
	memset(k, 0, sizeof *k);
}

void
kill_done(struct kill_list *k)
{
	free(k->items);
	memset(k, 0, sizeof *k);
}

void
kill_clear(struct kill_list *k)
{
	k->n = 0;
	k->listeners = k->minisocks = k->own = k->peers = 0;
}

void
kill_add(struct kill_list *k, const struct conn_sample *s)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 16;
		k->items = xreallocarray(k->items, k->cap, sizeof *k->items);
	}
	k->items[k->n].s = *s;
	k->items[k->n].err = KILL_PENDING;
	k->items[k->n].own = 0;
	k->items[k->n].peer = 0;
	k->items[k->n].now = 0;
	k->n++;
	if (s->state == TCP_LISTEN)
		k->listeners++;
	else if (s->state == TCP_TIME_WAIT || s->state == TCP_SYN_RECV)
		k->minisocks++;
}

void
kill_from_view(struct kill_list *k, const struct view *v)
{
	size_t i;

	kill_clear(k);
	for (i = 0; i < v->n; i++)
		if (!(v->rows[i]->flags & CONN_GONE))
			kill_add(k, &v->rows[i]->s);
}

size_t
kill_find_own(struct kill_list *k, const struct ssh_session *ssh)
{
	size_t i;

	k->own = 0;
	for (i = 0; i < k->n; i++) {
		k->items[i].own = ssh != NULL && ssh_match(ssh,
		    &k->items[i].s);
		k->own += k->items[i].own != 0;
	}
	return k->own;
}

void
kill_spare_own(struct kill_list *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->items[i].own && k->items[i].err == KILL_PENDING)
			k->items[i].err = KILL_SPARED;
}

/* The states in which tcp_abort sends a reset (tcp_need_reset). */
static int
kill_resets(int state)
{
	return state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT ||
	    state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 ||
	    state == TCP_SYN_RECV;
}

/* A loopback remote address: 127/8, ::1 or ::ffff:127/104. */
static int
kill_loopback(const struct conn_sample *s)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (s->family == AF_INET)
		return s->remote[0] == 127;
	return memcmp(s->remote, v6lo, 16) == 0 ||
	    (memcmp(s->remote, mapped, 12) == 0 && s->remote[12] == 127);
}

/* FNV-1a over a socket's 4-tuple as seen from one end: its own (swap 0)
 * or its peer's (swap 1), so an item and its peer's row hash alike. */
static uint32_t
kill_tuple_hash(const struct conn_sample *s, int swap)
{
	const uint8_t *a = swap ? s->remote : s->local;
	const uint8_t *b = swap ? s->local : s->remote;
	uint16_t pa = swap ? s->rport : s->lport;
	uint16_t pb = swap ? s->lport : s->rport;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ b[i]) * 16777619u;
	h = (h ^ (pa & 0xff)) * 16777619u;
	h = (h ^ (pa >> 8)) * 16777619u;
	h = (h ^ (pb & 0xff)) * 16777619u;
	h = (h ^ (pb >> 8)) * 16777619u;
	return (h ^ s->family) * 16777619u;
}

/* Whether row r is item s's other end. */
static int
kill_is_peer(const struct conn_sample *s, const struct conn_sample *r)
{
	return r->family == s->family && r->lport == s->rport &&
	    r->rport == s->lport && r->state != TCP_LISTEN &&
	    memcmp(r->local, s->remote, 16) == 0 &&
	    memcmp(r->remote, s->local, 16) == 0;
}

size_t
kill_find_peers(struct kill_list *k, struct conn *const *rows, size_t n)
{
	uint32_t *slots;
	size_t i, cap = 16, mask, want = 0;

	k->peers = 0;
	for (i = 0; i < k->n; i++) {
		struct kill_item *it = &k->items[i];

		it->peer = kill_resets(it->s.state) && kill_loopback(&it->s);
		want += kill_resets(it->s.state) && !it->peer;
	}
	if (want > 0 && n > 0) {
		while (cap < 2 * want)
			cap *= 2;
		mask = cap - 1;
		slots = xcalloc(cap, sizeof *slots);
		for (i = 0; i < k->n; i++) {
			size_t h;

			if (k->items[i].peer || !kill_resets(k->items[i].s.state))
				continue;
			for (h = kill_tuple_hash(&k->items[i].s, 1) & mask;
			    slots[h] != 0; h = (h + 1) & mask)
				;
			slots[h] = (uint32_t)(i + 1);
		}
		for (i = 0; i < n; i++) {
			size_t h;

			if (rows[i]->flags & CONN_GONE)
				continue;
			for (h = kill_tuple_hash(&rows[i]->s, 0) & mask;
			    slots[h] != 0; h = (h + 1) & mask) {
				struct kill_item *it = &k->items[slots[h] - 1];

				if (kill_is_peer(&it->s, &rows[i]->s))
					it->peer = 1;
			}
		}
		free(slots);
	}
	for (i = 0; i < k->n; i++)
		k->peers += k->items[i].peer;
	return k->peers;
}

int
kill_check_state(struct kill_item *it, int st)
{
	if (st == it->s.state)
		return 1;
	it->err = KILL_CHANGED;
	it->now = (uint8_t)st;
	return 0;
}

const char *
kill_note(const struct conn_sample *s)
{
	switch (s->state) {
	case TCP_LISTEN:
		return "listener";
	case TCP_TIME_WAIT:
		/* Older kernels answer EOPNOTSUPP for these. */
		return "timewait minisocket";
	case TCP_SYN_RECV:
		return "request minisocket";
	}
	return NULL;
}

/* "changed state since the preview (now STATE)", one per state. */
#define KILL_NOW(st)	"changed state since the preview (now " st ")"
static const char *const kill_changed[] = {
	[TCP_ESTABLISHED] = KILL_NOW("ESTABLISHED"),
	[TCP_SYN_SENT] = KILL_NOW("SYN_SENT"),
	[TCP_SYN_RECV] = KILL_NOW("SYN_RECV"),
	[TCP_FIN_WAIT1] = KILL_NOW("FIN_WAIT1"),
	[TCP_FIN_WAIT2] = KILL_NOW("FIN_WAIT2"),
	[TCP_TIME_WAIT] = KILL_NOW("TIME_WAIT"),
	[TCP_CLOSE] = KILL_NOW("CLOSE"),
	[TCP_CLOSE_WAIT] = KILL_NOW("CLOSE_WAIT"),
	[TCP_LAST_ACK] = KILL_NOW("LAST_ACK"),
	[TCP_LISTEN] = KILL_NOW("LISTEN"),
	[TCP_CLOSING] = KILL_NOW("CLOSING"),
};

const char *
kill_result(const struct kill_item *it)
{
	if (it->err == KILL_PENDING)
		return "not tried";
	if (it->err == KILL_CHANGED)
		return it->now < sizeof kill_changed / sizeof kill_changed[0] &&
		    kill_changed[it->now] != NULL ? kill_changed[it->now] :
		    KILL_NOW("another");
	if (it->err == KILL_SPARED)
		return "spared: your own SSH session";
	return diag_destroy_reason(it->err, it->s.state);
}

/* A socket not found went by itself, except a listener: it may hide
 * behind another of its SO_REUSEPORT group (diag_destroy_reason). */
static int
kill_failed(const struct kill_item *it)
{
	if (it->err == ENOENT)
		return it->s.state == TCP_LISTEN;
	return it->err > 0;
}

size_t
kill_count_ok(const struct kill_list *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		n += k->items[i].err == 0;
	return n;
}

size_t
kill_count_failed(const struct kill_list *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		n += kill_failed(&k->items[i]);
	return n;
}

size_t
kill_count_spared(const struct kill_list *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		n += k->items[i].err == KILL_SPARED;
	return n;
}

size_t
kill_count_changed(const struct kill_list *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		n += k->items[i].err == KILL_CHANGED;
	return n;
}

size_t
kill_count_pending(const struct kill_list *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		n += k->items[i].err == KILL_PENDING;
	return n;
}

void
kill_summary(const struct kill_list *k, char *buf, size_t len)
{
	const struct kill_item *first = NULL;
	size_t ok = kill_count_ok(k), failed = kill_count_failed(k);
	size_t spared = kill_count_spared(k);
	size_t changed = kill_count_changed(k);
	size_t gone = 0, i;
	const struct kill_item *moved = NULL;
	int mixed = 0, moves = 0;
	int n;

	for (i = 0; i < k->n; i++) {
		const struct kill_item *it = &k->items[i];

		if (it->err == KILL_CHANGED) {
			if (moved != NULL && moved->now != it->now)
				moves = 1;
			moved = moved == NULL ? it : moved;
		}
		if (it->err == ENOENT && !kill_failed(it))
			gone++;
		if (!kill_failed(it))
			continue;
		if (first == NULL)
			first = it;
		else if (strcmp(kill_result(it), kill_result(first)) != 0)
			mixed = 1;
	}
	n = snprintf(buf, len, "%zu destroyed", ok);
	if (n >= 0 && (size_t)n < len && spared > 0)
		n += snprintf(buf + n, len - n, ", %zu spared (your own SSH "
		    "session)", spared);
	if (n >= 0 && (size_t)n < len && changed > 0)
		n += snprintf(buf + n, len - n, ", %zu skipped: %s%s", changed,
		    kill_result(moved), moves ? " (and others)" : "");
	if (n >= 0 && (size_t)n < len && gone > 0)
		n += snprintf(buf + n, len - n, ", %zu already gone", gone);
	if (n >= 0 && (size_t)n < len && first != NULL)
		snprintf(buf + n, len - n, ", %zu failed: %s%s", failed,
		    kill_result(first), mixed ? " (and other reasons)" : "");
}
