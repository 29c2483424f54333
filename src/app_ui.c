/* The interactive loop: poll() on the terminal and the transition
 * sources with the next refresh or animation frame as deadline, keys
 * through the keymap, a frame drawn only when something changed; the
 * settings file; the lesson on screen. */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/clock.h"
#include "tcptop/diagram.h"
#include "tcptop/diag.h"
#include "tcptop/kill.h"
#include "tcptop/group.h"
#include "tcptop/log.h"
#include "tcptop/prefs.h"
#include "tcptop/settings.h"
#include "tcptop/sig.h"
#include "tcptop/ui.h"
#include "tcptop/xmalloc.h"

#include "app_int.h"

/* tcptoprc merged under the command line into the session's start
 * (prefs.c).  *file gets what the file held.  Returns 0, or -1 when the
 * file must not be written on quit (no path, or broken: the user's text
 * would be replaced). */
static int
app_settings_load(struct tui *t, const struct options *o, char *path,
    size_t len, struct settings *file, struct prefs *p)
{
	char warn[256], pwarn[256];
	int rc = -1;

	memset(file, 0, sizeof *file);
	if (settings_path(path, len) == 0) {
		rc = settings_load(file, path, warn, sizeof warn);
		if (rc == -1) {
			tui_message(t, 1, "%s (defaults used, file left "
			    "alone)", warn);
			log_debug("settings %s: %s", path, warn);
		} else if (warn[0] != '\0')
			tui_message(t, 0, "%s", warn);
	}
	prefs_merge(p, o, file, pwarn, sizeof pwarn);
	if (pwarn[0] != '\0')
		tui_message(t, 1, "%s", pwarn);
	t->sort_key = p->sort_key;
	t->sort_reverse = p->sort_reverse;
	t->delay = p->delay < TUI_DELAY_MIN ? TUI_DELAY_MIN : p->delay;
	t->color = p->color;
	t->ascii = p->ascii;
	memcpy(t->cols, p->cols, p->ncols);
	t->ncols = p->ncols;
	return rc == -1 ? -1 : 0;
}

/* Save what the session chose (prefs_unmerge says what of it). */
static void
app_settings_save(const struct tui *t, const struct options *o,
    const struct settings *file, struct prefs *p, const char *path)
{
	struct settings s;
	char err[320];

	p->sort_key = t->sort_key;
	p->sort_reverse = t->sort_reverse;
	p->delay = t->delay;
	p->color = t->color;
	p->ascii = t->ascii;
	memcpy(p->cols, t->cols, t->ncols);
	p->ncols = t->ncols;
	prefs_unmerge(p, o, file, &s);
	if (settings_save(&s, path, err, sizeof err) == -1) {
		fprintf(stderr, "tcptop: settings not saved: %s\n", err);
		log_debug("settings: %s", err);
	}
}

/* The detail view's fields: the kernel's full answer for the selected
 * socket, asked again at each refresh (a replay has only what it
 * recorded). */
static void
app_detail(struct collector *c, const struct tui *t, struct ui_frame *fr,
    struct diag_field *out, size_t max)
{
	const struct conn *row = tui_selected(t);

	fr->fields = out;
	fr->nfields = 0;
	fr->fields_note = "";
	if (t->mode == TUI_DETAIL && row != NULL)
		fr->nfields = collector_lookup(c, row, out, max,
		    &fr->fields_note);
}

/* When the diagram's next frame is due (monotonic ns), INT64_MAX when
 * it is not shown or nothing on it moves. */
static int64_t
app_anim_deadline(const struct tui *t, const struct trans *tr,
    int64_t anim_ms, int64_t now_ns)
{
	int64_t next;

	if (!t->diagram ||
	    !(t->mode & (TUI_LIST | TUI_SORT | TUI_EXPLAIN | TUI_KILL |
	    TUI_COLUMNS | TUI_ALERTS)))
		return INT64_MAX;
	next = diagram_next_frame(tr, anim_ms);
	if (next == INT64_MAX)
		return INT64_MAX;
	return now_ns + (next - anim_ms) * 1000000;
}

