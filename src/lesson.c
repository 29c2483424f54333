/* The lesson engine: real connections walked through TCP's states, one
 * step at a time, in a private network namespace with nft drop rules
 * when root, on the host's loopback otherwise. */
#include <sys/ioctl.h>

#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/lesson.h"
#include "tcptop/log.h"
#include "tcptop/tcpstate.h"
#include "tcptop/xmalloc.h"

#include "lesson_int.h"

/* ---- the steps ---------------------------------------------------------- */

static int
act_listen(struct lesson *l)
{
	return lesson_listen(l, LP_OPEN);
}

static int
act_syn_sent(struct lesson *l)
{
	if (lesson_drops(l, "tcp dport %u tcp flags & syn == syn drop",
	    l->port[LP_OPEN]) == -1 || lesson_connect(l, LP_OPEN) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    l->drops ? TCP_SYN_SENT : TCP_ESTABLISHED);
}

static int
act_syn_recv(struct lesson *l)
{
	/* The SYN passes now; the client's ACK of the SYN-ACK does not. */
	if (lesson_drops(l, "tcp dport %u tcp flags & syn == 0 drop",
	    l->port[LP_OPEN]) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_ESTABLISHED);
}

static int
act_established(struct lesson *l)
{
	static const char req[] = "hello, server\n";
	static const char rsp[] = "hello, client\n";

	/* The request carries the ACK the server never got: the server's
	 * request socket becomes a full one and is accepted. */
	if (lesson_drops(l, "%s", "") == -1 ||
	    lesson_write(l, l->cfd[LP_OPEN], req, sizeof req - 1) == -1 ||
	    lesson_accept(l, LP_OPEN) == -1 ||
	    lesson_read(l, l->sfd[LP_OPEN], sizeof req - 1) == -1 ||
	    lesson_write(l, l->sfd[LP_OPEN], rsp, sizeof rsp - 1) == -1 ||
	    lesson_read(l, l->cfd[LP_OPEN], sizeof rsp - 1) == -1)
		return -1;
	return 0;
}

static int
act_data(struct lesson *l)
{
	char body[LESSON_BODY];
	long long deadline = lesson_now_ms() + LESSON_WAIT_MS;
	int queued = 0;

	memset(body, 'x', sizeof body);
	if (lesson_write(l, l->cfd[LP_OPEN], body, sizeof body) == -1)
		return -1;
	/* Arrived, and left unread: the server's Recv-Q. */
	while (ioctl(l->sfd[LP_OPEN], FIONREAD, &queued) == 0 &&
	    queued < LESSON_BODY) {
		if (lesson_now_ms() > deadline)
			return lesson_fail(l, 0, "%d bytes of %d arrived after "
			    "%d ms", queued, LESSON_BODY, LESSON_WAIT_MS);
		if (lesson_nap(l) == -1)
			return -1;
	}
	return 0;
}

static int
act_fin_wait1(struct lesson *l)
{
	if (lesson_read(l, l->sfd[LP_OPEN], LESSON_BODY) == -1 ||
	    lesson_drops(l, "tcp dport %u tcp flags & fin == fin drop",
	    l->port[LP_OPEN]) == -1 ||
	    lesson_shutdown(l, l->cfd[LP_OPEN]) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    l->drops ? TCP_FIN_WAIT1 : TCP_FIN_WAIT2);
}

static int
act_fin_wait2(struct lesson *l)
{
	if (lesson_drops(l, "%s", "") == -1 ||
	    lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_FIN_WAIT2) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_CLOSE_WAIT);
}

static int
act_last_ack(struct lesson *l)
{
	if (lesson_drops(l, "tcp sport %u tcp flags & fin == fin drop",
	    l->port[LP_OPEN]) == -1 ||
	    lesson_shutdown(l, l->sfd[LP_OPEN]) == -1)
		return -1;
	if (l->drops)
		return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
		    TCP_LAST_ACK);
	/* Straight through: the client's full socket is CLOSE once a
	 * TIME_WAIT minisocket has taken the connection over. */
	if (lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_CLOSE) == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_CLOSE);
}

