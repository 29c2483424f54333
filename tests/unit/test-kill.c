/* The kill list: a snapshot of the view's live rows, the notes the
 * confirmation shows, and the tally of what went. */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sample.h"
#include "tcptop/kill.h"
#include "tcptop/options.h"
#include "tcptop/output.h"
#include "tcptop/keys.h"
#include "tcptop/screens.h"
#include "tcptop/session.h"
#include "tcptop/view.h"

static void
test_snapshot(void)
{
	struct conn_sample s[4] = {
		mk(1, TCP_ESTABLISHED, 1000, 80),
		mk(2, TCP_LISTEN, 80, 0),
		mk(3, TCP_TIME_WAIT, 1001, 80),
		mk(4, TCP_SYN_RECV, 80, 1002),
	};
	struct conntab *t = conntab_new(3000);
	struct filter f;
	struct kill_list k;
	struct view v;

	filter_init(&f);
	scan(t, 1000, s, 4);
	/* Cookie 4 went: a tombstone in the view, not in the list. */
	scan(t, 2000, s, 3);
	view_init(&v);
	view_build(&v, t, &f, 0, 0, 1, NULL);
	CHECK_EQ(v.n, 4);
	kill_init(&k);
	kill_from_view(&k, &v);
	CHECK_EQ(k.n, 3);
	CHECK_EQ(k.listeners, 1);
	CHECK_EQ(k.minisocks, 1);
	for (size_t i = 0; i < k.n; i++) {
		CHECK(k.items[i].s.cookie != 4);
		CHECK_EQ(k.items[i].err, KILL_PENDING);
	}
	/* A copy: the table may change under it. */
	conntab_free(t);
	view_done(&v);
	CHECK(kill_note(&s[0]) == NULL);
	CHECK(strstr(kill_note(&s[1]), "listener") != NULL);
	CHECK(strstr(kill_note(&s[2]), "minisocket") != NULL);
	CHECK(strstr(kill_note(&s[3]), "minisocket") != NULL);
	kill_clear(&k);
	CHECK_EQ(k.n, 0);
	CHECK_EQ(k.listeners, 0);
	kill_done(&k);
}

static void
test_tally(void)
{
	struct conn_sample s = mk(1, TCP_ESTABLISHED, 1000, 80);
	struct conn_sample l = mk(2, TCP_LISTEN, 80, 0);
	struct kill_list k;
	char buf[200];
	size_t i;

	kill_init(&k);
	for (i = 0; i < 5; i++)
		kill_add(&k, &s);
	kill_summary(&k, buf, sizeof buf);
	CHECK(strcmp(buf, "0 destroyed") == 0);
	k.items[0].err = 0;
	k.items[1].err = 0;
	k.items[2].err = ENOENT;
	k.items[3].err = EPERM;
	k.items[4].err = EPERM;
	CHECK_EQ(kill_count_ok(&k), 2);
	CHECK_EQ(kill_count_failed(&k), 2);
	kill_summary(&k, buf, sizeof buf);
	CHECK(strcmp(buf, "2 destroyed, 1 already gone, 2 failed: needs "
	    "CAP_NET_ADMIN: run as root") == 0);
	k.items[4].err = EOPNOTSUPP;
	kill_summary(&k, buf, sizeof buf);
	CHECK(strstr(buf, "(and other reasons)") != NULL);
	CHECK(strcmp(kill_result(&k.items[0]), "ok") == 0);
	CHECK(strcmp(kill_result(&k.items[2]), "already gone") == 0);

	/* A listener not found may hide in its SO_REUSEPORT group. */
	kill_clear(&k);
	kill_add(&k, &l);
	k.items[0].err = ENOENT;
	CHECK_EQ(kill_count_failed(&k), 1);
	CHECK(strstr(kill_result(&k.items[0]), "SO_REUSEPORT") != NULL);
	kill_summary(&k, buf, sizeof buf);
	CHECK(strncmp(buf, "0 destroyed, 1 failed: not found", 32) == 0);
	/* A tiny buffer still ends in NUL. */
	kill_summary(&k, buf, 8);
	CHECK(strlen(buf) == 7);
	kill_done(&k);
}

