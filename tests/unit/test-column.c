/* The list's columns: names, layout within a width, eliding endpoints.
 * The fields' own formats are test-field's. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tcptop/column.h"

int
main(void)
{
	uint8_t ids[FIELD_N];
	int widths[FIELD_N];
	size_t n = 0, i;
	char err[128], buf[128];
	int used, w;

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
	CHECK_EQ(column_default[column_ndefault - 1], FIELD_PROCESS);
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
	ids[column_ndefault] = FIELD_CWND;
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

	return check_done();
}
