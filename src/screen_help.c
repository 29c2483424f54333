/* The help screen: every screen's keys from its own tables, then the
 * keys they share, the legends of the rows and the kernel line, every
 * column, and what the privilege shows; it scrolls, and any other key
 * returns. */
#include <stdio.h>
#include <string.h>

#include "screen.h"

/* Lines of the help screen, drawn from line top on; returns how many
 * there are.  Long help wraps under its own column. */
struct screen_help_out {
	struct rect r;
	int top;
	int n;
};

static void
screen_help_line(struct screen_help_out *o, int role, const char *text)
{
	if (o->n >= o->top && o->n - o->top < o->r.h)
		ui_putpad(o->r.y + o->n - o->top, o->r.x + 1, o->r.w - 1, role,
		    text);
	o->n++;
}

static void
screen_help_entry(struct screen_help_out *o, const char *keys, const char *help)
{
	char line[512];
	const char *next;
	int room = o->r.w - 18, first = 1;

	if (room < 20)
		room = 20;
	while (*help != '\0') {
		int cut = ui_wrap_cut(help, room, &next);

		snprintf(line, sizeof line, "%-15s %.*s", first ? keys : "",
		    cut, help);
		screen_help_line(o, UI_NORMAL, line);
		help = next;
		first = 0;
	}
}

/* The kernel line's labels (pane_header.c), for the legend. */
static const char *const screen_help_kern[][2] = {
	{ "act pas", "connects started (ActiveOpens), connections accepted "
	    "(PassiveOpens)" },
	{ "rst a/b", "connections reset (EstabResets) / RSTs sent (OutRsts)" },
	{ "retr", "segments retransmitted (RetransSegs)" },
	{ "ovfl drop", "SYNs and ACKs dropped at a full accept queue "
	    "(ListenOverflows), all drops at listeners (ListenDrops); in "
	    "the warning colour when not 0" },
	{ "cookie", "syncookies sent: a SYN queue overflowed "
	    "(SyncookiesSent)" },
	{ "abto abcl", "connections aborted when retransmissions ran out "
	    "(TCPAbortOnTimeout), closed with unread data "
	    "(TCPAbortOnClose)" },
	{ "ssh", "your SSH session's rtt and retransmits, or \"not in view\" "
	    "(filtered out, another namespace)" },
};

static const size_t screen_help_nkern = sizeof screen_help_kern /
    sizeof screen_help_kern[0];

/* A table's entries under a title. */
static void
screen_help_table(struct screen_help_out *o, const char *title,
    const struct key_binding *t)
{
	screen_help_line(o, UI_NORMAL, "");
	screen_help_line(o, UI_HEADER, title);
	for (; t->keys[0] != 0; t++)
		screen_help_entry(o, t->names, t->help);
}

/* The shared tables, then every screen's own keys: each key once. */
static void
screen_help_keys(struct screen_help_out *o, const struct frame *f)
{
	size_t i;

	screen_help_table(o, "Every view (connections, groups, detail)",
	    keys_view);
	screen_help_table(o, "Everywhere", keys_global);
	screen_help_table(o, "Sorting (connection list, detail view)",
	    keys_sort);
	for (i = 0; i < SCREEN_N; i++) {
		const struct screen_ops *ops = f->screens[i];

		if (ops->keys != NULL)
			screen_help_table(o, ops->name, ops->keys[0]);
	}
}

/* Every line of the help screen through o. */
static void
screen_help_lines(struct screen_help_out *o, const struct frame *f)
{
	size_t i;

	screen_help_line(o, UI_HEADER, "tcptop keys (Up/Down scroll, any other "
	    "key returns)");
	screen_help_keys(o, f);
	screen_help_line(o, UI_NORMAL, "");
	screen_help_line(o, UI_HEADER, "Rows: + new (bold), - gone (dimmed, "
	    "kept a few seconds), reverse: selected,");
	screen_help_line(o, UI_HEADER, "      @ your own SSH session "
	    "($SSH_CONNECTION)");
	screen_help_line(o, UI_NORMAL, "");
	screen_help_line(o, UI_HEADER, "Second header line, per second "
	    "(/proc/net/snmp, /proc/net/netstat):");
	for (i = 0; i < screen_help_nkern; i++)
		screen_help_entry(o, screen_help_kern[i][0],
		    screen_help_kern[i][1]);
	screen_help_line(o, UI_NORMAL, "");
	screen_help_line(o, UI_HEADER, "Columns:");
	for (i = 0; i < FIELD_N; i++)
		if (field_is_column((int)i))
			screen_help_entry(o, field_table[i].title,
			    field_table[i].help);
	screen_help_line(o, UI_NORMAL, "");
	if (f->snap->root)
		screen_help_line(o, UI_HEADER, "Running as root: everything "
		    "the kernel reports is shown.");
	else {
		screen_help_line(o, UI_WARN, "Unprivileged: the kernel still "
		    "lists every socket with its tcp_info;");
		screen_help_line(o, UI_WARN, "root would add socket marks and "
		    "the owners of other users' sockets.");
	}
}

static int
screen_help_extent(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	struct screen_help_out o = { r, 1 << 30, 0 };

	(void)e;
	screen_help_lines(&o, f);
	return o.n;
}

static void
screen_help_draw(const struct frame *f, const struct session_screen *e,
    struct rect r)
{
	struct screen_help_out o = { r, e->pos, 0 };

	screen_help_lines(&o, f);
}

static const struct key_binding screen_help_scroll[] = {
	{ { K_UP, K_DOWN, K_PGUP, K_PGDN }, "Up Down PgUp PgDn", NULL,
	    session_scroll, "scroll" },
	{ { K_HOME, K_END }, "Home End", NULL, session_scroll,
	    "the first or last lines" },
	{ .keys = { 0 } },
};

/* Like htop, any other key leaves the help, q and F10 too: a reader
 * who presses q to leave the help wants the list, not the shell. */
static const struct key_binding screen_help_any[] = {
	{ { K_F10, 'q' }, "q F10", "Back", keys_close,
	    "back to where you were, not out of tcptop" },
	{ { K_ANY }, "any other", NULL, keys_close,
	    "back to where you were" },
	{ .keys = { 0 } },
};

static const struct key_binding *const screen_help_tables[] = {
	screen_help_scroll, screen_help_any, NULL,
};

const struct screen_ops screen_help = {
	.name = "Help",
	.place = SCREEN_MAIN,
	.keys = screen_help_tables,
	.draw = screen_help_draw,
	.extent = screen_help_extent,
};
