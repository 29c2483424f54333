/* Which bytes of outside strings are text, for the terminal and JSON. */
#include <string.h>

#include "tcptop/text.h"

/* Per lead byte: how many continuation bytes follow, and the smallest
 * code point that needs that many (anything below is overlong). */
static const struct {
	unsigned char lo, hi, mask;
	size_t need;
	uint32_t min;
} text_leads[] = {
	{ 0xc2, 0xdf, 0x1f, 1, 0x80 },
	{ 0xe0, 0xef, 0x0f, 2, 0x800 },
	{ 0xf0, 0xf4, 0x07, 3, 0x10000 },
};

size_t
text_utf8_len(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, k;
	uint32_t c;

	if (len == 0)
		return 0;
	for (i = 0; i < sizeof text_leads / sizeof text_leads[0]; i++)
		if (s[0] >= text_leads[i].lo && s[0] <= text_leads[i].hi)
			break;
	if (i == sizeof text_leads / sizeof text_leads[0] ||
	    text_leads[i].need >= len)
		return 0;
	c = s[0] & text_leads[i].mask;
	for (k = 1; k <= text_leads[i].need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < text_leads[i].min || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp != NULL)
		*cp = c;
	return text_leads[i].need + 1;
}

/* Whether the ASCII byte ch is kept under flags. */
static int
text_ascii_ok(unsigned char ch, int flags)
{
	if (ch == ' ')
		return !(flags & TEXT_NOSPACE);
	return ch > 0x20 && ch < 0x7f;
}

/* Whether the code point cp (U+00A0 up) reorders or breaks the text
 * around it: the bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE
 * shows "exe.txt" for "txt.exe") and the line and paragraph
 * separators. */
static int
text_format_cp(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Eight bytes at a time: a report cleans every endpoint of every row,
 * and nearly all of it is plain ASCII. */
#define TEXT_ONES	0x0101010101010101ULL
#define TEXT_HIGHS	0x8080808080808080ULL

/* Whether all 8 bytes of w are ASCII and none is below lo (lo at most
 * 0x80): a NUL, a control, a space where lo is 0x21. */
static int
text_word_plain(uint64_t w, unsigned lo)
{
	return ((w - TEXT_ONES * lo) & ~w & TEXT_HIGHS) == 0 &&
	    ((w | (w + TEXT_ONES)) & TEXT_HIGHS) == 0;
}

size_t
text_clean(char *dst, size_t size, const char *src, size_t len, int flags)
{
	size_t i = 0, o = 0, n;
	uint32_t cp = 0;
	unsigned lo = flags & TEXT_NOSPACE ? 0x21 : 0x20;

	if (size == 0)
		return 0;
	/* A NUL ends src before len: no word is read past it. */
	len = strnlen(src, len);
	while (i < len && o + 1 < size) {
		unsigned char ch = (unsigned char)src[i];
		uint64_t w;

		/* Whole words of printable ASCII (DEL stops it: 0x7f + 1
		 * has the high bit) are copied as they are. */
		if (len - i >= 8 && size - o > 8) {
			memcpy(&w, src + i, 8);
			if (text_word_plain(w, lo)) {
				memcpy(dst + o, &w, 8);
				o += 8;
				i += 8;
				continue;
			}
		}

		if (ch < 0x80) {
			dst[o++] = text_ascii_ok(ch, flags) ? (char)ch : '?';
			i++;
			continue;
		}
		n = flags & TEXT_ASCII ? 0 : text_utf8_len(src + i, len - i,
		    &cp);
		/* C1 controls (U+0080-U+009F) are escapes too. */
		if (n == 0 || cp < 0xa0 || text_format_cp(cp)) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + n >= size) {
			dst[o++] = '?';
			break;
		}
		memmove(dst + o, src + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
	return o;
}

size_t
text_cells(const char *s, size_t n)
{
	size_t i = 0, cells = 0;
	uint64_t w;

	/* Whole words of ASCII are a cell a byte; the NUL ends s first, so
	 * that no word is read past it. */
	n = strnlen(s, n);
	while (n - i >= 8) {
		memcpy(&w, s + i, 8);
		if (!text_word_plain(w, 1))
			break;
		cells += 8;
		i += 8;
	}
	for (; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cells++;
	return cells;
}

size_t
text_width(const char *s)
{
	return text_cells(s, (size_t)-1);
}

size_t
text_arg(char *dst, size_t size, const char *arg)
{
	size_t o, len = strlen(arg), i, cells = 0;
	int cut;

	if (size < 4) {
		if (size > 0)
			dst[0] = '\0';
		return 0;
	}
	/* Cleaning keeps the length (a byte for each byte it refuses), so a
	 * shorter result was cut by the buffer. */
	o = text_clean(dst, size - 3, arg, len, 0);
	cut = o < len;
	for (i = 0; i < o; i++)
		if (((unsigned char)dst[i] & 0xc0) != 0x80 &&
		    ++cells > TEXT_ARG_MAX) {
			o = i;
			cut = 1;
			break;
		}
	if (cut) {
		memcpy(dst + o, "...", 4);
		o += 3;
	}
	return o;
}
