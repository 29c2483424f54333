/* Header pane: host, time of the data, delay, totals, privilege tier;
 * on a second line the kernel's TCP counters per second and the
 * operator's SSH session. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcptop/proc.h"
#include "tcptop/text.h"

#include "screen.h"

/* One part of the kernel line: its text, colour and how long it stays
 * when the line is too narrow (the highest last). */
struct pane_header_item {
	char text[96];
	int role;
	int prio;
	int gap;	/* spaces before it */
};

/* The parts of the kernel line, in their order: the rates everyone
 * watches, then those that only matter when they are not zero, which
 * then outrank the rest and turn the warning colour. */
static const struct {
	uint8_t id, id2;	/* id2: a second counter after a '/' */
	uint8_t warn;
	uint8_t prio;
} pane_header_kern[] = {
	{ KSTAT_ACTIVE_OPENS, KSTAT_N, 0, 90 },
	{ KSTAT_PASSIVE_OPENS, KSTAT_N, 0, 89 },
	{ KSTAT_ESTAB_RESETS, KSTAT_OUT_RSTS, 0, 80 },
	{ KSTAT_RETRANS_SEGS, KSTAT_N, 0, 79 },
	{ KSTAT_LISTEN_OVERFLOWS, KSTAT_N, 1, 60 },
	{ KSTAT_LISTEN_DROPS, KSTAT_N, 1, 59 },
	{ KSTAT_SYNCOOKIES_SENT, KSTAT_N, 1, 58 },
	{ KSTAT_ABORT_ON_TIMEOUT, KSTAT_N, 1, 57 },
	{ KSTAT_ABORT_ON_CLOSE, KSTAT_N, 1, 56 },
};

#define PANE_HEADER_NKERN \
	(sizeof pane_header_kern / sizeof pane_header_kern[0])

/* The SSH session: its rtt and retransmits, or that it is not here. */
static void
pane_header_ssh(const struct frame *f, struct pane_header_item *it)
{
	const struct conn *c = f->ssh_conn;
	char rtt[UNIT_TEXT_LEN];

	it->role = UI_HEADER;
	it->prio = 100;
	it->gap = 2;
	if (c == NULL) {
		snprintf(it->text, sizeof it->text, "ssh not in view");
		return;
	}
	/* As the RTT column shows it: a LAN's is in microseconds. */
	field_fmt(FIELD_RTT, c, &f->snap->fields, rtt, sizeof rtt);
	snprintf(it->text, sizeof it->text, "ssh rtt %s retr %u", rtt,
	    field_retrans(c));
}

/* The view's throughput, iftop's totals: the 2, 10 and 40 s averages
 * of the rows in view summed when w leaves room, else the 10 s ones;
 * "-" before any row has a rate. */
static void
pane_header_rates(const struct frame *f, int w, struct pane_header_item *it)
{
	const struct view *v = &f->s->view;
	char t[RATE_NSPAN][12], r[RATE_NSPAN][12];
	int i;

	it->role = UI_HEADER;
	it->prio = 85;		/* after act and pas, before the rest */
	it->gap = 2;
	for (i = 0; i < RATE_NSPAN; i++) {
		if (v->nrate == 0) {
			snprintf(t[i], sizeof t[i], "-");
			snprintf(r[i], sizeof r[i], "-");
			continue;
		}
		unit_fmt(UNIT_RATE, v->tx[i], t[i], sizeof t[i]);
		unit_fmt(UNIT_RATE, v->rx[i], r[i], sizeof r[i]);
	}
	if (w >= 120)
		snprintf(it->text, sizeof it->text, "2/10/40s tx %s %s %s "
		    "rx %s %s %s", t[0], t[1], t[2], r[0], r[1], r[2]);
	else
		snprintf(it->text, sizeof it->text, "10s tx %s rx %s", t[1],
		    r[1]);
}

/* The kernel line: the parts that fit in r.w, lowest priority dropped
 * first, the SSH session on the right. */
