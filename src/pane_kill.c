/* Kill pane: the window over the list that shows exactly what k or K
 * would destroy, before y does it. */
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/kill.h"
#include "tcptop/tcpstate.h"

/* Lines above the list inside the box: what y does, what is special,
 * the column titles. */
#define PANE_KILL_HEAD 3

/* The window inside the middle of the screen m: as high as n rows
 * need, at most all of it. */
static struct pane_rect
pane_kill_rect(struct pane_rect m, size_t n)
{
	int h = m.h;

	if (n < (size_t)m.h && 2 + PANE_KILL_HEAD + (int)n < m.h)
		h = 2 + PANE_KILL_HEAD + (int)n;
	return (struct pane_rect){ m.y, m.x + 1, h, m.w - 2 };
}

static int
pane_kill_rows(struct pane_rect r)
{
	int n = r.h - 2 - PANE_KILL_HEAD;

	return n > 1 ? n : 1;
}

int
pane_kill_scroll_max(const struct ui_frame *f, struct pane_rect m)
{
	int n = (int)f->tui->kill.n - pane_kill_rows(pane_kill_rect(m,
	    f->tui->kill.n));

	return n > 0 ? n : 0;
}

static void
pane_kill_draw(const struct ui_frame *f, struct pane_rect m)
{
	const struct kill_list *k = &f->tui->kill;
	struct pane_rect r = pane_kill_rect(m, k->n);
	char title[120], line[160], ep[CONN_ENDPOINT_LEN];
	char rm[CONN_ENDPOINT_LEN];
	int wl = 5, wr = 6, rows = pane_kill_rows(r), y, w = r.w - 4;
	size_t i, first;

	if (r.h < 2 + PANE_KILL_HEAD + 1 || w < 20)
		return;
	snprintf(title, sizeof title, " Destroy %s%zu socket%s? ",
	    f->tui->kill_all ? "all " : "", k->n, k->n == 1 ? "" : "s");
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
	first = f->tui->scroll > 0 ? (size_t)f->tui->scroll : 0;
	for (i = first; i < k->n && y < r.y + 1 + PANE_KILL_HEAD + rows;
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

const struct pane_ops pane_kill = { "kill", pane_kill_draw };
