/* The interactive session without a terminal, keys through the
 * screens' stack: the selection follows a connection, prompts refuse
 * bad input and keep it, search, sort and delay keys, the screens open
 * and close, and no key is bound twice in one table. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "sample.h"
#include "tcptop/column.h"
#include "tcptop/field.h"
#include "tcptop/keys.h"
#include "tcptop/screens.h"
#include "tcptop/session.h"

#include "screen.h"

static struct snapshot snap;

static int
key(struct session *t, int k)
{
	return screens_key(t, k);
}

static int
keys(struct session *t, const char *s)
{
	int r = 0;

	for (; *s != '\0'; s++)
		r |= key(t, *s == '\n' ? K_ENTER : *s);
	return r;
}

/* A session as the interactive view starts it. */
static void
start(struct session *t, const struct options *o)
{
	struct prefs p;
	struct settings none;
	char warn[160];

	memset(&none, 0, sizeof none);
	prefs_merge(&p, o, &none, warn, sizeof warn);
	session_init(t, o, &p);
	screens_start(t, GROUP_NONE);
	t->rows = 3;
}

/* The rows of tab shown. */
static void
show(struct session *t, struct conntab *tab)
{
	snap.tab = tab;
	session_view(t, &snap);
}

/* Where column id is among the shown ones, or -1. */
static int
col_index(const struct session *t, int id)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i] == id)
			return (int)i;
	return -1;
}

/* The column chooser: F2 opens it, arrows move, Space shows and hides,
 * [ ] and F7 F8 reorder, the last column cannot go, Enter closes. */
static void
test_columns(const struct options *o)
{
	struct session t;
	size_t i, shown, ncols = 0;

	start(&t, o);
	shown = t.ncols;
	CHECK_EQ(shown, column_ndefault);
	CHECK(key(&t, K_F2) & REACT_REDRAW);
	CHECK(screens_top(&t) == SCREEN_COLUMNS &&
	    session_top(&t)->pos == t.cols[0]);
	for (i = 0; i < FIELD_N; i++)
		ncols += field_is_column((int)i);
	/* Up at the top stays; Down walks to cwnd, hidden columns after
	 * the shown ones, fields that are no column (lport) skipped. */
	key(&t, K_UP);
	CHECK(session_top(&t)->pos == t.cols[0]);
	for (i = 0; i < ncols && session_top(&t)->pos != FIELD_CWND; i++) {
		key(&t, K_DOWN);
		CHECK(field_is_column(session_top(&t)->pos));
	}
	CHECK_EQ(session_top(&t)->pos, FIELD_CWND);
	CHECK_EQ(col_index(&t, FIELD_CWND), -1);
	/* Space shows it, last; the highlight stays on it. */
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown + 1);
	CHECK_EQ(t.cols[shown], FIELD_CWND);
	CHECK_EQ(session_top(&t)->pos, FIELD_CWND);
	/* [ moves it left, ] back, past the end nothing. */
	keys(&t, "[");
	CHECK_EQ(col_index(&t, FIELD_CWND), (int)shown - 1);
	key(&t, K_F8);
	CHECK_EQ(col_index(&t, FIELD_CWND), (int)shown);
	keys(&t, "]");
	CHECK_EQ(col_index(&t, FIELD_CWND), (int)shown);
	key(&t, K_F7);
	CHECK_EQ(col_index(&t, FIELD_CWND), (int)shown - 1);
	/* Other keys do not leak to the list: Space did not pause. */
	CHECK(!t.paused);
	/* Hide it again; a hidden column cannot move. */
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown);
	CHECK_EQ(col_index(&t, FIELD_CWND), -1);
	keys(&t, "[");
	CHECK(t.msg[0] != '\0');
	/* The highlight follows the column it toggled: Space again undoes. */
	key(&t, K_HOME);
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown - 1);
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown);
	/* The list stays put while Space toggles: Down Space Down Space
	 * hides the next entries, in the order the window showed them. */
	key(&t, K_HOME);
	{
		int first = session_top(&t)->pos, second, third;

		keys(&t, " ");
		CHECK_EQ(session_top(&t)->pos, first);
		key(&t, K_DOWN);
		second = session_top(&t)->pos;
		CHECK(second != first && second == t.cols[0]);
		keys(&t, " ");
		key(&t, K_DOWN);
		third = session_top(&t)->pos;
		CHECK(third != first && third != second &&
		    third == t.cols[0]);
		CHECK_EQ(col_index(&t, first), -1);
		CHECK_EQ(col_index(&t, second), -1);
		CHECK_EQ(t.ncols, shown - 2);
	}
	/* Hide every entry down the list: the last one stays. */
	key(&t, K_HOME);
	for (i = 0; i < ncols; i++) {
		if (col_index(&t, session_top(&t)->pos) >= 0)
			keys(&t, " ");
		key(&t, K_DOWN);
	}
	CHECK_EQ(t.ncols, 1);
	key(&t, K_HOME);
	for (i = 0; i < ncols && col_index(&t, session_top(&t)->pos) < 0;
	    i++)
		key(&t, K_DOWN);
	keys(&t, " ");
	CHECK_EQ(t.ncols, 1);
	CHECK(t.msg_error && strstr(t.msg, "one column") != NULL);
	/* End reaches the last entry; Enter closes. */
	key(&t, K_END);
	CHECK(field_is_column(session_top(&t)->pos) &&
	    col_index(&t, session_top(&t)->pos) == -1);
	key(&t, K_ENTER);
	CHECK(screens_top(&t) == SCREEN_LIST);
	/* Esc and F2 close too. */
	key(&t, K_F2);
	key(&t, K_ESC);
	CHECK(screens_top(&t) == SCREEN_LIST);
	key(&t, K_F2);
	key(&t, K_F2);
	CHECK(screens_top(&t) == SCREEN_LIST);
	/* Show all of them: none is lost, no duplicate. */
	key(&t, K_F2);
	key(&t, K_HOME);
	for (i = 0; i < ncols; i++) {
		if (col_index(&t, session_top(&t)->pos) < 0)
			keys(&t, " ");
		key(&t, K_DOWN);
	}
	CHECK_EQ(t.ncols, ncols);
	session_done(&t);
}

