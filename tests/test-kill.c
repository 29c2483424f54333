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
#include "tcptop/output.h"
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
	view_build(&v, t, &f, 0, 0, 1);
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

/* The batch report: a line per socket and the summary; JSON's result is
 * "ok" or the reason. */
static void
test_output(void)
{
	struct conn_sample s = mk(7, TCP_ESTABLISHED, 1000, 80);
	struct output_report r;
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
	CHECK_EQ(output_kill_text(fp, &r, &k), 0);
	fclose(fp);
	CHECK(strstr(buf, "ipv4 10.0.0.0:1000 10.0.0.2:80 ESTABLISHED ok\n")
	    != NULL);
	CHECK(strstr(buf, "ESTABLISHED needs CAP_NET_ADMIN: run as root\n")
	    != NULL);
	CHECK(strstr(buf, "2 matched: 1 destroyed, 1 failed: needs") != NULL);
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	CHECK_EQ(output_kill_json(fp, &r, &k), 0);
	fclose(fp);
	CHECK(strstr(buf, "\"host\": \"h\\\"x\"") != NULL);
	CHECK(strstr(buf, "\"killed\": [{\"family\": \"ipv4\", \"local_addr\": "
	    "\"10.0.0.0\", \"local_port\": 1000, \"remote_addr\": \"10.0.0.2\", "
	    "\"remote_port\": 80, \"state\": \"ESTABLISHED\", \"cookie\": "
	    "\"7\", \"result\": \"ok\"}, {") != NULL);
	CHECK(strstr(buf, "\"result\": \"needs CAP_NET_ADMIN: run as root\"}"
	    "], \"destroyed\": 1, \"failed\": 1}\n") != NULL);
	free(buf);
	kill_done(&k);
}

int
main(void)
{
	test_snapshot();
	test_tally();
	test_output();
	return check_done();
}
