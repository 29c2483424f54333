/* Following (f): the followed connection's timeline, each state it was
 * seen in with when it got there (after its first sight, and the wall
 * clock) and what moved it, in place of the list beside the diagram,
 * which marks its path; it stays when the connection has gone.  Keys
 * it does not bind go to the list under it. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "screen.h"
#include "tcptop/conntab.h"
#include "tcptop/tcpstate.h"

/* The wall clock of model time t_ms: the shown data's wall clock less
 * how long before it t_ms was. */
static void
screen_follow_clock(const struct frame *f, int64_t t_ms, char *buf,
    size_t len)
{
	int64_t wall = f->snap->realtime_ns / 1000000 -
	    (f->snap->fields.now_ms - t_ms);
	time_t sec = (time_t)(wall / 1000);
	struct tm tm;

	if (localtime_r(&sec, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%d", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (int)(wall % 1000 / 100));
}

static void
screen_follow_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const struct session_follow *t = &f->s->follow;
	char local[CONN_ENDPOINT_LEN], remote[CONN_ENDPOINT_LEN];
	char line[256], clock[32];
	const char *why;
	size_t i, first = 0;
	int y = r.y;

	(void)e;
	if (r.h < 1)
		return;
	conn_fmt_endpoint(&t->id, 0, local, sizeof local);
	conn_fmt_endpoint(&t->id, 1, remote, sizeof remote);
	snprintf(line, sizeof line, " Following %s %s %s %s  (f or Esc ends, "
	    "e explains)", t->id.family == AF_INET6 ? "v6" : "v4", local,
	    ui_glyph(UI_G_ARROW), remote);
	ui_putpad(y++, r.x, r.w, UI_TITLE, line);
	/* The newest last, so keep the last ones that fit. */
	if (t->n + (t->gone ? 1 : 0) > (size_t)(r.h - 1))
		first = t->n + (t->gone ? 1 : 0) -
		    (size_t)(r.h - 1);
	for (i = first; i < t->n && y < r.y + r.h; i++) {
		int st = t->states[i], k;

		if (i == 0)
			why = t->flags & CONN_PATH_CUT ? "(older "
			    "states dropped)" : t->flags &
			    CONN_PREEXISTING ? "first seen: in it by then "
			    "(there before tcptop)" : "first seen";
		else {
			k = trans_edge_find(t->states[i - 1], st);
			why = k >= 0 ? trans_edges[k].label : "";
		}
		screen_follow_clock(f, t->ms[i], clock, sizeof clock);
		snprintf(line, sizeof line, " %+8.1fs  %s  %-12s %s",
		    (double)(t->ms[i] - t->ms[0]) / 1000, clock,
		    tcpstate_name(st), why);
		ui_putpad(y++, r.x, r.w, i + 1 == t->n &&
		    !t->gone ? UI_FOLLOW : UI_NORMAL, line);
	}
	if (t->gone && y < r.y + r.h) {
		if (t->gone_ms != INT64_MIN) {
			screen_follow_clock(f, t->gone_ms, clock,
			    sizeof clock);
			snprintf(line, sizeof line, " %+8.1fs  %s  %-12s "
			    "the connection is gone; its last path stays "
			    "shown", (double)(t->gone_ms -
			    t->ms[0]) / 1000, clock, "gone");
		} else
			snprintf(line, sizeof line, " %21s %-12s the "
			    "connection is gone; its last path stays shown",
			    "", "gone");
		ui_putpad(y++, r.x, r.w, UI_WARN, line);
	}
	for (; y < r.y + r.h; y++)
		ui_fill(y, r.x, r.w, UI_NORMAL);
}

/* Only beside the diagram: with it hidden, the list shows. */
static struct rect
screen_follow_room(const struct frame *f, const struct screen_area *a)
{
	struct rect r = a->main;

	if (f->s->diagram == SESSION_DIAGRAM_OFF)
		r.h = 0;
	return r;
}

static int
screen_follow_enter(struct session *s, struct session_screen *e, int arg)
{
	const struct conn *c = session_selected(s);

	(void)e, (void)arg;
	if (c == NULL) {
		session_message(s, 0, "no connection selected to follow");
		return -1;
	}
	session_follow(s, c);
	/* Following is shown on the diagram. */
	if (s->diagram == SESSION_DIAGRAM_OFF)
		s->diagram = SESSION_DIAGRAM_SPLIT;
	return 0;
}

static int
screen_follow_leave(struct session *s, struct session_screen *e)
{
	(void)e;
	session_follow(s, NULL);
	return 0;
}

static const struct key_binding screen_follow_keys[] = {
	{ { 'f', K_ESC }, "f Esc", NULL, keys_close,
	    "stop following" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_follow_tables[] = {
	screen_follow_keys, NULL,
};

const struct screen_ops screen_follow = {
	.name = "Following (f)",
	.place = SCREEN_MAIN,
	.flags = SCREEN_F_PASS | SCREEN_F_BAND | SCREEN_F_DIAGRAM,
	.keys = screen_follow_tables,
	.room = screen_follow_room,
	.draw = screen_follow_draw,
	.enter = screen_follow_enter,
	.leave = screen_follow_leave,
};
