/* The interactive loop: poll() on the terminal and the transition
 * sources with the next refresh or animation frame as deadline, keys
 * through the keymap, a frame drawn only when something changed; the
 * settings file; the lesson on screen. */
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/diagram.h"
#include "tcptop/diag.h"
#include "tcptop/kill.h"
#include "tcptop/group.h"
#include "tcptop/log.h"
#include "tcptop/settings.h"
#include "tcptop/ui.h"

#include "app_int.h"

/* Settings file: it gives what the command line did not.  *s gets what
 * the file held. */
static int
app_settings_load(struct tui *t, const struct options *o, char *path,
    size_t len, struct settings *s0)
{
	struct settings s;
	char warn[256], err[160];
	int rc;

	memset(s0, 0, sizeof *s0);
	if (settings_path(path, len) == -1)
		return -1;
	rc = settings_load(&s, path, warn, sizeof warn);
	*s0 = s;
	if (rc == -1) {
		tui_message(t, 1, "%s (defaults used, file left alone)", warn);
		log_debug("settings %s: %s", path, warn);
		return -1;
	}
	if (warn[0] != '\0')
		tui_message(t, 0, "%s", warn);
	if ((s.set & SETTINGS_SORT) && !(o->given & OPTIONS_GIVEN_SORT))
		t->sort_key = s.sort_key;
	if ((s.set & SETTINGS_REVERSE) && !(o->given & OPTIONS_GIVEN_REVERSE))
		t->sort_reverse = s.sort_reverse;
	if ((s.set & SETTINGS_DELAY) && !(o->given & OPTIONS_GIVEN_DELAY))
		t->delay = s.delay;
	/* NO_COLOR and --no-color win over the file. */
	if ((s.set & SETTINGS_COLOR) && !o->no_color)
		t->color = s.color;
	if ((s.set & SETTINGS_ASCII) && !(o->given & OPTIONS_GIVEN_ASCII))
		t->ascii = s.ascii;
	if ((s.set & SETTINGS_COLUMNS) && !(o->given & OPTIONS_GIVEN_COLUMNS) &&
	    column_parse_list(s.columns, t->cols, &t->ncols, FIELD_N, err,
	    sizeof err) == -1)
		tui_message(t, 1, "tcptoprc: columns: %s (defaults used)",
		    err);
	if (o->all_netns && !(o->given & OPTIONS_GIVEN_COLUMNS))
		column_prepend(t->cols, &t->ncols, FIELD_N, FIELD_NETNS);
	return 0;
}

/* Save what the session chose.  A value that came from the command line
 * and was not changed on screen is not a setting: the file keeps what it
 * had (one "tcptop --ascii" must not make ASCII permanent), and so does a
 * colour choice forced by NO_COLOR. */
static void
app_settings_save(const struct tui *t, const struct options *o,
    const struct settings *s0, const char *path, char *err, size_t errlen)
{
	struct settings s = *s0;
	uint8_t cols[FIELD_N];
	size_t ncols;
	char perr[160];

	if (!(o->given & OPTIONS_GIVEN_SORT) || t->sort_key != o->sort_key) {
		s.set |= SETTINGS_SORT;
		s.sort_key = t->sort_key;
	}
	if (!(o->given & OPTIONS_GIVEN_REVERSE) ||
	    t->sort_reverse != o->sort_reverse) {
		s.set |= SETTINGS_REVERSE;
		s.sort_reverse = t->sort_reverse;
	}
	if (!(o->given & OPTIONS_GIVEN_DELAY) || t->delay != o->delay) {
		s.set |= SETTINGS_DELAY;
		s.delay = t->delay;
	}
	if (!(o->given & OPTIONS_GIVEN_ASCII) || t->ascii != o->ascii) {
		s.set |= SETTINGS_ASCII;
		s.ascii = t->ascii;
	}
	if (!o->no_color || t->color != !o->no_color) {
		s.set |= SETTINGS_COLOR;
		s.color = t->color;
	}
	if (!(o->given & OPTIONS_GIVEN_COLUMNS) || t->ncols != o->ncols ||
	    memcmp(t->cols, o->cols, o->ncols) != 0) {
		size_t skip = o->all_netns && t->ncols > 1 &&
		    !(o->given & OPTIONS_GIVEN_COLUMNS) &&
		    t->cols[0] == FIELD_NETNS;	/* --all-netns put it there */

		s.set |= SETTINGS_COLUMNS;
		column_fmt_list(t->cols + skip, t->ncols - skip, s.columns,
		    sizeof s.columns);
	} else if ((s.set & SETTINGS_COLUMNS) && column_parse_list(s.columns,
	    cols, &ncols, FIELD_N, perr, sizeof perr) == -1)
		s.set &= ~(unsigned)SETTINGS_COLUMNS;	/* was bad: drop it */
	err[0] = '\0';
	settings_save(&s, path, err, errlen);
}

/* The detail view's fields: the kernel's full answer for the selected
 * socket, asked again at each refresh (a replay has only what it
 * recorded). */
static void
app_detail(struct app_src *a, const struct tui *t, struct ui_frame *fr,
    struct diag_field *out, size_t max)
{
	const struct conn *c = tui_selected(t);
	struct diag *d;
	int n;

