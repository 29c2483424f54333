/* The command line over tcptoprc over the defaults, and back. */
#include <stdio.h>
#include <string.h>

#include "tcptop/column.h"
#include "tcptop/names.h"
#include "tcptop/prefs.h"

void
prefs_merge(struct prefs *p, const struct options *o,
    const struct settings *s, char *warn, size_t warnlen)
{
	char err[160];
	unsigned k;

	memset(p, 0, sizeof *p);
	warn[0] = '\0';
	p->sort_key = o->sort_key;
	p->sort_reverse = o->sort_reverse;
	p->delay = o->delay;
	p->color = !o->no_color;
	p->ascii = o->ascii;
	p->mouse = !o->no_mouse;
	p->resolve = o->resolve ? NAMES_HOSTS | NAMES_PORTS : 0;
	memcpy(p->cols, o->cols, o->ncols);
	p->ncols = o->ncols;
	alerts_defaults(p->alert);
	for (k = 0; k < ALERT_NKINDS; k++)
		if (s->alert_set & (1u << k))
			p->alert[k] = s->alert[k];
	if ((s->set & SETTINGS_SORT) && !(o->given & OPTIONS_GIVEN_SORT))
		p->sort_key = s->sort_key;
	if ((s->set & SETTINGS_REVERSE) && !(o->given & OPTIONS_GIVEN_REVERSE))
		p->sort_reverse = s->sort_reverse;
	if ((s->set & SETTINGS_DELAY) && !(o->given & OPTIONS_GIVEN_DELAY))
		p->delay = s->delay;
	/* NO_COLOR and --no-color win over the file. */
	if ((s->set & SETTINGS_COLOR) && !o->no_color)
		p->color = s->color;
	if ((s->set & SETTINGS_ASCII) && !(o->given & OPTIONS_GIVEN_ASCII))
		p->ascii = s->ascii;
	if ((s->set & SETTINGS_MOUSE) && !(o->given & OPTIONS_GIVEN_MOUSE))
		p->mouse = s->mouse;
	/* --resolve turns both on; without it the file says. */
	if (!(o->given & OPTIONS_GIVEN_RESOLVE)) {
		if ((s->set & SETTINGS_RESOLVE_HOSTS) && s->resolve_hosts)
			p->resolve |= NAMES_HOSTS;
		if ((s->set & SETTINGS_RESOLVE_PORTS) && s->resolve_ports)
			p->resolve |= NAMES_PORTS;
	}
	if ((s->set & SETTINGS_COLUMNS) &&
	    !(o->given & OPTIONS_GIVEN_COLUMNS)) {
		if (column_parse_list(s->columns, p->cols, &p->ncols, FIELD_N,
		    err, sizeof err) == -1)
			snprintf(warn, warnlen, "tcptoprc: columns: %s "
			    "(defaults used)", err);
		else if (o->all_netns)
			column_prepend(p->cols, &p->ncols, FIELD_N,
			    FIELD_NETNS);
	}
}

void
prefs_unmerge(const struct prefs *p, const struct options *o,
    const struct settings *file, struct settings *s)
{
	uint8_t cols[FIELD_N];
	size_t ncols;
	char perr[160];

	*s = *file;
	if (!(o->given & OPTIONS_GIVEN_SORT) || p->sort_key != o->sort_key) {
		s->set |= SETTINGS_SORT;
		s->sort_key = p->sort_key;
	}
	if (!(o->given & OPTIONS_GIVEN_REVERSE) ||
	    p->sort_reverse != o->sort_reverse) {
		s->set |= SETTINGS_REVERSE;
		s->sort_reverse = p->sort_reverse;
	}
	if (!(o->given & OPTIONS_GIVEN_DELAY) || p->delay != o->delay) {
		s->set |= SETTINGS_DELAY;
		s->delay = p->delay;
	}
	if (!(o->given & OPTIONS_GIVEN_ASCII) || p->ascii != o->ascii) {
		s->set |= SETTINGS_ASCII;
		s->ascii = p->ascii;
	}
	if (!(o->given & OPTIONS_GIVEN_MOUSE) || p->mouse != !o->no_mouse) {
		s->set |= SETTINGS_MOUSE;
		s->mouse = p->mouse;
	}
	if (!(o->given & OPTIONS_GIVEN_RESOLVE) ||
	    p->resolve != (NAMES_HOSTS | NAMES_PORTS)) {
		s->set |= SETTINGS_RESOLVE_HOSTS | SETTINGS_RESOLVE_PORTS;
		s->resolve_hosts = (p->resolve & NAMES_HOSTS) != 0;
		s->resolve_ports = (p->resolve & NAMES_PORTS) != 0;
	}
	if (!o->no_color || p->color != !o->no_color) {
		s->set |= SETTINGS_COLOR;
		s->color = p->color;
	}
	if (!(o->given & OPTIONS_GIVEN_COLUMNS) || p->ncols != o->ncols ||
	    memcmp(p->cols, o->cols, o->ncols) != 0) {
		size_t skip = o->all_netns && p->ncols > 1 &&
		    !(o->given & OPTIONS_GIVEN_COLUMNS) &&
		    p->cols[0] == FIELD_NETNS;	/* --all-netns put it there */

		s->set |= SETTINGS_COLUMNS;
		column_fmt_list(p->cols + skip, p->ncols - skip, s->columns,
		    sizeof s->columns);
	} else if ((s->set & SETTINGS_COLUMNS) && column_parse_list(s->columns,
	    cols, &ncols, FIELD_N, perr, sizeof perr) == -1)
		s->set &= ~(unsigned)SETTINGS_COLUMNS;	/* was bad: drop it */
}
