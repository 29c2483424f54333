/* The field table: every row's text in its unit, the units' scales, the
 * JSON of every field against a strict reading, and the order of every
 * sort key against its numbers. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcptop/field.h"
#include "tcptop/rate.h"
#include "tcptop/text.h"
#include "tcptop/unit.h"

/* Format field id of c into a buffer of len bytes. */
static const char *
fmt(int id, const struct conn *c, size_t len)
{
	static char buf[128];
	static const struct field_ctx cx;

	memset(buf, 'x', sizeof buf);
	field_fmt(id, c, &cx, buf, len);
	return buf;
}

static const char *
ufmt(int u, uint64_t v)
{
	static char buf[UNIT_TEXT_LEN];

	unit_fmt(u, v, buf, sizeof buf);
	return buf;
}

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (!CHECK(strcmp(g_, w_) == 0))				\
		fprintf(stderr, "  got \"%s\", want \"%s\"\n", g_, w_);	\
} while (0)

/* The age as printf writes it: what unit_fmt_age, written by hand,
 * must match. */
static void
ref_age(int64_t ms, int at_least, char *buf, size_t len)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;
	const char *plus = at_least ? "+" : "";

	if (s >= 86400 * 1000)
		snprintf(buf, len, ">999d%s", plus);
	else if (s >= 86400 * 100)
		snprintf(buf, len, "%" PRId64 "d%s", s / 86400, plus);
	else if (s < 60)
		snprintf(buf, len, "%" PRId64 "s%s", s, plus);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s%s", s / 60,
		    s % 60, plus);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m%s", s / 3600,
		    s / 60 % 60, plus);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h%s", s / 86400,
		    s / 3600 % 24, plus);
}

/* Ages and microseconds against printf, every cut of the buffer
 * included: the boundaries of each form, and a spread between. */
static void
test_age_printf(void)
{
	static const int64_t edge[] = { INT64_MIN, -1001, -1, 0, 999, 1000,
	    59999, 60000, 61000, 3599999, 3600000, 3661000, 86399999,
	    86400000, 90061000, 8639999999, 8640000000, 86399999999,
	    86400000000, 86400000000000, INT64_MAX };
	char got[32], want[32];
	int agree = 1, plus;
	size_t i, len;
	int64_t ms;

	for (plus = 0; plus < 2; plus++) {
		for (i = 0; i < sizeof edge / sizeof edge[0]; i++)
			for (len = 1; len <= sizeof got; len++) {
				unit_fmt_age(edge[i], plus, got, len);
				ref_age(edge[i], plus, want, len);
				agree &= strcmp(got, want) == 0;
			}
		for (ms = 0; ms < 400000000000; ms = ms * 3 / 2 + 777) {
			unit_fmt_age(ms, plus, got, sizeof got);
			ref_age(ms, plus, want, sizeof want);
			agree &= strcmp(got, want) == 0;
		}
	}
	for (ms = 0; ms < 1000; ms++)
		for (len = 1; len <= 8; len++) {
			unit_fmt(UNIT_US, (uint64_t)ms, got, len);
			snprintf(want, len, "%" PRId64 "us", ms);
			agree &= strcmp(got, want) == 0;
		}
	CHECK(agree);
}

