/* The kill confirmation (k, K): the window over the list that shows
 * exactly what would be destroyed, a snapshot taken when it opened;
 * only y destroys it, any other key cancels.  When the operator's own
 * SSH session is among them, y opens a second window instead, which
 * names it: Y destroys it too, s spares it, any other key cancels. */
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/kill.h"
#include "tcptop/tcpstate.h"

/* Lines above the list inside the box: what y does, what is special,
 * the column titles. */
#define SCREEN_KILL_HEAD 3

/* The window inside the middle of the screen m: as high as n rows
 * need, at most all of it. */
static struct rect
screen_kill_rect(struct rect m, size_t n)
{
	int h = m.h;

	if (n < (size_t)m.h && 2 + SCREEN_KILL_HEAD + (int)n < m.h)
		h = 2 + SCREEN_KILL_HEAD + (int)n;
	return (struct rect){ m.y, m.x + 1, h, m.w - 2 };
}

static int
screen_kill_rows(struct rect r)
{
	int n = r.h - 2 - SCREEN_KILL_HEAD;

	return n > 1 ? n : 1;
}

/* What the windows hold: the list, whether it is the whole view (K),
 * and whether the first window handed it to the second (so its leave
 * keeps it). */
struct screen_kill_state {
	struct kill_list list;
	int all;
	int handover;
};

static void
screen_kill_free(void *p)
{
	kill_done(&((struct screen_kill_state *)p)->list);
}

static struct screen_kill_state *
screen_kill_state(struct session *s)
{
	return session_data(s, SCREEN_KILL, sizeof(struct screen_kill_state),
	    screen_kill_free);
}

/* The lines to scroll through in the middle m: the window's last
 * useful scroll, plus what m shows. */
static int
screen_kill_extent(const struct frame *f, const struct session_screen *e,
    struct rect m)
{
	const struct screen_kill_state *st = session_peek(f->s, SCREEN_KILL);
	int n;

	(void)e;
	if (st == NULL)
		return 0;
	n = (int)st->list.n - screen_kill_rows(screen_kill_rect(m,
	    st->list.n));
	return (n > 0 ? n : 0) + m.h;
}

/* What y does to whom, into line: first that a peer on this host is
 * reset too, when one is. */
static void
screen_kill_effect(const struct kill_list *k, char *line, size_t len)
{
	if (k->peers > 0)
		snprintf(line, len, "%s on this host: it is reset too",
		    k->peers == k->n && k->n == 1 ? "its peer is a socket" :
		    k->peers == k->n ? "each peer is a socket" :
		    "some peers are sockets");
	else if (k->listeners > 0 && k->minisocks > 0)
		snprintf(line, len, "%zu listener%s: no new "
		    "connections; %zu minisocket%s: dropped if the kernel can",
		    k->listeners, k->listeners == 1 ? "" : "s", k->minisocks,
		    k->minisocks == 1 ? "" : "s");
	else if (k->listeners > 0)
		snprintf(line, len, "%zu listener%s: new connections "
		    "will be refused", k->listeners, k->listeners == 1 ? "" :
		    "s");
	else if (k->minisocks > 0)
		snprintf(line, len, "%zu minisocket%s (TIME_WAIT, "
		    "SYN_RECV): dropped if the kernel can", k->minisocks,
		    k->minisocks == 1 ? "" : "s");
	else
		snprintf(line, len, "the peer gets a reset, the "
		    "owner an error (ECONNABORTED)");
}

static void
screen_kill_draw(const struct frame *f, const struct session_screen *e,
    struct rect m)
{
	const struct screen_kill_state *st = session_peek(f->s, SCREEN_KILL);
	const struct kill_list *k = &st->list;
	struct rect r = screen_kill_rect(m, k->n);
	char title[120], line[160], ep[CONN_ENDPOINT_LEN];
	char rm[CONN_ENDPOINT_LEN];
	int wl = 5, wr = 6, rows = screen_kill_rows(r), y, w = r.w - 4;
	size_t i, first;

