/* The connection fields: one table, and what each row needs beyond a
 * member of struct conn read in its unit. */
#include <inttypes.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tcptop/field.h"
#include "tcptop/json.h"
#include "tcptop/names.h"
#include "tcptop/proc.h"
#include "tcptop/rate.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"

#define SPACESHIP(a, b) (((a) > (b)) - ((a) < (b)))

/* s into buf (len bytes), cut to fit: snprintf "%s" without printf. */
static void
field_copy(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len == 0)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

unsigned
field_retrans(const struct conn *c)
{
	return (c->s.flags & CONN_HAS_INFO) ? c->s.info.total_retrans :
	    c->s.retrans;
}

int
field_age_at_least(const struct conn *c)
{
	return ((c->flags & CONN_PREEXISTING) && c->prev_state == 0) ||
	    (c->flags & CONN_SINCE_UNSEEN);
}

const char *
field_timer_name(int timer)
{
	static const char *const names[] = { "", "on", "keepalive",
	    "timewait", "persist" };

	return timer >= 0 && timer < 5 ? names[timer] : "?";
}

int
field_accept_fill(const struct conn *c, double *pct)
{
	if (c->s.state != TCP_LISTEN || c->s.wqueue == 0)
		return -1;
	*pct = 100.0 * c->s.rqueue / c->s.wqueue;
	return 0;
}

/* The state ------------------------------------------------------------ */

static void
field_state_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	(void)cx;
	field_copy(buf, len, tcpstate_name(c->s.state));
}

/* A state's place in display order, 1 for LISTEN; 0 for none. */
static int
field_state_rank(unsigned state)
{
	int i;

	for (i = 0; i < TCPSTATE_MAX; i++)
		if (tcpstate_order[i] == state)
			return i + 1;
	return 0;
}

/* In display order, so "state" sorts the way the histogram reads:
 * LISTEN first, CLOSE last. */
static int
field_state_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	(void)cx;
	return SPACESHIP(field_state_rank(a->s.state),
	    field_state_rank(b->s.state));
}

static uint64_t
field_state_key(const struct conn *c)
{
	return (uint64_t)field_state_rank(c->s.state);
}

/* The state before, in the same order; none (0) first. */
static int
field_prev_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	(void)cx;
	return SPACESHIP(field_state_rank(a->prev_state),
	    field_state_rank(b->prev_state));
}

static uint64_t
field_prev_key(const struct conn *c)
{
	return (uint64_t)field_state_rank(c->prev_state);
}

static int
field_state_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	(void)cx;
	json_put_key(b, sep, "state");
	json_put_nullable(b, tcpstate_name(c->s.state));
	return 1;
}

static void
field_prev_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	(void)cx;
	field_copy(buf, len, c->prev_state != 0 ?
	    tcpstate_name(c->prev_state) : "-");
}

static int
field_prev_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	(void)cx;
	json_put_key(b, sep, "prev_state");
	json_put_nullable(b, c->prev_state != 0 ?
	    tcpstate_name(c->prev_state) : NULL);
	return 1;
}

/* The endpoints --------------------------------------------------------- */

static void
field_family_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	(void)cx;
	field_copy(buf, len, c->s.family == 10 ? "v6" : "v4");
}

static int
field_family_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	(void)cx;
	json_put_key(b, sep, "family");
	json_put_nullable(b, conn_family_name(c->s.family));
	/* Known only where the kernel says: IPv6 in LISTEN or CLOSE. */
	json_put_key(b, ", ", "v6only");
	json_put(b, !(c->s.flags & CONN_HAS_V6ONLY) ? "null" :
	    c->s.flags & CONN_V6ONLY ? "true" : "false");
	return 1;
}

static void
field_endpoint_text(const struct conn *c, int remote, char *buf,
    size_t len)
{
	if (len >= CONN_ENDPOINT_LEN)
		conn_fmt_endpoint(&c->s, remote, buf, len);
	else
		snprintf(buf, len, "?");
}

/* The endpoint with names where names_mode says and one is known:
 * "host:service" as ss -r writes it, the numbers where not.  A long
 * host name is cut so that the port stays. */
static void
field_endpoint_named(const struct conn *c, const struct field_ctx *cx,
    int remote, char *buf, size_t len)
{
	char num[CONN_ENDPOINT_LEN], host[NAMES_LEN], serv[NAMES_LEN];
	unsigned mode = names_mode(cx->names);
	uint16_t port = remote ? c->s.rport : c->s.lport;
	const char *h = num, *p;
	char *colon;
	size_t hl, pl;

	conn_fmt_endpoint(&c->s, remote, num, sizeof num);
	colon = strrchr(num, ':');
	if (colon == NULL) {
		field_copy(buf, len, num);
		return;
	}
	*colon = '\0';
	p = colon + 1;
	if ((mode & NAMES_HOSTS) && names_host(cx->names, c->s.family,
	    remote ? c->s.remote : c->s.local, host, sizeof host) == 0)
		h = host;
	if ((mode & NAMES_PORTS) && port != 0 &&
	    names_port(cx->names, port, serv, sizeof serv) == 0)
		p = serv;
	hl = strlen(h);
	pl = strlen(p);
	if (len == 0)
		return;
	if (hl + 1 + pl >= len)
		hl = len > pl + 1 ? len - pl - 2 : 0;
	snprintf(buf, len, "%.*s:%s", (int)hl, h, p);
}