static int
act_time_wait(struct lesson *l)
{
	if (!l->drops)
		return 0;
	/* The server's FIN passes now, the client's last ACK does not: the
	 * server resends its FIN, and each one restarts TIME_WAIT. */
	if (lesson_drops(l, "tcp dport %u tcp flags == ack drop",
	    l->port[LP_OPEN]) == -1 ||
	    lesson_wait(l, LP_OPEN, LESSON_CLIENT, l->cfd[LP_OPEN],
	    TCP_CLOSE) == -1)
		return -1;
	lesson_close_fd(&l->cfd[LP_OPEN]);
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_LAST_ACK);
}

static int
act_closed(struct lesson *l)
{
	lesson_close_fd(&l->cfd[LP_OPEN]);
	if (lesson_drops(l, "%s", "") == -1)
		return -1;
	return lesson_wait(l, LP_OPEN, LESSON_SERVER, l->sfd[LP_OPEN],
	    TCP_CLOSE);
}

static int
act_simul_close(struct lesson *l)
{
	int k = LP_SIMUL;

	/* Ask for the close of the last part's server: its socket is CLOSE
	 * and no longer shown. */
	lesson_close_fd(&l->sfd[LP_OPEN]);
	if (lesson_pair(l, k) == -1 ||
	    lesson_drops(l, "tcp dport %u tcp flags & fin == fin drop\n"
	    "tcp sport %u tcp flags & fin == fin drop", l->port[k],
	    l->port[k]) == -1 ||
	    lesson_shutdown(l, l->cfd[k]) == -1 ||
	    lesson_shutdown(l, l->sfd[k]) == -1)
		return -1;
	if (!l->drops)	/* one close after the other, on loopback */
		return lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSE);
	if (lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_FIN_WAIT1) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_FIN_WAIT1);
}

static int
act_closing(struct lesson *l)
{
	int k = LP_SIMUL;

	if (!l->drops)
		return 0;
	/* The client's FIN reaches the server, whose own FIN is still
	 * unanswered: CLOSING.  The server's ACK tells the client its FIN
	 * arrived: FIN_WAIT2. */
	if (lesson_drops(l, "tcp sport %u tcp flags & fin == fin drop",
	    l->port[k]) == -1 ||
	    lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSING) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_FIN_WAIT2);
}

static int
act_simul_time_wait(struct lesson *l)
{
	int k = LP_SIMUL;

	if (lesson_drops(l, "%s", "") == -1 ||
	    lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_CLOSE) == -1 ||
	    lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSE) == -1)
		return -1;
	lesson_close_fd(&l->cfd[k]);
	lesson_close_fd(&l->sfd[k]);
	return 0;
}

static int
act_reset_open(struct lesson *l)
{
	return lesson_pair(l, LP_RESET);
}

static int
act_reset(struct lesson *l)
{
	int k = LP_RESET;

	lesson_abort(&l->cfd[k]);
	return lesson_wait(l, k, LESSON_SERVER, l->sfd[k], TCP_CLOSE);
}

static int
act_refused(struct lesson *l)
{
	int k = LP_REFUSED;

	lesson_close_fd(&l->sfd[LP_RESET]);
	if (lesson_connect(l, k) == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_CLOSE);
}

static int
act_half_open(struct lesson *l)
{
	int k = LP_HALF;

	lesson_close_fd(&l->cfd[LP_REFUSED]);
	if (lesson_pair(l, k) == -1 ||
	    lesson_drops(l, "tcp dport %u drop\ntcp sport %u drop",
	    l->port[k], l->port[k]) == -1)
		return -1;
	/* The server's end goes away; its RST is dropped on the way. */
	lesson_abort(&l->sfd[k]);
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k],
	    l->drops ? TCP_ESTABLISHED : TCP_CLOSE);
}

