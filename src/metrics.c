/* A snapshot as Prometheus metrics: counted once per refresh, written
 * in the text format or OpenMetrics from one table of families. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "tcptop/alerts.h"
#include "tcptop/conntab.h"
#include "tcptop/metrics.h"
#include "tcptop/proc.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"
#include "tcptop/trans.h"
#include "tcptop/xmalloc.h"

#define METRICS_NPORTS	65536
#define METRICS_UNKNOWN	"(unknown)"

/* One listened-on local port and the sockets on it. */
struct metrics_service {
	uint16_t port;
	uint64_t states[16];		/* live sockets per state */
	uint64_t total;
	uint64_t queued;		/* its listeners' accept queues */
	uint64_t backlog;		/* and their limits, summed */
	double fill;			/* the fullest listener's queue over
					 * its backlog, 0..1 */
};

/* One process's CLOSE_WAIT sockets. */
struct metrics_proc {
	char comm[PROC_COMM_LEN];
	uint64_t n;
};

struct metrics {
	/* What metrics_collect counted. */
	uint64_t sockets[2][16];	/* [IPv6][state] */
	int32_t *slot;			/* port -> index in svc, -1 none */
	struct metrics_service *svc;
	size_t nsvc, svccap;
	struct metrics_proc *cw;	/* one per CLOSE_WAIT socket, then
					 * one per process */
	size_t ncw, cwcap;
	int owners;			/* processes are attributed */
	uint64_t alerts[ALERT_NKINDS];
	uint64_t alerts_more;
	long alerts_outside;
	uint64_t trans[16][16];
	int have_trans, exact;
	long trans_lost, notify_lost;
	long good, refresh_ms, late_ms, delay_ms;
	int64_t realtime_ns;
	unsigned long dumped;
	int inconsistent, filtered;
	char error[METRICS_REASON_MAX + 1];

	/* Rendering. */
	enum metrics_format fmt;
	const struct metrics_family *fam;
	int fam_open;			/* its HELP and TYPE are out */
	char *out;
	size_t len, cap;
};

struct metrics *
metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof *m);

	m->slot = xreallocarray(NULL, METRICS_NPORTS, sizeof *m->slot);
	memset(m->slot, 0xff, METRICS_NPORTS * sizeof *m->slot);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->slot);
	free(m->svc);
	free(m->cw);
	free(m->out);
	free(m);
}

const char *
metrics_content_type(enum metrics_format fmt)
{
	return fmt == METRICS_OPENMETRICS ?
	    "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	    "text/plain; version=0.0.4; charset=utf-8";
}

/* The service of port, made when make is set.  NULL: none. */
static struct metrics_service *
metrics_service(struct metrics *m, uint16_t port, int make)
{
	struct metrics_service *s;

	if (m->slot[port] >= 0)
		return &m->svc[m->slot[port]];
	if (!make)
		return NULL;
	if (m->nsvc == m->svccap) {
		m->svccap = m->svccap ? 2 * m->svccap : 64;
		m->svc = xreallocarray(m->svc, m->svccap, sizeof *m->svc);
	}
	s = &m->svc[m->nsvc];
	memset(s, 0, sizeof *s);
	s->port = port;
	m->slot[port] = (int32_t)m->nsvc++;
	return s;
}

/* A CLOSE_WAIT socket of the process comm ("" unknown). */
static void
metrics_close_wait(struct metrics *m, const char *comm)
{
	if (m->ncw == m->cwcap) {
		m->cwcap = m->cwcap ? 2 * m->cwcap : 64;
		m->cw = xreallocarray(m->cw, m->cwcap, sizeof *m->cw);
	}
	snprintf(m->cw[m->ncw].comm, sizeof m->cw[m->ncw].comm, "%s", comm);
	m->cw[m->ncw++].n = 1;
}

/* Forget the last refresh's rows: only the ports it used. */
static void
metrics_reset_rows(struct metrics *m)
{
	size_t i;

	for (i = 0; i < m->nsvc; i++)
		m->slot[m->svc[i].port] = -1;
	m->nsvc = 0;
	m->ncw = 0;
	memset(m->sockets, 0, sizeof m->sockets);
}

