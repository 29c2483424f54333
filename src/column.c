/* The connection list's columns: a table, and how each formats a row. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tcptop/column.h"
#include "tcptop/proc.h"
#include "tcptop/sort.h"
#include "tcptop/tcpstate.h"

const struct column column_table[COL_NCOLS] = {
	[COL_FAMILY] = { "family", "FM", "address family: v4 or v6",
	    2, 2, 0, SORT_FAMILY, 255 },	/* first to go */
	[COL_LOCAL] = { "local", "LOCAL", "local address:port",
	    13, 47, 0, SORT_LOCAL, 1 },
	[COL_REMOTE] = { "remote", "REMOTE", "remote address:port",
	    13, 47, 0, SORT_REMOTE, 2 },
	[COL_STATE] = { "state", "STATE", "TCP state",
	    11, 11, 0, SORT_STATE, 0 },
	[COL_AGE] = { "age", "INSTATE", "time in the current state "
	    "(+: at least, it predates tcptop)", 7, 7, 1, SORT_AGE, 3 },
	[COL_RECVQ] = { "recvq", "RECV-Q", "bytes not yet read; LISTEN: "
	    "connections waiting for accept()", 6, 6, 1, SORT_RECVQ, 4 },
	[COL_SENDQ] = { "sendq", "SEND-Q", "bytes not yet acknowledged; "
	    "LISTEN: the backlog", 6, 6, 1, SORT_SENDQ, 5 },
	[COL_RTT] = { "rtt", "RTT", "smoothed round-trip time, ms",
	    6, 6, 1, SORT_RTT, 6 },
	[COL_RETRANS] = { "retrans", "RETR", "segments retransmitted",
	    4, 4, 1, SORT_RETRANS, 7 },
	[COL_TIMER] = { "timer", "TIMER", "pending timer and when it "
	    "expires: on (retransmit or probe), keepalive, timewait, persist "
	    "(zero window)", 16, 16, 0, -1, 9 },
	[COL_UID] = { "uid", "UID", "owner's user id", 6, 6, 1, SORT_UID, 10 },
	[COL_INODE] = { "inode", "INODE", "socket inode (0: no file)",
	    9, 9, 1, SORT_INODE, 11 },
	[COL_COOKIE] = { "cookie", "COOKIE", "kernel socket cookie",
	    10, 20, 1, SORT_COOKIE, 12 },
	[COL_NETNS] = { "netns", "NETNS", "network namespace: name, pid:N "
	    "of a process, or net:[inode]", 8, 20, 0, -1, 13 },
	[COL_CGROUP] = { "cgroup", "CGROUP", "cgroup v2 the socket was made "
	    "in (docker:ID for a container)", 8, 24, 0, -1, 14 },
	[COL_RTTVAR] = { "rttvar", "RTTVAR", "round-trip time variation, ms",
	    6, 6, 1, SORT_RTTVAR, 15 },
	[COL_CWND] = { "cwnd", "CWND", "congestion window, segments",
	    5, 5, 1, SORT_CWND, 16 },
	[COL_SSTHRESH] = { "ssthresh", "SSTHR", "slow-start threshold, "
	    "segments (inf: still in the first slow start)",
	    5, 5, 1, SORT_SSTHRESH, 17 },
	[COL_LOST] = { "lost", "LOST", "segments in flight thought lost",
	    5, 5, 1, SORT_LOST, 18 },
	[COL_ACKED] = { "acked", "ACKED", "bytes sent and acknowledged by the "
	    "peer (K = 1024)", 5, 5, 1, SORT_ACKED, 19 },
	[COL_RECEIVED] = { "received", "RCVD", "bytes received",
	    5, 5, 1, SORT_RECEIVED, 20 },
	[COL_DELIVERY] = { "delivery", "DLVR/s", "delivery rate the kernel "
	    "measured, bytes/s", 6, 6, 1, SORT_DELIVERY, 21 },
	[COL_TX] = { "tx", "TX/s", "throughput out: bytes acknowledged per "
	    "second since the last refresh (-: first refresh)",
	    5, 5, 1, SORT_TX, 22 },
	[COL_RX] = { "rx", "RX/s", "throughput in: bytes received per second "
	    "since the last refresh (-: first refresh)",
	    5, 5, 1, SORT_RX, 23 },
	[COL_SHUTDOWN] = { "shutdown", "SHUT", "shutdown(2) state, as ss "
	    "shows it: <-> open both ways, --> receiving shut (it only "
	    "sends), <-- sending shut (it only receives), --- both",
	    4, 4, 0, -1, 24 },
	[COL_CC] = { "cc", "CC", "congestion control algorithm",
	    8, 15, 0, -1, 25 },
	[COL_SNDWND] = { "sndwnd", "SNDWND", "peer's advertised receive "
	    "window, bytes", 6, 6, 1, SORT_SNDWND, 26 },
	[COL_RCVSPACE] = { "rcvspace", "RCVSPC", "receive space: the window "
	    "autotuning aims at, bytes", 6, 6, 1, SORT_RCVSPACE, 27 },
	[COL_ACCEPTQ] = { "acceptq", "ACCQ%", "LISTEN: connections waiting "
	    "for accept() as a percentage of the backlog",
	    5, 5, 1, SORT_ACCEPTQ, 28 },
	[COL_PID] = { "pid", "PID", "process holding the socket (-: no "
	    "file, ?: hidden)", 7, 7, 1, -1, 29 },
	[COL_PROCESS] = { "process", "PROCESS", "its command name",
	    8, 15, 0, -1, 8 },
	[COL_USER] = { "user", "USER", "its user", 8, 12, 0, -1, 31 },
};

