/* prefs: the choices a run starts with and the interactive view may
 * change (sort, delay, colours, columns, alert thresholds): the command
 * line where it gave one, tcptoprc where it did not, the defaults
 * elsewhere; and, on quit, what of them tcptoprc should keep.  The one
 * place where options and settings meet.  Pure. */
#ifndef TCPTOP_PREFS_H
#define TCPTOP_PREFS_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/alerts.h"
#include "tcptop/field.h"
#include "tcptop/options.h"
#include "tcptop/settings.h"

struct prefs {
	int sort_key;		/* a FIELD_F_SORT field */
	int sort_reverse;
	double delay;		/* seconds, as given (0: back to back) */
	int color;
	int ascii;
	int mouse;		/* clicks and the wheel */
	unsigned resolve;	/* NAMES_* bits (names.h) */
	uint8_t cols[FIELD_N];	/* the columns, in order */
	size_t ncols;
	uint32_t alert[ALERT_NKINDS];	/* the alert thresholds */
};

/* Merge: o over file (settings_load's; zeroed when there is none) over
 * the defaults.  NO_COLOR and --no-color win over the file.  With
 * --all-netns and no --columns, the netns column comes first.  A column
 * list in the file that names no column is left out, said in warn
 * (warnlen bytes; "" when all was well). */
void prefs_merge(struct prefs *p, const struct options *o,
    const struct settings *file, char *warn, size_t warnlen);

/* What tcptoprc should hold after a session that ended with p, given
 * what it held (file) and what the command line said (o): a choice that
 * came from the command line and was not changed on screen is not a
 * setting, so the file keeps what it had there (one "tcptop --ascii"
 * must not make ASCII permanent), and so does a colour choice forced by
 * NO_COLOR.  Everything else is p's.  Unknown parts of file are kept. */
void prefs_unmerge(const struct prefs *p, const struct options *o,
    const struct settings *file, struct settings *out);

#endif
