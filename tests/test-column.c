/* The column table: names, layout within a width, eliding endpoints. */
#include <string.h>

#include "check.h"
#include "tcptop/column.h"
#include "tcptop/sort.h"

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
	for (i = 0; i < column_ndefault; i++)
		CHECK(widths[i] > 0);
	/* At 39 cells the extras go; the state and both endpoints stay. */
	used = column_layout(column_default, column_ndefault, 39, widths);
	CHECK(used <= 39 && widths[8] == 0 && widths[0] == 0);
	CHECK(widths[1] >= 13 && widths[2] >= 13 && widths[3] == 11);

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
	return check_done();
}
