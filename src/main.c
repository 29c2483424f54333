/* tcptop: argv to options to app_run(); nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/app.h"
#include "tcptop/options.h"

/* Standard input, output and error open, before anything else opens a
 * descriptor: a closed one would be the next open's (the netlink
 * socket's), and the report would go into it.  A closed output is
 * /dev/null opened for reading, so writing to it still fails, with
 * EBADF, as to a closed one. */
static void
main_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* The lowest free descriptor: fd itself. */
		if (open("/dev/null", O_RDONLY) != fd)
			_exit(1);
	}
}

#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer build's LeakSanitizer suppressions.  A name lookup
 * still waiting on a silent DNS server when tcptop quits leaves its
 * thread blocked in glibc's resolver; the nameserver addresses glibc
 * allocated for it hang off that thread's resolver state (_res, in
 * thread-local storage), which this LeakSanitizer does not scan, and
 * would be reported as a leak at exit (tests/root/names.sh, "q quits
 * at once").  glibc frees them when the thread ends. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:__res_context_send\n";
}
#endif

/* What --help or -V printed, all out, or a message and status 1. */
static int
main_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return 0;
	fprintf(stderr, "tcptop: writing to standard output: %s\n",
	    strerror(errno != 0 ? errno : EIO));
	return 1;
}

int
main(int argc, char **argv)
{
	struct options o;
	char err[256];

	main_std_fds();
	errno = 0;		/* what a failed write leaves says why */
	switch (options_parse(&o, argc, argv, err, sizeof err)) {
	case OPTIONS_EXIT:
		return main_flush();
	case OPTIONS_USAGE:
		fprintf(stderr, "tcptop: %s (see tcptop --help)\n", err);
		return 2;
	}
	return app_run(&o);
}
