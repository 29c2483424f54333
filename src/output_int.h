/* output_int: the pieces output.c and output_modes.c share.  Private to
 * them. */
#ifndef TCPTOP_OUTPUT_INT_H
#define TCPTOP_OUTPUT_INT_H

#include <stdint.h>
#include <stdio.h>

#include "tcptop/output.h"

/* "alerts": always there, empty when nothing is wrong. */
void output_json_alerts(FILE *fp, const struct output_report *r);

/* Every report object opens with when and where: "{"time": T, "host":
 * H"; the caller goes on with ", ...". */
void output_json_open(FILE *fp, const struct output_report *r);

/* What a report and a group report open with: when, where, from what,
 * how many, and how many in each state: the states object is left open
 * for the caller to close. */
void output_json_head(FILE *fp, const struct output_report *r,
    const struct view *v);

/* A string, or null for NULL. */
void output_json_nullable(FILE *fp, const char *s);

/* Seconds with milliseconds.  Any time a recording claims, even a
 * negative one, must still print as one JSON number. */
void output_json_time(FILE *fp, int64_t realtime_ns);

/* The alerts under the header line: what, then what to check. */
void output_text_alerts(FILE *fp, const struct output_report *r);

#endif