static void
pane_header_kernel(const struct frame *f, int y, int x, int w)
{
	const struct kstat *ks = f->kernel_line ? f->snap->kstat : NULL;
	struct pane_header_item it[PANE_HEADER_NKERN + 3];
	char a[12], b[12];
	size_t n = 0, i, low;
	int used, at, kern;

	if (ks != NULL) {
		snprintf(it[n].text, sizeof it[n].text, "tcp/s");
		it[n].role = UI_HEADER;
		it[n].gap = 1;
		it[n++].prio = 101;
		for (i = 0; i < PANE_HEADER_NKERN; i++) {
			double r = kstat_rate(ks, pane_header_kern[i].id);
			int id2 = pane_header_kern[i].id2;

			kstat_fmt_rate(r, a, sizeof a);
			if (id2 != KSTAT_N) {
				kstat_fmt_rate(kstat_rate(ks, id2), b,
				    sizeof b);
				snprintf(it[n].text, sizeof it[n].text,
				    "%s %s/%s", kstat_table[pane_header_kern[i]
				    .id].label, a, b);
			} else
				snprintf(it[n].text, sizeof it[n].text, "%s %s",
				    kstat_table[pane_header_kern[i].id].label,
				    a);
			it[n].role = UI_HEADER;
			it[n].gap = 1;
			it[n].prio = pane_header_kern[i].prio;
			if (pane_header_kern[i].warn && r > 0) {
				it[n].role = UI_WARN;
				it[n].prio += 50;
			}
			n++;
		}
	}
	pane_header_rates(f, w, &it[n++]);
	if (f->kernel_line && f->snap->ssh != NULL)
		pane_header_ssh(f, &it[n++]);
	ui_fill(y, x, w, UI_HEADER);
	for (;;) {
		/* One space between counters, two before the
		 * throughput and the session. */
		used = kern = 0;
		low = n;
		for (i = 0; i < n; i++) {
			used += (used > 0 ? it[i].gap : 0) +
			    (int)strlen(it[i].text);
			kern += i > 0 && it[i].gap == 1;
			if (low == n || it[i].prio < it[low].prio)
				low = i;
		}
		/* The "tcp/s" alone says nothing. */
		if (n >= 1 && it[0].prio == 101 && kern == 0)
			low = 0;
		else if (used <= w)
			break;
		if (low == n)
			return;
		memmove(&it[low], &it[low + 1], (n - low - 1) * sizeof it[0]);
		n--;
	}
	at = 0;
	for (i = 0; i < n; i++) {
		int len = (int)strlen(it[i].text);

		if (it[i].prio == 100)
			at = w - len;	/* the session on the right */
		else if (at > 0)
			at += it[i].gap;
		ui_put(y, x + at, w - at, it[i].role, it[i].text);
		at += len;
	}
}

/* The time of the refresh shown, and where the data comes from and how
 * often, or why it has stopped coming. */
static void
pane_header_when(const struct frame *f, char when[16], char src[32])
{
	time_t sec = (time_t)(f->snap->realtime_ns / 1000000000);
	struct tm tm;

	if (f->snap->realtime_ns != 0) {
		localtime_r(&sec, &tm);
		strftime(when, 16, "%H:%M:%S", &tm);
	} else
		snprintf(when, 16, "--:--:--");
	if (f->s->paused)
		snprintf(src, 32, "PAUSED");
	else if (strcmp(f->snap->source, "replay") == 0)
		snprintf(src, 32, "%s", f->snap->ended ? "replay ended" :
		    "replay");
	else
		snprintf(src, 32, "every %gs", f->s->delay);
}

/* The tier on the right, or why attribution failed (in the warning
 * colour, over the end of the totals if it must: it is what the owner
 * counts cannot say); shortened before it would cover the totals.  n:
 * the cells the left part took. */
