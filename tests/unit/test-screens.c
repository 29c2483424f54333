/* Every screen of the table, started once through its entry and drawn
 * at 80x24 and at 40x12 (the least tcptop draws) on a virtual terminal:
 * it shows what marks it, the header and the key bar stay, and nothing
 * breaks (under ASan in the sanitizer build).  A screen added to the
 * table without a case here fails. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sample.h"
#include "tcptop/column.h"
#include "tcptop/keys.h"
#include "tcptop/layout.h"
#include "tcptop/screens.h"
#include "tcptop/session.h"
#include "tcptop/tcpstate.h"
#include "tcptop/ui.h"

/* What each screen shows at each size; NULL: not shown there (the
 * place is too small), only drawn without harm. */
static const struct {
	int id;
	int arg;
	const char *at80;
	const char *at40;
} cases[] = {
	{ SCREEN_LIST, 0, "STATE", "STATE" },
	{ SCREEN_GROUPS, GROUP_SERVICE, "SERVICE", "SERVICE" },
	{ SCREEN_DETAIL, 0, "Connection", "Connection" },
	{ SCREEN_HELP, 0, "tcptop keys", "tcptop keys" },
	{ SCREEN_SORT, 0, "Sort by", "Sort by" },
	{ SCREEN_COLUMNS, 0, "Columns:", "Columns:" },
	{ SCREEN_EXPLAIN, 0, "what it means", "what it means" },
	{ SCREEN_KILL, 1, "Destroy all", "Destroy all" },
	{ SCREEN_KILL_OWN, 0, "Your own SSH session", "Your own SSH" },
	{ SCREEN_ALERTS, 0, "Alerts: 1", "Alerts: 1" },
	{ SCREEN_DIAGRAM, 0, "[ESTABLISHED", "TCP states" },
	{ SCREEN_FOLLOW, 0, "Following v4", NULL },
	{ SCREEN_LESSON, 0, "Step 1/2", NULL },
	{ SCREEN_PROMPT, SESSION_PROMPT_PORT, "Port filter", "Port filter" },
};

/* Whether the screen shows text on any line; the lines are kept in
 * screen[] for a failure to show. */
static char screen[24][128];

static int
shown(int rows, const char *text)
{
	int y, found = 0;

	for (y = 0; y < rows; y++) {
		ui_line(y, screen[y], sizeof screen[y]);
		if (text != NULL && strstr(screen[y], text) != NULL)
			found = 1;
	}
	return found;
}

static void
dump(int rows)
{
	int y;

	for (y = 0; y < rows; y++)
		fprintf(stderr, "    |%s|\n", screen[y]);
}

/* Draw f at rows x cols; check the header and the key bar, and want. */
static void
draw_at(struct frame *f, struct session *s, int rows, int cols,
    const char *name, const char *want)
{
	int ok;

	ui_resize(rows, cols);
	layout_measure(s, f);
	layout_draw(f, 0);
	ok = shown(rows, want) || want == NULL;
	if (getenv("TEST_SCREENS_SHOW") != NULL)
		dump(rows);
	ok &= strncmp(screen[0], "testhost", 8) == 0;
	ok &= screen[rows - 1][0] != ' ' && screen[rows - 1][0] != '\0';
	if (!CHECK(ok)) {
		fprintf(stderr, "  %s at %dx%d: want \"%s\"\n", name, cols, rows,
		    want != NULL ? want : "(anything)");
		dump(rows);
	}
}

/* A snapshot of a connection in every state but CLOSE, one alert. */
static void
fill(struct snapshot *snap, struct conntab *tab, struct alert *al,
    struct trans *tr)
{
	struct conn_sample s[TCPSTATE_MAX];
	size_t i;

	for (i = 0; i + 1 < TCPSTATE_MAX; i++) {
		s[i] = mk(i + 1, tcpstate_order[i], 9000, 40000 + (int)i);
		s[i].info.rtt_us = 1250;
		s[i].flags = CONN_HAS_INFO;
	}
	scan(tab, 1000, s, TCPSTATE_MAX - 1);
	memset(al, 0, sizeof *al);
	al->kind = ALERT_CLOSE_WAIT_LEAK;
	strcpy(al->evidence, "1 CLOSE_WAIT older than 60s on :9000");
	strcpy(al->hint, "the process does not close its sockets");
	memset(snap, 0, sizeof *snap);
	snap->host = "testhost";
	snap->source = "kernel";
	snap->live = 1;
	snap->root = 1;
	snap->error = "";
	snap->realtime_ns = 1795594742000000000LL;
	snap->tab = tab;
	snap->fields.now_ms = 1000;
	snap->alerts = al;
	snap->nalerts = 1;
	snap->trans = tr;
	snap->trans_source = "exact";
}

