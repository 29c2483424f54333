/* Debug log: timestamped lines appended to a file, readable while it is
 * open, close-on-exec, and nothing at all when no log is open. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/log.h"

static char tmpdir[PATH_MAX];	/* removed at exit */
static char logpath[PATH_MAX];

static void
rm_tmpdir(void)
{
	if (logpath[0] != '\0')
		unlink(logpath);
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
}

/* The lines of the log into lines[] (up to max); their count. */
static int
read_lines(char lines[][256], int max)
{
	FILE *fp = fopen(logpath, "r");
	int n = 0;

	if (fp == NULL)
		return -1;
	while (n < max && fgets(lines[n], sizeof lines[n], fp) != NULL)
		n++;
	fclose(fp);
	return n;
}

/* line is "YYYY-MM-DD HH:MM:SS.mmm " + msg + "\n". */
static int
line_is(const char *line, const char *msg)
{
	regex_t re;
	int ok;

	if (regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:"
	    "[0-9]{2}\\.[0-9]{3} ", REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	ok = regexec(&re, line, 0, NULL, 0) == 0 && strlen(line) > 24 &&
	    strncmp(line + 24, msg, strlen(msg)) == 0 &&
	    strcmp(line + 24 + strlen(msg), "\n") == 0;
	regfree(&re);
	if (!ok)
		fprintf(stderr, "  line \"%s\", wanted message \"%s\"\n", line,
		    msg);
	return ok;
}

/* The descriptor open on the log has FD_CLOEXEC set. */
static int
log_fd_cloexec(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char link[PATH_MAX], fdp[300], real[PATH_MAX];
	int found = 0, cloexec = 1;

	if (d == NULL || realpath(logpath, real) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		ssize_t n;
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(fdp, sizeof fdp, "/proc/self/fd/%s", e->d_name);
		if ((n = readlink(fdp, link, sizeof link - 1)) == -1)
			continue;
		link[n] = '\0';
		if (strcmp(link, real) != 0)
			continue;
		found++;
		if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			cloexec = 0;
	}
	closedir(d);
	return found == 1 && cloexec;
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	char lines[8][256], bad[PATH_MAX + 16];
	struct stat st;

	if (base == NULL || base[0] != '/')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/test-log.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return 1;
	}
	atexit(rm_tmpdir);
	if ((size_t)snprintf(logpath, sizeof logpath, "%s/debug.log",
	    tmpdir) >= sizeof logpath)
		return 1;

	/* Closed: a no-op that keeps errno, and close is harmless. */
	errno = EAGAIN;
	log_debug("nobody hears this %d", 1);
	CHECK(errno == EAGAIN);
	CHECK(!log_active());
	log_close();

	umask(022);
	CHECK(log_open(logpath) == 0);
	CHECK(log_active());
	CHECK(stat(logpath, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(log_fd_cloexec());
	errno = ENOENT;
	log_debug("hello %d %s", 42, "world");
	CHECK(errno == ENOENT);
	log_debug("%s", "second");
	/* Line-buffered: both lines are there before the close. */
	CHECK_EQ(read_lines(lines, 8), 2);
	CHECK(line_is(lines[0], "hello 42 world"));
	CHECK(line_is(lines[1], "second"));

	/* A failed open keeps the log that was open. */
	snprintf(bad, sizeof bad, "%s/no/such/dir", tmpdir);
	CHECK(log_open(bad) == -1 && errno == ENOENT);
	log_debug("still here");
	CHECK_EQ(read_lines(lines, 8), 3);
	CHECK(line_is(lines[2], "still here"));

	log_close();
	CHECK(!log_active());
	log_debug("after close");
	log_close();
	CHECK_EQ(read_lines(lines, 8), 3);

	/* Opening again appends. */
	CHECK(log_open(logpath) == 0);
	CHECK(log_open(logpath) == 0);	/* reopen: the first is closed */
	CHECK(log_fd_cloexec());
	log_debug("appended");
	log_close();
	CHECK_EQ(read_lines(lines, 8), 4);
	CHECK(line_is(lines[0], "hello 42 world"));
	CHECK(line_is(lines[3], "appended"));
	return check_done();
}
