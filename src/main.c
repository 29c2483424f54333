/* tcptop: argv to options to app_run(); nothing else. */
#include <stdio.h>

#include "tcptop/app.h"
#include "tcptop/options.h"

int
main(int argc, char **argv)
{
	struct options o;
	char err[256];

	switch (options_parse(&o, argc, argv, err, sizeof err)) {
	case OPTIONS_EXIT:
		return 0;
	case OPTIONS_USAGE:
		fprintf(stderr, "tcptop: %s (see tcptop --help)\n", err);
		return 2;
	}
	return app_run(&o);
}
