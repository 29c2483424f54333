/* Alerts: the line under the header with the first alert, and the
 * window (a) listing every alert with its evidence and what to check. */
#include <stdio.h>
#include <string.h>

#include "pane.h"

/* The first alert, and how many more the window has. */
static void
pane_alertline_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct alert *al;
	size_t more;
	char line[400], tail[48];
	int n, tw;

	if (f->snap->nalerts == 0)
		return;
	al = &f->snap->alerts[0];
	more = f->snap->nalerts - 1 + f->snap->alerts_more;
	tail[0] = '\0';
	if (more > 0)
		snprintf(tail, sizeof tail, "  +%zu more (a)", more);
	snprintf(line, sizeof line, "%s %s: %s",
	    al->severity == ALERT_CRIT ? "ALERT" : "alert",
	    alerts_kind_name(al->kind), al->evidence);
	ui_fill(r.y, r.x, r.w, UI_WARN);
	/* The count stays on screen; the evidence is what gets cut. */
	tw = (int)strlen(tail);
	if (tw >= r.w)
		tw = 0;
	n = ui_put(r.y, r.x, r.w - tw, UI_WARN, line);
	if (tw > 0)
		ui_put(r.y, r.x + n, tw, UI_WARN, tail);
}

struct pane_alerts_out {
	struct pane_rect r;	/* inside the frame */
	int top;		/* first line shown */
	int n;			/* lines so far */
};

/* Text wrapped at the width, after an indent on the lines it adds. */
static void
pane_alerts_wrap(struct pane_alerts_out *o, int role, int indent,
    const char *text)
{
	int first = 1;

	while (*text != '\0') {
		int w = o->r.w - (first ? 0 : indent), len, cut;
		char line[512];

		if (w < 10)
			w = 10;
		len = (int)strlen(text);
		cut = len;
		if (len > w) {
			for (cut = w; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = w;
		}
		snprintf(line, sizeof line, "%*s%.*s", first ? 0 : indent, "",
		    cut, text);
		if (o->n >= o->top && o->n - o->top < o->r.h)
			ui_putpad(o->r.y + o->n - o->top, o->r.x, o->r.w, role,
			    line);
		o->n++;
		text += cut;
		while (*text == ' ')
			text++;
		first = 0;
	}
}

/* Every line of the window through o. */
static void
pane_alerts_lines(const struct ui_frame *f, struct pane_alerts_out *o)
{
	char line[512];
	size_t i;

	if (f->snap->nalerts == 0) {
		pane_alerts_wrap(o, UI_NORMAL, 0, "Nothing crosses its "
		    "threshold.  The thresholds are the alert_* keys of "
		    "tcptoprc (see tcptop(1)).");
		return;
	}
	for (i = 0; i < f->snap->nalerts; i++) {
		const struct alert *al = &f->snap->alerts[i];

		if (i > 0)
			pane_alerts_wrap(o, UI_NORMAL, 0, " ");
		snprintf(line, sizeof line, "%s %s: %s",
		    al->severity == ALERT_CRIT ? "CRITICAL" : "warning",
		    alerts_kind_name(al->kind), al->evidence);
		pane_alerts_wrap(o, UI_WARN, 2, line);
		snprintf(line, sizeof line, "  next: %s", al->hint);
		pane_alerts_wrap(o, UI_NORMAL, 8, line);
	}
	if (f->snap->alerts_more > 0) {
		snprintf(line, sizeof line, "and %zu more, less severe",
		    f->snap->alerts_more);
		pane_alerts_wrap(o, UI_DIM, 0, line);
	}
}

/* The frame's inner rectangle for the window over r. */
static struct pane_rect
pane_alerts_inner(struct pane_rect r)
{
	if (r.w > 100) {
		r.x += (r.w - 100) / 2;
		r.w = 100;
	}
	return (struct pane_rect){ r.y + 1, r.x + 2, r.h - 2, r.w - 4 };
}

int
pane_alerts_count(const struct ui_frame *f, struct pane_rect r)
{
	struct pane_alerts_out o = { pane_alerts_inner(r), 0, 0 };

	/* Nothing is drawn: every line is above top. */
	o.top = 1 << 30;
	pane_alerts_lines(f, &o);
	return o.n + 2;		/* the frame */
}

static void
pane_alerts_draw(const struct ui_frame *f, struct pane_rect r)
{
	struct pane_alerts_out o = { pane_alerts_inner(r), f->tui->scroll,
	    0 };
	struct pane_rect box = r;
	char title[80];

	if (box.w > 100) {
		box.x += (box.w - 100) / 2;
		box.w = 100;
	}
	snprintf(title, sizeof title, " Alerts: %zu (Esc closes) ",
	    f->snap->nalerts + f->snap->alerts_more);
	ui_box(box, title);
	pane_alerts_lines(f, &o);
}

const struct pane_ops pane_alertline = { "alertline", pane_alertline_draw };
const struct pane_ops pane_alerts = { "alerts", pane_alerts_draw };
