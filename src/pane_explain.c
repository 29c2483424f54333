/* Explain pane: a window over the list that tells what a TCP state
 * means, what moves it on, the trouble a pile-up in it points at, and
 * how Linux does it (the text is explain.c's). */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/explain.h"
#include "tcptop/tcpstate.h"

/* Write text wrapped at w cells from row *y, at most to row ymax. */
static void
pane_explain_wrap(int *y, int ymax, int x, int w, int role, const char *text)
{
	while (*text != '\0' && *y < ymax) {
		int len = (int)strlen(text), cut = len;
		char line[256];

		if (len > w) {
			for (cut = w; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = w;
		}
		snprintf(line, sizeof line, "%.*s", cut, text);
		ui_put((*y)++, x, w, role, line);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static void
pane_explain_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct explain *e = explain_state(f->tui->explain_state);
	const char *name = f->tui->explain_state == TCP_CLOSE ? "CLOSED" :
	    tcpstate_name(f->tui->explain_state);
	const struct {
		const char *head;
		const char *text;
	} part[4] = {
		{ "What it is", e != NULL ? e->meaning : "" },
		{ "What moves it on", e != NULL ? e->next : "" },
		{ "When they pile up", e != NULL ? e->trouble : "" },
		{ "On Linux", e != NULL ? e->linux_note : "" },
	};
	char title[80];
	int y, ymax, i, w;

	if (r.w > 100) {
		r.x += (r.w - 100) / 2;
		r.w = 100;
	}
	snprintf(title, sizeof title, " %s: what it means (Esc closes) ",
	    name);
	ui_box(r, title);
	w = r.w - 4;
	y = r.y + 1;
	ymax = r.y + r.h - 1;
	for (i = 0; i < 4 && e != NULL; i++) {
		if (y < ymax)
			ui_put(y++, r.x + 2, w, UI_HEADER, part[i].head);
		pane_explain_wrap(&y, ymax, r.x + 2, w, UI_NORMAL,
		    part[i].text);
	}
}

const struct pane_ops pane_explain = { "explain", pane_explain_draw };