	if (r.h < 2 + SCREEN_KILL_HEAD + 1 || w < 20)
		return;
	snprintf(title, sizeof title, " Destroy %s%zu socket%s? ",
	    st->all ? "all " : "", k->n, k->n == 1 ? "" : "s");
	ui_box(r, title);
	y = r.y + 1;
	ui_put(y++, r.x + 2, w, UI_WARN, k->own > 0 ? "your own SSH session "
	    "is listed: y asks about it first; other keys cancel" :
	    k->n == 1 ? "y destroys it, as listed; any other key cancels" :
	    "y destroys exactly these, as listed; any other key cancels");
	screen_kill_effect(k, line, sizeof line);
	ui_put(y++, r.x + 2, w, UI_NORMAL, line);
	for (i = 0; i < k->n; i++) {
		int l = (int)strlen(conn_fmt_endpoint(&k->items[i].s, 0, ep,
		    sizeof ep));

		wl = l > wl ? l : wl;
		l = (int)strlen(conn_fmt_endpoint(&k->items[i].s, 1, ep,
		    sizeof ep));
		wr = l > wr ? l : wr;
	}
	snprintf(line, sizeof line, "%-4s %-*s %-*s %-11s %s", "FAM", wl,
	    "LOCAL", wr, "REMOTE", "STATE", "NOTE");
	ui_put(y++, r.x + 2, w, UI_TITLE, line);
	first = e->pos > 0 ? (size_t)e->pos : 0;
	for (i = first; i < k->n && y < r.y + 1 + SCREEN_KILL_HEAD + rows;
	    i++) {
		const struct conn_sample *s = &k->items[i].s;
		const char *note = k->items[i].own ? "YOUR SSH SESSION" :
		    k->items[i].peer ? "peer local: reset too" :
		    kill_note(s);

		snprintf(line, sizeof line, "%-4s %-*s %-*s %-11s %s",
		    conn_family_name(s->family),
		    wl, conn_fmt_endpoint(s, 0, ep, sizeof ep),
		    wr, conn_fmt_endpoint(s, 1, rm, sizeof rm),
		    tcpstate_name(s->state), note != NULL ? note : "");
		ui_put(y++, r.x + 2, w, k->items[i].own ? UI_WARN :
		    ui_state_role(s->state), line);
	}
	/* What is out of sight, on the bottom edge. */
	if (k->n > first + (size_t)rows || first > 0) {
		snprintf(line, sizeof line, " %zu-%zu of %zu, %s%s scroll ",
		    first + 1, first + (size_t)rows < k->n ?
		    first + (size_t)rows : k->n, k->n, ui_glyph(UI_G_UP),
		    ui_glyph(UI_G_DOWN));
		ui_put(r.y + r.h - 1, r.x + 2, w, UI_HEADER, line);
	}
}

/* Over the whole middle, the histogram's rows too. */
static struct rect
screen_kill_room(const struct frame *f, const struct screen_area *a)
{
	(void)f;
	return a->middle;
}

/* A snapshot of the selected connection (arg 0) or of every live row
 * shown (1), taken now, so what goes is exactly what was listed; the
 * operator's own SSH session in it found by the rule --kill follows
 * (kill_find_own). */
static int
screen_kill_enter(struct session *s, struct session_screen *e, int all)
{
	struct screen_kill_state *st = screen_kill_state(s);
	const struct conn *c = session_selected(s);
	struct conn *const *rows;
	size_t n;

	(void)e;
	kill_clear(&st->list);
	if (!s->live) {
		session_message(s, 1, "a recording has no sockets to destroy");
		return -1;
	}
	if (all)
		kill_from_view(&st->list, &s->view);
	else if (c != NULL && !(c->flags & CONN_GONE))
		kill_add(&st->list, &c->s);
	if (st->list.n == 0) {
		session_message(s, 0, all ? "nothing to destroy: the view is "
		    "empty" : c != NULL ? "the selected connection is gone "
		    "already" : "no connection selected");
		return -1;
	}
	kill_find_own(&st->list, s->snap != NULL ? s->snap->ssh : NULL);
	if (s->snap != NULL && s->snap->tab != NULL) {
		rows = conntab_rows(s->snap->tab, &n);
		kill_find_peers(&st->list, rows, n);
	}
	st->all = all;
	st->handover = 0;
	return 0;
}

