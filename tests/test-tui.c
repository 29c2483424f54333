/* The interactive model without a terminal: the selection follows a
 * connection, prompts refuse bad input and keep it, search, sort and
 * delay keys, and a keymap with no key bound twice in one mode. */
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "sample.h"
#include "tcptop/field.h"
#include "tcptop/keymap.h"
#include "tcptop/sort.h"
#include "tcptop/tui.h"

static int
keys(struct tui *t, const char *s)
{
	int r = 0;

	for (; *s != '\0'; s++)
		r |= tui_key(t, *s == '\n' ? TUI_KEY_ENTER : *s);
	return r;
}

/* The column chooser: F2 opens it, arrows move, Space shows and hides,
 * [ ] and F7 F8 reorder, the last column cannot go, Enter closes. */
static void
test_columns(const struct options *o)
{
	struct tui t;
	uint8_t ids[FIELD_N];
	size_t n, i, shown, ncols = 0;
	int cwnd;

	tui_init(&t, o);
	shown = t.ncols;
	CHECK_EQ(shown, column_ndefault);
	CHECK(tui_key(&t, TUI_KEY_F2) & TUI_REDRAW);
	CHECK(t.mode == TUI_COLUMNS && t.col_sel == t.cols[0]);
	/* The list: every column once, the shown ones first in order;
	 * fields that are no column (lport) are not offered. */
	n = tui_columns_list(&t, ids);
	for (i = 0; i < FIELD_N; i++)
		ncols += field_is_column((int)i);
	CHECK_EQ(n, ncols);
	for (i = 0; i < shown; i++)
		CHECK_EQ(ids[i], t.cols[i]);
	for (i = 0; i < FIELD_N; i++)
		CHECK((memchr(ids, (int)i, n) != NULL) ==
		    field_is_column((int)i));
	/* Up at the top stays; Down walks to cwnd. */
	tui_key(&t, TUI_KEY_UP);
	CHECK(t.col_sel == t.cols[0]);
	for (i = 0; i < n && t.col_sel != FIELD_CWND; i++)
		tui_key(&t, TUI_KEY_DOWN);
	CHECK_EQ(t.col_sel, FIELD_CWND);
	CHECK_EQ(tui_columns_index(&t, FIELD_CWND), -1);
	/* Space shows it, last; the highlight stays on it. */
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown + 1);
	CHECK_EQ(t.cols[shown], FIELD_CWND);
	CHECK_EQ(t.col_sel, FIELD_CWND);
	/* [ moves it left, ] back, past the end nothing. */
	keys(&t, "[");
	CHECK_EQ(tui_columns_index(&t, FIELD_CWND), (int)shown - 1);
	tui_key(&t, TUI_KEY_F8);
	CHECK_EQ(tui_columns_index(&t, FIELD_CWND), (int)shown);
	CHECK_EQ(tui_columns_move(&t, 1), -1);
	tui_key(&t, TUI_KEY_F7);
	CHECK_EQ(tui_columns_index(&t, FIELD_CWND), (int)shown - 1);
	/* Other keys do not leak to the list: Space did not pause. */
	CHECK(!t.paused);
	/* Hide it again; a hidden column cannot move. */
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown);
	CHECK_EQ(tui_columns_index(&t, FIELD_CWND), -1);
	CHECK_EQ(tui_columns_move(&t, -1), -1);
	CHECK(t.msg[0] != '\0');
	/* The highlight follows the column it toggled: Space again undoes. */
	tui_key(&t, TUI_KEY_HOME);
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown - 1);
	keys(&t, " ");
	CHECK_EQ(t.ncols, shown);
	/* Hide everything from the top: the last one stays. */
	for (i = 0; i < shown + 3; i++) {
		tui_key(&t, TUI_KEY_HOME);
		keys(&t, " ");
	}
	CHECK_EQ(t.ncols, 1);
	CHECK(t.msg_error && strstr(t.msg, "one column") != NULL);
	cwnd = t.cols[0];
	CHECK(cwnd >= 0 && cwnd < FIELD_N);
	/* End reaches the last entry; Enter closes. */
	tui_key(&t, TUI_KEY_END);
	n = tui_columns_list(&t, ids);
	CHECK_EQ(t.col_sel, ids[n - 1]);
	tui_key(&t, TUI_KEY_ENTER);
	CHECK(t.mode == TUI_LIST);
	/* Esc and F2 close too. */
	tui_key(&t, TUI_KEY_F2);
	tui_key(&t, TUI_KEY_ESC);
	CHECK(t.mode == TUI_LIST);
	tui_key(&t, TUI_KEY_F2);
	tui_key(&t, TUI_KEY_F2);
	CHECK(t.mode == TUI_LIST);
	/* Show all of them: none is lost, no duplicate. */
	tui_key(&t, TUI_KEY_F2);
	for (i = 0; i < FIELD_N; i++) {
		t.col_sel = (int)i;
		if (tui_columns_index(&t, (int)i) < 0)
			keys(&t, " ");
	}
	CHECK_EQ(t.ncols, FIELD_N);
	n = tui_columns_list(&t, ids);
	CHECK_EQ(n, FIELD_N);
}

