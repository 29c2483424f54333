/* The interactive session: what is shown, the rows shown and the
 * selections that follow a connection and a group across refreshes, the
 * followed connection, search, messages, the screens' stack and data;
 * no curses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcptop/conntab.h"
#include "tcptop/keys.h"
#include "tcptop/session.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

void
session_init(struct session *s, const struct options *o,
    const struct prefs *p)
{
	memset(s, 0, sizeof *s);
	s->filter = o->filter;
	s->sort_key = p->sort_key;
	s->sort_reverse = p->sort_reverse;
	s->delay = p->delay < SESSION_DELAY_MIN ? SESSION_DELAY_MIN : p->delay;
	s->color = p->color;
	s->ascii = p->ascii;
	s->mouse = p->mouse;
	s->resolve = p->resolve;
	memcpy(s->cols, p->cols, p->ncols);
	s->ncols = p->ncols;
	s->highlight_ms = (int64_t)(o->tombstone * 1000);
	s->group_kind = o->group;
	s->diagram = o->diagram ? SESSION_DIAGRAM_SPLIT : SESSION_DIAGRAM_OFF;
	s->rows = 1;
	s->live = o->replay == NULL;
	filter_fmt_ports(&s->filter, s->port_text, sizeof s->port_text);
	if (o->expr != NULL)
		snprintf(s->expr_text, sizeof s->expr_text, "%s", o->expr);
	view_init(&s->view);
	group_init(&s->groups);
}

void
session_done(struct session *s)
{
	int i;

	for (i = 0; i < SESSION_SCREENS; i++)
		if (s->data[i].p != NULL) {
			if (s->data[i].free != NULL)
				s->data[i].free(s->data[i].p);
			free(s->data[i].p);
		}
	view_done(&s->view);
	group_done(&s->groups);
	memset(s, 0, sizeof *s);
}

void *
session_data(struct session *s, int id, size_t size, void (*fn)(void *))
{
	if (s->data[id].p == NULL) {
		s->data[id].p = xcalloc(1, size);
		s->data[id].free = fn;
	}
	return s->data[id].p;
}

const void *
session_peek(const struct session *s, int id)
{
	return s->data[id].p;
}

struct session_screen *
session_top(struct session *s)
{
	return s->depth > 0 ? &s->stack[s->depth - 1] : NULL;
}

const struct session_screen *
session_ctop(const struct session *s)
{
	return s->depth > 0 ? &s->stack[s->depth - 1] : NULL;
}

const struct session_screen *
session_find(const struct session *s, int id)
{
	size_t i;

	for (i = s->depth; i > 0; i--)
		if (s->stack[i - 1].id == id)
			return &s->stack[i - 1];
	return NULL;
}

void
session_message(struct session *s, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof s->msg, fmt, ap);
	va_end(ap);
	s->msg_error = error;
}

void
session_prefs(const struct session *s, struct prefs *p)
{
	p->sort_key = s->sort_key;
	p->sort_reverse = s->sort_reverse;
	p->delay = s->delay;
	p->color = s->color;
	p->ascii = s->ascii;
	p->mouse = s->mouse;
	p->resolve = s->resolve;
	memcpy(p->cols, s->cols, s->ncols);
	p->ncols = s->ncols;
}

/* The selections ---------------------------------------------------------- */

