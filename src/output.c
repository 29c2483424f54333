/* Batch reports: aligned text like top -b, and JSON Lines. */
#include <errno.h>
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcptop/column.h"
#include "tcptop/json.h"
#include "tcptop/netns.h"
#include "tcptop/proc.h"
#include "tcptop/output.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"
#include "tcptop/text.h"

#include "output_int.h"

/* The longest text report line: every column at its widest. */
#define OUTPUT_LINE 2048

static const char *
output_severity(int severity)
{
	return severity == ALERT_CRIT ? "critical" : "warning";
}

/* Text that may hold outside bytes (a process name in the evidence),
 * with anything but printable ASCII as '?'. */
static void
output_plain(FILE *fp, const char *s)
{
	char buf[ALERT_TEXT_LEN];

	text_clean(buf, sizeof buf, s, strlen(s), TEXT_ASCII);
	fputs(buf, fp);
}

/* The alerts under the header line: what, then what to check. */
void
output_text_alerts(FILE *fp, const struct snapshot *r)
{
	size_t i;

	for (i = 0; i < r->nalerts; i++) {
		const struct alert *al = &r->alerts[i];

		fprintf(fp, "ALERT %s (%s): ", alerts_kind_name(al->kind),
		    output_severity(al->severity));
		output_plain(fp, al->evidence);
		fputs("\n  next: ", fp);
		output_plain(fp, al->hint);
		fputc('\n', fp);
	}
	if (r->alerts_more > 0)
		fprintf(fp, "ALERT +%zu more\n", r->alerts_more);
	if (r->alerts_outside > 0)
		fprintf(fp, "ALERT +%ld outside the filter: tcptop without "
		    "-p, --state, -f, -4, -6 shows %s\n", r->alerts_outside,
		    r->alerts_outside == 1 ? "it" : "them");
}

/* The width of column id in a report of v: its own, or for a flexible
 * column (endpoints, names) its widest text; never narrower than its
 * title. */
static int
output_text_width(int id, const struct snapshot *r,
    const struct view *v)
{
	const struct field *f = &field_table[id];
	int w = (int)strlen(f->title);
	size_t i;

	if (f->maxwidth <= f->width)
		return f->width > w ? f->width : w;
	for (i = 0; i < v->n; i++) {
		int tw;

		if (v->rows[i]->flags & CONN_GONE)
			continue;
		tw = (int)field_cells(id, v->rows[i], &r->fields);
		w = tw > w ? tw : w;
	}
	return w;
}

/* Append n bytes of s to line (of size OUTPUT_LINE), or pad blanks when
 * s is NULL; what does not fit is cut. */
static size_t
output_put(char *line, size_t at, const char *s, size_t n)
{
	if (at + n >= OUTPUT_LINE)
		n = OUTPUT_LINE - 1 - at;
	if (s != NULL)
		memcpy(line + at, s, n);
	else
		memset(line + at, ' ', n);
	return at + n;
}

/* One line of the columns: the titles (c NULL) or c's fields, built in
 * a buffer and written at once (at 100k rows printf per cell costs more
 * than the dump). */
static void
output_text_line(FILE *fp, const struct snapshot *r,
    const struct conn *c, const uint8_t *cols, size_t ncols,
    const int *widths)
{
	char line[OUTPUT_LINE], text[CONN_ENDPOINT_LEN];
	char clean[CONN_ENDPOINT_LEN];
	const char *cell;
	size_t i, at = 0, len;

	for (i = 0; i < ncols; i++) {
		const struct field *f = &field_table[cols[i]];
		int pad;

		if (c == NULL) {
			cell = f->title;
			len = strlen(cell);
		} else if (f->text != NULL) {
			/* Names from outside: only text reaches the file. */
			field_fmt(cols[i], c, &r->fields, text, sizeof text);
			len = text_clean(clean, sizeof clean, text,
			    strlen(text), 0);
			cell = clean;
		} else {
			field_fmt(cols[i], c, &r->fields, text, sizeof text);
			cell = text;
			len = strlen(cell);
		}
		pad = widths[i] - (int)text_cells(cell, len);
		if (pad < 0)
			pad = 0;
		if (i > 0)
			at = output_put(line, at, NULL, 1);
		if (f->flags & FIELD_F_RIGHT) {
			at = output_put(line, at, NULL, (size_t)pad);
			at = output_put(line, at, cell, len);
		} else {
			at = output_put(line, at, cell, len);
			if (i + 1 < ncols)
				at = output_put(line, at, NULL, (size_t)pad);
		}
	}
	line[at++] = '\n';
	fwrite(line, 1, at, fp);
}