/* Pass one: the listeners make the services. */
static void
metrics_listeners(struct metrics *m, struct conn *const *rows, size_t n,
    const struct snapshot *snap, const struct filter *f)
{
	struct metrics_service *s;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct conn *c = rows[i];

		if ((c->flags & CONN_GONE) || c->s.state != TCP_LISTEN ||
		    filter_match_conn(f, c, &snap->fields) != 1)
			continue;
		s = metrics_service(m, c->s.lport, 1);
		s->queued += c->s.rqueue;
		s->backlog += c->s.wqueue;
		if (c->s.wqueue > 0 &&
		    (double)c->s.rqueue / c->s.wqueue > s->fill)
			s->fill = (double)c->s.rqueue / c->s.wqueue;
	}
}

/* Pass two: every live row in its state, its service and, in
 * CLOSE_WAIT, its process. */
static void
metrics_rows(struct metrics *m, struct conn *const *rows, size_t n,
    const struct snapshot *snap, const struct filter *f)
{
	const struct proc_owner *o;
	struct metrics_service *s;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct conn *c = rows[i];
		unsigned st = c->s.state & 15;

		if ((c->flags & CONN_GONE) ||
		    filter_match_conn(f, c, &snap->fields) != 1)
			continue;
		m->sockets[c->s.family == AF_INET6][st]++;
		if ((s = metrics_service(m, c->s.lport, 0)) != NULL) {
			s->states[st]++;
			s->total++;
		}
		if (st == TCP_CLOSE_WAIT) {
			o = proc_owner(snap->fields.proc, c, NULL);
			metrics_close_wait(m, o != NULL ? o->comm : "");
		}
	}
}

static int
metrics_cmp_service(const void *a, const void *b)
{
	const struct metrics_service *x = a, *y = b;

	if (x->total != y->total)
		return (x->total < y->total) - (x->total > y->total);
	return (x->port > y->port) - (x->port < y->port);
}

static int
metrics_cmp_comm(const void *a, const void *b)
{
	const struct metrics_proc *x = a, *y = b;

	return strcmp(x->comm, y->comm);
}

static int
metrics_cmp_proc(const void *a, const void *b)
{
	const struct metrics_proc *x = a, *y = b;

	if (x->n != y->n)
		return (x->n < y->n) - (x->n > y->n);
	return strcmp(x->comm, y->comm);
}

/* The services busiest first, and the CLOSE_WAIT sockets one entry per
 * process, most first.  The slots index the sorted services no more:
 * metrics_reset_rows only reads their ports. */
static void
metrics_rank(struct metrics *m)
{
	size_t i, k = 0;

	/* qsort wants an array, even of none (NULL before the first). */
	if (m->nsvc > 1)
		qsort(m->svc, m->nsvc, sizeof *m->svc, metrics_cmp_service);
	for (i = 0; i < m->nsvc; i++)
		m->slot[m->svc[i].port] = (int32_t)i;
	if (m->ncw > 1)
		qsort(m->cw, m->ncw, sizeof *m->cw, metrics_cmp_comm);
	for (i = 0; i < m->ncw; i++) {
		if (k > 0 && strcmp(m->cw[k - 1].comm, m->cw[i].comm) == 0)
			m->cw[k - 1].n++;
		else
			m->cw[k++] = m->cw[i];
	}
	m->ncw = k;
	if (m->ncw > 1)
		qsort(m->cw, m->ncw, sizeof *m->cw, metrics_cmp_proc);
}

/* What is not rows: alerts, transitions, the clocks. */
static void
metrics_scalars(struct metrics *m, const struct snapshot *snap,
    const struct filter *f)
{
	size_t i;
	int a, b;

	memset(m->alerts, 0, sizeof m->alerts);
	for (i = 0; i < snap->nalerts; i++)
		if (snap->alerts[i].kind >= 0 &&
		    snap->alerts[i].kind < ALERT_NKINDS)
			m->alerts[snap->alerts[i].kind]++;
	m->alerts_more = snap->alerts_more;
	m->alerts_outside = snap->alerts_outside;
	m->have_trans = snap->trans != NULL;
	for (a = 0; a < 16; a++)
		for (b = 0; b < 16; b++)
			m->trans[a][b] = m->have_trans ?
			    trans_count(snap->trans, a, b) : 0;
	m->exact = snap->trans_source != NULL &&
	    strncmp(snap->trans_source, "exact", 5) == 0;
	m->trans_lost = snap->trans_lost;
	m->notify_lost = snap->notify_lost;
	m->good = snap->good;
	m->refresh_ms = snap->refresh_ms;
	m->late_ms = snap->late_ms;
	m->delay_ms = snap->delay_ms;
	m->realtime_ns = snap->realtime_ns;
	m->dumped = snap->dumped;
	m->inconsistent = snap->inconsistent;
	m->filtered = f != NULL && !filter_keeps_all(f);
	m->owners = snap->fields.proc != NULL;
	text_clean(m->error, sizeof m->error, snap->error != NULL ?
	    snap->error : "", snap->error != NULL ? strlen(snap->error) : 0,
	    0);
}