/* A socket that left the listed state is kept, with the state it is in
 * now in its result and the summary. */
static void
test_changed(void)
{
	struct conn_sample s = mk(1, TCP_ESTABLISHED, 1000, 80);
	struct kill_list k;
	char buf[200];

	kill_init(&k);
	kill_add(&k, &s);
	kill_add(&k, &s);
	kill_add(&k, &s);
	CHECK_EQ(kill_check_state(&k.items[0], TCP_ESTABLISHED), 1);
	CHECK_EQ(k.items[0].err, KILL_PENDING);
	k.items[0].err = 0;
	CHECK_EQ(kill_check_state(&k.items[1], TCP_CLOSE_WAIT), 0);
	CHECK_EQ(k.items[1].err, KILL_CHANGED);
	CHECK(strcmp(kill_result(&k.items[1]), "changed state since the "
	    "preview (now CLOSE_WAIT)") == 0);
	CHECK_EQ(kill_count_changed(&k), 1);
	CHECK_EQ(kill_count_failed(&k), 0);
	CHECK_EQ(kill_count_ok(&k), 1);
	k.items[2].err = EPERM;
	kill_summary(&k, buf, sizeof buf);
	CHECK(strcmp(buf, "1 destroyed, 1 skipped: changed state since the "
	    "preview (now CLOSE_WAIT), 1 failed: needs CAP_NET_ADMIN: run as "
	    "root") == 0);
	CHECK_EQ(kill_check_state(&k.items[2], TCP_FIN_WAIT2), 0);
	kill_summary(&k, buf, sizeof buf);
	CHECK(strstr(buf, "2 skipped: changed state since the preview (now "
	    "CLOSE_WAIT) (and others)") != NULL);
	kill_done(&k);
}

/* Peers on this host: by a loopback remote address, or by a row of the
 * snapshot with the reversed 4-tuple; not for a listener, a minisocket
 * or a row gone. */
static void
test_peers(void)
{
	struct conn_sample a = mk(1, TCP_ESTABLISHED, 1000, 80);
	struct conn_sample b = mk(2, TCP_ESTABLISHED, 80, 1000);
	struct conn_sample c = mk(3, TCP_ESTABLISHED, 1001, 80);
	struct conn_sample lo = mk(4, TCP_CLOSE_WAIT, 1002, 80);
	struct conn_sample l = mk(5, TCP_LISTEN, 80, 0);
	struct conn_sample tw = mk(6, TCP_TIME_WAIT, 1003, 80);
	struct conn_sample all[4];
	struct conntab *t = conntab_new(0);
	struct conn *const *rows;
	struct kill_list k;
	size_t n;

	/* b is a's other end: 10.0.0.2:80 -> 10.0.0.0:1000. */
	memcpy(b.local, a.remote, 16);
	memcpy(b.remote, a.local, 16);
	lo.remote[0] = 127;
	lo.remote[3] = 1;
	all[0] = a, all[1] = b, all[2] = c, all[3] = l;
	scan(t, 1000, all, 4);
	rows = conntab_rows(t, &n);
	kill_init(&k);
	kill_add(&k, &a);
	kill_add(&k, &c);
	kill_add(&k, &lo);
	kill_add(&k, &l);
	kill_add(&k, &tw);
	CHECK_EQ(kill_find_peers(&k, rows, n), 2);
	CHECK_EQ(k.items[0].peer, 1);
	CHECK_EQ(k.items[1].peer, 0);
	CHECK_EQ(k.items[2].peer, 1);
	CHECK_EQ(k.items[3].peer, 0);
	CHECK_EQ(k.items[4].peer, 0);
	/* b gone: a's peer is no longer in the snapshot. */
	scan(t, 2000, all + 2, 2);
	scan(t, 2000, all, 1);
	rows = conntab_rows(t, &n);
	CHECK_EQ(kill_find_peers(&k, rows, n), 1);
	CHECK_EQ(k.items[0].peer, 0);
	/* No rows at all: the loopback one still. */
	CHECK_EQ(kill_find_peers(&k, NULL, 0), 1);
	kill_done(&k);
	conntab_free(t);
}