/* Each unit's scale: the same text wherever a value of it is shown. */
static void
test_units(void)
{
	char buf[UNIT_TEXT_LEN];
	static const uint64_t big[] = { 0, 1, 999, 1000, 99999, 100000,
	    999999, 1000000, 123456789, UINT32_MAX, UINT64_MAX / 1000,
	    UINT64_MAX };
	size_t i;
	int u;

	CHECK_STR(ufmt(UNIT_US, 0), "0us");
	CHECK_STR(ufmt(UNIT_US, 31), "31us");
	CHECK_STR(ufmt(UNIT_US, 999), "999us");
	CHECK_STR(ufmt(UNIT_US, 1000), "1ms");
	CHECK_STR(ufmt(UNIT_US, 1250), "1.25ms");
	CHECK_STR(ufmt(UNIT_US, 2500), "2.5ms");
	CHECK_STR(ufmt(UNIT_US, 12500), "12.5ms");
	CHECK_STR(ufmt(UNIT_US, 204000), "204ms");
	CHECK_STR(ufmt(UNIT_US, 999499), "999ms");
	CHECK_STR(ufmt(UNIT_US, 999500), "1s");
	CHECK_STR(ufmt(UNIT_US, 1500000), "1.5s");
	CHECK_STR(ufmt(UNIT_US, 12340000), "12.3s");
	CHECK_STR(ufmt(UNIT_US, 71000000), "1m11s");
	CHECK_STR(ufmt(UNIT_MS, 200), "200ms");
	CHECK_STR(ufmt(UNIT_MS, 3000), "3s");
	CHECK_STR(ufmt(UNIT_MS, 71000), "1m11s");
	CHECK_STR(ufmt(UNIT_MS, 86400000 + 3 * 3600000), "1d03h");
	CHECK_STR(ufmt(UNIT_BYTES, 99999), "99999");
	CHECK_STR(ufmt(UNIT_BYTES, 100000), "98K");
	CHECK_STR(ufmt(UNIT_BYTES, 1258291), "1.2M");
	CHECK_STR(ufmt(UNIT_BYTES, UINT64_MAX), "16E");
	CHECK_STR(ufmt(UNIT_SEGMENTS, 10), "10");
	CHECK_STR(ufmt(UNIT_RATE, 0), "0B/s");
	CHECK_STR(ufmt(UNIT_RATE, 512), "512B/s");
	CHECK_STR(ufmt(UNIT_RATE, 1000), "1.0K/s");
	CHECK_STR(ufmt(UNIT_RATE, 100 * 1024), "100K/s");
	CHECK_STR(ufmt(UNIT_RATE, 1799203757), "1.7G/s");
	CHECK_STR(ufmt(UNIT_PERMILLE, 8), "0.8%");
	CHECK_STR(ufmt(UNIT_PERMILLE, 600), "60%");
	CHECK_STR(ufmt(UNIT_PERMILLE, 1000), "100%");
	CHECK_STR(ufmt(UNIT_PERMILLE, 10000), ">999%");
	CHECK_STR(ufmt(UNIT_NONE, 4294967295u), "4294967295");
	CHECK_STR(unit_word(UNIT_BYTES), "bytes");
	CHECK_STR(unit_word(UNIT_US), "");
	unit_fmt_age(59999, 0, buf, sizeof buf);
	CHECK_STR(buf, "59s");
	unit_fmt_age(3600 * 1000 + 61000, 1, buf, sizeof buf);
	CHECK_STR(buf, "1h01m+");
	unit_fmt_age(-5, 0, buf, sizeof buf);
	CHECK_STR(buf, "0s");
	/* The times, rates and shares fit 6 cells; counts past 99999 fit
	 * 5, whatever the value. */
	for (u = 0; u < UNIT_N; u++)
		for (i = 0; i < sizeof big / sizeof big[0]; i++) {
			size_t n = strlen(ufmt(u, big[i]));
			size_t max = u == UNIT_NONE ? 20 : u == UNIT_US ||
			    u == UNIT_MS ? 6 : u == UNIT_RATE ||
			    u == UNIT_PERMILLE ? 6 : big[i] < 100000 ? 5 : 5;

			if (!CHECK(n <= max))
				fprintf(stderr, "  unit %d value %" PRIu64
				    ": \"%s\"\n", u, big[i], ufmt(u, big[i]));
		}
}

/* The tcp_info fields, the timer, shutdown, cc and the accept queue:
 * without tcp_info, at zero, at the largest values, in narrow buffers. */
