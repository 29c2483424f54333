/* options: the command line. */
#ifndef TCPTOP_OPTIONS_H
#define TCPTOP_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "tcptop/column.h"
#include "tcptop/filter.h"

/* Bits of options.given: what the command line set, which the settings
 * file must not override. */
#define OPTIONS_GIVEN_SORT	0x01
#define OPTIONS_GIVEN_REVERSE	0x02
#define OPTIONS_GIVEN_DELAY	0x04
#define OPTIONS_GIVEN_COLOR	0x08
#define OPTIONS_GIVEN_COLUMNS	0x10
#define OPTIONS_GIVEN_ASCII	0x20
#define OPTIONS_GIVEN_RESOLVE	0x40
#define OPTIONS_GIVEN_MOUSE	0x80

/* --model: how the model is kept (collector_events.c). */
enum {
	OPT_MODEL_AUTO,		/* from events in the interactive view */
	OPT_MODEL_EVENTS,	/* from events in batch reports too */
	OPT_MODEL_DUMP,		/* every refresh dumps every socket */
};

struct options {
	int batch;		/* -b */
	int json;		/* --json */
	long iterations;	/* -n, 0 = forever */
	double delay;		/* -d seconds, >= 0 */
	double tombstone;	/* --tombstone seconds */
	int sort_key;		/* --sort, enum sort_key */
	int sort_reverse;
	struct filter filter;	/* -p, --state, -4, -6, -f */
	const char *record;	/* --record FILE */
	const char *replay;	/* --replay FILE */
	const char *expr;	/* -f EXPR as given, NULL if none */
	const char *log;	/* -v FILE: debug log */
	int no_color;		/* --no-color or NO_COLOR */
	int ascii;		/* --ascii */
	int no_mouse;		/* --no-mouse */
	int resolve;		/* --resolve: host and service names */
	int diagram;		/* --diagram: start with the diagram */
	int group;		/* --group: enum group_kind, 0 none */
	int no_trace;		/* --no-trace: sample transitions */
	int no_owners;		/* --no-owners: read no processes */
	unsigned trace_buffer_kb; /* --trace-buffer KB per CPU, 0 default */
	int model;		/* --model: OPT_MODEL_* */
	double reconcile;	/* --full-every seconds, 0: adaptive */
	uint8_t cols[FIELD_N];	/* --columns, or the default */
	size_t ncols;
	unsigned given;		/* OPTIONS_GIVEN_* */
	const char *netns;	/* -N NAME|PATH|PID, NULL: our own */
	int all_netns;		/* --all-netns */
	int lesson;		/* --lesson */
	int lesson_wait;	/* --lesson-wait (tests): a line on stdin
				 * before each step */
	int kill;		/* --kill: destroy the filter's sockets */
	int yes;		/* --yes: --kill destroys; without it
				 * --kill only shows what would go */
	int kill_own;		/* --kill-own-session: --kill destroys the
				 * operator's own SSH session too */
	const char *listen;	/* --listen [ADDR:]PORT: serve /metrics */
	const char *prom_file;	/* --prometheus-file PATH */
};

enum {
	OPTIONS_RUN = 0,	/* go on */
	OPTIONS_EXIT = 1,	/* --help or --version printed: exit 0 */
	OPTIONS_USAGE = -1,	/* bad usage, reason in err: exit 2 */
};

/* Parse argv into o, the defaults first (NO_COLOR read from the
 * environment).  o's strings (record, replay, expr, log, netns) point
 * into argv, which must outlive o; getopt_long may reorder argv (the
 * options first).  Returns OPTIONS_RUN; OPTIONS_EXIT once --help or
 * --version has written to stdout; or OPTIONS_USAGE with a one-line
 * reason in err (errlen bytes), o then only partly set.  May be called
 * again: getopt_long starts afresh each time. */
int options_parse(struct options *o, int argc, char **argv, char *err,
    size_t errlen);

/* Write the --help text to fp: the options, sort keys, columns and exit
 * statuses, no line wider than 79 columns.  Write errors are fp's. */
void options_usage(FILE *fp);

#endif
