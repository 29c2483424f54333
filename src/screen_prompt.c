/* The prompt line: the port filter (p), the filter expression (F4), the
 * search (/) and the delay (d) are typed on the status line; it takes
 * every key while open.  Bad input stays with the reason beside it; the
 * search moves the selection as it is typed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen.h"

static const char *
screen_prompt_label(int kind)
{
	switch (kind) {
	case SESSION_PROMPT_PORT:
		return "Port filter (e.g. 80,443,8000-8080; empty clears)";
	case SESSION_PROMPT_FILTER:
		return "Filter (e.g. python and dport = :443, not comm sshd)";
	case SESSION_PROMPT_SEARCH:
		return "Search";
	case SESSION_PROMPT_DELAY:
		return "Delay in seconds";
	}
	return "";
}

/* Label, input, a block for the cursor, then the error; long input
 * scrolls so its end stays in view. */
static void
screen_prompt_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	const struct session *s = f->s;
	const char *in = s->input;
	char line[640];
	int n, room, len = (int)strlen(in);

	(void)e;
	ui_fill(r.y, r.x, r.w, UI_NORMAL);
	snprintf(line, sizeof line, "%s: ", screen_prompt_label(s->prompt));
	n = ui_put(r.y, r.x, r.w, UI_PROMPT, line);
	room = r.w - n - 1;
	if (len > room && room > 0)
		in += len - room;
	n += ui_put(r.y, r.x + n, r.w - n - 1, UI_NORMAL, in);
	ui_put(r.y, r.x + n, 1, UI_SELECTED, " ");
	n++;
	if (s->prompt_err[0] != '\0' && n + 2 < r.w) {
		snprintf(line, sizeof line, " %s", s->prompt_err);
		ui_put(r.y, r.x + n + 1, r.w - n - 1, UI_ERROR, line);
	}
}

/* Open for kind (enum session_prompt) with what it holds now. */
static int
screen_prompt_enter(struct session *s, struct session_screen *e, int kind)
{
	(void)e;
	s->prompt = kind;
	s->input[0] = '\0';
	if (kind == SESSION_PROMPT_PORT)
		snprintf(s->input, sizeof s->input, "%s", s->port_text);
	else if (kind == SESSION_PROMPT_FILTER)
		snprintf(s->input, sizeof s->input, "%s", s->expr_text);
	else if (kind == SESSION_PROMPT_DELAY)
		snprintf(s->input, sizeof s->input, "%g", s->delay);
	else
		s->search[0] = '\0';
	s->inlen = strlen(s->input);
	s->prompt_err[0] = '\0';
	s->msg[0] = '\0';
	s->search_from = s->sel;
	return 0;
}

static int
screen_prompt_leave(struct session *s, struct session_screen *e)
{
	(void)e;
	s->prompt = SESSION_PROMPT_NONE;
	return 0;
}

/* Incremental search: the selection jumps to the first match at or
 * after where the search began. */
static int
screen_prompt_search(struct session *s)
{
	size_t n = s->inlen < sizeof s->search - 1 ? s->inlen :
	    sizeof s->search - 1;

	/* A cut UTF-8 tail only fails to match. */
	memcpy(s->search, s->input, n);
	s->search[n] = '\0';
	if (s->search[0] == '\0' || s->view.n == 0)
		return REACT_REDRAW;
	if (session_search_step(s, (s->search_from + s->view.n - 1) %
	    s->view.n, 1) == -1)
		snprintf(s->prompt_err, sizeof s->prompt_err, "no match");
	else
		s->prompt_err[0] = '\0';
	return REACT_REDRAW;
}

/* Seconds from SESSION_DELAY_MIN to SESSION_DELAY_MAX into *d. */
static int
screen_prompt_delay(const char *in, double *d, char *err, size_t len)
{
	char *end;

	errno = 0;
	*d = strtod(in, &end);
	if (end == in || *end != '\0' || errno != 0 || !isfinite(*d) ||
	    *d < SESSION_DELAY_MIN || *d > SESSION_DELAY_MAX) {
		snprintf(err, len, "give seconds from %.1f to %.0f",
		    SESSION_DELAY_MIN, SESSION_DELAY_MAX);
		return -1;
	}
	return 0;
}

/* Enter: apply the input.  On bad input the prompt stays open with the
 * reason beside it. */
