/* fexpr_int: what the three files of the filter expressions share:
 * the tokens and the parser's state (fexpr_lex.c), the terms
 * (fexpr_term.c) and the grammar and matcher (fexpr.c), each using only
 * the ones before it.  Private to them; the public API is
 * tcptop/fexpr.h. */
#ifndef TCPTOP_FEXPR_INT_H
#define TCPTOP_FEXPR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/fexpr.h"

/* Quoted tokens in messages are cut to this many bytes. */
#define FEXPR_QUOTE	32

enum fexpr_tok {
	FEXPR_T_END,
	FEXPR_T_LPAREN,
	FEXPR_T_RPAREN,
	FEXPR_T_NOT,
	FEXPR_T_AND,
	FEXPR_T_OR,
	FEXPR_T_CMP,		/* = == != < <= > >= */
	FEXPR_T_WORD,		/* anything else that is not a symbol */
	FEXPR_T_STRING,		/* "TEXT" or 'TEXT', quotes included */
	FEXPR_T_BAD,		/* a control character, or an unclosed
				 * quote */
};

struct fexpr_token {
	int type;		/* enum fexpr_tok */
	int cmp;		/* FEXPR_T_CMP: enum fexpr_cmp */
	size_t pos;		/* byte offset in the text */
	size_t len;
};

struct fexpr_parser {
	const char *text;
	size_t next;		/* where the token after tok starts */
	struct fexpr_token tok;	/* the lookahead */
	int depth;
	struct fexpr e;		/* built here, copied out on success */
	char *err;
	size_t errlen;
	int failed;
};

/* fexpr_lex.c --------------------------------------------------------- */

/* Record the first error only (later ones are its consequences), made
 * safe for a terminal (text_clean).  Returns -1. */
int fexpr_fail(struct fexpr_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Is token t the word `word`, in any case? */
int fexpr_tok_is(const struct fexpr_parser *p, const struct fexpr_token *t,
    const char *word);

/* Read the next token into p->tok. */
void fexpr_lex(struct fexpr_parser *p);

/* Say that `what` was expected at the lookahead, after the text of the
 * tokens from `from` to `to` (both NULL at the start).  Returns -1. */
int fexpr_expected(struct fexpr_parser *p, const char *what,
    const struct fexpr_token *from, const struct fexpr_token *to);

/* A new node of kind with children a and b (-1 none), cmp FEXPR_EQ and
 * the rest zero: its index, or -1 when the expression is full. */
int fexpr_node_new(struct fexpr_parser *p, int kind, int a, int b);

/* Decimal, the whole of s[0..len), at most max.  Returns 0, -1 when s is
 * not a number, -2 when it is out of range. */
int fexpr_number(const char *s, size_t len, unsigned long max,
    unsigned long *out);

/* A 32-bit number as ss's sscanf("%i") reads it: decimal, 0x hex or 0
 * octal, the whole of s[0..len).  Returns 0 or -1. */
int fexpr_u32(const char *s, size_t len, uint32_t *out);

/* An optional comparison operator, symbol or word; FEXPR_EQ when there is
 * none.  *op is set to the operator's token, or left as it was. */
int fexpr_parse_cmp(struct fexpr_parser *p, struct fexpr_token *op);

/* A term's optional = or !=; any other operator is an error (-1). */
int fexpr_eq_ne(struct fexpr_parser *p, struct fexpr_token *op,
    const char *what);

/* Is t one of the operator words (eq, ne, lt...)? */
int fexpr_cmp_word(const struct fexpr_parser *p,
    const struct fexpr_token *t);

/* A token's text: a word, or a quoted text without its quotes. */
void fexpr_tok_text(const struct fexpr_parser *p,
    const struct fexpr_token *t, const char **s, size_t *len);

/* A leaf of kind holding the text s[0..len), read at column pos + 1:
 * its index, or -1. */
int fexpr_text_leaf(struct fexpr_parser *p, int kind, const char *s,
    size_t len, size_t pos);

/* fexpr_term.c -------------------------------------------------------- */

/* The term whose first token t is behind the lookahead: a keyword and
 * what it takes, or else a plain word or quoted text.  Its node's
 * index, or -1 after fexpr_fail. */
int fexpr_parse_term(struct fexpr_parser *p, const struct fexpr_token *t);

#endif