/* Closed: the list goes, unless the second window takes it over. */
static int
screen_kill_leave(struct session *s, struct session_screen *e)
{
	struct screen_kill_state *st = screen_kill_state(s);

	(void)e;
	if (!st->handover)
		kill_clear(&st->list);
	return 0;
}

/* Destroy what the window listed but what is spared (only the loop
 * holds the netlink sockets), say how it went, and show them gone at
 * once. */
static int
screen_kill_destroy(struct session *s, struct screen_kill_state *st)
{
	char sum[160];

	if (s->destroy != NULL)
		s->destroy(s->destroy_arg, &st->list);
	kill_summary(&st->list, sum, sizeof sum);
	session_message(s, kill_count_failed(&st->list) > 0, "kill: %s", sum);
	return REACT_CLOSE | REACT_RESCAN;
}

/* y: destroy what the window listed; with the operator's own SSH
 * session among them, nothing yet: the second window asks about it. */
static int
screen_kill_yes(struct session *s, int key)
{
	struct screen_kill_state *st = screen_kill_state(s);

	(void)key;
	if (st->list.own > 0) {
		st->handover = 1;
		return REACT_CLOSE | react_open(SCREEN_KILL_OWN, 0);
	}
	return screen_kill_destroy(s, st);
}

/* Only y destroys: anything else is a no. */
static int
screen_kill_no(struct session *s, int key)
{
	(void)key;
	session_message(s, 0, "kill cancelled: nothing destroyed");
	return REACT_CLOSE;
}

