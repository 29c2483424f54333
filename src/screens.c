/* The screens' table and the stack that runs them: which key tables a
 * key goes through, and the screens an action opens and closes. */
#include <string.h>

#include "screen.h"

const struct screen_ops *const screens_table[SCREEN_N] = {
	[SCREEN_LIST] = &screen_list,
	[SCREEN_GROUPS] = &screen_groups,
	[SCREEN_DETAIL] = &screen_detail,
	[SCREEN_HELP] = &screen_help,
	[SCREEN_SORT] = &screen_sort,
	[SCREEN_COLUMNS] = &screen_columns,
	[SCREEN_EXPLAIN] = &screen_explain,
	[SCREEN_KILL] = &screen_kill,
	[SCREEN_KILL_OWN] = &screen_kill_own,
	[SCREEN_ALERTS] = &screen_alerts,
	[SCREEN_DIAGRAM] = &screen_diagram,
	[SCREEN_FOLLOW] = &screen_follow,
	[SCREEN_LESSON] = &screen_lesson,
	[SCREEN_PROMPT] = &screen_prompt,
};

_Static_assert(SCREEN_N <= SESSION_SCREENS, "session_data has no room");

/* The tables that screen ops shares (its flags say which): the
 * companions' that are there, the view keys, the global keys. */
static size_t
screens_shared(const struct session *s, const struct screen_ops *ops,
    const struct key_binding **t, size_t n, size_t max)
{
	size_t i;

	if (ops->flags & SCREEN_F_VIEW) {
		for (i = 0; i < SCREEN_N && n < max; i++) {
			const struct screen_ops *c = screens_table[i];

			if ((c->place == SCREEN_BAND ||
			    c->place == SCREEN_FOOT) && c->keys != NULL &&
			    (c->active == NULL || c->active(s)))
				t[n++] = c->keys[0];
		}
		if (n < max)
			t[n++] = keys_view;
	}
	if ((ops->flags & (SCREEN_F_VIEW | SCREEN_F_GLOBAL)) && n < max)
		t[n++] = keys_global;
	return n;
}

/* The tables of the screens stack[0..depth) in the order a key tries
 * them; from[k] is the stack index table k belongs to (the last one
 * for the shared tables). */
static size_t
screens_tables(const struct session *s, size_t depth,
    const struct key_binding **t, size_t *from, size_t max)
{
	const struct screen_ops *ops = NULL;
	size_t n = 0, i = depth, k;

	while (i > 0 && n < max) {
		ops = screens_table[s->stack[--i].id];
		for (k = 0; ops->keys != NULL && ops->keys[k] != NULL &&
		    n < max; k++)
			from[n] = i, t[n++] = ops->keys[k];
		if (!(ops->flags & SCREEN_F_PASS))
			break;
	}
	if (ops == NULL)
		return 0;
	k = n;
	n = screens_shared(s, ops, t, n, max);
	for (; k < n; k++)
		from[k] = depth - 1;
	return n;
}

size_t
screens_chain(const struct session *s, const struct key_binding **t,
    size_t max)
{
	size_t from[16], depth = s->depth;

	/* The prompt line takes the keys, but the bar shows what is under
	 * it. */
	while (depth > 0 && screens_table[s->stack[depth - 1].id]->place ==
	    SCREEN_LINE)
		depth--;
	return screens_tables(s, depth, t, from, max < 16 ? max : 16);
}

/* Close the screens from stack index from up.  Returns their leave's
 * reactions. */
static int
screens_close(struct session *s, size_t from)
{
	int r = 0;

	while (s->depth > from && s->depth > 1) {
		struct session_screen *e = &s->stack[s->depth - 1];
		const struct screen_ops *ops = screens_table[e->id];

		if (ops->leave != NULL)
			r |= ops->leave(s, e);
		s->depth--;
	}
	return r;
}

int
screens_open(struct session *s, int id, int arg)
{
	struct session_screen *e;
	const struct screen_ops *ops;

	if (s->depth >= SESSION_DEPTH || id < 0 || id >= SCREEN_N)
		return -1;
	ops = screens_table[id];
	e = &s->stack[s->depth++];
	memset(e, 0, sizeof *e);
	e->id = (uint8_t)id;
	e->arg = (uint8_t)arg;
	if (ops->enter != NULL && ops->enter(s, e, arg) == -1) {
		s->depth--;
		return -1;
	}
	return 0;
}

void
screens_start(struct session *s, int group)
{
	s->depth = 0;
	(void)screens_open(s, SCREEN_LIST, 0);
	if (group != GROUP_NONE)
		(void)screens_open(s, SCREEN_GROUPS, group);
}

int
screens_key(struct session *s, int key)
{
	const struct key_binding *t[16], *b = NULL;
	size_t from[16], n, k;
	int r;

	if (s->depth == 0)
		return 0;
	if (screens_table[s->stack[s->depth - 1].id]->place != SCREEN_LINE)
		s->msg[0] = '\0';
	n = screens_tables(s, s->depth, t, from, 16);
	for (k = 0; k < n && (b = keys_find(t[k], key)) == NULL; k++)
		;
	if (b == NULL)
		return REACT_REDRAW;
	r = b->action(s, key);
	if (r & REACT_HOME)
		r |= screens_close(s, 1);
	else if (r & REACT_CLOSE)
		r |= screens_close(s, from[k]);
	if (r & REACT_OPEN)
		(void)screens_open(s, react_screen(r), react_arg(r));
	return (r & (REACT_REDRAW | REACT_REVIEW | REACT_RESCAN |
	    REACT_QUIT | REACT_REPAINT | REACT_DELAY | REACT_STEP |
	    REACT_NOW)) | REACT_REDRAW;
}

int
screens_lookup(const struct session *s)
{
	size_t i;

	for (i = s->depth; i > 0; i--) {
		const struct screen_ops *ops;

		ops = screens_table[s->stack[i - 1].id];
		if (ops->place == SCREEN_MAIN)
			return (ops->flags & SCREEN_F_LOOKUP) != 0;
	}
	return 0;
}

int
screens_top(const struct session *s)
{
	return s->depth > 0 ? s->stack[s->depth - 1].id : -1;
}
