/* ss-like filter expressions, their words: the tokens, the nodes they
 * become, the numbers and texts they hold, and the one error a parse
 * reports.  The layer under fexpr_term.c and fexpr.c (fexpr_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcptop/fexpr.h"
#include "tcptop/text.h"

#include "fexpr_int.h"

static const struct {
	const char *word;
	int cmp;
} fexpr_cmp_words[] = {
	{ "eq", FEXPR_EQ }, { "ne", FEXPR_NE }, { "neq", FEXPR_NE },
	{ "lt", FEXPR_LT }, { "le", FEXPR_LE }, { "leq", FEXPR_LE },
	{ "gt", FEXPR_GT }, { "ge", FEXPR_GE }, { "geq", FEXPR_GE },
};

int
fexpr_fail(struct fexpr_parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed++)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	/* The reasons quote the user's words, whose bytes go to the
	 * terminal: made safe in one place, whatever quoted them. */
	if (p->errlen > 0)
		text_clean(p->err, p->errlen, p->err, p->errlen, 0);
	return -1;
}

static int
fexpr_word_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && strchr("()!&|=<>\"'", c) == NULL;
}

/* A quoted text at t[i]: its length with both quotes, or 0 when it is
 * not closed or holds a control character. */
static size_t
fexpr_quoted(const char *t, size_t i)
{
	size_t k;

	for (k = i + 1; t[k] != t[i]; k++)
		if (t[k] == '\0' || (unsigned char)t[k] < ' ' ||
		    t[k] == 0x7f)
			return 0;
	return k + 1 - i;
}

int
fexpr_tok_is(const struct fexpr_parser *p, const struct fexpr_token *t,
    const char *word)
{
	return t->len == strlen(word) &&
	    strncasecmp(p->text + t->pos, word, t->len) == 0;
}

/* Read the next token into p->tok. */
void
fexpr_lex(struct fexpr_parser *p)
{
	const char *t = p->text;
	size_t i = p->next;
	struct fexpr_token *k = &p->tok;

	while (t[i] == ' ' || (t[i] >= '\t' && t[i] <= '\r'))
		i++;
	k->pos = i;
	k->len = 1;
	k->cmp = FEXPR_EQ;
	switch (t[i]) {
	case '\0':
		k->type = FEXPR_T_END;
		k->len = 0;
		break;
	case '(':
		k->type = FEXPR_T_LPAREN;
		break;
	case ')':
		k->type = FEXPR_T_RPAREN;
		break;
	case '&':
		k->type = FEXPR_T_AND;
		k->len = t[i + 1] == '&' ? 2 : 1;
		break;
	case '|':
		k->type = FEXPR_T_OR;
		k->len = t[i + 1] == '|' ? 2 : 1;
		break;
	case '!':
		if (t[i + 1] == '=') {
			k->type = FEXPR_T_CMP;
			k->cmp = FEXPR_NE;
			k->len = 2;
		} else
			k->type = FEXPR_T_NOT;
		break;
	case '=':
		k->type = FEXPR_T_CMP;
		k->len = t[i + 1] == '=' ? 2 : 1;
		break;
	case '"':
	case '\'':
		k->len = fexpr_quoted(t, i);
		k->type = k->len > 0 ? FEXPR_T_STRING : FEXPR_T_BAD;
		if (k->len == 0)
			k->len = 1;
		break;
	case '<':
	case '>':
		k->type = FEXPR_T_CMP;
		if (t[i + 1] == '=') {
			k->cmp = t[i] == '<' ? FEXPR_LE : FEXPR_GE;
			k->len = 2;
		} else
			k->cmp = t[i] == '<' ? FEXPR_LT : FEXPR_GT;
		break;
	default:
		if (!fexpr_word_char((unsigned char)t[i])) {
			k->type = FEXPR_T_BAD;
			break;
		}
		while (fexpr_word_char((unsigned char)t[i + k->len]))
			k->len++;
		if (fexpr_tok_is(p, k, "and"))
			k->type = FEXPR_T_AND;
		else if (fexpr_tok_is(p, k, "or"))
			k->type = FEXPR_T_OR;
		else if (fexpr_tok_is(p, k, "not"))
			k->type = FEXPR_T_NOT;
		else
			k->type = FEXPR_T_WORD;
		break;
	}
	p->next = i + k->len;
}

/* Say that `what` was expected at the lookahead, after the text of the
 * tokens from `from` to `to` (both NULL at the start). */
int
fexpr_expected(struct fexpr_parser *p, const char *what,
    const struct fexpr_token *from, const struct fexpr_token *to)
{
	const struct fexpr_token *t = &p->tok;
	char after[2 * FEXPR_QUOTE + 16] = "", found[FEXPR_QUOTE + 16] = "";

	if (from != NULL) {
		int n = (int)(from->len < FEXPR_QUOTE ? from->len :
		    FEXPR_QUOTE);

		if (to != NULL && to->pos != from->pos)
			snprintf(after, sizeof after, " after \"%.*s %.*s\"",
			    n, p->text + from->pos,
			    (int)(to->len < FEXPR_QUOTE ? to->len :
			    FEXPR_QUOTE), p->text + to->pos);
		else
			snprintf(after, sizeof after, " after \"%.*s\"", n,
			    p->text + from->pos);
	}
	if (t->type == FEXPR_T_BAD && (p->text[t->pos] == '"' ||
	    p->text[t->pos] == '\''))
		snprintf(found, sizeof found, ", not an unclosed quote");
	else if (t->type == FEXPR_T_BAD)
		snprintf(found, sizeof found, ", not control character "
		    "0x%02x", (unsigned char)p->text[t->pos]);
	else if (t->type != FEXPR_T_END)
		snprintf(found, sizeof found, ", not \"%.*s\"",
		    (int)(t->len < FEXPR_QUOTE ? t->len : FEXPR_QUOTE),
		    p->text + t->pos);
	return fexpr_fail(p, "expected %s%s at column %zu%s", what, after,
	    t->pos + 1, found);
}