/* The batch report: a line per socket and the summary; JSON's result is
 * "ok" or the reason. */
static void
test_output(void)
{
	struct conn_sample s = mk(7, TCP_ESTABLISHED, 1000, 80);
	struct snapshot r;
	struct kill_list k;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	memset(&r, 0, sizeof r);
	r.host = "h\"x";
	kill_init(&k);
	kill_add(&k, &s);
	kill_add(&k, &s);
	k.items[0].err = 0;
	k.items[1].err = EPERM;
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_text(fp, &r, &k, 0), 0);
	fclose(fp);
	CHECK(strstr(buf, "ipv4 10.0.0.0:1000 10.0.0.2:80 ESTABLISHED ok\n")
	    != NULL);
	CHECK(strstr(buf, "ESTABLISHED needs CAP_NET_ADMIN: run as root\n")
	    != NULL);
	CHECK(strstr(buf, "2 matched: 1 destroyed, 1 failed: needs") != NULL);
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_json(fp, &r, &k, 0), 0);
	fclose(fp);
	CHECK(strstr(buf, "\"host\": \"h\\\"x\"") != NULL);
	CHECK(strstr(buf, "\"preview\": false, \"killed\": [{\"family\": "
	    "\"ipv4\", \"local_addr\": "
	    "\"10.0.0.0\", \"local_port\": 1000, \"remote_addr\": \"10.0.0.2\", "
	    "\"remote_port\": 80, \"state\": \"ESTABLISHED\", \"cookie\": "
	    "\"7\", \"own_session\": false, \"peer_local\": false, "
	    "\"result\": \"ok\"}, {") != NULL);
	CHECK(strstr(buf, "\"result\": \"needs CAP_NET_ADMIN: run as root\"}"
	    "], \"matched\": 2, \"destroyed\": 1, \"failed\": 1, "
	    "\"spared\": 0, \"changed\": 0, \"peers_local\": 0}\n") != NULL);
	free(buf);
	kill_done(&k);
}

/* The operator's own SSH session: found by ssh_match's rule, spared
 * (never tried, counted apart, said in the summary and the reports). */
static void
test_own(void)
{
	struct conn_sample s[3] = {
		mk(1, TCP_ESTABLISHED, 22, 40001),
		mk(2, TCP_ESTABLISHED, 22, 40000),
		mk(3, TCP_ESTABLISHED, 22, 40000),
	};
	struct ssh_session ssh;
	struct snapshot r;
	struct kill_list k;
	char sum[200], *buf = NULL;
	size_t len = 0, i;
	FILE *fp;

	/* The same 4-tuple in another namespace is not the session. */
	s[2].netns = 1;
	CHECK_EQ(ssh_parse("10.0.0.2 40000 10.0.0.0 22", &ssh), 0);
	kill_init(&k);
	for (i = 0; i < 3; i++)
		kill_add(&k, &s[i]);
	CHECK_EQ(kill_find_own(&k, NULL), 0);
	CHECK_EQ(kill_find_own(&k, &ssh), 1);
	CHECK(!k.items[0].own && k.items[1].own && !k.items[2].own);
	kill_spare_own(&k);
	CHECK_EQ(k.items[1].err, KILL_SPARED);
	CHECK_EQ(k.items[0].err, KILL_PENDING);
	CHECK_EQ(kill_count_spared(&k), 1);
	CHECK_EQ(kill_count_pending(&k), 2);
	CHECK_EQ(kill_count_failed(&k), 0);
	CHECK(strcmp(kill_result(&k.items[1]), "spared: your own SSH "
	    "session") == 0);

	/* What went, and the spared one said, in the summary and the
	 * reports. */
	k.items[0].err = 0;
	k.items[2].err = 0;
	kill_summary(&k, sum, sizeof sum);
	CHECK(strcmp(sum, "2 destroyed, 1 spared (your own SSH session)") ==
	    0);
	memset(&r, 0, sizeof r);
	r.host = "h";
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_text(fp, &r, &k, 0), 0);
	fclose(fp);
	CHECK(strstr(buf, "10.0.0.0:22 10.0.0.2:40001 ESTABLISHED ok\n") !=
	    NULL);
	CHECK(strstr(buf, "10.0.0.0:22 10.0.0.2:40000 ESTABLISHED spared: "
	    "your own SSH session\n") != NULL);
	CHECK(strstr(buf, "\n3 matched: 2 destroyed, 1 spared (your own SSH "
	    "session)\n") != NULL);
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_json(fp, &r, &k, 0), 0);
	fclose(fp);
	CHECK(strstr(buf, "\"own_session\": true, \"peer_local\": false, "
	    "\"result\": \"spared: "
	    "your own SSH session\"}") != NULL);
	CHECK(strstr(buf, "\"own_session\": false, \"peer_local\": false, "
	    "\"result\": \"ok\"}") !=
	    NULL);
	CHECK(strstr(buf, "\"matched\": 3, \"destroyed\": 2, \"failed\": 0, "
	    "\"spared\": 1, \"changed\": 0, \"peers_local\": 0}\n") != NULL);
	free(buf);
	/* A fresh list forgets the session. */
	kill_clear(&k);
	CHECK_EQ(k.own, 0);
	kill_add(&k, &s[1]);
	CHECK(!k.items[0].own);
	kill_done(&k);
}

