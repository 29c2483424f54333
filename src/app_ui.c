/* The interactive loop: poll() on the terminal and the transition
 * sources with the next refresh or animation frame as deadline; each
 * refresh's snapshot into the session's rows, keys through the screens,
 * a frame drawn only when something changed; tcptoprc; the lesson on
 * screen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/clock.h"
#include "tcptop/diagram.h"
#include "tcptop/keys.h"
#include "tcptop/layout.h"
#include "tcptop/log.h"
#include "tcptop/prefs.h"
#include "tcptop/screens.h"
#include "tcptop/session.h"
#include "tcptop/settings.h"
#include "tcptop/sig.h"
#include "tcptop/ssh.h"
#include "tcptop/ui.h"
#include "tcptop/xmalloc.h"

#include "app_int.h"

/* How long one slice of the walk of /proc reads at most, between keys
 * and frames. */
#define APP_UI_SLICE_MS		15

/* The interactive loop's state. */
struct app_ui {
	struct collector *c;
	const struct snapshot *snap;
	const struct options *o;
	struct lesson *l;		/* --lesson on screen, or NULL */
	struct exporter *e;		/* --listen, --prometheus-file */
	struct session s;
	struct frame fr;
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
	int once;			/* refresh once though paused */
	int unpaced;			/* paused since the last refresh */
};

/* tcptoprc merged under the command line (prefs.c).  Its path stays
 * "" when the file must not be written on quit (no path, or broken: the
 * user's text would be replaced). */
static void
app_ui_settings(struct app_ui *u, char *msg, size_t len, int *error)
{
	char warn[256], pwarn[256];
	int rc = -1;

	msg[0] = '\0';
	*error = 0;
	if (settings_path(u->path, sizeof u->path) == 0) {
		rc = settings_load(&u->file, u->path, warn, sizeof warn);
		if (rc == -1) {
			snprintf(msg, len, "%s (defaults used, file left "
			    "alone)", warn);
			*error = 1;
			log_debug("settings %s: %s", u->path, warn);
		} else if (warn[0] != '\0')
			snprintf(msg, len, "%s", warn);
	}
	/* Where the file cannot be written (a link, another user's file
	 * or directory), say so now rather than on quit. */
	if (rc != -1 && u->path[0] != '\0' &&
	    settings_check(u->path, warn, sizeof warn) == -1) {
		snprintf(msg, len, "settings will not be saved: %s", warn);
		*error = 1;
		log_debug("settings: %s", warn);
		rc = -1;
	}
	if (rc == -1)
		u->path[0] = '\0';
	prefs_merge(&u->prefs, u->o, &u->file, pwarn, sizeof pwarn);
	if (pwarn[0] != '\0') {
		snprintf(msg, len, "%s", pwarn);
		*error = 1;
	}
}

/* Save what the session chose (prefs_unmerge says what of it). */
static void
app_ui_save(struct app_ui *u)
{
	struct settings s;
	char err[320];

	session_prefs(&u->s, &u->prefs);
	prefs_unmerge(&u->prefs, u->o, &u->file, &s);
	if (settings_save(&s, u->path, err, sizeof err) == -1) {
		fprintf(stderr, "tcptop: settings not saved: %s\n", err);
		log_debug("settings: %s", err);
	}
}

/* --lesson on screen: the step's title and text for the lesson. */
static void
app_ui_lesson_text(struct app_ui *u)
{
	struct lesson_info li;

	lesson_current(u->l, &li);
	if (li.n == 0)
		snprintf(u->ltitle, sizeof u->ltitle, "Lesson: %d steps%s%s",
		    li.nsteps, li.note[0] != '\0' ? " (" : "",
		    li.note[0] != '\0' ? "some cannot be held: see the text)" :
		    "");
	else
		snprintf(u->ltitle, sizeof u->ltitle, "Step %d/%d  %s: %s%s",
		    li.n, li.nsteps, li.part, li.title, li.held ? "" :
		    " (not held here)");
	u->fr.lesson_title = u->ltitle;
	u->fr.lesson_text = li.n == 0 && li.note[0] != '\0' ? li.note :
	    li.text;
}

/* The view's rows by owner bucket, for the header and the status line:
 * counted as the view was built (view.owners). */
static void
app_ui_owner_counts(struct app_ui *u)
{
	memcpy(u->fr.owners, u->s.view.owners, sizeof u->fr.owners);
}