void
metrics_collect(struct metrics *m, const struct snapshot *snap,
    const struct filter *f)
{
	struct conn *const *rows = NULL;
	size_t n = 0;

	metrics_reset_rows(m);
	if (snap->tab != NULL)
		rows = conntab_rows(snap->tab, &n);
	metrics_listeners(m, rows, n, snap, f);
	metrics_rows(m, rows, n, snap, f);
	metrics_rank(m);
	metrics_scalars(m, snap, f);
}

/* Rendering. */

static void __attribute__((format(printf, 2, 3)))
metrics_printf(struct metrics *m, const char *fmt, ...)
{
	va_list ap;
	int r;

	for (;;) {
		va_start(ap, fmt);
		r = vsnprintf(m->out + m->len, m->cap - m->len, fmt, ap);
		va_end(ap);
		if (r < 0)
			return;
		if ((size_t)r < m->cap - m->len)
			break;
		m->cap = (m->cap + (size_t)r + 1) * 2;
		m->out = xreallocarray(m->out, m->cap, 1);
	}
	m->len += (size_t)r;
}

/* A label value, escaped as both formats want: \\, \" and \n. */
static void
metrics_escape(char *dst, size_t size, const char *src)
{
	size_t o = 0;

	for (; *src != '\0' && o + 3 < size; src++) {
		if (*src == '\\' || *src == '"' || *src == '\n') {
			dst[o++] = '\\';
			dst[o++] = *src == '\n' ? 'n' : *src;
		} else
			dst[o++] = *src;
	}
	dst[o] = '\0';
}

static const char *
metrics_suffix(enum metrics_type t)
{
	return t == METRICS_COUNTER ? "_total" : t == METRICS_INFO ? "_info" :
	    "";
}

/* HELP and TYPE of the current family, before its first sample. */
static void
metrics_open_family(struct metrics *m)
{
	const struct metrics_family *f = m->fam;
	const char *type, *sfx = "";

	if (m->fam_open)
		return;
	m->fam_open = 1;
	if (m->fmt == METRICS_PROMETHEUS) {
		sfx = metrics_suffix(f->type);
		type = f->type == METRICS_COUNTER ? "counter" : "gauge";
	} else
		type = f->type == METRICS_COUNTER ? "counter" :
		    f->type == METRICS_INFO ? "info" : "gauge";
	metrics_printf(m, "# HELP %s%s %s\n# TYPE %s%s %s\n", f->name, sfx,
	    f->help, f->name, sfx, type);
}

/* One sample of the current family: labels ("" none, else
 * `a="x",b="y"`, escaped) and value. */
static void
metrics_sample(struct metrics *m, const char *labels, double value)
{
	metrics_open_family(m);
	metrics_printf(m, "%s%s%s%s%s %.15g\n", m->fam->name,
	    metrics_suffix(m->fam->type), labels[0] ? "{" : "", labels,
	    labels[0] ? "}" : "", value);
}

/* A sample with one label. */
static void
metrics_sample1(struct metrics *m, const char *key, const char *val,
    double value)
{
	char esc[4 * 64], labels[sizeof esc + 32];

	metrics_escape(esc, sizeof esc, val);
	snprintf(labels, sizeof labels, "%s=\"%s\"", key, esc);
	metrics_sample(m, labels, value);
}

/* The families. */

static void
metrics_emit_sockets(struct metrics *m)
{
	char labels[64];
	int fam, i;

	for (fam = 0; fam < 2; fam++)
		for (i = 0; i < TCPSTATE_MAX; i++) {
			snprintf(labels, sizeof labels,
			    "family=\"%s\",state=\"%s\"",
			    fam ? "ipv6" : "ipv4",
			    tcpstate_name(tcpstate_order[i]));
			metrics_sample(m, labels,
			    (double)m->sockets[fam][tcpstate_order[i]]);
		}
}

