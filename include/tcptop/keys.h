/* keys: what a key is, what a key table holds, what an action asks of
 * the loop, and the keys every view shares (help, the filters, pause,
 * the delay, the family, colours, quit).  Each screen has its own table
 * (screens.h says which tables a key goes through); one table drives
 * both the keys and their help, so they cannot drift apart (tmux bind
 * -N).  Pure. */
#ifndef TCPTOP_KEYS_H
#define TCPTOP_KEYS_H

#include <stddef.h>

struct session;

/* Keys: Unicode code points as themselves, control keys as their
 * codes, and these for the keys curses decodes (ui.c translates). */
enum {
	K_UP = 0x110000,
	K_DOWN,
	K_LEFT,
	K_RIGHT,
	K_PGUP,
	K_PGDN,
	K_HOME,
	K_END,
	K_ENTER,
	K_ESC,
	K_BACKSPACE,
	K_DELETE,
	K_RESIZE,
	K_F1,
	K_F2,
	K_F3,
	K_F4,
	K_F5,
	K_F6,
	K_F7,
	K_F8,
	K_F9,
	K_F10,
	K_CLICK,		/* the left button let go: ui_mouse_at says
				 * where */
	K_WHEEL_UP,
	K_WHEEL_DOWN,
	K_ANY = 0x120000,	/* in a table: any key not bound before */
};

/* What an action asks of the loop (bits), htop's Htop_Reaction. */
#define REACT_REDRAW	0x001	/* draw again */
#define REACT_REVIEW	0x002	/* rebuild the rows shown: filter, sort
				 * or groups changed */
#define REACT_RESCAN	0x004	/* the kernel query changed: dump now */
#define REACT_QUIT	0x008
#define REACT_REPAINT	0x010	/* repaint every cell (Ctrl-L, colours) */
#define REACT_DELAY	0x020	/* the delay changed: new deadline */
#define REACT_STEP	0x040	/* --lesson: perform the next step */
#define REACT_CLOSE	0x080	/* close the screen the key was for */
#define REACT_OPEN	0x100	/* open a screen: react_open */
#define REACT_HOME	0x200	/* close every screen but the first: back
				 * to the connection list */
#define REACT_NOW	0x400	/* refresh now, once even when paused */

/* Open screen id (enum screen_id, screens.h) with arg (0..127), after a
 * REACT_CLOSE of the same reaction. */
static inline int
react_open(int id, int arg)
{
	return REACT_OPEN | (id & 0xff) << 16 | (arg & 0x7f) << 24;
}

/* The screen and arg of a REACT_OPEN reaction. */
static inline int
react_screen(int r)
{
	return r >> 16 & 0xff;
}

static inline int
react_arg(int r)
{
	return r >> 24 & 0x7f;
}

/* One binding: its keys, its help, its label on the function-key bar,
 * and what it does.  A table ends with an entry whose keys[0] is 0. */
struct key_binding {
	int keys[4];		/* 0-terminated */
	const char *names;	/* as the help shows them: "h ? F1" */
	const char *bar;	/* label on the key bar, or NULL */
	int (*action)(struct session *s, int key);	/* REACT_* bits */
	const char *help;
};

/* The keys of every view (the list, the groups, the detail): help,
 * port and filter prompts, pause, delay, family. */
extern const struct key_binding keys_view[];

/* The keys of every screen but the kill confirmation and the prompt:
 * colours, repaint, quit. */
extern const struct key_binding keys_global[];

/* The sort and column keys of the connection list and the detail
 * view: the sort menu, the previous and next sort key, the direction,
 * the column chooser. */
extern const struct key_binding keys_sort[];

/* The action of the keys that close a screen (Esc, mostly): returns
 * REACT_CLOSE. */
int keys_close(struct session *s, int key);

/* Look key up in table t: its binding, or NULL.  K_ANY matches any
 * key. */
const struct key_binding *keys_find(const struct key_binding *t, int key);

/* A key's name for the bar: "F1", "q", "Spc". */
const char *keys_name(int key, char *buf, size_t len);

/* The key a binding shows on the bar: its function key if it has one,
 * else its first. */
int keys_bar_key(const struct key_binding *b);

/* The delay one step longer (dir 1) or shorter (-1). */
double keys_delay_step(double delay, int dir);

#endif