/* Space in --lesson: the next step, said on the status line while its
 * sockets settle (a dropped segment's retransmission can take a
 * second). */
static void
app_ui_step(struct app_ui *u)
{
	char err[512];
	int rc;

	session_message(&u->s, 0, "working on the next step...");
	app_ui_owner_counts(u);
	layout_draw(&u->fr, u->repaint);
	rc = lesson_step(u->l, err, sizeof err);
	u->s.msg[0] = '\0';
	if (rc == 0)
		session_message(&u->s, 0, "that was the last step: q ends the "
		    "lesson and removes its sockets");
	else if (rc == -1 && errno != EINTR) {
		session_message(&u->s, 1, "lesson: %s", err);
		log_debug("lesson: %s", err);
	}
	app_ui_lesson_text(u);
}

/* The session's rows of the last snapshot, placed as the screen is. */
static void
app_ui_view(struct app_ui *u)
{
	layout_measure(&u->s, &u->fr);
	session_view(&u->s, u->snap);
}

/* The refresh that is due, into the view. */
static void
app_ui_refresh(struct app_ui *u, int64_t now)
{
	int rc = collector_refresh(u->c, &u->s.filter);

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
		app_ui_view(u);
	}
	/* The metrics count what the dump matched (the session's filter),
	 * not the view's drill-down; a failed refresh says so in them. */
	if (u->e != NULL && (rc == COLLECT_OK || rc == COLLECT_FAIL) &&
	    exporter_publish(u->e, u->snap, &u->s.filter) == -1)
		session_message(&u->s, 1, "%s", exporter_error(u->e));
	if (u->snap->error[0] != '\0')
		log_debug("refresh: %s", u->snap->error);
	u->refreshes++;
	u->draw = 1;
	u->next_ns += (int64_t)(u->s.delay * 1e9);
	if (u->next_ns <= now)
		u->next_ns = now + (int64_t)(u->s.delay * 1e9);
	if (u->o->iterations > 0 && u->refreshes >= u->o->iterations)
		u->quit = 1;
}

/* When the diagram's next frame is due (monotonic ns), INT64_MAX when
 * it is not shown or nothing on it moves. */
static int64_t
app_ui_anim(const struct app_ui *u, int64_t now_ns)
{
	int64_t next;

	if (!layout_animates(&u->fr))
		return INT64_MAX;
	next = diagram_next_frame(u->snap->trans, u->fr.anim_ms);
	if (next == INT64_MAX)
		return INT64_MAX;
	return now_ns + (next - u->fr.anim_ms) * 1000000;
}

/* Between full dumps only the rows on screen are asked for in full:
 * tell the collector which, and whether the sort lets the model be kept
 * from events at all (a sort by a field every row must have fresh, the
 * rtt say, needs every socket's tcp_info: every refresh dumps). */
static void
app_ui_watch(struct app_ui *u)
{
	const struct field *f = &field_table[u->s.sort_key];
	size_t top = u->s.top, n = u->s.view.n, k;
	char why[96];

	if (f->flags & FIELD_F_STALE) {
		snprintf(why, sizeof why, "sorted by %s, which only a dump "
		    "keeps fresh for every row", f->name);
		collector_events(u->c, why);
	} else
		collector_events(u->c, NULL);
	if (top > n)
		top = n;
	k = u->s.rows > 0 ? (size_t)u->s.rows : 0;
	if (k > n - top)
		k = n - top;
	collector_watch(u->c, (const struct conn *const *)u->s.view.rows +
	    top, k);
}

static void
app_ui_draw(struct app_ui *u)
{
	struct frame *fr = &u->fr;
	const struct conn *row = session_selected(&u->s);
	int64_t now;

	fr->ssh_conn = fr->kernel_line && u->snap->ssh != NULL ?
	    ssh_find(u->snap->ssh, &u->s.view) : NULL;
	collector_describe(u->c, u->s.delay);
	/* The detail view: the kernel's full answer for the selected
	 * socket, asked again at each frame. */
	fr->nfields = 0;
	fr->fields_note = "";
	if (screens_lookup(&u->s) && row != NULL)
		fr->nfields = collector_lookup(u->c, row, u->fields,
		    DIAG_LOOKUP_MAX, &fr->fields_note);
	layout_measure(&u->s, fr);
	/* The animation's clock runs on from the data's, so a replay fades
	 * as the live view does. */
	now = clock_ns(CLOCK_MONOTONIC);
	fr->anim_ms = u->snap->fields.now_ms + (now - u->shown_ns) / 1000000;
	app_ui_owner_counts(u);
	layout_draw(fr, u->repaint);
	app_ui_watch(u);
	u->draw = u->repaint = 0;
	u->anim_ns = app_ui_anim(u, now);
}

