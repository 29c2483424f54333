/* Units: one human scale per kind of value. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tcptop/unit.h"

/* x with at most decimals decimals, trailing zeros (and the point)
 * dropped, then suffix: 1.25ms, 2.5ms, 3ms. */
static void
unit_trim(double x, int decimals, const char *suffix, char *buf, size_t len)
{
	char num[32];
	size_t n;

	snprintf(num, sizeof num, "%.*f", decimals, x);
	n = strlen(num);
	if (strchr(num, '.') != NULL) {
		while (n > 0 && num[n - 1] == '0')
			num[--n] = '\0';
		if (n > 0 && num[n - 1] == '.')
			num[--n] = '\0';
	}
	snprintf(buf, len, "%s%s", num, suffix);
}

/* A text put together by hand: every row of a report has an age and
 * an RTT, and snprintf costs more than the rest of the cell. */
struct unit_text {
	char t[48];
	size_t n;
};

static void
unit_text_u64(struct unit_text *x, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do
		d[sizeof d - ++n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(x->t + x->n, d + sizeof d - n, n);
	x->n += n;
}

/* v (below 100) in two digits, as %02. */
static void
unit_text_02(struct unit_text *x, uint64_t v)
{
	x->t[x->n++] = (char)('0' + v / 10 % 10);
	x->t[x->n++] = (char)('0' + v % 10);
}

static void
unit_text_str(struct unit_text *x, const char *s)
{
	size_t n = strlen(s);

	memcpy(x->t + x->n, s, n);
	x->n += n;
}

/* Into buf of len bytes, cut as snprintf cuts. */
static void
unit_text_put(const struct unit_text *x, char *buf, size_t len)
{
	size_t n = x->n < len ? x->n : len - 1;

	if (len == 0)
		return;
	memcpy(buf, x->t, n);
	buf[n] = '\0';
}

void
unit_fmt_age(int64_t ms, int at_least, char *buf, size_t len)
{
	uint64_t s = ms < 0 ? 0 : (uint64_t)ms / 1000;
	struct unit_text x = { .n = 0 };

	if (s >= 86400 * 1000) {
		unit_text_str(&x, ">999d");
	} else if (s >= 86400 * 100) {
		unit_text_u64(&x, s / 86400);
		unit_text_str(&x, "d");
	} else if (s < 60) {
		unit_text_u64(&x, s);
		unit_text_str(&x, "s");
	} else if (s < 3600) {
		unit_text_u64(&x, s / 60);
		unit_text_str(&x, "m");
		unit_text_02(&x, s % 60);
		unit_text_str(&x, "s");
	} else if (s < 86400) {
		unit_text_u64(&x, s / 3600);
		unit_text_str(&x, "h");
		unit_text_02(&x, s / 60 % 60);
		unit_text_str(&x, "m");
	} else {
		unit_text_u64(&x, s / 86400);
		unit_text_str(&x, "d");
		unit_text_02(&x, s / 3600 % 24);
		unit_text_str(&x, "h");
	}
	if (at_least)
		unit_text_str(&x, "+");
	unit_text_put(&x, buf, len);
}

/* A time in microseconds: three significant digits below a minute,
 * then minutes and seconds (unit_fmt_age). */
static void
unit_fmt_time(uint64_t us, char *buf, size_t len)
{
	if (us < 1000) {
		struct unit_text x = { .n = 0 };

		unit_text_u64(&x, us);
		unit_text_str(&x, "us");
		unit_text_put(&x, buf, len);
	} else if (us < 10000)
		unit_trim(us / 1e3, 2, "ms", buf, len);
	else if (us < 100000)
		unit_trim(us / 1e3, 1, "ms", buf, len);
	else if (us < 999500)
		snprintf(buf, len, "%.0fms", us / 1e3);
	else if (us < 9995000)
		unit_trim(us / 1e6, 2, "s", buf, len);
	else if (us < 59950000)
		unit_trim(us / 1e6, 1, "s", buf, len);
	else if (us / 1000 > INT64_MAX)
		snprintf(buf, len, "inf");
	else
		unit_fmt_age((int64_t)(us / 1000), 0, buf, len);
}

/* Scale v by 1024 until it reads in at most 3 digits: 98K, 1.2M. */
static void
unit_fmt_scaled(uint64_t v, const char *suffix, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double x = (double)v;
	int u = -1;
	char s[8];

	while (x >= 999.5 && u < 5) {
		x /= 1024;
		u++;
	}
	snprintf(s, sizeof s, "%c%s", units[u], suffix);
	if (x < 9.95)
		snprintf(buf, len, "%.1f%s", x, s);
	else
		snprintf(buf, len, "%.0f%s", x, s);
}

/* v in decimal into buf: what most cells of a 100k-row report are, so
 * without printf. */
static void
unit_fmt_u64(uint64_t v, char *buf, size_t len)
{
	char d[20];
	size_t n = 0;

	do
		d[sizeof d - ++n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (n >= len)
		n = len - 1;
	memcpy(buf, d + sizeof d - n, n);
	buf[n] = '\0';
}

void
unit_fmt(int u, uint64_t v, char *buf, size_t len)
{
	if (len == 0)
		return;
	switch (u) {
	case UNIT_COUNT:
	case UNIT_BYTES:
	case UNIT_SEGMENTS:
	case UNIT_PACKETS:
		if (v < 100000)
			unit_fmt_u64(v, buf, len);
		else
			unit_fmt_scaled(v, "", buf, len);
		break;
	case UNIT_US:
		unit_fmt_time(v, buf, len);
		break;
	case UNIT_MS:
		unit_fmt_time(v > UINT64_MAX / 1000 ? UINT64_MAX : v * 1000,
		    buf, len);
		break;
	case UNIT_RATE:
		if (v < 1000)
			snprintf(buf, len, "%" PRIu64 "B/s", v);
		else
			unit_fmt_scaled(v, "/s", buf, len);
		break;
	case UNIT_PERMILLE:
		if (v < 100)
			snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%%",
			    v / 10, v % 10);
		else if (v >= 9995)
			snprintf(buf, len, ">999%%");
		else
			snprintf(buf, len, "%" PRIu64 "%%", (v + 5) / 10);
		break;
	default:
		unit_fmt_u64(v, buf, len);
		break;
	}
}

const char *
unit_word(int u)
{
	switch (u) {
	case UNIT_BYTES:
		return "bytes";
	case UNIT_SEGMENTS:
		return "segments";
	case UNIT_PACKETS:
		return "packets";
	}
	return "";
}
