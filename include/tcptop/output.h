/* output: batch reports of a snapshot, as aligned text or as JSON
 * Lines. */
#ifndef TCPTOP_OUTPUT_H
#define TCPTOP_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "tcptop/group.h"
#include "tcptop/kill.h"
#include "tcptop/lesson.h"
#include "tcptop/snapshot.h"
#include "tcptop/view.h"


/* One text report of r: a header line, the alerts, the titles of cols
 * (ncols of them; NULL: column_default), then a line per live row of v,
 * each column as wide as its texts.
 * Returns 0, or -1 when writing to fp failed. */
int output_text(FILE *fp, const struct snapshot *r,
    const struct view *v, const uint8_t *cols, size_t ncols);

/* One JSON object on one line (schema: docs/json.md). */
int output_json(FILE *fp, const struct snapshot *r,
    const struct view *v);

/* --group: one text report of the groups g built from v: a header line,
 * then a line per group (key, count, the count of each state present).
 * Returns 0, or -1 when writing to fp failed. */
int output_groups_text(FILE *fp, const struct snapshot *r,
    const struct view *v, const struct groups *g);

/* The same as one JSON object on one line (docs/json.md). */
int output_groups_json(FILE *fp, const struct snapshot *r,
    const struct view *v, const struct groups *g);

/* The line(s) before a lesson step's report: "step N/M: TITLE", the
 * namespace (netns, NULL on the host), the teacher's text wrapped to 79
 * columns, the expected states and why they are not held, if so.
 * Returns 0, or -1 when writing failed. */
int output_lesson_text(FILE *fp, const struct lesson_info *li,
    const char *netns);

/* The same as one JSON object on one line: {"lesson": {...}}
 * (docs/json.md). */
int output_lesson_json(FILE *fp, const struct lesson_info *li,
    const char *netns);

/* The outcome of --kill: a line per socket with its endpoints, state
 * and result ("ok", "spared: your own SSH session" or the reason it
 * failed), then a summary line (kill_summary).  With preview (--kill
 * without --yes), the same list with "would be destroyed" for what is
 * pending and a summary that says nothing was.  Returns 0, or -1 when
 * writing failed. */
int output_kill_text(FILE *fp, const struct snapshot *r,
    const struct kill_list *k, int preview);

/* The same as one JSON object on one line: {"time", "host", "preview",
 * "killed": [{endpoints, "state", "cookie", "own_session", "result"}],
 * "matched", "destroyed", "failed", "spared"} (docs/json.md). */
int output_kill_json(FILE *fp, const struct snapshot *r,
    const struct kill_list *k, int preview);

/* Say on stderr that writing a report failed, with errno (EIO when
 * errno is 0: set it to 0 before writing).  Returns 1, the exit
 * status. */
int output_failed(void);

#endif
