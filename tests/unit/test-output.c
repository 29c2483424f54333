/* Batch output: the JSON writer against a strict validator (whatever
 * bytes come in, every line is valid JSON), and the text report. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcptop/field.h"
#include "tcptop/json.h"
#include "tcptop/output.h"
#include "tcptop/tcpstate.h"

/* A small strict JSON validator (RFC 8259), enough to reject what a
 * careless writer produces: raw control bytes, bad escapes, bad UTF-8. */
static const char *jv_p;

static void jv_ws(void) { while (*jv_p == ' ' || *jv_p == '\n' ||
    *jv_p == '\t' || *jv_p == '\r') jv_p++; }
static int jv_value(void);

static int
jv_string(void)
{
	if (*jv_p++ != '"')
		return 0;
	for (;;) {
		unsigned char c = (unsigned char)*jv_p++;

		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			c = (unsigned char)*jv_p++;
			if (c == 'u') {
				int k;

				for (k = 0; k < 4; k++, jv_p++)
					if (!strchr("0123456789abcdefABCDEF",
					    *jv_p) || *jv_p == '\0')
						return 0;
			} else if (!strchr("\"\\/bfnrt", c) || c == '\0')
				return 0;
		} else if (c >= 0x80) {
			int need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1, k;

			if (c < 0xc2 || c > 0xf4)
				return 0;
			for (k = 0; k < need; k++)
				if (((unsigned char)*jv_p++ & 0xc0) != 0x80)
					return 0;
		}
	}
}

static int
jv_number(void)
{
	const char *s = jv_p;

	if (*jv_p == '-')
		jv_p++;
	while (*jv_p >= '0' && *jv_p <= '9')
		jv_p++;
	if (*jv_p == '.') {
		jv_p++;
		while (*jv_p >= '0' && *jv_p <= '9')
			jv_p++;
	}
	return jv_p > s;
}

static int
jv_value(void)
{
	jv_ws();
	if (*jv_p == '{') {
		jv_p++;
		jv_ws();
		if (*jv_p == '}')
			return jv_p++, 1;
		for (;;) {
			jv_ws();
			if (!jv_string())
				return 0;
			jv_ws();
			if (*jv_p++ != ':' || !jv_value())
				return 0;
			jv_ws();
			if (*jv_p == '}')
				return jv_p++, 1;
			if (*jv_p++ != ',')
				return 0;
		}
	}
	if (*jv_p == '[') {
		jv_p++;
		jv_ws();
		if (*jv_p == ']')
			return jv_p++, 1;
		for (;;) {
			if (!jv_value())
				return 0;
			jv_ws();
			if (*jv_p == ']')
				return jv_p++, 1;
			if (*jv_p++ != ',')
				return 0;
		}
	}
	if (*jv_p == '"')
		return jv_string();
	if (strncmp(jv_p, "true", 4) == 0)
		return jv_p += 4, 1;
	if (strncmp(jv_p, "false", 5) == 0)
		return jv_p += 5, 1;
	if (strncmp(jv_p, "null", 4) == 0)
		return jv_p += 4, 1;
	return jv_number();
}

static int
json_valid_line(const char *s)
{
	jv_p = s;
	if (!jv_value())
		return 0;
	jv_ws();
	return *jv_p == '\0';
}

static char *
capture_json_string(const char *in, size_t len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *fp = open_memstream(&buf, &sz);

	json_string(fp, in, len);
	fclose(fp);
	return buf;
}

/* Numbers written two digits at a time, against printf: every power of
 * ten and its neighbours, and a spread up to UINT64_MAX. */
static void
test_json_u64(void)
{
	struct json_buf b = { 0 };
	char want[32];
	uint64_t v, p;
	int agree = 1, k;

	for (p = 1, k = 0; k < 20; k++, p *= 10)
		for (v = p > 2 ? p - 2 : 0; v <= p + 2; v++) {
			b.n = 0;
			json_put_u64(&b, v);
			snprintf(want, sizeof want, "%" PRIu64, v);
			agree &= b.n == strlen(want) &&
			    memcmp(b.p, want, b.n) == 0;
		}
	for (v = 0, k = 0; k < 5000; k++, v = v * 7 + 12345 + (uint64_t)k) {
		b.n = 0;
		json_put_u64(&b, v);
		snprintf(want, sizeof want, "%" PRIu64, v);
		agree &= b.n == strlen(want) && memcmp(b.p, want, b.n) == 0;
	}
	b.n = 0;
	json_put_u64(&b, UINT64_MAX);
	agree &= b.n == 20 && memcmp(b.p, "18446744073709551615", 20) == 0;
	CHECK(agree);
	json_buf_free(&b);
}