static int
act_half_open_write(struct lesson *l)
{
	static const char msg[] = "are you there?\n";
	long long deadline = lesson_now_ms() + LESSON_WAIT_MS;
	int k = LP_HALF;
	struct tcp_info ti;
	socklen_t len;

	if (!l->drops)
		return 0;
	if (lesson_write(l, l->cfd[k], msg, sizeof msg - 1) == -1)
		return -1;
	/* Wait for the first retransmission. */
	for (;;) {
		len = sizeof ti;
		memset(&ti, 0, sizeof ti);
		if (getsockopt(l->cfd[k], IPPROTO_TCP, TCP_INFO, &ti,
		    &len) == -1)
			return lesson_fail(l, errno, "TCP_INFO");
		if (ti.tcpi_total_retrans > 0)
			break;
		if (lesson_now_ms() > deadline)
			return lesson_fail(l, 0, "no retransmission after %d "
			    "ms", LESSON_WAIT_MS);
		if (lesson_nap(l) == -1)
			return -1;
	}
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_ESTABLISHED);
}

static int
act_half_open_reset(struct lesson *l)
{
	int k = LP_HALF;

	/* The next retransmission reaches a port whose listener knows
	 * nothing of this connection: it answers RST. */
	if (lesson_drops(l, "%s", "") == -1)
		return -1;
	return lesson_wait(l, k, LESSON_CLIENT, l->cfd[k], TCP_CLOSE);
}

struct lesson_want {
	int port;		/* LP_* */
	int side;		/* enum lesson_side */
	int state;		/* TCP_*; 0 ends the list */
};

struct lesson_def {
	const char *part;
	const char *title;
	const char *text;
	int needs_drops;	/* holds its states only with drop rules */
	int (*act)(struct lesson *);
	struct lesson_want want[LESSON_MAX_EXPECT];
};

#define S_ LESSON_SERVER
#define C_ LESSON_CLIENT

