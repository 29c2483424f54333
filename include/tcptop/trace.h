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
 * this one's with buffer_kb KB of buffer per CPU (0: the default, 4 MB
 * on hosts of up to 16 CPUs, 64 MB in all on larger ones, never under
 * 256 KB a CPU), enable the event with the filter protocol == 6 and open
 * the buffers.  Returns NULL when the tracepoint cannot be used, with a
 * one-line reason in why (not root, no tracefs, no such event, a field
 * missing, built without libtracefs). */
struct trace *trace_open(unsigned buffer_kb, char *why, size_t whylen);

/* Turn the event off, destroy the instance and free t (NULL is fine).
 * Also runs at exit for an instance still open. */
void trace_close(struct trace *t);

/* Fill at most max pollfds and return how many the caller should poll
 * (max 0 just counts them): none, since a thread of trace.c's own drains
 * the CPU buffers the moment they hold anything, into memory that
 * trace_read empties.  Only a burst that fills a CPU's buffer while that
 * thread cannot run loses events (trace_lost counts them). */
size_t trace_pollfds(const struct trace *t, struct pollfd *pfd, size_t max);

/* Hand every event read so far to cb, oldest first per CPU, without
 * blocking.  Returns how many, or -1 with errno set when the reader
 * failed (it then reads no more). */
long trace_read(struct trace *t, trace_cb *cb, void *arg);

/* Events the kernel lost because a buffer was full, since the open: the
 * per-CPU stats files' overrun, commit overrun and dropped events, as
 * of the last trace_read. */
unsigned long trace_lost(const struct trace *t);

/* The buffer per CPU in KB as the kernel made it, 0 if unknown. */
unsigned trace_buffer_kb(const struct trace *t);

#endif
