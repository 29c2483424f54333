/* The interactive session's state: selection that follows a connection,
 * the prompt line, search; no curses. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcptop/conntab.h"
#include "tcptop/keymap.h"
#include "tcptop/field.h"
#include "tcptop/tcpstate.h"
#include "tcptop/tui.h"

void
tui_init(struct tui *t, const struct options *o)
{
	memset(t, 0, sizeof *t);
	t->filter = o->filter;
	t->sort_key = o->sort_key;
	t->sort_reverse = o->sort_reverse;
	t->delay = o->delay < TUI_DELAY_MIN ? TUI_DELAY_MIN : o->delay;
	t->color = !o->no_color;
	t->ascii = o->ascii;
	memcpy(t->cols, o->cols, o->ncols);
	t->ncols = o->ncols;
	t->highlight_ms = (int64_t)(o->tombstone * 1000);
	t->mode = TUI_LIST;
	if (o->group != GROUP_NONE) {
		t->group_kind = o->group;
		t->mode = TUI_GROUPS;
	}
	t->diagram = o->diagram ? TUI_DIAGRAM_SPLIT : TUI_DIAGRAM_OFF;
	t->rows = 1;
	t->replay = o->replay != NULL;
	filter_fmt_ports(&t->filter, t->port_text, sizeof t->port_text);
	if (o->expr != NULL)
		snprintf(t->expr_text, sizeof t->expr_text, "%s", o->expr);
}

void
tui_done(struct tui *t)
{
	kill_done(&t->kill);
}

static int
tui_same(const struct conn_sample *a, const struct conn_sample *b)
{
	if (a->cookie != 0 || b->cookie != 0)
		return a->cookie == b->cookie;
	return a->family == b->family && a->lport == b->lport &&
	    a->rport == b->rport && memcmp(a->local, b->local, 16) == 0 &&
	    memcmp(a->remote, b->remote, 16) == 0;
}

/* The first row on screen that keeps row sel of n in view, as close to
 * top as can be: the list and the groups scroll alike. */
static size_t
tui_fit(const struct tui *t, size_t sel, size_t top, size_t n)
{
	size_t rows = t->rows > 0 ? (size_t)t->rows : 1;

	if (sel < top)
		top = sel;
	if (sel >= top + rows)
		top = sel - rows + 1;
	/* No empty space below the last row while rows are hidden above. */
	if (n > rows && top > n - rows)
		top = n - rows;
	if (n <= rows)
		top = 0;
	return top;
}

/* Row i moved by delta, not above the first (the callee clamps below). */
static size_t
tui_step(size_t i, long delta)
{
	long to = (long)i + delta;

	return to < 0 ? 0 : (size_t)to;
}

/* Keep the selection on screen. */
static void
tui_scroll(struct tui *t)
{
	t->top = tui_fit(t, t->sel, t->top, t->view != NULL ? t->view->n : 0);
}

static void
tui_remember(struct tui *t)
{
	if (t->view != NULL && t->sel < t->view->n) {
		t->sel_id = t->view->rows[t->sel]->s;
		t->has_sel = 1;
	} else
		t->has_sel = 0;
}

/* Copy c's path into the follow state. */
static void
tui_follow_copy(struct tui *t, const struct conn *c)
{
	t->follow_id = c->s;
	t->follow_n = conntab_path(c, t->follow_states, 8);
	conntab_path_times(c, t->follow_ms, 8);
	t->follow_flags = c->flags & (CONN_PREEXISTING | CONN_PATH_CUT);
	if ((c->flags & CONN_GONE) && !t->follow_gone) {
		t->follow_gone = 1;
		t->follow_gone_ms = c->gone_ms;
	}
}

void
tui_follow(struct tui *t, const struct conn *c)
{
	t->follow = c != NULL;
	t->follow_gone = 0;
	if (c != NULL)
		tui_follow_copy(t, c);
}

int
tui_explain_state(const struct tui *t)
{
	const struct conn *c = tui_selected(t);

	if (t->follow && t->follow_n > 0)
		return t->follow_states[t->follow_n - 1];
	return c != NULL ? c->s.state : 0;
}