/* ", failed N (EMFILE: too many open files)" when the last rescan of
 * /proc could not read every process. */
static void
output_text_owners_failed(FILE *fp, const struct snapshot *r,
    const size_t counts[PROC_NBUCKETS])
{
	char why[80];
	int err = proc_failure(r->fields.proc, NULL);

	if (err == 0)
		return;
	proc_failure_text(err, why, sizeof why);
	fprintf(fp, ", failed %zu (%s)", counts[PROC_FAILED], why);
}

/* A count, or null when it is unknown (negative). */
static void
output_json_count(FILE *fp, long n)
{
	if (n < 0)
		fputs("null", fp);
	else
		fprintf(fp, "%ld", n);
}

int
output_text(FILE *fp, const struct snapshot *r, const struct view *v,
    const uint8_t *cols, size_t ncols)
{
	size_t i;
	int widths[FIELD_N];
	char when[32], host[64];
	time_t sec = (time_t)(r->realtime_ns / 1000000000);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	/* The host name is outside input: print only plain ASCII. */
	text_clean(host, sizeof host, r->host, strlen(r->host),
	    TEXT_ASCII | TEXT_NOSPACE);
	/* One header line, like top -b's summary: when, where, how many,
	 * and how many in each state. */
	fprintf(fp, "%s %s: %zu sockets (ipv4 %zu, ipv6 %zu)%s", when, host,
	    v->total, v->families[0], v->families[1],
	    r->inconsistent ? " [inconsistent snapshot]" : "");
	if (r->late_ms > 0)
		fprintf(fp, " [behind: %.2f s since the last refresh, delay "
		    "%.2f s]", r->interval_ms / 1000.0, r->delay_ms / 1000.0);
	fputc(':', fp);
	for (i = 0; i < TCPSTATE_MAX; i++)
		fprintf(fp, " %s %zu", tcpstate_name(tcpstate_order[i]),
		    v->states[tcpstate_order[i]]);
	if (r->fields.proc != NULL) {
		size_t counts[PROC_NBUCKETS];

		proc_count(r->fields.proc, v->rows, v->n, counts);
		fprintf(fp, "; owners: process %zu, none %zu, hidden %zu, "
		    "queued %zu, in flight %zu", counts[PROC_OWNED],
		    counts[PROC_NOFILE], counts[PROC_HIDDEN],
		    counts[PROC_QUEUED], counts[PROC_INFLIGHT]);
		if (counts[PROC_PENDING] > 0)
			fprintf(fp, ", pending %zu", counts[PROC_PENDING]);
		output_text_owners_failed(fp, r, counts);
	}
	if (v->untested > 0)
		fprintf(fp, "; %zu untested by the filter (owner hidden)",
		    v->untested);
	fputc('\n', fp);
	output_text_alerts(fp, r);

	/* The columns asked for (--columns), as wide as this report's
	 * texts. */
	if (cols == NULL) {
		cols = column_default;
		ncols = column_ndefault;
	}
	for (i = 0; i < ncols; i++)
		widths[i] = output_text_width(cols[i], r, v);
	output_text_line(fp, r, NULL, cols, ncols, widths);
	for (i = 0; i < v->n; i++)
		if (!(v->rows[i]->flags & CONN_GONE))
			output_text_line(fp, r, v->rows[i], cols, ncols,
			    widths);
	fputc('\n', fp);
	return ferror(fp) ? -1 : 0;
}

static const char *
output_trans_source(int source)
{
	switch (source) {
	case TRANS_SRC_TRACE:
		return "trace";
	case TRANS_SRC_DESTROY:
		return "destroy";
	default:
		return "refresh";
	}
}

/* "transitions": every edge of the diagram with its count, then any
 * other pair the kernel reported; "events": those since the last
 * refresh; "transitions_source" and "transitions_note". */