static void
field_local_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	if (names_mode(cx->names) != 0)
		field_endpoint_named(c, cx, 0, buf, len);
	else
		field_endpoint_text(c, 0, buf, len);
}

static void
field_remote_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	if (names_mode(cx->names) != 0)
		field_endpoint_named(c, cx, 1, buf, len);
	else
		field_endpoint_text(c, 1, buf, len);
}

/* Numbers only: names are looked up and measured. */
static size_t
field_local_cells(const struct conn *c, const struct field_ctx *cx)
{
	return names_mode(cx->names) != 0 ? 0 : conn_endpoint_len(&c->s, 0);
}

static size_t
field_remote_cells(const struct conn *c, const struct field_ctx *cx)
{
	return names_mode(cx->names) != 0 ? 0 : conn_endpoint_len(&c->s, 1);
}

static int
field_endpoint_cmp(const struct conn *a, const struct conn *b, int remote)
{
	int c = SPACESHIP(a->s.family, b->s.family);

	if (c == 0)
		c = memcmp(remote ? a->s.remote : a->s.local,
		    remote ? b->s.remote : b->s.local, 16);
	if (c == 0)
		c = remote ? SPACESHIP(a->s.rport, b->s.rport) :
		    SPACESHIP(a->s.lport, b->s.lport);
	return c;
}

static int
field_local_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	(void)cx;
	return field_endpoint_cmp(a, b, 0);
}

static int
field_remote_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	(void)cx;
	return field_endpoint_cmp(a, b, 1);
}

static int
field_endpoint_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx, int remote)
{
	char a[CONN_ADDR_LEN], name[NAMES_LEN];

	json_put_key(b, sep, remote ? "remote_addr" : "local_addr");
	json_put_nullable(b, conn_fmt_addr(&c->s, remote, a, sizeof a));
	json_put_key(b, ", ", remote ? "remote_port" : "local_port");
	json_put_u64(b, remote ? c->s.rport : c->s.lport);
	/* Only when host names are on: null while none is known. */
	if (names_mode(cx->names) & NAMES_HOSTS) {
		json_put_key(b, ", ", remote ? "remote_name" : "local_name");
		json_put_nullable(b, names_host(cx->names, c->s.family,
		    remote ? c->s.remote : c->s.local, name,
		    sizeof name) == 0 ? name : NULL);
	}
	if (!remote) {
		char scope[CONN_SCOPE_LEN];

		json_put_key(b, ", ", "interface");
		json_put_nullable(b, conn_fmt_scope(&c->s, scope,
		    sizeof scope));
		json_put_key(b, ", ", "ifindex");
		if (c->s.ifindex != 0)
			json_put_u64(b, c->s.ifindex);
		else
			json_put(b, "null");
	}
	return 1;
}

static int
field_local_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	return field_endpoint_json(b, sep, c, cx, 0);
}

static int
field_remote_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	return field_endpoint_json(b, sep, c, cx, 1);
}

/* Ages ------------------------------------------------------------------ */

static int
field_age_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	int64_t ms = cx->now_ms - c->state_since_ms;

	*v = ms > 0 ? (uint64_t)ms : 0;
	return 0;
}

static void
field_age_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	unit_fmt_age(cx->now_ms - c->state_since_ms, field_age_at_least(c),
	    buf, len);
}

/* By the time in state, as the number reads (the newest first when
 * ascending); from when it entered, which the model keeps exact. */
static int
field_age_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	(void)cx;
	return SPACESHIP(b->state_since_ms, a->state_since_ms);
}

static int
field_age_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	json_put_key(b, sep, "state_age_s");
	json_put_milli(b, cx->now_ms - c->state_since_ms);
	json_put_key(b, ", ", "state_age_at_least");
	json_put(b, field_age_at_least(c) ? "true" : "false");
	return 1;
}

/* The averages of rate.h: a direction's word, one span of it. */
static int
field_avg(const struct conn *c, int rx, int span, uint64_t *v)
{
	if (!(c->flags & CONN_RATE))
		return -1;
	*v = rate_get(rx ? c->rx_avg : c->tx_avg, span);
	return 0;
}

static int
field_tx_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	(void)cx;
	return field_avg(c, 0, RATE_2S, v);
}

static int
field_rx_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	(void)cx;
	return field_avg(c, 1, RATE_2S, v);
}

static int
field_tx10_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	(void)cx;
	return field_avg(c, 0, RATE_10S, v);
}

static int
field_rx10_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	(void)cx;
	return field_avg(c, 1, RATE_10S, v);
}

static int
field_tx40_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	(void)cx;
	return field_avg(c, 0, RATE_40S, v);
}

