/* Group views: keys, counts and histograms of synthetic rows, the service
 * rule with and without a listener, IPv6, sort order, the drill-down
 * filter, and memory kept across builds. */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "sample.h"
#include "tcptop/field.h"
#include "tcptop/group.h"
#include "tcptop/keys.h"
#include "tcptop/screens.h"
#include "tcptop/session.h"

static const struct field_ctx cx;

/* 10.0.0.0:lport -> 10.0.0.R:rport. */
static struct conn_sample
mkr(uint64_t cookie, int state, unsigned lport, unsigned rport, int r)
{
	struct conn_sample s = mk(cookie, state, lport, rport);

	s.remote[3] = (uint8_t)r;
	return s;
}

static struct conn_sample
mk6(uint64_t cookie, int state, unsigned lport, unsigned rport,
    const char *remote)
{
	struct conn_sample s = mk(cookie, state, lport, rport);

	s.family = AF_INET6;
	memset(s.local, 0, 16);
	s.local[15] = 1;
	inet_pton(AF_INET6, remote, s.remote);
	return s;
}

static const struct group *
find(const struct groups *g, const char *label)
{
	char buf[GROUP_LABEL_LEN];
	size_t i;

	for (i = 0; i < g->n; i++) {
		group_label(g, &g->v[i].key, buf, sizeof buf);
		if (strcmp(buf, label) == 0)
			return &g->v[i];
	}
	return NULL;
}

static int
keep_member(void *arg, const struct conn *c)
{
	const struct groups *g = arg;

	return group_contains(g, &g->v[0].key, c, &cx);
}

static void
test_kinds(void)
{
	CHECK_EQ(group_lookup("service"), GROUP_SERVICE);
	CHECK_EQ(group_lookup("REMOTE"), GROUP_REMOTE);
	CHECK_EQ(group_lookup("process"), GROUP_PROCESS);
	CHECK_EQ(group_lookup("netns"), GROUP_NETNS);
	CHECK_EQ(group_lookup("bogus"), GROUP_NONE);
	CHECK(group_available(GROUP_SERVICE, &cx));
	CHECK(group_available(GROUP_REMOTE, &cx));
	/* cx has no owners (a replay) and one namespace. */
	CHECK(!group_available(GROUP_PROCESS, &cx));
	CHECK(!group_available(GROUP_NETNS, &cx));	/* one namespace */
	CHECK(group_available(GROUP_NETNS, NULL));
	CHECK(!group_available(GROUP_NONE, &cx));
	CHECK_EQ(group_next(GROUP_NONE, &cx), GROUP_SERVICE);
	CHECK_EQ(group_next(GROUP_SERVICE, &cx), GROUP_REMOTE);
	CHECK_EQ(group_next(GROUP_REMOTE, &cx), GROUP_NONE);
}

/* A listener on :80 with three accepted sockets, an outgoing pair to
 * :443 and one to :22; by service and by remote host. */