/* --kill without --yes: the same report, what would go and what would
 * be spared, and a count that says nothing went. */
static void
test_preview(void)
{
	struct conn_sample s[2] = {
		mk(1, TCP_ESTABLISHED, 22, 40001),
		mk(2, TCP_ESTABLISHED, 22, 40000),
	};
	struct ssh_session ssh;
	struct snapshot r;
	struct kill_list k;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	memset(&r, 0, sizeof r);
	r.host = "h";
	CHECK_EQ(ssh_parse("10.0.0.2 40000 10.0.0.0 22", &ssh), 0);
	kill_init(&k);
	kill_add(&k, &s[0]);
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_text(fp, &r, &k, 1), 0);
	fclose(fp);
	CHECK(strcmp(buf, "FAM  LOCAL       REMOTE         STATE       RESULT\n"
	    "ipv4 10.0.0.0:22 10.0.0.2:40001 ESTABLISHED would be destroyed\n"
	    "1 matched: 1 would be destroyed; nothing destroyed without "
	    "--yes\n") == 0);
	free(buf);
	buf = NULL;

	kill_add(&k, &s[1]);
	kill_find_own(&k, &ssh);
	kill_spare_own(&k);
	CHECK_EQ(kill_count_pending(&k), 1);
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_text(fp, &r, &k, 1), 0);
	fclose(fp);
	CHECK(strstr(buf, "10.0.0.0:22 10.0.0.2:40000 ESTABLISHED spared: "
	    "your own SSH session\n") != NULL);
	CHECK(strstr(buf, "\n2 matched: 1 would be destroyed, 1 spared (your "
	    "own SSH session); nothing destroyed without --yes\n") != NULL);
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_json(fp, &r, &k, 1), 0);
	fclose(fp);
	CHECK(strstr(buf, "\"preview\": true, ") != NULL);
	CHECK(strstr(buf, "\"own_session\": false, \"peer_local\": false, "
	    "\"result\": \"would be "
	    "destroyed\"}") != NULL);
	CHECK(strstr(buf, "\"own_session\": true, \"peer_local\": false, "
	    "\"result\": \"spared: "
	    "your own SSH session\"}") != NULL);
	CHECK(strstr(buf, "\"matched\": 2, \"destroyed\": 0, \"failed\": 0, "
	    "\"spared\": 1, \"changed\": 0, \"peers_local\": 0}\n") != NULL);
	free(buf);
	kill_done(&k);
}

/* What the kill window asked the loop to destroy; the results it
 * gives back: the first two go, the third needs the privilege. */
static struct kill_list got;

static void
hook(void *arg, struct kill_list *k)
{
	size_t i;

	(void)arg;
	kill_clear(&got);
	for (i = 0; i < k->n; i++) {
		kill_add(&got, &k->items[i].s);
		k->items[i].err = i < 2 ? 0 : EPERM;
	}
}

