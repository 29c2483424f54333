/* The column table: names, layout within a width, eliding endpoints. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tcptop/column.h"
#include "tcptop/sort.h"

/* Format column id of c into a buffer of len bytes. */
static const char *
fmt(int id, const struct conn *c, size_t len)
{
	static char buf[128];
	static const struct column_ctx cx;

	memset(buf, 'x', sizeof buf);
	column_fmt(id, c, &cx, buf, len);
	return buf;
}

/* The tcp_info columns, the timer, shutdown, cc and the accept queue:
 * without tcp_info, at zero, at the largest values, in narrow buffers. */
static void
test_tcp_columns(void)
{
	static const int ids[] = { COL_RTTVAR, COL_CWND, COL_SSTHRESH,
	    COL_LOST, COL_ACKED, COL_RECEIVED, COL_DELIVERY, COL_TX, COL_RX,
	    COL_SNDWND, COL_RCVSPACE, COL_ACCEPTQ, COL_SHUTDOWN, COL_CC };
	struct conn c;
	size_t i, len;
	const char *p;
	double pct;

	memset(&c, 0, sizeof c);
	c.s.state = TCP_ESTABLISHED;
	/* No tcp_info, no shutdown attribute, no rate: "-" everywhere. */
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++)
		CHECK(strcmp(fmt(ids[i], &c, 64), "-") == 0);
	CHECK(column_shutdown(&c) == NULL);
	CHECK(strcmp(fmt(COL_TIMER, &c, 64), "") == 0);

	/* Zero tcp_info: zeros. */
	c.s.flags = CONN_HAS_INFO | CONN_HAS_SHUTDOWN;
	CHECK(strcmp(fmt(COL_CWND, &c, 64), "0") == 0);
	CHECK(strcmp(fmt(COL_RTTVAR, &c, 64), "0.00") == 0);
	CHECK(strcmp(fmt(COL_SSTHRESH, &c, 64), "0") == 0);
	CHECK(strcmp(fmt(COL_ACKED, &c, 64), "0") == 0);
	CHECK(strcmp(fmt(COL_TX, &c, 64), "-") == 0);
	CHECK(strcmp(fmt(COL_SHUTDOWN, &c, 64), "<->") == 0);

	/* Ordinary values. */
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
	c.tx_rate = 2048000;
	c.rx_rate = 0;
	CHECK(strcmp(fmt(COL_RTTVAR, &c, 64), "1.25") == 0);
	CHECK(strcmp(fmt(COL_CWND, &c, 64), "10") == 0);
	CHECK(strcmp(fmt(COL_SSTHRESH, &c, 64), "inf") == 0);
	CHECK(strcmp(fmt(COL_LOST, &c, 64), "3") == 0);
	CHECK(strcmp(fmt(COL_ACKED, &c, 64), "99999") == 0);
	CHECK(strcmp(fmt(COL_RECEIVED, &c, 64), "98K") == 0);
	CHECK(strcmp(fmt(COL_DELIVERY, &c, 64), "5.0M") == 0);
	CHECK(strcmp(fmt(COL_TX, &c, 64), "2.0M") == 0);
	CHECK(strcmp(fmt(COL_RX, &c, 64), "0") == 0);
	CHECK(strcmp(fmt(COL_SNDWND, &c, 64), "65535") == 0);
	CHECK(strcmp(fmt(COL_RCVSPACE, &c, 64), "14600") == 0);
	CHECK(strcmp(fmt(COL_ACCEPTQ, &c, 64), "-") == 0);	/* not LISTEN */
	CHECK(column_accept_fill(&c, &pct) == -1);

	/* Shutdown as ss -e shows it. */
	c.s.shutdown = 1;
	CHECK(strcmp(fmt(COL_SHUTDOWN, &c, 64), "-->") == 0);
	c.s.shutdown = 2;
	CHECK(strcmp(fmt(COL_SHUTDOWN, &c, 64), "<--") == 0);
	c.s.shutdown = 3;
	CHECK(strcmp(fmt(COL_SHUTDOWN, &c, 64), "---") == 0);

	/* The congestion control name. */
	c.s.cc = conn_cc_intern("cubic", 5);
	CHECK(strcmp(fmt(COL_CC, &c, 64), "cubic") == 0);

	/* Timers with their expiry. */
	c.s.timer = 1;
	c.s.expires_ms = 200;
	CHECK(strcmp(fmt(COL_TIMER, &c, 64), "on 200ms") == 0);
	c.s.timer = 2;
	c.s.expires_ms = 71000;
	CHECK(strcmp(fmt(COL_TIMER, &c, 64), "keepalive 1m11s") == 0);
	c.s.timer = 3;
	c.s.expires_ms = 58999;
	CHECK(strcmp(fmt(COL_TIMER, &c, 64), "timewait 58s") == 0);
	c.s.timer = 4;
	c.s.expires_ms = 3000;
	CHECK(strcmp(fmt(COL_TIMER, &c, 64), "persist 3s") == 0);
	c.s.timer = 9;
	CHECK(strncmp(fmt(COL_TIMER, &c, 64), "? ", 2) == 0);

	/* The accept queue of a listener: Recv-Q of Send-Q. */
	c.s.state = TCP_LISTEN;
	c.s.rqueue = 3;
	c.s.wqueue = 5;
	CHECK(strcmp(fmt(COL_ACCEPTQ, &c, 64), "60%") == 0);
	CHECK(column_accept_fill(&c, &pct) == 0 && pct == 60.0);
	c.s.rqueue = 1;
	c.s.wqueue = 128;
	CHECK(strcmp(fmt(COL_ACCEPTQ, &c, 64), "0.8%") == 0);
	c.s.rqueue = 4097;	/* overfull: the kernel lets it pass by one */
	c.s.wqueue = 4096;
	CHECK(strcmp(fmt(COL_ACCEPTQ, &c, 64), "100%") == 0);
	c.s.wqueue = 0;
	CHECK(strcmp(fmt(COL_ACCEPTQ, &c, 64), "-") == 0);
	c.s.rqueue = UINT32_MAX;
	c.s.wqueue = 1;
	CHECK(strlen(fmt(COL_ACCEPTQ, &c, 64)) > 0);

	/* The largest values fit their column. */
	c.s.info.rttvar_us = UINT32_MAX;
	c.s.info.snd_cwnd = UINT32_MAX;
	c.s.info.snd_ssthresh = 0xfffe;
	c.s.info.lost = UINT32_MAX;
	c.s.info.bytes_acked = UINT64_MAX;
	c.s.info.bytes_received = UINT64_MAX;
	c.s.info.delivery_rate = UINT64_MAX;
	c.s.info.snd_wnd = UINT32_MAX;
	c.s.info.rcv_space = UINT32_MAX;
	c.tx_rate = c.rx_rate = UINT64_MAX;
	c.s.timer = 2;
	c.s.expires_ms = UINT32_MAX;
	c.s.cc = conn_cc_intern("a-very-long-congestion-name", 27);
	for (i = 0; i < COL_NCOLS; i++) {
		if (i == COL_LOCAL || i == COL_REMOTE || i == COL_COOKIE ||
		    i == COL_INODE || i == COL_UID || i == COL_RECVQ ||
		    i == COL_SENDQ)
			continue;	/* their own widths, not this test's */
		p = fmt((int)i, &c, 64);
		if (!CHECK(strlen(p) <= column_table[i].maxwidth))
			fprintf(stderr, "column %s: \"%s\" is %zu wide\n",
			    column_table[i].name, p, strlen(p));
	}
	CHECK(strcmp(fmt(COL_SSTHRESH, &c, 64), "65534") == 0);
	CHECK(strcmp(fmt(COL_ACKED, &c, 64), "16E") == 0);

	/* Narrow buffers: always terminated, never overrun. */
	for (len = 1; len < 8; len++)
		for (i = 0; i < COL_NCOLS; i++) {
			p = fmt((int)i, &c, len);
			CHECK(strlen(p) < len && p[len] == 'x');
		}
}

