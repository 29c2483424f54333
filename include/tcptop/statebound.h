/* statebound: how long a socket has at least been in its state, from
 * what the kernel reports of it (timers, tcp_info), for sockets that
 * were there before tcptop first saw them. */
#ifndef TCPTOP_STATEBOUND_H
#define TCPTOP_STATEBOUND_H

#include <stdint.h>

#include "tcptop/conn.h"

/* What the kernel's TIME_WAIT timer starts at (TCP_TIMEWAIT_LEN). */
#define STATEBOUND_TIMEWAIT_MS	60000
/* The first SYN-ACK timeout of a request socket (TCP_TIMEOUT_INIT). */
#define STATEBOUND_SYNACK_MS	1000
/* What is taken off every bound: one jiffy at the coarsest HZ (100),
 * since the kernel counts in jiffies and an elapsed count of n jiffies
 * is only n - 1 ticks of real time for sure. */
#define STATEBOUND_SLACK_MS	10

/* A lower bound, in ms, on the time s has been in its state at the
 * moment the kernel reported it; 0 when the kernel gives none.  Pure.
 *  - TIME_WAIT: the timer is set to 60 s on entry and set again to 60 s
 *    when a retransmitted FIN arrives, later than the entry: 60 s less
 *    what is left of it.
 *  - SYN_RECV (a request socket): the SYN-ACK timer was set to 1 s at
 *    the request and, after the n-th expiry, to min(1 s << n,
 *    tcp_rto_max); a retransmitted SYN sets it again to the same length.
 *    So each period lasts at least its length, and a timer with E ms
 *    left was armed for at least E: n >= n0, the least with 1 s << n0
 *    >= E, and the request is at least 1 s * (2^n0 - 1) + max(0, 1 s -
 *    E) old.  The retransmit count is no bound: a retransmitted SYN
 *    sends a SYN-ACK without an expiry.  With under 1 s left the timer
 *    may be in any period, so the bound is weak then (and not monotonic
 *    in time).
 *  - CLOSE_WAIT, FIN_WAIT2, CLOSING: the segment that moved the socket
 *    there (the peer's FIN, or the ACK of ours) carried an ACK that set
 *    the time tcp_info's last_ack_recv counts from, and later segments
 *    only move it later.
 *  - Anything else (LAST_ACK, entered by our own close, FIN_WAIT1,
 *    SYN_SENT, a FIN_WAIT2 timewait socket whose timer length depends on
 *    the socket's TCP_LINGER2): 0. */
int64_t statebound_age_ms(const struct conn_sample *s);

#endif
