/* The keys every view shares and every screen shares, and what keys are
 * called on the bar. */
#include <stdio.h>
#include <string.h>

#include "tcptop/keys.h"
#include "tcptop/names.h"
#include "tcptop/screens.h"
#include "tcptop/session.h"

static int
keys_help(struct session *s, int key)
{
	(void)s, (void)key;
	return react_open(SCREEN_HELP, 0);
}

static int
keys_port(struct session *s, int key)
{
	(void)s, (void)key;
	return react_open(SCREEN_PROMPT, SESSION_PROMPT_PORT);
}

static int
keys_filter(struct session *s, int key)
{
	(void)s, (void)key;
	return react_open(SCREEN_PROMPT, SESSION_PROMPT_FILTER);
}

static int
keys_refresh(struct session *s, int key)
{
	(void)s, (void)key;
	return REACT_REDRAW | REACT_NOW;
}

static int
keys_pause(struct session *s, int key)
{
	(void)key;
	s->paused = !s->paused;
	/* Resuming refreshes at once rather than after a full delay. */
	return REACT_REDRAW | (s->paused ? 0 : REACT_RESCAN);
}

double
keys_delay_step(double delay, int dir)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 30,
	    60, 300, 3600 };
	size_t n = sizeof steps / sizeof steps[0], i;

	if (dir > 0) {
		for (i = 0; i < n; i++)
			if (steps[i] > delay + 1e-9)
				return steps[i];
		return steps[n - 1];
	}
	for (i = n; i > 0; i--)
		if (steps[i - 1] < delay - 1e-9)
			return steps[i - 1];
	return steps[0];
}

static int
keys_delay(struct session *s, int key)
{
	if (key == 'd')
		return react_open(SCREEN_PROMPT, SESSION_PROMPT_DELAY);
	s->delay = keys_delay_step(s->delay, key == '-' ? -1 : 1);
	session_message(s, 0, "delay %gs", s->delay);
	return REACT_REDRAW | REACT_DELAY;
}

static int
keys_family(struct session *s, int key)
{
	unsigned only = key == '4' ? FILTER_INET4 : FILTER_INET6;
	unsigned both = FILTER_INET4 | FILTER_INET6;

	s->filter.families = s->filter.families == only ? both : only;
	session_message(s, 0, "showing %s", s->filter.families == both ?
	    "IPv4 and IPv6" : only == FILTER_INET4 ? "IPv4 only" :
	    "IPv6 only");
	return REACT_REDRAW | REACT_REVIEW | REACT_RESCAN;
}

/* r: host names, R: service names (iftop's n and N, which are search
 * here).  The loop hands s->resolve to the names cache. */
static int
keys_resolve(struct session *s, int key)
{
	unsigned bit = key == 'r' ? NAMES_HOSTS : NAMES_PORTS;

	s->resolve ^= bit;
	session_message(s, 0, "%s names %s", bit == NAMES_HOSTS ? "host" :
	    "service", s->resolve & bit ? "on" : "off");
	return REACT_REDRAW | REACT_REVIEW;
}

static int
keys_color(struct session *s, int key)
{
	(void)key;
	s->color = !s->color;
	return REACT_REPAINT;
}

static int
keys_repaint(struct session *s, int key)
{
	(void)s, (void)key;
	return REACT_REPAINT;
}

static int
keys_quit(struct session *s, int key)
{
	(void)s, (void)key;
	return REACT_QUIT;
}

const struct key_binding keys_view[] = {
	{ { 'h', '?', K_F1 }, "h ? F1", "Help", keys_help, "this help" },
	{ { 'p' }, "p", "Port", keys_port,
	    "port filter: PORT[,PORT|LO-HI...], as -p; empty clears; the "
	    "kernel filters" },
	{ { K_F4, '\\' }, "F4 \\", "Filter", keys_filter,
	    "filter expression as -f, ss-like: sport/dport/port/src/dst/"
	    "state, and/or/not; the kernel filters what it can" },
	{ { ' ' }, "Space", NULL, keys_refresh,
	    "refresh now, as top does; while paused, one refresh" },
	{ { 'Z' }, "Z", "Pause", keys_pause,
	    "pause or resume refreshing, as htop's Z (keys still work)" },
	{ { 'd', '+', '-', '=' }, "d + -", "Delay", keys_delay,
	    "set the delay, or make it longer or shorter" },
	{ { 'r', 'R' }, "r R", NULL, keys_resolve,
	    "host names (reverse DNS, as ss -r) on or off; R: service "
	    "names" },
	{ { '4', '6' }, "4 6", NULL, keys_family,
	    "IPv4 or IPv6 only; again for both" },
	{ .keys = { 0 } },
};

static int
keys_sort_menu(struct session *s, int key)
{
	(void)s, (void)key;
	return react_open(SCREEN_SORT, 0);
}

static int
keys_sort_step(struct session *s, int key)
{
	int k = field_sort_step(s->sort_key, key == '>' ? 1 : -1);

	/* Numbers biggest first on the first press, as htop. */
	session_sort(s, k, field_table[k].flags & FIELD_F_RIGHT);
	session_message(s, 0, "sorted by %s%s", field_table[k].name,
	    s->sort_reverse ? ", biggest first" : "");
	return REACT_REDRAW | REACT_REVIEW;
}

static int
keys_invert(struct session *s, int key)
{
	(void)key;
	session_sort(s, s->sort_key, !s->sort_reverse);
	return REACT_REDRAW | REACT_REVIEW;
}

static int
keys_columns(struct session *s, int key)
{
	(void)s, (void)key;
	return react_open(SCREEN_COLUMNS, 0);
}

const struct key_binding keys_sort[] = {
	{ { K_F6 }, "F6", "SortBy", keys_sort_menu,
	    "choose the sort column" },
	{ { '<', '>' }, "< >", NULL, keys_sort_step,
	    "sort by the previous or next column" },
	{ { 'I' }, "I", NULL, keys_invert, "invert the sort order" },
	{ { K_F2 }, "F2", "Cols", keys_columns,
	    "choose the columns: every column with its help, a mark on the "
	    "shown ones; kept in tcptoprc" },
	{ .keys = { 0 } },
};

const struct key_binding keys_global[] = {
	{ { 'c' }, "c", NULL, keys_color, "colours on or off" },
	{ { 12 }, "^L", NULL, keys_repaint, "repaint the screen" },
	{ { 'q', K_F10 }, "q F10", "Quit", keys_quit,
	    "quit (settings are saved)" },
	{ .keys = { 0 } },
};

int
keys_close(struct session *s, int key)
{
	(void)s, (void)key;
	return REACT_CLOSE;
}

const struct key_binding *
keys_find(const struct key_binding *t, int key)
{
	size_t k;

	for (; t != NULL && t->keys[0] != 0; t++)
		for (k = 0; k < 4 && t->keys[k] != 0; k++)
			if (t->keys[k] == key || t->keys[k] == K_ANY)
				return t;
	return NULL;
}

int
keys_bar_key(const struct key_binding *b)
{
	int j;

	for (j = 0; j < 4 && b->keys[j] != 0; j++)
		if (b->keys[j] >= K_F1 && b->keys[j] <= K_F10)
			return b->keys[j];
	return b->keys[0];
}

const char *
keys_name(int key, char *buf, size_t len)
{
	if (key >= K_F1 && key <= K_F10)
		snprintf(buf, len, "F%d", key - K_F1 + 1);
	else if (key == ' ')
		snprintf(buf, len, "Spc");
	else if (key > 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "?");
	return buf;
}
