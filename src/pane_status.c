/* The status line (messages, collector errors, what is shown and
 * filtered) and the function-key bar built from the key tables. */
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "tcptop/proc.h"
#include "tcptop/tcpstate.h"

/* The group list's summary, or the group drilled into, first: the
 * list's rows are then that group's only. */
static int
pane_status_group(const struct session *t, char *line, size_t len)
{
	if (screens_top(t) == SCREEN_GROUPS)
		return snprintf(line, len, "%zu group%s by %s  sort %s",
		    t->groups.n, t->groups.n == 1 ? "" : "s",
		    group_kinds[t->group_kind].name,
		    t->group_sort == 0 ? "count" :
		    tcpstate_name(t->group_sort));
	if (t->drill)
		return snprintf(line, len, "group: %s %s  ",
		    group_kinds[t->group_kind].name, t->drill_label);
	line[0] = '\0';
	return 0;
}

/* ", 4 alerts outside the filter (a)" while filters hide alerts: they
 * are about the box, not the view; "" otherwise. */
static const char *
pane_status_outside(const struct frame *f, char *buf, size_t len)
{
	long out = f->snap->alerts_outside;

	buf[0] = '\0';
	if (out > 0)
		snprintf(buf, len, ", %ld alert%s outside the filter (a)", out,
		    out == 1 ? "" : "s");
	return buf;
}

/* What the user must not miss about the numbers themselves: the loop
 * cannot keep the delay (more than a tenth late, so jitter does not
 * blink it), transitions were lost, the last full dump of a model kept
 * from events had rows to correct (what the events missed, until the
 * next full dump), or owners are still being looked up (the rows the
 * walk of /proc has not reached).  "" when none. */
