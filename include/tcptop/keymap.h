/* keymap: every key binding, with its help text and its label on the
 * function-key bar, in one table that drives both (tmux bind -N). */
#ifndef TCPTOP_KEYMAP_H
#define TCPTOP_KEYMAP_H

#include <stddef.h>

#include "tcptop/tui.h"

struct keymap_entry {
	int keys[4];		/* 0-terminated */
	const char *keynames;	/* as the help screen shows them */
	const char *bar;	/* label on the function-key bar, or NULL */
	int modes;		/* TUI_* modes where it applies */
	int (*action)(struct tui *t, int key);	/* returns TUI_* bits */
	const char *help;
};

extern const struct keymap_entry keymap[];
extern const size_t keymap_n;

/* Run the action bound to key in t's mode.  Returns its TUI_* bits, 0
 * for an unbound key. */
int keymap_dispatch(struct tui *t, int key);

/* k's label on the key bar in t's session, or NULL for none (Space
 * says "Next" in --lesson). */
const char *keymap_bar(const struct keymap_entry *k, const struct tui *t);

/* A key's name for the bar: "F1", "q", "Spc". */
const char *keymap_key_name(int key, char *buf, size_t len);

#endif