static void
test_tcp_fields(void)
{
	static const int ids[] = { FIELD_RTTVAR, FIELD_CWND, FIELD_SSTHRESH,
	    FIELD_LOST, FIELD_ACKED, FIELD_RECEIVED, FIELD_DELIVERY, FIELD_TX,
	    FIELD_RX, FIELD_TX10, FIELD_RX10, FIELD_TX40, FIELD_RX40, FIELD_SNDWND, FIELD_RCVSPACE, FIELD_ACCEPTQ,
	    FIELD_SHUTDOWN, FIELD_CC, FIELD_RTT };
	struct conn c;
	size_t i, len;
	const char *p;
	double pct;
	uint64_t v;

	memset(&c, 0, sizeof c);
	c.s.state = TCP_ESTABLISHED;
	/* No tcp_info, no shutdown attribute, no rate: "-" everywhere. */
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		CHECK_STR(fmt(ids[i], &c, 64), "-");
		if (ids[i] != FIELD_SHUTDOWN && ids[i] != FIELD_CC)
			CHECK(field_value(ids[i], &c, NULL, &v) == -1);
	}
	CHECK_STR(fmt(FIELD_TIMER, &c, 64), "");

	/* Zero tcp_info: zeros, but an RTT of 0 was not measured, and
	 * neither was its variation. */
	c.s.flags = CONN_HAS_INFO | CONN_HAS_SHUTDOWN;
	CHECK_STR(fmt(FIELD_CWND, &c, 64), "0");
	CHECK_STR(fmt(FIELD_RTTVAR, &c, 64), "-");
	CHECK_STR(fmt(FIELD_RTT, &c, 64), "-");
	CHECK_STR(fmt(FIELD_SSTHRESH, &c, 64), "0");
	CHECK_STR(fmt(FIELD_ACKED, &c, 64), "0");
	CHECK_STR(fmt(FIELD_TX, &c, 64), "-");
	CHECK_STR(fmt(FIELD_SHUTDOWN, &c, 64), "<->");

	/* Ordinary values. */
	c.s.info.rtt_us = 31;
	c.s.info.rttvar_us = 1250;
	c.s.info.snd_cwnd = 10;
	c.s.info.snd_ssthresh = 0x7fffffff;
	c.s.info.lost = 3;
	c.s.info.bytes_acked = 99999;
	c.s.info.bytes_received = 100000;
	c.s.info.delivery_rate = 5 * 1024 * 1024;
	c.s.info.snd_wnd = 65535;
	c.s.info.rcv_space = 14600;
	c.flags = CONN_RATE;
	c.tx_avg = rate_start(2048000);
	c.rx_avg = rate_start(0);
	CHECK_STR(fmt(FIELD_RTT, &c, 64), "31us");
	CHECK_STR(fmt(FIELD_RTTVAR, &c, 64), "1.25ms");
	CHECK_STR(fmt(FIELD_CWND, &c, 64), "10");
	CHECK_STR(fmt(FIELD_SSTHRESH, &c, 64), "inf");
	CHECK_STR(fmt(FIELD_LOST, &c, 64), "3");
	CHECK_STR(fmt(FIELD_ACKED, &c, 64), "99999");
	CHECK_STR(fmt(FIELD_RECEIVED, &c, 64), "98K");
	CHECK_STR(fmt(FIELD_DELIVERY, &c, 64), "5.0M/s");
	CHECK_STR(fmt(FIELD_TX, &c, 64), "2.0M/s");
	CHECK_STR(fmt(FIELD_RX, &c, 64), "0B/s");
	CHECK_STR(fmt(FIELD_TX10, &c, 64), "2.0M/s");
	CHECK_STR(fmt(FIELD_RX40, &c, 64), "0B/s");
	CHECK_STR(fmt(FIELD_SNDWND, &c, 64), "65535");
	CHECK_STR(fmt(FIELD_RCVSPACE, &c, 64), "14600");
	CHECK_STR(fmt(FIELD_ACCEPTQ, &c, 64), "-");	/* not LISTEN */
	CHECK(field_accept_fill(&c, &pct) == -1);

	/* Shutdown as ss -e shows it. */
	c.s.shutdown = 1;
	CHECK_STR(fmt(FIELD_SHUTDOWN, &c, 64), "-->");
	c.s.shutdown = 2;
	CHECK_STR(fmt(FIELD_SHUTDOWN, &c, 64), "<--");
	c.s.shutdown = 3;
	CHECK_STR(fmt(FIELD_SHUTDOWN, &c, 64), "---");

	/* The congestion control name. */
	c.s.cc = conn_cc_intern("cubic", 5);
	CHECK_STR(fmt(FIELD_CC, &c, 64), "cubic");

	/* Timers with their expiry, in the time unit. */
	c.s.timer = 1;
	c.s.expires_ms = 200;
	CHECK_STR(fmt(FIELD_TIMER, &c, 64), "on 200ms");
	c.s.timer = 2;
	c.s.expires_ms = 71000;
	CHECK_STR(fmt(FIELD_TIMER, &c, 64), "keepalive 1m11s");
	c.s.timer = 3;
	c.s.expires_ms = 58400;
	CHECK_STR(fmt(FIELD_TIMER, &c, 64), "timewait 58.4s");
	c.s.timer = 4;
	c.s.expires_ms = 3000;
	CHECK_STR(fmt(FIELD_TIMER, &c, 64), "persist 3s");
	c.s.timer = 9;
	CHECK(strncmp(fmt(FIELD_TIMER, &c, 64), "? ", 2) == 0);

	/* The accept queue of a listener: Recv-Q of Send-Q. */
	c.s.state = TCP_LISTEN;
	c.s.rqueue = 3;
	c.s.wqueue = 5;
	CHECK_STR(fmt(FIELD_ACCEPTQ, &c, 64), "60%");
	CHECK(field_accept_fill(&c, &pct) == 0 && pct == 60.0);
	c.s.rqueue = 1;
	c.s.wqueue = 128;
	CHECK_STR(fmt(FIELD_ACCEPTQ, &c, 64), "0.8%");
	c.s.rqueue = 4097;	/* overfull: the kernel lets it pass by one */
	c.s.wqueue = 4096;
	CHECK_STR(fmt(FIELD_ACCEPTQ, &c, 64), "100%");
	c.s.wqueue = 0;
	CHECK_STR(fmt(FIELD_ACCEPTQ, &c, 64), "-");
	c.s.rqueue = UINT32_MAX;
	c.s.wqueue = 1;
	CHECK_STR(fmt(FIELD_ACCEPTQ, &c, 64), ">999%");

	/* The largest values fit their column. */
	c.s.info.rtt_us = c.s.info.rttvar_us = UINT32_MAX;
	c.s.info.snd_cwnd = UINT32_MAX;
	c.s.info.snd_ssthresh = 0xfffe;
	c.s.info.lost = UINT32_MAX;
	c.s.info.bytes_acked = UINT64_MAX;
	c.s.info.bytes_received = UINT64_MAX;
	c.s.info.delivery_rate = UINT64_MAX;
	c.s.info.snd_wnd = UINT32_MAX;
	c.s.info.rcv_space = UINT32_MAX;
	c.tx_avg = c.rx_avg = UINT64_MAX;
	c.s.timer = 2;
	c.s.expires_ms = UINT32_MAX;
	c.s.cc = conn_cc_intern("a-very-long-congestion-name", 27);
	for (i = 0; i < FIELD_N; i++) {
		if (i == FIELD_LOCAL || i == FIELD_REMOTE ||
		    i == FIELD_COOKIE || i == FIELD_INODE || i == FIELD_UID ||
		    i == FIELD_RECVQ || i == FIELD_SENDQ)
			continue;	/* their own widths, not this test's */
		p = fmt((int)i, &c, 64);
		if (!CHECK(strlen(p) <= field_table[i].maxwidth))
			fprintf(stderr, "field %s: \"%s\" is %zu wide\n",
			    field_table[i].name, p, strlen(p));
	}
	CHECK_STR(fmt(FIELD_SSTHRESH, &c, 64), "65534");
	CHECK_STR(fmt(FIELD_ACKED, &c, 64), "16E");

	/* Narrow buffers: always terminated, never overrun. */
	for (len = 1; len < 8; len++)
		for (i = 0; i < FIELD_N; i++) {
			p = fmt((int)i, &c, len);
			CHECK(strlen(p) < len && p[len] == 'x');
		}
}