static int
field_rx40_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	(void)cx;
	return field_avg(c, 1, RATE_40S, v);
}

static int
field_seen_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	int64_t ms = cx->now_ms - c->first_seen_ms;

	*v = ms > 0 ? (uint64_t)ms : 0;
	return 0;
}

static void
field_seen_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	unit_fmt_age(cx->now_ms - c->first_seen_ms,
	    (c->flags & CONN_PREEXISTING) != 0, buf, len);
}

/* As the age: by when tcptop first saw it, the newest first. */
static int
field_seen_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	(void)cx;
	return SPACESHIP(b->first_seen_ms, a->first_seen_ms);
}

static int
field_seen_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	json_put_key(b, sep, "age_s");
	json_put_milli(b, cx->now_ms - c->first_seen_ms);
	json_put_key(b, ", ", "age_at_least");
	json_put(b, (c->flags & CONN_PREEXISTING) ? "true" : "false");
	return 1;
}

/* Retransmits and timers ------------------------------------------------ */

static int
field_retrans_get(const struct conn *c, const struct field_ctx *cx,
    uint64_t *v)
{
	(void)cx;
	*v = field_retrans(c);
	return 0;
}

static int
field_retrans_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	(void)cx;
	int c = SPACESHIP(a->s.info.total_retrans, b->s.info.total_retrans);

	return c != 0 ? c : SPACESHIP(a->s.retrans, b->s.retrans);
}

static int
field_timer_get(const struct conn *c, const struct field_ctx *cx,
    uint64_t *v)
{
	(void)cx;
	*v = c->s.expires_ms;
	return c->s.timer != 0 ? 0 : -1;
}

/* By the timer (none first, then on, keepalive, timewait, persist),
 * then by when it expires. */
static int
field_timer_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	int c = SPACESHIP(a->s.timer, b->s.timer);

	(void)cx;
	return c != 0 ? c : SPACESHIP(a->s.expires_ms, b->s.expires_ms);
}

/* The pending timer with its expiry: "on 200ms", "keepalive 1m11s";
 * "" when none. */
static void
field_timer_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	char when[UNIT_TEXT_LEN];

	(void)cx;
	if (c->s.timer == 0) {
		field_copy(buf, len, "");
		return;
	}
	unit_fmt(UNIT_MS, c->s.expires_ms, when, sizeof when);
	snprintf(buf, len, "%s %s", field_timer_name(c->s.timer), when);
}

static int
field_timer_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	(void)cx;
	json_put_key(b, sep, "timer");
	json_put_u64(b, c->s.timer);
	json_put_key(b, ", ", "timer_expires_ms");
	json_put_u64(b, c->s.expires_ms);
	json_put_key(b, ", ", "timer_name");
	json_put_nullable(b, c->s.timer != 0 ? field_timer_name(c->s.timer) :
	    NULL);
	return 1;
}

/* Ids ------------------------------------------------------------------- */

static int
field_cookie_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	(void)cx;
	/* A string: JavaScript numbers cannot hold 64 bits. */
	json_put_key(b, sep, "cookie");
	json_put(b, "\"");
	json_put_u64(b, c->s.cookie);
	json_put(b, "\"");
	return 1;
}

static void
field_netns_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	field_copy(buf, len, cx->netns == NULL ? "-" :
	    netns_tab_label(cx->netns, c->s.netns));
}

/* Only with -N or --all-netns. */
static int
field_netns_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	const char *ns;

	if (cx->netns == NULL)
		return 0;
	ns = netns_tab_label(cx->netns, c->s.netns);
	json_put_key(b, sep, "netns");
	json_put_string(b, ns, strlen(ns));
	return 1;
}

/* The cgroup's short name; its id while the path is not known. */
static void
field_cgroup_text(const struct conn *c, const struct field_ctx *cx,
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

static int
field_cgroup_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	json_put_key(b, sep, "cgroup_id");
	if (c->s.cgroup != 0)
		json_put_u64(b, cgroup_id(c->s.cgroup));
	else
		json_put(b, "null");
	json_put_key(b, ", ", "cgroup");
	json_put_nullable(b, cgroup_map_path(cx->cgroups, c->s.cgroup));
	return 1;
}

/* tcp_info -------------------------------------------------------------- */

/* TCP_INFINITE_SSTHRESH until the first loss; ss hides anything from
 * 0xffff up. */
static void
field_ssthresh_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	(void)cx;
	if (!(c->s.flags & CONN_HAS_INFO))
		snprintf(buf, len, "-");
	else if (c->s.info.snd_ssthresh >= 0xffff)
		snprintf(buf, len, "inf");
	else
		unit_fmt(UNIT_SEGMENTS, c->s.info.snd_ssthresh, buf, len);
}

/* The shutdown state as ss -e shows it: "<->" open both ways, "-->"
 * receiving shut (it only sends), "<--" sending shut (it only
 * receives), "---" both. */
static void
field_shutdown_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	static const char *const arrows[] = { "<->", "-->", "<--", "---" };

	(void)cx;
	field_copy(buf, len, (c->s.flags & CONN_HAS_SHUTDOWN) ?
	    arrows[c->s.shutdown & 3] : "-");
}

