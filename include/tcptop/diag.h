/* diag: TCP sockets from the kernel's sock_diag netlink interface.
 *
 * This is the only module that speaks netlink.  It dumps the sockets for a
 * query, validates every message and attribute, and hands each socket to
 * the caller as a plain struct conn_sample.  It can also record the raw
 * netlink stream of each dump and parse such a stream again (diag_file.c
 * owns the file format), and look one socket up in full for the detail
 * view (diag_lookup). */
#ifndef TCPTOP_DIAG_H
#define TCPTOP_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcptop/conn.h"
#include "tcptop/unit.h"
#include "tcptop/filter.h"

struct diag;

/* What to ask the kernel for.  Built from the options, never from
 * display state. */
struct diag_query {
	const struct filter *filter;	/* families, states and ports */
	int want_info;			/* ask for tcp_info and congestion */
	/* Both families in one walk of the kernel's tables: the old
	 * TCPDIAG_GETSOCK request, which the kernel answers for every
	 * family (inet_diag_dump_compat), where SOCK_DIAG_BY_FAMILY
	 * walks them once per family.  Not recorded (diag_record). */
	int one_walk;
};

/* Receiver of the sockets of one dump.  begin() is called before the
 * first sample and again when the dump is restarted after an
 * interruption: the receiver must then forget the partial pass.  When
 * begin() runs, the stats (diag_last_stats, or the replay's) already hold
 * the dump's start time.  A
 * sample pointer is valid only during the call. */
struct diag_sink {
	void (*begin)(void *arg);
	void (*sample)(void *arg, const struct conn_sample *s);
	void *arg;
};

/* Counters for the last dump. */
struct diag_stats {
	unsigned long messages;		/* inet_diag messages parsed */
	unsigned long datagrams;	/* recv calls that returned data */
	unsigned long skipped;		/* malformed messages skipped */
	unsigned restarts;		/* dumps restarted (NLM_F_DUMP_INTR) */
	int inconsistent;		/* still interrupted after restarting */
	size_t bufsize;			/* receive buffer in use */
	int record_errno;		/* nonzero: writing the recording failed
					 * with this errno, and it stopped */
	int64_t realtime_ns;		/* when the dump (or its last restart) */
	int64_t mono_ns;		/* began: CLOCK_REALTIME, _MONOTONIC */
};

/* Open the netlink socket, kept for every later dump.  Returns NULL with
 * errno set (EPROTONOSUPPORT without sock_diag, ENOMEM). */
struct diag *diag_open(void);

/* Start the receive buffer at n bytes instead of the default (32 KiB).
 * It still grows to whatever a datagram measures; tests use a tiny one to
 * drive that path.  Returns 0, or -1 with EINVAL for n below 64. */
int diag_set_bufsize(struct diag *d, size_t n);

/* Close the socket and free everything, including the recording. */
void diag_close(struct diag *d);

/* Dump every socket that q selects, both families as asked, and feed them
 * to sink.  The filter goes to the kernel as idiag_states (--state and
 * the states the expression allows) and inet_diag bytecode (the port
 * ranges and what the kernel can test of the expression); every socket
 * is then checked with filter_match, so the sink sees exactly the
 * filter's sockets.  Returns 0, or -1 with errno set (ENOBUFS when the
 * kernel dropped data even after a restart, EPROTO for a malformed
 * stream, and whatever recvmsg or sendto said); the sink may then have
 * seen a partial dump. */
int diag_dump(struct diag *d, const struct diag_query *q,
    const struct diag_sink *sink);

/* Statistics of the last diag_dump. */
const struct diag_stats *diag_last_stats(const struct diag *d);

/* Record the raw stream of every later dump to fp (diag_file format), the
 * header is written at once.  fp stays the caller's; pass NULL to stop.
 * Returns 0, or -1 with errno from the write. */
int diag_record(struct diag *d, FILE *fp);

/* Parse one netlink datagram of a sock_diag dump (as received or
 * replayed) and feed the sockets that pass f (NULL: all) to sink.  A
 * socket message that is short or carries a malformed attribute is
 * skipped and counted in st->skipped; unknown attributes are ignored.
 * Returns 1 when the datagram held NLMSG_DONE, 0 when the dump goes on,
 * -1 with errno set and a one-line reason in err (errlen bytes) when the
 * netlink framing is broken (EPROTO) or the kernel reported an error.
 * *intr is set when a message carried NLM_F_DUMP_INTR. */
