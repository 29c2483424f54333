/* output: batch reports, as aligned text or as JSON Lines. */
#ifndef TCPTOP_OUTPUT_H
#define TCPTOP_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "tcptop/view.h"

struct output_report {
	const char *host;	/* raw; sanitized on output */
	int64_t realtime_ns;	/* wall clock of the refresh */
	int64_t now_ms;		/* model clock of the refresh */
	int inconsistent;	/* the dump was interrupted twice */
	const char *source;	/* "kernel" or "replay" */
	unsigned long dumped;	/* sockets the dump carried, before the
				 * user-space filter */
};

/* One text report: a header line, then a line per live row of v.
 * Returns 0, or -1 when writing to fp failed. */
int output_text(FILE *fp, const struct output_report *r,
    const struct view *v);

/* One JSON object on one line (schema: docs/json.md). */
int output_json(FILE *fp, const struct output_report *r,
    const struct view *v);

/* Write s (len bytes, any content) as a JSON string with quotes: control
 * bytes escaped, invalid UTF-8 replaced by U+FFFD. */
void output_json_string(FILE *fp, const char *s, size_t len);

#endif
