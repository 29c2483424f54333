/* Header pane: host, time of the data, delay, totals, privilege tier. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pane.h"

static void
pane_header_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	char left[256], when[16], delay[32];
	const char *tier, *state = "";
	time_t sec = (time_t)(f->realtime_ns / 1000000000);
	struct tm tm;
	int n, tw;

	if (f->realtime_ns != 0) {
		localtime_r(&sec, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	} else
		snprintf(when, sizeof when, "--:--:--");
	snprintf(delay, sizeof delay, "every %gs", t->delay);
	if (t->paused)
		state = "  PAUSED";
	else if (f->replay_done)
		state = "  replay ended";
	snprintf(left, sizeof left, "%s  %s  %s  %zu socket%s: v4 %zu, v6 %zu"
	    "%s%s", f->host, when, strcmp(f->source, "replay") == 0 ?
	    "replay" : delay, f->view->total, f->view->total == 1 ? "" : "s",
	    f->view->families[0],
	    f->view->families[1], f->inconsistent ? " (inconsistent)" : "",
	    state);
	/* The tier on the right; shortened before it would cover the
	 * totals. */
	tier = f->root ? "root" : "unprivileged: some columns hidden";
	tw = (int)strlen(tier);
	if ((int)strlen(left) + 2 + tw > r.w && !f->root) {
		tier = "unprivileged";
		tw = (int)strlen(tier);
	}
	ui_fill(r.y, r.x, r.w, UI_HEADER);
	n = ui_put(r.y, r.x, r.w, UI_HEADER, left);
	if (t->paused && n > 8)
		ui_put(r.y, r.x + n - 6, 6, UI_WARN, "PAUSED");
	if (n + 2 + tw <= r.w)
		ui_put(r.y, r.x + r.w - tw, tw, f->root ? UI_HEADER : UI_WARN,
		    tier);
}

const struct pane_ops pane_header = { "header", pane_header_draw };