/* Unknown first, then open both ways, receiving shut, sending shut,
 * both. */
static int
field_shutdown_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	int va = (a->s.flags & CONN_HAS_SHUTDOWN) ? 1 + (a->s.shutdown & 3) :
	    0;
	int vb = (b->s.flags & CONN_HAS_SHUTDOWN) ? 1 + (b->s.shutdown & 3) :
	    0;

	(void)cx;
	return SPACESHIP(va, vb);
}

static int
field_shutdown_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	(void)cx;
	json_put_key(b, sep, "shutdown");
	if (c->s.flags & CONN_HAS_SHUTDOWN)
		json_put_u64(b, c->s.shutdown);
	else
		json_put(b, "null");
	return 1;
}

static void
field_cc_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	const char *p = conn_cc_name(c->s.cc);

	(void)cx;
	field_copy(buf, len, p[0] != '\0' ? p : "-");
}

static int
field_cc_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	const char *cc = conn_cc_name(c->s.cc);

	(void)cx;
	json_put_key(b, sep, "cc");
	json_put_nullable(b, *cc != '\0' ? cc : NULL);
	return 1;
}

/* A listener's fill in tenths of a percent. */
static int
field_acceptq_get(const struct conn *c, const struct field_ctx *cx,
    uint64_t *v)
{
	double pct;

	(void)cx;
	if (field_accept_fill(c, &pct) == -1)
		return -1;
	*v = (uint64_t)(pct * 10 + 0.5);
	return 0;
}

/* Fullest listener first when descending; other sockets below any. */
static int
field_acceptq_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	double pa = -1, pb = -1;

	(void)cx;
	if (field_accept_fill(a, &pa) == -1)
		pa = -1;
	if (field_accept_fill(b, &pb) == -1)
		pb = -1;
	return SPACESHIP(pa, pb);
}

static int
field_acceptq_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	double pct;

	(void)cx;
	char num[32];

	json_put_key(b, sep, "accept_fill_pct");
	if (field_accept_fill(c, &pct) == 0) {
		snprintf(num, sizeof num, "%.1f", pct);
		json_put(b, num);
	} else
		json_put(b, "null");
	return 1;
}

/* Owners ---------------------------------------------------------------- */

/* "-" when the socket has no file (or attribution is off), "?" when its
 * owner is hidden or attribution failed, "(pending)" and "..." while
 * the walk of /proc has not looked for it yet.  A queued socket (in a listener's accept queue) shows
 * the listener's pid and user and "queued:COMM"; one in flight (in a
 * unix socket's queue, no process holds it) "(in flight)" and "-". */
static void
field_owner_text(const struct conn *c, const struct field_ctx *cx, int id,
    char *buf, size_t len)
{
	const struct proc_owner *o;
	int b;

	o = proc_owner(cx->proc, c, &b);
	if (b == PROC_INFLIGHT)
		field_copy(buf, len, id == FIELD_PROCESS ? "(in flight)" : "-");
	else if (b == PROC_PENDING)
		field_copy(buf, len, id == FIELD_PROCESS ? "(pending)" :
		    "...");
	else if (b == PROC_QUEUED && id == FIELD_PROCESS)
		snprintf(buf, len, "queued:%s", o != NULL ? o->comm : "?");
	else if (o == NULL)
		field_copy(buf, len, b == PROC_HIDDEN || b == PROC_QUEUED ||
		    b == PROC_FAILED ? "?" : "-");
	else if (id == FIELD_PID)
		snprintf(buf, len, "%ld", (long)o->pid);
	else
		field_copy(buf, len, id == FIELD_PROCESS ? o->comm :
		    o->user);
}

/* The owner's pid; none without an owner (a queued socket's is its
 * listener's). */
static int
field_pid_get(const struct conn *c, const struct field_ctx *cx, uint64_t *v)
{
	const struct proc_owner *o = proc_owner(cx->proc, c, NULL);

	if (o == NULL)
		return -1;
	*v = (uint64_t)o->pid;
	return 0;
}

/* By the owner's command name or user name (byte order), then pid;
 * rows without an owner first. */
static int
field_owner_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx, int id)
{
	const struct proc_owner *oa = proc_owner(cx->proc, a, NULL);
	const struct proc_owner *ob = proc_owner(cx->proc, b, NULL);
	int c;

	if (oa == NULL || ob == NULL)
		return SPACESHIP(oa != NULL, ob != NULL);
	c = id == FIELD_PROCESS ? strcmp(oa->comm, ob->comm) :
	    strcmp(oa->user, ob->user);
	return c != 0 ? SPACESHIP(c, 0) : SPACESHIP(oa->pid, ob->pid);
}

static int
field_process_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	return field_owner_cmp(a, b, cx, FIELD_PROCESS);
}

static int
field_user_cmp(const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	return field_owner_cmp(a, b, cx, FIELD_USER);
}

