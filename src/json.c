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

/* Grow b to hold len more bytes: the rare path, out of line. */
static void
json_buf_grow(struct json_buf *b, size_t len)
{
	size_t cap = b->cap < 4096 ? 4096 : b->cap;

	while (cap - b->n < len)
		cap *= 2;
	b->p = xreallocarray(b->p, cap, 1);
	b->cap = cap;
}

/* Room for len more bytes.  A report appends millions of small pieces:
 * this stays a compare and an add. */
static inline char *
json_buf_room(struct json_buf *b, size_t len)
{
	if (b->cap - b->n < len)
		json_buf_grow(b, len);
	return b->p + b->n;
}

static inline void
json_put_mem(struct json_buf *b, const char *s, size_t len)
{
	if (len == 0)	/* b->p may still be NULL, and memcpy(NULL, s, 0) is undefined */
		return;
	memcpy(json_buf_room(b, len), s, len);
	b->n += len;
}

void
json_put(struct json_buf *b, const char *s)
{
	json_put_mem(b, s, strlen(s));
}

/* One reservation for the four pieces: a report writes this once per
 * member of every connection. */
void
json_put_key(struct json_buf *b, const char *sep, const char *key)
{
	size_t ns = strlen(sep), nk = strlen(key);
	char *d = json_buf_room(b, ns + nk + 4);

	memcpy(d, sep, ns);
	d[ns] = '"';
	memcpy(d + ns + 1, key, nk);
	memcpy(d + ns + 1 + nk, "\": ", 3);
	b->n += ns + nk + 4;
}

void
json_put_u64(struct json_buf *b, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do
		d[sizeof d - ++n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	json_put_mem(b, d + sizeof d - n, n);
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