/* The inside of c's JSON object, as a string. */
static char *
json_of(const struct conn *c, const struct field_ctx *cx)
{
	static char buf[8192];
	struct json_buf b = { 0 };

	json_put(&b, "{");
	field_json(&b, c, cx);
	json_put(&b, "}");
	snprintf(buf, sizeof buf, "%.*s", (int)b.n, b.p);
	json_buf_free(&b);
	return buf;
}

/* Nothing written to a buffer that has no memory yet: it stays empty
 * (a sanitizer build catches a copy from or to NULL). */
static void
test_json_empty(void)
{
	struct json_buf b = { 0 };
	FILE *fp = fopen("/dev/null", "w");

	json_put(&b, "");
	json_put_string(&b, "", 0);
	CHECK(b.n == 2);	/* the quotes */
	CHECK(fp != NULL && json_buf_flush(&b, fp) == 0 && b.n == 0);
	json_buf_free(&b);
	b = (struct json_buf){ 0 };
	json_put(&b, "");
	CHECK(b.n == 0 && b.p == NULL);
	CHECK(json_buf_flush(&b, fp) == 0);
	if (fp != NULL)
		fclose(fp);
}

/* The JSON keys of docs/json.md, each once, with the values the fields
 * hold; null where the kernel gave nothing. */