const uint8_t column_default[] = {
	COL_FAMILY, COL_LOCAL, COL_REMOTE, COL_STATE, COL_AGE, COL_RECVQ,
	COL_SENDQ, COL_RTT, COL_RETRANS, COL_PROCESS,
};
const size_t column_ndefault = sizeof column_default;

int
column_lookup(const char *name)
{
	int i;

	for (i = 0; i < COL_NCOLS; i++)
		if (strcasecmp(name, column_table[i].name) == 0)
			return i;
	return -1;
}

int
column_parse_list(const char *spec, uint8_t *ids, size_t *n, size_t max,
    char *err, size_t errlen)
{
	uint8_t out[COL_NCOLS];
	size_t k = 0, i;
	const char *p = spec;

	while (*p != '\0') {
		char name[32];
		size_t len = strcspn(p, ",");
		int id;

		while (len > 0 && p[len - 1] == ' ')
			len--;
		while (len > 0 && *p == ' ')
			p++, len--;
		if (len == 0 || len >= sizeof name) {
			snprintf(err, errlen, "bad column name \"%.*s\"",
			    (int)(len < 20 ? len : 20), p);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		id = column_lookup(name);
		if (id < 0) {
			snprintf(err, errlen, "unknown column \"%s\"", name);
			return -1;
		}
		for (i = 0; i < k; i++)
			if (out[i] == id) {
				snprintf(err, errlen, "column \"%s\" given "
				    "twice", name);
				return -1;
			}
		if (k >= max || k >= COL_NCOLS) {
			snprintf(err, errlen, "too many columns");
			return -1;
		}
		out[k++] = (uint8_t)id;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	if (k == 0) {
		snprintf(err, errlen, "no columns given");
		return -1;
	}
	memcpy(ids, out, k);
	*n = k;
	return 0;
}

void
column_fmt_list(const uint8_t *ids, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && ids[i] < COL_NCOLS; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? "," : "",
		    column_table[ids[i]].name);

		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

int
column_layout(const uint8_t *ids, size_t n, int width, int *widths)
{
	int used = 0, nflex = 0, left, share, ncols = 0;
	size_t i;
	unsigned prio;

	/* Columns go in by priority while they fit, so a narrow terminal
	 * keeps the state and the endpoints and loses the extras. */
	for (i = 0; i < n; i++)
		widths[i] = 0;
	for (prio = 0; prio < 256; prio++)
		for (i = 0; i < n; i++) {
			const struct column *col = &column_table[ids[i]];
			int need = col->width + (ncols > 0);

			if (col->prio != prio || used + need > width)
				continue;
			widths[i] = col->width;
			used += need;
			ncols++;
			if (col->maxwidth > col->width)
				nflex++;
		}
	/* Then the flexible columns share the rest evenly. */
	while (nflex > 0 && used < width) {
		int grew = 0;

		left = width - used;
		share = left / nflex > 0 ? left / nflex : 1;
		for (i = 0; i < n && used < width; i++) {
			const struct column *col = &column_table[ids[i]];
			int room;

			if (widths[i] == 0 || col->maxwidth <= widths[i])
				continue;
			room = col->maxwidth - widths[i];
			if (room > share)
				room = share;
			if (room > width - used)
				room = width - used;
			widths[i] += room;
			used += room;
			grew = 1;
		}
		if (!grew)
			break;
	}
	return used;
}

void
column_fmt_age(int64_t ms, int at_least, char *buf, size_t len)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;
	const char *plus = at_least ? "+" : "";

	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s%s", s, plus);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s%s", s / 60,
		    s % 60, plus);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m%s", s / 3600,
		    s / 60 % 60, plus);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h%s", s / 86400,
		    s / 3600 % 24, plus);
}

