/* metrics: a snapshot rendered as Prometheus metrics, in the text
 * exposition format (0.0.4) or OpenMetrics 1.0.  Pure: counts what the
 * snapshot holds, allocates only buffers kept across refreshes, writes
 * no file and speaks no HTTP (exporter.c serves and writes the text).
 * Every metric family is one row of metrics_families; docs/metrics.md
 * documents each (test-metrics checks that it does). */
#ifndef TCPTOP_METRICS_H
#define TCPTOP_METRICS_H

#include <stddef.h>

#include "tcptop/filter.h"
#include "tcptop/snapshot.h"

/* Labels stay bounded: at most METRICS_TOP listening services and
 * METRICS_TOP processes get series of their own, the rest are summed
 * into one labelled "other". */
#define METRICS_TOP	20

/* Longest reason tcptop_refresh_error_info carries, in bytes. */
#define METRICS_REASON_MAX	120

enum metrics_format {
	METRICS_PROMETHEUS,	/* text/plain; version=0.0.4 */
	METRICS_OPENMETRICS,	/* application/openmetrics-text;
				 * version=1.0.0, ends with "# EOF" */
};

enum metrics_type {
	METRICS_GAUGE,
	METRICS_COUNTER,	/* samples end in _total */
	METRICS_INFO,		/* samples end in _info, value 1 (a gauge
				 * in the 0.0.4 format) */
};

struct metrics;

/* One metric family: its name without the _total or _info suffix,
 * type, help, its labels (for the docs, comma-separated, "" none) and
 * the function that writes its samples. */
struct metrics_family {
	const char *name;
	enum metrics_type type;
	const char *labels;
	const char *help;
	void (*emit)(struct metrics *m);
};

extern const struct metrics_family metrics_families[];
extern const size_t metrics_nfamilies;

/* A renderer, its buffers empty.  Never fails (xmalloc). */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* Count what snap shows: its table's live rows that pass f (the filter
 * the dump was made with; a superset comes from the kernel, f makes it
 * exact), its alerts, transitions and clocks.  snap and f are read
 * during this call only.  Cost: one pass over the rows, plus the
 * services and CLOSE_WAIT sockets sorted. */
void metrics_collect(struct metrics *m, const struct snapshot *snap,
    const struct filter *f);

/* The last metrics_collect written as fmt.  Returns the text (its
 * length in *len), borrowed until the next metrics_render or
 * metrics_free. */
const char *metrics_render(struct metrics *m, enum metrics_format fmt,
    size_t *len);

/* The Content-Type of fmt. */
const char *metrics_content_type(enum metrics_format fmt);

#endif