static void
test_json(void)
{
	static const char *const keys[] = { "\"family\": \"ipv4\"",
	    "\"local_addr\": \"10.0.0.1\"", "\"local_port\": 22",
	    "\"remote_addr\": \"10.0.0.2\"", "\"remote_port\": 50000",
	    "\"state\": \"ESTABLISHED\"", "\"recv_q\": 7", "\"send_q\": 8",
	    "\"uid\": 1000", "\"inode\": 4242", "\"cookie\": \"99\"",
	    "\"state_age_s\": 1.500", "\"state_age_at_least\": false",
	    "\"age_s\": 2.000", "\"age_at_least\": false",
	    "\"prev_state\": \"SYN_SENT\"", "\"timer\": 1",
	    "\"timer_expires_ms\": 200", "\"timer_name\": \"on\"",
	    "\"retrans\": 2", "\"rtt_ms\": 0.031", "\"rttvar_ms\": 1.250",
	    "\"cwnd\": 10", "\"ssthresh\": 2147483647", "\"lost\": 0",
	    "\"bytes_acked\": 5", "\"bytes_received\": 6",
	    "\"delivery_rate\": 7", "\"snd_wnd\": 65535",
	    "\"rcv_space\": 14600", "\"throughput_tx\": null",
	    "\"throughput_rx\": null", "\"throughput_tx_10s\": null",
	    "\"throughput_rx_10s\": null", "\"throughput_tx_40s\": null",
	    "\"throughput_rx_40s\": null", "\"accept_fill_pct\": null",
	    "\"cc\": null", "\"shutdown\": null", "\"cgroup_id\": null",
	    "\"cgroup\": null", "\"owner\": null", "\"pid\": null",
	    "\"comm\": null", "\"user\": null", "\"v6only\": null",
	    "\"interface\": null", "\"ifindex\": null" };
	struct field_ctx cx = { .now_ms = 3000 };
	struct conn c;
	const char *j;
	char buf[UNIT_TEXT_LEN];
	size_t i, nkeys = 0;

	memset(&c, 0, sizeof c);
	c.s.family = AF_INET;
	c.s.local[0] = 10, c.s.local[3] = 1;
	c.s.remote[0] = 10, c.s.remote[3] = 2;
	c.s.lport = 22;
	c.s.rport = 50000;
	c.s.state = TCP_ESTABLISHED;
	c.prev_state = TCP_SYN_SENT;
	c.s.rqueue = 7;
	c.s.wqueue = 8;
	c.s.uid = 1000;
	c.s.inode = 4242;
	c.s.cookie = 99;
	c.state_since_ms = 1500;
	c.first_seen_ms = 1000;
	c.s.timer = 1;
	c.s.expires_ms = 200;
	c.s.flags = CONN_HAS_INFO;
	c.s.info.total_retrans = 2;
	c.s.info.rtt_us = 31;
	c.s.info.rttvar_us = 1250;
	c.s.info.snd_cwnd = 10;
	c.s.info.snd_ssthresh = 2147483647;
	c.s.info.bytes_acked = 5;
	c.s.info.bytes_received = 6;
	c.s.info.delivery_rate = 7;
	c.s.info.snd_wnd = 65535;
	c.s.info.rcv_space = 14600;
	j = json_of(&c, &cx);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!CHECK(strstr(j, keys[i]) != NULL))
			fprintf(stderr, "  no %s in %s\n", keys[i], j);
	/* Every key once, none more: the members are those above. */
	for (i = 0; j[i] != '\0'; i++)
		nkeys += j[i] == ':' && j[i - 1] == '"';
	CHECK_EQ(nkeys, sizeof keys / sizeof keys[0]);
	CHECK(j[1] == '"' && strstr(j, ", ,") == NULL);
	/* No netns key without -N or --all-netns. */
	CHECK(strstr(j, "netns") == NULL);
	/* Before the first RTT sample (a listener, a SYN_SENT): the
	 * kernel's rtt is 0 and its rttvar the initial guess; both are
	 * unknown, null in JSON and "-" as text, as ss shows no rtt:. */
	c.s.info.rtt_us = 0;
	c.s.info.rttvar_us = 250000;
	j = json_of(&c, &cx);
	CHECK(strstr(j, "\"rtt_ms\": null") != NULL);
	CHECK(strstr(j, "\"rttvar_ms\": null") != NULL);
	CHECK(strstr(j, "\"cwnd\": 10") != NULL);
	field_fmt(FIELD_RTT, &c, &cx, buf, sizeof buf);
	CHECK_STR(buf, "-");
	field_fmt(FIELD_RTTVAR, &c, &cx, buf, sizeof buf);
	CHECK_STR(buf, "-");
	c.s.info.rtt_us = 31;
	/* Without tcp_info: null, and the throughput once a rate is known. */
	c.s.flags = 0;
	c.flags = CONN_RATE;
	c.tx_avg = rate_start(11);
	j = json_of(&c, &cx);
	CHECK(strstr(j, "\"rtt_ms\": null") != NULL);
	CHECK(strstr(j, "\"cwnd\": null") != NULL);
	CHECK(strstr(j, "\"retrans\": 0") != NULL);
	CHECK(strstr(j, "\"throughput_tx\": 11") != NULL);
	CHECK(strstr(j, "\"throughput_tx_10s\": 11") != NULL);
	CHECK(strstr(j, "\"throughput_rx_40s\": 0") != NULL);
}

