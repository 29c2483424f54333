/* Where each screen goes, and drawing a frame: the header on top, the
 * status line and the key bar at the bottom; between them the lesson
 * (above the status line), the diagram or the histogram (above the main
 * screen, when it wants one), the stack's main screen and the windows
 * open over it. */
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/ui.h"

#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 12
#define LAYOUT_WHEEL_ROWS 3	/* rows a notch of the wheel moves */

/* Where everything goes in one frame. */
struct layout_plan {
	int small;		/* below LAYOUT_MIN_*: only a notice */
	struct rect header, alert, status, keys;
	struct rect foot;	/* the lesson, h 0: none */
	struct rect band;	/* the diagram or the histogram, h 0: none */
	int diagram;		/* the band is the diagram */
	struct screen_area area;	/* the middle and the main rect */
	size_t main;		/* stack index of the main screen */
	int has_main;
	struct rect at[SESSION_DEPTH];	/* each stack entry's room from
					 * main up, h 0: not drawn */
};

/* A companion's room in the area: its op's, or none. */
static struct rect
layout_companion(const struct frame *f, int id, const struct screen_area *a)
{
	const struct screen_ops *ops = screens_table[id];
	struct rect none = { 0, 0, 0, 0 };

	if (ops->active != NULL && !ops->active(f->s))
		return none;
	return ops->room != NULL ? ops->room(f, a) : none;
}

/* The main screen: the topmost MAIN screen that takes room now (the
 * follow timeline does only beside the diagram); with its band. */
static void
layout_main(const struct frame *f, struct layout_plan *p)
{
	const struct session *s = f->s;
	const struct screen_ops *ops = NULL;
	struct screen_area a = p->area;
	size_t i;

	for (i = s->depth; i > 0; i--) {
		ops = screens_table[s->stack[i - 1].id];
		if (ops->place == SCREEN_MAIN && (ops->room == NULL ||
		    ops->room(f, &a).h > 0))
			break;
	}
	if (i == 0)
		return;
	p->has_main = 1;
	p->main = i - 1;
	if (ops->flags & SCREEN_F_BAND) {
		if (ops->flags & SCREEN_F_DIAGRAM)
			p->band = layout_companion(f, SCREEN_DIAGRAM, &a);
		p->diagram = p->band.h > 0;
		if (!p->diagram)
			p->band = (struct rect){ a.middle.y, 0,
			    pane_hist_height(f, a.middle.w, a.middle.h),
			    a.middle.w };
		p->area.main.y += p->band.h;
		p->area.main.h -= p->band.h;
	}
	p->at[p->main] = p->area.main;
}

static void
layout_plan(const struct frame *f, struct layout_plan *p)
{
	const struct session *s = f->s;
	int rows, cols, top = f->kernel_line ? 2 : 1, h;
	size_t i;

	memset(p, 0, sizeof *p);
	ui_size(&rows, &cols);
	p->small = rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS;
	if (p->small)
		return;
	h = rows - 2 - top;
	p->header = (struct rect){ 0, 0, top, cols };
	p->status = (struct rect){ rows - 2, 0, 1, cols };
	p->keys = (struct rect){ rows - 1, 0, 1, cols };
	/* The first alert under the header, when there is one. */
	if (f->snap->nalerts > 0 && h > 8) {
		p->alert = (struct rect){ top++, 0, 1, cols };
		h--;
	}
	p->area.middle = p->area.main = (struct rect){ top, 0, h, cols };
	/* The lesson's text sits above the status line, its rows taken
	 * from the middle. */
	p->foot = layout_companion(f, SCREEN_LESSON, &p->area);
	p->area.middle.h -= p->foot.h;
	p->area.main = p->area.middle;
	layout_main(f, p);
	for (i = p->main + 1; p->has_main && i < s->depth; i++) {
		const struct screen_ops *ops = screens_table[s->stack[i].id];

		if (ops->place == SCREEN_OVER)
			p->at[i] = ops->room != NULL ? ops->room(f, &p->area) :
			    p->area.main;
		else if (ops->place == SCREEN_LINE)
			p->at[i] = p->status;
	}
}

