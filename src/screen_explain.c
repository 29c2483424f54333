/* The explanation (e): a window over the list that tells what a TCP
 * state means, what moves it on, the trouble a pile-up in it points at,
 * and how Linux does it (the text is explain.c's). */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/explain.h"
#include "tcptop/tcpstate.h"

static void
screen_explain_draw(const struct frame *f, const struct session_screen *en,
    struct rect r)
{
	const struct explain *e = explain_state(en->arg);
	const char *name = en->arg == TCP_CLOSE ? "CLOSED" :
	    tcpstate_name(en->arg);
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

	(void)f;
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
		ui_wrap(&y, ymax, r.x + 2, w, UI_NORMAL, part[i].text);
	}
}

/* Over the middle, a cell in from each side. */
static struct rect
screen_explain_room(const struct frame *f, const struct screen_area *a)
{
	(void)f;
	return (struct rect){ a->middle.y, a->middle.x + 1, a->middle.h,
	    a->middle.w - 2 };
}

/* The followed connection's state, else the selected one's. */
static int
screen_explain_enter(struct session *s, struct session_screen *e, int arg)
{
	(void)arg;
	e->arg = (uint8_t)session_explain_state(s);
	if (e->arg == 0) {
		session_message(s, 0, "no connection selected: its state is "
		    "explained");
		return -1;
	}
	return 0;
}

static const struct key_binding screen_explain_keys[] = {
	{ { K_ESC, 'e', K_ENTER, K_LEFT }, "Esc e", NULL,
	    keys_close, "close the explanation" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_explain_tables[] = {
	screen_explain_keys, NULL,
};

const struct screen_ops screen_explain = {
	.name = "Explanation (e)",
	.place = SCREEN_OVER,
	.flags = SCREEN_F_GLOBAL,
	.keys = screen_explain_tables,
	.room = screen_explain_room,
	.draw = screen_explain_draw,
	.enter = screen_explain_enter,
};