int
main(void)
{
	struct options o;
	struct tui t;
	struct conntab *tab = conntab_new(0);
	struct view v;
	struct conn_sample s[5];
	char err[128];
	size_t i, j, k, m;
	int r;
	char arg0[] = "tcptop";
	char *argv[] = { arg0, NULL };

	CHECK_EQ(options_parse(&o, 1, argv, err, sizeof err), OPTIONS_RUN);
	tui_init(&t, &o);
	t.rows = 3;
	view_init(&v);
	s[0] = mk(1, TCP_LISTEN, 9000, 0);
	s[1] = mk(2, TCP_ESTABLISHED, 9000, 40001);
	s[2] = mk(3, TCP_ESTABLISHED, 9000, 40002);
	s[3] = mk(4, TCP_TIME_WAIT, 40003, 9000);
	s[4] = mk(5, TCP_CLOSE_WAIT, 22, 50000);
	scan(tab, 0, s, 5);
	view_build(&v, tab, &t.filter, t.sort_key, t.sort_reverse, 1);
	tui_set_view(&t, &v);
	CHECK(tui_selected(&t) == v.rows[0]);

	/* Select the row of cookie 3, then re-sort: it stays selected. */
	for (i = 0; i < v.n && v.rows[i]->s.cookie != 3; i++)
		tui_move(&t, 1);
	CHECK(tui_selected(&t) != NULL && tui_selected(&t)->s.cookie == 3);
	r = keys(&t, "I");
	CHECK(r & TUI_REVIEW);
	view_build(&v, tab, &t.filter, t.sort_key, t.sort_reverse, 1);
	tui_set_view(&t, &v);
	CHECK(tui_selected(&t)->s.cookie == 3);
	CHECK(t.sel >= t.top && t.sel < t.top + 3);
	/* It goes: the selection keeps the row number. */
	k = t.sel;
	s[2] = s[4];
	scan(tab, 1000, s, 4);
	view_build(&v, tab, &t.filter, t.sort_key, t.sort_reverse, 1);
	tui_set_view(&t, &v);
	CHECK(tui_selected(&t) != NULL && t.sel == (k < v.n ? k : v.n - 1));

	/* Port prompt: bad input stays in the prompt with the reason. */
	r = keys(&t, "p70000\n");
	CHECK(t.prompt == TUI_PROMPT_PORT && t.prompt_err[0] != '\0');
	CHECK(!(r & TUI_RESCAN));
	r = tui_key(&t, TUI_KEY_BACKSPACE);
	CHECK(t.prompt_err[0] == '\0' && strcmp(t.input, "7000") == 0);
	r = tui_key(&t, 21);	/* ^U */
	r = keys(&t, "9000\n");
	CHECK(t.prompt == TUI_PROMPT_NONE && (r & TUI_RESCAN) &&
	    t.filter.nranges == 1 && strcmp(t.port_text, "9000") == 0);
	/* Esc leaves the filter as it was. */
	keys(&t, "p");
	tui_key(&t, 21);
	keys(&t, "22");
	r = tui_key(&t, TUI_KEY_ESC);
	CHECK(t.prompt == TUI_PROMPT_NONE && strcmp(t.port_text, "9000") == 0);
	/* An empty port list clears. */
	keys(&t, "p");
	tui_key(&t, 21);
	r = tui_key(&t, TUI_KEY_ENTER);
	CHECK(t.filter.nranges == 0 && t.port_text[0] == '\0');

	/* Filter prompt: bad expressions are refused, good ones taken. */
	r = tui_key(&t, TUI_KEY_F4);
	keys(&t, "sport = = 3\n");
	CHECK(t.prompt == TUI_PROMPT_FILTER && t.prompt_err[0] != '\0');
	tui_key(&t, 21);
	r = keys(&t, "dport = :9000\n");
	CHECK(t.prompt == TUI_PROMPT_NONE && (r & TUI_RESCAN));
	CHECK(strcmp(t.expr_text, "dport = :9000") == 0);
	tui_key(&t, TUI_KEY_F4);
	tui_key(&t, 21);
	tui_key(&t, TUI_KEY_ENTER);
	CHECK(t.expr_text[0] == '\0');

	/* Incremental search jumps to the match; Esc drops it. */
	view_build(&v, tab, &t.filter, t.sort_key, t.sort_reverse, 1);
	tui_set_view(&t, &v);
	tui_move_to(&t, 0);
	keys(&t, "/50000");
	CHECK(t.prompt == TUI_PROMPT_SEARCH && tui_selected(&t) != NULL &&
	    tui_selected(&t)->s.rport == 50000);
	CHECK(tui_search_match(&t, tui_selected(&t)));
	tui_key(&t, TUI_KEY_ENTER);
	CHECK(strcmp(t.search, "50000") == 0);
	keys(&t, "/zzz");
	CHECK(strcmp(t.prompt_err, "no match") == 0);
	tui_key(&t, TUI_KEY_ESC);
	CHECK(t.search[0] == '\0');
	CHECK_EQ(tui_search_find("wait", FIELD_STATE, "TIME_WAIT"), 5);
	CHECK_EQ(tui_search_find("wait", FIELD_AGE, "TIME_WAIT"), -1);

	/* Sort keys, delay keys and the delay prompt. */
	t.sort_key = FIELD_STATE;
	keys(&t, ">");
	CHECK_EQ(t.sort_key, field_sort_key(1));
	keys(&t, "<<");
	CHECK_EQ(t.sort_key, field_sort_key(field_nsort() - 1));
	tui_key(&t, TUI_KEY_F6);
	CHECK(t.mode == TUI_SORT);
	tui_key(&t, TUI_KEY_HOME);
	tui_key(&t, TUI_KEY_DOWN);
	r = tui_key(&t, TUI_KEY_ENTER);
	CHECK(t.mode == TUI_LIST && t.sort_key == field_sort_key(1) &&
	    (r & TUI_REVIEW));
	t.delay = 1;
	r = keys(&t, "+");
	CHECK(t.delay == 2 && (r & TUI_DELAY));
	keys(&t, "--");
	CHECK(t.delay > 0.49 && t.delay < 0.51);
	keys(&t, "d");
	tui_key(&t, 21);
	keys(&t, "0.01\n");
	CHECK(t.prompt == TUI_PROMPT_DELAY && t.prompt_err[0] != '\0');
	tui_key(&t, 21);
	keys(&t, "2.5\n");
	CHECK(t.prompt == TUI_PROMPT_NONE && t.delay == 2.5);
	CHECK(tui_delay_step(3600, 1) == 3600 && tui_delay_step(0.1, -1) == 0.1);

	/* Family, pause, colour, help, detail, quit. */
	r = keys(&t, "4");
	CHECK(t.filter.families == FILTER_INET4 && (r & TUI_RESCAN));
	keys(&t, "4");
	CHECK(t.filter.families == (FILTER_INET4 | FILTER_INET6));
	/* In --lesson, Space is the next step, not a pause. */
	t.lesson = 1;
	r = keys(&t, " ");
	CHECK((r & TUI_STEP) && !t.paused);
	t.lesson = 0;
	keys(&t, " ");
	CHECK(t.paused);
	r = keys(&t, " ");
	CHECK(!t.paused && (r & TUI_RESCAN));
	r = keys(&t, "c");
	CHECK(!t.color && (r & TUI_REPAINT));
	keys(&t, "h");
	CHECK(t.mode == TUI_HELP);
	keys(&t, "x");
	CHECK(t.mode == TUI_LIST);
	tui_key(&t, TUI_KEY_ENTER);
	CHECK(t.mode == TUI_DETAIL);
	tui_key(&t, TUI_KEY_ESC);
	CHECK(t.mode == TUI_LIST);
	CHECK(keys(&t, "q") & TUI_QUIT);
	CHECK(tui_key(&t, TUI_KEY_F10) & TUI_QUIT);

	/* No key is bound twice in one mode, and every entry has help. */
	for (i = 0; i < keymap_n; i++) {
		CHECK(keymap[i].help != NULL && keymap[i].keynames != NULL);
		for (j = i + 1; j < keymap_n; j++) {
			if (!(keymap[i].modes & keymap[j].modes))
				continue;
			for (k = 0; k < 4 && keymap[i].keys[k]; k++)
				for (m = 0; m < 4 && keymap[j].keys[m]; m++)
					CHECK(keymap[i].keys[k] !=
					    keymap[j].keys[m]);
		}
	}
	{
		/* f follows the selection: its path with times; e explains
		 * the followed state; when the connection goes, the path
		 * stays and says so; Esc ends following. */
		struct conntab *t2 = conntab_new(0);
		struct conn_sample w = mk(9, TCP_SYN_SENT, 40009, 80);

		tui_init(&t, &o);
		t.rows = 3;
		scan(t2, 1000, &w, 1);
		view_build(&v, t2, &t.filter, t.sort_key, t.sort_reverse, 1);
		tui_set_view(&t, &v);
		keys(&t, "f");
		CHECK(t.follow && t.follow_n == 1 &&
		    t.diagram == TUI_DIAGRAM_SPLIT);
		w.state = TCP_ESTABLISHED;
		scan(t2, 2500, &w, 1);
		view_build(&v, t2, &t.filter, t.sort_key, t.sort_reverse, 1);
		tui_set_view(&t, &v);
		CHECK(t.follow_n == 2 && t.follow_states[1] ==
		    TCP_ESTABLISHED && t.follow_ms[0] == 1000 &&
		    t.follow_ms[1] == 2500 && !t.follow_gone);
		keys(&t, "e");
		CHECK(t.mode == TUI_EXPLAIN &&
		    t.explain_state == TCP_ESTABLISHED);
		tui_key(&t, TUI_KEY_ESC);
		CHECK(t.mode == TUI_LIST && t.follow);
		scan(t2, 3000, NULL, 0);
		view_build(&v, t2, &t.filter, t.sort_key, t.sort_reverse, 1);
		tui_set_view(&t, &v);
		CHECK(t.follow && t.follow_gone && t.follow_n == 2);
		tui_key(&t, TUI_KEY_ESC);
		CHECK(!t.follow);
		conntab_free(t2);
	}
	test_columns(&o);
	{
		/* a opens the alerts window, which scrolls; Esc or a again
		 * closes it. */
		tui_init(&t, &o);
		keys(&t, "a");
		CHECK(t.mode == TUI_ALERTS && t.scroll == 0);
		t.scroll_max = 5;
		tui_key(&t, TUI_KEY_DOWN);
		tui_key(&t, TUI_KEY_END);
		CHECK(t.mode == TUI_ALERTS && t.scroll == 5);
		tui_key(&t, TUI_KEY_ESC);
		CHECK(t.mode == TUI_LIST);
		keys(&t, "aa");
		CHECK(t.mode == TUI_LIST);
	}
	view_done(&v);
	conntab_free(tab);
	return check_done();
}