static void
pane_header_tier(const struct frame *f, struct rect r, int n,
    const size_t owners[PROC_NBUCKETS])
{
	char why[80], fail[96];
	const char *tier;
	int err, tw;

	tier = f->snap->root ? "root" : "unprivileged: some columns hidden";
	if (f->snap->fields.proc != NULL &&
	    (err = proc_failure(f->snap->fields.proc, NULL)) != 0) {
		/* Attribution failed: said before the privilege, and in
		 * the warning colour, however narrow. */
		proc_failure_text(err, why, sizeof why);
		snprintf(fail, sizeof fail, "owners failed: %s", why);
		tier = fail;
		if (n + 2 + (int)strlen(tier) > r.w) {
			snprintf(fail, sizeof fail, "owners failed: %.*s",
			    (int)strcspn(why, ":"), why);
			tier = fail;
		}
		tw = (int)strlen(tier);
		if (tw <= r.w)
			ui_put(r.y, r.x + r.w - tw, tw, UI_WARN, tier);
		return;
	}
	if (!f->snap->root && owners[PROC_HIDDEN] > 0) {
		tier = "unprivileged: root would show the hidden owners";
		if (n + 2 + (int)strlen(tier) > r.w)
			tier = "unprivileged: some columns hidden";
	}
	tw = (int)strlen(tier);
	if (n + 2 + tw > r.w && !f->snap->root) {
		tier = "unprivileged";
		tw = (int)strlen(tier);
	}
	if (n + 2 + tw <= r.w)
		ui_put(r.y, r.x + r.w - tw, tw, f->snap->root ? UI_HEADER :
		    UI_WARN, tier);
}

void
pane_header_draw(const struct frame *f, struct rect r)
{
	const struct session *t = f->s;
	const struct view *v = &t->view;
	char left[320], pre[160], when[16], src[32], count[32], own[80];
	char alerts[40];
	int n, at, aw, notime;

	pane_header_when(f, when, src);
	snprintf(count, sizeof count, "%zu socket%s", v->total,
	    v->total == 1 ? "" : "s");
	/* Who owns them, by bucket (they add up to the count). */
	own[0] = '\0';
	if (f->snap->fields.proc != NULL) {
		size_t o;

		const size_t *owners = f->owners;
		o = (size_t)snprintf(own, sizeof own,
		    "  owned %zu, none %zu, hidden %zu", owners[PROC_OWNED],
		    owners[PROC_NOFILE], owners[PROC_HIDDEN]);
		/* The rarer buckets only when they hold something;
		 * first those the walk of /proc has not reached yet. */
		if (owners[PROC_PENDING] > 0 && o < sizeof own)
			o += (size_t)snprintf(own + o, sizeof own - o,
			    ", pending %zu", owners[PROC_PENDING]);
		if (owners[PROC_QUEUED] > 0 && o < sizeof own)
			o += (size_t)snprintf(own + o, sizeof own - o,
			    ", queued %zu", owners[PROC_QUEUED]);
		if (owners[PROC_INFLIGHT] > 0 && o < sizeof own)
			o += (size_t)snprintf(own + o, sizeof own - o,
			    ", in flight %zu", owners[PROC_INFLIGHT]);
		if (owners[PROC_FAILED] > 0 && o < sizeof own)
			o += (size_t)snprintf(own + o, sizeof own - o,
			    ", failed %zu", owners[PROC_FAILED]);
		/* Too many owners to check each refresh: how stale one
		 * may be. */
		if (proc_check_period(f->snap->fields.proc) > 1 &&
		    o < sizeof own)
			snprintf(own + o, sizeof own - o, ", checked every %u",
			    proc_check_period(f->snap->fields.proc));
	}
	/* Without a line of their own, the alerts keep a count here,
	 * before everything but the socket count. */
	alerts[0] = '\0';
	if (f->snap->nalerts > 0 && !f->alert_line) {
		size_t k = f->snap->nalerts + f->snap->alerts_more;

		snprintf(alerts, sizeof alerts, "%zu alert%s (a)", k,
		    k == 1 ? "" : "s");
	}
	aw = alerts[0] != '\0' ? 2 + (int)strlen(alerts) : 0;
	/* The owners are the first thing to go, then the count per
	 * family, then where the data comes from. */
	snprintf(left, sizeof left, "%s  %s  %s  %s: v4 %zu, v6 %zu%s%s",
	    f->snap->host, when, src, count, v->families[0], v->families[1],
	    f->snap->inconsistent ? " (inconsistent)" : "", own);
	if ((int)strlen(left) > r.w - aw)
		snprintf(left, sizeof left, "%s  %s  %s  %s: v4 %zu, v6 %zu%s",
		    f->snap->host, when, src, count, v->families[0],
		    v->families[1], f->snap->inconsistent ?
		    " (inconsistent)" : "");
	if ((int)strlen(left) > r.w - aw)
		snprintf(left, sizeof left, "%s  %s  %s  %s%s", f->snap->host,
		    when, src, count, f->snap->inconsistent ?
		    " (inconsistent)" : "");
	/* Paused, the word PAUSED stays and the frozen time goes. */
	notime = (int)strlen(left) > r.w - aw && aw > 0 && t->paused;
	if ((int)strlen(left) > r.w - aw && aw > 0)
		snprintf(left, sizeof left, "%s  %s  %s", f->snap->host,
		    t->paused ? src : when, count);
	ui_fill(r.y, r.x, r.w, UI_HEADER);
	n = ui_put(r.y, r.x, r.w - aw, UI_HEADER, left);
	if (aw > 0 && n + aw <= r.w) {
		ui_put(r.y, r.x + n + 2, aw - 2, UI_WARN, alerts);
		n += aw;
	}
	if (t->paused) {
		/* Drawn again for its width in cells. */
		snprintf(pre, sizeof pre, "%s  %s%s", f->snap->host,
		    notime ? "" : when, notime ? "" : "  ");
		at = ui_put(r.y, r.x, r.w, UI_HEADER, pre);
		if (at < r.w)
			ui_put(r.y, r.x + at, r.w - at, UI_WARN, src);
	}
	pane_header_tier(f, r, n, f->owners);
	if (r.h >= 2)
		pane_header_kernel(f, r.y + 1, r.x, r.w);
}


