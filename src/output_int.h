/* output_int: the pieces output.c and output_modes.c share.  Private to
 * them. */
#ifndef TCPTOP_OUTPUT_INT_H
#define TCPTOP_OUTPUT_INT_H

#include <stdint.h>
#include <stdio.h>

#include "tcptop/output.h"

/* "alerts": always there, empty when nothing is wrong. */
void output_json_alerts(FILE *fp, const struct snapshot *r);

/* Every report object opens with when and where: "{"time": T, "host":
 * H"; the caller goes on with ", ...". */
void output_json_open(FILE *fp, const struct snapshot *r);

/* What a report and a group report open with: when, where, from what,
 * how many, and how many in each state: the states object is left open
 * for the caller to close. */
void output_json_head(FILE *fp, const struct snapshot *r,
    const struct view *v);

/* The alerts under the header line: what, then what to check. */
void output_text_alerts(FILE *fp, const struct snapshot *r);

#endif
