/* The snapshot of sockets to destroy and the tally of what went. */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	k->listeners = k->minisocks = k->own = 0;
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

const char *
kill_result(const struct kill_item *it)
{
	if (it->err == KILL_PENDING)
		return "not tried";
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
	size_t gone = 0, i;
	int mixed = 0;
	int n;

	for (i = 0; i < k->n; i++) {
		const struct kill_item *it = &k->items[i];

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
	if (n >= 0 && (size_t)n < len && gone > 0)
		n += snprintf(buf + n, len - n, ", %zu already gone", gone);
	if (n >= 0 && (size_t)n < len && first != NULL)
		snprintf(buf + n, len - n, ", %zu failed: %s%s", failed,
		    kill_result(first), mixed ? " (and other reasons)" : "");
}