static const struct key_binding screen_kill_keys[] = {
	{ { 'y' }, "y", "Destroy", screen_kill_yes,
	    "destroy exactly what the window lists; any other key cancels.  "
	    "The status line then says how many went and why any failed.  "
	    "When your own SSH session (the @ row) is among them, nothing "
	    "goes yet: a second window names it and asks again" },
	{ { K_UP, K_DOWN, K_PGUP, K_PGDN }, "Up Down PgUp PgDn", NULL,
	    session_scroll, "scroll the list" },
	{ { K_HOME, K_END }, "Home End", NULL, session_scroll,
	    "the first or last lines" },
	{ { K_ANY }, "any other", NULL, screen_kill_no,
	    "cancel: nothing is destroyed" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_kill_tables[] = {
	screen_kill_keys, NULL,
};

const struct screen_ops screen_kill = {
	.name = "Kill confirmation (k, K)",
	.place = SCREEN_OVER,
	.keys = screen_kill_tables,
	.room = screen_kill_room,
	.draw = screen_kill_draw,
	.extent = screen_kill_extent,
	.enter = screen_kill_enter,
	.leave = screen_kill_leave,
};

/* The second window: the operator's own SSH session is in the list.
 * It names the session and what destroying it does; Y destroys the
 * whole list, s all of it but the session, any other key nothing. */

/* Lines inside its box. */
#define SCREEN_KILL_OWN_LINES 7

static struct rect
screen_kill_own_room(const struct frame *f, const struct screen_area *a)
{
	struct rect m = a->middle;
	int h = 2 + SCREEN_KILL_OWN_LINES;

	(void)f;
	if (h > m.h)
		h = m.h;
	return (struct rect){ m.y + (m.h - h) / 2, m.x + 2, h, m.w - 4 };
}

/* The first of the list's items that is the session, or NULL. */
static const struct kill_item *
screen_kill_own_item(const struct kill_list *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->items[i].own)
			return &k->items[i];
	return NULL;
}

/* The session named by its two ends, what destroying it does, then the
 * keys: the most needed first, as a short window cuts the last. */
static void
screen_kill_own_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const struct screen_kill_state *st = session_peek(f->s, SCREEN_KILL);
	const struct kill_item *own;
	char text[SCREEN_KILL_OWN_LINES][120], ep[CONN_ENDPOINT_LEN];
	size_t others, n = 0, i;

	(void)e;
	if (st == NULL || (own = screen_kill_own_item(&st->list)) == NULL ||
	    r.h < 3 || r.w < 14)
		return;
	others = st->list.n - st->list.own;
	snprintf(text[n++], sizeof text[0], "Your own SSH session is among "
	    "them:");
	snprintf(text[n++], sizeof text[0], "  here %s (%s)",
	    conn_fmt_endpoint(&own->s, 0, ep, sizeof ep),
	    tcpstate_name(own->s.state));
	snprintf(text[n++], sizeof text[0], "  from %s",
	    conn_fmt_endpoint(&own->s, 1, ep, sizeof ep));
	snprintf(text[n++], sizeof text[0], "Destroying it cuts this "
	    "terminal off.");
	if (others > 0) {
		snprintf(text[n++], sizeof text[0], "Y  destroy it too, with "
		    "the %zu other%s", others, others == 1 ? "" : "s");
		snprintf(text[n++], sizeof text[0], "s  spare it, destroy the "
		    "%zu other%s", others, others == 1 ? "" : "s");
	} else
		snprintf(text[n++], sizeof text[0], "Y  destroy it");
	snprintf(text[n++], sizeof text[0], "any other key cancels: nothing "
	    "is destroyed");
	ui_box(r, " Your own SSH session ");
	for (i = 0; i < n && (int)i < r.h - 2; i++)
		ui_put(r.y + 1 + (int)i, r.x + 2, r.w - 4, i < 3 ? UI_WARN :
		    UI_NORMAL, text[i]);
}

/* Only from the first window's y, with the session in its list. */
static int
screen_kill_own_enter(struct session *s, struct session_screen *e,
    int arg)
{
	struct screen_kill_state *st = screen_kill_state(s);
	int handed = st->handover;

	(void)e;
	(void)arg;
	st->handover = 0;
	if (!handed || st->list.own == 0) {
		kill_clear(&st->list);
		session_message(s, 1, "kill: no list with your SSH session "
		    "in it to confirm");
		return -1;
	}
	return 0;
}

/* Y: the whole list, the session too. */
static int
screen_kill_own_yes(struct session *s, int key)
{
	(void)key;
	return screen_kill_destroy(s, screen_kill_state(s));
}

/* s: the others only; without others, nothing. */
static int
screen_kill_own_spare(struct session *s, int key)
{
	struct screen_kill_state *st = screen_kill_state(s);

	if (st->list.n == st->list.own)
		return screen_kill_no(s, key);
	kill_spare_own(&st->list);
	return screen_kill_destroy(s, st);
}

static const struct key_binding screen_kill_own_keys[] = {
	{ { 'Y' }, "Y", "Destroy it", screen_kill_own_yes,
	    "destroy your own SSH session too, with the rest of the list: "
	    "this terminal is cut off" },
	{ { 's' }, "s", "Spare it", screen_kill_own_spare,
	    "destroy the rest of the list and spare your own SSH session" },
	{ { K_ANY }, "any other", NULL, screen_kill_no,
	    "cancel, y too: nothing is destroyed" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_kill_own_tables[] = {
	screen_kill_own_keys, NULL,
};

const struct screen_ops screen_kill_own = {
	.name = "Your own SSH session in a kill (y in its window)",
	.place = SCREEN_OVER,
	.keys = screen_kill_own_tables,
	.room = screen_kill_own_room,
	.draw = screen_kill_own_draw,
	.enter = screen_kill_own_enter,
	.leave = screen_kill_leave,
};