/* Whether bindings p and q share a key. */
static int
shared_key(const struct key_binding *p, const struct key_binding *q)
{
	size_t x, y;

	for (x = 0; x < 4 && p->keys[x] != 0; x++)
		for (y = 0; y < 4 && q->keys[y] != 0; y++)
			if (p->keys[x] == q->keys[y])
				return 1;
	return 0;
}

/* No key is bound twice in the tables a key goes through on one
 * screen (its own tables, then the view and global ones; a companion's
 * Space standing for the view's is meant), and every binding has its
 * names, help and action. */
static void
test_tables(void)
{
	const struct key_binding *t[8], *p, *q;
	size_t i, n, a, b;
	int id;

	for (id = 0; id < SCREEN_N; id++) {
		const struct screen_ops *ops = screens_table[id];

		CHECK(ops->name != NULL && ops->draw != NULL);
		n = 0;
		for (i = 0; ops->keys != NULL && ops->keys[i] != NULL; i++)
			t[n++] = ops->keys[i];
		if (ops->flags & SCREEN_F_VIEW)
			t[n++] = keys_view;
		if (ops->flags & (SCREEN_F_VIEW | SCREEN_F_GLOBAL))
			t[n++] = keys_global;
		for (a = 0; a < n; a++)
			for (p = t[a]; p->keys[0] != 0; p++) {
				CHECK(p->names != NULL && p->help != NULL &&
				    p->action != NULL);
				for (b = a; b < n; b++)
					for (q = b == a ? p + 1 : t[b];
					    q->keys[0] != 0; q++)
						if (!CHECK(!shared_key(p, q)))
							fprintf(stderr, "  %s: "
							    "%s and %s\n",
							    ops->name, p->names,
							    q->names);
			}
	}
}

/* g groups, Enter drills into a group, Esc and Backspace go back, g
 * goes on to the next kind and back to the connections. */