/* The window: a snapshot when it opens, only y has the loop destroy,
 * anything else cancels, arrows scroll. */
static void
test_window(void)
{
	struct conn_sample s[3] = {
		mk(1, TCP_ESTABLISHED, 1000, 80),
		mk(2, TCP_ESTABLISHED, 1001, 80),
		mk(3, TCP_LISTEN, 80, 0),
	};
	char arg0[] = "tcptop";
	char *argv[] = { arg0, NULL };
	struct conntab *tab = conntab_new(3000);
	struct snapshot snap;
	struct options o;
	struct session t;
	struct prefs p;
	struct settings none;
	char err[160];

	memset(&snap, 0, sizeof snap);
	memset(&none, 0, sizeof none);
	kill_init(&got);
	CHECK_EQ(options_parse(&o, 1, argv, err, sizeof err), OPTIONS_RUN);
	prefs_merge(&p, &o, &none, err, sizeof err);
	session_init(&t, &o, &p);
	screens_start(&t, GROUP_NONE);
	t.destroy = hook;
	snap.tab = tab;
	session_view(&t, &snap);
	/* Nothing to destroy: a message, no window. */
	screens_key(&t, 'k');
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK(strstr(t.msg, "no connection") != NULL);
	screens_key(&t, 'K');
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK(strstr(t.msg, "nothing to destroy") != NULL);

	scan(tab, 1000, s, 3);
	session_view(&t, &snap);
	session_move_to(&t, 1);
	screens_key(&t, 'k');
	CHECK_EQ(screens_top(&t), SCREEN_KILL);
	/* Any key but y is a no, q included: it must not quit. */
	CHECK_EQ(screens_key(&t, 'q') & REACT_QUIT, 0);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK(strcmp(t.msg, "kill cancelled: nothing destroyed") == 0);
	CHECK_EQ(got.n, 0);
	screens_key(&t, 'k');
	screens_key(&t, K_ESC);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 0);
	/* k: the selected one. */
	screens_key(&t, 'k');
	screens_key(&t, 'y');
	CHECK_EQ(got.n, 1);
	CHECK_EQ(got.items[0].s.cookie, session_selected(&t)->s.cookie);

	/* K: the whole view as it is now; a later view changes nothing. */
	screens_key(&t, 'K');
	CHECK_EQ(screens_top(&t), SCREEN_KILL);
	scan(tab, 2000, s, 1);
	session_view(&t, &snap);
	/* Arrows scroll the window (layout_measure bounds it). */
	t.page = 5;
	t.extent = 7;
	screens_key(&t, K_DOWN);
	CHECK_EQ(screens_top(&t), SCREEN_KILL);
	CHECK_EQ(session_top(&t)->pos, 1);
	CHECK(screens_key(&t, 'y') & REACT_RESCAN);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 3);
	CHECK_EQ(got.listeners, 1);
	CHECK(strcmp(t.msg, "kill: 2 destroyed, 1 failed: needs "
	    "CAP_NET_ADMIN: run as root") == 0);
	CHECK(t.msg_error);

	/* A gone row cannot be chosen. */
	session_move_to(&t, 2);
	CHECK(session_selected(&t)->flags & CONN_GONE);
	screens_key(&t, 'k');
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK(strstr(t.msg, "gone already") != NULL);

	/* A recording: refused before any window. */
	session_move_to(&t, 0);
	t.live = 0;
	screens_key(&t, 'K');
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK(strstr(t.msg, "recording") != NULL);

	session_done(&t);
	kill_done(&got);
	conntab_free(tab);
}

/* As collector_destroy: only pending items are tried, and they go. */
static void
hook_pending(void *arg, struct kill_list *k)
{
	size_t i;

	(void)arg;
	kill_clear(&got);
	for (i = 0; i < k->n; i++)
		if (k->items[i].err == KILL_PENDING) {
			kill_add(&got, &k->items[i].s);
			k->items[i].err = 0;
		}
}

/* The operator's own SSH session in the window: marked, and y destroys
 * nothing yet but opens the second window, which names it; there y
 * (a second tap) or any other key cancels, s spares it and destroys the
 * others, Y destroys it too. */