/* A new view: the followed connection's path as it is now; when it is
 * not there any more, its last path stays. */
static void
tui_follow_view(struct tui *t, const struct view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (tui_same(&v->rows[i]->s, &t->follow_id)) {
			tui_follow_copy(t, v->rows[i]);
			return;
		}
	if (!t->follow_gone) {
		t->follow_gone = 1;
		t->follow_gone_ms = INT64_MIN;	/* between refreshes */
	}
}

void
tui_set_view(struct tui *t, const struct view *v)
{
	size_t i;

	t->view = v;
	if (t->follow)
		tui_follow_view(t, v);
	if (v->n == 0) {
		t->sel = t->top = 0;
		t->has_sel = 0;
		return;
	}
	if (t->has_sel) {
		/* The row usually kept its place: look there first. */
		if (t->sel < v->n && tui_same(&v->rows[t->sel]->s, &t->sel_id))
			goto done;
		for (i = 0; i < v->n; i++)
			if (tui_same(&v->rows[i]->s, &t->sel_id)) {
				t->sel = i;
				goto done;
			}
	}
	if (t->sel >= v->n)
		t->sel = v->n - 1;
done:
	tui_remember(t);
	tui_scroll(t);
}

const struct conn *
tui_selected(const struct tui *t)
{
	if (t->view == NULL || t->sel >= t->view->n)
		return NULL;
	return t->view->rows[t->sel];
}

void
tui_move_to(struct tui *t, size_t i)
{
	size_t n = t->view != NULL ? t->view->n : 0;

	if (n == 0)
		return;
	t->sel = i < n ? i : n - 1;
	tui_remember(t);
	tui_scroll(t);
}

void
tui_move(struct tui *t, long delta)
{
	tui_move_to(t, tui_step(t->sel, delta));
}

void
tui_message(struct tui *t, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_error = error;
}

double
tui_delay_step(double delay, int dir)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 30,
	    60, 300, 3600 };
	size_t n = sizeof steps / sizeof steps[0], i;

	if (dir > 0) {
		for (i = 0; i < n; i++)
			if (steps[i] > delay + 1e-9)
				return steps[i];
		return steps[n - 1];
	}
	for (i = n; i > 0; i--)
		if (steps[i - 1] < delay - 1e-9)
			return steps[i - 1];
	return steps[0];
}

/* Kill ------------------------------------------------------------------ */

int
tui_kill_open(struct tui *t, int all)
{
	const struct conn *c = tui_selected(t);

	kill_clear(&t->kill);
	if (t->replay) {
		tui_message(t, 1, "a recording has no sockets to destroy");
		return TUI_REDRAW;
	}
	if (all && t->view != NULL)
		kill_from_view(&t->kill, t->view);
	else if (!all && c != NULL && !(c->flags & CONN_GONE))
		kill_add(&t->kill, &c->s);
	if (t->kill.n == 0) {
		tui_message(t, 0, all ? "nothing to destroy: the view is "
		    "empty" : c != NULL ? "the selected connection is gone "
		    "already" : "no connection selected");
		return TUI_REDRAW;
	}
	t->kill_all = all;
	t->mode = TUI_KILL;
	t->scroll = 0;
	return TUI_REDRAW;
}

void
tui_kill_close(struct tui *t, int done)
{
	char sum[160];

	if (done) {
		kill_summary(&t->kill, sum, sizeof sum);
		tui_message(t, kill_count_failed(&t->kill) > 0, "kill: %s",
		    sum);
	} else
		tui_message(t, 0, "kill cancelled: nothing destroyed");
	kill_clear(&t->kill);
	t->mode = TUI_LIST;
}

/* Groups ---------------------------------------------------------------- */

int
tui_home(const struct tui *t)
{
	return t->group_kind != GROUP_NONE && !t->drill ? TUI_GROUPS :
	    TUI_LIST;
}

/* Keep the selected group on screen; it shares the list's rows. */
static void
tui_group_scroll(struct tui *t)
{
	t->group_top = tui_fit(t, t->group_sel, t->group_top,
	    t->groups != NULL ? t->groups->n : 0);
}

