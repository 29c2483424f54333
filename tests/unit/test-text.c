/* What text_clean keeps of outside strings and what becomes '?':
 * escape sequences, C0 and C1 controls, invalid, overlong and surrogate
 * UTF-8, and a character cut by the end of the buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tcptop/text.h"

static const struct {
	const char *in;
	int flags;
	const char *out;
} text_cases[] = {
	{ "nginx: worker", 0, "nginx: worker" },
	{ "a\033[2Jb", 0, "a?[2Jb" },			/* ESC: CSI */
	{ "a\033]0;x\007b", 0, "a?]0;x?b" },		/* OSC, BEL */
	{ "a\xc2\x9b" "31m", 0, "a??31m" },		/* C1 CSI */
	{ "a\xc2\x85z", 0, "a??z" },			/* C1 NEL */
	{ "tab\there\r\n\x7f", 0, "tab?here???" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", 0,
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7" },
	{ "\xc2\xa0", 0, "\xc2\xa0" },			/* first kept */
	{ "bad\xff\xfe", 0, "bad??" },
	{ "\x80x", 0, "?x" },				/* stray */
	{ "\xc0\xaf", 0, "??" },			/* overlong '/' */
	{ "\xe0\x80\xaf", 0, "???" },			/* overlong '/' */
	{ "\xf0\x82\x82\xac", 0, "????" },		/* overlong euro */
	{ "\xed\xa0\x80", 0, "???" },			/* surrogate */
	{ "\xed\x9f\xbf", 0, "\xed\x9f\xbf" },		/* U+D7FF */
	{ "\xf4\x90\x80\x80", 0, "????" },		/* > U+10FFFF */
	{ "cut\xe2\x82", 0, "cut??" },			/* cut short */
	{ "a\xe2\x80\xaez", 0, "a???z" },		/* RLO */
	{ "a\xe2\x81\xa6z\xe2\x81\xa9", 0, "a???z???" },	/* LRI PDI */
	{ "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "????????" },	/* LRM RLM ALM */
	{ "a\xe2\x80\xa8z\xe2\x80\xa9", 0, "a???z???" },	/* LS PS */
	{ "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", 0,
	    "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa" },	/* neighbours */
	{ "caf\xc3\xa9 a", TEXT_ASCII, "caf?? a" },
	{ "my ns\t1", TEXT_ASCII | TEXT_NOSPACE, "my?ns?1" },
};

static void
test_cases(void)
{
	char out[64];
	size_t i;

	for (i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
		size_t n = text_clean(out, sizeof out, text_cases[i].in,
		    strlen(text_cases[i].in), text_cases[i].flags);

		if (!CHECK(strcmp(out, text_cases[i].out) == 0))
			fprintf(stderr, "case %zu: \"%s\"\n", i, out);
		CHECK_EQ(n, strlen(out));
	}
}

/* The end of the buffer or of len in the middle of a character. */
static void
test_bounds(void)
{
	char out[16];

	/* é (2 bytes) does not fit in 5 with "abc": one '?' ends it. */
	CHECK_EQ(text_clean(out, 5, "abc\xc3\xa9", 5, 0), 4);
	CHECK(strcmp(out, "abc?") == 0);
	/* The euro sign (3 bytes) fits 6 but not 5, and never in half. */
	CHECK_EQ(text_clean(out, 6, "ab\xe2\x82\xac" "z", 6, 0), 5);
	CHECK(strcmp(out, "ab\xe2\x82\xac") == 0);
	CHECK_EQ(text_clean(out, 5, "ab\xe2\x82\xac" "z", 6, 0), 3);
	CHECK(strcmp(out, "ab?") == 0);
	/* len cuts the character: its bytes are not text. */
	CHECK_EQ(text_clean(out, sizeof out, "ab\xe2\x82\xac", 4, 0), 4);
	CHECK(strcmp(out, "ab??") == 0);
	/* A NUL ends src before len; size 1 and 0 write "" and nothing. */
	CHECK_EQ(text_clean(out, sizeof out, "ab\0cd", 5, 0), 2);
	CHECK(strcmp(out, "ab") == 0);
	CHECK_EQ(text_clean(out, 1, "abc", 3, 0), 0);
	CHECK_EQ(out[0], '\0');
	out[0] = 'x';
	CHECK_EQ(text_clean(out, 0, "abc", 3, 0), 0);
	CHECK_EQ(out[0], 'x');
	CHECK_EQ(text_clean(out, 4, "abcdef", 6, 0), 3);
	CHECK(strcmp(out, "abc") == 0);
}

/* Cleaning in place, as cgroup_short does. */
static void
test_in_place(void)
{
	char buf[] = "x\033[1m\xc3\xa9\xff";

	text_clean(buf, sizeof buf, buf, strlen(buf), 0);
	CHECK(strcmp(buf, "x?[1m\xc3\xa9?") == 0);
}

/* An argument quoted in an error: cleaned, cut at TEXT_ARG_MAX
 * characters with "...", whole when shorter. */
static void
test_arg(void)
{
	char out[TEXT_ARG_SIZE], in[6000], want[TEXT_ARG_SIZE];
	size_t i;

	CHECK_EQ(text_arg(out, sizeof out, "rtt"), 3);
	CHECK(strcmp(out, "rtt") == 0);
	text_arg(out, sizeof out, "\033]0;PWN\007\xc2\x9b\xe2\x80\xae");
	CHECK(strcmp(out, "?]0;PWN??????") == 0);
	memset(in, 'x', 5000);
	in[5000] = '\0';
	CHECK_EQ(text_arg(out, sizeof out, in), TEXT_ARG_MAX + 3);
	memset(want, 'x', TEXT_ARG_MAX);
	strcpy(want + TEXT_ARG_MAX, "...");
	CHECK(strcmp(out, want) == 0);
	/* Exactly TEXT_ARG_MAX: no dots. */
	in[TEXT_ARG_MAX] = '\0';
	CHECK_EQ(text_arg(out, sizeof out, in), TEXT_ARG_MAX);
	/* Characters, not bytes: 100 euro signs, 64 of them kept whole. */
	for (i = 0; i < 100; i++)
		memcpy(in + 3 * i, "\xe2\x82\xac", 3);
	in[300] = '\0';
	CHECK_EQ(text_arg(out, sizeof out, in), 3 * TEXT_ARG_MAX + 3);
	CHECK_EQ(text_width(out), TEXT_ARG_MAX + 3);
	/* A small buffer: cut by it, dots still there. */
	CHECK_EQ(text_arg(out, 8, "abcdefghij"), 7);
	CHECK(strcmp(out, "abcd...") == 0);
	CHECK_EQ(text_arg(out, 3, "abc"), 0);
	CHECK_EQ(out[0], '\0');
}

static void
test_utf8_len(void)
{
	uint32_t cp = 0;

	CHECK_EQ(text_utf8_len("a", 1, &cp), 0);
	CHECK_EQ(text_utf8_len("\xc3\xa9", 2, &cp), 2);
	CHECK_EQ(cp, 0xe9);
	CHECK_EQ(text_utf8_len("\xe2\x82\xac", 3, &cp), 3);
	CHECK_EQ(cp, 0x20ac);
	CHECK_EQ(text_utf8_len("\xf4\x8f\xbf\xbf", 4, NULL), 4);
	CHECK_EQ(text_utf8_len("\xe2\x82\xac", 2, &cp), 0);
	CHECK_EQ(text_utf8_len("\xc2\x80", 2, &cp), 2);	/* C1: valid */
	CHECK_EQ(cp, 0x80);
	CHECK_EQ(text_utf8_len("", 0, &cp), 0);
}

/* text_clean and text_cells a byte at a time, as they were before
 * they took plain ASCII eight bytes at a time. */
static size_t
ref_clean(char *dst, size_t size, const char *src, size_t len, int flags)
{
	size_t i = 0, o = 0, n;
	uint32_t cp = 0;

	if (size == 0)
		return 0;
	while (i < len && src[i] != '\0' && o + 1 < size) {
		unsigned char ch = (unsigned char)src[i];

		if (ch < 0x80) {
			int ok = ch == ' ' ? !(flags & TEXT_NOSPACE) :
			    ch > 0x20 && ch < 0x7f;

			dst[o++] = ok ? (char)ch : '?';
			i++;
			continue;
		}
		n = flags & TEXT_ASCII ? 0 : text_utf8_len(src + i, len - i,
		    &cp);
		if (n == 0 || cp < 0xa0 || cp == 0x061c || cp == 0x200e ||
		    cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069)) {
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

static size_t
ref_cells(const char *s, size_t n)
{
	size_t i, cells = 0;

	for (i = 0; i < n && s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cells++;
	return cells;
}

/* Random strings, mostly plain ASCII with the bytes that end a plain
 * word (space, DEL, controls, NUL, UTF-8, a bidi override) at random
 * places, every buffer size and flag: the same as byte by byte. */
static void
test_words(void)
{
	static const char *const bits[] = { "abcdefgh", "0123456789.:[]",
	    " ", "\x7f", "\x1b", "~!", "\xc3\xa9", "\xe2\x80\xae", "\x80",
	    "\xff", "\x01", "@", "\xf0\x9f\x98\x80" };
	unsigned long rng = 7;
	int t, agree = 1;

	for (t = 0; t < 20000; t++) {
		char src[64] = { 0 }, got[64], want[64];
		size_t len = 0, size, k, n1, n2;
		int flags = t % 4;

		while (len < 40) {
			const char *b;

			rng = rng * 6364136223846793005UL + 1;
			b = bits[(rng >> 33) % (sizeof bits / sizeof bits[0])];
			if ((rng >> 50) % 3 != 0)
				b = bits[(rng >> 40) % 2];
			k = strlen(b);
			memcpy(src + len, b, k);
			len += k;
		}
		if (t % 9 == 0)
			src[(rng >> 20) % len] = '\0';
		size = (rng >> 13) % 50;
		n1 = text_clean(got, size, src, len, flags);
		n2 = ref_clean(want, size, src, len, flags);
		if (n1 != n2 || (size > 0 && memcmp(got, want, n1 + 1) != 0))
			agree = 0;
		if (text_cells(src, len) != ref_cells(src, len) ||
		    text_cells(src, size) != ref_cells(src, size))
			agree = 0;
	}
	CHECK(agree);
	/* A caller may pass a len past the string's NUL (filter.c quotes
	 * 20 bytes of what is left): no word is read past the NUL, which
	 * ends a heap string of exactly its size (ASan would say so). */
	for (t = 1; t < 12; t++) {
		char *p = malloc((size_t)t + 1), got[64];

		memset(p, 'a', (size_t)t);
		p[t] = '\0';
		CHECK_EQ(text_clean(got, sizeof got, p, 40, 0), (size_t)t);
		CHECK_EQ(text_cells(p, 40), (size_t)t);
		free(p);
	}
}

int
main(void)
{
	test_cases();
	test_bounds();
	test_in_place();
	test_arg();
	test_utf8_len();
	test_words();
	return check_done();
}
