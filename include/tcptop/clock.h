/* clock: the clocks in nanoseconds. */
#ifndef TCPTOP_CLOCK_H
#define TCPTOP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Clock id (CLOCK_MONOTONIC, CLOCK_REALTIME) now, in nanoseconds. */
int64_t clock_ns(clockid_t id);

/* The monotonic clock in milliseconds. */
int64_t clock_mono_ms(void);

#endif