static void
test_service_remote(void)
{
	struct conn_sample s[] = {
		mkr(1, TCP_LISTEN, 80, 0, 0),
		mkr(2, TCP_ESTABLISHED, 80, 40001, 2),
		mkr(3, TCP_CLOSE_WAIT, 80, 40002, 2),
		mkr(4, TCP_CLOSE_WAIT, 80, 40003, 3),
		mkr(5, TCP_ESTABLISHED, 50001, 443, 3),
		mkr(6, TCP_TIME_WAIT, 50002, 443, 4),
		mkr(7, TCP_SYN_SENT, 50003, 22, 4),
	};
	struct conntab *t = conntab_new(1000);
	struct groups g;
	struct view v;
	const struct group *gr;

	memset(s[0].remote, 0, 16);	/* a listener has no peer */
	group_init(&g);
	view_init(&v);
	scan(t, 1000, s, sizeof s / sizeof s[0]);
	view_build(&v, t, NULL, 0, 0, 1, NULL);

	group_build(&g, GROUP_SERVICE, &v, t, &cx);
	CHECK_EQ(g.kind, GROUP_SERVICE);
	CHECK_EQ(g.n, 3);
	CHECK_EQ(g.total, 7);
	CHECK_EQ(g.ungrouped, 0);
	gr = find(&g, ":80");
	CHECK(gr != NULL && gr == &g.v[0]);	/* the biggest first */
	if (gr != NULL) {
		CHECK_EQ(gr->count, 4);
		CHECK_EQ(gr->states[TCP_LISTEN], 1);
		CHECK_EQ(gr->states[TCP_ESTABLISHED], 1);
		CHECK_EQ(gr->states[TCP_CLOSE_WAIT], 2);
	}
	gr = find(&g, "->:443");
	CHECK(gr != NULL && gr == &g.v[1]);
	if (gr != NULL) {
		CHECK_EQ(gr->count, 2);
		CHECK_EQ(gr->states[TCP_ESTABLISHED], 1);
		CHECK_EQ(gr->states[TCP_TIME_WAIT], 1);
	}
	gr = find(&g, "->:22");
	CHECK(gr != NULL && gr->count == 1 && gr->states[TCP_SYN_SENT] == 1);
	CHECK(group_find(&g, &g.v[2].key) == &g.v[2]);

	group_build(&g, GROUP_REMOTE, &v, t, &cx);
	CHECK_EQ(g.n, 4);
	CHECK_EQ(g.total, 7);
	/* 10.0.0.2, .3, .4 have two each: ties go by address; then the
	 * listener's peer. */
	CHECK(find(&g, "10.0.0.2") == &g.v[0]);
	CHECK(find(&g, "10.0.0.3") == &g.v[1]);
	CHECK(find(&g, "10.0.0.4") == &g.v[2]);
	CHECK(find(&g, "0.0.0.0") == &g.v[3]);
	gr = find(&g, "10.0.0.3");
	CHECK(gr != NULL && gr->states[TCP_CLOSE_WAIT] == 1 &&
	    gr->states[TCP_ESTABLISHED] == 1);

	/* By one state's count: who holds the CLOSE_WAIT sockets. */
	g.sort_state = TCP_CLOSE_WAIT;
	group_build(&g, GROUP_REMOTE, &v, t, &cx);
	CHECK(find(&g, "10.0.0.2") == &g.v[0]);
	CHECK(find(&g, "10.0.0.3") == &g.v[1]);
	g.sort_state = TCP_SYN_SENT;
	group_build(&g, GROUP_REMOTE, &v, t, &cx);
	CHECK(find(&g, "10.0.0.4") == &g.v[0]);
	g.sort_state = 0;

	view_done(&v);
	group_done(&g);
	conntab_free(t);
}

/* The same accepted socket without its listener looks outgoing: the rule
 * is by listened-on port.  A listener hidden by the view's filter still
 * counts. */
static void
test_no_listener(void)
{
	struct conn_sample s[] = {
		mkr(2, TCP_ESTABLISHED, 80, 40001, 2),
		mkr(3, TCP_CLOSE_WAIT, 80, 40002, 2),
	};
	struct conn_sample s2[] = {
		mkr(1, TCP_LISTEN, 80, 0, 0),
		mkr(2, TCP_ESTABLISHED, 80, 40001, 2),
		mkr(3, TCP_CLOSE_WAIT, 80, 40002, 2),
	};
	struct conntab *t = conntab_new(0);
	struct groups g;
	struct view v;
	struct filter f;
	char err[160];

	group_init(&g);
	view_init(&v);
	scan(t, 1000, s, 2);
	view_build(&v, t, NULL, 0, 0, 1, NULL);
	group_build(&g, GROUP_SERVICE, &v, t, &cx);
	CHECK_EQ(g.n, 2);
	CHECK(find(&g, "->:40001") != NULL);
	CHECK(find(&g, "->:40002") != NULL);
	CHECK(find(&g, ":80") == NULL);

	scan(t, 2000, s2, 3);
	filter_init(&f);
	CHECK_EQ(filter_parse_states(&f, "close-wait", err, sizeof err), 0);
	view_build(&v, t, &f, 0, 0, 1, NULL);
	CHECK_EQ(v.n, 1);
	group_build(&g, GROUP_SERVICE, &v, t, &cx);
	CHECK_EQ(g.n, 1);
	CHECK(find(&g, ":80") != NULL && g.v[0].count == 1 &&
	    g.v[0].states[TCP_CLOSE_WAIT] == 1);

	view_done(&v);
	group_done(&g);
	conntab_free(t);
}