static void
output_json_transitions(FILE *fp, const struct snapshot *r)
{
	const struct trans_event *ev;
	const char *sep = "";
	size_t i, n;
	int a, b;

	fputs(", \"transitions\": [", fp);
	for (i = 0; i < trans_nedges; i++) {
		fprintf(fp, "%s{\"from\": \"%s\", \"to\": \"%s\", "
		    "\"count\": %" PRIu64 "}", sep,
		    tcpstate_name(trans_edges[i].from),
		    tcpstate_name(trans_edges[i].to),
		    trans_count(r->trans, trans_edges[i].from,
		    trans_edges[i].to));
		sep = ", ";
	}
	for (a = TCPSTATE_MIN; a <= TCPSTATE_MAX; a++)
		for (b = TCPSTATE_MIN; b <= TCPSTATE_MAX; b++)
			if (trans_edge_find(a, b) < 0 &&
			    trans_count(r->trans, a, b) > 0)
				fprintf(fp, ", {\"from\": \"%s\", \"to\": "
				    "\"%s\", \"count\": %" PRIu64 "}",
				    tcpstate_name(a), tcpstate_name(b),
				    trans_count(r->trans, a, b));
	fputs("], \"events\": [", fp);
	ev = trans_events(r->trans, &n);
	for (i = 0; i < n; i++) {
		struct conn_sample s;
		char la[CONN_ADDR_LEN], ra[CONN_ADDR_LEN];

		trans_event_sample(&ev[i], &s);
		fprintf(fp, "%s{\"time\": ", i ? ", " : "");
		json_time(fp, ev[i].realtime_ns);
		fprintf(fp, ", \"family\": \"%s\", \"local_addr\": \"%s\", "
		    "\"local_port\": %u, \"remote_addr\": \"%s\", "
		    "\"remote_port\": %u, \"from\": \"%s\", \"to\": \"%s\", "
		    "\"source\": \"%s\"}", conn_family_name(ev[i].family),
		    conn_fmt_addr(&s, 0, la, sizeof la), ev[i].lport,
		    conn_fmt_addr(&s, 1, ra, sizeof ra), ev[i].rport,
		    tcpstate_name(ev[i].from), tcpstate_name(ev[i].to),
		    output_trans_source(ev[i].source));
	}
	fputs("], \"transitions_source\": ", fp);
	json_string(fp, r->trans_source != NULL ? r->trans_source : "",
	    r->trans_source != NULL ? strlen(r->trans_source) : 0);
	fputs(", \"transitions_note\": ", fp);
	json_nullable(fp, r->trans_note);
	fputs(", \"transitions_lost\": ", fp);
	output_json_count(fp, r->trans_lost);
	fputs(", \"notifications_lost\": ", fp);
	output_json_count(fp, r->notify_lost);
}

/* "owners_failed": null, or when the last rescan of /proc could not
 * read some processes for want of a resource (not a refusal):
 * {"count": the rows left without an owner (the "failed" bucket),
 * "reason": "EMFILE: ..."}. */
static void
output_json_owners_failed(FILE *fp, const struct snapshot *r,
    const size_t counts[PROC_NBUCKETS])
{
	char why[80];
	int err;

	fputs(", \"owners_failed\": ", fp);
	if (r->fields.proc == NULL ||
	    (err = proc_failure(r->fields.proc, NULL)) == 0) {
		fputs("null", fp);
		return;
	}
	proc_failure_text(err, why, sizeof why);
	fprintf(fp, "{\"count\": %zu, \"reason\": ", counts[PROC_FAILED]);
	json_nullable(fp, why);
	fputc('}', fp);
}

/* "owners": how many live rows of v are in each bucket (they add up to
 * "total"), null when attribution is off; "owners_note": why some or
 * all owners are missing, or null; "owners_checked_every": in how many
 * refreshes every cached owner is checked once, null when off. */
static void
output_json_owners(FILE *fp, const struct snapshot *r,
    const struct view *v)
{
	size_t counts[PROC_NBUCKETS] = { 0 };
	int b;

	fputs("\"owners\": ", fp);
	if (r->fields.proc != NULL) {
		proc_count(r->fields.proc, v->rows, v->n, counts);
		for (b = 0; b < PROC_NBUCKETS; b++)
			fprintf(fp, "%s\"%s\": %zu", b ? ", " : "{",
			    proc_bucket_name(b), counts[b]);
		fputc('}', fp);
	} else
		fputs("null", fp);
	fputs(", \"owners_note\": ", fp);
	json_nullable(fp, r->proc_note);
	output_json_owners_failed(fp, r, counts);
	fputs(", \"owners_checked_every\": ", fp);
	if (r->fields.proc != NULL)
		fprintf(fp, "%u", proc_check_period(r->fields.proc));
	else
		fputs("null", fp);
	/* Rows an owner term could not tell: left out, never silently. */
	fprintf(fp, ", \"filter_untested\": %zu", v->untested);
}

