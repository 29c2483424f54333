/* Lesson pane: the step the class is on and what to tell them, above
 * the status line (tcptop --lesson). */
#include <stdio.h>
#include <string.h>

#include "pane.h"

static void
pane_lesson_draw(const struct ui_frame *f, struct pane_rect r)
{
	const char *p = f->lesson_text != NULL ? f->lesson_text : "";
	const char *hint = "Space: next step";
	int y, hw = (int)strlen(hint);

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

const struct pane_ops pane_lesson = { "lesson", pane_lesson_draw };