static void
field_pid_text(const struct conn *c, const struct field_ctx *cx, char *buf,
    size_t len)
{
	field_owner_text(c, cx, FIELD_PID, buf, len);
}

static void
field_process_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	field_owner_text(c, cx, FIELD_PROCESS, buf, len);
}

static void
field_user_text(const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	field_owner_text(c, cx, FIELD_USER, buf, len);
}

/* "owner": its bucket, null when attribution is off; "pid": null
 * without an owner (a queued socket's is its listener's). */
static int
field_pid_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	const struct proc_owner *o;
	int bucket;

	o = proc_owner(cx->proc, c, &bucket);
	json_put_key(b, sep, "owner");
	json_put_nullable(b, bucket == PROC_OFF ? NULL :
	    proc_bucket_name(bucket));
	json_put_key(b, ", ", "pid");
	if (o != NULL)
		json_put_u64(b, (uint64_t)o->pid);
	else
		json_put(b, "null");
	return 1;
}

/* comm and user are sanitized by proc.c, and escaped here again as any
 * string. */
static int
field_name_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx, int id)
{
	const struct proc_owner *o;
	int bucket;

	o = proc_owner(cx->proc, c, &bucket);
	json_put_key(b, sep, id == FIELD_PROCESS ? "comm" : "user");
	json_put_nullable(b, o == NULL ? NULL : id == FIELD_PROCESS ? o->comm :
	    o->user);
	return 1;
}

static int
field_process_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	return field_name_json(b, sep, c, cx, FIELD_PROCESS);
}

static int
field_user_json(struct json_buf *b, const char *sep, const struct conn *c,
    const struct field_ctx *cx)
{
	return field_name_json(b, sep, c, cx, FIELD_USER);
}

#define SORT	FIELD_F_SORT
#define RIGHT	FIELD_F_RIGHT
#define INFO	FIELD_F_INFO
#define OWNER	FIELD_F_OWNER
#define SAMPLED	FIELD_F_SAMPLED

