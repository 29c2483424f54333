/* json: the pieces every JSON writer is made of: strings from outside
 * made valid, null, numbers, times; written to a stream, or appended to
 * a buffer that is written out whole (the connections of a 100k-socket
 * report: printf per member would cost more than the dump). */
#ifndef TCPTOP_JSON_H
#define TCPTOP_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Write s (len bytes, any content) as a JSON string with quotes: control
 * bytes escaped, invalid UTF-8 replaced by U+FFFD. */
void json_string(FILE *fp, const char *s, size_t len);

/* The NUL-terminated s as a JSON string, or null for NULL. */
void json_nullable(FILE *fp, const char *s);

/* Seconds with milliseconds.  Any time a recording claims, even a
 * negative one, must still print as one JSON number. */
void json_time(FILE *fp, int64_t realtime_ns);

/* A buffer JSON text is appended to; zeroed is empty.  It grows as
 * needed (xmalloc: never fails) and keeps its memory across resets. */
struct json_buf {
	char *p;
	size_t n;		/* bytes in it */
	size_t cap;
};

void json_buf_free(struct json_buf *b);

/* Write b's bytes to fp and empty it.  Returns 0, or -1 when fwrite
 * failed (errno set). */
int json_buf_flush(struct json_buf *b, FILE *fp);

/* Grow b to hold len more bytes: the rare path, out of line. */
void json_buf_grow(struct json_buf *b, size_t len);

/* Room for len more bytes.  A report appends millions of small pieces:
 * this stays a compare and an add, inline with the constant sizes of
 * its callers. */
static inline char *
json_buf_room(struct json_buf *b, size_t len)
{
	if (b->cap - b->n < len)
		json_buf_grow(b, len);
	return b->p + b->n;
}

/* Append the len bytes of s as they are. */
static inline void
json_put_mem(struct json_buf *b, const char *s, size_t len)
{
	if (len == 0)	/* b->p may still be NULL, and memcpy(NULL, s, 0)
			 * is undefined */
		return;
	memcpy(json_buf_room(b, len), s, len);
	b->n += len;
}

/* Append s as it is (JSON punctuation, a known-safe token). */
static inline void
json_put(struct json_buf *b, const char *s)
{
	json_put_mem(b, s, strlen(s));
}

/* Append sep (ns bytes), then "key": (key nk bytes), in one
 * reservation. */
static inline void
json_put_keyn(struct json_buf *b, const char *sep, size_t ns,
    const char *key, size_t nk)
{
	char *d = json_buf_room(b, ns + nk + 4);

	memcpy(d, sep, ns);
	d[ns] = '"';
	memcpy(d + ns + 1, key, nk);
	memcpy(d + ns + 1 + nk, "\": ", 3);
	b->n += ns + nk + 4;
}

/* Append sep, then "key": .  A report writes this once per member of
 * every connection; inline, a literal's length and copy are known when
 * compiling. */
static inline void
json_put_key(struct json_buf *b, const char *sep, const char *key)
{
	json_put_keyn(b, sep, strlen(sep), key, strlen(key));
}

void json_put_u64(struct json_buf *b, uint64_t v);

/* v / 1000 with three decimals, exactly: 1500 is 1.500, -5 is -0.005. */
void json_put_milli(struct json_buf *b, int64_t v);

/* s (len bytes, any content) as json_string writes it. */
void json_put_string(struct json_buf *b, const char *s, size_t len);

/* The NUL-terminated s as a string, or null for NULL. */
void json_put_nullable(struct json_buf *b, const char *s);

#endif