static void
tui_group_remember(struct tui *t)
{
	const struct group *gr = tui_group_selected(t);

	t->group_has_sel = gr != NULL;
	if (gr != NULL)
		t->group_sel_key = gr->key;
}

void
tui_set_groups(struct tui *t, const struct groups *g)
{
	const struct group *gr;

	t->groups = g;
	if (g->n == 0) {
		t->group_sel = t->group_top = 0;
		return;
	}
	/* The groups are re-sorted each refresh: find it by key. */
	if (t->group_has_sel &&
	    (gr = group_find(g, &t->group_sel_key)) != NULL)
		t->group_sel = (size_t)(gr - g->v);
	else if (t->group_sel >= g->n)
		t->group_sel = g->n - 1;
	tui_group_remember(t);
	tui_group_scroll(t);
}

const struct group *
tui_group_selected(const struct tui *t)
{
	if (t->groups == NULL || t->group_sel >= t->groups->n)
		return NULL;
	return &t->groups->v[t->group_sel];
}

void
tui_group_move_to(struct tui *t, size_t i)
{
	size_t n = t->groups != NULL ? t->groups->n : 0;

	if (n == 0)
		return;
	t->group_sel = i < n ? i : n - 1;
	tui_group_remember(t);
	tui_group_scroll(t);
}

void
tui_group_move(struct tui *t, long delta)
{
	tui_group_move_to(t, tui_step(t->group_sel, delta));
}

/* The column chooser ------------------------------------------------------ */

int
tui_columns_index(const struct tui *t, int id)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i] == id)
			return (int)i;
	return -1;
}

size_t
tui_columns_list(const struct tui *t, uint8_t *ids)
{
	size_t n = 0, i;

	for (i = 0; i < t->ncols; i++)
		ids[n++] = t->cols[i];
	for (i = 0; i < FIELD_N; i++)
		if (field_is_column((int)i) && tui_columns_index(t, (int)i) < 0)
			ids[n++] = (uint8_t)i;
	return n;
}

/* The highlight's place in the chooser's list. */
static size_t
tui_columns_pos(const struct tui *t, const uint8_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == t->col_sel)
			return i;
	return 0;
}

void
tui_columns_open(struct tui *t)
{
	t->mode = TUI_COLUMNS;
	t->col_sel = t->ncols > 0 ? t->cols[0] : 0;
}

void
tui_columns_step(struct tui *t, int delta)
{
	uint8_t ids[FIELD_N];
	size_t n = tui_columns_list(t, ids);
	size_t i = tui_step(tui_columns_pos(t, ids, n), delta);

	t->col_sel = ids[i < n ? i : n - 1];
}

int
tui_columns_toggle(struct tui *t)
{
	int k = tui_columns_index(t, t->col_sel);

	if (k < 0) {
		if (t->ncols >= FIELD_N || t->col_sel < 0 ||
		    t->col_sel >= FIELD_N)
			return -1;
		t->cols[t->ncols++] = (uint8_t)t->col_sel;
		return 0;
	}
	/* An empty list would have nothing to show or select by. */
	if (t->ncols <= 1) {
		tui_message(t, 1, "at least one column stays shown");
		return -1;
	}
	memmove(t->cols + k, t->cols + k + 1, t->ncols - (size_t)k - 1);
	t->ncols--;
	return 0;
}

int
tui_columns_move(struct tui *t, int dir)
{
	int k = tui_columns_index(t, t->col_sel), j = k + dir;
	uint8_t tmp;

	if (k < 0) {
		tui_message(t, 0, "a hidden column has no place: Space "
		    "shows it");
		return -1;
	}
	if (j < 0 || j >= (int)t->ncols)
		return -1;
	tmp = t->cols[k];
	t->cols[k] = t->cols[j];
	t->cols[j] = tmp;
	return 0;
}

/* Search ---------------------------------------------------------------- */

