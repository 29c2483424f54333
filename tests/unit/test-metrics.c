/* metrics: a table of known sockets rendered in both formats: every
 * count as built, the services and processes bounded with "other",
 * label values escaped, HELP and TYPE once per family before its
 * samples, OpenMetrics' suffixes and "# EOF", every family documented
 * in docs/metrics.md, and no growth across renders. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "sample.h"
#include "tcptop/alerts.h"
#include "tcptop/metrics.h"
#include "tcptop/trans.h"

/* The value of the sample line that starts with "name{labels} " or
 * "name ", -1 when absent (a second one fails). */
static double
value(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text, *hit = NULL;

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ') {
			CHECK(hit == NULL);
			hit = p;
		}
		p += n;
	}
	return hit != NULL ? strtod(hit + n + 1, NULL) : -1;
}

/* Every line a comment of the format's kinds or a sample, each sample's
 * family announced by a TYPE line before it, no family twice. */
static void
check_shape(const char *text, int om)
{
	char types[64][96];
	size_t ntypes = 0, i;
	const char *p = text;
	int eof = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		char line[512];

		CHECK(nl != NULL);
		if (nl == NULL)
			return;
		snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
		CHECK(!eof);	/* nothing after # EOF */
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char name[96];

			sscanf(line + 7, "%95s", name);
			for (i = 0; i < ntypes; i++)
				CHECK(strcmp(types[i], name) != 0);
			if (ntypes < 64)
				snprintf(types[ntypes++], 96, "%s", name);
		} else if (strcmp(line, "# EOF") == 0)
			eof = 1;
		else if (strncmp(line, "# HELP ", 7) != 0) {
			CHECK(line[0] != '#');
			CHECK(ntypes > 0 && strncmp(line, types[ntypes - 1],
			    strlen(types[ntypes - 1])) == 0);
		}
		p = nl + 1;
	}
	CHECK(eof == om);
}

/* A table: two listeners (8080 with a queue, 22), connections to them,
 * clients elsewhere, and 30 more listeners to fold into "other". */
static struct conntab *
build(void)
{
	struct conntab *t = conntab_new(0);
	struct conn_sample s[64];
	size_t n = 0;
	int i;

	s[n] = mk(1, TCP_LISTEN, 8080, 0);
	s[n].rqueue = 3;
	s[n++].wqueue = 4;
	s[n] = mk(2, TCP_LISTEN, 8080, 0);	/* an IPv6 one */
	s[n].family = AF_INET6;
	s[n].rqueue = 1;
	s[n++].wqueue = 128;
	s[n++] = mk(3, TCP_ESTABLISHED, 8080, 40000);
	s[n++] = mk(4, TCP_ESTABLISHED, 8080, 40001);
	s[n++] = mk(5, TCP_SYN_RECV, 8080, 40002);
	s[n++] = mk(6, TCP_CLOSE_WAIT, 8080, 40003);
	s[n++] = mk(7, TCP_LISTEN, 22, 0);
	s[n++] = mk(8, TCP_TIME_WAIT, 22, 40004);
	s[n++] = mk(9, TCP_ESTABLISHED, 50000, 443);	/* a client */
	s[n++] = mk(10, TCP_CLOSE_WAIT, 50001, 443);
	for (i = 0; i < 30; i++)
		s[n++] = mk(100 + (uint64_t)i, TCP_LISTEN, 9000 + (unsigned)i,
		    0);
	scan(t, 1000, s, n);
	return t;
}