static void
test_groups(const struct options *o)
{
	struct conntab *tab = conntab_new(0);
	struct conn_sample w[3] = {
		mk(1, TCP_LISTEN, 9000, 0),
		mk(2, TCP_ESTABLISHED, 9000, 40001),
		mk(3, TCP_ESTABLISHED, 40002, 443),
	};
	struct session t;
	int r;

	start(&t, o);
	scan(tab, 1000, w, 3);
	show(&t, tab);
	r = keys(&t, "g");
	CHECK(screens_top(&t) == SCREEN_GROUPS && (r & REACT_REVIEW) &&
	    t.group_kind == GROUP_SERVICE);
	show(&t, tab);
	CHECK(t.groups.n == 2 && session_group_selected(&t) != NULL);
	r = key(&t, K_ENTER);
	CHECK(screens_top(&t) == SCREEN_LIST && t.drill && (r & REACT_REVIEW));
	show(&t, tab);
	CHECK(t.view.n == 2);	/* :9000's listener and its connection */
	r = key(&t, K_ESC);
	CHECK(screens_top(&t) == SCREEN_GROUPS && !t.drill &&
	    (r & REACT_REVIEW));
	key(&t, K_ENTER);
	key(&t, K_BACKSPACE);
	CHECK(screens_top(&t) == SCREEN_GROUPS && !t.drill);
	keys(&t, ">");
	CHECK(t.group_sort != 0);
	/* Help from the groups returns to them. */
	keys(&t, "hx");
	CHECK(screens_top(&t) == SCREEN_GROUPS);
	keys(&t, "g");
	CHECK(screens_top(&t) == SCREEN_GROUPS &&
	    t.group_kind == GROUP_REMOTE);
	r = key(&t, K_ESC);
	CHECK(screens_top(&t) == SCREEN_LIST &&
	    t.group_kind == GROUP_NONE && (r & REACT_REVIEW));
	session_done(&t);
	conntab_free(tab);
}

/* The mouse: on by default, as htop; tcptoprc's mouse= turns it off
 * unless the command line said; --no-mouse wins over the file and, left
 * as it was, is not written back to it. */
static void
test_mouse_prefs(void)
{
	struct options o;
	struct settings file, out;
	struct prefs p;
	struct session t;
	char err[128], warn[160];
	char arg0[] = "tcptop", arg1[] = "--no-mouse";
	char *argv[] = { arg0, arg1, NULL };

	memset(&file, 0, sizeof file);
	CHECK_EQ(options_parse(&o, 1, argv, err, sizeof err), OPTIONS_RUN);
	prefs_merge(&p, &o, &file, warn, sizeof warn);
	CHECK(p.mouse == 1);
	session_init(&t, &o, &p);
	CHECK(t.mouse == 1);
	session_done(&t);
	file.set = SETTINGS_MOUSE;
	file.mouse = 0;
	prefs_merge(&p, &o, &file, warn, sizeof warn);
	CHECK(p.mouse == 0);
	prefs_unmerge(&p, &o, &file, &out);
	CHECK((out.set & SETTINGS_MOUSE) && out.mouse == 0);
	CHECK_EQ(options_parse(&o, 2, argv, err, sizeof err), OPTIONS_RUN);
	file.mouse = 1;
	prefs_merge(&p, &o, &file, warn, sizeof warn);
	CHECK(p.mouse == 0);
	prefs_unmerge(&p, &o, &file, &out);
	CHECK((out.set & SETTINGS_MOUSE) && out.mouse == 1);
	file.set = 0;
	prefs_unmerge(&p, &o, &file, &out);
	CHECK(!(out.set & SETTINGS_MOUSE));
	p.mouse = 1;	/* changed on screen: the file keeps it */
	prefs_unmerge(&p, &o, &file, &out);
	CHECK((out.set & SETTINGS_MOUSE) && out.mouse == 1);
}

/* A text scrolled to its end with End stays at its end when its page
 * shrinks (an alert line took a row) or grows; one scrolled elsewhere
 * keeps its line; another screen opened at that depth is not moved. */
static void
test_measured_end(const struct options *o)
{
	struct session t;

	start(&t, o);
	key(&t, 'h');
	CHECK(session_top(&t) != NULL && session_top(&t)->id == SCREEN_HELP);
	session_measured(&t, 20, 100);
	session_scroll(&t, K_END);
	CHECK_EQ(session_top(&t)->pos, 80);
	session_measured(&t, 19, 100);
	CHECK_EQ(session_top(&t)->pos, 81);
	session_measured(&t, 22, 100);
	CHECK_EQ(session_top(&t)->pos, 78);
	session_measured(&t, 22, 103);
	CHECK_EQ(session_top(&t)->pos, 81);
	session_scroll(&t, K_UP);
	session_measured(&t, 21, 103);
	CHECK_EQ(session_top(&t)->pos, 80);
	/* Text that fitted stays at its top when the page shrinks. */
	session_scroll(&t, K_HOME);
	session_measured(&t, 103, 103);
	session_measured(&t, 20, 103);
	CHECK_EQ(session_top(&t)->pos, 0);
	/* Another screen at that depth keeps its own position. */
	session_measured(&t, 20, 100);
	session_scroll(&t, K_END);
	session_top(&t)->id = SCREEN_COLUMNS;
	session_top(&t)->pos = 90;
	session_measured(&t, 10, 0);
	CHECK_EQ(session_top(&t)->pos, 90);
	session_done(&t);
}

