/* The debug log file: timestamped lines, appended, for -v. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tcptop/log.h"

/* The log, or NULL: the one piece of global state tcptop keeps, so any
 * module can log without a handle passed down to it. */
static FILE *log_file;

int
log_open(const char *path)
{
	FILE *fp;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (fd == -1)
		return -1;
	if ((fp = fdopen(fd, "a")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	log_close();
	log_file = fp;
	tzset();	/* localtime_r need not read TZ itself */
	return 0;
}

void
log_close(void)
{
	if (log_file != NULL) {
		fclose(log_file);
		log_file = NULL;
	}
}

int
log_active(void)
{
	return log_file != NULL;
}

void
log_debug(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;
	int saved = errno;

	if (log_file == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	fprintf(log_file, "%s.%03ld ", stamp, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	errno = saved;
}