int
tui_search_find(const char *needle, int col, const char *text)
{
	size_t n = strlen(needle), i;

	if (n == 0 || (col != FIELD_LOCAL && col != FIELD_REMOTE &&
	    col != FIELD_STATE))
		return -1;
	for (i = 0; text[i] != '\0'; i++)
		if (strncasecmp(text + i, needle, n) == 0)
			return (int)i;
	return -1;
}

int
tui_search_match(const struct tui *t, const struct conn *c)
{
	static const int cols[] = { FIELD_LOCAL, FIELD_REMOTE, FIELD_STATE };
	static const struct field_ctx cx;
	char buf[CONN_ENDPOINT_LEN];
	size_t i;

	if (t->search[0] == '\0')
		return 0;
	for (i = 0; i < 3; i++) {
		field_fmt(cols[i], c, &cx, buf, sizeof buf);
		if (tui_search_find(t->search, cols[i], buf) >= 0)
			return 1;
	}
	return 0;
}

int
tui_search_step(struct tui *t, size_t from, int dir)
{
	size_t n = t->view != NULL ? t->view->n : 0, k, i;

	if (n == 0 || t->search[0] == '\0')
		return -1;
	for (k = 1; k <= n; k++) {
		i = dir > 0 ? (from + k) % n : (from + n - k % n) % n;
		if (tui_search_match(t, t->view->rows[i])) {
			tui_move_to(t, i);
			return 0;
		}
	}
	return -1;
}

/* The prompt line ------------------------------------------------------- */

const char *
tui_prompt_label(int kind)
{
	switch (kind) {
	case TUI_PROMPT_PORT:
		return "Port filter (e.g. 80,443,8000-8080; empty clears)";
	case TUI_PROMPT_FILTER:
		return "Filter (e.g. dport = :443 and not state time-wait)";
	case TUI_PROMPT_SEARCH:
		return "Search";
	case TUI_PROMPT_DELAY:
		return "Delay in seconds";
	}
	return "";
}

void
tui_prompt_open(struct tui *t, int kind, const char *text)
{
	t->prompt = kind;
	snprintf(t->input, sizeof t->input, "%s", text);
	t->inlen = strlen(t->input);
	t->prompt_err[0] = '\0';
	t->msg[0] = '\0';
	t->search_from = t->sel;
}

/* Incremental search: the selection jumps to the first match at or after
 * where the search began. */
static int
tui_search_live(struct tui *t)
{
	size_t n = t->inlen < sizeof t->search - 1 ? t->inlen :
	    sizeof t->search - 1;

	/* A cut UTF-8 tail only fails to match. */
	memcpy(t->search, t->input, n);
	t->search[n] = '\0';
	if (t->search[0] == '\0')
		return TUI_REDRAW;
	if (t->view != NULL && t->view->n > 0) {
		size_t rows = t->view->n;

		if (tui_search_step(t, (t->search_from + rows - 1) % rows,
		    1) == -1)
			snprintf(t->prompt_err, sizeof t->prompt_err,
			    "no match");
		else
			t->prompt_err[0] = '\0';
	}
	return TUI_REDRAW;
}

/* Apply the prompt's input.  On bad input the prompt stays open with the
 * reason beside it. */