	fr->fields = out;
	fr->nfields = 0;
	fr->fields_note = "";
	if (t->mode != TUI_DETAIL || c == NULL)
		return;
	if (a->d == NULL) {
		fr->fields_note = "not in a recording: the kernel is asked "
		    "live, for the selected socket only";
		return;
	}
	if (c->flags & CONN_GONE) {
		fr->fields_note = "the socket is gone";
		return;
	}
	if ((d = app_netns_diag(a, c->s.netns)) == NULL) {
		fr->fields_note = "the socket is gone with its namespace";
		return;
	}
	n = diag_lookup(d, &c->s, out, max);
	if (n == -1) {
		fr->fields_note = errno == ENOENT ? "the socket is gone" :
		    "the kernel did not answer";
		log_debug("lookup: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		fr->fields_note = c->s.state == TCP_TIME_WAIT ||
		    c->s.state == TCP_SYN_RECV ? "none: the kernel keeps a "
		    "minisocket without tcp_info for this state" :
		    "none for this socket";
		return;
	}
	fr->nfields = (size_t)n;
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

static int
app_keep(void *arg, const struct conn_sample *s)
{
	return filter_match(arg, s);
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
app_view(struct app_src *a, struct tui *t, struct view *v,
    struct groups *g, const struct field_ctx *cx)
{
	struct app_drill d = { g, t, cx };

	t->cx = cx;
	view_build(v, a->tab, &t->filter, t->sort_key, t->sort_reverse, 1);
	t->rows = ui_list_rows(t);
	if (t->group_kind != GROUP_NONE) {
		g->sort_state = t->group_sort;
		group_build(g, t->group_kind, v, a->tab, cx);
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
app_ui_kill(struct app_src *a, struct tui *t)
{
	if (a->d == NULL) {
		kill_clear(&t->kill);
		t->mode = TUI_LIST;
		tui_message(t, 1, "kill: a recording has no sockets to "
		    "destroy");
		return;
	}
	app_kill_list(a, &t->kill);
	tui_kill_close(t, 1);
}

/* The interactive view; l is the lesson when --lesson runs it. */
int
app_run_ui(struct app_src *a, const struct options *o, struct lesson *l)
{
	struct tui t;
	struct view v;
	struct groups groups;
	struct ui_frame fr;
	struct diag_field fields[DIAG_LOOKUP_MAX];
	struct settings saved;
	char path[4096], err[320], ltitle[200];
	int64_t next_ns, now, shown_ns, anim_ns = INT64_MAX;
	long refreshes = 0;
	int status = 0, draw = 1, repaint = 0, quit = 0, have_path;
	int replay_done = 0;

	tui_init(&t, o);
	have_path = app_settings_load(&t, o, path, sizeof path, &saved) == 0;
	app_alerts_settings(a, &saved);
	if (ui_open(t.color, t.ascii, err, sizeof err) == -1) {
		fprintf(stderr, "tcptop: %s\n", err);
		return 1;
	}
	log_debug("interactive view, delay %gs", t.delay);
	view_init(&v);
	group_init(&groups);
	memset(&fr, 0, sizeof fr);
	fr.tui = &t;
	fr.view = &v;
	fr.host = a->r.host;
	fr.source = a->rp != NULL ? "replay" : "kernel";
	fr.root = geteuid() == 0;
	if (l != NULL) {
		/* The lesson is about the diagram: show it, beside the
		 * lesson's own sockets. */
		t.lesson = 1;
		if (t.diagram == TUI_DIAGRAM_OFF)
			t.diagram = TUI_DIAGRAM_SPLIT;
		app_lesson_text(l, ltitle, sizeof ltitle, &fr);
	}
	if (l == NULL) {
		/* The kernel's counters and the SSH session: a second
		 * header line (not in the lesson, which is about states). */
		fr.kstat = a->r.kstat;
		fr.ssh = a->r.ssh;
	}
	ui_header_lines(fr.kstat != NULL || fr.ssh != NULL ? 2 : 1);
	tui_set_view(&t, &v);
	next_ns = app_clock_ns(CLOCK_MONOTONIC);
	shown_ns = next_ns;
	while (!quit && !app_signal) {
		int timeout, key, rc;
		size_t i;

		now = app_clock_ns(CLOCK_MONOTONIC);
		if (!t.paused && !replay_done && now >= next_ns) {
			rc = app_src_refresh(a, &t.filter);
			if (rc == APP_CORRUPT && status == 0) {
				/* Shown on the status line over the last good
				 * frame, and said again on exit. */
				snprintf(err, sizeof err, "--replay %s", a->err);
				status = 2;
			}
			if (rc == APP_END || rc == APP_CORRUPT)
				replay_done = 1;
			if (rc == APP_OK && a->err[0] != '\0' && status == 0) {
				/* The recording stopped. */
				snprintf(err, sizeof err, "%s", a->err);
				status = 1;
			}
			if (rc == APP_OK) {
				shown_ns = now;
				t.nalerts = a->r.nalerts;
				app_view(a, &t, &v, &groups, &fr.cols);
			}
			if (a->err[0] != '\0')
				log_debug("refresh: %s", a->err);
			refreshes++;
			draw = 1;
			next_ns += (int64_t)(t.delay * 1e9);
			if (next_ns <= now)
				next_ns = now + (int64_t)(t.delay * 1e9);
			if (o->iterations > 0 && refreshes >= o->iterations)
				quit = 1;
		}
		if (draw) {
			fr.realtime_ns = a->r.realtime_ns;
			fr.now_ms = a->r.fields.now_ms;
			app_column_ctx(a, &fr.cols);
			fr.inconsistent = a->r.inconsistent;
			fr.dumped = a->r.dumped;
			fr.error = a->err;
			fr.replay_done = replay_done;
			fr.ssh_conn = fr.ssh != NULL ? ssh_find(fr.ssh, &v) :
			    NULL;
			app_trans_describe(a, t.delay);
			fr.trans = a->trans;
			fr.trans_source = a->trans_source;
			fr.alerts = a->r.alerts;
			fr.nalerts = a->r.nalerts;
			fr.alerts_more = a->r.alerts_more;
			app_detail(a, &t, &fr, fields, DIAG_LOOKUP_MAX);
			t.rows = ui_list_rows(&t);
			/* The animation's clock runs on from the data's,
			 * so a replay fades as the live view does. */
			now = app_clock_ns(CLOCK_MONOTONIC);
			fr.anim_ms = a->r.fields.now_ms + (now - shown_ns) / 1000000;
			ui_draw(&fr, repaint);
			draw = repaint = 0;
			anim_ns = app_anim_deadline(&t, a->trans, fr.anim_ms,
			    now);
		}
		if (quit)
			break;
		/* Sleep until a key or the next refresh; nothing runs in
		 * between, so an idle tcptop costs nothing. */
		timeout = -1;
		now = app_clock_ns(CLOCK_MONOTONIC);
		if (!t.paused && !replay_done)
			timeout = next_ns <= now ? 0 :
			    (int)((next_ns - now + 999999) / 1000000);
		/* An edge still fading wakes us for its next frame. */
		if (anim_ns != INT64_MAX) {
			int at = anim_ns <= now ? 0 :
			    (int)((anim_ns - now + 999999) / 1000000);

			if (timeout == -1 || at < timeout)
				timeout = at;
		}
		/* The terminal, and the transition sources: what they have
		 * is taken in as it comes (nothing to draw for it). */
		a->pfd[0].fd = ui_fd();
		a->pfd[0].events = POLLIN;
		if (poll(a->pfd, a->npfd, timeout) == -1 && errno != EINTR) {
			snprintf(err, sizeof err, "poll: %s", strerror(errno));
			status = 1;
			break;
		}
		if (anim_ns != INT64_MAX &&
		    app_clock_ns(CLOCK_MONOTONIC) >= anim_ns)
			draw = 1;
		for (i = 1; i < a->npfd; i++)
			if (app_source_ready(a, i)) {
				app_trans_drain(a);
				break;
			}
		while ((key = ui_getkey()) != -1) {
			int react;

			if (key == TUI_KEY_RESIZE) {
				t.rows = ui_list_rows(&t);
				tui_set_view(&t, &v);
				tui_set_groups(&t, &groups);
				draw = 1;
				continue;
			}
			t.scroll_max = ui_scroll_max(&fr);
			react = tui_key(&t, key);
			if (react & TUI_QUIT) {
				quit = 1;
				break;
			}
			if (react & TUI_KILLNOW) {
				app_ui_kill(a, &t);
				/* Show them gone now, not at the next
				 * refresh. */
				react |= TUI_RESCAN;
			}
			if (react & TUI_RESCAN) {
				/* The query changed: rows outside it leave
				 * quietly, and the next dump is now. */
				conntab_rescope(a->tab, app_keep, &t.filter);
				next_ns = app_clock_ns(CLOCK_MONOTONIC);
			}
			if (react & (TUI_REVIEW | TUI_RESCAN))
				app_view(a, &t, &v, &groups, &fr.cols);
			if (react & TUI_DELAY)
				next_ns = app_clock_ns(CLOCK_MONOTONIC) +
				    (int64_t)(t.delay * 1e9);
			if (react & TUI_REPAINT)
				repaint = 1;
			if ((react & TUI_STEP) && l != NULL)
				app_ui_step(l, &t, &fr, ltitle, sizeof ltitle,
				    repaint);
			if (react & TUI_STEP)
				next_ns = app_clock_ns(CLOCK_MONOTONIC);
			draw = 1;
		}
	}
	ui_close();
	view_done(&v);
	tui_done(&t);
	group_done(&groups);
	if (status != 0)
		fprintf(stderr, "tcptop: %s\n", err);
	if (have_path) {
		app_settings_save(&t, o, &saved, path, err, sizeof err);
		if (err[0] != '\0') {
			fprintf(stderr, "tcptop: settings not saved: %s\n",
			    err);
			log_debug("settings: %s", err);
		}
	}
	if (app_signal != 0 && status == 0)
		status = 128 + app_signal;
	return status;
}