static const struct lesson_def lesson_defs[] = {
	{ "Handshake", "A server listens",
	  "The server calls listen(). Its socket is in LISTEN: it has no "
	  "peer, only a port, and waits for SYNs.",
	  0, act_listen, { { LP_OPEN, S_, TCP_LISTEN } } },
	{ "Handshake", "The client sends a SYN, which is lost",
	  "The client calls connect(): the kernel sends a SYN and the socket "
	  "is in SYN_SENT. Here the network drops the SYN, so the client "
	  "waits and sends it again, later and later.",
	  1, act_syn_sent, { { LP_OPEN, C_, TCP_SYN_SENT },
	  { LP_OPEN, S_, TCP_LISTEN } } },
	{ "Handshake", "SYN, SYN-ACK, and the last ACK is lost",
	  "The SYN gets through. The server answers SYN-ACK and keeps a small "
	  "request socket in SYN_RECV. The client takes the SYN-ACK as done: "
	  "it is ESTABLISHED. Its ACK is lost, so the server is not, yet.",
	  1, act_syn_recv, { { LP_OPEN, C_, TCP_ESTABLISHED },
	  { LP_OPEN, S_, TCP_SYN_RECV }, { LP_OPEN, S_, TCP_LISTEN } } },
	{ "Handshake", "ESTABLISHED on both ends",
	  "The client's first data carries the ACK again. The server's "
	  "request becomes a full socket, accept() returns it, and both ends "
	  "are ESTABLISHED. A request and a reply go across.",
	  0, act_established, { { LP_OPEN, C_, TCP_ESTABLISHED },
	  { LP_OPEN, S_, TCP_ESTABLISHED } } },
	{ "Handshake", "Data waits to be read",
	  "The client sends 1000 bytes. The server's kernel has them and has "
	  "ACKed them, but the application has not read them: they show in "
	  "the server's Recv-Q.",
	  0, act_data, { { LP_OPEN, C_, TCP_ESTABLISHED },
	  { LP_OPEN, S_, TCP_ESTABLISHED } } },
	{ "Close", "Active close: the client's FIN is lost",
	  "The server reads the data. The client is done and calls shutdown(): "
	  "it sends a FIN and is in FIN_WAIT1 until that FIN is ACKed. The "
	  "FIN is dropped, so it is resent.",
	  1, act_fin_wait1, { { LP_OPEN, C_, TCP_FIN_WAIT1 },
	  { LP_OPEN, S_, TCP_ESTABLISHED } } },
	{ "Close", "FIN_WAIT2 and CLOSE_WAIT",
	  "The FIN arrives and is ACKed. The client waits in FIN_WAIT2 for "
	  "the server's FIN. The server is in CLOSE_WAIT: the peer has "
	  "finished, and it is up to the server's application to close.",
	  0, act_fin_wait2, { { LP_OPEN, C_, TCP_FIN_WAIT2 },
	  { LP_OPEN, S_, TCP_CLOSE_WAIT } } },
	{ "Close", "Passive close: the server's FIN is lost",
	  "The server closes too: it sends its FIN and is in LAST_ACK, "
	  "waiting for the ACK of it. That FIN is dropped, so the client "
	  "stays in FIN_WAIT2.",
	  1, act_last_ack, { { LP_OPEN, S_, TCP_LAST_ACK },
	  { LP_OPEN, C_, TCP_FIN_WAIT2 } } },
	{ "Close", "TIME_WAIT, and why it exists",
	  "The server's FIN arrives: the client ACKs it and enters "
	  "TIME_WAIT. Its ACK is lost, so the server sends the FIN again; "
	  "TIME_WAIT is there to answer it. Linux hands it to a small "
	  "socket that no process owns.",
	  1, act_time_wait, { { LP_OPEN, C_, TCP_TIME_WAIT },
	  { LP_OPEN, S_, TCP_LAST_ACK } } },
	{ "Close", "The connection is gone; TIME_WAIT stays",
	  "The ACK gets through and the server's socket is CLOSED: it leaves "
	  "the kernel's tables. The client's TIME_WAIT stays for 60 s after "
	  "the last FIN, so no stray segment reaches a new connection.",
	  0, act_closed, { { LP_OPEN, C_, TCP_TIME_WAIT },
	  { LP_OPEN, S_, TCP_CLOSE } } },
	{ "Simultaneous close", "Both ends close at once",
	  "A new connection. Both ends call shutdown() at the same time: "
	  "both send a FIN and are in FIN_WAIT1. Both FINs are dropped, so "
	  "they cross in flight, as they can on a long path.",
	  1, act_simul_close, { { LP_SIMUL, C_, TCP_FIN_WAIT1 },
	  { LP_SIMUL, S_, TCP_FIN_WAIT1 } } },
	{ "Simultaneous close", "CLOSING",
	  "The client's FIN reaches the server while the server's own FIN is "
	  "unanswered: the server is CLOSING. Its ACK tells the client that "
	  "its FIN arrived: the client is in FIN_WAIT2.",
	  1, act_closing, { { LP_SIMUL, S_, TCP_CLOSING },
	  { LP_SIMUL, C_, TCP_FIN_WAIT2 } } },
	{ "Simultaneous close", "Both ends in TIME_WAIT",
	  "The server's FIN arrives and is ACKed. After a simultaneous close "
	  "both ends closed actively, so both wait in TIME_WAIT.",
	  1, act_simul_time_wait, { { LP_SIMUL, C_, TCP_TIME_WAIT },
	  { LP_SIMUL, S_, TCP_TIME_WAIT } } },
	{ "Trouble", "A connection to be reset",
	  "A new connection, ESTABLISHED on both ends, like the first one. "
	  "This one will not end politely.",
	  0, act_reset_open, { { LP_RESET, C_, TCP_ESTABLISHED },
	  { LP_RESET, S_, TCP_ESTABLISHED } } },
	{ "Trouble", "A reset",
	  "The client aborts (SO_LINGER 0, then close()). It sends one RST "
	  "instead of a FIN, and the server's socket is CLOSED at once: no "
	  "FIN exchange, no TIME_WAIT. The server's recv() says ECONNRESET.",
	  0, act_reset, { { LP_RESET, S_, TCP_CLOSE } } },
	{ "Trouble", "A refused connect",
	  "The client connects to a port where nothing listens. The kernel "
	  "answers the SYN with a RST: SYN_SENT goes straight to CLOSED and "
	  "connect() fails with ECONNREFUSED.",
	  0, act_refused, { { LP_REFUSED, C_, TCP_CLOSE } } },
	{ "Trouble", "Half-open: the peer is gone",
	  "A new connection. Then the network between the ends goes dark and "
	  "the server's end vanishes (a crash, a reboot). The client is not "
	  "told: it is still ESTABLISHED, with nobody on the other side.",
	  1, act_half_open, { { LP_HALF, C_, TCP_ESTABLISHED } } },
	{ "Trouble", "Half-open: writing finds nothing",
	  "The client writes. No ACK comes back, so it retransmits, waiting "
	  "longer each time (see the retrans column). Only a write or a "
	  "keepalive finds out about a dead peer.",
	  1, act_half_open_write, { { LP_HALF, C_, TCP_ESTABLISHED } } },
	{ "Trouble", "Half-open: the RST ends it",
	  "The path comes back. The next retransmission reaches the server's "
	  "host, which has no such connection and answers RST: the client's "
	  "socket is CLOSED and the application gets ECONNRESET.",
	  1, act_half_open_reset, { { LP_HALF, C_, TCP_CLOSE } } },
};