static void
test_counts(void)
{
	struct conntab *t = build();
	struct metrics *m = metrics_new();
	struct snapshot snap;
	struct filter f;
	struct alert al[3];
	const char *text;
	size_t len, len2;

	memset(&snap, 0, sizeof snap);
	memset(al, 0, sizeof al);
	al[0].kind = ALERT_SYN_FLOOD;
	al[1].kind = ALERT_CLOSE_WAIT_LEAK;
	al[2].kind = ALERT_SYN_FLOOD;
	filter_init(&f);
	snap.tab = t;
	snap.error = "dump: \"bad\"\nthing";
	snap.alerts = al;
	snap.nalerts = 3;
	snap.alerts_more = 2;
	snap.alerts_outside = -1;
	snap.trans_lost = -1;
	snap.notify_lost = 5;
	snap.good = 7;
	snap.refresh_ms = 250;
	snap.late_ms = 0;
	snap.delay_ms = 1000;
	snap.realtime_ns = 1500000000000000000;
	snap.dumped = 40;
	metrics_collect(m, &snap, &f);
	text = metrics_render(m, METRICS_PROMETHEUS, &len);
	CHECK_EQ(strlen(text), len);
	check_shape(text, 0);
	CHECK(value(text, "tcptop_sockets{family=\"ipv4\",state=\"LISTEN\"}")
	    == 32);
	CHECK(value(text, "tcptop_sockets{family=\"ipv6\",state=\"LISTEN\"}")
	    == 1);
	CHECK(value(text, "tcptop_sockets{family=\"ipv4\","
	    "state=\"ESTABLISHED\"}") == 3);
	CHECK(value(text, "tcptop_sockets{family=\"ipv6\",state=\"CLOSING\"}")
	    == 0);
	CHECK(value(text, "tcptop_services") == 32);
	CHECK(value(text, "tcptop_service_sockets{port=\"8080\","
	    "state=\"ESTABLISHED\"}") == 2);
	CHECK(value(text, "tcptop_service_sockets{port=\"8080\","
	    "state=\"SYN_RECV\"}") == 1);
	CHECK(value(text, "tcptop_service_sockets{port=\"8080\","
	    "state=\"LISTEN\"}") == 2);
	CHECK(value(text, "tcptop_service_sockets{port=\"22\","
	    "state=\"TIME_WAIT\"}") == 1);
	/* 32 services: the 20 busiest, then 12 folded into other, whose
	 * 12 listeners all count. */
	CHECK(value(text, "tcptop_service_sockets{port=\"other\","
	    "state=\"LISTEN\"}") == 12);
	CHECK(value(text, "tcptop_service_sockets{port=\"50000\","
	    "state=\"ESTABLISHED\"}") == -1);
	CHECK(value(text, "tcptop_service_accept_queue{port=\"8080\"}") == 4);
	CHECK(value(text, "tcptop_service_accept_backlog{port=\"8080\"}") ==
	    132);
	CHECK(value(text, "tcptop_service_accept_queue_fill_ratio"
	    "{port=\"8080\"}") == 0.75);
	/* No owners: no per-process series at all. */
	CHECK(strstr(text, "tcptop_process_close_wait{") == NULL);
	CHECK(value(text, "tcptop_alerts{kind=\"syn_flood\"}") == 2);
	CHECK(value(text, "tcptop_alerts{kind=\"close_wait_leak\"}") == 1);
	CHECK(value(text, "tcptop_alerts{kind=\"orphans\"}") == 0);
	CHECK(value(text, "tcptop_alerts_unlisted") == 2);
	CHECK(strstr(text, "tcptop_alerts_outside_filter") == NULL);
	CHECK(strstr(text, "tcptop_transitions_lost") == NULL);
	CHECK(value(text, "tcptop_notifications_lost_total") == 5);
	CHECK(value(text, "tcptop_refreshes_total") == 7);
	CHECK(value(text, "tcptop_refresh_duration_seconds") == 0.25);
	CHECK(value(text, "tcptop_last_refresh_timestamp_seconds") == 1.5e9);
	CHECK(value(text, "tcptop_refresh_failed") == 1);
	/* The reason escaped: a quote and a newline stay one label. */
	CHECK(value(text, "tcptop_refresh_error_info{reason=\"dump: "
	    "\\\"bad\\\"?thing\"}") == 1);
	CHECK(value(text, "tcptop_filtered") == 0);
	CHECK(strstr(text, "# TYPE tcptop_refreshes_total counter\n") !=
	    NULL);
	CHECK(strstr(text, "# TYPE tcptop_build_info gauge\n") != NULL);

	text = metrics_render(m, METRICS_OPENMETRICS, &len);
	check_shape(text, 1);
	CHECK(strstr(text, "# TYPE tcptop_refreshes counter\n") != NULL);
	CHECK(value(text, "tcptop_refreshes_total") == 7);
	CHECK(strstr(text, "# TYPE tcptop_build info\n") != NULL);
	CHECK(len > 6 && strcmp(text + len - 6, "# EOF\n") == 0);

	/* The same again: the same text, the same length. */
	metrics_collect(m, &snap, &f);
	text = metrics_render(m, METRICS_OPENMETRICS, &len2);
	CHECK_EQ(len2, len);

	/* A filter: only port 22 counts, and it says so. */
	CHECK(filter_parse_ports(&f, "22", NULL, 0) == 0);
	metrics_collect(m, &snap, &f);
	text = metrics_render(m, METRICS_PROMETHEUS, &len);
	CHECK(value(text, "tcptop_sockets{family=\"ipv4\",state=\"LISTEN\"}")
	    == 1);
	CHECK(value(text, "tcptop_services") == 1);
	CHECK(value(text, "tcptop_filtered") == 1);
	metrics_free(m);
	conntab_free(t);
}