const struct field field_table[FIELD_N] = {
	[FIELD_STATE] = { "state", "STATE", NULL, "TCP state (it sorts as the "
	    "histogram reads, LISTEN first)",
	    UNIT_NONE, 11, 11, 0, SORT, FIELD_MEMBER(s.state),
	    .text = field_state_text, .cmp = field_state_cmp,
	    .key = field_state_key,
	    .json_fn = field_state_json },
	[FIELD_FAMILY] = { "family", "FM", NULL, "address family: v4 or v6",
	    UNIT_NONE, 2, 2, 4, SORT, FIELD_MEMBER(s.family),
	    .text = field_family_text, .json_fn = field_family_json },
	[FIELD_LOCAL] = { "local", "LOCAL", NULL, "local address[%device]:port, "
	    "as ss prints it",
	    UNIT_NONE, 13, 63, 1, SORT | FIELD_F_TAIL, .text = field_local_text,
	    .cmp = field_local_cmp, .cells = field_local_cells,
	    .json_fn = field_local_json },
	[FIELD_REMOTE] = { "remote", "REMOTE", NULL, "remote address:port",
	    UNIT_NONE, 13, 47, 2, SORT | FIELD_F_TAIL,
	    .text = field_remote_text, .cmp = field_remote_cmp,
	    .cells = field_remote_cells, .json_fn = field_remote_json },
	[FIELD_LPORT] = { "lport", NULL, NULL, "local port",
	    UNIT_NONE, 5, 5, 255, SORT | RIGHT, FIELD_MEMBER(s.lport) },
	[FIELD_RPORT] = { "rport", NULL, NULL, "remote port",
	    UNIT_NONE, 5, 5, 255, SORT | RIGHT, FIELD_MEMBER(s.rport) },
	[FIELD_RECVQ] = { "recvq", "RECV-Q", "recv_q", "bytes not yet read; "
	    "LISTEN: connections waiting for accept()",
	    UNIT_COUNT, 6, 6, 5, SORT | RIGHT | SAMPLED, FIELD_MEMBER(s.rqueue) },
	[FIELD_SENDQ] = { "sendq", "SEND-Q", "send_q", "bytes not yet "
	    "acknowledged; LISTEN: the backlog",
	    UNIT_COUNT, 6, 6, 6, SORT | RIGHT | SAMPLED, FIELD_MEMBER(s.wqueue) },
	[FIELD_AGE] = { "age", "INSTATE", NULL, "time in the current state "
	    "(+: at least, it predates tcptop)",
	    UNIT_MS, 7, 7, 4, SORT | RIGHT, .get = field_age_get,
	    .text = field_age_text, .cmp = field_age_cmp,
	    .json_fn = field_age_json },
	[FIELD_RTT] = { "rtt", "RTT", "rtt_ms", "smoothed round-trip time",
	    UNIT_US, 6, 6, 7, SORT | RIGHT | INFO | FIELD_F_ZERO,
	    FIELD_MEMBER(s.info.rtt_us) },
	[FIELD_RETRANS] = { "retrans", "RETR", "retrans", "segments "
	    "retransmitted", UNIT_SEGMENTS, 4, 4, 8, SORT | RIGHT | SAMPLED,
	    .get = field_retrans_get, .cmp = field_retrans_cmp },
	[FIELD_TIMER] = { "timer", "TIMER", NULL, "pending timer and when it "
	    "expires: on (retransmit or probe), keepalive, timewait, persist "
	    "(zero window)", UNIT_MS, 16, 16, 9, SORT | SAMPLED,
	    .get = field_timer_get,
	    .text = field_timer_text, .cmp = field_timer_cmp,
	    .json_fn = field_timer_json },
	[FIELD_UID] = { "uid", "UID", "uid", "owner's user id",
	    UNIT_NONE, 6, 6, 10, SORT | RIGHT, FIELD_MEMBER(s.uid) },
	[FIELD_INODE] = { "inode", "INODE", "inode", "socket inode (0: no "
	    "file)", UNIT_NONE, 9, 9, 11, SORT | RIGHT, FIELD_MEMBER(s.inode) },
	[FIELD_COOKIE] = { "cookie", "COOKIE", NULL, "kernel socket cookie "
	    "(discovery order)", UNIT_NONE, 10, 20, 12, SORT | RIGHT,
	    FIELD_MEMBER(s.cookie), .json_fn = field_cookie_json },
	[FIELD_NETNS] = { "netns", "NETNS", NULL, "network namespace: name, "
	    "pid:N of a process, or net:[inode]", UNIT_NONE, 8, 20, 13, SORT,
	    .text = field_netns_text, .json_fn = field_netns_json },
	[FIELD_CGROUP] = { "cgroup", "CGROUP", NULL, "cgroup v2 the socket "
	    "was made in (docker:ID for a container)", UNIT_NONE, 8, 24, 14,
	    SORT, .text = field_cgroup_text, .json_fn = field_cgroup_json },
	[FIELD_RTTVAR] = { "rttvar", "RTTVAR", "rttvar_ms", "round-trip time "
	    "variation", UNIT_US, 6, 6, 15, SORT | RIGHT | INFO | FIELD_F_ZERO,
	    FIELD_MEMBER(s.info.rttvar_us) },
	[FIELD_CWND] = { "cwnd", "CWND", "cwnd", "congestion window, "
	    "segments", UNIT_SEGMENTS, 5, 5, 16, SORT | RIGHT | INFO,
	    FIELD_MEMBER(s.info.snd_cwnd) },
	[FIELD_SSTHRESH] = { "ssthresh", "SSTHR", "ssthresh", "slow-start "
	    "threshold, segments (inf: still in the first slow start)",
	    UNIT_SEGMENTS, 5, 5, 17, SORT | RIGHT | INFO,
	    FIELD_MEMBER(s.info.snd_ssthresh), .text = field_ssthresh_text },
	[FIELD_LOST] = { "lost", "LOST", "lost", "segments in flight thought "
	    "lost", UNIT_SEGMENTS, 5, 5, 18, SORT | RIGHT | INFO,
	    FIELD_MEMBER(s.info.lost) },
	[FIELD_ACKED] = { "acked", "ACKED", "bytes_acked", "bytes sent and "
	    "acknowledged by the peer (K = 1024)", UNIT_BYTES, 5, 5, 19,
	    SORT | RIGHT | INFO, FIELD_MEMBER(s.info.bytes_acked) },
	[FIELD_RECEIVED] = { "received", "RCVD", "bytes_received", "bytes "
	    "received", UNIT_BYTES, 5, 5, 20, SORT | RIGHT | INFO,
	    FIELD_MEMBER(s.info.bytes_received) },
	[FIELD_DELIVERY] = { "delivery", "DLVR", "delivery_rate", "delivery "
	    "rate the kernel measured", UNIT_RATE, 6, 6, 21,
	    SORT | RIGHT | INFO, FIELD_MEMBER(s.info.delivery_rate) },
	[FIELD_TX] = { "tx", "TX2s", "throughput_tx", "throughput out: bytes "
	    "acknowledged per second, decaying average over 2 s (-: first "
	    "refresh)", UNIT_RATE, 6, 6, 22, SORT | RIGHT | FIELD_F_RATE,
	    .get = field_tx_get },
	[FIELD_RX] = { "rx", "RX2s", "throughput_rx", "throughput in: bytes "
	    "received per second, decaying average over 2 s (-: first "
	    "refresh)", UNIT_RATE, 6, 6, 23, SORT | RIGHT | FIELD_F_RATE,
	    .get = field_rx_get },
	[FIELD_TX10] = { "tx10", "TX10s", "throughput_tx_10s", "throughput "
	    "out, decaying average over 10 s", UNIT_RATE, 6, 6, 22,
	    SORT | RIGHT | FIELD_F_RATE, .get = field_tx10_get },
	[FIELD_RX10] = { "rx10", "RX10s", "throughput_rx_10s", "throughput "
	    "in, decaying average over 10 s", UNIT_RATE, 6, 6, 23,
	    SORT | RIGHT | FIELD_F_RATE, .get = field_rx10_get },
	[FIELD_TX40] = { "tx40", "TX40s", "throughput_tx_40s", "throughput "
	    "out, decaying average over 40 s", UNIT_RATE, 6, 6, 22,
	    SORT | RIGHT | FIELD_F_RATE, .get = field_tx40_get },
	[FIELD_RX40] = { "rx40", "RX40s", "throughput_rx_40s", "throughput "
	    "in, decaying average over 40 s", UNIT_RATE, 6, 6, 23,
	    SORT | RIGHT | FIELD_F_RATE, .get = field_rx40_get },
	[FIELD_SHUTDOWN] = { "shutdown", "SHUT", NULL, "shutdown(2) state, as "
	    "ss shows it: <-> open both ways, --> receiving shut (it only "
	    "sends), <-- sending shut (it only receives), --- both",
	    UNIT_NONE, 4, 4, 24, SORT | SAMPLED, .text = field_shutdown_text,
	    .cmp = field_shutdown_cmp, .json_fn = field_shutdown_json },
	[FIELD_CC] = { "cc", "CC", NULL, "congestion control algorithm",
	    UNIT_NONE, 8, 15, 25, SORT, .text = field_cc_text,
	    .json_fn = field_cc_json },
	[FIELD_SNDWND] = { "sndwnd", "SNDWND", "snd_wnd", "peer's advertised "
	    "receive window, bytes", UNIT_BYTES, 6, 6, 26, SORT | RIGHT | INFO,
	    FIELD_MEMBER(s.info.snd_wnd) },
	[FIELD_RCVSPACE] = { "rcvspace", "RCVSPC", "rcv_space", "receive "
	    "space: the window autotuning aims at, bytes", UNIT_BYTES, 6, 6,
	    27, SORT | RIGHT | INFO, FIELD_MEMBER(s.info.rcv_space) },
	[FIELD_ACCEPTQ] = { "acceptq", "ACCQ%", NULL, "LISTEN: connections "
	    "waiting for accept() as a percentage of the backlog",
	    UNIT_PERMILLE, 5, 5, 28, SORT | RIGHT, .get = field_acceptq_get,
	    .cmp = field_acceptq_cmp, .json_fn = field_acceptq_json },
	[FIELD_PID] = { "pid", "PID", NULL, "process holding the socket (-: "
	    "no file, ?: hidden)", UNIT_NONE, 7, 7, 29, SORT | RIGHT | OWNER,
	    .get = field_pid_get, .text = field_pid_text,
	    .json_fn = field_pid_json },
	[FIELD_PROCESS] = { "process", "PROCESS", NULL, "its command name "
	    "(queued:NAME: waiting in NAME's accept queue; (in flight): "
	    "passed over a unix socket, held by no process)",
	    UNIT_NONE, 8, 15, 3, SORT | OWNER, .text = field_process_text,
	    .cmp = field_process_cmp, .json_fn = field_process_json },
	[FIELD_USER] = { "user", "USER", NULL, "its user", UNIT_NONE, 8, 12,
	    31, SORT | OWNER, .text = field_user_text, .cmp = field_user_cmp,
	    .json_fn = field_user_json },
	[FIELD_SEEN] = { "seen", NULL, NULL, "time since tcptop first saw "
	    "the connection (+: at least, it predates tcptop)", UNIT_MS, 7, 7,
	    255, SORT | RIGHT, .get = field_seen_get, .text = field_seen_text,
	    .cmp = field_seen_cmp, .json_fn = field_seen_json },
	[FIELD_PREV] = { "prev", NULL, NULL, "the state before the current "
	    "one, when tcptop saw the change", UNIT_NONE, 11, 11, 255, SORT,
	    FIELD_MEMBER(prev_state), .text = field_prev_text,
	    .cmp = field_prev_cmp, .key = field_prev_key,
	    .json_fn = field_prev_json },
};

