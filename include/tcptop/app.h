/* app: the refresh loop. */
#ifndef TCPTOP_APP_H
#define TCPTOP_APP_H

#include "tcptop/options.h"

/* Run tcptop with o until done.  Returns the process exit status: 0, 1 on
 * a runtime failure, 2 on bad input (a corrupt replay file). */
int app_run(const struct options *o);

#endif