/* The transitions: every diagram edge, and a pair off the diagram. */
static void
test_transitions(void)
{
	struct conntab *t = conntab_new(0);
	struct metrics *m = metrics_new();
	struct trans *tr = trans_new(10000);
	struct trans_event e;
	struct snapshot snap;
	struct filter f;
	const char *text;
	size_t len, nsamples = 0;
	const char *p;

	memset(&snap, 0, sizeof snap);
	memset(&e, 0, sizeof e);
	filter_init(&f);
	e.from = TCP_SYN_SENT;
	e.to = TCP_ESTABLISHED;
	trans_add(tr, &e);
	trans_add(tr, &e);
	e.from = TCP_LISTEN;
	e.to = TCP_TIME_WAIT;	/* on no edge */
	trans_add(tr, &e);
	snap.tab = t;
	snap.error = "";
	snap.trans = tr;
	snap.trans_source = "exact";
	snap.trans_lost = 3;
	metrics_collect(m, &snap, &f);
	text = metrics_render(m, METRICS_PROMETHEUS, &len);
	CHECK(value(text, "tcptop_transitions_total{from=\"SYN_SENT\","
	    "to=\"ESTABLISHED\"}") == 2);
	CHECK(value(text, "tcptop_transitions_total{from=\"LISTEN\","
	    "to=\"TIME_WAIT\"}") == 1);
	CHECK(value(text, "tcptop_transitions_exact") == 1);
	CHECK(value(text, "tcptop_transitions_lost_total") == 3);
	CHECK(value(text, "tcptop_refresh_failed") == 0);
	CHECK(strstr(text, "tcptop_refresh_error_info") == NULL);
	for (p = text; (p = strstr(p, "\ntcptop_transitions_total{")) !=
	    NULL; p++)
		nsamples++;
	CHECK_EQ(nsamples, trans_nedges + 1);
	snap.trans_source = "sampled every 1.0 s";
	metrics_collect(m, &snap, &f);
	text = metrics_render(m, METRICS_PROMETHEUS, &len);
	CHECK(value(text, "tcptop_transitions_exact") == 0);
	trans_free(tr);
	metrics_free(m);
	conntab_free(t);
}

/* docs/metrics.md names every family, and nothing is documented that
 * does not exist. */
static void
test_docs(void)
{
	const char *srcdir = getenv("srcdir");
	char path[4096], *doc;
	FILE *fp;
	size_t i, n;
	long sz;

	snprintf(path, sizeof path, "%s/docs/metrics.md",
	    srcdir != NULL ? srcdir : ".");
	fp = fopen(path, "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	doc = calloc(1, (size_t)sz + 1);
	n = fread(doc, 1, (size_t)sz, fp);
	fclose(fp);
	CHECK_EQ(n, (size_t)sz);
	for (i = 0; i < metrics_nfamilies; i++) {
		char row[128];

		/* Each family has its row: "| `name` |". */
		snprintf(row, sizeof row, "| `%s%s` |", metrics_families[i].name,
		    metrics_families[i].type == METRICS_COUNTER ? "_total" :
		    metrics_families[i].type == METRICS_INFO ? "_info" : "");
		if (!CHECK(strstr(doc, row) != NULL))
			fprintf(stderr, "docs/metrics.md lacks %s\n", row);
	}
	free(doc);
}

int
main(void)
{
	test_counts();
	test_transitions();
	test_docs();
	return check_done();
}