static void
test_own_window(void)
{
	struct conn_sample s[3] = {
		mk(1, TCP_ESTABLISHED, 22, 40000),
		mk(2, TCP_ESTABLISHED, 22, 40001),
		mk(3, TCP_ESTABLISHED, 22, 40002),
	};
	char arg0[] = "tcptop";
	char *argv[] = { arg0, NULL };
	struct conntab *tab = conntab_new(3000);
	struct ssh_session ssh;
	struct snapshot snap;
	struct options o;
	struct session t;
	struct prefs p;
	struct settings none;
	char err[160];
	size_t i;

	memset(&snap, 0, sizeof snap);
	memset(&none, 0, sizeof none);
	CHECK_EQ(ssh_parse("10.0.0.2 40001 10.0.0.0 22", &ssh), 0);
	kill_init(&got);
	CHECK_EQ(options_parse(&o, 1, argv, err, sizeof err), OPTIONS_RUN);
	prefs_merge(&p, &o, &none, err, sizeof err);
	session_init(&t, &o, &p);
	screens_start(&t, GROUP_NONE);
	t.destroy = hook_pending;
	snap.tab = tab;
	snap.ssh = &ssh;
	scan(tab, 1000, s, 3);
	session_view(&t, &snap);
	for (i = 0; i < t.view.n && t.view.rows[i]->s.cookie != 2; i++)
		;
	session_move_to(&t, i);

	/* k on the session, y, y: nothing goes. */
	screens_key(&t, 'k');
	CHECK_EQ(screens_top(&t), SCREEN_KILL);
	screens_key(&t, 'y');
	CHECK_EQ(screens_top(&t), SCREEN_KILL_OWN);
	CHECK_EQ(t.depth, 2);
	CHECK_EQ(got.n, 0);
	CHECK_EQ(screens_key(&t, 'y') & REACT_QUIT, 0);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 0);
	CHECK(strcmp(t.msg, "kill cancelled: nothing destroyed") == 0);
	/* Esc there, and q: no, and no quitting. */
	screens_key(&t, 'k');
	screens_key(&t, 'y');
	screens_key(&t, K_ESC);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	screens_key(&t, 'k');
	screens_key(&t, 'y');
	CHECK_EQ(screens_key(&t, 'q') & REACT_QUIT, 0);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 0);
	/* s with nothing else listed: nothing. */
	screens_key(&t, 'k');
	screens_key(&t, 'y');
	screens_key(&t, 's');
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 0);

	/* K: the other two and the session; s spares it. */
	screens_key(&t, 'K');
	screens_key(&t, 'y');
	CHECK_EQ(screens_top(&t), SCREEN_KILL_OWN);
	CHECK(screens_key(&t, 's') & REACT_RESCAN);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 2);
	for (i = 0; i < got.n; i++)
		CHECK(got.items[i].s.cookie != 2);
	CHECK(strcmp(t.msg, "kill: 2 destroyed, 1 spared (your own SSH "
	    "session)") == 0);

	/* k on the session, y, Y: it goes. */
	screens_key(&t, 'k');
	screens_key(&t, 'y');
	screens_key(&t, 'Y');
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 1);
	CHECK_EQ(got.items[0].s.cookie, 2);
	CHECK(strcmp(t.msg, "kill: 1 destroyed") == 0);

	/* Without the session in the list, y destroys at once; and the
	 * second window never opens alone. */
	snap.ssh = NULL;
	session_view(&t, &snap);
	screens_key(&t, 'K');
	screens_key(&t, 'y');
	CHECK_EQ(screens_top(&t), SCREEN_LIST);
	CHECK_EQ(got.n, 3);
	CHECK_EQ(screens_open(&t, SCREEN_KILL_OWN, 0), -1);
	CHECK_EQ(screens_top(&t), SCREEN_LIST);

	session_done(&t);
	kill_done(&got);
	conntab_free(tab);
}

int
main(void)
{
	test_snapshot();
	test_tally();
	test_changed();
	test_peers();
	test_output();
	test_own();
	test_preview();
	test_window();
	test_own_window();
	return check_done();
}
