/* text: outside strings (process and user names, paths, host names,
 * file contents) made safe to draw on a terminal or to write into JSON.
 * One place decides what counts as text, so an escape sequence that one
 * caller stops cannot slip through another. */
#ifndef TCPTOP_TEXT_H
#define TCPTOP_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* How strict text_clean is. */
#define TEXT_ASCII	0x1	/* printable ASCII only: no UTF-8 kept */
#define TEXT_NOSPACE	0x2	/* a space becomes '?' too: one word */

/* The length (2 to 4) of the well-formed UTF-8 sequence that starts at
 * s, of at most len bytes, with its code point in *cp (cp may be NULL);
 * 0 when the bytes there are not one: ASCII, a stray continuation byte,
 * an overlong form, a surrogate, a code point past U+10FFFF, or a
 * sequence cut short by len.  Pure. */
size_t text_utf8_len(const char *s, size_t len, uint32_t *cp);

/* Copy src (len bytes; a NUL ends it sooner) into dst (size bytes,
 * always NUL-terminated when size > 0).  Printable ASCII and well-formed
 * UTF-8 of code points from U+00A0 up are kept; every other byte (C0
 * and C1 controls, DEL, so any escape sequence, each byte of an
 * invalid, overlong or surrogate sequence, and each byte of a
 * bidirectional control such as U+202E RIGHT-TO-LEFT OVERRIDE or of a
 * line or paragraph separator, U+2028 and U+2029) becomes '?'.  A character
 * that does not fit whole ends the copy with one '?', never half of it.
 * flags narrow what is kept (TEXT_ASCII, TEXT_NOSPACE).  dst may be src:
 * the copy never grows.  Returns the length written. */
size_t text_clean(char *dst, size_t size, const char *src, size_t len,
    int flags);

/* A value from outside (a command-line argument, a path) quoted in an
 * error message: text_clean'd (so no escape sequence, control or
 * bidirectional override reaches the terminal, and it stays one line)
 * and cut to TEXT_ARG_MAX characters with "..." after.  dst of
 * TEXT_ARG_SIZE bytes always holds it whole.  Returns its length. */
#define TEXT_ARG_MAX	64
#define TEXT_ARG_SIZE	(TEXT_ARG_MAX * 4 + 4)
size_t text_arg(char *dst, size_t size, const char *arg);

/* The cells the first n bytes of s (a NUL ends it sooner) take: s is
 * text_clean's output, whose characters are each one cell, so each byte
 * that does not continue a UTF-8 sequence is a cell. */
size_t text_cells(const char *s, size_t n);

/* The same for the whole NUL-terminated s. */
size_t text_width(const char *s);

#endif