static const char *
pane_status_truth(const struct frame *f, char *buf, size_t len)
{
	const struct snapshot *r = f->snap;
	long lost = (r->trans_lost > 0 ? r->trans_lost : 0) +
	    (r->notify_lost > 0 ? r->notify_lost : 0);
	int n = 0;

	buf[0] = '\0';
	if (r->fields.proc != NULL && f->owners[PROC_PENDING] > 0)
		n = snprintf(buf, len, "owners pending %zu: looking them up  ",
		    f->owners[PROC_PENDING]);
	if (r->late_ms > 0 && r->late_ms * 10 > r->delay_ms && n >= 0 &&
	    (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "behind: refresh takes %.2f s > delay "
		    "%.2f s  ", r->interval_ms / 1000.0, r->delay_ms / 1000.0);
	if (lost > 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "%ld%s transition%s "
		    "lost  ", lost, r->notify_lost > 0 ? "+" : "",
		    lost == 1 ? "" : "s");
	if (r->live && r->model_corrected > 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "full dump corrected %ld "
		    "row%s  ", r->model_corrected,
		    r->model_corrected == 1 ? "" : "s");
	return buf;
}

/* How the model is kept, live: "events" with the last full dump's age,
 * or why every refresh dumps when events were wanted (not root, no
 * tracefs, a sort by a field only a dump keeps fresh). */
static void
pane_status_model(const struct snapshot *r, char *buf, size_t len)
{
	if (!r->live || r->model == NULL)
		return;
	if (strcmp(r->model, "events") == 0)
		snprintf(buf, len, "  events, full dump %lds ago",
		    r->model_full_age_ms > 0 ? r->model_full_age_ms / 1000 :
		    0);
	else if (r->model_note != NULL)
		snprintf(buf, len, "  full dumps: %s", r->model_note);
}

void
pane_status_draw(const struct frame *f, struct rect r)
{
	const struct session *t = f->s;
	char line[640], out[64], truth[128];
	int n;

	ui_fill(r.y, r.x, r.w, UI_NORMAL);
	if (t->msg[0] != '\0') {
		ui_put(r.y, r.x, r.w, t->msg_error ? UI_ERROR : UI_WARN,
		    t->msg);
		return;
	}
	if (f->snap->error != NULL && f->snap->error[0] != '\0') {
		snprintf(line, sizeof line, "collector: %s (showing the last "
		    "good data)", f->snap->error);
		ui_put(r.y, r.x, r.w, UI_ERROR, line);
		return;
	}
	n = pane_status_group(t, line, sizeof line);
	/* Live rows shown, of those the table holds; the just-closed rows
	 * on screen are counted apart, so the first never exceeds the
	 * second. */
	if (screens_top(t) != SCREEN_GROUPS) {
		char closed[64] = "";
		int k = 0;

		if (t->view.gone > 0)
			k = snprintf(closed, sizeof closed, " +%zu closed",
			    t->view.gone);
		/* Rows scrolled off above: the top of the order is not on
		 * screen. */
		if (t->top > 0 && k >= 0 && (size_t)k < sizeof closed)
			snprintf(closed + k, sizeof closed - (size_t)k,
			    ", %zu above", t->top);
		snprintf(line + n, sizeof line - (size_t)n, "%zu of %zu shown%s%s"
		    "  sort %s %s", t->view.total, conntab_live(f->snap->tab),
		    closed, pane_status_outside(f, out, sizeof out),
		    field_table[t->sort_key].name,
		    t->sort_reverse ? "desc" : "asc");
	}
	n = (int)strlen(line);
	if (t->port_text[0] != '\0')
		n += snprintf(line + n, sizeof line - (size_t)n, "  port %s",
		    t->port_text);
	if (t->expr_text[0] != '\0' && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, "  filter %s",
		    t->expr_text);
	if (t->view.untested > 0 && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n,
		    " (%zu untested: owner hidden or pending)", t->view.untested);
	if (t->filter.families != (FILTER_INET4 | FILTER_INET6) &&
	    n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, "  %s only",
		    t->filter.families == FILTER_INET4 ? "IPv4" : "IPv6");
	if (t->search[0] != '\0' && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n,
		    "  search \"%s\"", t->search);
	if (n >= 0 && n < (int)sizeof line)
		pane_status_model(f->snap, line + n, sizeof line - (size_t)n);
	/* First, so a narrow terminal cuts the rest and not this. */
	n = ui_put(r.y, r.x, r.w, UI_WARN, pane_status_truth(f, truth,
	    sizeof truth));
	ui_put(r.y, r.x + n, r.w - n, UI_DIM, line);
}

/* A binding's place on the bar: F1 to F9 in order, then the letter
 * keys as their tables come, then F10, as htop's bar reads. */
static int
pane_keys_rank(int key, size_t order)
{
	if (key >= K_F1 && key < K_F10)
		return key - K_F1;
	return key == K_F10 ? 1000 : 100 + (int)order;
}

/* The bindings of t[0..n) that have a label, each key once, in bar
 * order, into b (at most max).  Returns how many. */
static size_t
pane_keys_gather(const struct key_binding *const *t, size_t n,
    const struct key_binding **b, size_t max)
{
	int rank[32];
	size_t i, m = 0, j;

	for (i = 0; i < n; i++) {
		const struct key_binding *k;

		for (k = t[i]; k->keys[0] != 0 && m < max && m < 32; k++) {
			int key = keys_bar_key(k), r = pane_keys_rank(key, m);

			if (k->bar == NULL)
				continue;
			for (j = 0; j < m && keys_bar_key(b[j]) != key; j++)
				;
			if (j < m)
				continue;	/* a table before has it */
			for (j = m; j > 0 && rank[j - 1] > r; j--) {
				b[j] = b[j - 1];
				rank[j] = rank[j - 1];
			}
			b[j] = k;
			rank[j] = r;
			m++;
		}
	}
	return m;
}

/* A binding's text on the bar: "F1" then "Help", as htop; a letter key
 * gets a space: "p " then "Port".  Returns its width with the gap after
 * it. */
static int
pane_keys_text(const struct key_binding *b, char *name, size_t len)
{
	int key = keys_bar_key(b);

	keys_name(key, name, len);
	if (key < K_F1)
		strncat(name, " ", len - strlen(name) - 1);
	return (int)(strlen(name) + strlen(b->bar)) + 1;
}

/* Where the bar puts its bindings in r: the function keys in order,
 * the letter keys where room is left, and F10 always last, so a narrow
 * screen drops letters first and never the way out.  The ones shown go
 * to b (32 of them at most), each starting at xs[] (its gap after it
 * ends at the next one's start).  Returns how many. */
static size_t
pane_keys_place(const struct key_binding *const *t, size_t n, struct rect r,
    const struct key_binding **b, int *xs)
{
	const struct key_binding *all[32];
	size_t i, m = pane_keys_gather(t, n, all, 32), k = 0;
	int x = r.x, end = r.x + r.w + 1, last = 0;
	char name[16];

	if (m > 0 && keys_bar_key(all[m - 1]) == K_F10)
		last = pane_keys_text(all[m - 1], name, sizeof name);
	for (i = 0; i < m; i++) {
		int w = pane_keys_text(all[i], name, sizeof name);
		int room = end - (keys_bar_key(all[i]) == K_F10 ? 0 : last);

		if (x + w > room)
			continue;
		b[k] = all[i];
		xs[k++] = x;
		x += w;
	}
	return k;
}

void
pane_keys_draw(const struct frame *f, struct rect r,
    const struct key_binding *const *t, size_t n)
{
	const struct key_binding *b[32];
	int xs[32];
	size_t i, m = pane_keys_place(t, n, r, b, xs);
	char name[16];

	(void)f;
	ui_fill(r.y, r.x, r.w, UI_KEYLABEL);
	for (i = 0; i < m; i++) {
		int x = xs[i];

		pane_keys_text(b[i], name, sizeof name);
		x += ui_put(r.y, x, r.w - (x - r.x), UI_KEY, name);
		ui_put(r.y, x, r.w - (x - r.x), UI_KEYLABEL, b[i]->bar);
	}
}

int
pane_keys_at(struct rect r, const struct key_binding *const *t, size_t n,
    int x)
{
	const struct key_binding *b[32];
	int xs[32];
	size_t i, m = pane_keys_place(t, n, r, b, xs);
	char name[16];

	for (i = 0; i < m; i++)
		if (x >= xs[i] && x < xs[i] + pane_keys_text(b[i], name,
		    sizeof name) - 1)
			return keys_bar_key(b[i]);
	return 0;
}
