/* Help pane (from the keymap table, the column table and the privilege
 * note) and the sort menu. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pane.h"
#include "tcptop/keymap.h"
#include "tcptop/field.h"

/* Lines of the help screen, drawn from line top on; returns how many
 * there are.  Long help wraps under its own column. */
struct pane_help_out {
	struct pane_rect r;
	int top;
	int n;
};

static void
pane_help_line(struct pane_help_out *o, int role, const char *text)
{
	if (o->n >= o->top && o->n - o->top < o->r.h)
		ui_putpad(o->r.y + o->n - o->top, o->r.x + 1, o->r.w - 1, role,
		    text);
	o->n++;
}

static void
pane_help_entry(struct pane_help_out *o, const char *keys, const char *help)
{
	char line[512];
	int room = o->r.w - 18, first = 1;

	if (room < 20)
		room = 20;
	while (*help != '\0') {
		int len = (int)strlen(help), cut = len;

		if (len > room) {
			for (cut = room; cut > 0 && help[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = room;
		}
		snprintf(line, sizeof line, "%-15s %.*s", first ? keys : "",
		    cut, help);
		pane_help_line(o, UI_NORMAL, line);
		help += cut;
		while (*help == ' ')
			help++;
		first = 0;
	}
}

/* The kernel line's labels (pane_header.c), for the legend. */
static const char *const pane_help_kern[][2] = {
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

static const size_t pane_help_nkern = sizeof pane_help_kern /
    sizeof pane_help_kern[0];

/* Every line of the help screen through o. */
static void
pane_help_lines(struct pane_help_out *o, int root)
{
	size_t i;

	pane_help_line(o, UI_HEADER, "tcptop keys (Up/Down scroll, any other "
	    "key returns)");
	for (i = 0; i < keymap_n; i++)
		pane_help_entry(o, keymap[i].keynames, keymap[i].help);
	pane_help_line(o, UI_NORMAL, "");
	pane_help_line(o, UI_HEADER, "Rows: + new (bold), - gone (dimmed, "
	    "kept a few seconds), reverse: selected,");
	pane_help_line(o, UI_HEADER, "      @ your own SSH session "
	    "($SSH_CONNECTION)");
	pane_help_line(o, UI_NORMAL, "");
	pane_help_line(o, UI_HEADER, "Second header line, per second "
	    "(/proc/net/snmp, /proc/net/netstat):");
	for (i = 0; i < pane_help_nkern; i++)
		pane_help_entry(o, pane_help_kern[i][0], pane_help_kern[i][1]);
	pane_help_line(o, UI_NORMAL, "");
	pane_help_line(o, UI_HEADER, "Columns:");
	for (i = 0; i < FIELD_N; i++)
		if (field_is_column(i))
			pane_help_entry(o, field_table[i].title,
			    field_table[i].help);
	pane_help_line(o, UI_NORMAL, "");
	if (root)
		pane_help_line(o, UI_HEADER, "Running as root: everything the "
		    "kernel reports is shown.");
	else {
		pane_help_line(o, UI_WARN, "Unprivileged: the kernel still "
		    "lists every socket with its tcp_info;");
		pane_help_line(o, UI_WARN, "root would add socket marks and "
		    "the owners of other users' sockets.");
	}
}

int
pane_help_count(struct pane_rect r)
{
	struct pane_help_out o = { r, 1 << 30, 0 };

	pane_help_lines(&o, 0);
	return o.n;
}

static void
pane_help_draw(const struct ui_frame *f, struct pane_rect r)
{
	struct pane_help_out o = { r, f->tui->scroll, 0 };

	pane_help_lines(&o, f->snap->root);
}

static void
pane_sort_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	int i, first = 0, rows = r.h - 2;

	ui_box(r, "Sort by");
	if (t->sort_sel >= rows)
		first = t->sort_sel - rows + 1;
	for (i = 0; i < rows && field_sort_key((size_t)(first + i)) >= 0;
	    i++) {
		int k = first + i, id = field_sort_key((size_t)k);
		char line[40];

		snprintf(line, sizeof line, "%s %s", id == t->sort_key ?
		    "*" : " ", field_table[id].name);
		ui_putpad(r.y + 1 + i, r.x + 1, r.w - 2, k == t->sort_sel ?
		    UI_SELECTED : UI_NORMAL, line);
	}
}

const struct pane_ops pane_help = { "help", pane_help_draw };
const struct pane_ops pane_sort = { "sort", pane_sort_draw };
