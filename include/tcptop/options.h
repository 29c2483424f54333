/* options: the command line. */
#ifndef TCPTOP_OPTIONS_H
#define TCPTOP_OPTIONS_H

#include <stddef.h>

#include "tcptop/filter.h"

struct options {
	int batch;		/* -b */
	int json;		/* --json */
	long iterations;	/* -n, 0 = forever */
	double delay;		/* -d seconds, >= 0 */
	double tombstone;	/* --tombstone seconds */
	int sort_key;		/* --sort, enum sort_key */
	int sort_reverse;
	struct filter filter;	/* -p, --state, -4, -6 */
	const char *record;	/* --record FILE */
	const char *replay;	/* --replay FILE */
};

enum {
	OPTIONS_RUN = 0,	/* go on */
	OPTIONS_EXIT = 1,	/* --help or --version printed: exit 0 */
	OPTIONS_USAGE = -1,	/* bad usage, reason in err: exit 2 */
};

/* Parse argv into o (defaults first).  Returns OPTIONS_*. */
int options_parse(struct options *o, int argc, char **argv, char *err,
    size_t errlen);

#endif