static int
tui_prompt_apply(struct tui *t)
{
	struct filter f = t->filter;
	char err[160];
	char *end;
	double d;

	switch (t->prompt) {
	case TUI_PROMPT_PORT:
		if (filter_parse_ports(&f, t->input, err, sizeof err) == -1)
			goto bad;
		t->filter = f;
		filter_fmt_ports(&t->filter, t->port_text,
		    sizeof t->port_text);
		t->prompt = TUI_PROMPT_NONE;
		return TUI_REDRAW | TUI_REVIEW | TUI_RESCAN;
	case TUI_PROMPT_FILTER:
		if (filter_parse_expr(&f, t->input, err, sizeof err) == -1)
			goto bad;
		t->filter = f;
		snprintf(t->expr_text, sizeof t->expr_text, "%s", t->input);
		t->prompt = TUI_PROMPT_NONE;
		return TUI_REDRAW | TUI_REVIEW | TUI_RESCAN;
	case TUI_PROMPT_SEARCH:
		t->prompt = TUI_PROMPT_NONE;
		return TUI_REDRAW;
	case TUI_PROMPT_DELAY:
		errno = 0;
		d = strtod(t->input, &end);
		if (end == t->input || *end != '\0' || errno != 0 ||
		    !isfinite(d) || d < TUI_DELAY_MIN || d > TUI_DELAY_MAX) {
			snprintf(err, sizeof err, "give seconds from %.1f to "
			    "%.0f", TUI_DELAY_MIN, TUI_DELAY_MAX);
			goto bad;
		}
		t->delay = d;
		t->prompt = TUI_PROMPT_NONE;
		return TUI_REDRAW | TUI_DELAY;
	}
	t->prompt = TUI_PROMPT_NONE;
	return TUI_REDRAW;
bad:
	snprintf(t->prompt_err, sizeof t->prompt_err, "%s", err);
	return TUI_REDRAW;
}

/* Length of the UTF-8 sequence that ends at input[n - 1]. */
static size_t
tui_last_char(const char *s, size_t n)
{
	size_t k = 1;

	while (k < n && ((unsigned char)s[n - k] & 0xc0) == 0x80)
		k++;
	return n > 0 ? k : 0;
}

static int
tui_prompt_key(struct tui *t, int key)
{
	int edited = 0;

	switch (key) {
	case TUI_KEY_ENTER:
		return tui_prompt_apply(t);
	case TUI_KEY_ESC:
	case 7:		/* ^G */
		if (t->prompt == TUI_PROMPT_SEARCH) {
			t->search[0] = '\0';
			tui_move_to(t, t->search_from);
		}
		t->prompt = TUI_PROMPT_NONE;
		return TUI_REDRAW;
	case TUI_KEY_BACKSPACE:
	case 8:		/* ^H */
	case 127:
		t->inlen -= tui_last_char(t->input, t->inlen);
		edited = 1;
		break;
	case 21:	/* ^U */
		t->inlen = 0;
		edited = 1;
		break;
	case 23:	/* ^W: the last word */
		while (t->inlen > 0 && t->input[t->inlen - 1] == ' ')
			t->inlen--;
		while (t->inlen > 0 && t->input[t->inlen - 1] != ' ')
			t->inlen--;
		edited = 1;
		break;
	default:
		if (key >= 0x20 && key < 0x110000 && key != 0x7f &&
		    !(key >= 0x80 && key < 0xa0)) {
			char u[4];
			size_t n;

			/* Encode as UTF-8. */
			if (key < 0x80)
				u[0] = (char)key, n = 1;
			else if (key < 0x800)
				u[0] = (char)(0xc0 | key >> 6),
				u[1] = (char)(0x80 | (key & 0x3f)), n = 2;
			else if (key < 0x10000)
				u[0] = (char)(0xe0 | key >> 12),
				u[1] = (char)(0x80 | (key >> 6 & 0x3f)),
				u[2] = (char)(0x80 | (key & 0x3f)), n = 3;
			else
				u[0] = (char)(0xf0 | key >> 18),
				u[1] = (char)(0x80 | (key >> 12 & 0x3f)),
				u[2] = (char)(0x80 | (key >> 6 & 0x3f)),
				u[3] = (char)(0x80 | (key & 0x3f)), n = 4;
			if (t->inlen + n < sizeof t->input) {
				memcpy(t->input + t->inlen, u, n);
				t->inlen += n;
				edited = 1;
			}
		}
		break;
	}
	t->input[t->inlen] = '\0';
	if (!edited)
		return 0;
	t->prompt_err[0] = '\0';
	if (t->prompt == TUI_PROMPT_SEARCH)
		return tui_search_live(t);
	return TUI_REDRAW;
}

int
tui_key(struct tui *t, int key)
{
	if (t->prompt != TUI_PROMPT_NONE)
		return tui_prompt_key(t, key);
	t->msg[0] = '\0';
	return keymap_dispatch(t, key) | TUI_REDRAW;
}