/* The first alert, how many more the window has, and how many the
 * filters hide (the status line says that too, alert line or not:
 * alerts are about the box, not the view). */
void
pane_alertline_draw(const struct frame *f, struct rect r)
{
	const struct alert *al;
	size_t more;
	long out = f->snap->alerts_outside;
	char line[400], tail[80];
	int n, tw;

	if (f->snap->nalerts == 0)
		return;
	more = f->snap->nalerts - 1 + f->snap->alerts_more;
	tail[0] = '\0';
	if (more > 0 && out > 0)
		snprintf(tail, sizeof tail, "  +%zu more (a), %ld outside the "
		    "filter", more, out);
	else if (more > 0)
		snprintf(tail, sizeof tail, "  +%zu more (a)", more);
	else if (out > 0)
		snprintf(tail, sizeof tail, "  +%ld outside the filter", out);
	al = &f->snap->alerts[0];
	snprintf(line, sizeof line, "%s %s: %s",
	    al->severity == ALERT_CRIT ? "ALERT" : "alert",
	    alerts_kind_name(al->kind), al->evidence);
	ui_fill(r.y, r.x, r.w, UI_WARN);
	/* The count stays on screen; the evidence is what gets cut, at a
	 * word, with a mark that the window (a) has the rest. */
	if (tail[0] == '\0' && (int)text_width(line) > r.w)
		snprintf(tail, sizeof tail, " (a)");
	tw = (int)strlen(tail);
	if (tw >= r.w)
		tw = 0;
	if ((int)text_width(line) > r.w - tw && r.w - tw > 2) {
		const char *next;
		int cut = ui_wrap_cut(line, r.w - tw - 1, &next);

		while (cut > 0 && strchr(" ,:;", line[cut - 1]) != NULL)
			cut--;
		snprintf(line + cut, sizeof line - (size_t)cut, "%s",
		    ui_glyph(UI_G_ELLIPSIS));
	}
	n = ui_put(r.y, r.x, r.w - tw, UI_WARN, line);
	if (tw > 0)
		ui_put(r.y, r.x + n, tw, UI_WARN, tail);
}