int
column_age_at_least(const struct conn *c)
{
	return (c->flags & CONN_PREEXISTING) && c->prev_state == 0;
}

unsigned
column_retrans(const struct conn *c)
{
	return (c->s.flags & CONN_HAS_INFO) ? c->s.info.total_retrans :
	    c->s.retrans;
}

const char *
column_timer_name(int timer)
{
	static const char *const names[] = { "", "on", "keepalive",
	    "timewait", "persist" };

	return timer >= 0 && timer < 5 ? names[timer] : "?";
}

void
column_fmt_timer(const struct conn *c, char *buf, size_t len)
{
	uint32_t ms = c->s.expires_ms;
	char when[24];

	if (c->s.timer == 0) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (ms < 1000)
		snprintf(when, sizeof when, "%ums", ms);
	else
		column_fmt_age(ms, 0, when, sizeof when);
	snprintf(buf, len, "%s %s", column_timer_name(c->s.timer), when);
}

const char *
column_shutdown(const struct conn *c)
{
	static const char *const arrows[] = { "<->", "-->", "<--", "---" };

	if (!(c->s.flags & CONN_HAS_SHUTDOWN))
		return NULL;
	return arrows[c->s.shutdown & 3];
}

int
column_accept_fill(const struct conn *c, double *pct)
{
	if (c->s.state != TCP_LISTEN || c->s.wqueue == 0)
		return -1;
	*pct = 100.0 * c->s.rqueue / c->s.wqueue;
	return 0;
}

void
column_fmt_count(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double x = (double)v;
	int u = -1;

	if (v < 100000) {
		snprintf(buf, len, "%" PRIu64, v);
		return;
	}
	/* Up a unit until it reads in at most 3 digits. */
	while (x >= 999.5 && u < 5) {
		x /= 1024;
		u++;
	}
	if (x < 9.95)
		snprintf(buf, len, "%.1f%c", x, units[u]);
	else
		snprintf(buf, len, "%.0f%c", x, units[u]);
}

/* Milliseconds from microseconds, as many decimals as fit in 6 cells;
 * seconds from 1000 s up. */
static void
column_fmt_ms(uint32_t us, char *buf, size_t len)
{
	if (us < 10000)
		snprintf(buf, len, "%.2f", us / 1000.0);
	else if (us < 1000000)
		snprintf(buf, len, "%.1f", us / 1000.0);
	else if (us < 1000000000)
		snprintf(buf, len, "%u", us / 1000);
	else
		snprintf(buf, len, "%us", us / 1000000);
}