/* An empty view (an empty namespace): no groups, and nothing handed to
 * qsort_r or memset with a NULL array, which is undefined even for no
 * elements (UBSan's nonnull-attribute check aborts a sanitizer build). */
static void
test_empty(void)
{
	struct conntab *t = conntab_new(0);
	struct groups g;
	struct view v;
	int k;

	group_init(&g);
	view_init(&v);
	scan(t, 1000, NULL, 0);
	view_build(&v, t, NULL, 0, 0, 1, NULL);
	CHECK_EQ(v.n, 0);
	for (k = GROUP_SERVICE; k < GROUP_NKINDS; k++) {
		group_build(&g, k, &v, t, &cx);
		CHECK_EQ(g.n, 0);
		CHECK_EQ(g.total, 0);
	}
	view_done(&v);
	group_done(&g);
	conntab_free(t);
}

/* IPv6 peers, a v4-mapped peer joining its IPv4 host, and a v6
 * listener's peer. */
static void
test_ipv6(void)
{
	struct conn_sample s[] = {
		mk6(1, TCP_LISTEN, 443, 0, "::"),
		mk6(2, TCP_ESTABLISHED, 443, 40001, "fd00::2"),
		mk6(3, TCP_CLOSE_WAIT, 443, 40002, "fd00::2"),
		mk6(4, TCP_ESTABLISHED, 443, 40003, "fd00::3"),
		mk6(5, TCP_ESTABLISHED, 443, 40004, "::ffff:10.0.0.2"),
		mkr(6, TCP_ESTABLISHED, 50001, 8080, 2),
	};
	struct conntab *t = conntab_new(0);
	struct groups g;
	struct view v;
	const struct group *gr;

	group_init(&g);
	view_init(&v);
	scan(t, 1000, s, sizeof s / sizeof s[0]);
	view_build(&v, t, NULL, 0, 0, 1, NULL);
	group_build(&g, GROUP_REMOTE, &v, t, &cx);
	CHECK_EQ(g.n, 4);
	gr = find(&g, "fd00::2");
	CHECK(gr != NULL && gr->count == 2 && gr->states[TCP_CLOSE_WAIT] == 1);
	gr = find(&g, "10.0.0.2");
	CHECK(gr != NULL && gr->count == 2);
	CHECK(find(&g, "fd00::3") != NULL);
	CHECK(find(&g, "::") != NULL);

	group_build(&g, GROUP_SERVICE, &v, t, &cx);
	CHECK_EQ(g.n, 2);
	gr = find(&g, ":443");
	CHECK(gr != NULL && gr->count == 5);
	CHECK(find(&g, "->:8080") != NULL);

	view_done(&v);
	group_done(&g);
	conntab_free(t);
}

/* Drilling in keeps exactly the group's rows, in the view's order, and
 * counts them; tombstones are not counted in the groups. */
static void
test_drill(void)
{
	struct conn_sample s[] = {
		mkr(1, TCP_LISTEN, 80, 0, 0),
		mkr(2, TCP_ESTABLISHED, 80, 40001, 2),
		mkr(3, TCP_CLOSE_WAIT, 80, 40002, 2),
		mkr(4, TCP_CLOSE_WAIT, 80, 40003, 3),
		mkr(5, TCP_ESTABLISHED, 50001, 443, 2),
	};
	struct conntab *t = conntab_new(10000);
	struct groups g;
	struct view v;
	size_t i;

	group_init(&g);
	view_init(&v);
	scan(t, 1000, s, 5);
	scan(t, 2000, s, 4);		/* cookie 5 goes: a tombstone */
	view_build(&v, t, NULL, 0, 0, 1, NULL);
	CHECK_EQ(v.n, 5);
	group_build(&g, GROUP_REMOTE, &v, t, &cx);
	CHECK_EQ(g.total, 4);
	CHECK(find(&g, "10.0.0.2") == &g.v[0] && g.v[0].count == 2);

	view_keep(&v, keep_member, &g);
	CHECK_EQ(v.n, 3);		/* with the tombstone */
	CHECK_EQ(v.total, 2);
	CHECK_EQ(v.states[TCP_ESTABLISHED], 1);
	CHECK_EQ(v.states[TCP_CLOSE_WAIT], 1);
	for (i = 0; i < v.n; i++) {
		CHECK_EQ(v.rows[i]->s.remote[3], 2);
	}

	view_build(&v, t, NULL, 0, 0, 1, NULL);
	CHECK_EQ(v.n, 5);
	group_build(&g, GROUP_SERVICE, &v, t, &cx);
	CHECK(find(&g, ":80") == &g.v[0]);
	view_keep(&v, keep_member, &g);
	CHECK_EQ(v.n, 4);
	CHECK_EQ(v.states[TCP_LISTEN], 1);
	CHECK_EQ(v.states[TCP_CLOSE_WAIT], 2);

	view_done(&v);
	group_done(&g);
	conntab_free(t);
}