int
main(void)
{
	uint8_t ids[COL_NCOLS];
	int widths[COL_NCOLS];
	size_t n = 0, i;
	char err[128], buf[128];
	int used, w;

	/* Names round trip; bad lists leave ids alone. */
	CHECK_EQ(column_parse_list("local, remote,STATE", ids, &n, COL_NCOLS,
	    err, sizeof err), 0);
	CHECK(n == 3 && ids[0] == COL_LOCAL && ids[2] == COL_STATE);
	column_fmt_list(ids, n, buf, sizeof buf);
	CHECK(strcmp(buf, "local,remote,state") == 0);
	CHECK_EQ(column_parse_list("local,bogus", ids, &n, COL_NCOLS, err,
	    sizeof err), -1);
	CHECK(strstr(err, "bogus") != NULL && n == 3);
	CHECK_EQ(column_parse_list("local,local", ids, &n, COL_NCOLS, err,
	    sizeof err), -1);
	CHECK_EQ(column_parse_list("", ids, &n, COL_NCOLS, err, sizeof err),
	    -1);
	CHECK_EQ(column_parse_list("local,,state", ids, &n, COL_NCOLS, err,
	    sizeof err), -1);
	/* Every column sorts by a real key or by none. */
	for (i = 0; i < COL_NCOLS; i++) {
		CHECK(column_table[i].sort < SORT_NKEYS);
		CHECK(column_table[i].maxwidth >= column_table[i].width);
		CHECK_EQ(column_lookup(column_table[i].name), (int)i);
	}

	/* The default columns fill 80 cells (with the 1-cell mark gutter)
	 * and never overflow any width; the addresses grow first. */
	for (w = 1; w <= 200; w++) {
		used = column_layout(column_default, column_ndefault, w,
		    widths);
		CHECK(used <= w);
	}
	used = column_layout(column_default, column_ndefault, 79, widths);
	CHECK_EQ(used, 79);
	CHECK(widths[1] >= 14 && widths[2] >= 14 && widths[0] == 2);
	/* All but the process, which needs a wider terminal. */
	CHECK_EQ(column_default[column_ndefault - 1], COL_PROCESS);
	for (i = 0; i + 1 < column_ndefault; i++)
		CHECK(widths[i] > 0);
	CHECK_EQ(widths[column_ndefault - 1], 0);
	used = column_layout(column_default, column_ndefault, 100, widths);
	for (i = 0; i < column_ndefault; i++)
		CHECK(widths[i] > 0);
	/* At 39 cells the extras go; the state and both endpoints stay. */
	used = column_layout(column_default, column_ndefault, 39, widths);
	CHECK(used <= 39 && widths[8] == 0 && widths[0] == 0);
	CHECK(widths[1] >= 13 && widths[2] >= 13 && widths[3] == 11);

	/* A column added to the default set at 80 cells shows: the family
	 * makes room, the endpoints keep their least width. */
	memcpy(ids, column_default, column_ndefault);
	ids[column_ndefault] = COL_CWND;
	used = column_layout(ids, column_ndefault + 1, 79, widths);
	CHECK(used <= 79 && widths[column_ndefault] == 5 && widths[0] == 0);
	CHECK(widths[1] >= 13 && widths[2] >= 13 && widths[8] == 4);

	/* Eliding keeps the port and the start of the address. */
	strcpy(buf, "192.168.100.200:65535");
	column_elide(buf, sizeof buf, 15, "~");
	CHECK(strcmp(buf, "192.168.~:65535") == 0);
	strcpy(buf, "10.0.0.1:80");
	column_elide(buf, sizeof buf, 15, "~");
	CHECK(strcmp(buf, "10.0.0.1:80") == 0);
	strcpy(buf, "[fd00:77::1]:9001");
	column_elide(buf, sizeof buf, 13, "~");
	CHECK(strcmp(buf, "[fd00:7~]:9001") == 0 || strcmp(buf,
	    "[fd00:~]:9001") == 0);
	CHECK(strlen(buf) == 13);
	strcpy(buf, "[fd00::1]:65535");
	column_elide(buf, sizeof buf, 5, "~");
	CHECK(strlen(buf) <= 5);
	column_elide(buf, sizeof buf, 0, "~");
	CHECK(buf[0] == '\0');

	column_fmt_age(59999, 0, buf, sizeof buf);
	CHECK(strcmp(buf, "59s") == 0);
	column_fmt_age(3600 * 1000 + 61000, 1, buf, sizeof buf);
	CHECK(strcmp(buf, "1h01m+") == 0);
	test_tcp_columns();
	return check_done();
}
