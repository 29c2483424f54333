/* The list's columns: names, layout within a width, eliding endpoints.
 * The fields' own formats are test-field's. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tcptop/column.h"

/* What rows with endpoints of local and remote cells and a process
 * name of proc cells need of the columns ids; both families when
 * two. */
static void
fit_need(struct column_need *cn, const uint8_t *ids, size_t n, int local,
    int remote, int proc, int two)
{
	size_t i;

	memset(cn, 0, sizeof *cn);
	for (i = 0; i < n; i++) {
		const struct field *f = &field_table[ids[i]];
		int w = f->width;

		if (ids[i] == FIELD_LOCAL)
			w = local;
		else if (ids[i] == FIELD_REMOTE)
			w = remote;
		else if (ids[i] == FIELD_PROCESS)
			w = proc;
		else if (ids[i] == FIELD_FAMILY && !two)
			w = 0;
		cn->need[i] = cn->least[i] = w;
	}
}

int
main(void)
{
	uint8_t ids[FIELD_N];
	int widths[FIELD_N];
	size_t n = 0, i;
	char err[128], buf[128];
	int used, w, more;
	struct column_need cn;
	struct column_hold hold;

	/* Names round trip; bad lists leave ids alone. */
	CHECK_EQ(column_parse_list("local, remote,STATE", ids, &n, FIELD_N,
	    err, sizeof err), 0);
	CHECK(n == 3 && ids[0] == FIELD_LOCAL && ids[2] == FIELD_STATE);
	column_fmt_list(ids, n, buf, sizeof buf);
	CHECK(strcmp(buf, "local,remote,state") == 0);
	CHECK_EQ(column_parse_list("local,bogus", ids, &n, FIELD_N, err,
	    sizeof err), -1);
	CHECK(strstr(err, "bogus") != NULL && n == 3);
	CHECK_EQ(column_parse_list("local,local", ids, &n, FIELD_N, err,
	    sizeof err), -1);
	CHECK_EQ(column_parse_list("", ids, &n, FIELD_N, err, sizeof err),
	    -1);
	CHECK_EQ(column_parse_list("local,,state", ids, &n, FIELD_N, err,
	    sizeof err), -1);
	/* Columns are the fields with a title: found by name, the others
	 * not; none is narrower than its title. */
	for (i = 0; i < FIELD_N; i++) {
		CHECK(field_table[i].maxwidth >= field_table[i].width);
		CHECK_EQ(column_lookup(field_table[i].name),
		    field_is_column((int)i) ? (int)i : -1);
		if (field_is_column((int)i))
			CHECK(strlen(field_table[i].title) <=
			    field_table[i].maxwidth);
	}
	CHECK_EQ(column_lookup("lport"), -1);
	CHECK_EQ(column_parse_list("local,lport", ids, &n, FIELD_N, err,
	    sizeof err), -1);
	CHECK(strstr(err, "lport") != NULL);

	/* Rows of IPv4 endpoints, one family, a process: at 80 cells (79
	 * and the mark gutter) both endpoints whole, the family left out,
	 * the process in; what does not fit says so. */
	CHECK_EQ(column_default[0], FIELD_FAMILY);
	CHECK_EQ(column_default[column_ndefault - 1], FIELD_PROCESS);
	fit_need(&cn, column_default, column_ndefault, 14, 15, 9, 0);
	more = column_fit(column_default, column_ndefault, &cn, 0, 79,
	    widths, &used);
	CHECK(used <= 79);
	CHECK(widths[0] == 0 && widths[1] == 14 && widths[2] == 15);
	CHECK_EQ(widths[column_ndefault - 1], 9);
	CHECK_EQ(more, COLUMN_MORE_RIGHT);
	/* Two families: the family column is there (where it fits). */
	fit_need(&cn, column_default, column_ndefault, 14, 15, 9, 1);
	more = column_fit(column_default, column_ndefault, &cn, 0, 120,
	    widths, &used);
	CHECK(widths[0] == 2 && more == 0 && used <= 120);
	/* The longest IPv4 endpoints are never cut at 80: the extras go. */
	fit_need(&cn, column_default, column_ndefault, 21, 21, 9, 0);
	more = column_fit(column_default, column_ndefault, &cn, 0, 79,
	    widths, &used);
	CHECK(used <= 79 && widths[1] == 21 && widths[2] == 21 &&
	    widths[3] == 11 && (more & COLUMN_MORE_RIGHT));
	/* At 39 cells the state and both endpoints stay, cut. */
	fit_need(&cn, column_default, column_ndefault, 14, 15, 9, 0);
	more = column_fit(column_default, column_ndefault, &cn, 0, 39,
	    widths, &used);
	CHECK(used <= 39 && widths[3] == 11 && widths[1] >= 13 &&
	    widths[2] >= 13 && widths[4] == 0 && more == COLUMN_MORE_RIGHT);
	/* At 38 (40 less the gutter and the ">" cell) the endpoints go
	 * below their field width, the state stays whole. */
	more = column_fit(column_default, column_ndefault, &cn, 0, 38,
	    widths, &used);
	CHECK(used <= 38 && widths[3] == 11 && widths[1] >= 10 &&
	    widths[2] >= 10);
	/* IPv6 cut to its least, then grown with the room left. */
	fit_need(&cn, column_default, column_ndefault, 14, 40, 9, 0);
	cn.least[2] = COLUMN_V6_LEAST;
	more = column_fit(column_default, column_ndefault, &cn, 0, 79,
	    widths, &used);
	CHECK(widths[2] >= COLUMN_V6_LEAST && widths[2] < 40 && used == 79);
	/* Every width, every scroll: never past the width with default
	 * columns only (from 40, where the core fits); scrolled columns
	 * are off, and said to be unless only the family, left out, is. */
	for (w = 1; w <= 200; w++)
		for (i = 0; i < column_ndefault; i++) {
			size_t j;

			more = column_fit(column_default, column_ndefault, &cn,
			    i, w, widths, &used);
			CHECK(w < 40 || used <= w);
			for (j = 0; j < i; j++)
				CHECK_EQ(widths[j], 0);
			CHECK(i <= 1 || (more & COLUMN_MORE_LEFT));
		}
	/* A column asked for stays, past the edge: scrolling reaches it. */
	memcpy(ids, column_default, column_ndefault);
	ids[column_ndefault] = FIELD_CWND;
	ids[column_ndefault + 1] = FIELD_CC;
	CHECK(!column_is_default(FIELD_CWND) && column_is_default(FIELD_RTT));
	fit_need(&cn, ids, column_ndefault + 2, 21, 21, 9, 0);
	more = column_fit(ids, column_ndefault + 2, &cn, 0, 79, widths,
	    &used);
	CHECK(widths[column_ndefault] == 5 && widths[column_ndefault + 1] > 0);
	CHECK(used > 79 && (more & COLUMN_MORE_RIGHT));
	more = column_fit(ids, column_ndefault + 2, &cn, 3, 79, widths,
	    &used);
	CHECK(widths[1] == 0 && widths[2] == 0 && widths[3] == 11);
	CHECK(more & COLUMN_MORE_LEFT);

	/* Hysteresis: wider at once, narrower only after the hold. */
	memset(&hold, 0, sizeof hold);
	fit_need(&cn, column_default, column_ndefault, 14, 15, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn, 1000);
	CHECK_EQ(cn.need[2], 15);
	fit_need(&cn, column_default, column_ndefault, 14, 21, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn, 1100);
	CHECK_EQ(cn.need[2], 21);
	fit_need(&cn, column_default, column_ndefault, 14, 13, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn, 1200);
	CHECK_EQ(cn.need[2], 21);
	fit_need(&cn, column_default, column_ndefault, 14, 16, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn,
	    1200 + COLUMN_HOLD_MS - 1);
	CHECK_EQ(cn.need[2], 21);
	fit_need(&cn, column_default, column_ndefault, 14, 13, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn,
	    1200 + COLUMN_HOLD_MS);
	CHECK_EQ(cn.need[2], 16);	/* the largest need while it fell */
	/* The family column comes at once and goes after the hold. */
	fit_need(&cn, column_default, column_ndefault, 14, 13, 9, 1);
	column_hold(&hold, column_default, column_ndefault, 79, &cn, 9000);
	CHECK_EQ(cn.need[0], 2);
	fit_need(&cn, column_default, column_ndefault, 14, 13, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn, 9001);
	CHECK_EQ(cn.need[0], 2);
	fit_need(&cn, column_default, column_ndefault, 14, 13, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn,
	    9001 + COLUMN_HOLD_MS);
	CHECK_EQ(cn.need[0], 0);
	/* Another width starts afresh. */
	fit_need(&cn, column_default, column_ndefault, 14, 30, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 79, &cn, 20000);
	fit_need(&cn, column_default, column_ndefault, 14, 13, 9, 0);
	column_hold(&hold, column_default, column_ndefault, 100, &cn, 20001);
	CHECK_EQ(cn.need[2], 13);

	/* An endpoint cut keeps its tail: what tells hosts apart. */
	strcpy(buf, "[2001:db8:85a3::8a2e:370:7334]:443");
	column_elide_tail(buf, sizeof buf, COLUMN_V6_LEAST, "~");
	CHECK(strcmp(buf, "~:8a2e:370:7334]:443") == 0);
	strcpy(buf, "[fe80::1c2d:3eff:fe4f:5a6b]%eth0:22");
	column_elide_tail(buf, sizeof buf, COLUMN_V6_LEAST, "~");
	CHECK(strcmp(buf, "~3eff:fe4f:5a6b]%eth0:22") == 0);
	strcpy(buf, "10.77.0.1:9001");
	column_elide_tail(buf, sizeof buf, 13, "~");
	CHECK(strcmp(buf, "~77.0.1:9001") == 0);
	strcpy(buf, "10.77.0.1:9001");
	column_elide_tail(buf, sizeof buf, 14, "~");
	CHECK(strcmp(buf, "10.77.0.1:9001") == 0);
	strcpy(buf, "[fd00::1]:65535");
	column_elide_tail(buf, sizeof buf, 5, "~");
	CHECK(strlen(buf) <= 5);
	column_elide_tail(buf, sizeof buf, 0, "~");
	CHECK(buf[0] == '\0');

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

	return check_done();
}