#undef SORT
#undef RIGHT
#undef INFO
#undef OWNER
#undef SAMPLED

/* The member a row reads, zero-extended. */
static uint64_t
field_member(const struct conn *c, const struct field *f)
{
	const unsigned char *p = (const unsigned char *)c + f->off;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (f->size) {
	case 1:
		return *p;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	case 8:
		memcpy(&v64, p, 8);
		return v64;
	}
	return 0;
}

int
field_value(int id, const struct conn *c, const struct field_ctx *cx,
    uint64_t *v)
{
	const struct field *f = &field_table[id];

	*v = 0;
	if (f->get != NULL)
		return f->get(c, cx, v);
	if (f->size == 0)
		return -1;
	if ((f->flags & FIELD_F_INFO) && !(c->s.flags & CONN_HAS_INFO))
		return -1;
	if ((f->flags & FIELD_F_RATE) && !(c->flags & CONN_RATE))
		return -1;
	/* No sample yet: the kernel's 0 (and its rttvar, the initial
	 * guess) measure nothing, so they are unknown, not 0. */
	if ((f->flags & FIELD_F_ZERO) && c->s.info.rtt_us == 0)
		return -1;
	*v = field_member(c, f);
	return 0;
}

void
field_fmt(int id, const struct conn *c, const struct field_ctx *cx,
    char *buf, size_t len)
{
	const struct field *f = &field_table[id];
	uint64_t v;

	if (len == 0)
		return;
	if (f->text != NULL)
		f->text(c, cx, buf, len);
	else if (field_value(id, c, cx, &v) == -1)
		snprintf(buf, len, "-");
	else
		unit_fmt(f->unit, v, buf, len);
}