int
fexpr_node_new(struct fexpr_parser *p, int kind, int a, int b)
{
	struct fexpr_node *n;

	if (p->e.n == FEXPR_MAX_NODES)
		return fexpr_fail(p, "expression too long (%d terms)",
		    FEXPR_MAX_NODES);
	n = &p->e.nodes[p->e.n];
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->cmp = FEXPR_EQ;
	n->a = (int16_t)a;
	n->b = (int16_t)b;
	return (int)p->e.n++;
}

/* Decimal, the whole of s[0..len), at most max.  Returns 0, -1 when s is not a
 * number, -2 when it is out of range. */
int
fexpr_number(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v <= max)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -2;
	*out = v;
	return 0;
}

/* An optional comparison operator, symbol or word; FEXPR_EQ when there is
 * none.  *op is set to the operator's token, or left as it was. */
int
fexpr_parse_cmp(struct fexpr_parser *p, struct fexpr_token *op)
{
	size_t i;

	if (p->tok.type == FEXPR_T_CMP) {
		*op = p->tok;
		fexpr_lex(p);
		return op->cmp;
	}
	if (p->tok.type != FEXPR_T_WORD)
		return FEXPR_EQ;
	for (i = 0; i < sizeof fexpr_cmp_words / sizeof fexpr_cmp_words[0];
	    i++) {
		if (fexpr_tok_is(p, &p->tok, fexpr_cmp_words[i].word)) {
			*op = p->tok;
			op->cmp = fexpr_cmp_words[i].cmp;
			fexpr_lex(p);
			return op->cmp;
		}
	}
	return FEXPR_EQ;
}

/* A 32-bit number as ss's sscanf("%i") reads it: decimal, 0x hex or 0
 * octal, the whole of s[0..len). */
int
fexpr_u32(const char *s, size_t len, uint32_t *out)
{
	char buf[24], *end;
	unsigned long long v;

	if (len == 0 || len >= sizeof buf || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtoull(buf, &end, 0);
	if (*end != '\0' || v > 0xffffffffULL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A term's optional = or !=; any other operator is an error. */
int
fexpr_eq_ne(struct fexpr_parser *p, struct fexpr_token *op,
    const char *what)
{
	int cmp = fexpr_parse_cmp(p, op);

	if (cmp != FEXPR_EQ && cmp != FEXPR_NE)
		return fexpr_fail(p, "operator \"%.*s\" does not apply to "
		    "%s at column %zu", (int)op->len, p->text + op->pos, what,
		    op->pos + 1);
	return cmp;
}

/* Keep s[0..len) in the expression's text; its offset, or -1. */
static int
fexpr_keep_text(struct fexpr_parser *p, const char *s, size_t len,
    size_t pos)
{
	size_t at = p->e.ntext;

	if (len > FEXPR_WORD_MAX)
		return fexpr_fail(p, "\"%.*s...\" at column %zu is longer than "
		    "%d bytes", FEXPR_QUOTE, s, pos + 1, FEXPR_WORD_MAX);
	if (at + len + 1 > FEXPR_TEXT_MAX)
		return fexpr_fail(p, "expression too long (%d bytes of words "
		    "and names)", FEXPR_TEXT_MAX);
	memcpy(p->e.text + at, s, len);
	p->e.text[at + len] = '\0';
	p->e.ntext += len + 1;
	return (int)at;
}

/* A token's text: a word, or a quoted text without its quotes. */
void
fexpr_tok_text(const struct fexpr_parser *p, const struct fexpr_token *t,
    const char **s, size_t *len)
{
	*s = p->text + t->pos;
	*len = t->len;
	if (t->type == FEXPR_T_STRING) {
		(*s)++;
		*len -= 2;
	}
}

/* A leaf of kind holding the text s[0..len), read at column pos + 1. */
int
fexpr_text_leaf(struct fexpr_parser *p, int kind, const char *s, size_t len,
    size_t pos)
{
	int at, i;

	if (len == 0)
		return fexpr_fail(p, "empty text at column %zu", pos + 1);
	if ((at = fexpr_keep_text(p, s, len, pos)) < 0)
		return -1;
	i = fexpr_node_new(p, kind, -1, -1);
	if (i >= 0) {
		p->e.nodes[i].str = (uint16_t)at;
		p->e.nodes[i].slen = (uint8_t)len;
	}
	return i;
}

/* Is t one of the operator words (eq, ne, lt...)? */
int
fexpr_cmp_word(const struct fexpr_parser *p, const struct fexpr_token *t)
{
	size_t i;

	for (i = 0; i < sizeof fexpr_cmp_words / sizeof fexpr_cmp_words[0];
	    i++)
		if (fexpr_tok_is(p, t, fexpr_cmp_words[i].word))
			return 1;
	return 0;
}