int diag_parse_datagram(const void *buf, size_t len, const struct filter *f,
    const struct diag_sink *sink, struct diag_stats *st, int *intr,
    char *err, size_t errlen);

/* One named value of a single socket, for the detail view. */
struct diag_field {
	const char *name;	/* "rtt", "snd_cwnd", ...: a static string,
				 * unique within one lookup */
	int unit;		/* enum unit (unit.h): how it reads */
	uint64_t value;
	const char *text;	/* NULL, or the value as a static string
				 * (the congestion control's name); value
				 * is then 0 */
};

/* Room for every field one lookup can report. */
#define DIAG_LOOKUP_MAX 128

/* Ask the kernel for the one socket s names (family, 4-tuple, bound
 * device, cookie) and fill at most max fields of out: every field of the
 * tcp_info the kernel sent, in struct order and only those wholly inside
 * the length it sent (an older kernel's shorter tcp_info gives fewer),
 * then the congestion control, its own info, the socket's memory
 * (skmeminfo) and a few more.  Returns the number of fields; 0 when the
 * socket has no tcp_info (a TIME_WAIT or request socket); -1 with errno
 * ENOENT when the socket is gone or is no longer the one s names (another
 * cookie on its 4-tuple), ETIMEDOUT when no answer came within a second,
 * EPROTO for a malformed reply, EINVAL for a family other than AF_INET
 * and AF_INET6, or what the kernel, sendto or recvmsg said.  Names point
 * to static strings.  Works on the same d between dumps,
 * leaves the dump's stats and error alone, and is not recorded. */
int diag_lookup(struct diag *d, const struct conn_sample *s,
    struct diag_field *out, size_t max);

/* The TCP state the socket s names (family, 4-tuple, bound device,
 * cookie) is in now, by the same exact request as diag_lookup: what a
 * destroy checks first, since SOCK_DESTROY finds its socket by cookie
 * and 4-tuple whatever its state.  Returns the state (TCP_*), or -1 with
 * errno as diag_lookup's (ENOENT: gone, or another socket's now). */
int diag_state(struct diag *d, const struct conn_sample *s);

/* What diag_get found for keys[i]: the socket (valid only during the
 * call), or NULL when there is none (ENOENT: gone, or another cookie on
 * its 4-tuple). */
typedef void (*diag_get_fn)(void *arg, size_t i, const struct conn_sample *s);

/* Ask for each of the n sockets keys name (family, 4-tuple, bound
 * device, and the cookie where nonzero: else whatever socket holds the
 * 4-tuple now), with tcp_info and congestion control as a dump's, by
 * exact requests sent 32 to a datagram, and hand each answer to cb,
 * in the order they come.  The incremental refresh's source: a few
 * microseconds a socket, against a dump's walk of the whole table.
 * Returns 0, or -1 with errno (EINVAL for a family other than AF_INET
 * and AF_INET6, ETIMEDOUT, EPROTO, or what the kernel, sendto or
 * recvmsg said) after cb saw some of them.  Works on the same d between
 * dumps, leaves the dump's stats alone and is not recorded. */
int diag_get(struct diag *d, const struct conn_sample *keys, size_t n,
    diag_get_fn cb, void *arg);

/* diag_state's parser, for the tests: as diag_lookup_parse, but returns
 * the state of the one reply message. */
int diag_state_parse(const void *buf, size_t len, unsigned seq,
    unsigned portid, const struct conn_sample *s);

/* diag_lookup's parser, for the tests: buf holds len bytes of one
 * datagram, seq and portid are the request's (0 checks neither), and
 * messages of other requests are skipped.  Returns what diag_lookup
 * returns, or -1 with EAGAIN when the datagram held nothing of this
 * request. */
int diag_lookup_parse(const void *buf, size_t len, unsigned seq,
    unsigned portid, const struct conn_sample *s, struct diag_field *out,
    size_t max);