/* A tcp_info value, or "-" for a socket without tcp_info. */
static void
column_fmt_info(const struct conn *c, uint64_t v, char *buf, size_t len)
{
	if (!(c->s.flags & CONN_HAS_INFO))
		snprintf(buf, len, "-");
	else
		column_fmt_count(v, buf, len);
}

/* The columns of tcp_info and of what conntab derives from it. */
static void
column_fmt_tcp(int id, const struct conn *c, char *buf, size_t len)
{
	const struct conn_tcpinfo *ti = &c->s.info;
	double pct;

	switch (id) {
	case COL_RTTVAR:
		if (!(c->s.flags & CONN_HAS_INFO))
			snprintf(buf, len, "-");
		else
			column_fmt_ms(ti->rttvar_us, buf, len);
		break;
	case COL_CWND:
		column_fmt_info(c, ti->snd_cwnd, buf, len);
		break;
	case COL_SSTHRESH:
		/* TCP_INFINITE_SSTHRESH until the first loss; ss hides
		 * anything from 0xffff up. */
		if ((c->s.flags & CONN_HAS_INFO) && ti->snd_ssthresh >= 0xffff)
			snprintf(buf, len, "inf");
		else
			column_fmt_info(c, ti->snd_ssthresh, buf, len);
		break;
	case COL_LOST:
		column_fmt_info(c, ti->lost, buf, len);
		break;
	case COL_ACKED:
		column_fmt_info(c, ti->bytes_acked, buf, len);
		break;
	case COL_RECEIVED:
		column_fmt_info(c, ti->bytes_received, buf, len);
		break;
	case COL_DELIVERY:
		column_fmt_info(c, ti->delivery_rate, buf, len);
		break;
	case COL_TX:
	case COL_RX:
		if (!(c->flags & CONN_RATE))
			snprintf(buf, len, "-");
		else
			column_fmt_count(id == COL_TX ? c->tx_rate :
			    c->rx_rate, buf, len);
		break;
	case COL_SNDWND:
		column_fmt_info(c, ti->snd_wnd, buf, len);
		break;
	case COL_RCVSPACE:
		column_fmt_info(c, ti->rcv_space, buf, len);
		break;
	case COL_ACCEPTQ:
		if (column_accept_fill(c, &pct) == -1)
			snprintf(buf, len, "-");
		else if (pct < 9.95)
			snprintf(buf, len, "%.1f%%", pct);
		else if (pct >= 999.5)
			snprintf(buf, len, ">999%%");
		else
			snprintf(buf, len, "%.0f%%", pct);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

/* A byte count in at most 6 cells: 123456, 1234K, 1234M. */
static void
column_fmt_bytes(uint64_t v, char *buf, size_t len)
{
	if (v < 1000000)
		snprintf(buf, len, "%" PRIu64, v);
	else if (v < UINT64_C(10000000000))
		snprintf(buf, len, "%" PRIu64 "K", v / 1024);
	else
		snprintf(buf, len, "%" PRIu64 "M", v / (1024 * 1024));
}

/* The cgroup's short name; its id while the path is not known. */
static void
column_fmt_cgroup(const struct conn *c, const struct column_ctx *cx,
    char *buf, size_t len)
{
	const char *path = cgroup_map_path(cx->cgroups, c->s.cgroup);

	if (c->s.cgroup == 0)
		snprintf(buf, len, "-");
	else if (path == NULL)
		snprintf(buf, len, "id:%" PRIu64, cgroup_id(c->s.cgroup));
	else
		cgroup_short(path, buf, len);
}

int
column_prepend(uint8_t *ids, size_t *n, size_t max, int id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (ids[i] == id)
			return 0;
	if (*n >= max)
		return 0;
	memmove(ids + 1, ids, *n);
	ids[0] = (uint8_t)id;
	(*n)++;
	return 1;
}

/* The owner columns: "-" when the socket has no file (or attribution is
 * off), "?" when its owner is hidden. */
static void
column_fmt_owner(int id, const struct conn *c, const struct column_ctx *cx,
    char *buf, size_t len)
{
	const struct proc_owner *o;
	int b;

	o = proc_owner(cx->proc, c, &b);
	if (o == NULL)
		snprintf(buf, len, "%s", b == PROC_HIDDEN ? "?" : "-");
	else if (id == COL_PID)
		snprintf(buf, len, "%ld", (long)o->pid);
	else
		snprintf(buf, len, "%s", id == COL_PROCESS ? o->comm :
		    o->user);
}

void
column_fmt(int id, const struct conn *c, const struct column_ctx *cx,
    char *buf, size_t len)
{
	uint32_t rtt = c->s.info.rtt_us;
	const char *p;

	switch (id) {
	case COL_FAMILY:
		snprintf(buf, len, "%s", c->s.family == 10 ? "v6" : "v4");
		break;
	case COL_LOCAL:
	case COL_REMOTE:
		if (len >= CONN_ENDPOINT_LEN)
			conn_fmt_endpoint(&c->s, id == COL_REMOTE, buf, len);
		else
			snprintf(buf, len, "?");
		break;
	case COL_STATE:
		snprintf(buf, len, "%s", tcpstate_name(c->s.state));
		break;
	case COL_AGE:
		column_fmt_age(cx->now_ms - c->state_since_ms,
		    column_age_at_least(c), buf, len);
		break;
	case COL_RECVQ:
		column_fmt_bytes(c->s.rqueue, buf, len);
		break;
	case COL_SENDQ:
		column_fmt_bytes(c->s.wqueue, buf, len);
		break;
	case COL_RTT:
		if (!(c->s.flags & CONN_HAS_INFO) || rtt == 0)
			snprintf(buf, len, "-");
		else
			column_fmt_ms(rtt, buf, len);
		break;
	case COL_RETRANS:
		snprintf(buf, len, "%u", column_retrans(c));
		break;
	case COL_TIMER:
		column_fmt_timer(c, buf, len);
		break;
	case COL_UID:
		snprintf(buf, len, "%u", c->s.uid);
		break;
	case COL_INODE:
		snprintf(buf, len, "%u", c->s.inode);
		break;
	case COL_COOKIE:
		snprintf(buf, len, "%" PRIu64, c->s.cookie);
		break;
	case COL_NETNS:
		if (cx->netns == NULL)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%s", netns_tab_label(cx->netns,
			    c->s.netns));
		break;
	case COL_CGROUP:
		column_fmt_cgroup(c, cx, buf, len);
		break;
	case COL_SHUTDOWN:
		p = column_shutdown(c);
		snprintf(buf, len, "%s", p != NULL ? p : "-");
		break;
	case COL_CC:
		p = conn_cc_name(c->s.cc);
		snprintf(buf, len, "%s", p[0] != '\0' ? p : "-");
		break;
	case COL_PID:
	case COL_PROCESS:
	case COL_USER:
		column_fmt_owner(id, c, cx, buf, len);
		break;
	default:
		column_fmt_tcp(id, c, buf, len);
		break;
	}
}

void
column_elide(char *text, size_t len, int width, const char *ell)
{
	size_t n = strlen(text), tail, head;
	const char *colon;
	char out[128];

	if (width <= 0) {
		text[0] = '\0';
		return;
	}
	if (n <= (size_t)width)
		return;
	/* An IPv6 endpoint keeps its closing bracket with the port. */
	colon = text[0] == '[' ? strstr(text, "]:") : NULL;
	if (colon == NULL)
		colon = strrchr(text, ':');
	tail = colon != NULL ? n - (size_t)(colon - text) : 0;
	/* Keep the port whole if at least one character of the address
	 * and the ellipsis fit beside it, else cut from the right. */
	if (tail + 2 > (size_t)width || n >= sizeof out) {
		text[width < (int)len ? width : (int)len - 1] = '\0';
		return;
	}
	head = (size_t)width - tail - 1;
	snprintf(out, sizeof out, "%.*s%s%s", (int)head, text, ell,
	    text + n - tail);
	snprintf(text, len, "%s", out);
}