/* A sort key orders rows as its numbers do, unknown as 0; the keys with
 * their own order are checked where it is defined. */
static void
test_order(void)
{
	static const struct field_ctx none;
	struct conn a, b;
	int id, k;
	uint64_t va, vb;

	CHECK(field_nsort() > 10);
	CHECK_EQ(field_sort_key(0), FIELD_STATE);
	CHECK_EQ(field_sort_index(FIELD_STATE), 0);
	/* Every field is a sort key, with an order. */
	CHECK_EQ(field_nsort(), (size_t)FIELD_N);
	CHECK_EQ(field_sort_index(FIELD_PROCESS), FIELD_PROCESS);
	CHECK_EQ(field_sort_key(field_nsort()), -1);
	for (k = 0; k < (int)field_nsort(); k++)
		CHECK_EQ(field_sort_index(field_sort_key((size_t)k)), k);
	CHECK_EQ(field_sort_step(FIELD_STATE, 1), FIELD_FAMILY);
	CHECK_EQ(field_sort_step(FIELD_STATE, -1),
	    field_sort_key(field_nsort() - 1));
	CHECK_EQ(field_sort_lookup("lport"), FIELD_LPORT);
	CHECK_EQ(field_sort_lookup("timer"), FIELD_TIMER);
	CHECK_EQ(field_sort_lookup("process"), FIELD_PROCESS);
	CHECK_EQ(field_sort_lookup("nope"), -1);
	for (id = 0; id < FIELD_N; id++) {
		const struct field *f = &field_table[id];

		if (!CHECK(f->flags & FIELD_F_SORT))
			fprintf(stderr, "  field %s is no sort key\n", f->name);
		if (!CHECK(f->cmp != NULL || f->get != NULL || f->size > 0 ||
		    f->text != NULL))
			fprintf(stderr, "  field %s has no order\n", f->name);
		if (f->cmp != NULL)
			continue;
		for (k = 0; k < 200; k++) {
			memset(&a, 0, sizeof a);
			memset(&b, 0, sizeof b);
			a.s.flags = (k & 1) ? CONN_HAS_INFO : 0;
			b.s.flags = (k & 2) ? CONN_HAS_INFO : 0;
			a.flags = (k & 4) ? CONN_RATE : 0;
			b.flags = (k & 8) ? CONN_RATE : 0;
			if (f->size > 0) {
				memset((char *)&a + f->off, k * 7 % 5, f->size);
				memset((char *)&b + f->off, k * 3 % 5, f->size);
			}
			if (field_value(id, &a, &none, &va) == -1)
				va = 0;
			if (field_value(id, &b, &none, &vb) == -1)
				vb = 0;
			if (!CHECK_EQ(field_cmp(id, &a, &b, &none),
			    (va > vb) - (va < vb)))
				fprintf(stderr, "  field %s\n", f->name);
		}
	}
	/* The state sorts in histogram order, the age longest first. */
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.s.state = TCP_LISTEN;
	b.s.state = TCP_ESTABLISHED;
	CHECK(field_cmp(FIELD_STATE, &a, &b, NULL) < 0);
	a.state_since_ms = 100;		/* longer in its state */
	b.state_since_ms = 200;
	CHECK(field_cmp(FIELD_AGE, &a, &b, NULL) > 0);
	/* A field of text only sorts as it reads. */
	a.s.cc = conn_cc_intern("cubic", 5);
	b.s.cc = conn_cc_intern("bbr", 3);
	CHECK(field_cmp(FIELD_CC, &a, &b, NULL) > 0);
	CHECK(field_cmp(FIELD_CC, &b, &a, NULL) < 0);
	/* The timer by kind, then expiry; the state before as the state. */
	a.s.timer = 1, a.s.expires_ms = 500;
	b.s.timer = 1, b.s.expires_ms = 200;
	CHECK(field_cmp(FIELD_TIMER, &a, &b, NULL) > 0);
	b.s.timer = 2;
	CHECK(field_cmp(FIELD_TIMER, &a, &b, NULL) < 0);
	a.prev_state = TCP_LISTEN;
	b.prev_state = TCP_ESTABLISHED;
	CHECK(field_cmp(FIELD_PREV, &a, &b, NULL) < 0);
	/* Without owners (no struct proc) every row has none: equal. */
	CHECK_EQ(field_cmp(FIELD_PROCESS, &a, &b, NULL), 0);
	CHECK_EQ(field_cmp(FIELD_PID, &a, &b, NULL), 0);
	/* Every order is an order: a row equals itself, and swapping the
	 * rows flips the sign. */
	for (k = 0; k < 300; k++) {
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		a.s.state = (uint8_t)(1 + k % 11);
		b.s.state = (uint8_t)(1 + k * 7 % 11);
		a.prev_state = (uint8_t)(k % 3);
		a.s.timer = (uint8_t)(k % 5);
		b.s.timer = (uint8_t)(k * 3 % 5);
		a.s.flags = (k & 1) ? CONN_HAS_INFO | CONN_HAS_SHUTDOWN : 0;
		b.s.flags = (k & 2) ? CONN_HAS_INFO | CONN_HAS_SHUTDOWN : 0;
		a.s.shutdown = (uint8_t)(k % 4);
		a.s.cc = (uint8_t)(k % 3);
		a.s.info.rtt_us = (uint32_t)(k % 7);
		b.s.info.rtt_us = (uint32_t)(k % 5);
		a.s.lport = (uint16_t)(k % 9);
		a.first_seen_ms = k % 4;
		a.state_since_ms = k % 6;
		for (id = 0; id < FIELD_N; id++) {
			int ab = field_cmp(id, &a, &b, NULL);
			int ba = field_cmp(id, &b, &a, NULL);

			if (!CHECK_EQ(field_cmp(id, &a, &a, NULL), 0) ||
			    !CHECK_EQ((ab > 0) - (ab < 0), (ba < 0) - (ba > 0)))
				fprintf(stderr, "  field %s\n",
				    field_table[id].name);
		}
	}
}