/* The drill-down filter: rows of the group t->drill_key. */
struct app_drill {
	const struct groups *g;
	const struct tui *t;
	const struct field_ctx *cx;
};

static int
app_in_group(void *arg, const struct conn *c)
{
	const struct app_drill *d = arg;

	return group_contains(d->g, &d->t->drill_key, c, d->cx);
}

/* Build the view; with groups shown, group it, and narrow it to the
 * group drilled into. */
static void
app_view(const struct snapshot *snap, struct tui *t, struct view *v,
    struct groups *g)
{
	const struct field_ctx *cx = &snap->fields;
	struct app_drill d = { g, t, cx };

	t->cx = cx;
	t->nalerts = snap->nalerts;
	view_build(v, snap->tab, &t->filter, t->sort_key, t->sort_reverse, 1);
	t->rows = ui_list_rows(t);
	if (t->group_kind != GROUP_NONE) {
		g->sort_state = t->group_sort;
		group_build(g, t->group_kind, v, snap->tab, cx);
		if (t->drill)
			view_keep(v, app_in_group, &d);
		tui_set_groups(t, g);
	}
	tui_set_view(t, v);
}

/* --lesson on screen: the step's title and text for the lesson pane. */
static void
app_lesson_text(const struct lesson *l, char *title, size_t len,
    struct ui_frame *fr)
{
	struct lesson_info li;

	lesson_current(l, &li);
	if (li.n == 0)
		snprintf(title, len, "Lesson: %d steps%s%s", li.nsteps,
		    li.note[0] != '\0' ? " (" : "", li.note[0] != '\0' ?
		    "some cannot be held: see the text)" : "");
	else
		snprintf(title, len, "Step %d/%d  %s: %s%s", li.n, li.nsteps,
		    li.part, li.title, li.held ? "" : " (not held here)");
	fr->lesson_title = title;
	fr->lesson_text = li.n == 0 && li.note[0] != '\0' ? li.note :
	    li.text;
}

/* Space in --lesson: the next step, said on the status line while its
 * sockets settle (a dropped segment's retransmission can take a
 * second). */
static void
app_ui_step(struct lesson *l, struct tui *t, struct ui_frame *fr,
    char *title, size_t len, int repaint)
{
	char err[512];
	int rc;

	tui_message(t, 0, "working on the next step...");
	ui_draw(fr, repaint);
	rc = lesson_step(l, err, sizeof err);
	t->msg[0] = '\0';
	if (rc == 0)
		tui_message(t, 0, "that was the last step: q ends the lesson "
		    "and removes its sockets");
	else if (rc == -1 && errno != EINTR) {
		tui_message(t, 1, "lesson: %s", err);
		log_debug("lesson: %s", err);
	}
	app_lesson_text(l, title, len, fr);
}

/* y in the kill window: destroy what it listed (only the app holds the
 * diag handle), then say how it went. */
static void
app_ui_kill(struct collector *c, struct tui *t)
{
	if (!collector_snapshot(c)->live) {
		kill_clear(&t->kill);
		t->mode = TUI_LIST;
		tui_message(t, 1, "kill: a recording has no sockets to "
		    "destroy");
		return;
	}
	collector_destroy(c, &t->kill);
	tui_kill_close(t, 1);
}

/* The interactive loop's state. */
struct app_ui {
	struct collector *c;
	const struct snapshot *snap;
	const struct options *o;
	struct lesson *l;		/* --lesson on screen, or NULL */
	struct tui t;
	struct view v;
	struct groups groups;
	struct ui_frame fr;
	struct diag_field fields[DIAG_LOOKUP_MAX];
	struct settings file;		/* tcptoprc as it was */
	struct prefs prefs;
	char path[4096];		/* tcptoprc, "" when not to save */
	char err[320];			/* why status is not 0 */
	char ltitle[200];
	int64_t next_ns;		/* the next refresh */
	int64_t shown_ns;		/* when the shown data came */
	int64_t anim_ns;		/* the diagram's next frame */
	long refreshes;
	int status, draw, repaint, quit;
};