/* A table too large to sort whole for a screen: the list puts its top
 * in order (view.sorted), and whatever the operator reaches is where
 * the whole order has it: the end, a row far down, the next match of a
 * search, a selected row that sorted far down. */
static void
test_large(const struct options *o)
{
	enum { NL = 20000 };
	static struct conn_sample ls[NL];
	struct conntab *tab = conntab_new(0);
	struct session t;
	struct view full;
	const struct conn *c;
	size_t i, want;
	int same = 1;

	for (i = 0; i < NL; i++)
		ls[i] = mk(i + 1, 1 + (int)((i * 7919) % 11), 9000,
		    (unsigned)(20000 + (i * 104729) % 40000));
	scan(tab, 0, ls, NL);
	start(&t, o);
	show(&t, tab);
	view_init(&full);
	view_build(&full, tab, &t.filter, t.sort_key, t.sort_reverse, 1,
	    &snap.fields);
	CHECK_EQ(t.view.n, NL);
	CHECK(t.view.sorted >= (size_t)t.rows && t.view.sorted < NL);
	for (i = 0; i < t.view.sorted; i++)
		same &= t.view.rows[i] == full.rows[i];
	CHECK(same);
	key(&t, K_END);
	CHECK(session_selected(&t) == full.rows[NL - 1]);
	CHECK(t.top + (size_t)t.rows == NL);
	session_move_to(&t, 15000);
	CHECK(session_selected(&t) == full.rows[15000]);
	key(&t, K_DOWN);
	CHECK(session_selected(&t) == full.rows[15001]);
	show(&t, tab);
	CHECK(t.sel == 15001 && session_selected(&t) == full.rows[15001]);
	/* Back at the top, the next refresh sorts the top alone again. */
	key(&t, K_HOME);
	show(&t, tab);
	CHECK(t.view.sorted < NL);
	/* The next match of a search, in the whole order. */
	snprintf(t.search, sizeof t.search, ":%u", ls[NL / 2].rport);
	for (want = 1; want < NL && !session_search_match(&t,
	    full.rows[want]); want++)
		;
	CHECK(want < NL);
	CHECK_EQ(session_search_step(&t, 0, 1), 0);
	CHECK(t.sel == want && session_selected(&t) == full.rows[want]);
	t.search[0] = '\0';
	/* A selected row the next sort puts far down is still the one
	 * selected, at its place in the whole order. */
	session_move_to(&t, 0);
	show(&t, tab);
	session_move_to(&t, 10);
	c = session_selected(&t);
	t.sort_reverse = 1;
	show(&t, tab);
	view_build(&full, tab, &t.filter, t.sort_key, 1, 1, &snap.fields);
	CHECK(session_selected(&t) == c);
	CHECK(t.sel > NL / 2 && full.rows[t.sel] == c);
	CHECK(t.sel >= t.top && t.sel < t.top + (size_t)t.rows);
	view_done(&full);
	session_done(&t);
	conntab_free(tab);
}

