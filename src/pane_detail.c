/* Detail pane: one connection, every field: endpoints, state and the
 * path it took while watched, timers, queues, owner, and every tcp_info
 * field the kernel sent. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/tcpstate.h"

struct pane_detail_out {
	struct pane_rect r;
	int line;		/* next line */
	int top;		/* first line on screen (the scroll) */
};

static void
pane_detail_line(struct pane_detail_out *o, int role, const char *label,
    const char *value)
{
	int y = o->r.y + o->line++ - o->top;

	if (y < o->r.y || y >= o->r.y + o->r.h)
		return;
	ui_put(y, o->r.x + 1, 13, UI_HEADER, label);
	ui_put(y, o->r.x + 15, o->r.w - 16, role, value);
}

static void
pane_detail_path(const struct conn *c, char *buf, size_t len)
{
	uint8_t st[8];
	size_t n = conntab_path(c, st, 8), i, off = 0;

	buf[0] = '\0';
	if (c->flags & CONN_PATH_CUT)
		off += (size_t)snprintf(buf, len, "%s ",
		    ui_glyph(UI_G_ELLIPSIS));
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? " " : "", i ? "" : "");
	off = strlen(buf);
	for (i = 0; i < n && off < len; i++) {
		snprintf(buf + off, len - off, "%s%s", i ? " > " : "",
		    tcpstate_name(st[i]));
		off = strlen(buf);
	}
}

/* Draw from line top on (nothing when top is past the end); returns the
 * number of lines. */
static int
pane_detail_render(const struct ui_frame *f, struct pane_rect r, int top)
{
	const struct conn *c = tui_selected(f->tui);
	struct pane_detail_out o = { r, 0, top };
	char a[CONN_ENDPOINT_LEN], b[CONN_ENDPOINT_LEN], v[256], age[32];
	char age2[32];
	size_t i;
	int fy, colw, ncol, k, rows, namew;

	if (c == NULL) {
		pane_detail_line(&o, UI_DIM, "", "no connection selected");
		return o.line;
	}
	snprintf(v, sizeof v, "%s  %s  %s  (IPv%c)%s",
	    conn_fmt_endpoint(&c->s, 0, a, sizeof a), ui_glyph(UI_G_ARROW),
	    conn_fmt_endpoint(&c->s, 1, b, sizeof b),
	    c->s.family == 10 ? '6' : '4',
	    (c->flags & CONN_GONE) ? "  [gone]" : "");
	pane_detail_line(&o, UI_NORMAL, "Connection", v);
	column_fmt_age(f->now_ms - c->state_since_ms, column_age_at_least(c),
	    age, sizeof age);
	snprintf(v, sizeof v, "%s for %s%s%s", tcpstate_name(c->s.state), age,
	    c->prev_state ? ", was " : "",
	    c->prev_state ? tcpstate_name(c->prev_state) : "");
	pane_detail_line(&o, ui_state_role(c->s.state), "State", v);
	pane_detail_path(c, v, sizeof v);
	pane_detail_line(&o, UI_NORMAL, "Path", v);
	column_fmt_age(f->now_ms - c->first_seen_ms,
	    (c->flags & CONN_PREEXISTING) != 0, age2, sizeof age2);
	snprintf(v, sizeof v, "%s ago%s", age2, (c->flags & CONN_PREEXISTING)
	    ? " (or earlier: it was there when tcptop started)" : "");
	pane_detail_line(&o, UI_NORMAL, "First seen", v);
	snprintf(v, sizeof v, "Recv-Q %u  Send-Q %u%s", c->s.rqueue,
	    c->s.wqueue, c->s.state == 10 ?
	    "  (LISTEN: waiting to be accepted / backlog)" : "");
	pane_detail_line(&o, UI_NORMAL, "Queues", v);
	if (c->s.timer != 0)
		snprintf(v, sizeof v, "%s, expires in %u ms, %u retransmits",
		    column_timer_name(c->s.timer), c->s.expires_ms,
		    c->s.retrans);
	else
		snprintf(v, sizeof v, "none");
	pane_detail_line(&o, UI_NORMAL, "Timer", v);
	snprintf(v, sizeof v, "uid %u  inode %u%s  cookie %" PRIu64,
	    c->s.uid, c->s.inode, c->s.inode == 0 ? " (no file: kernel-owned)"
	    : "", c->s.cookie);
	pane_detail_line(&o, UI_NORMAL, "Owner", v);
	snprintf(v, sizeof v, "%s  shutdown %s",
	    *conn_cc_name(c->s.cc) ? conn_cc_name(c->s.cc) : "-",
	    !(c->s.flags & CONN_HAS_SHUTDOWN) ? "-" :
	    c->s.shutdown == 0 ? "none" : c->s.shutdown == 1 ? "read" :
	    c->s.shutdown == 2 ? "write" : "both");
	pane_detail_line(&o, UI_NORMAL, "Congestion", v);

	/* The kernel's fields, in as many columns as fit. */
	o.line++;
	if (f->nfields == 0) {
		pane_detail_line(&o, UI_DIM, "tcp_info", f->fields_note != NULL &&
		    *f->fields_note ? f->fields_note : "none for this socket");
		return o.line;
	}
	snprintf(v, sizeof v, "%zu fields from the kernel, live (Up/Down "
	    "scroll)", f->nfields);
	pane_detail_line(&o, UI_DIM, "Kernel", v);
	fy = r.y + o.line - o.top;
	/* Names as wide as the longest, up to 22 cells. */
	for (i = 0, namew = 8; i < f->nfields; i++)
		if ((int)strlen(f->fields[i].name) + 1 > namew)
			namew = (int)strlen(f->fields[i].name) + 1;
	namew = namew > 22 ? 22 : namew;
	colw = namew + 17;
	ncol = r.w / colw > 0 ? r.w / colw : 1;
	colw = r.w / ncol;
	rows = (int)((f->nfields + (size_t)ncol - 1) / (size_t)ncol);
	for (i = 0, k = 0; i < f->nfields; i++, k++) {
		int y = fy + k % rows, x = r.x + 1 + (k / rows) * colw;
		char val[48], name[32];

		if (y < r.y || y >= r.y + r.h)
			continue;
		snprintf(name, sizeof name, "%s", f->fields[i].name);
		column_elide(name, sizeof name, namew - 1,
		    ui_glyph(UI_G_ELLIPSIS));
		ui_put(y, x, namew - 1, UI_DIM, name);
		if (f->fields[i].text != NULL)
			snprintf(val, sizeof val, "%s", f->fields[i].text);
		else if (f->fields[i].value == UINT64_MAX)
			snprintf(val, sizeof val, "unlimited");
		else
			snprintf(val, sizeof val, "%" PRIu64 " %s",
			    f->fields[i].value, f->fields[i].unit);
		ui_put(y, x + namew, colw - namew - 1, UI_NORMAL, val);
	}
	return o.line + rows;
}

static void
pane_detail_draw(const struct ui_frame *f, struct pane_rect r)
{
	pane_detail_render(f, r, f->tui->scroll);
}

int
pane_detail_count(const struct ui_frame *f, struct pane_rect r)
{
	return pane_detail_render(f, r, 1 << 30);
}

const struct pane_ops pane_detail = { "detail", pane_detail_draw };
