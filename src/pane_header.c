/* Header pane: host, time of the data, delay, totals, privilege tier. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcptop/proc.h"

#include "pane.h"

static void
pane_header_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	const struct view *v = f->view;
	char left[320], pre[160], when[16], src[32], count[32], own[80];
	size_t owners[PROC_NBUCKETS] = { 0 };
	const char *tier;
	time_t sec = (time_t)(f->realtime_ns / 1000000000);
	struct tm tm;
	int n, tw, at;

	if (f->realtime_ns != 0) {
		localtime_r(&sec, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	} else
		snprintf(when, sizeof when, "--:--:--");
	/* Where the data comes from and how often, or why it has stopped
	 * coming: early in the line, so a narrow terminal keeps it. */
	if (t->paused)
		snprintf(src, sizeof src, "PAUSED");
	else if (strcmp(f->source, "replay") == 0)
		snprintf(src, sizeof src, "%s", f->replay_done ?
		    "replay ended" : "replay");
	else
		snprintf(src, sizeof src, "every %gs", t->delay);
	snprintf(count, sizeof count, "%zu socket%s", v->total,
	    v->total == 1 ? "" : "s");
	/* Who owns them, by bucket (they add up to the count). */
	own[0] = '\0';
	if (f->cols.proc != NULL) {
		proc_count(f->cols.proc, v->rows, v->n, owners);
		snprintf(own, sizeof own, "  owned %zu, none %zu, hidden %zu",
		    owners[PROC_OWNED], owners[PROC_NOFILE],
		    owners[PROC_HIDDEN]);
	}
	/* The owners are the first thing to go, then the count per
	 * family. */
	snprintf(left, sizeof left, "%s  %s  %s  %s: v4 %zu, v6 %zu%s%s",
	    f->host, when, src, count, v->families[0], v->families[1],
	    f->inconsistent ? " (inconsistent)" : "", own);
	if ((int)strlen(left) > r.w)
		snprintf(left, sizeof left, "%s  %s  %s  %s: v4 %zu, v6 %zu%s",
		    f->host, when, src, count, v->families[0], v->families[1],
		    f->inconsistent ? " (inconsistent)" : "");
	if ((int)strlen(left) > r.w)
		snprintf(left, sizeof left, "%s  %s  %s  %s%s", f->host, when,
		    src, count, f->inconsistent ? " (inconsistent)" : "");
	ui_fill(r.y, r.x, r.w, UI_HEADER);
	n = ui_put(r.y, r.x, r.w, UI_HEADER, left);
	if (t->paused) {
		/* Drawn again for its width in cells. */
		snprintf(pre, sizeof pre, "%s  %s  ", f->host, when);
		at = ui_put(r.y, r.x, r.w, UI_HEADER, pre);
		if (at < r.w)
			ui_put(r.y, r.x + at, r.w - at, UI_WARN, src);
	}
	/* The tier on the right; shortened before it would cover the
	 * totals. */
	tier = f->root ? "root" : "unprivileged: some columns hidden";
	if (!f->root && owners[PROC_HIDDEN] > 0) {
		tier = "unprivileged: root would show the hidden owners";
		if (n + 2 + (int)strlen(tier) > r.w)
			tier = "unprivileged: some columns hidden";
	}
	tw = (int)strlen(tier);
	if (n + 2 + tw > r.w && !f->root) {
		tier = "unprivileged";
		tw = (int)strlen(tier);
	}
	if (n + 2 + tw <= r.w)
		ui_put(r.y, r.x + r.w - tw, tw, f->root ? UI_HEADER : UI_WARN,
		    tier);
}

const struct pane_ops pane_header = { "header", pane_header_draw };