/* Many groups: every row lands in exactly one, and rebuilding the same
 * input reuses the memory instead of growing it. */
static void
test_many(void)
{
	enum { N = 20000 };
	static struct conn_sample s[N];
	static uint8_t listened[65536];
	struct conntab *t = conntab_new(0);
	struct groups g;
	struct view v;
	const struct group *before;
	size_t i, sum = 0, cap, nslots, want;

	for (i = 0; i < N; i++) {
		s[i] = mk(i + 1, 1 + (int)(i % 11), 1024 + (unsigned)(i % 5000),
		    80);
		s[i].remote[2] = (uint8_t)(i / 256 % 16);
		s[i].remote[3] = (uint8_t)(i % 256);
	}
	group_init(&g);
	view_init(&v);
	scan(t, 1000, s, N);
	view_build(&v, t, NULL, 0, 0, 1, NULL);
	group_build(&g, GROUP_REMOTE, &v, t, &cx);
	CHECK_EQ(g.n, 4096);
	for (i = 0; i < g.n; i++) {
		size_t st, hs = 0;

		sum += g.v[i].count;
		for (st = 0; st <= TCPSTATE_MAX; st++)
			hs += g.v[i].states[st];
		CHECK(hs == g.v[i].count);
		if (i > 0 && g.v[i - 1].count < g.v[i].count)
			CHECK(!"sorted by count");
	}
	CHECK_EQ(sum, N);
	CHECK(2 * g.n <= g.nslots);
	before = g.v;
	cap = g.cap;
	nslots = g.nslots;
	group_build(&g, GROUP_REMOTE, &v, t, &cx);
	CHECK(g.v == before && g.cap == cap && g.nslots == nslots);
	/* A group per listened-on port, and one for all the others: they
	 * went out to port 80. */
	memset(listened, 0, sizeof listened);
	for (i = 0; i < N; i++)
		if (s[i].state == TCP_LISTEN)
			listened[s[i].lport] = 1;
	for (i = 0, want = 1; i < 65536; i++)
		want += listened[i];
	group_build(&g, GROUP_SERVICE, &v, t, &cx);
	CHECK_EQ(g.n, want);
	CHECK_EQ(g.total, N);
	CHECK(find(&g, "->:80") != NULL);

	view_done(&v);
	group_done(&g);
	conntab_free(t);
}

/* What app_ui.c does after each refresh and each key that asks for it:
 * the session's rows of the snapshot. */
struct app {
	struct session t;
	struct conntab *tab;
	struct snapshot snap;
};

static void
app_view(struct app *a)
{
	a->snap.tab = a->tab;
	a->snap.fields = cx;
	session_view(&a->t, &a->snap);
}

static int
key(struct app *a, int k)
{
	int r = screens_key(&a->t, k);

	if (r & REACT_REVIEW)
		app_view(a);
	return r;
}

static void
label_of(const struct app *a, const struct group *gr, char *buf)
{
	group_label(&a->t.groups, &gr->key, buf, GROUP_LABEL_LEN);
}

/* A session as the interactive view starts it, with --group's. */
static void
app_start(struct app *a, const struct options *o)
{
	struct prefs p;
	struct settings none;
	char warn[160];

	memset(&none, 0, sizeof none);
	prefs_merge(&p, o, &none, warn, sizeof warn);
	session_init(&a->t, o, &p);
	a->snap.fields = cx;
	a->t.snap = &a->snap;
	screens_start(&a->t, o->group);
}

/* The session: g cycles the kinds and back, the selection follows its
 * group across refreshes, Enter drills in, Esc and Backspace come back
 * to the same group, < > sort by a state. */