int
main(void)
{
	struct options o;
	struct session t;
	struct conntab *tab = conntab_new(0);
	struct conn_sample s[5];
	char err[128];
	size_t i, k;
	int r;
	char arg0[] = "tcptop";
	char *argv[] = { arg0, NULL };

	CHECK_EQ(options_parse(&o, 1, argv, err, sizeof err), OPTIONS_RUN);
	test_large(&o);
	start(&t, &o);
	s[0] = mk(1, TCP_LISTEN, 9000, 0);
	s[1] = mk(2, TCP_ESTABLISHED, 9000, 40001);
	s[2] = mk(3, TCP_ESTABLISHED, 9000, 40002);
	s[3] = mk(4, TCP_TIME_WAIT, 40003, 9000);
	s[4] = mk(5, TCP_CLOSE_WAIT, 22, 50000);
	scan(tab, 0, s, 5);
	show(&t, tab);
	CHECK(session_selected(&t) == t.view.rows[0]);

	/* Select the row of cookie 3: it is followed across refreshes,
	 * wherever it sorts to. */
	for (i = 0; i < t.view.n && t.view.rows[i]->s.cookie != 3; i++)
		session_move(&t, 1);
	CHECK(session_selected(&t) != NULL && session_selected(&t)->s.cookie == 3);
	k = t.sel;
	t.sort_reverse = 1;
	show(&t, tab);
	CHECK(session_selected(&t)->s.cookie == 3 && t.sel != k);
	CHECK(t.sel >= t.top && t.sel < t.top + 3);
	t.sort_reverse = 0;
	show(&t, tab);
	CHECK(session_selected(&t)->s.cookie == 3 && t.sel == k);
	/* A new sort shows the top of the new order, as top: the
	 * selection goes to the first row and stays there. */
	r = keys(&t, "I");
	CHECK((r & REACT_REVIEW) && t.sort_reverse);
	show(&t, tab);
	CHECK(t.sel == 0 && t.top == 0 &&
	    session_selected(&t) == t.view.rows[0]);
	r = keys(&t, ">");
	CHECK(r & REACT_REVIEW);
	show(&t, tab);
	CHECK(t.sel == 0 && t.top == 0);
	/* A numeric column sorts biggest first on the first press. */
	CHECK_EQ(t.sort_reverse, (field_table[t.sort_key].flags &
	    FIELD_F_RIGHT) != 0);
	session_sort(&t, FIELD_STATE, 0);
	show(&t, tab);
	/* Not moved: a row that sorts first on the next refresh is the
	 * one selected, the list at its top. */
	{
		struct conn_sample w[6];

		memcpy(w, s, sizeof s);
		w[5] = mk(6, TCP_LISTEN, 8000, 0);
		scan(tab, 500, w, 6);
		show(&t, tab);
		CHECK(t.sel == 0 && session_selected(&t)->s.cookie ==
		    t.view.rows[0]->s.cookie);
		scan(tab, 600, s, 5);
		scan(tab, 700, s, 5);	/* cookie 6's tombstone goes */
		show(&t, tab);
	}
	for (i = 0; i < t.view.n && t.view.rows[i]->s.cookie != 3; i++)
		session_move(&t, 1);
	CHECK(session_selected(&t)->s.cookie == 3);
	/* It goes: the selection keeps the row number. */
	k = t.sel;
	s[2] = s[4];
	scan(tab, 1000, s, 4);
	show(&t, tab);
	CHECK(session_selected(&t) != NULL && t.sel == (k < t.view.n ? k : t.view.n - 1));

	/* Port prompt: bad input stays in the prompt with the reason. */
	r = keys(&t, "p70000\n");
	CHECK(t.prompt == SESSION_PROMPT_PORT && t.prompt_err[0] != '\0');
	CHECK(!(r & REACT_RESCAN));
	r = key(&t, K_BACKSPACE);
	CHECK(t.prompt_err[0] == '\0' && strcmp(t.input, "7000") == 0);
	r = key(&t, 21);	/* ^U */
	r = keys(&t, "9000\n");
	CHECK(t.prompt == SESSION_PROMPT_NONE && (r & REACT_RESCAN) &&
	    t.filter.nranges == 1 && strcmp(t.port_text, "9000") == 0);
	/* Esc leaves the filter as it was. */
	keys(&t, "p");
	key(&t, 21);
	keys(&t, "22");
	r = key(&t, K_ESC);
	CHECK(t.prompt == SESSION_PROMPT_NONE && strcmp(t.port_text, "9000") == 0);
	/* An empty port list clears. */
	keys(&t, "p");
	key(&t, 21);
	r = key(&t, K_ENTER);
	CHECK(t.filter.nranges == 0 && t.port_text[0] == '\0');

	/* Filter prompt: bad expressions are refused, good ones taken. */
	r = key(&t, K_F4);
	keys(&t, "sport = = 3\n");
	CHECK(t.prompt == SESSION_PROMPT_FILTER && t.prompt_err[0] != '\0');
	key(&t, 21);
	r = keys(&t, "dport = :9000\n");
	CHECK(t.prompt == SESSION_PROMPT_NONE && (r & REACT_RESCAN));
	CHECK(strcmp(t.expr_text, "dport = :9000") == 0);
	key(&t, K_F4);
	key(&t, 21);
	key(&t, K_ENTER);
	CHECK(t.expr_text[0] == '\0');

	/* Incremental search jumps to the match; Esc drops it. */
	show(&t, tab);
	session_move_to(&t, 0);
	keys(&t, "/50000");
	CHECK(t.prompt == SESSION_PROMPT_SEARCH && session_selected(&t) != NULL &&
	    session_selected(&t)->s.rport == 50000);
	CHECK(session_search_match(&t, session_selected(&t)));
	key(&t, K_ENTER);
	CHECK(strcmp(t.search, "50000") == 0);
	keys(&t, "/zzz");
	CHECK(strcmp(t.prompt_err, "no match") == 0);
	key(&t, K_ESC);
	CHECK(t.search[0] == '\0');
	CHECK_EQ(session_search_find("wait", FIELD_STATE, "TIME_WAIT"), 5);
	CHECK_EQ(session_search_find("", FIELD_STATE, "TIME_WAIT"), -1);
	CHECK_EQ(session_search_find("wait", FIELD_N, "TIME_WAIT"), -1);
	/* Every column shown is searched, a hidden one is not; the owner's
	 * process, pid and user always are ("-" without attribution). */
	{
		struct conn c0;
		size_t ncols = t.ncols;

		memset(&c0, 0, sizeof c0);
		c0.s.family = AF_INET;
		c0.s.state = TCP_ESTABLISHED;
		c0.s.cc = conn_cc_intern("bbr", 3);
		snprintf(t.search, sizeof t.search, "bbr");
		CHECK(col_index(&t, FIELD_CC) < 0);
		CHECK(!session_search_match(&t, &c0));
		t.cols[t.ncols++] = FIELD_CC;
		CHECK(session_search_match(&t, &c0));
		t.ncols = 0;
		snprintf(t.search, sizeof t.search, "-");
		CHECK(session_search_match(&t, &c0));	/* the process */
		t.ncols = ncols;
		t.search[0] = '\0';
	}

	/* Sort keys, delay keys and the delay prompt. */
	t.sort_key = FIELD_STATE;
	keys(&t, ">");
	CHECK_EQ(t.sort_key, field_sort_key(1));
	keys(&t, "<<");
	CHECK_EQ(t.sort_key, field_sort_key(field_nsort() - 1));
	key(&t, K_F6);
	CHECK(screens_top(&t) == SCREEN_SORT);
	key(&t, K_HOME);
	key(&t, K_DOWN);
	r = key(&t, K_ENTER);
	CHECK(screens_top(&t) == SCREEN_LIST && t.sort_key == field_sort_key(1) &&
	    (r & REACT_REVIEW));
	t.delay = 1;
	r = keys(&t, "+");
	CHECK(t.delay == 2 && (r & REACT_DELAY));
	keys(&t, "--");
	CHECK(t.delay > 0.49 && t.delay < 0.51);
	keys(&t, "d");
	key(&t, 21);
	keys(&t, "0.01\n");
	CHECK(t.prompt == SESSION_PROMPT_DELAY && t.prompt_err[0] != '\0');
	key(&t, 21);
	keys(&t, "2.5\n");
	CHECK(t.prompt == SESSION_PROMPT_NONE && t.delay == 2.5);
	CHECK(keys_delay_step(3600, 1) == 3600 && keys_delay_step(0.1, -1) == 0.1);

	/* Family, pause, colour, help, detail, quit. */
	r = keys(&t, "4");
	CHECK(t.filter.families == FILTER_INET4 && (r & REACT_RESCAN));
	keys(&t, "4");
	CHECK(t.filter.families == (FILTER_INET4 | FILTER_INET6));
	/* In --lesson, Space is the next step, not a pause: the lesson's
	 * keys come before the view's. */
	t.lesson = 1;
	r = keys(&t, " ");
	CHECK((r & REACT_STEP) && !t.paused);
	t.lesson = 0;
	/* Space refreshes now, as top's; Z pauses, as htop's. */
	r = keys(&t, " ");
	CHECK(!t.paused && (r & REACT_NOW));
	keys(&t, "Z");
	CHECK(t.paused);
	r = keys(&t, " ");
	CHECK(t.paused && (r & REACT_NOW));
	r = keys(&t, "Z");
	CHECK(!t.paused && (r & REACT_RESCAN));
	r = keys(&t, "c");
	CHECK(!t.color && (r & REACT_REPAINT));
	keys(&t, "h");
	CHECK(screens_top(&t) == SCREEN_HELP);
	keys(&t, "x");
	CHECK(screens_top(&t) == SCREEN_LIST);
	/* q and F10 leave the help, as in htop, not tcptop. */
	keys(&t, "h");
	r = keys(&t, "q");
	CHECK(!(r & REACT_QUIT) && screens_top(&t) == SCREEN_LIST);
	keys(&t, "h");
	r = key(&t, K_F10);
	CHECK(!(r & REACT_QUIT) && screens_top(&t) == SCREEN_LIST);
	/* F5 is the groups and back (htop's tree), F9 kill (htop's). */
	key(&t, K_F5);
	CHECK(screens_top(&t) == SCREEN_GROUPS);
	key(&t, K_F5);
	CHECK(screens_top(&t) == SCREEN_LIST);
	key(&t, K_F9);
	CHECK(screens_top(&t) == SCREEN_KILL);
	keys(&t, "n");
	CHECK(screens_top(&t) == SCREEN_LIST);
	key(&t, K_ENTER);
	CHECK(screens_top(&t) == SCREEN_DETAIL);
	key(&t, K_ESC);
	CHECK(screens_top(&t) == SCREEN_LIST);
	CHECK(keys(&t, "q") & REACT_QUIT);
	CHECK(key(&t, K_F10) & REACT_QUIT);

	/* Help from the detail view returns to it: Esc goes back one
	 * step, as it came. */
	key(&t, K_ENTER);
	keys(&t, "h");
	CHECK(screens_top(&t) == SCREEN_HELP);
	key(&t, K_ESC);
	CHECK(screens_top(&t) == SCREEN_DETAIL);
	key(&t, K_ESC);
	CHECK(screens_top(&t) == SCREEN_LIST);
	test_tables();
	{
		/* f follows the selection: its path with times; e explains
		 * the followed state; when the connection goes, the path
		 * stays and says so; Esc ends following. */
		struct conntab *t2 = conntab_new(0);
		struct conn_sample w = mk(9, TCP_SYN_SENT, 40009, 80);

		session_done(&t);
		start(&t, &o);
		scan(t2, 1000, &w, 1);
		show(&t, t2);
		keys(&t, "f");
		CHECK(t.follow.on && t.follow.n == 1 &&
		    t.diagram == SESSION_DIAGRAM_SPLIT &&
		    screens_top(&t) == SCREEN_FOLLOW);
		w.state = TCP_ESTABLISHED;
		scan(t2, 2500, &w, 1);
		show(&t, t2);
		CHECK(t.follow.n == 2 && t.follow.states[1] ==
		    TCP_ESTABLISHED && t.follow.ms[0] == 1000 &&
		    t.follow.ms[1] == 2500 && !t.follow.gone);
		keys(&t, "e");
		CHECK(screens_top(&t) == SCREEN_EXPLAIN &&
		    session_top(&t)->arg == TCP_ESTABLISHED);
		key(&t, K_ESC);
		CHECK(screens_top(&t) == SCREEN_FOLLOW && t.follow.on);
		/* Keys the timeline does not bind are the list's. */
		key(&t, K_ENTER);
		CHECK(screens_top(&t) == SCREEN_DETAIL);
		key(&t, K_ESC);
		scan(t2, 3000, NULL, 0);
		show(&t, t2);
		CHECK(t.follow.on && t.follow.gone && t.follow.n == 2);
		key(&t, K_ESC);
		CHECK(!t.follow.on && screens_top(&t) == SCREEN_LIST);
		conntab_free(t2);
	}
	test_columns(&o);
	{
		/* a opens the alerts window, which scrolls; Esc or a again
		 * closes it. */
		keys(&t, "a");
		CHECK(screens_top(&t) == SCREEN_ALERTS &&
		    session_top(&t)->pos == 0);
		t.page = 10;	/* as layout_measure would find them */
		t.extent = 15;
		key(&t, K_DOWN);
		CHECK(session_top(&t)->pos == 1);
		key(&t, K_END);
		CHECK(screens_top(&t) == SCREEN_ALERTS &&
		    session_top(&t)->pos == 5);
		key(&t, K_PGDN);
		CHECK(session_top(&t)->pos == 5);
		key(&t, K_HOME);
		CHECK(session_top(&t)->pos == 0);
		key(&t, K_ESC);
		CHECK(screens_top(&t) == SCREEN_LIST);
		keys(&t, "aa");
		CHECK(screens_top(&t) == SCREEN_LIST);
	}
	test_groups(&o);
	test_mouse_prefs();
	test_measured_end(&o);
	session_done(&t);
	conntab_free(tab);
	return check_done();
}
