/* Follow pane: the followed connection's timeline, each state it was
 * seen in with when it got there (after its first sight, and the wall
 * clock) and what moved it; it stays when the connection has gone. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pane.h"
#include "tcptop/conntab.h"
#include "tcptop/tcpstate.h"

/* The wall clock of model time t_ms: the shown data's wall clock less
 * how long before it t_ms was. */
static void
pane_follow_clock(const struct ui_frame *f, int64_t t_ms, char *buf,
    size_t len)
{
	int64_t wall = f->snap->realtime_ns / 1000000 - (f->snap->fields.now_ms - t_ms);
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
pane_follow_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	char local[CONN_ENDPOINT_LEN], remote[CONN_ENDPOINT_LEN];
	char line[256], clock[32];
	const char *why;
	size_t i, first = 0;
	int y = r.y;

	if (r.h < 1)
		return;
	conn_fmt_endpoint(&t->follow_id, 0, local, sizeof local);
	conn_fmt_endpoint(&t->follow_id, 1, remote, sizeof remote);
	snprintf(line, sizeof line, " Following %s %s %s %s  (f or Esc ends, "
	    "e explains)", t->follow_id.family == AF_INET6 ? "v6" : "v4", local,
	    ui_glyph(UI_G_ARROW), remote);
	ui_putpad(y++, r.x, r.w, UI_TITLE, line);
	/* The newest last, so keep the last ones that fit. */
	if (t->follow_n + (t->follow_gone ? 1 : 0) > (size_t)(r.h - 1))
		first = t->follow_n + (t->follow_gone ? 1 : 0) -
		    (size_t)(r.h - 1);
	for (i = first; i < t->follow_n && y < r.y + r.h; i++) {
		int st = t->follow_states[i], e;

		if (i == 0)
			why = t->follow_flags & CONN_PATH_CUT ? "(older "
			    "states dropped)" : t->follow_flags &
			    CONN_PREEXISTING ? "first seen (there before "
			    "tcptop)" : "first seen";
		else {
			e = trans_edge_find(t->follow_states[i - 1], st);
			why = e >= 0 ? trans_edges[e].label : "";
		}
		pane_follow_clock(f, t->follow_ms[i], clock, sizeof clock);
		snprintf(line, sizeof line, " %+8.1fs  %s  %-12s %s",
		    (double)(t->follow_ms[i] - t->follow_ms[0]) / 1000, clock,
		    tcpstate_name(st), why);
		ui_putpad(y++, r.x, r.w, i + 1 == t->follow_n &&
		    !t->follow_gone ? UI_FOLLOW : UI_NORMAL, line);
	}
	if (t->follow_gone && y < r.y + r.h) {
		if (t->follow_gone_ms != INT64_MIN) {
			pane_follow_clock(f, t->follow_gone_ms, clock,
			    sizeof clock);
			snprintf(line, sizeof line, " %+8.1fs  %s  %-12s "
			    "the connection is gone; its last path stays "
			    "shown", (double)(t->follow_gone_ms -
			    t->follow_ms[0]) / 1000, clock, "gone");
		} else
			snprintf(line, sizeof line, " %21s %-12s the "
			    "connection is gone; its last path stays shown",
			    "", "gone");
		ui_putpad(y++, r.x, r.w, UI_WARN, line);
	}
	for (; y < r.y + r.h; y++)
		ui_fill(y, r.x, r.w, UI_NORMAL);
}

const struct pane_ops pane_follow = { "follow", pane_follow_draw };