/* Click at column x of line y of what f drew at 80x24. */
static int
click(struct frame *f, struct session *s, int y, int x)
{
	layout_measure(s, f);
	ui_mouse_put(y, x);
	return layout_mouse(s, f, K_CLICK);
}

/* The column where text starts on line y at 80x24, or -1. */
static int
column_of(struct frame *f, struct session *s, int y, const char *text)
{
	const char *at;

	draw_at(f, s, 24, 80, "mouse", NULL);
	at = strstr(screen[y], text);
	return at != NULL ? (int)(at - screen[y]) : -1;
}

/* The mouse on the list at 80x24: a click on a row selects it, on a
 * column title sorts by it and on it again the other way, on the key
 * bar acts as the key; the wheel moves three rows; a click while the
 * prompt is open, or on nothing, does nothing. */
static void
test_mouse(struct frame *f, struct session *s)
{
	int y, x, rtt_y = -1;
	size_t n = s->view.n;

	draw_at(f, s, 24, 80, "mouse", "RTT");
	for (y = 0; y < 24 && rtt_y < 0; y++)
		if (strstr(screen[y], "STATE") != NULL &&
		    strstr(screen[y], "RTT") != NULL)
			rtt_y = y;
	if (!CHECK(rtt_y > 0 && n > 6)) {
		dump(24);
		return;
	}
	/* The third row. */
	CHECK(click(f, s, rtt_y + 3, 10) & REACT_REDRAW);
	CHECK_EQ(s->sel, s->top + 2);
	/* Below the last row: nothing. */
	CHECK_EQ(click(f, s, rtt_y + 1 + (int)n, 10), 0);
	CHECK_EQ(s->sel, s->top + 2);
	/* The wheel: three rows a notch. */
	CHECK(layout_mouse(s, f, K_WHEEL_DOWN) & REACT_REDRAW);
	CHECK_EQ(s->sel, 5);
	CHECK(layout_mouse(s, f, K_WHEEL_UP) & REACT_REDRAW);
	CHECK_EQ(s->sel, 2);
	/* The RTT title: by rtt, biggest first; again, the other way. */
	x = column_of(f, s, rtt_y, "RTT");
	CHECK(click(f, s, rtt_y, x + 1) & REACT_REVIEW);
	CHECK(s->sort_key == FIELD_RTT && s->sort_reverse);
	CHECK(strcmp(s->msg, "sorted by rtt, biggest first") == 0);
	session_view(s, f->snap);
	x = column_of(f, s, rtt_y, "RTT");
	CHECK(click(f, s, rtt_y, x) & REACT_REVIEW);
	CHECK(s->sort_key == FIELD_RTT && !s->sort_reverse);
	CHECK(strcmp(s->msg, "sorted by rtt") == 0);
	/* The STATE title: by state, first to last. */
	x = column_of(f, s, rtt_y, "STATE");
	CHECK(click(f, s, rtt_y, x + 2) & REACT_REVIEW);
	CHECK(s->sort_key == FIELD_STATE && !s->sort_reverse);
	session_view(s, f->snap);
	/* The key bar: "Help" is F1's. */
	x = column_of(f, s, 23, "Help");
	CHECK(x > 0);
	click(f, s, 23, x);
	CHECK_EQ(screens_top(s), SCREEN_HELP);
	click(f, s, 23, column_of(f, s, 23, "F10"));
	CHECK_EQ(screens_top(s), SCREEN_LIST);
	/* The prompt line takes the keys: the mouse waits. */
	CHECK_EQ(screens_open(s, SCREEN_PROMPT, SESSION_PROMPT_PORT), 0);
	CHECK_EQ(click(f, s, rtt_y + 3, 10), 0);
	CHECK_EQ(layout_mouse(s, f, K_WHEEL_DOWN), 0);
	CHECK_EQ(screens_top(s), SCREEN_PROMPT);
}