/* The services past METRICS_TOP summed into one, "other". */
static void
metrics_other(const struct metrics *m, struct metrics_service *o)
{
	size_t i;
	int st;

	memset(o, 0, sizeof *o);
	for (i = METRICS_TOP; i < m->nsvc; i++) {
		for (st = 0; st < 16; st++)
			o->states[st] += m->svc[i].states[st];
		o->total += m->svc[i].total;
		o->queued += m->svc[i].queued;
		o->backlog += m->svc[i].backlog;
		if (m->svc[i].fill > o->fill)
			o->fill = m->svc[i].fill;
	}
}

/* Each shown service, then "other" when there are more: its port as
 * label text into port, the service into *s.  Returns 0 when done. */
static int
metrics_next_service(const struct metrics *m, size_t *i,
    struct metrics_service *other, const struct metrics_service **s,
    char *port, size_t len)
{
	if (*i < m->nsvc && *i < METRICS_TOP) {
		*s = &m->svc[*i];
		snprintf(port, len, "%u", (*s)->port);
	} else if (*i == METRICS_TOP && m->nsvc > METRICS_TOP) {
		metrics_other(m, other);
		*s = other;
		snprintf(port, len, "other");
	} else
		return 0;
	(*i)++;
	return 1;
}

static void
metrics_emit_service_sockets(struct metrics *m)
{
	struct metrics_service other;
	const struct metrics_service *s;
	char port[16], labels[64];
	size_t i = 0;
	int k;

	while (metrics_next_service(m, &i, &other, &s, port, sizeof port))
		for (k = 0; k < TCPSTATE_MAX; k++) {
			snprintf(labels, sizeof labels,
			    "port=\"%s\",state=\"%s\"", port,
			    tcpstate_name(tcpstate_order[k]));
			metrics_sample(m, labels,
			    (double)s->states[tcpstate_order[k]]);
		}
}

static void
metrics_emit_service_queue(struct metrics *m)
{
	struct metrics_service other;
	const struct metrics_service *s;
	char port[16];
	size_t i = 0;

	while (metrics_next_service(m, &i, &other, &s, port, sizeof port))
		metrics_sample1(m, "port", port, (double)s->queued);
}

static void
metrics_emit_service_backlog(struct metrics *m)
{
	struct metrics_service other;
	const struct metrics_service *s;
	char port[16];
	size_t i = 0;

	while (metrics_next_service(m, &i, &other, &s, port, sizeof port))
		metrics_sample1(m, "port", port, (double)s->backlog);
}

static void
metrics_emit_service_fill(struct metrics *m)
{
	struct metrics_service other;
	const struct metrics_service *s;
	char port[16];
	size_t i = 0;

	while (metrics_next_service(m, &i, &other, &s, port, sizeof port))
		metrics_sample1(m, "port", port, s->fill);
}

static void
metrics_emit_services(struct metrics *m)
{
	metrics_sample(m, "", (double)m->nsvc);
}

static void
metrics_emit_process_close_wait(struct metrics *m)
{
	uint64_t other = 0;
	size_t i;

	if (!m->owners)
		return;
	for (i = 0; i < m->ncw; i++) {
		if (i >= METRICS_TOP) {
			other += m->cw[i].n;
			continue;
		}
		metrics_sample1(m, "process", m->cw[i].comm[0] != '\0' ?
		    m->cw[i].comm : METRICS_UNKNOWN, (double)m->cw[i].n);
	}
	if (m->ncw > METRICS_TOP)
		metrics_sample1(m, "process", "other", (double)other);
}

