/* JSON primitives: strings made valid whatever the bytes, null, numbers,
 * times, into a stream or a buffer. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/json.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

void
json_buf_free(struct json_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

int
json_buf_flush(struct json_buf *b, FILE *fp)
{
	size_t n = b->n;

	b->n = 0;
	return n > 0 && fwrite(b->p, 1, n, fp) != n ? -1 : 0;
}

void
json_buf_grow(struct json_buf *b, size_t len)
{
	size_t cap = b->cap < 4096 ? 4096 : b->cap;

	while (cap - b->n < len)
		cap *= 2;
	b->p = xreallocarray(b->p, cap, 1);
	b->cap = cap;
}

/* "00" to "99": a number is written two digits a division. */
static const char json_digits[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

void
json_put_u64(struct json_buf *b, uint64_t v)
{
	size_t n = 1;
	uint64_t t = v;
	char *d;

	while (t >= 10) {
		t /= 10;
		n++;
	}
	d = json_buf_room(b, n);
	b->n += n;
	d += n;
	while (v >= 100) {
		d -= 2;
		memcpy(d, json_digits + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		d -= 2;
		memcpy(d, json_digits + v * 2, 2);
	} else
		*--d = (char)('0' + v);
}

void
json_put_milli(struct json_buf *b, int64_t v)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char frac[4];

	if (v < 0)
		json_put_mem(b, "-", 1);
	json_put_u64(b, u / 1000);
	frac[0] = '.';
	frac[1] = (char)('0' + u / 100 % 10);
	frac[2] = (char)('0' + u / 10 % 10);
	frac[3] = (char)('0' + u % 10);
	json_put_mem(b, frac, 4);
}

void
json_put_string(struct json_buf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	json_put_mem(b, "\"", 1);
	while (i < len) {
		unsigned char ch = s[i];
		size_t n;
		char esc[8];

		/* A run of bytes that need nothing, in one copy. */
		for (n = i; n < len && s[n] >= 0x20 && s[n] < 0x7f &&
		    s[n] != '"' && s[n] != '\\'; n++)
			;
		if (n > i) {
			json_put_mem(b, str + i, n - i);
			i = n;
			continue;
		}
		if (ch < 0x80) {
			if (ch == '"' || ch == '\\') {
				esc[0] = '\\';
				esc[1] = (char)ch;
				json_put_mem(b, esc, 2);
			} else if (ch < 0x20 || ch == 0x7f) {
				snprintf(esc, sizeof esc, "\\u%04x", ch);
				json_put_mem(b, esc, 6);
			} else
				json_put_mem(b, str + i, 1);
			i++;
			continue;
		}
		/* Copy a well-formed UTF-8 sequence whole; anything else
		 * becomes U+FFFD, one byte at a time. */
		if ((n = text_utf8_len(str + i, len - i, NULL)) == 0) {
			json_put_mem(b, "\\ufffd", 6);
			i++;
			continue;
		}
		json_put_mem(b, str + i, n);
		i += n;
	}
	json_put_mem(b, "\"", 1);
}

void
json_put_nullable(struct json_buf *b, const char *s)
{
	if (s != NULL)
		json_put_string(b, s, strlen(s));
	else
		json_put(b, "null");
}

void
json_string(FILE *fp, const char *s, size_t len)
{
	struct json_buf b = { 0 };

	json_put_string(&b, s, len);
	json_buf_flush(&b, fp);
	json_buf_free(&b);
}

void
json_nullable(FILE *fp, const char *s)
{
	if (s != NULL)
		json_string(fp, s, strlen(s));
	else
		fputs("null", fp);
}

void
json_time(FILE *fp, int64_t realtime_ns)
{
	uint64_t ns = realtime_ns < 0 ? -(uint64_t)realtime_ns :
	    (uint64_t)realtime_ns;

	fprintf(fp, "%s%" PRIu64 ".%03" PRIu64, realtime_ns < 0 ? "-" : "",
	    ns / 1000000000, ns / 1000000 % 1000);
}