/* Destroy the one socket s names (family, 4-tuple, bound device,
 * cookie), as ss -K does: a SOCK_DESTROY request, answered by an
 * acknowledgement.  The kernel aborts a full socket (its owner sees
 * ECONNABORTED, the peer gets a reset where the state calls for one),
 * closes a listener with its queue, and drops a request or timewait
 * minisocket.  Returns 0 when it went, or -1 with errno: EPERM without
 * CAP_NET_ADMIN over the socket's namespace, EOPNOTSUPP when the kernel
 * was built without CONFIG_INET_DIAG_DESTROY, or for a timewait socket
 * on an older kernel whose tcp_abort knows only full and request
 * sockets (6.18 destroys all three), ENOENT when it is gone or
 * is no longer the one s names (another cookie on its 4-tuple),
 * ETIMEDOUT when no answer came within a second, EINVAL for a family
 * other than AF_INET and AF_INET6, or what sendto or recvmsg said.
 * Works on the same d between dumps and leaves the dump's stats alone. */
int diag_destroy(struct diag *d, const struct conn_sample *s);

/* diag_destroy's request for s, for the tests: written into buf (len
 * bytes) with sequence number seq.  Returns its length, or 0 when len is
 * too small or the family is neither AF_INET nor AF_INET6. */
size_t diag_destroy_build(void *buf, size_t len, unsigned seq,
    const struct conn_sample *s);

/* diag_destroy's parser, for the tests: buf holds len bytes of one
 * datagram, seq and portid are the request's (0 checks neither), and
 * messages of other requests are skipped.  Returns 0 for the kernel's
 * acknowledgement, -1 with its errno for its error, EPROTO for a
 * malformed answer, or EAGAIN when the datagram held nothing of this
 * request. */
int diag_destroy_parse(const void *buf, size_t len, unsigned seq,
    unsigned portid);

/* Why destroying a socket in TCP state failed with err, as one line for
 * the user ("needs CAP_NET_ADMIN: run as root").  A static string; never
 * NULL. */
const char *diag_destroy_reason(int err, int state);

/* The reason for the last diag_dump failure, "" after a success. */
const char *diag_last_error(const struct diag *d);

/* Compile what the kernel can test of f, its port ranges AND its
 * expression, into inet_diag bytecode in buf (len bytes).  The kernel
 * cannot test states in bytecode, so state terms count as true there: the
 * program keeps a superset of what f keeps (exactly f's sockets when f's
 * expression has no state term), and filter_match() makes it exact.
 * Returns the bytecode length, 0 when there is nothing to test (no
 * bytecode needed), or -1 when buf, or the kernel's limit of 65531 bytes,
 * is too small. */
int diag_compile_filter(const struct filter *f, void *buf, size_t len);

/* Destroy notifications: every full TCP socket of this network namespace
 * that closes, as the kernel frees it, from the sock_diag multicast groups
 * SKNLGRP_INET_TCP_DESTROY and SKNLGRP_INET6_TCP_DESTROY (a socket of its
 * own, apart from the dumps).  They need no privilege: the kernel's
 * sock_diag netlink is made with NL_CFG_F_NONROOT_RECV, and joining a
 * group only loads inet_diag if needed (net/core/sock_diag.c,
 * sock_diag_bind).  Each carries the socket as it was freed: state CLOSE,
 * its 4-tuple, cookie and final tcp_info.  Request and timewait
 * minisockets are never notified. */
struct diag_notify;

/* Open the socket, join both groups, nonblocking.  Returns NULL with
 * errno set (EPROTONOSUPPORT, and what socket, bind or setsockopt
 * said). */
struct diag_notify *diag_notify_open(void);
void diag_notify_close(struct diag_notify *n);

/* The descriptor to poll for POLLIN. */
int diag_notify_fd(const struct diag_notify *n);

/* Read every notification waiting, without blocking, and hand each socket
 * to cb (the sample is valid only during the call).  Returns how many,
 * or -1 with errno set when receiving failed.  When the socket's buffer
 * overflowed (ENOBUFS) notifications were lost: that is counted in
 * diag_notify_lost and reading goes on. */
long diag_notify_read(struct diag_notify *n,
    void (*cb)(void *arg, const struct conn_sample *s), void *arg);

/* Times notifications were lost to a full buffer. */
unsigned long diag_notify_lost(const struct diag_notify *n);

#endif