/* The poll timeout (ms, -1 none) made no later than the deadline at
 * (monotonic ns, INT64_MAX none). */
static void
app_ui_timeout(int *timeout, int64_t at, int64_t now)
{
	int ms;

	if (at == INT64_MAX)
		return;
	ms = at <= now ? 0 : (int)((at - now + 999999) / 1000000);
	if (*timeout == -1 || ms < *timeout)
		*timeout = ms;
}

/* Sleep until a key, the next refresh, the diagram's next frame or the
 * next slice of the walk of /proc;
 * nothing runs in between, so an idle tcptop costs nothing.  Returns
 * -1 when poll failed. */
static int
app_ui_wait(struct app_ui *u)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	struct pollfd *pfd;
	size_t n;
	int timeout = -1;

	if ((!u->s.paused || u->once) && !u->snap->ended)
		timeout = u->next_ns <= now ? 0 :
		    (int)((u->next_ns - now + 999999) / 1000000);
	app_ui_timeout(&timeout, u->anim_ns, now);
	/* The walk of /proc under way: its next slice, unless paused (a
	 * paused screen holds still, its owners too). */
	if (!u->s.paused)
		app_ui_timeout(&timeout, collector_owners_at(u->c), now);
	/* The terminal, and the transition sources: what they have is
	 * taken in as it comes (nothing to draw for it). */
	pfd = collector_pollfds(u->c, &n);
	app_ui_timeout(&timeout, collector_take_at(u->c), now);
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
	if (react & REACT_QUIT) {
		u->quit = 1;
		return;
	}
	collector_resolve(u->c, u->s.resolve);	/* r, R */
	if (react & REACT_RESCAN) {
		/* The query changed: rows outside it leave quietly, and
		 * the next dump is now. */
		collector_rescope(u->c, &u->s.filter);
		u->next_ns = clock_ns(CLOCK_MONOTONIC);
	}
	if (react & (REACT_REVIEW | REACT_RESCAN))
		app_ui_view(u);
	if (react & REACT_DELAY)
		u->next_ns = clock_ns(CLOCK_MONOTONIC) +
		    (int64_t)(u->s.delay * 1e9);
	if (react & REACT_NOW) {
		u->next_ns = clock_ns(CLOCK_MONOTONIC);
		u->once = 1;
	}
	if (react & REACT_REPAINT)
		u->repaint = 1;
	if ((react & REACT_STEP) && u->l != NULL)
		app_ui_step(u);
	if (react & REACT_STEP)
		u->next_ns = clock_ns(CLOCK_MONOTONIC);
	u->draw = 1;
}

/* Every key waiting, and their answer drawn at once: a refresh that is
 * due, or overdue (at a million sockets one takes seconds), must not
 * hold it back, unless a key asked for that refresh. */
static void
app_ui_keys(struct app_ui *u)
{
	int key, react, refresh = 0;

	while (!u->quit && (key = ui_getkey()) != -1) {
		layout_measure(&u->s, &u->fr);
		if (key == K_RESIZE) {
			u->draw = 1;
			continue;
		}
		if (key == K_CLICK || key == K_WHEEL_UP ||
		    key == K_WHEEL_DOWN)
			react = layout_mouse(&u->s, &u->fr, key);
		else
			react = screens_key(&u->s, key);
		refresh |= react & (REACT_RESCAN | REACT_NOW | REACT_STEP);
		app_ui_react(u, react);
	}
	if (u->draw && !u->quit && !refresh)
		app_ui_draw(u);
}