static void
metrics_emit_transitions(struct metrics *m)
{
	char labels[64];
	size_t i;
	int a, b;

	if (!m->have_trans)
		return;
	/* Every edge of the diagram, 0 or not, then any other pair the
	 * kernel reported, as the JSON report lists them. */
	for (i = 0; i < trans_nedges; i++) {
		a = trans_edges[i].from;
		b = trans_edges[i].to;
		snprintf(labels, sizeof labels, "from=\"%s\",to=\"%s\"",
		    tcpstate_name(a), tcpstate_name(b));
		metrics_sample(m, labels, (double)m->trans[a][b]);
	}
	for (a = TCPSTATE_MIN; a <= TCPSTATE_MAX; a++)
		for (b = TCPSTATE_MIN; b <= TCPSTATE_MAX; b++)
			if (trans_edge_find(a, b) < 0 && m->trans[a][b] > 0) {
				snprintf(labels, sizeof labels,
				    "from=\"%s\",to=\"%s\"", tcpstate_name(a),
				    tcpstate_name(b));
				metrics_sample(m, labels,
				    (double)m->trans[a][b]);
			}
}

static void
metrics_emit_transitions_exact(struct metrics *m)
{
	if (m->have_trans)
		metrics_sample(m, "", m->exact);
}

static void
metrics_emit_transitions_lost(struct metrics *m)
{
	if (m->trans_lost >= 0)
		metrics_sample(m, "", (double)m->trans_lost);
}

static void
metrics_emit_notifications_lost(struct metrics *m)
{
	if (m->notify_lost >= 0)
		metrics_sample(m, "", (double)m->notify_lost);
}

static void
metrics_emit_alerts(struct metrics *m)
{
	int k;

	for (k = 0; k < ALERT_NKINDS; k++)
		metrics_sample1(m, "kind", alert_kinds[k].name,
		    (double)m->alerts[k]);
}

static void
metrics_emit_alerts_unlisted(struct metrics *m)
{
	metrics_sample(m, "", (double)m->alerts_more);
}

static void
metrics_emit_alerts_outside(struct metrics *m)
{
	if (m->alerts_outside >= 0)
		metrics_sample(m, "", (double)m->alerts_outside);
}

static void
metrics_emit_refreshes(struct metrics *m)
{
	metrics_sample(m, "", (double)m->good);
}

static void
metrics_emit_refresh_duration(struct metrics *m)
{
	if (m->refresh_ms >= 0)
		metrics_sample(m, "", m->refresh_ms / 1000.0);
}

static void
metrics_emit_refresh_late(struct metrics *m)
{
	if (m->late_ms >= 0)
		metrics_sample(m, "", m->late_ms / 1000.0);
}

static void
metrics_emit_refresh_delay(struct metrics *m)
{
	if (m->delay_ms >= 0)
		metrics_sample(m, "", m->delay_ms / 1000.0);
}

static void
metrics_emit_last_refresh(struct metrics *m)
{
	if (m->realtime_ns > 0)
		metrics_sample(m, "", m->realtime_ns / 1e9);
}

static void
metrics_emit_refresh_failed(struct metrics *m)
{
	metrics_sample(m, "", m->error[0] != '\0');
}

static void
metrics_emit_refresh_error(struct metrics *m)
{
	if (m->error[0] != '\0')
		metrics_sample1(m, "reason", m->error, 1);
}

static void
metrics_emit_dumped(struct metrics *m)
{
	metrics_sample(m, "", (double)m->dumped);
}

static void
metrics_emit_inconsistent(struct metrics *m)
{
	metrics_sample(m, "", m->inconsistent);
}

static void
metrics_emit_filtered(struct metrics *m)
{
	metrics_sample(m, "", m->filtered);
}

static void
metrics_emit_build(struct metrics *m)
{
	metrics_sample1(m, "version", PACKAGE_VERSION, 1);
}

