/* Batch reports: aligned text like top -b, and JSON Lines. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcptop/column.h"
#include "tcptop/output.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"

#include "output_int.h"

static void
output_fmt_rtt(const struct conn *c, char *buf, size_t len)
{
	if (!(c->s.flags & CONN_HAS_INFO) || c->s.info.rtt_us == 0)
		snprintf(buf, len, "-");
	else if (c->s.info.rtt_us < 10000)
		snprintf(buf, len, "%.3fms", c->s.info.rtt_us / 1000.0);
	else
		snprintf(buf, len, "%.1fms", c->s.info.rtt_us / 1000.0);
}

/* The PID and PROCESS columns: "-" without a file, "?" hidden. */
static void
output_text_owner(FILE *fp, const struct proc *p, const struct conn *c)
{
	const struct proc_owner *o;
	int b;

	o = proc_owner(p, c, &b);
	if (o != NULL)
		fprintf(fp, " %7ld %s", (long)o->pid, o->comm);
	else
		fprintf(fp, " %7s %s", b == PROC_NOFILE ? "-" : "?",
		    b == PROC_NOFILE ? "-" : "?");
}

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
output_text_alerts(FILE *fp, const struct output_report *r)
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
}

int
output_text(FILE *fp, const struct output_report *r, const struct view *v)
{
	char when[32], host[64];
	time_t sec = (time_t)(r->realtime_ns / 1000000000);
	struct tm tm;
	size_t i, wl = 5, wr = 6, wn = 5;

	localtime_r(&sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	/* The host name is outside input: print only plain ASCII. */
	text_clean(host, sizeof host, r->host, strlen(r->host),
	    TEXT_ASCII | TEXT_NOSPACE);
	/* One header line, like top -b's summary: when, where, how many,
	 * and how many in each state. */
	fprintf(fp, "%s %s: %zu sockets (ipv4 %zu, ipv6 %zu)%s:", when, host,
	    v->total, v->families[0], v->families[1],
	    r->inconsistent ? " [inconsistent snapshot]" : "");
	for (i = 0; i < TCPSTATE_MAX; i++)
		fprintf(fp, " %s %zu", tcpstate_name(tcpstate_order[i]),
		    v->states[tcpstate_order[i]]);
	if (r->proc != NULL) {
		size_t counts[PROC_NBUCKETS];

		proc_count(r->proc, v->rows, v->n, counts);
		fprintf(fp, "; owners: process %zu, none %zu, hidden %zu",
		    counts[PROC_OWNED], counts[PROC_NOFILE],
		    counts[PROC_HIDDEN]);
	}
	fputc('\n', fp);
	output_text_alerts(fp, r);

	/* Column widths fit this report's endpoints. */
	for (i = 0; i < v->n; i++) {
		char ep[CONN_ENDPOINT_LEN];
		size_t l;

		if (v->rows[i]->flags & CONN_GONE)
			continue;
		l = strlen(conn_fmt_endpoint(&v->rows[i]->s, 0, ep,
		    sizeof ep));
		wl = l > wl ? l : wl;
		l = strlen(conn_fmt_endpoint(&v->rows[i]->s, 1, ep,
		    sizeof ep));
		wr = l > wr ? l : wr;
	}
	/* -N, --all-netns: which namespace, first. */
	for (i = 0; r->netns != NULL && i < v->n; i++) {
		size_t l = strlen(netns_tab_label(r->netns,
		    v->rows[i]->s.netns));

		wn = l > wn ? l : wn;
	}
	if (r->netns != NULL)
		fprintf(fp, "%-*s ", (int)wn, "NETNS");
	fprintf(fp, "%-4s %-*s %-*s %-11s %7s %7s %8s %9s %5s", "FAM",
	    (int)wl, "LOCAL", (int)wr, "REMOTE", "STATE", "RECV-Q", "SEND-Q",
	    "INSTATE", "RTT", "RETR");
	fputs(r->proc != NULL ? "     PID PROCESS\n" : "\n", fp);
	for (i = 0; i < v->n; i++) {
		const struct conn *c = v->rows[i];
		char l[CONN_ENDPOINT_LEN], rm[CONN_ENDPOINT_LEN], age[24];
		char rtt[24];

		if (c->flags & CONN_GONE)
			continue;
		column_fmt_age(r->now_ms - c->state_since_ms,
		    column_age_at_least(c), age, sizeof age);
		output_fmt_rtt(c, rtt, sizeof rtt);
		if (r->netns != NULL)
			fprintf(fp, "%-*s ", (int)wn, netns_tab_label(r->netns,
			    c->s.netns));
		fprintf(fp, "%-4s %-*s %-*s %-11s %7u %7u %8s %9s %5u",
		    conn_family_name(c->s.family),
		    (int)wl, conn_fmt_endpoint(&c->s, 0, l, sizeof l),
		    (int)wr, conn_fmt_endpoint(&c->s, 1, rm, sizeof rm),
		    tcpstate_name(c->s.state), c->s.rqueue, c->s.wqueue, age,
		    rtt, column_retrans(c));
		if (r->proc != NULL)
			output_text_owner(fp, r->proc, c);
		fputc('\n', fp);
	}
	fputc('\n', fp);
	return ferror(fp) ? -1 : 0;
}

void
output_json_string(FILE *fp, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', fp);
	while (i < len) {
		unsigned char ch = s[i];
		size_t n;

		if (ch < 0x80) {
			if (ch == '"' || ch == '\\')
				fprintf(fp, "\\%c", ch);
			else if (ch < 0x20 || ch == 0x7f)
				fprintf(fp, "\\u%04x", ch);
			else
				fputc(ch, fp);
			i++;
			continue;
		}
		/* Copy a well-formed UTF-8 sequence whole; anything else
		 * becomes U+FFFD, one byte at a time. */
		if ((n = text_utf8_len(str + i, len - i, NULL)) == 0) {
			fputs("\\ufffd", fp);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, fp);
		i += n;
	}
	fputc('"', fp);
}

/* A string, or null for NULL. */
void
output_json_nullable(FILE *fp, const char *s)
{
	if (s != NULL)
		output_json_string(fp, s, strlen(s));
	else
		fputs("null", fp);
}

/* Seconds with milliseconds.  Any time a recording claims, even a
 * negative one, must still print as one JSON number. */
void
output_json_time(FILE *fp, int64_t realtime_ns)
{
	uint64_t ns = realtime_ns < 0 ? -(uint64_t)realtime_ns :
	    (uint64_t)realtime_ns;

	fprintf(fp, "%s%" PRIu64 ".%03" PRIu64, realtime_ns < 0 ? "-" : "",
	    ns / 1000000000, ns / 1000000 % 1000);
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
output_json_transitions(FILE *fp, const struct output_report *r)
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

		memset(&s, 0, sizeof s);
		s.family = ev[i].family;
		memcpy(s.local, ev[i].local, 16);
		memcpy(s.remote, ev[i].remote, 16);
		fprintf(fp, "%s{\"time\": ", i ? ", " : "");
		output_json_time(fp, ev[i].realtime_ns);
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
	output_json_string(fp, r->trans_source != NULL ? r->trans_source : "",
	    r->trans_source != NULL ? strlen(r->trans_source) : 0);
	fputs(", \"transitions_note\": ", fp);
	output_json_nullable(fp, r->trans_note);
}

/* "cgroup_id", "cgroup" (the path below the cgroup2 mount, null when
 * the socket has none or it is not found) and, with -N or --all-netns,
 * "netns". */
static void
output_json_where(FILE *fp, const struct output_report *r,
    const struct conn *c)
{
	const char *path = cgroup_map_path(r->cgroups, c->s.cgroup);

	if (c->s.cgroup != 0)
		fprintf(fp, ", \"cgroup_id\": %" PRIu64,
		    cgroup_id(c->s.cgroup));
	else
		fputs(", \"cgroup_id\": null", fp);
	fputs(", \"cgroup\": ", fp);
	output_json_nullable(fp, path);
	if (r->netns != NULL) {
		const char *ns = netns_tab_label(r->netns, c->s.netns);

		fputs(", \"netns\": ", fp);
		output_json_string(fp, ns, strlen(ns));
	}
}

/* The connection fields of issue 6's columns: the rest of tcp_info,
 * the throughput, the timer by name and a listener's accept queue. */
static void
output_json_tcp(FILE *fp, const struct conn *c)
{
	const struct conn_tcpinfo *ti = &c->s.info;
	double pct;

	if (c->s.flags & CONN_HAS_INFO)
		fprintf(fp, ", \"ssthresh\": %u, \"lost\": %u, "
		    "\"delivery_rate\": %" PRIu64 ", \"snd_wnd\": %u, "
		    "\"rcv_space\": %u", ti->snd_ssthresh, ti->lost,
		    ti->delivery_rate, ti->snd_wnd, ti->rcv_space);
	else
		fputs(", \"ssthresh\": null, \"lost\": null, "
		    "\"delivery_rate\": null, \"snd_wnd\": null, "
		    "\"rcv_space\": null", fp);
	if (c->flags & CONN_RATE)
		fprintf(fp, ", \"throughput_tx\": %" PRIu64 ", "
		    "\"throughput_rx\": %" PRIu64, c->tx_rate, c->rx_rate);
	else
		fputs(", \"throughput_tx\": null, \"throughput_rx\": null",
		    fp);
	if (c->s.timer != 0)
		fprintf(fp, ", \"timer_name\": \"%s\"",
		    column_timer_name(c->s.timer));
	else
		fputs(", \"timer_name\": null", fp);
	if (column_accept_fill(c, &pct) == 0)
		fprintf(fp, ", \"accept_fill_pct\": %.1f", pct);
	else
		fputs(", \"accept_fill_pct\": null", fp);
}

/* "owners": how many live rows of v are in each bucket (they add up to
 * "total"), null when attribution is off; "owners_note": why some or
 * all owners are missing, or null. */
static void
output_json_owners(FILE *fp, const struct output_report *r,
    const struct view *v)
{
	size_t counts[PROC_NBUCKETS];
	int b;

	fputs("\"owners\": ", fp);
	if (r->proc != NULL) {
		proc_count(r->proc, v->rows, v->n, counts);
		for (b = 0; b < PROC_NBUCKETS; b++)
			fprintf(fp, "%s\"%s\": %zu", b ? ", " : "{",
			    proc_bucket_name(b), counts[b]);
		fputc('}', fp);
	} else
		fputs("null", fp);
	fputs(", \"owners_note\": ", fp);
	output_json_nullable(fp, r->proc_note);
}

/* A connection's "owner" bucket (null when attribution is off) and its
 * "pid", "comm" and "user" (null without an owner).  comm and user are
 * sanitized by proc.c, and escaped here again as any string. */
static void
output_json_owner(FILE *fp, const struct proc *p, const struct conn *c)
{
	const struct proc_owner *o;
	int b;

	o = proc_owner(p, c, &b);
	if (b == PROC_OFF)
		fputs(", \"owner\": null", fp);
	else
		fprintf(fp, ", \"owner\": \"%s\"", proc_bucket_name(b));
	if (o == NULL) {
		fputs(", \"pid\": null, \"comm\": null, \"user\": null", fp);
		return;
	}
	fprintf(fp, ", \"pid\": %ld, \"comm\": ", (long)o->pid);
	output_json_string(fp, o->comm, strlen(o->comm));
	fputs(", \"user\": ", fp);
	output_json_string(fp, o->user, strlen(o->user));
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
output_json_kernel(FILE *fp, const struct output_report *r)
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
output_json_ssh(FILE *fp, const struct output_report *r,
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
	if (c != NULL && (c->s.flags & CONN_HAS_INFO))
		fprintf(fp, "%.3f", c->s.info.rtt_us / 1000.0);
	else
		fputs("null", fp);
	fputs(", \"retrans\": ", fp);
	if (c != NULL)
		fprintf(fp, "%u", column_retrans(c));
	else
		fputs("null", fp);
	fprintf(fp, ", \"in_view\": %s}", c != NULL ? "true" : "false");
}

/* "alerts": always there, empty when nothing is wrong. */
void
output_json_alerts(FILE *fp, const struct output_report *r)
{
	size_t i;

	fputs(", \"alerts\": [", fp);
	for (i = 0; i < r->nalerts; i++) {
		const struct alert *al = &r->alerts[i];

		fprintf(fp, "%s{\"kind\": \"%s\", \"severity\": \"%s\", "
		    "\"evidence\": ", i ? ", " : "", alerts_kind_name(al->kind),
		    output_severity(al->severity));
		output_json_string(fp, al->evidence, strlen(al->evidence));
		fputs(", \"hint\": ", fp);
		output_json_string(fp, al->hint, strlen(al->hint));
		fputc('}', fp);
	}
	fprintf(fp, "], \"alerts_more\": %zu", r->alerts_more);
}

/* Every report object opens with when and where: "{"time": T, "host":
 * H"; the caller goes on with ", ...". */
void
output_json_open(FILE *fp, const struct output_report *r)
{
	fputs("{\"time\": ", fp);
	output_json_time(fp, r->realtime_ns);
	fputs(", \"host\": ", fp);
	output_json_string(fp, r->host, strlen(r->host));
}

/* What a report and a group report open with: when, where, from what,
 * how many, and how many in each state: the states object is left open
 * for the caller to close. */
void
output_json_head(FILE *fp, const struct output_report *r,
    const struct view *v)
{
	size_t i;

	output_json_open(fp, r);
	fprintf(fp, ", \"source\": \"%s\", \"inconsistent\": %s, "
	    "\"dumped\": %lu, \"total\": %zu, \"states\": {", r->source,
	    r->inconsistent ? "true" : "false", r->dumped, v->total);
	for (i = 0; i < TCPSTATE_MAX; i++)
		fprintf(fp, "%s\"%s\": %zu", i ? ", " : "",
		    tcpstate_name(tcpstate_order[i]),
		    v->states[tcpstate_order[i]]);
}

int
output_json(FILE *fp, const struct output_report *r, const struct view *v)
{
	size_t i;
	const char *sep = "";

	output_json_head(fp, r, v);
	fprintf(fp, "}, \"families\": {\"ipv4\": %zu, \"ipv6\": %zu}, ",
	    v->families[0], v->families[1]);
	output_json_owners(fp, r, v);
	fputs(", \"connections\": [", fp);
	for (i = 0; i < v->n; i++) {
		const struct conn *c = v->rows[i];
		char la[CONN_ADDR_LEN], ra[CONN_ADDR_LEN];
		const char *cc;
		int info = (c->s.flags & CONN_HAS_INFO) != 0;

		if (c->flags & CONN_GONE)
			continue;
		fprintf(fp, "%s{\"family\": \"%s\", \"local_addr\": \"%s\", "
		    "\"local_port\": %u, \"remote_addr\": \"%s\", "
		    "\"remote_port\": %u, \"state\": \"%s\", \"recv_q\": %u, "
		    "\"send_q\": %u, \"uid\": %u, \"inode\": %u, "
		    "\"cookie\": \"%" PRIu64 "\", \"state_age_s\": %.3f, "
		    "\"state_age_at_least\": %s, \"age_s\": %.3f, "
		    "\"age_at_least\": %s, \"prev_state\": ",
		    sep, conn_family_name(c->s.family),
		    conn_fmt_addr(&c->s, 0, la, sizeof la), c->s.lport,
		    conn_fmt_addr(&c->s, 1, ra, sizeof ra), c->s.rport,
		    tcpstate_name(c->s.state), c->s.rqueue, c->s.wqueue,
		    c->s.uid, c->s.inode, c->s.cookie,
		    (double)(r->now_ms - c->state_since_ms) / 1000.0,
		    column_age_at_least(c) ? "true" : "false",
		    (double)(r->now_ms - c->first_seen_ms) / 1000.0,
		    (c->flags & CONN_PREEXISTING) ? "true" : "false");
		if (c->prev_state != 0)
			fprintf(fp, "\"%s\"", tcpstate_name(c->prev_state));
		else
			fputs("null", fp);
		fprintf(fp, ", \"timer\": %u, \"timer_expires_ms\": %u, "
		    "\"retrans\": %u", c->s.timer, c->s.expires_ms,
		    column_retrans(c));
		if (info)
			fprintf(fp, ", \"rtt_ms\": %.3f, \"rttvar_ms\": %.3f, "
			    "\"cwnd\": %u, \"bytes_acked\": %" PRIu64 ", "
			    "\"bytes_received\": %" PRIu64,
			    c->s.info.rtt_us / 1000.0,
			    c->s.info.rttvar_us / 1000.0, c->s.info.snd_cwnd,
			    c->s.info.bytes_acked, c->s.info.bytes_received);
		else
			fputs(", \"rtt_ms\": null, \"rttvar_ms\": null, "
			    "\"cwnd\": null, \"bytes_acked\": null, "
			    "\"bytes_received\": null", fp);
		output_json_tcp(fp, c);
		cc = conn_cc_name(c->s.cc);
		fputs(", \"cc\": ", fp);
		if (*cc != '\0')
			output_json_string(fp, cc, strlen(cc));
		else
			fputs("null", fp);
		if (c->s.flags & CONN_HAS_SHUTDOWN)
			fprintf(fp, ", \"shutdown\": %u", c->s.shutdown);
		else
			fputs(", \"shutdown\": null", fp);
		output_json_where(fp, r, c);
		output_json_owner(fp, r->proc, c);
		/* Only on the session's row: no cost on the others. */
		fputs(r->ssh != NULL && ssh_match(r->ssh, &c->s) ?
		    ", \"ssh\": true}" : "}", fp);
		sep = ", ";
	}
	fputc(']', fp);
	output_json_kernel(fp, r);
	output_json_ssh(fp, r, v);
	output_json_alerts(fp, r);
	if (r->trans != NULL)
		output_json_transitions(fp, r);
	fputs("}\n", fp);
	return ferror(fp) ? -1 : 0;
}