size_t
field_cells(int id, const struct conn *c, const struct field_ctx *cx)
{
	static const struct field_ctx none;
	const struct field *f = &field_table[id];
	char text[CONN_ENDPOINT_LEN];
	size_t n;

	if (cx == NULL)
		cx = &none;
	if (f->cells != NULL && (n = f->cells(c, cx)) != 0)
		return n;
	field_fmt(id, c, cx, text, sizeof text);
	return text_width(text);
}

int
field_cmp(int id, const struct conn *a, const struct conn *b,
    const struct field_ctx *cx)
{
	static const struct field_ctx none;
	const struct field *f = &field_table[id];
	uint64_t va, vb;

	if (cx == NULL)
		cx = &none;
	if (f->cmp != NULL)
		return f->cmp(a, b, cx);
	if (f->get == NULL && f->size == 0) {
		/* Only text (a namespace's label, a cgroup's name, the
		 * congestion control): as it reads. */
		char ta[CONN_ENDPOINT_LEN], tb[CONN_ENDPOINT_LEN];
		int c;

		field_fmt(id, a, cx, ta, sizeof ta);
		field_fmt(id, b, cx, tb, sizeof tb);
		c = strcmp(ta, tb);
		return SPACESHIP(c, 0);
	}
	/* Unknown reads as 0: a socket without tcp_info, a row without a
	 * rate yet. */
	if (field_value(id, a, cx, &va) == -1)
		va = 0;
	if (field_value(id, b, cx, &vb) == -1)
		vb = 0;
	return SPACESHIP(va, vb);
}

int
field_key(int id, const struct conn *c, const struct field_ctx *cx,
    uint64_t *k)
{
	static const struct field_ctx none;
	const struct field *f = &field_table[id];

	*k = 0;
	if (f->key != NULL) {
		*k = f->key(c);
		return 0;
	}
	if (f->cmp != NULL || (f->get == NULL && f->size == 0))
		return -1;
	/* As field_cmp: unknown is 0. */
	if (field_value(id, c, cx != NULL ? cx : &none, k) == -1)
		*k = 0;
	return 0;
}

void
field_json(struct json_buf *b, const struct conn *c,
    const struct field_ctx *cx)
{
	const struct field *f;
	const char *sep = "";
	uint64_t v;

	for (f = field_table; f < field_table + FIELD_N; f++) {
		if (f->json_fn != NULL) {
			if (f->json_fn(b, sep, c, cx))
				sep = ", ";
			continue;
		}
		if (f->json == NULL)
			continue;
		json_put_keyn(b, sep, *sep != '\0' ? 2 : 0, f->json,
		    strlen(f->json));
		sep = ", ";
		if (field_value((int)(f - field_table), c, cx, &v) == -1)
			json_put(b, "null");
		else if (f->unit == UNIT_US)
			json_put_milli(b, (int64_t)v);
		else
			json_put_u64(b, v);
	}
}

int
field_lookup(const char *name)
{
	int i;

	for (i = 0; i < FIELD_N; i++)
		if (strcasecmp(name, field_table[i].name) == 0)
			return i;
	return -1;
}

int
field_sort_lookup(const char *name)
{
	int id = field_lookup(name);

	return id >= 0 && (field_table[id].flags & FIELD_F_SORT) ? id : -1;
}

int
field_sort_step(int id, int dir)
{
	int i;

	for (i = 0; i < FIELD_N; i++) {
		id = (id + (dir > 0 ? 1 : FIELD_N - 1)) % FIELD_N;
		if (field_table[id].flags & FIELD_F_SORT)
			return id;
	}
	return FIELD_STATE;
}

size_t
field_nsort(void)
{
	size_t n = 0;
	int i;

	for (i = 0; i < FIELD_N; i++)
		n += (field_table[i].flags & FIELD_F_SORT) != 0;
	return n;
}

int
field_sort_key(size_t i)
{
	int id;

	for (id = 0; id < FIELD_N; id++)
		if ((field_table[id].flags & FIELD_F_SORT) && i-- == 0)
			return id;
	return -1;
}

int
field_sort_index(int id)
{
	int i, n = 0;

	if (id < 0 || id >= FIELD_N || !(field_table[id].flags & FIELD_F_SORT))
		return -1;
	for (i = 0; i < id; i++)
		n += (field_table[i].flags & FIELD_F_SORT) != 0;
	return n;
}

int
field_is_column(int id)
{
	return id >= 0 && id < FIELD_N && field_table[id].title != NULL;
}