/* A column's width measured without writing the text is the width of
 * the text: every field, random IPv4 and IPv6 ends (numbers of one to
 * three digits, port 0, the any address, v6only, a device). */
static void
test_cells(void)
{
	static const struct field_ctx cx;
	static const uint8_t pick[] = { 0, 1, 9, 10, 99, 100, 127, 255 };
	unsigned long rng = 99;
	int i, id, agree = 1, cheap = 0;

	for (i = 0; i < 4000; i++) {
		struct conn c;
		char text[CONN_ENDPOINT_LEN];
		size_t k;

		memset(&c, 0, sizeof c);
		for (k = 0; k < 16; k++) {
			rng = rng * 6364136223846793005UL + 1;
			c.s.local[k] = pick[(rng >> 33) % 8];
			c.s.remote[k] = pick[(rng >> 40) % 8];
		}
		if (i % 7 == 0)
			memset(c.s.remote, 0, 16);
		c.s.family = i % 3 == 0 ? AF_INET6 : AF_INET;
		c.s.lport = (uint16_t)(i % 5 == 0 ? 0 : rng >> 20);
		c.s.rport = (uint16_t)(i % 4 == 0 ? 0 : (rng >> 24) % 1000);
		c.s.flags = i % 2 ? CONN_V6ONLY : 0;
		if (i % 11 == 0) {
			c.s.ifindex = 3;
			c.s.netns = 7;	/* "if3", no lookup */
		}
		for (id = 0; id < FIELD_N; id++) {
			field_fmt(id, &c, &cx, text, sizeof text);
			if (field_cells(id, &c, &cx) != text_width(text))
				agree = 0;
			if (field_table[id].cells != NULL &&
			    field_table[id].cells(&c, &cx) != 0)
				cheap++;
		}
	}
	CHECK(agree);
	CHECK(cheap > 4000);	/* the IPv4 ends were counted, not written */
}

int
main(void)
{
	int i;

	/* Every row: a name, found by it; help; a unit in range. */
	for (i = 0; i < FIELD_N; i++) {
		CHECK(field_table[i].name != NULL &&
		    field_table[i].help != NULL);
		CHECK_EQ(field_lookup(field_table[i].name), i);
		CHECK(field_table[i].unit < UNIT_N);
		CHECK(field_table[i].size == 0 || field_table[i].size == 1 ||
		    field_table[i].size == 2 || field_table[i].size == 4 ||
		    field_table[i].size == 8);
	}
	CHECK_EQ(field_lookup("RTT"), FIELD_RTT);
	CHECK_EQ(field_lookup("nope"), -1);
	test_units();
	test_age_printf();
	test_tcp_fields();
	test_json_empty();
	test_json();
	test_order();
	test_cells();
	return check_done();
}