#undef S_
#undef C_

#define LESSON_NSTEPS ((int)(sizeof lesson_defs / sizeof lesson_defs[0]))

int
lesson_nsteps(void)
{
	return LESSON_NSTEPS;
}

/* The descriptor that holds the socket an expectation is about, or -1:
 * request and TIME_WAIT sockets have none. */
static int
lesson_fd_of(const struct lesson *l, const struct lesson_want *w)
{
	if (w->state == TCP_TIME_WAIT || w->state == TCP_SYN_RECV)
		return -1;
	if (w->side == LESSON_CLIENT)
		return l->cfd[w->port];
	return w->state == TCP_LISTEN ? l->lfd[w->port] : l->sfd[w->port];
}

/* Fill the expectations of step n (1-based) from the table, with what
 * our descriptors show when seen is asked for. */
static size_t
lesson_fill(const struct lesson *l, int n, struct lesson_expect *out,
    int seen)
{
	const struct lesson_def *d = &lesson_defs[n - 1];
	size_t i;

	for (i = 0; i < LESSON_MAX_EXPECT && d->want[i].state != 0; i++) {
		out[i].port = l->port[d->want[i].port];
		out[i].side = d->want[i].side;
		out[i].state = d->want[i].state;
		out[i].seen = seen ? lesson_state(lesson_fd_of(l,
		    &d->want[i])) : 0;
	}
	return i;
}

int
lesson_step(struct lesson *l, char *err, size_t errlen)
{
	const struct lesson_def *d;
	size_t i;

	err[0] = '\0';
	if (l->done >= LESSON_NSTEPS)
		return 0;
	d = &lesson_defs[l->done];
	l->err = err;
	l->errlen = errlen;
	log_debug("lesson: step %d: %s", l->done + 1, d->title);
	if (d->act(l) == -1) {
		int e = errno;
		char why[256];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "step %d (%s): %s", l->done + 1,
		    d->title, why);
		errno = e;
		return -1;
	}
	l->done++;
	l->nexp = lesson_fill(l, l->done, l->exp, 1);
	/* What the actions waited for, checked once more as a whole. */
	if (!d->needs_drops || l->drops)
		for (i = 0; i < l->nexp; i++)
			if (l->exp[i].seen != 0 &&
			    l->exp[i].seen != l->exp[i].state) {
				snprintf(err, errlen, "step %d (%s): the %s end "
				    "of port %u is %s, not %s", l->done,
				    d->title, lesson_side_name(l->exp[i].side),
				    l->exp[i].port,
				    tcpstate_name(l->exp[i].seen),
				    tcpstate_name(l->exp[i].state));
				errno = EPROTO;
				return -1;
			}
	return 1;
}