static int
session_same(const struct conn_sample *a, const struct conn_sample *b)
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
session_fit(const struct session *s, size_t sel, size_t top, size_t n)
{
	size_t rows = s->rows > 0 ? (size_t)s->rows : 1;

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
session_step(size_t i, long delta)
{
	long to = (long)i + delta;

	return to < 0 ? 0 : (size_t)to;
}

static void
session_remember(struct session *s)
{
	if (s->sel < s->view.n) {
		s->sel_id = s->view.rows[s->sel]->s;
		s->has_sel = 1;
	} else
		s->has_sel = 0;
}

const struct conn *
session_selected(const struct session *s)
{
	return s->sel < s->view.n ? s->view.rows[s->sel] : NULL;
}

const struct group *
session_group_selected(const struct session *s)
{
	return s->group_sel < s->groups.n ? &s->groups.v[s->group_sel] : NULL;
}

static void
session_group_remember(struct session *s)
{
	const struct group *gr = session_group_selected(s);

	s->group_has_sel = gr != NULL;
	if (gr != NULL)
		s->group_sel_key = gr->key;
}

/* The drill-down filter: rows of the group s->drill_key. */
static int
session_in_group(void *arg, const struct conn *c)
{
	const struct session *s = arg;

	return group_contains(&s->groups, &s->drill_key, c, &s->snap->fields);
}

/* The groups are re-sorted each refresh: find the selected one by key;
 * when it went, keep the row number. */
static void
session_regroup(struct session *s)
{
	const struct group *gr;

	if (s->groups.n == 0) {
		s->group_sel = s->group_top = 0;
		return;
	}
	if (s->group_has_sel &&
	    (gr = group_find(&s->groups, &s->group_sel_key)) != NULL)
		s->group_sel = (size_t)(gr - s->groups.v);
	else if (s->group_sel >= s->groups.n)
		s->group_sel = s->groups.n - 1;
	session_group_remember(s);
	s->group_top = session_fit(s, s->group_sel, s->group_top,
	    s->groups.n);
}

/* Rows the list wants in order for row upto and a page or two below
 * it: a power of two from 1024, so scrolling rebuilds the order once
 * per doubling; 0 (all) past half the address space. */
static size_t
session_want(const struct session *s, size_t upto)
{
	size_t rows = s->rows > 0 ? (size_t)s->rows : 64, w = 1024;

	if (upto > SIZE_MAX / 4)
		return 0;
	while (w < upto + 2 * rows)
		w *= 2;
	return w;
}

/* The rows shown, built again from the last snapshot with want rows in
 * order (view.h), grouped and narrowed to the group drilled into. */
static void
session_build(struct session *s, size_t want)
{
	const struct snapshot *snap = s->snap;

	/* A drill-down keeps some rows of the whole order: all of it. */
	s->view.want = s->drill ? 0 : want;
	view_build(&s->view, snap->tab, &s->filter, s->sort_key,
	    s->sort_reverse, 1, &snap->fields);
	if (s->group_kind != GROUP_NONE) {
		s->groups.sort_state = s->group_sort;
		group_build(&s->groups, s->group_kind, &s->view, snap->tab,
		    &snap->fields);
		if (s->drill)
			view_keep(&s->view, session_in_group, s);
		session_regroup(s);
	}
}

/* Rows up to upto and a page below it in order, built again when they
 * are not (a large table's list sorts only its top: view.h). */
static void
session_cover(struct session *s, size_t upto)
{
	size_t rows = s->rows > 0 ? (size_t)s->rows : 1;

	if (s->snap == NULL || s->view.sorted >= s->view.n ||
	    (upto < s->view.sorted && s->view.sorted - upto > rows))
		return;
	session_build(s, session_want(s, upto));
}

void
session_move_to(struct session *s, size_t i)
{
	if (s->view.n == 0)
		return;
	session_cover(s, i < s->view.n ? i : s->view.n - 1);
	if (s->view.n == 0)
		return;
	s->sel = i < s->view.n ? i : s->view.n - 1;
	s->sel_moved = s->sel != 0;
	session_remember(s);
	s->top = session_fit(s, s->sel, s->top, s->view.n);
}

void
session_sort(struct session *s, int key, int reverse)
{
	s->sort_key = key;
	s->sort_reverse = reverse != 0;
	s->sel_moved = 0;
	s->sel = s->top = 0;
}

void
session_move(struct session *s, long delta)
{
	session_move_to(s, session_step(s->sel, delta));
}

void
session_group_move_to(struct session *s, size_t i)
{
	if (s->groups.n == 0)
		return;
	s->group_sel = i < s->groups.n ? i : s->groups.n - 1;
	session_group_remember(s);
	s->group_top = session_fit(s, s->group_sel, s->group_top,
	    s->groups.n);
}

void
session_group_move(struct session *s, long delta)
{
	session_group_move_to(s, session_step(s->group_sel, delta));
}

void
session_rescroll(struct session *s)
{
	session_cover(s, s->sel > s->top ? s->sel : s->top);
	s->top = session_fit(s, s->sel, s->top, s->view.n);
	s->group_top = session_fit(s, s->group_sel, s->group_top,
	    s->groups.n);
}

void
session_measured(struct session *s, int page, int extent)
{
	struct session_screen *e = session_top(s);
	unsigned which = e != NULL ? (unsigned)s->depth << 8 | e->id : 0;
	int max = s->extent - s->page;
	int at_end = e != NULL && s->measured == which && max > 0 &&
	    e->pos >= max;

	s->page = page;
	s->extent = extent;
	s->measured = which;
	if (at_end)
		e->pos = extent > page ? extent - page : 0;
}

int
session_scroll(struct session *s, int key)
{
	struct session_screen *e = session_top(s);
	int page = s->page > 1 ? s->page - 1 : 1, max = s->extent - s->page;

	if (e == NULL)
		return REACT_REDRAW;
	switch (key) {
	case K_UP:
	case K_DOWN:
		e->pos += key == K_UP ? -1 : 1;
		break;
	case K_PGUP:
	case K_PGDN:
		e->pos += key == K_PGUP ? -page : page;
		break;
	default:
		e->pos = key == K_HOME ? 0 : max;
		break;
	}
	if (e->pos > max)
		e->pos = max;
	if (e->pos < 0)
		e->pos = 0;
	return REACT_REDRAW;
}

/* The followed connection ------------------------------------------------ */

/* Copy c's path into the follow state. */
static void
session_follow_copy(struct session *s, const struct conn *c)
{
	struct session_follow *f = &s->follow;

	f->id = c->s;
	f->n = conntab_path(c, f->states, 8);
	conntab_path_times(c, f->ms, 8);
	f->flags = c->flags & (CONN_PREEXISTING | CONN_PATH_CUT);
	if ((c->flags & CONN_GONE) && !f->gone) {
		f->gone = 1;
		f->gone_ms = c->gone_ms;
	}
}

void
session_follow(struct session *s, const struct conn *c)
{
	s->follow.on = c != NULL;
	s->follow.gone = 0;
	if (c != NULL)
		session_follow_copy(s, c);
}

int
session_explain_state(const struct session *s)
{
	const struct conn *c = session_selected(s);

	if (s->follow.on && s->follow.n > 0)
		return s->follow.states[s->follow.n - 1];
	return c != NULL ? c->s.state : 0;
}

/* A new view: the followed connection's path as it is now; when it is
 * not there any more, its last path stays. */
static void
session_follow_view(struct session *s)
{
	size_t i;

	for (i = 0; i < s->view.n; i++)
		if (session_same(&s->view.rows[i]->s, &s->follow.id)) {
			session_follow_copy(s, s->view.rows[i]);
			return;
		}
	if (!s->follow.gone) {
		s->follow.gone = 1;
		s->follow.gone_ms = INT64_MIN;	/* between refreshes */
	}
}

/* The rows shown ---------------------------------------------------------- */

/* Find the selected connection again, wherever it sorted to; when it
 * went, keep the row number.  Returns -1 when it sorted past the rows
 * in order (view.sorted), where its row number means nothing. */
static int
session_reselect(struct session *s)
{
	size_t i;

	if (s->view.n == 0) {
		s->sel = s->top = 0;
		s->has_sel = 0;
		return 0;
	}
	/* Not moved by the operator: the top of the order, as top. */
	if (!s->sel_moved) {
		s->sel = 0;
		goto done;
	}
	if (s->has_sel) {
		/* The row usually kept its place: look there first. */
		if (s->sel < s->view.n &&
		    session_same(&s->view.rows[s->sel]->s, &s->sel_id))
			goto done;
		for (i = 0; i < s->view.n; i++)
			if (session_same(&s->view.rows[i]->s, &s->sel_id)) {
				if (i >= s->view.sorted)
					return -1;
				s->sel = i;
				goto done;
			}
	}
	if (s->sel >= s->view.n)
		s->sel = s->view.n - 1;
done:
	session_remember(s);
	s->top = session_fit(s, s->sel, s->top, s->view.n);
	return 0;
}

void
session_view(struct session *s, const struct snapshot *snap)
{
	s->snap = snap;
	session_build(s, session_want(s, s->sel > s->top ? s->sel : s->top));
	if (s->follow.on)
		session_follow_view(s);
	if (session_reselect(s) == -1) {
		/* The selected row moved far down: the whole order. */
		session_build(s, 0);
		(void)session_reselect(s);
	}
	spark_note(&s->spark, session_selected(s));
}

/* Search ------------------------------------------------------------------ */

int
session_search_find(const char *needle, int id, const char *text)
{
	size_t n = strlen(needle), i;

	if (n == 0 || id < 0 || id >= FIELD_N)
		return -1;
	for (i = 0; text[i] != '\0'; i++)
		if (strncasecmp(text + i, needle, n) == 0)
			return (int)i;
	return -1;
}

/* Does field id of c read with the search in it? */
static int
session_search_field(const struct session *s, const struct conn *c, int id,
    const struct field_ctx *cx)
{
	char buf[CONN_ENDPOINT_LEN];

	field_fmt(id, c, cx, buf, sizeof buf);
	return session_search_find(s->search, id, buf) >= 0;
}

int
session_search_match(const struct session *s, const struct conn *c)
{
	/* Who holds the socket is the first question, shown or not. */
	static const int owner[] = { FIELD_PROCESS, FIELD_PID, FIELD_USER };
	static const struct field_ctx none;
	const struct field_ctx *cx = s->snap != NULL ? &s->snap->fields :
	    &none;
	size_t i;

	if (s->search[0] == '\0')
		return 0;
	for (i = 0; i < s->ncols; i++)
		if (session_search_field(s, c, s->cols[i], cx))
			return 1;
	for (i = 0; i < sizeof owner / sizeof owner[0]; i++)
		if (session_search_field(s, c, owner[i], cx))
			return 1;
	return 0;
}

int
session_search_step(struct session *s, size_t from, int dir)
{
	size_t n = s->view.n, k, i;

	if (n == 0 || s->search[0] == '\0')
		return -1;
	/* Rows in the order shown, all of them. */
	if (s->snap != NULL && s->view.sorted < n) {
		session_build(s, 0);
		if ((n = s->view.n) == 0)
			return -1;
	}
	for (k = 1; k <= n; k++) {
		i = dir > 0 ? (from + k) % n : (from + n - k % n) % n;
		if (session_search_match(s, s->view.rows[i])) {
			session_move_to(s, i);
			return 0;
		}
	}
	return -1;
}