/* Whether a key (or a resize) waits to be read. */
static int
app_ui_input(void)
{
	struct pollfd p = { .fd = ui_fd(), .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* The walk of /proc, when a slice is due: APP_UI_SLICE_MS, or, when the
 * next refresh is already due (at a million sockets refreshes come back
 * to back, and the walk must go on), slices of it up to a quarter of a
 * refresh's time; the owners into the view when it ends.  Slices, with
 * the terminal looked at between them, so a key is answered within one:
 * after the first full refresh of a million sockets (3.6 s) a quarter
 * in one piece held a key for 900 ms. */
static void
app_ui_owners(struct app_ui *u)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC), start = now;
	int64_t slice = (int64_t)APP_UI_SLICE_MS * 1000000, budget = slice;

	if (u->s.paused || collector_owners_at(u->c) > now)
		return;
	if (now >= u->next_ns &&
	    u->snap->refresh_ms / 4 * 1000000 > budget)
		budget = (int64_t)u->snap->refresh_ms / 4 * 1000000;
	for (;;) {
		if (collector_owners_step(u->c, slice)) {
			app_ui_view(u);
			u->draw = 1;
			return;
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (now - start >= budget || collector_owners_at(u->c) > now ||
		    app_ui_input())
			return;
	}
}

/* y in the kill window: destroy what it listed. */
static void
app_ui_destroy(void *arg, struct kill_list *k)
{
	collector_destroy(arg, k);
}

/* The session, the settings, the frame and the terminal.  Returns 0,
 * or -1 when the terminal cannot hold the view (the reason in u->err). */
static int
app_ui_open(struct app_ui *u)
{
	struct frame *fr = &u->fr;
	char msg[300];
	int error;

	app_ui_settings(u, msg, sizeof msg, &error);
	session_init(&u->s, u->o, &u->prefs);
	if (msg[0] != '\0')
		session_message(&u->s, error, "%s", msg);
	u->s.destroy = app_ui_destroy;
	u->s.destroy_arg = u->c;
	collector_resolve(u->c, u->s.resolve);
	collector_thresholds(u->c, u->prefs.alert);
	/* The first screen does not wait for the first walk of /proc. */
	collector_owners_async(u->c);
	screens_start(&u->s, u->o->group);
	if (ui_open(u->s.color, u->s.ascii, u->s.mouse, u->err, sizeof u->err) == -1)
		return -1;
	log_debug("interactive view, delay %gs", u->s.delay);
	fr->snap = u->snap;
	fr->s = &u->s;
	fr->fields = u->fields;
	if (u->l != NULL) {
		/* The lesson is about the diagram: show it, beside the
		 * lesson's own sockets. */
		u->s.lesson = 1;
		if (u->s.diagram == SESSION_DIAGRAM_OFF)
			u->s.diagram = SESSION_DIAGRAM_SPLIT;
		app_ui_lesson_text(u);
	} else
		/* The kernel's counters and the SSH session: a second
		 * header line (not in the lesson, which is about states). */
		fr->kernel_line = u->snap->kstat != NULL ||
		    u->snap->ssh != NULL;
	app_ui_view(u);
	u->next_ns = u->shown_ns = clock_ns(CLOCK_MONOTONIC);
	u->anim_ns = INT64_MAX;
	u->draw = 1;
	return 0;
}

int
app_run_ui(struct collector *c, const struct options *o, struct lesson *l,
    struct exporter *e)
{
	struct app_ui *u = xcalloc(1, sizeof *u);
	int status;

	u->c = c;
	u->snap = collector_snapshot(c);
	u->o = o;
	u->l = l;
	u->e = e;
	if (app_ui_open(u) == -1) {
		/* Not a terminal, or none that can draw it: the command
		 * line asks for what cannot be, -b is the way (usage). */
		fprintf(stderr, "tcptop: %s\n", u->err);
		session_done(&u->s);
		free(u);
		return 2;
	}
	while (!u->quit && !sig_caught) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);

		/* A pause breaks the pace: the refresh after it (or one
		 * asked for during it) is not late. */
		if (u->s.paused)
			u->unpaced = 1;
		/* A key that came during a slice of the walk is answered
		 * before the refresh it made late (at a million sockets,
		 * one is 200 ms). */
		if (app_ui_input())
			app_ui_keys(u);
		if ((!u->s.paused || u->once) && !u->snap->ended &&
		    now >= u->next_ns) {
			if (u->unpaced)
				collector_unpaced(u->c);
			u->unpaced = u->s.paused;
			u->once = 0;
			app_ui_refresh(u, now);
		}
		if (u->draw)
			app_ui_draw(u);
		if (u->quit || app_ui_wait(u) == -1)
			break;
		app_ui_keys(u);
		app_ui_owners(u);
	}
	ui_close();
	if (u->status != 0)
		fprintf(stderr, "tcptop: %s\n", u->err);
	if (u->path[0] != '\0')
		app_ui_save(u);
	session_done(&u->s);
	status = sig_status(u->status);
	free(u);
	return status;
}
