/* app_int: what the app*.c files share: the loops one run may take.
 * Private to them. */
#ifndef TCPTOP_APP_INT_H
#define TCPTOP_APP_INT_H

#include "tcptop/collector.h"
#include "tcptop/exporter.h"
#include "tcptop/lesson.h"
#include "tcptop/options.h"

/* app_ui.c: the interactive view of c; l is the lesson when --lesson
 * runs it, e the exporter each refresh goes to (NULL: none).  Returns
 * the exit status (128 + the signal that ended it). */
int app_run_ui(struct collector *c, const struct options *o,
    struct lesson *l, struct exporter *e);

/* app_lesson.c: --lesson, on screen or as reports.  Returns the exit
 * status. */
int app_lesson(const struct options *o, const char *host);

#endif
