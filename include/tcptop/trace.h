/* trace: the sock:inet_sock_set_state tracepoint, the exact source of
 * transitions.  A private tracefs instance ("tcptop-PID") with only that
 * event on, filtered to TCP, read from its per-CPU raw buffers through
 * libtracefs and libtraceevent, each field found by name in the event's
 * format (its layout changed across kernels).  It sees every state change
 * of every full socket on the machine, in every network namespace, and
 * nothing of request and timewait minisockets (transfeed.c joins its
 * events to the viewed namespace).  Needs root (tracefs); without it, or
 * built --without-tracefs, the source is unavailable and says why. */
#ifndef TCPTOP_TRACE_H
#define TCPTOP_TRACE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "tcptop/trans.h"

struct trace;

/* Receives one event: e with source TRANS_SRC_TRACE, cookie 0, the
 * kernel's CLOCK_MONOTONIC time in t_ms; skaddr is the socket's kernel
 * address, the same for every event of one socket (and reused once it is
 * freed).  e is valid only during the call. */
typedef void trace_cb(void *arg, const struct trans_event *e,
    uint64_t skaddr);

/* Remove the instances of tcptops that died without doing it, create
 * this one's, enable the event with the filter protocol == 6 and open the
 * buffers.  Returns NULL when the tracepoint cannot be used, with a
 * one-line reason in why (not root, no tracefs, no such event, a field
 * missing, built without libtracefs). */
struct trace *trace_open(char *why, size_t whylen);

/* Turn the event off, destroy the instance and free t (NULL is fine).
 * Also runs at exit for an instance still open. */
void trace_close(struct trace *t);

/* Fill at most max pollfds, one per CPU buffer, and return how many
 * buffers there are (max 0 just counts them).  POLLIN comes when a CPU's buffer is half full: reading at each refresh
 * and when this says so loses nothing short of a burst that fills it. */
size_t trace_pollfds(const struct trace *t, struct pollfd *pfd, size_t max);

/* Read every event buffered, without blocking, oldest first per CPU, and
 * hand each to cb.  Returns how many, or -1 with errno set. */
long trace_read(struct trace *t, trace_cb *cb, void *arg);

/* Events the kernel dropped because a buffer was full. */
unsigned long trace_lost(const struct trace *t);

#endif