void
layout_measure(struct session *s, const struct frame *frame)
{
	struct layout_plan p;
	const struct session_screen *e;
	const struct screen_ops *ops;
	struct frame fr = *frame, *f = &fr;
	size_t i;

	fr.screens = screens_table;
	layout_plan(f, &p);
	s->rows = p.small || !p.has_main || p.area.main.h < 2 ? 1 :
	    p.area.main.h - 1;	/* the column titles */
	if (p.small || (e = session_ctop(s)) == NULL) {
		session_measured(s, 0, 0);
		return;
	}
	ops = screens_table[e->id];
	session_measured(s, p.at[s->depth - 1].h, ops->extent == NULL ? 0 :
	    ops->extent(f, e, p.at[s->depth - 1]));
	session_rescroll(s);
	/* Then what the rows now on screen need. */
	for (i = p.main; p.has_main && i < s->depth; i++) {
		ops = screens_table[s->stack[i].id];
		if (ops->measure != NULL && p.at[i].h > 0)
			ops->measure(s, f, p.at[i]);
	}
}

/* Whether (y, x) is inside r. */
static int
layout_inside(struct rect r, int y, int x)
{
	return y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
}

int
layout_mouse(struct session *s, const struct frame *frame, int key)
{
	const struct key_binding *t[16];
	const struct session_screen *top = session_ctop(s);
	const struct screen_ops *ops;
	struct layout_plan p;
	struct frame fr = *frame, *f = &fr;
	int y, x, k, r = 0;

	fr.screens = screens_table;
	layout_plan(f, &p);
	/* While the prompt line takes keys, the mouse waits. */
	if (p.small || top == NULL ||
	    (ops = screens_table[top->id])->place == SCREEN_LINE)
		return 0;
	if (key == K_WHEEL_UP || key == K_WHEEL_DOWN) {
		/* Three rows a notch, as htop. */
		for (k = 0; k < LAYOUT_WHEEL_ROWS; k++)
			r |= screens_key(s, key == K_WHEEL_UP ? K_UP : K_DOWN);
		return r;
	}
	ui_mouse_at(&y, &x);
	if (layout_inside(p.keys, y, x)) {
		k = pane_keys_at(p.keys, t, screens_chain(s, t, 16), x);
		return k != 0 ? screens_key(s, k) : 0;
	}
	if (ops->click != NULL && p.has_main &&
	    layout_inside(p.at[s->depth - 1], y, x))
		return ops->click(s, f, p.at[s->depth - 1], y, x);
	return 0;
}

int
layout_animates(const struct frame *f)
{
	struct layout_plan p;

	layout_plan(f, &p);
	return p.diagram;
}

static void
layout_small(void)
{
	char msg[64];
	int rows, cols;

	ui_size(&rows, &cols);
	ui_put(rows / 2 - 1, 0, cols, UI_WARN, "terminal too small");
	snprintf(msg, sizeof msg, "%dx%d, needs %dx%d", cols, rows,
	    LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	ui_put(rows / 2, 0, cols, UI_WARN, msg);
}

/* The stack's screens from the main one up, each in its room. */
static void
layout_stack(const struct frame *f, const struct layout_plan *p)
{
	const struct session *s = f->s;
	size_t i;

	for (i = p->main; p->has_main && i < s->depth; i++) {
		const struct screen_ops *ops = screens_table[s->stack[i].id];

		if (p->at[i].h > 0 && ops->place != SCREEN_LINE)
			ops->draw(f, &s->stack[i], p->at[i]);
	}
}

void
layout_draw(const struct frame *frame, int repaint)
{
	const struct key_binding *t[16];
	const struct session_screen *top = session_ctop(frame->s);
	struct layout_plan p;
	struct frame fr = *frame, *f = &fr;

	fr.screens = screens_table;
	ui_color(f->s->color);
	ui_begin();
	layout_plan(f, &p);
	if (p.small) {
		layout_small();
		ui_end(repaint);
		return;
	}
	fr.alert_line = p.alert.h > 0;
	pane_header_draw(f, p.header);
	if (p.alert.h > 0)
		pane_alertline_draw(f, p.alert);
	if (p.diagram)
		screen_diagram.draw(f, NULL, p.band);
	else if (p.band.h > 0)
		pane_hist_draw(f, p.band, p.area.middle.h);
	layout_stack(f, &p);
	if (p.foot.h > 0)
		screen_lesson.draw(f, NULL, p.foot);
	if (top != NULL && screens_table[top->id]->place == SCREEN_LINE)
		screens_table[top->id]->draw(f, top, p.status);
	else
		pane_status_draw(f, p.status);
	pane_keys_draw(f, p.keys, t, screens_chain(f->s, t, 16));
	ui_end(repaint);
}