static void
test_session(void)
{
	struct conn_sample s[] = {
		mkr(1, TCP_LISTEN, 80, 0, 0),
		mkr(2, TCP_ESTABLISHED, 80, 40001, 2),
		mkr(3, TCP_ESTABLISHED, 80, 40002, 2),
		mkr(4, TCP_ESTABLISHED, 80, 40003, 2),
		mkr(5, TCP_CLOSE_WAIT, 80, 40004, 3),
		mkr(6, TCP_CLOSE_WAIT, 80, 40005, 3),
		mkr(7, TCP_ESTABLISHED, 50001, 443, 4),
	};
	struct options o;
	struct app a;
	char err[128], buf[GROUP_LABEL_LEN];
	char arg0[] = "tcptop", arg1[] = "--group", arg2[] = "remote";
	char *argv[] = { arg0, NULL }, *argv2[] = { arg0, arg1, arg2, NULL };
	char arg3[] = "netns", *argv3[] = { arg0, arg1, arg3, NULL };
	size_t i;

	memset(s[0].remote, 0, 16);
	CHECK_EQ(options_parse(&o, 1, argv, err, sizeof err), OPTIONS_RUN);
	CHECK_EQ(o.group, GROUP_NONE);
	memset(&a, 0, sizeof a);
	app_start(&a, &o);
	CHECK_EQ(screens_top(&a.t), SCREEN_LIST);
	a.t.rows = 2;
	a.tab = conntab_new(0);
	scan(a.tab, 1000, s, sizeof s / sizeof s[0]);
	app_view(&a);
	CHECK_EQ(a.t.view.n, 7);

	/* g: by service, then by remote host, then the connections. */
	CHECK(key(&a, 'g') & REACT_REVIEW);
	CHECK_EQ(screens_top(&a.t), SCREEN_GROUPS);
	CHECK_EQ(a.t.group_kind, GROUP_SERVICE);
	CHECK_EQ(a.t.groups.n, 2);
	key(&a, 'g');
	CHECK_EQ(a.t.group_kind, GROUP_REMOTE);
	CHECK_EQ(a.t.groups.n, 4);
	CHECK(session_group_selected(&a.t) == &a.t.groups.v[0]);
	label_of(&a, &a.t.groups.v[0], buf);
	CHECK(strcmp(buf, "10.0.0.2") == 0);

	/* < >: by CLOSE_WAIT, 10.0.0.3 comes first, the selection stays
	 * on 10.0.0.2 wherever it went. */
	for (i = 0; i < 12 && a.t.group_sort != TCP_CLOSE_WAIT; i++)
		key(&a, '>');
	CHECK_EQ(a.t.group_sort, TCP_CLOSE_WAIT);
	label_of(&a, &a.t.groups.v[0], buf);
	CHECK(strcmp(buf, "10.0.0.3") == 0);
	label_of(&a, session_group_selected(&a.t), buf);
	CHECK(strcmp(buf, "10.0.0.2") == 0);
	CHECK_EQ(a.t.group_sel, 1);
	key(&a, '<');
	key(&a, '>');
	CHECK_EQ(a.t.group_sort, TCP_CLOSE_WAIT);
	/* Around the cycle to the count again. */
	for (i = 0; i < 12 && a.t.group_sort != 0; i++)
		key(&a, '>');
	CHECK_EQ(a.t.group_sort, 0);
	CHECK_EQ(i, 5);		/* TIME_WAIT, CLOSE, ..., then the count */
	key(&a, '<');
	CHECK_EQ(a.t.group_sort, TCP_CLOSE);
	key(&a, '>');

	/* Down to 10.0.0.3 (the list scrolls: two rows), Enter. */
	key(&a, K_DOWN);
	key(&a, K_DOWN);
	key(&a, K_UP);
	label_of(&a, session_group_selected(&a.t), buf);
	CHECK(strcmp(buf, "10.0.0.3") == 0);
	key(&a, K_END);
	CHECK_EQ(a.t.group_sel, 3);
	CHECK_EQ(a.t.group_top, 2);
	key(&a, K_HOME);
	key(&a, K_DOWN);
	CHECK(key(&a, K_ENTER) & REACT_REVIEW);
	CHECK_EQ(screens_top(&a.t), SCREEN_LIST);
	CHECK(a.t.drill);
	CHECK(strcmp(a.t.drill_label, "10.0.0.3") == 0);
	CHECK_EQ(a.t.view.n, 2);
	for (i = 0; i < a.t.view.n; i++)
		CHECK_EQ(a.t.view.rows[i]->s.remote[3], 3);
	CHECK_EQ(a.t.view.states[TCP_CLOSE_WAIT], 2);

	/* A refresh keeps the drill; a new row of the group joins it. */
	s[6].remote[3] = 3;
	scan(a.tab, 2000, s, sizeof s / sizeof s[0]);
	app_view(&a);
	CHECK_EQ(a.t.view.n, 3);

	/* Esc: the groups again, 10.0.0.3 still selected. */
	key(&a, K_ESC);
	CHECK_EQ(screens_top(&a.t), SCREEN_GROUPS);
	CHECK(!a.t.drill);
	CHECK_EQ(a.t.view.n, 7);
	label_of(&a, session_group_selected(&a.t), buf);
	CHECK(strcmp(buf, "10.0.0.3") == 0);
	/* Backspace does the same; Esc while following ends that first. */
	key(&a, K_ENTER);
	CHECK(a.t.drill);
	key(&a, K_BACKSPACE);
	CHECK_EQ(screens_top(&a.t), SCREEN_GROUPS);
	label_of(&a, session_group_selected(&a.t), buf);
	CHECK(strcmp(buf, "10.0.0.3") == 0);
	key(&a, K_ENTER);
	key(&a, 'f');
	CHECK(a.t.follow.on);
	key(&a, K_ESC);
	CHECK(!a.t.follow.on && a.t.drill);
	/* The help and the details go back to the group's list. */
	key(&a, 'h');
	key(&a, K_ESC);
	CHECK_EQ(screens_top(&a.t), SCREEN_LIST);
	CHECK(a.t.drill);
	key(&a, K_ESC);
	CHECK_EQ(screens_top(&a.t), SCREEN_GROUPS);
	key(&a, 'h');
	CHECK_EQ(screens_top(&a.t), SCREEN_HELP);
	key(&a, K_ESC);
	CHECK_EQ(screens_top(&a.t), SCREEN_GROUPS);

	/* Backspace without a group does nothing; g from a group's list
	 * goes on to the next kind; past the last, the connections. */
	key(&a, K_ENTER);
	key(&a, 'g');
	CHECK_EQ(screens_top(&a.t), SCREEN_LIST);
	CHECK_EQ(a.t.group_kind, GROUP_NONE);
	CHECK(!a.t.drill);
	CHECK_EQ(a.t.view.n, 7);
	CHECK_EQ(key(&a, K_BACKSPACE) & REACT_REVIEW, 0);
	CHECK_EQ(screens_top(&a.t), SCREEN_LIST);
	/* Esc in the groups: the connections. */
	key(&a, 'g');
	CHECK_EQ(screens_top(&a.t), SCREEN_GROUPS);
	key(&a, K_ESC);
	CHECK_EQ(screens_top(&a.t), SCREEN_LIST);
	CHECK_EQ(a.t.group_kind, GROUP_NONE);

	/* --group starts in the group list; unavailable kinds refused. */
	CHECK_EQ(options_parse(&o, 3, argv2, err, sizeof err), OPTIONS_RUN);
	CHECK_EQ(o.group, GROUP_REMOTE);
	session_done(&a.t);
	app_start(&a, &o);
	CHECK_EQ(screens_top(&a.t), SCREEN_GROUPS);
	CHECK_EQ(a.t.group_kind, GROUP_REMOTE);
	CHECK_EQ(options_parse(&o, 3, argv3, err, sizeof err), OPTIONS_USAGE);
	CHECK(strstr(err, "--all-netns") != NULL);
	arg2[0] = 'x';
	CHECK_EQ(options_parse(&o, 3, argv2, err, sizeof err), OPTIONS_USAGE);
	CHECK(strstr(err, "unknown kind") != NULL);

	session_done(&a.t);
	conntab_free(a.tab);
}

int
main(void)
{
	test_kinds();
	test_service_remote();
	test_no_listener();
	test_empty();
	test_ipv6();
	test_drill();
	test_many();
	test_session();
	return check_done();
}
