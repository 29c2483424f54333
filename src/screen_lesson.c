/* The lesson (--lesson), a companion of every screen: the step the class
 * is on and what to tell them, above the status line; Space takes the
 * next step wherever the view keys apply. */
#include <stdio.h>
#include <string.h>

#include "screen.h"

#define SCREEN_LESSON_ROWS 4

static void
screen_lesson_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const char *p = f->lesson_text != NULL ? f->lesson_text : "";
	const char *hint = "Space: next step";
	int y, hw = (int)strlen(hint);

	(void)e;
	if (r.h <= 0 || f->lesson_title == NULL)
		return;
	ui_fill(r.y, r.x, r.w, UI_TITLE);
	ui_put(r.y, r.x + 1, r.w - hw - 3, UI_TITLE, f->lesson_title);
	if (r.w > hw + 20)
		ui_put(r.y, r.x + r.w - hw - 1, hw, UI_TITLE, hint);
	/* The text wrapped at spaces; what does not fit ends in an
	 * ellipsis. */
	for (y = 1; y < r.h && *p != '\0'; y++) {
		int room = r.w - 2, len = (int)strlen(p), cut = len;
		char line[512];

		if (len > room) {
			for (cut = room; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = room;
			if (y == r.h - 1)
				cut = room - 1;
		}
		snprintf(line, sizeof line, "%.*s%s", cut, p,
		    y == r.h - 1 && len > room ? ui_glyph(UI_G_ELLIPSIS) : "");
		ui_putpad(r.y + y, r.x + 1, r.w - 1, UI_NORMAL, line);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/* Its rows from the bottom of the middle, when it has more than 12. */
static struct rect
screen_lesson_room(const struct frame *f, const struct screen_area *a)
{
	struct rect m = a->middle;

	(void)f;
	if (m.h <= 12)
		m.h = 0;
	else {
		m.y += m.h - SCREEN_LESSON_ROWS;
		m.h = SCREEN_LESSON_ROWS;
	}
	return m;
}

static int
screen_lesson_active(const struct session *s)
{
	return s->lesson;
}

static int
screen_lesson_next(struct session *s, int key)
{
	(void)s, (void)key;
	return REACT_REDRAW | REACT_STEP;
}

static const struct key_binding screen_lesson_keys[] = {
	{ { ' ' }, "Space", "Next", screen_lesson_next,
	    "the next step of the lesson" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_lesson_tables[] = {
	screen_lesson_keys, NULL,
};

const struct screen_ops screen_lesson = {
	.name = "Lesson (--lesson)",
	.place = SCREEN_FOOT,
	.keys = screen_lesson_tables,
	.room = screen_lesson_room,
	.draw = screen_lesson_draw,
	.active = screen_lesson_active,
};