int
main(void)
{
	struct conntab *t = conntab_new(0);
	struct conn_sample s;
	struct view v;
	struct snapshot r = {
		.host = "host\"with\\odd\x01bytes\xff",
		.realtime_ns = 1795594742123000000LL,
		.fields = { .now_ms = 5000 },
		.source = "kernel",
	};
	char *buf = NULL, *line;
	size_t sz = 0;
	FILE *fp;
	int i;

	/* Hostile strings: every single byte, then random byte soup. */
	for (i = 0; i < 256; i++) {
		char in[3] = { 'a', (char)i, 'b' };
		char *out = capture_json_string(in, 3);

		if (!CHECK(json_valid_line(out)))
			fprintf(stderr, "byte %02x -> %s\n", i, out);
		free(out);
	}
	{
		unsigned long x = 7;
		int k, ok = 1;

		for (k = 0; k < 2000; k++) {
			char in[24];
			char *out;
			size_t j;

			for (j = 0; j < sizeof in; j++) {
				x = x * 6364136223846793005UL + 1;
				in[j] = (char)(x >> 56);
			}
			out = capture_json_string(in, sizeof in);
			if (!json_valid_line(out))
				ok = 0;
			free(out);
		}
		CHECK(ok);
	}
	/* Well-formed UTF-8 passes through untouched. */
	line = capture_json_string("caf\xc3\xa9 \xe2\x9c\x93", 9);
	CHECK(strcmp(line, "\"caf\xc3\xa9 \xe2\x9c\x93\"") == 0);
	free(line);
	/* Overlong and surrogate encodings do not. */
	line = capture_json_string("\xc0\xaf\xed\xa0\x80", 5);
	CHECK(strstr(line, "\\ufffd") != NULL && json_valid_line(line));
	free(line);

	/* A whole report. */
	conntab_begin_scan(t, 1000);
	memset(&s, 0, sizeof s);
	s.family = AF_INET;
	s.state = TCP_LISTEN;
	s.lport = 9000;
	s.cookie = 7;
	conntab_update(t, &s);
	s.family = AF_INET6;
	s.state = TCP_ESTABLISHED;
	s.rport = 40000;
	s.remote[15] = 1;
	s.cookie = 8;
	s.flags = CONN_HAS_INFO;
	s.info.rtt_us = 1500;
	s.cc = conn_cc_intern("cubic", 5);
	conntab_update(t, &s);
	conntab_end_scan(t);
	view_init(&v);
	view_build(&v, t, NULL, FIELD_STATE, 0, 0, NULL);

	fp = open_memstream(&buf, &sz);
	CHECK(output_json(fp, &r, &v) == 0);
	fclose(fp);
	CHECK(sz > 0 && buf[sz - 1] == '\n');
	buf[sz - 1] = '\0';
	CHECK(strchr(buf, '\n') == NULL);	/* one line */
	CHECK(json_valid_line(buf));
	for (i = 0; i < TCPSTATE_MAX; i++) {
		char key[32];

		snprintf(key, sizeof key, "\"%s\": ",
		    tcpstate_name(tcpstate_order[i]));
		CHECK(strstr(buf, key) != NULL);
	}
	CHECK(strstr(buf, "\"total\": 2") != NULL);
	CHECK(strstr(buf, "\"LISTEN\": 1") != NULL);
	CHECK(strstr(buf, "\"ESTABLISHED\": 1") != NULL);
	CHECK(strstr(buf, "\"cookie\": \"8\"") != NULL);
	/* Seen first at 1000 ms, reported at 5000 ms; the first scan's rows
	 * predate tcptop, so both ages are lower bounds. */
	CHECK(strstr(buf, "\"age_s\": 4.000, \"age_at_least\": true") !=
	    NULL);
	CHECK(strstr(buf, "\"state_age_s\": 4.000, "
	    "\"state_age_at_least\": true") != NULL);
	CHECK(strstr(buf, "\"remote_addr\": \"::1\"") != NULL);
	CHECK(strstr(buf, "\"rtt_ms\": 1.500") != NULL);
	CHECK(strstr(buf, "\"cc\": \"cubic\"") != NULL);
	CHECK(strstr(buf, "\"time\": 1795594742.123") != NULL);
	/* First sight: no throughput; a listener with no backlog, no fill. */
	CHECK(strstr(buf, "\"throughput_tx\": null, \"throughput_rx\": "
	    "null") != NULL);
	CHECK(strstr(buf, "\"accept_fill_pct\": null") != NULL);
	CHECK(strstr(buf, "\"ssthresh\": 0, \"lost\": 0") != NULL);
	free(buf);

	/* Throughput and accept queue after a second scan. */
	{
		struct conntab *t2 = conntab_new(0);
		struct conn_sample a[2];
		struct view v2;

		memset(a, 0, sizeof a);
		a[0].family = a[1].family = AF_INET;
		a[0].state = TCP_LISTEN;
		a[0].cookie = 1;
		a[0].rqueue = 3;
		a[0].wqueue = 5;
		a[1].state = TCP_ESTABLISHED;
		a[1].cookie = 2;
		a[1].flags = CONN_HAS_INFO;
		a[1].timer = 2;
		a[1].info.bytes_acked = 100;
		a[1].info.snd_ssthresh = 7;
		a[1].info.snd_wnd = 65535;
		conntab_begin_scan(t2, 1000);
		conntab_update(t2, &a[0]);
		conntab_update(t2, &a[1]);
		conntab_end_scan(t2);
		a[1].info.bytes_acked = 1100;
		a[1].info.bytes_received = 250;
		conntab_begin_scan(t2, 1500);
		conntab_update(t2, &a[0]);
		conntab_update(t2, &a[1]);
		conntab_end_scan(t2);
		view_init(&v2);
		view_build(&v2, t2, NULL, FIELD_STATE, 0, 0, NULL);
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_json(fp, &r, &v2) == 0);
		fclose(fp);
		buf[sz - 1] = '\0';
		CHECK(json_valid_line(buf));
		CHECK(strstr(buf, "\"throughput_tx\": 2000, "
		    "\"throughput_rx\": 500") != NULL);
		CHECK(strstr(buf, "\"accept_fill_pct\": 60.0") != NULL);
		CHECK(strstr(buf, "\"timer_name\": \"keepalive\"") != NULL);
		CHECK(strstr(buf, "\"ssthresh\": 7") != NULL);
		CHECK(strstr(buf, "\"snd_wnd\": 65535") != NULL);
		free(buf);
		view_done(&v2);
		conntab_free(t2);
	}

	/* Transitions: every edge of the diagram (zero or not), others
	 * only when seen, the events since the last refresh, the source. */
	{
		struct trans *tr = trans_new(10000);
		struct trans_event e;
		int k;

		memset(&e, 0, sizeof e);
		e.family = AF_INET6;
		e.remote[15] = 1;
		e.lport = 40000;
		e.rport = 80;
		e.realtime_ns = 1795594742456000000LL;
		e.source = TRANS_SRC_TRACE;
		e.from = TCP_SYN_SENT;
		e.to = TCP_ESTABLISHED;
		for (k = 0; k < 3; k++)
			trans_add(tr, &e);
		e.from = TCP_TIME_WAIT;	/* on no edge */
		e.to = TCP_ESTABLISHED;
		e.source = TRANS_SRC_DIFF;
		trans_add(tr, &e);
		r.trans = tr;
		r.trans_source = "exact";
		r.trans_note = "tracefs: \"odd\"";
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_json(fp, &r, &v) == 0);
		fclose(fp);
		buf[sz - 1] = '\0';
		CHECK(json_valid_line(buf));
		CHECK(strstr(buf, "{\"from\": \"SYN_SENT\", \"to\": "
		    "\"ESTABLISHED\", \"count\": 3}") != NULL);
		CHECK(strstr(buf, "{\"from\": \"LAST_ACK\", \"to\": "
		    "\"CLOSE\", \"count\": 0}") != NULL);
		CHECK(strstr(buf, "{\"from\": \"TIME_WAIT\", \"to\": "
		    "\"ESTABLISHED\", \"count\": 1}") != NULL);
		CHECK(strstr(buf, "\"events\": [{\"time\": 1795594742.456, "
		    "\"family\": \"ipv6\", \"local_addr\": \"::\", "
		    "\"local_port\": 40000, \"remote_addr\": \"::1\", "
		    "\"remote_port\": 80, \"from\": \"SYN_SENT\", "
		    "\"to\": \"ESTABLISHED\", \"source\": \"trace\"}") != NULL);
		CHECK(strstr(buf, "\"source\": \"refresh\"}], "
		    "\"transitions_source\": \"exact\", "
		    "\"transitions_note\": \"tracefs: \\\"odd\\\"\", "
		    "\"transitions_lost\": 0, \"notifications_lost\": 0}") !=
		    NULL);
		free(buf);
		/* No events, no note. */
		trans_clear_events(tr);
		r.trans_note = NULL;
		r.trans_lost = 12;
		r.notify_lost = -1;
		r.refresh_ms = 7;
		r.interval_ms = -1;
		r.delay_ms = 500;
		r.model = "events";
		r.model_note = NULL;
		r.model_full_age_ms = 1500;
		r.model_corrected = 2;
		r.model_gets = 40;
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_json(fp, &r, &v) == 0);
		fclose(fp);
		buf[sz - 1] = '\0';
		CHECK(json_valid_line(buf));
		CHECK(strstr(buf, "\"events\": [], ") != NULL);
		CHECK(strstr(buf, "\"transitions_note\": null, "
		    "\"transitions_lost\": 12, \"notifications_lost\": null}") !=
		    NULL);
		/* Keeping time: counts, null where unknown. */
		CHECK(strstr(buf, "\"dumped\": 0, \"refresh_ms\": 7, "
		    "\"interval_ms\": null, \"delay_ms\": 500, "
		    "\"late_ms\": 0, \"total\": ") != NULL);
		CHECK(strstr(buf, "\"model\": {\"mode\": \"events\", "
		    "\"note\": null, \"full_dump_age_ms\": 1500, "
		    "\"corrected\": 2, \"requests\": 40}, \"source\": ") !=
		    NULL);
		free(buf);
		r.trans = NULL;
		trans_free(tr);
	}

	/* A recording may claim any time, even a negative one. */
	r.realtime_ns = -1500000000LL;
	buf = NULL;
	fp = open_memstream(&buf, &sz);
	CHECK(output_json(fp, &r, &v) == 0);
	fclose(fp);
	buf[sz - 1] = '\0';
	CHECK(json_valid_line(buf));
	CHECK(strstr(buf, "\"time\": -1.500,") != NULL);
	free(buf);
	r.realtime_ns = 1795594742123000000LL;

	/* Text: header, column titles, one line per connection. */
	buf = NULL;
	fp = open_memstream(&buf, &sz);
	CHECK(output_text(fp, &r, &v, NULL, 0) == 0);
	fclose(fp);
	CHECK(strstr(buf, "2 sockets (ipv4 1, ipv6 1): LISTEN 1 SYN_SENT 0 "
	    "SYN_RECV 0 ESTABLISHED 1 ") != NULL);
	CHECK(strchr(buf, '\n') != NULL &&
	    strstr(buf, "CLOSE 0\nFM ") != NULL);	/* one header line */
	CHECK(strstr(buf, "[::1]:40000") != NULL);
	CHECK(strstr(buf, " 0.0.0.0:* ") != NULL);	/* the listener's peer */
	CHECK(strstr(buf, "1.5ms") != NULL);	/* the RTT in its unit */
	/* The default columns' titles, in order. */
	CHECK(strstr(buf, "FM LOCAL") != NULL && strstr(buf, " REMOTE ") &&
	    strstr(buf, " STATE ") && strstr(buf, " INSTATE RECV-Q SEND-Q "
	    "   RTT RETR PROCESS\n") != NULL);
	CHECK(strchr(buf, '\x01') == NULL && strchr(buf, '\xff') == NULL);
	CHECK(strstr(buf, "ALERT") == NULL);
	free(buf);

	/* The text report honours --columns: those titles, those texts,
	 * each column as wide as its widest text, the last not padded. */
	{
		static const uint8_t cols[] = { FIELD_REMOTE, FIELD_STATE,
		    FIELD_RTT, FIELD_CC };

		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_text(fp, &r, &v, cols, sizeof cols) == 0);
		fclose(fp);
		CHECK(strstr(buf, "\nREMOTE      STATE          RTT CC\n"
		    "0.0.0.0:*   LISTEN           - -\n"
		    "[::1]:40000 ESTABLISHED  1.5ms cubic\n\n") != NULL);
		CHECK(strstr(buf, "PROCESS") == NULL);
		free(buf);
	}

	/* Alerts: always in JSON, empty when none; in text under the
	 * header line, outside bytes made safe. */
	buf = NULL;
	fp = open_memstream(&buf, &sz);
	CHECK(output_json(fp, &r, &v) == 0);
	fclose(fp);
	CHECK(strstr(buf, "\"alerts\": [], \"alerts_more\": 0, "
	    "\"alerts_outside\": 0") != NULL);
	free(buf);
	{
		struct alert al[2];

		memset(al, 0, sizeof al);
		al[0].kind = ALERT_SYN_FLOOD;
		al[0].severity = ALERT_CRIT;
		strcpy(al[0].evidence, "41 SYN_RECV on :9000, backlog 16");
		strcpy(al[0].hint, "check \"this\"");
		al[1].kind = ALERT_CLOSE_WAIT_LEAK;
		al[1].severity = ALERT_WARN;
		strcpy(al[1].evidence, "2 CLOSE_WAIT held by a\x01" "b\xff");
		strcpy(al[1].hint, "close");
		r.alerts = al;
		r.nalerts = 2;
		r.alerts_more = 3;
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_json(fp, &r, &v) == 0);
		fclose(fp);
		buf[sz - 1] = '\0';
		CHECK(json_valid_line(buf));
		CHECK(strstr(buf, "\"alerts\": [{\"kind\": \"syn_flood\", "
		    "\"severity\": \"critical\", \"evidence\": \"41 SYN_RECV "
		    "on :9000, backlog 16\", \"hint\": \"check \\\"this\\\"\"}, "
		    "{\"kind\": \"close_wait_leak\", \"severity\": "
		    "\"warning\", ") != NULL);
		CHECK(strstr(buf, "\"alerts_more\": 3") != NULL);
		free(buf);
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_text(fp, &r, &v, NULL, 0) == 0);
		fclose(fp);
		CHECK(strstr(buf, "CLOSE 0\nALERT syn_flood (critical): 41 "
		    "SYN_RECV on :9000, backlog 16\n  next: check \"this\"\n"
		    "ALERT close_wait_leak (warning): 2 CLOSE_WAIT held by "
		    "a?b?\n  next: close\nALERT +3 more\nFM ") != NULL);
		free(buf);
		/* Alerts the filters hide: counted, or null when unknown. */
		r.alerts_outside = 2;
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_json(fp, &r, &v) == 0);
		fclose(fp);
		buf[sz - 1] = '\0';
		CHECK(json_valid_line(buf));
		CHECK(strstr(buf, "\"alerts_more\": 3, \"alerts_outside\": 2")
		    != NULL);
		free(buf);
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_text(fp, &r, &v, NULL, 0) == 0);
		fclose(fp);
		CHECK(strstr(buf, "ALERT +3 more\nALERT +2 outside the filter: "
		    "tcptop without -p, --state, -f, -4, -6 shows them\nFM ") !=
		    NULL);
		free(buf);
		r.alerts_outside = -1;
		buf = NULL;
		fp = open_memstream(&buf, &sz);
		CHECK(output_json(fp, &r, &v) == 0);
		fclose(fp);
		buf[sz - 1] = '\0';
		CHECK(json_valid_line(buf));
		CHECK(strstr(buf, "\"alerts_outside\": null") != NULL);
		free(buf);
		r.alerts = NULL;
		r.nalerts = r.alerts_more = 0;
		r.alerts_outside = 0;
	}

	view_done(&v);
	conntab_free(t);
	test_json_u64();
	return check_done();
}