/* The refresh that is due, into the view. */
static void
app_ui_refresh(struct app_ui *u, int64_t now)
{
	int rc = collector_refresh(u->c, &u->t.filter);

	if (rc == COLLECT_CORRUPT && u->status == 0) {
		/* Shown on the status line over the last good frame, and
		 * said again on exit. */
		snprintf(u->err, sizeof u->err, "--replay %s",
		    u->snap->error);
		u->status = 2;
	}
	if (rc == COLLECT_OK && u->snap->error[0] != '\0' && u->status == 0) {
		/* The recording stopped. */
		snprintf(u->err, sizeof u->err, "%s", u->snap->error);
		u->status = 1;
	}
	if (rc == COLLECT_OK) {
		u->shown_ns = now;
		app_view(u->snap, &u->t, &u->v, &u->groups);
	}
	if (u->snap->error[0] != '\0')
		log_debug("refresh: %s", u->snap->error);
	u->refreshes++;
	u->draw = 1;
	u->next_ns += (int64_t)(u->t.delay * 1e9);
	if (u->next_ns <= now)
		u->next_ns = now + (int64_t)(u->t.delay * 1e9);
	if (u->o->iterations > 0 && u->refreshes >= u->o->iterations)
		u->quit = 1;
}

static void
app_ui_draw(struct app_ui *u)
{
	struct ui_frame *fr = &u->fr;
	int64_t now;

	fr->ssh_conn = fr->ssh != NULL ? ssh_find(fr->ssh, &u->v) : NULL;
	collector_describe(u->c, u->t.delay);
	app_detail(u->c, &u->t, fr, u->fields, DIAG_LOOKUP_MAX);
	u->t.rows = ui_list_rows(&u->t);
	/* The animation's clock runs on from the data's, so a replay fades
	 * as the live view does. */
	now = clock_ns(CLOCK_MONOTONIC);
	fr->anim_ms = u->snap->fields.now_ms + (now - u->shown_ns) / 1000000;
	ui_draw(fr, u->repaint);
	u->draw = u->repaint = 0;
	u->anim_ns = app_anim_deadline(&u->t, u->snap->trans, fr->anim_ms,
	    now);
}

/* Sleep until a key, the next refresh or the diagram's next frame;
 * nothing runs in between, so an idle tcptop costs nothing.  Returns
 * -1 when poll failed. */
static int
app_ui_wait(struct app_ui *u)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	struct pollfd *pfd;
	size_t n;
	int timeout = -1;

	if (!u->t.paused && !u->snap->ended)
		timeout = u->next_ns <= now ? 0 :
		    (int)((u->next_ns - now + 999999) / 1000000);
	if (u->anim_ns != INT64_MAX) {
		int at = u->anim_ns <= now ? 0 :
		    (int)((u->anim_ns - now + 999999) / 1000000);

		if (timeout == -1 || at < timeout)
			timeout = at;
	}
	/* The terminal, and the transition sources: what they have is
	 * taken in as it comes (nothing to draw for it). */
	pfd = collector_pollfds(u->c, &n);
	pfd[0].fd = ui_fd();
	pfd[0].events = POLLIN;
	if (poll(pfd, n, timeout) == -1 && errno != EINTR) {
		snprintf(u->err, sizeof u->err, "poll: %s", strerror(errno));
		u->status = 1;
		return -1;
	}
	if (u->anim_ns != INT64_MAX && clock_ns(CLOCK_MONOTONIC) >= u->anim_ns)
		u->draw = 1;
	collector_take(u->c);
	return 0;
}

/* What a key asked for. */
static void
app_ui_react(struct app_ui *u, int react)
{
	if (react & TUI_QUIT) {
		u->quit = 1;
		return;
	}
	if (react & TUI_KILLNOW) {
		app_ui_kill(u->c, &u->t);
		/* Show them gone now, not at the next refresh. */
		react |= TUI_RESCAN;
	}
	if (react & TUI_RESCAN) {
		/* The query changed: rows outside it leave quietly, and
		 * the next dump is now. */
		collector_rescope(u->c, &u->t.filter);
		u->next_ns = clock_ns(CLOCK_MONOTONIC);
	}
	if (react & (TUI_REVIEW | TUI_RESCAN))
		app_view(u->snap, &u->t, &u->v, &u->groups);
	if (react & TUI_DELAY)
		u->next_ns = clock_ns(CLOCK_MONOTONIC) +
		    (int64_t)(u->t.delay * 1e9);
	if (react & TUI_REPAINT)
		u->repaint = 1;
	if ((react & TUI_STEP) && u->l != NULL)
		app_ui_step(u->l, &u->t, &u->fr, u->ltitle, sizeof u->ltitle,
		    u->repaint);
	if (react & TUI_STEP)
		u->next_ns = clock_ns(CLOCK_MONOTONIC);
	u->draw = 1;
}