static int
screen_prompt_apply(struct session *s)
{
	struct filter f = s->filter;
	char err[160];
	double d;

	switch (s->prompt) {
	case SESSION_PROMPT_PORT:
		if (filter_parse_ports(&f, s->input, err, sizeof err) == -1)
			break;
		s->filter = f;
		filter_fmt_ports(&s->filter, s->port_text,
		    sizeof s->port_text);
		return REACT_CLOSE | REACT_REVIEW | REACT_RESCAN;
	case SESSION_PROMPT_FILTER:
		if (filter_parse_expr(&f, s->input, err, sizeof err) == -1)
			break;
		s->filter = f;
		snprintf(s->expr_text, sizeof s->expr_text, "%s", s->input);
		return REACT_CLOSE | REACT_REVIEW | REACT_RESCAN;
	case SESSION_PROMPT_DELAY:
		if (screen_prompt_delay(s->input, &d, err, sizeof err) == -1)
			break;
		s->delay = d;
		return REACT_CLOSE | REACT_DELAY;
	default:
		return REACT_CLOSE;
	}
	snprintf(s->prompt_err, sizeof s->prompt_err, "%s", err);
	return REACT_REDRAW;
}

/* Length of the UTF-8 sequence that ends at s[n - 1]. */
static size_t
screen_prompt_last(const char *s, size_t n)
{
	size_t k = 1;

	while (k < n && ((unsigned char)s[n - k] & 0xc0) == 0x80)
		k++;
	return n > 0 ? k : 0;
}

/* Append code point key as UTF-8.  Returns 1 when it was. */
static int
screen_prompt_type(struct session *s, int key)
{
	char u[4];
	size_t n;

	if (key < 0x20 || key >= 0x110000 || key == 0x7f ||
	    (key >= 0x80 && key < 0xa0))
		return 0;
	if (key < 0x80)
		u[0] = (char)key, n = 1;
	else if (key < 0x800)
		u[0] = (char)(0xc0 | key >> 6),
		u[1] = (char)(0x80 | (key & 0x3f)), n = 2;
	else if (key < 0x10000)
		u[0] = (char)(0xe0 | key >> 12),
		u[1] = (char)(0x80 | (key >> 6 & 0x3f)),
		u[2] = (char)(0x80 | (key & 0x3f)), n = 3;
	else
		u[0] = (char)(0xf0 | key >> 18),
		u[1] = (char)(0x80 | (key >> 12 & 0x3f)),
		u[2] = (char)(0x80 | (key >> 6 & 0x3f)),
		u[3] = (char)(0x80 | (key & 0x3f)), n = 4;
	if (s->inlen + n >= sizeof s->input)
		return 0;
	memcpy(s->input + s->inlen, u, n);
	s->inlen += n;
	return 1;
}

/* Edit the input: Backspace, ^U (all), ^W (the last word), or a
 * character.  Returns 1 when it changed. */
static int
screen_prompt_edit(struct session *s, int key)
{
	switch (key) {
	case K_BACKSPACE:
	case 8:		/* ^H */
	case 127:
		s->inlen -= screen_prompt_last(s->input, s->inlen);
		return 1;
	case 21:	/* ^U */
		s->inlen = 0;
		return 1;
	case 23:	/* ^W: the last word */
		while (s->inlen > 0 && s->input[s->inlen - 1] == ' ')
			s->inlen--;
		while (s->inlen > 0 && s->input[s->inlen - 1] != ' ')
			s->inlen--;
		return 1;
	}
	return screen_prompt_type(s, key);
}

static int
screen_prompt_key(struct session *s, int key)
{
	int edited;

	if (key == K_ENTER)
		return screen_prompt_apply(s);
	if (key == K_ESC || key == 7) {		/* ^G */
		if (s->prompt == SESSION_PROMPT_SEARCH) {
			s->search[0] = '\0';
			session_move_to(s, s->search_from);
		}
		return REACT_CLOSE;
	}
	edited = screen_prompt_edit(s, key);
	s->input[s->inlen] = '\0';
	if (!edited)
		return 0;
	s->prompt_err[0] = '\0';
	if (s->prompt == SESSION_PROMPT_SEARCH)
		return screen_prompt_search(s);
	return REACT_REDRAW;
}

static const struct key_binding screen_prompt_keys[] = {
	{ { K_ANY }, "keys", NULL, screen_prompt_key,
	    "type; Enter applies, Esc cancels, Backspace, ^U clears, ^W "
	    "erases a word" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_prompt_tables[] = {
	screen_prompt_keys, NULL,
};

const struct screen_ops screen_prompt = {
	.name = "Prompt line (p, F4, /, d)",
	.place = SCREEN_LINE,
	.keys = screen_prompt_tables,
	.draw = screen_prompt_draw,
	.enter = screen_prompt_enter,
	.leave = screen_prompt_leave,
};