const struct metrics_family metrics_families[] = {
	{ "tcptop_sockets", METRICS_GAUGE, "family,state",
	  "TCP sockets per address family and state, as the last refresh "
	  "found them", metrics_emit_sockets },
	{ "tcptop_services", METRICS_GAUGE, "",
	  "Listened-on local ports (services); past 20 they are summed "
	  "as port=\"other\"", metrics_emit_services },
	{ "tcptop_service_sockets", METRICS_GAUGE, "port,state",
	  "Sockets per state whose local port a LISTEN socket listens on",
	  metrics_emit_service_sockets },
	{ "tcptop_service_accept_queue", METRICS_GAUGE, "port",
	  "Connections waiting in the accept queues of a port's listeners",
	  metrics_emit_service_queue },
	{ "tcptop_service_accept_backlog", METRICS_GAUGE, "port",
	  "The backlog limits of a port's listeners, summed",
	  metrics_emit_service_backlog },
	{ "tcptop_service_accept_queue_fill_ratio", METRICS_GAUGE, "port",
	  "The fullest accept queue among a port's listeners, over its "
	  "backlog (0 to 1)", metrics_emit_service_fill },
	{ "tcptop_process_close_wait", METRICS_GAUGE, "process",
	  "CLOSE_WAIT sockets per owning process name; past 20 summed as "
	  "process=\"other\"", metrics_emit_process_close_wait },
	{ "tcptop_transitions", METRICS_COUNTER, "from,to",
	  "TCP state transitions seen since tcptop started",
	  metrics_emit_transitions },
	{ "tcptop_transitions_exact", METRICS_GAUGE, "",
	  "1 when transitions come from the kernel's tracepoint (exact but "
	  "for the lost), 0 when sampled from refreshes",
	  metrics_emit_transitions_exact },
	{ "tcptop_transitions_lost", METRICS_COUNTER, "",
	  "Tracepoint events the kernel lost (buffer overruns)",
	  metrics_emit_transitions_lost },
	{ "tcptop_notifications_lost", METRICS_COUNTER, "",
	  "Times the socket destroy notifications overflowed",
	  metrics_emit_notifications_lost },
	{ "tcptop_alerts", METRICS_GAUGE, "kind",
	  "Alerts firing, per kind", metrics_emit_alerts },
	{ "tcptop_alerts_unlisted", METRICS_GAUGE, "",
	  "Alerts firing beyond those listed (their kinds not counted in "
	  "tcptop_alerts)", metrics_emit_alerts_unlisted },
	{ "tcptop_alerts_outside_filter", METRICS_GAUGE, "",
	  "Alerts about sockets the filters leave out",
	  metrics_emit_alerts_outside },
	{ "tcptop_refreshes", METRICS_COUNTER, "",
	  "Refreshes that worked", metrics_emit_refreshes },
	{ "tcptop_refresh_duration_seconds", METRICS_GAUGE, "",
	  "How long the last refresh took", metrics_emit_refresh_duration },
	{ "tcptop_refresh_late_seconds", METRICS_GAUGE, "",
	  "How late the last refresh came after its delay",
	  metrics_emit_refresh_late },
	{ "tcptop_refresh_delay_seconds", METRICS_GAUGE, "",
	  "The delay asked for between refreshes",
	  metrics_emit_refresh_delay },
	{ "tcptop_last_refresh_timestamp_seconds", METRICS_GAUGE, "",
	  "Wall-clock time of the last refresh's dump",
	  metrics_emit_last_refresh },
	{ "tcptop_refresh_failed", METRICS_GAUGE, "",
	  "1 when the last refresh failed (the counts are the last good "
	  "ones)", metrics_emit_refresh_failed },
	{ "tcptop_refresh_error", METRICS_INFO, "reason",
	  "Why the last refresh failed (only while it does)",
	  metrics_emit_refresh_error },
	{ "tcptop_sockets_dumped", METRICS_GAUGE, "",
	  "Sockets the last dump carried, before the user-space filter",
	  metrics_emit_dumped },
	{ "tcptop_dump_inconsistent", METRICS_GAUGE, "",
	  "1 when the kernel interrupted the last dump twice",
	  metrics_emit_inconsistent },
	{ "tcptop_filtered", METRICS_GAUGE, "",
	  "1 when a filter narrows the sockets counted",
	  metrics_emit_filtered },
	{ "tcptop_build", METRICS_INFO, "version",
	  "The tcptop that serves these metrics", metrics_emit_build },
};
const size_t metrics_nfamilies =
    sizeof metrics_families / sizeof metrics_families[0];

const char *
metrics_render(struct metrics *m, enum metrics_format fmt, size_t *len)
{
	size_t i;

	m->fmt = fmt;
	m->len = 0;
	if (m->cap == 0) {
		m->cap = 16384;
		m->out = xmalloc(m->cap);
	}
	m->out[0] = '\0';
	for (i = 0; i < metrics_nfamilies; i++) {
		m->fam = &metrics_families[i];
		m->fam_open = 0;
		m->fam->emit(m);
	}
	if (fmt == METRICS_OPENMETRICS)
		metrics_printf(m, "# EOF\n");
	*len = m->len;
	return m->out;
}