void
lesson_current(const struct lesson *l, struct lesson_info *out)
{
	memset(out, 0, sizeof *out);
	out->n = l->done;
	out->nsteps = LESSON_NSTEPS;
	out->note = "";
	out->held = 1;
	if (l->done == 0) {
		out->part = "Introduction";
		out->title = "TCP's states, on real sockets";
		out->text = "Each step makes real connections and moves them "
		    "on; the list shows what the kernel holds. A client and "
		    "a server talk over the loopback, both ends on screen.";
		out->note = l->note;
		return;
	}
	out->part = lesson_defs[l->done - 1].part;
	out->title = lesson_defs[l->done - 1].title;
	out->text = lesson_defs[l->done - 1].text;
	if (lesson_defs[l->done - 1].needs_drops && !l->drops) {
		out->held = 0;
		out->note = "not held here: it needs drop rules, which need "
		    "root (a private network namespace and nft)";
	}
	out->nexpect = l->nexp;
	out->expect = l->exp;
}

void
lesson_filter(const struct lesson *l, struct filter *f)
{
	int k;

	f->nranges = 0;
	for (k = 0; k < LP_N; k++) {
		f->ranges[f->nranges].lo = l->port[k];
		f->ranges[f->nranges].hi = l->port[k];
		f->nranges++;
	}
}

const char *
lesson_netns(const struct lesson *l)
{
	return l->nsname[0] != '\0' ? l->nsname : NULL;
}

int
lesson_netns_fd(const struct lesson *l)
{
	return l->ns_fd;
}

const char *
lesson_note(const struct lesson *l)
{
	return l->note;
}

/* List the steps that need drop rules, for the note. */
static void
lesson_list_dropsteps(char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < LESSON_NSTEPS && off < len; i++)
		if (lesson_defs[i].needs_drops)
			off += (size_t)snprintf(buf + off, len - off, "%s%d",
			    off == 0 ? "" : ",", i + 1);
}

struct lesson *
lesson_open(volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct lesson *l = xcalloc(1, sizeof *l);
	char why[256], steps[96];
	int k;

	err[0] = '\0';
	l->stop = stop;
	l->host_fd = l->ns_fd = -1;
	for (k = 0; k < LP_N; k++)
		l->lfd[k] = l->cfd[k] = l->sfd[k] = -1;
	l->err = err;
	l->errlen = errlen;
	lesson_list_dropsteps(steps, sizeof steps);

	if (lesson_ns_create(l, why, sizeof why) == 0) {
		if (lesson_ns_setup(why, sizeof why) == -1)
			snprintf(l->note, sizeof l->note, "no drop rules "
			    "(%s): steps %s pass without holding their "
			    "states", why, steps);
		else
			l->drops = 1;
	} else
		snprintf(l->note, sizeof l->note, "%s: on the host's loopback "
		    "without drop rules, steps %s pass without holding "
		    "their states (run as root for all of them)", why, steps);
	log_debug("lesson: %s%s", l->nsname[0] ? l->nsname : "loopback",
	    l->drops ? ", drop rules" : "");

	/* Listening ports are bound now, so that the filter knows them from
	 * the start; nothing listens on the refused one. */
	for (k = 0; k < LP_N; k++) {
		uint16_t want = l->nsname[0] ? LESSON_PORT_BASE + k : 0;

		if (k == LP_REFUSED && l->nsname[0]) {
			l->port[k] = want;
			continue;
		}
		/* On the host, a socket bound and never listening keeps
		 * the refused port free of listeners. */
		if ((l->lfd[k] = lesson_bind(l, want, &l->port[k])) == -1) {
			int e = errno;

			lesson_close(l);
			errno = e;
			return NULL;
		}
	}
	return l;
}

void
lesson_close(struct lesson *l)
{
	int k;

	if (l == NULL)
		return;
	/* Resets, not FINs: nothing lingers after us. */
	for (k = 0; k < LP_N; k++) {
		lesson_abort(&l->cfd[k]);
		lesson_abort(&l->sfd[k]);
		lesson_close_fd(&l->lfd[k]);
	}
	if (l->host_fd >= 0) {
		if (setns(l->host_fd, CLONE_NEWNET) == -1)
			log_debug("lesson: back to the host's namespace: %s",
			    strerror(errno));
		close(l->host_fd);
	}
	/* The last holder of the namespace: it goes with its drop rules
	 * and whatever sockets the kernel still kept in it. */
	if (l->ns_fd >= 0)
		close(l->ns_fd);
	free(l);
}
