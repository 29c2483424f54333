/* The kill confirmation (k, K): the window over the list that shows
 * exactly what would be destroyed, a snapshot taken when it opened;
 * only y destroys it, any other key cancels. */
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

/* What the window holds: the list, and whether it is the whole view
 * (K). */
struct screen_kill_state {
	struct kill_list list;
	int all;
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
	ui_put(y++, r.x + 2, w, UI_WARN, k->n == 1 ? "y destroys it, as "
	    "listed; any other key cancels" : "y destroys exactly these, as "
	    "listed; any other key cancels");
	/* What it does to whom. */
	if (k->listeners > 0 && k->minisocks > 0)
		snprintf(line, sizeof line, "%zu listener%s: no new "
		    "connections; %zu minisocket%s: dropped if the kernel can",
		    k->listeners, k->listeners == 1 ? "" : "s", k->minisocks,
		    k->minisocks == 1 ? "" : "s");
	else if (k->listeners > 0)
		snprintf(line, sizeof line, "%zu listener%s: new connections "
		    "will be refused", k->listeners, k->listeners == 1 ? "" :
		    "s");
	else if (k->minisocks > 0)
		snprintf(line, sizeof line, "%zu minisocket%s (TIME_WAIT, "
		    "SYN_RECV): dropped if the kernel can", k->minisocks,
		    k->minisocks == 1 ? "" : "s");
	else
		snprintf(line, sizeof line, "the peer gets a reset, the "
		    "owner an error (ECONNABORTED)");
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
		const char *note = kill_note(s);

		snprintf(line, sizeof line, "%-4s %-*s %-*s %-11s %s",
		    conn_family_name(s->family),
		    wl, conn_fmt_endpoint(s, 0, ep, sizeof ep),
		    wr, conn_fmt_endpoint(s, 1, rm, sizeof rm),
		    tcpstate_name(s->state), note != NULL ? note : "");
		ui_put(y++, r.x + 2, w, ui_state_role(s->state), line);
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
 * shown (1), taken now, so what goes is exactly what was listed. */
static int
screen_kill_enter(struct session *s, struct session_screen *e, int all)
{
	struct screen_kill_state *st = screen_kill_state(s);
	const struct conn *c = session_selected(s);

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
	st->all = all;
	return 0;
}

static int
screen_kill_leave(struct session *s, struct session_screen *e)
{
	(void)e;
	kill_clear(&screen_kill_state(s)->list);
	return 0;
}

/* y: destroy what the window listed (only the loop holds the netlink
 * sockets), say how it went, and show them gone at once. */
static int
screen_kill_yes(struct session *s, int key)
{
	struct screen_kill_state *st = screen_kill_state(s);
	char sum[160];

	(void)key;
	if (s->destroy != NULL)
		s->destroy(s->destroy_arg, &st->list);
	kill_summary(&st->list, sum, sizeof sum);
	session_message(s, kill_count_failed(&st->list) > 0, "kill: %s", sum);
	return REACT_CLOSE | REACT_RESCAN;
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
	    "The status line then says how many went and why any failed" },
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