/* A rate per second, or null when unknown. */
static void
output_json_rate(FILE *fp, double rate)
{
	if (rate < 0)
		fputs("null", fp);
	else
		fprintf(fp, "%.3f", rate);
}

/* "kernel": each counter of kstat_table by its kernel name, with its
 * total and rate (null when the kernel did not give it, or on the first
 * refresh); null without counters (a replay). */
static void
output_json_kernel(FILE *fp, const struct snapshot *r)
{
	int id;

	fputs(", \"kernel\": ", fp);
	if (r->kstat == NULL) {
		fputs("null", fp);
		return;
	}
	for (id = 0; id < KSTAT_N; id++) {
		fprintf(fp, "%s\"%s\": {\"total\": ", id ? ", " : "{",
		    kstat_table[id].name);
		if (kstat_have(r->kstat, id))
			fprintf(fp, "%" PRIu64, kstat_total(r->kstat, id));
		else
			fputs("null", fp);
		fputs(", \"rate\": ", fp);
		output_json_rate(fp, kstat_rate(r->kstat, id));
		fputc('}', fp);
	}
	fputc('}', fp);
}

/* "ssh": the operator's session and its row's rtt and retransmits
 * (null when not in view), or null without $SSH_CONNECTION. */
static void
output_json_ssh(FILE *fp, const struct snapshot *r,
    const struct view *v)
{
	char l[CONN_ENDPOINT_LEN], rm[CONN_ENDPOINT_LEN];
	const struct conn *c;

	fputs(", \"ssh\": ", fp);
	if (r->ssh == NULL) {
		fputs("null", fp);
		return;
	}
	c = ssh_find(r->ssh, v);
	fprintf(fp, "{\"local\": \"%s\", \"remote\": \"%s\", \"rtt_ms\": ",
	    ssh_fmt_end(r->ssh, 1, l, sizeof l),
	    ssh_fmt_end(r->ssh, 0, rm, sizeof rm));
	if (c != NULL && (c->s.flags & CONN_HAS_INFO) &&
	    c->s.info.rtt_us != 0)
		fprintf(fp, "%.3f", c->s.info.rtt_us / 1000.0);
	else
		fputs("null", fp);
	fputs(", \"retrans\": ", fp);
	if (c != NULL)
		fprintf(fp, "%u", field_retrans(c));
	else
		fputs("null", fp);
	fprintf(fp, ", \"in_view\": %s}", c != NULL ? "true" : "false");
}

/* "alerts": always there, empty when nothing is wrong. */
void
output_json_alerts(FILE *fp, const struct snapshot *r)
{
	size_t i;

	fputs(", \"alerts\": [", fp);
	for (i = 0; i < r->nalerts; i++) {
		const struct alert *al = &r->alerts[i];

		fprintf(fp, "%s{\"kind\": \"%s\", \"severity\": \"%s\", "
		    "\"evidence\": ", i ? ", " : "", alerts_kind_name(al->kind),
		    output_severity(al->severity));
		json_string(fp, al->evidence, strlen(al->evidence));
		fputs(", \"hint\": ", fp);
		json_string(fp, al->hint, strlen(al->hint));
		fputc('}', fp);
	}
	fprintf(fp, "], \"alerts_more\": %zu, \"alerts_outside\": ",
	    r->alerts_more);
	if (r->alerts_outside >= 0)
		fprintf(fp, "%ld", r->alerts_outside);
	else
		fputs("null", fp);
}

/* Every report object opens with when and where: "{"time": T, "host":
 * H"; the caller goes on with ", ...". */
void
output_json_open(FILE *fp, const struct snapshot *r)
{
	fputs("{\"time\": ", fp);
	json_time(fp, r->realtime_ns);
	fputs(", \"host\": ", fp);
	json_string(fp, r->host, strlen(r->host));
}