/* Every key waiting. */
static void
app_ui_keys(struct app_ui *u)
{
	int key;

	while (!u->quit && (key = ui_getkey()) != -1) {
		if (key == TUI_KEY_RESIZE) {
			u->t.rows = ui_list_rows(&u->t);
			tui_set_view(&u->t, &u->v);
			tui_set_groups(&u->t, &u->groups);
			u->draw = 1;
			continue;
		}
		u->t.scroll_max = ui_scroll_max(&u->fr);
		app_ui_react(u, tui_key(&u->t, key));
	}
}

/* The session, the settings and the frame.  Returns 0, or -1 when the
 * terminal could not be taken (the reason in u->err). */
static int
app_ui_open(struct app_ui *u)
{
	struct ui_frame *fr = &u->fr;

	tui_init(&u->t, u->o);
	if (app_settings_load(&u->t, u->o, u->path, sizeof u->path,
	    &u->file, &u->prefs) == -1)
		u->path[0] = '\0';
	collector_thresholds(u->c, u->prefs.alert);
	if (ui_open(u->t.color, u->t.ascii, u->err, sizeof u->err) == -1)
		return -1;
	log_debug("interactive view, delay %gs", u->t.delay);
	view_init(&u->v);
	group_init(&u->groups);
	fr->snap = u->snap;
	fr->tui = &u->t;
	fr->view = &u->v;
	if (u->l != NULL) {
		/* The lesson is about the diagram: show it, beside the
		 * lesson's own sockets. */
		u->t.lesson = 1;
		if (u->t.diagram == TUI_DIAGRAM_OFF)
			u->t.diagram = TUI_DIAGRAM_SPLIT;
		app_lesson_text(u->l, u->ltitle, sizeof u->ltitle, fr);
	} else {
		/* The kernel's counters and the SSH session: a second
		 * header line (not in the lesson, which is about states). */
		fr->kstat = u->snap->kstat;
		fr->ssh = u->snap->ssh;
	}
	ui_header_lines(fr->kstat != NULL || fr->ssh != NULL ? 2 : 1);
	tui_set_view(&u->t, &u->v);
	u->next_ns = u->shown_ns = clock_ns(CLOCK_MONOTONIC);
	u->anim_ns = INT64_MAX;
	u->draw = 1;
	return 0;
}

/* The interactive view; l is the lesson when --lesson runs it. */
int
app_run_ui(struct collector *c, const struct options *o, struct lesson *l)
{
	struct app_ui *u = xcalloc(1, sizeof *u);
	int status;

	u->c = c;
	u->snap = collector_snapshot(c);
	u->o = o;
	u->l = l;
	if (app_ui_open(u) == -1) {
		fprintf(stderr, "tcptop: %s\n", u->err);
		tui_done(&u->t);
		free(u);
		return 1;
	}
	while (!u->quit && !sig_caught) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);

		if (!u->t.paused && !u->snap->ended && now >= u->next_ns)
			app_ui_refresh(u, now);
		if (u->draw)
			app_ui_draw(u);
		if (u->quit || app_ui_wait(u) == -1)
			break;
		app_ui_keys(u);
	}
	ui_close();
	view_done(&u->v);
	group_done(&u->groups);
	if (u->status != 0)
		fprintf(stderr, "tcptop: %s\n", u->err);
	if (u->path[0] != '\0')
		app_settings_save(&u->t, o, &u->file, &u->prefs, u->path);
	tui_done(&u->t);
	status = sig_status(u->status);
	free(u);
	return status;
}