int
main(void)
{
	struct conntab *tab = conntab_new(0);
	struct trans *tr = trans_new(10000);
	struct snapshot snap;
	struct alert al;
	struct options o;
	struct session s;
	struct prefs p;
	struct settings none;
	struct frame f;
	struct ssh_session own;
	char err[160], arg0[] = "tcptop", *argv[] = { arg0, NULL };
	size_t i, k;
	int id;

	if (ui_open_null("xterm", 24, 80) == -1) {
		printf("SKIP: no terminfo entry for xterm\n");
		return 77;
	}
	fill(&snap, tab, &al, tr);
	memset(&none, 0, sizeof none);
	CHECK_EQ(options_parse(&o, 1, argv, err, sizeof err), OPTIONS_RUN);
	prefs_merge(&p, &o, &none, err, sizeof err);
	for (id = 0; id < SCREEN_N; id++) {
		for (k = 0; k < sizeof cases / sizeof cases[0] &&
		    cases[k].id != id; k++)
			;
		if (!CHECK(k < sizeof cases / sizeof cases[0])) {
			fprintf(stderr, "  screen %d has no case here\n", id);
			continue;
		}
		session_init(&s, &o, &p);
		screens_start(&s, GROUP_NONE);
		session_view(&s, &snap);
		/* On the ESTABLISHED connection. */
		for (i = 0; i < s.view.n && s.view.rows[i]->s.state !=
		    TCP_ESTABLISHED; i++)
			;
		session_move_to(&s, i);
		memset(&f, 0, sizeof f);
		f.snap = &snap;
		f.s = &s;
		if (id == SCREEN_DIAGRAM || id == SCREEN_FOLLOW)
			s.diagram = SESSION_DIAGRAM_SPLIT;
		if (id == SCREEN_LESSON) {
			s.lesson = 1;
			f.lesson_title = "Step 1/2  opening: a connect";
			f.lesson_text = "The client sends a SYN.";
		}
		/* The own session's window: only through the kill
		 * window's y, with the session in its list. */
		if (id == SCREEN_KILL_OWN) {
			snprintf(err, sizeof err, "10.0.0.2 %u 10.0.0.0 9000",
			    session_selected(&s)->s.rport);
			CHECK_EQ(ssh_parse(err, &own), 0);
			snap.ssh = &own;
			session_view(&s, &snap);
			CHECK_EQ(screens_open(&s, id, 0), -1);
			CHECK_EQ(screens_open(&s, SCREEN_KILL, 1), 0);
			screens_key(&s, 'y');
			CHECK_EQ(screens_top(&s), SCREEN_KILL_OWN);
		} else if (id != SCREEN_LIST && id != SCREEN_DIAGRAM &&
		    id != SCREEN_LESSON)
			CHECK_EQ(screens_open(&s, id, cases[k].arg), 0);
		session_view(&s, &snap);
		draw_at(&f, &s, 24, 80, s.msg[0] != '\0' ? s.msg : "screen",
		    cases[k].at80);
		draw_at(&f, &s, 12, 40, "screen", cases[k].at40);
		snap.ssh = NULL;
		session_done(&s);
	}

	/* t at 80x24 splits, with the kernel's counters and an alert line
	 * too: the diagram above, list rows under it. */
	session_init(&s, &o, &p);
	screens_start(&s, GROUP_NONE);
	session_view(&s, &snap);
	memset(&f, 0, sizeof f);
	f.snap = &snap;
	f.s = &s;
	f.kernel_line = 1;
	s.diagram = SESSION_DIAGRAM_SPLIT;
	draw_at(&f, &s, 24, 80, "split diagram", "[ESTABLISHED");
	if (!CHECK(shown(24, "LOCAL") && shown(24, ":9000 ")))
		dump(24);
	session_done(&s);

	session_init(&s, &o, &p);
	screens_start(&s, GROUP_NONE);
	session_view(&s, &snap);
	memset(&f, 0, sizeof f);
	f.snap = &snap;
	f.s = &s;
	test_mouse(&f, &s);
	session_done(&s);

	/* Rows that just closed stay on screen, counted apart: the shown
	 * count never exceeds the rows held. */
	{
		struct conn_sample w[3];
		char want[64];

		for (i = 0; i < 3; i++) {
			w[i] = mk(i + 1, tcpstate_order[i], 9000,
			    40000 + (int)i);
			w[i].info.rtt_us = 1250;
			w[i].flags = CONN_HAS_INFO;
		}
		session_init(&s, &o, &p);
		screens_start(&s, GROUP_NONE);
		scan(tab, 2000, w, 3);
		snap.fields.now_ms = 2000;
		session_view(&s, &snap);
		memset(&f, 0, sizeof f);
		f.snap = &snap;
		f.s = &s;
		snprintf(want, sizeof want, "3 of 3 shown +%d closed",
		    TCPSTATE_MAX - 1 - 3);
		CHECK_EQ(s.view.n, TCPSTATE_MAX - 1);
		draw_at(&f, &s, 24, 80, "status", want);
		session_done(&s);
	}
	ui_close();
	trans_free(tr);
	conntab_free(tab);
	return check_done();
}