/* "model": how the rows are kept: {"mode": "dump" or "events",
 * "note": why dumps when events were wanted or null, "full_dump_age_ms":
 * since the last full dump began (events; null otherwise),
 * "corrected": rows the last full dump corrected (events that never
 * came; null before a second), "requests": exact requests of the last
 * refresh}. */
static void
output_json_model(FILE *fp, const struct snapshot *r)
{
	fputs("\"model\": {\"mode\": ", fp);
	json_nullable(fp, r->model);
	fputs(", \"note\": ", fp);
	json_nullable(fp, r->model_note);
	fputs(", \"full_dump_age_ms\": ", fp);
	output_json_count(fp, r->model_full_age_ms);
	fputs(", \"corrected\": ", fp);
	output_json_count(fp, r->model_corrected);
	fprintf(fp, ", \"requests\": %lu}", r->model_gets);
}

/* What a report and a group report open with: when, where, from what,
 * how many, and how many in each state: the states object is left open
 * for the caller to close. */
void
output_json_head(FILE *fp, const struct snapshot *r,
    const struct view *v)
{
	size_t i;

	output_json_open(fp, r);
	fputs(", ", fp);
	output_json_model(fp, r);
	fprintf(fp, ", \"source\": \"%s\", \"inconsistent\": %s, "
	    "\"dumped\": %lu, ", r->source,
	    r->inconsistent ? "true" : "false", r->dumped);
	/* Keeping time: what the refresh cost, and how late it came. */
	fputs("\"refresh_ms\": ", fp);
	output_json_count(fp, r->refresh_ms);
	fputs(", \"interval_ms\": ", fp);
	output_json_count(fp, r->interval_ms);
	fprintf(fp, ", \"delay_ms\": %ld, \"late_ms\": %ld, \"total\": %zu, "
	    "\"states\": {", r->delay_ms, r->late_ms, v->total);
	for (i = 0; i < TCPSTATE_MAX; i++)
		fprintf(fp, "%s\"%s\": %zu", i ? ", " : "",
		    tcpstate_name(tcpstate_order[i]),
		    v->states[tcpstate_order[i]]);
}

/* The view's throughput: the rows' averages summed, and how many rows
 * have one. */
static void
output_json_throughput(FILE *fp, const struct view *v)
{
	static const char *const span[RATE_NSPAN] = { "2s", "10s", "40s" };
	int i;

	fprintf(fp, "\"throughput\": {\"rows\": %zu", v->nrate);
	for (i = 0; i < RATE_NSPAN; i++)
		fprintf(fp, ", \"tx_%s\": %" PRIu64 ", \"rx_%s\": %" PRIu64,
		    span[i], v->tx[i], span[i], v->rx[i]);
	fputs("}, ", fp);
}

int
output_json(FILE *fp, const struct snapshot *r, const struct view *v)
{
	struct json_buf jb = { 0 };
	size_t i;
	const char *sep = "";

	output_json_head(fp, r, v);
	fprintf(fp, "}, \"families\": {\"ipv4\": %zu, \"ipv6\": %zu}, ",
	    v->families[0], v->families[1]);
	output_json_throughput(fp, v);
	output_json_owners(fp, r, v);
	fputs(", \"connections\": [", fp);
	/* Built in a buffer and written in large pieces: at 100k sockets
	 * this is most of the report. */
	for (i = 0; i < v->n; i++) {
		const struct conn *c = v->rows[i];

		if (c->flags & CONN_GONE)
			continue;
		json_put(&jb, sep);
		json_put(&jb, "{");
		field_json(&jb, c, &r->fields);
		/* Only on the session's row: no cost on the others. */
		json_put(&jb, r->ssh != NULL && ssh_match(r->ssh, &c->s) ?
		    ", \"ssh\": true}" : "}");
		sep = ", ";
		if (jb.n >= 65536)
			json_buf_flush(&jb, fp);
	}
	json_buf_flush(&jb, fp);
	json_buf_free(&jb);
	fputc(']', fp);
	output_json_kernel(fp, r);
	output_json_ssh(fp, r, v);
	output_json_alerts(fp, r);
	if (r->trans != NULL)
		output_json_transitions(fp, r);
	fputs("}\n", fp);
	return ferror(fp) ? -1 : 0;
}

int
output_failed(void)
{
	fprintf(stderr, "tcptop: writing the report: %s\n",
	    strerror(errno != 0 ? errno : EIO));
	return 1;
}
