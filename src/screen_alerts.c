/* The alerts window (a): every alert with its evidence and what to check
 * next, wrapped to the window; it scrolls. */
#include <stdio.h>
#include <string.h>

#include "screen.h"

struct screen_alerts_out {
	struct rect r;	/* inside the frame */
	int top;		/* first line shown */
	int n;			/* lines so far */
};

/* Text wrapped at the width, after an indent on the lines it adds. */
static void
screen_alerts_wrap(struct screen_alerts_out *o, int role, int indent,
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
screen_alerts_lines(const struct frame *f, struct screen_alerts_out *o)
{
	char line[512];
	size_t i;

	if (f->snap->alerts_outside > 0) {
		snprintf(line, sizeof line, "%ld more about sockets outside "
		    "the filter: clear it to see %s.", f->snap->alerts_outside,
		    f->snap->alerts_outside == 1 ? "it" : "them");
		screen_alerts_wrap(o, UI_WARN, 0, line);
		screen_alerts_wrap(o, UI_NORMAL, 0, " ");
	}
	if (f->snap->nalerts == 0) {
		screen_alerts_wrap(o, UI_NORMAL, 0, "Nothing in view crosses "
		    "its threshold.  The thresholds are the alert_* keys of "
		    "tcptoprc (see tcptop(1)).");
		return;
	}
	for (i = 0; i < f->snap->nalerts; i++) {
		const struct alert *al = &f->snap->alerts[i];

		if (i > 0)
			screen_alerts_wrap(o, UI_NORMAL, 0, " ");
		snprintf(line, sizeof line, "%s %s: %s",
		    al->severity == ALERT_CRIT ? "CRITICAL" : "warning",
		    alerts_kind_name(al->kind), al->evidence);
		screen_alerts_wrap(o, UI_WARN, 2, line);
		snprintf(line, sizeof line, "  next: %s", al->hint);
		screen_alerts_wrap(o, UI_NORMAL, 8, line);
	}
	if (f->snap->alerts_more > 0) {
		snprintf(line, sizeof line, "and %zu more, less severe",
		    f->snap->alerts_more);
		screen_alerts_wrap(o, UI_DIM, 0, line);
	}
}

/* The frame's inner rectangle for the window over r. */
static struct rect
screen_alerts_inner(struct rect r)
{
	if (r.w > 100) {
		r.x += (r.w - 100) / 2;
		r.w = 100;
	}
	return (struct rect){ r.y + 1, r.x + 2, r.h - 2, r.w - 4 };
}

static int
screen_alerts_extent(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	struct screen_alerts_out o = { screen_alerts_inner(r), 1 << 30, 0 };

	/* Nothing is drawn: every line is above top. */
	(void)e;
	screen_alerts_lines(f, &o);
	return o.n + 2;		/* the frame */
}

static void
screen_alerts_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	struct screen_alerts_out o = { screen_alerts_inner(r), e->pos, 0 };
	struct rect box = r;
	char title[80];

	if (box.w > 100) {
		box.x += (box.w - 100) / 2;
		box.w = 100;
	}
	snprintf(title, sizeof title, " Alerts: %zu (Esc closes) ",
	    f->snap->nalerts + f->snap->alerts_more);
	ui_box(box, title);
	screen_alerts_lines(f, &o);
}

/* Over the whole middle, the histogram's rows too. */
static struct rect
screen_alerts_room(const struct frame *f, const struct screen_area *a)
{
	(void)f;
	return a->middle;
}

static const struct key_binding screen_alerts_keys[] = {
	{ { K_UP, K_DOWN, K_PGUP, K_PGDN }, "Up Down PgUp PgDn", NULL,
	    session_scroll, "scroll" },
	{ { K_HOME, K_END }, "Home End", NULL, session_scroll,
	    "the first or last lines" },
	{ { K_ESC, 'a', K_ENTER, K_LEFT }, "Esc a", NULL, keys_close,
	    "close the alerts" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_alerts_tables[] = {
	screen_alerts_keys, NULL,
};

const struct screen_ops screen_alerts = {
	.name = "Alerts (a)",
	.place = SCREEN_OVER,
	.flags = SCREEN_F_GLOBAL,
	.keys = screen_alerts_tables,
	.room = screen_alerts_room,
	.draw = screen_alerts_draw,
	.extent = screen_alerts_extent,
};
