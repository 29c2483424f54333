/* Settings: every key, each way a file is broken, the path rules, and a
 * save that fails leaving the old file whole and no temporary file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/field.h"
#include "tcptop/settings.h"
#include "tcptop/sort.h"

static char tmpdir[PATH_MAX];	/* removed at exit, whatever happened */

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	chmod(p, 0700);		/* a test may have left it read-only */
	remove(p);
	return 0;
}

static void
rm_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* tmpdir/name in buf. */
static const char *
tpath(char *buf, size_t len, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", tmpdir, name) >= len) {
		fprintf(stderr, "%s/%s: path too long\n", tmpdir, name);
		exit(1);
	}
	return buf;
}

static void
put(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fwrite(data, 1, n, fp) != n) {
		perror(path);
		exit(1);
	}
	fclose(fp);
}

/* The file at path, NUL-terminated, in buf; its length or -1. */
static long
get(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return -1;
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return (long)n;
}

/* Files in dir whose names start with prefix (the temporary files). */
static int
count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static int
all_zero(const struct settings *s)
{
	static const struct settings zero;

	return memcmp(s, &zero, sizeof zero) == 0;
}

/* Load text (n bytes) from a fresh file. */
static int
load_text(const char *text, size_t n, struct settings *s, char *warn,
    size_t warnlen)
{
	char p[PATH_MAX];

	put(tpath(p, sizeof p, "rc"), text, n);
	return settings_load(s, p, warn, warnlen);
}

static int
load_str(const char *text, struct settings *s, char *warn, size_t warnlen)
{
	return load_text(text, strlen(text), s, warn, warnlen);
}

/* A broken file: -1, all defaults, a warning naming the line. */
static void
check_broken(const char *text, size_t n, const char *prefix)
{
	struct settings s;
	char warn[256];
	int rc, ok;

	memset(&s, 0xa5, sizeof s);
	rc = load_text(text, n, &s, warn, sizeof warn);
	ok = CHECK(rc == -1);
	ok &= CHECK(all_zero(&s));
	ok &= CHECK(strncmp(warn, prefix, strlen(prefix)) == 0);
	ok &= CHECK(strchr(warn, '\n') == NULL);
	if (!ok)
		fprintf(stderr, "  input \"%.60s\": rc %d warn \"%s\"\n", text,
		    rc, warn);
}

static void
test_keys(void)
{
	struct settings s;
	char warn[256];
	static const struct {
		const char *v;
		int b;
	} bools[] = { { "0", 0 }, { "1", 1 }, { "yes", 1 }, { "no", 0 },
	    { "true", 1 }, { "false", 0 }, { "YES", 1 }, { "False", 0 } };
	size_t i;

	CHECK(load_str("# tcptoprc\n\nsort=rtt\nreverse=yes\ndelay=0.5\n"
	    "color=false\nascii=TRUE\ncolumns=state,local,remote\n", &s, warn,
	    sizeof warn) == 0);
	CHECK_EQ(s.set, SETTINGS_SORT | SETTINGS_REVERSE | SETTINGS_DELAY |
	    SETTINGS_COLOR | SETTINGS_ASCII | SETTINGS_COLUMNS);
	CHECK(s.sort_key == FIELD_RTT);
	CHECK(s.sort_reverse == 1);
	CHECK(s.delay == 0.5);
	CHECK(s.color == 0);
	CHECK(s.ascii == 1);
	CHECK(strcmp(s.columns, "state,local,remote") == 0);
	CHECK(warn[0] == '\0');

	/* Only what the file gives; spaces, tabs, CRLF, any case. */
	CHECK(load_str("  \t# comment\n \t SORT \t=  Inode \t\r\n"
	    "delay = 2\r\n   \n", &s, warn, sizeof warn) == 0);
	CHECK_EQ(s.set, SETTINGS_SORT | SETTINGS_DELAY);
	CHECK(s.sort_key == FIELD_INODE);
	CHECK(s.delay == 2.0);
	CHECK(s.sort_reverse == 0 && s.columns[0] == '\0');

	/* The names keys (r, R). */
	CHECK(load_str("resolve_hosts=yes\nresolve_ports=0\n", &s, warn,
	    sizeof warn) == 0);
	CHECK_EQ(s.set, SETTINGS_RESOLVE_HOSTS | SETTINGS_RESOLVE_PORTS);
	CHECK(s.resolve_hosts == 1 && s.resolve_ports == 0);
	CHECK(load_str("resolve_ports=maybe\n", &s, warn, sizeof warn) == -1);
	CHECK(strncmp(warn, "tcptoprc:1: bad resolve_ports \"maybe\"", 37)
	    == 0);

	/* The mouse (--no-mouse). */
	CHECK(load_str("mouse=no\n", &s, warn, sizeof warn) == 0);
	CHECK_EQ(s.set, SETTINGS_MOUSE);
	CHECK(s.mouse == 0);
	CHECK(load_str("Mouse = 1\n", &s, warn, sizeof warn) == 0);
	CHECK(s.set == SETTINGS_MOUSE && s.mouse == 1);

	/* The last of a repeated key wins; no final newline is fine. */
	CHECK(load_str("delay=1\ndelay=0.25", &s, warn, sizeof warn) == 0);
	CHECK(s.delay == 0.25);

	/* '#' after the start is part of the value. */
	CHECK(load_str("columns=a#b\n", &s, warn, sizeof warn) == 0);
	CHECK(strcmp(s.columns, "a#b") == 0);

	for (i = 0; i < sizeof bools / sizeof bools[0]; i++) {
		char text[64];

		snprintf(text, sizeof text, "reverse=%s\ncolor=%s\nascii=%s\n",
		    bools[i].v, bools[i].v, bools[i].v);
		CHECK(load_str(text, &s, warn, sizeof warn) == 0);
		CHECK(s.sort_reverse == bools[i].b && s.color == bools[i].b &&
		    s.ascii == bools[i].b);
	}
	for (i = 0; i < field_nsort(); i++) {
		char text[64];

		snprintf(text, sizeof text, "sort=%s\n",
		    field_table[field_sort_key(i)].name);
		CHECK(load_str(text, &s, warn, sizeof warn) == 0);
		CHECK_EQ(s.sort_key, field_sort_key(i));
	}

	/* Delay bounds and decimals. */
	CHECK(load_str("delay=0.1\n", &s, warn, sizeof warn) == 0 &&
	    s.delay == 0.1);
	CHECK(load_str("delay=3600\n", &s, warn, sizeof warn) == 0 &&
	    s.delay == 3600.0);
	CHECK(load_str("delay=3600.000\n", &s, warn, sizeof warn) == 0);
	CHECK(load_str("delay=0000.5\n", &s, warn, sizeof warn) == 0 &&
	    s.delay == 0.5);
	CHECK(load_str("delay=1.23456789123\n", &s, warn, sizeof warn) == 0 &&
	    s.delay == 1.234567891);

	/* Alert thresholds: their own bits, whole numbers in range. */
	CHECK(load_str("alert_syn_recv=5\nALERT_CLOSE_WAIT_AGE = 2\n"
	    "alert_time_wait_pct=100\nalert_accept_fill_pct=1\n"
	    "alert_syn_sent_age=0007\nalert_retrans=255\n"
	    "alert_orphans_pct=50\nalert_fin_wait2_pct=60\n", &s, warn,
	    sizeof warn) == 0);
	CHECK_EQ(s.set, 0);
	CHECK_EQ(s.alert_set, (1u << ALERT_NKINDS) - 1);
	CHECK_EQ(s.alert[ALERT_SYN_FLOOD], 5);
	CHECK_EQ(s.alert[ALERT_CLOSE_WAIT_LEAK], 2);
	CHECK_EQ(s.alert[ALERT_TIME_WAIT], 100);
	CHECK_EQ(s.alert[ALERT_FIN_WAIT2], 60);
	CHECK_EQ(s.alert[ALERT_ACCEPT_QUEUE], 1);
	CHECK_EQ(s.alert[ALERT_SYN_SENT_STUCK], 7);
	CHECK_EQ(s.alert[ALERT_RETRANS_NO_PROGRESS], 255);
	CHECK_EQ(s.alert[ALERT_ORPHANS], 50);
	CHECK(warn[0] == '\0');
	CHECK(load_str("sort=rtt\nalert_retrans=4\n", &s, warn,
	    sizeof warn) == 0);
	CHECK_EQ(s.set, SETTINGS_SORT);
	CHECK_EQ(s.alert_set, 1u << ALERT_RETRANS_NO_PROGRESS);

	/* Columns: 255 bytes fit. */
	{
		char text[300];

		memcpy(text, "columns=", 8);
		memset(text + 8, 'c', 255);
		memcpy(text + 8 + 255, "\n", 2);
		CHECK(load_str(text, &s, warn, sizeof warn) == 0);
		CHECK_EQ(strlen(s.columns), 255);
	}
}

static void
test_broken(void)
{
	static const struct {
		const char *text;
		const char *prefix;
	} bad[] = {
		{ "sort=nope\n", "tcptoprc:1: bad sort" },
		{ "sort=\n", "tcptoprc:1: bad sort" },
		{ "reverse=2\n", "tcptoprc:1: bad reverse" },
		{ "reverse=y\n", "tcptoprc:1: bad reverse" },
		{ "color=on\n", "tcptoprc:1: bad color" },
		{ "ascii=\n", "tcptoprc:1: bad ascii" },
		{ "mouse=2\n", "tcptoprc:1: bad mouse" },
		{ "delay=0.09\n", "tcptoprc:1: bad delay" },
		{ "delay=0\n", "tcptoprc:1: bad delay" },
		{ "delay=3600.001\n", "tcptoprc:1: bad delay" },
		{ "delay=99999999999999999999\n", "tcptoprc:1: bad delay" },
		{ "delay=-1\n", "tcptoprc:1: bad delay" },
		{ "delay=1e2\n", "tcptoprc:1: bad delay" },
		{ "delay=1,5\n", "tcptoprc:1: bad delay" },
		{ "delay=.5\n", "tcptoprc:1: bad delay" },
		{ "delay=1.\n", "tcptoprc:1: bad delay" },
		{ "delay=nan\n", "tcptoprc:1: bad delay" },
		{ "delay=inf\n", "tcptoprc:1: bad delay" },
		{ "delay=0x10\n", "tcptoprc:1: bad delay" },
		{ "delay=1 # s\n", "tcptoprc:1: bad delay" },
		{ "delay=\n", "tcptoprc:1: bad delay" },
		{ "columns=\n", "tcptoprc:1: bad columns" },
		{ "alert_syn_recv=0\n", "tcptoprc:1: bad alert_syn_recv" },
		{ "alert_syn_recv=\n", "tcptoprc:1: bad alert_syn_recv" },
		{ "alert_syn_recv=-1\n", "tcptoprc:1: bad alert_syn_recv" },
		{ "alert_syn_recv=1.5\n", "tcptoprc:1: bad alert_syn_recv" },
		{ "alert_syn_recv=1000001\n", "tcptoprc:1: bad alert_syn_recv"
		    " \"1000001\": expected a whole number from 1 to 1000000" },
		{ "alert_syn_recv=99999999999999999999999\n",
		    "tcptoprc:1: bad alert_syn_recv" },
		{ "alert_time_wait_pct=101\n", "tcptoprc:1: bad "
		    "alert_time_wait_pct" },
		{ "alert_retrans=256\n", "tcptoprc:1: bad alert_retrans" },
		{ "alert_close_wait_age=1m\n", "tcptoprc:1: bad "
		    "alert_close_wait_age" },
		{ "sort=rtt\nalert_orphans_pct=0x10\n", "tcptoprc:2: bad "
		    "alert_orphans_pct" },
		{ "sort=rtt\ndelay\n", "tcptoprc:2: expected key=value" },
		{ "# ok\n\n=1\n", "tcptoprc:3: no key" },
		/* A good key before a bad line is not kept either. */
		{ "sort=rtt\ncolor=1\nreverse=maybe\n", "tcptoprc:3: bad" },
	};
	char text[SETTINGS_MAX_FILE + 16];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_broken(bad[i].text, strlen(bad[i].text), bad[i].prefix);

	/* 256 bytes of columns do not fit. */
	memcpy(text, "columns=", 8);
	memset(text + 8, 'c', 256);
	memcpy(text + 8 + 256, "\n", 2);
	check_broken(text, strlen(text), "tcptoprc:1: bad columns");

	/* A NUL byte, reported on its line. */
	check_broken("sort=rtt\ndel\0ay=1\n", 19, "tcptoprc:2: NUL byte");
	check_broken("\0", 1, "tcptoprc:1: NUL byte");

	/* A line of 1024 bytes is fine, 1025 is not, comment or not. */
	{
		struct settings s;
		char warn[256];

		memset(text, ' ', 1024);
		memcpy(text, "delay=1", 7);
		memcpy(text + 1024, "\n", 2);
		CHECK(load_str(text, &s, warn, sizeof warn) == 0);
		memset(text, '#', 1025);
		memcpy(text + 1025, "\nsort=rtt\n", 11);
		check_broken(text, strlen(text), "tcptoprc:1: line longer");
		memcpy(text, "sort=rtt\n", 9);
		memset(text + 9, '#', 1025);
		text[9 + 1025] = '\0';	/* the last line, no newline */
		check_broken(text, strlen(text), "tcptoprc:2: line longer");
	}

	/* 64 KiB of comments is fine, one byte more is not. */
	{
		struct settings s;
		char warn[256];

		for (i = 0; i < SETTINGS_MAX_FILE; i += 64) {
			memset(text + i, '#', 63);
			text[i + 63] = '\n';
		}
		memcpy(text + SETTINGS_MAX_FILE - 9, "delay=2\n", 8);
		text[SETTINGS_MAX_FILE - 10] = '\n';
		CHECK(load_text(text, SETTINGS_MAX_FILE, &s, warn,
		    sizeof warn) == 0);
		CHECK(s.set == SETTINGS_DELAY && s.delay == 2.0);
		text[SETTINGS_MAX_FILE] = '\n';
		check_broken(text, SETTINGS_MAX_FILE + 1, "tcptoprc: larger");
	}
}

static void
test_unknown_and_odd_files(void)
{
	struct settings s;
	char warn[256], p[PATH_MAX];

	CHECK(load_str("sort=rtt\nhistory=yes\ndelay=3\n", &s, warn,
	    sizeof warn) == 0);
	CHECK(s.set == (SETTINGS_SORT | SETTINGS_DELAY) && s.delay == 3.0);
	CHECK(strcmp(warn, "tcptoprc:2: unknown key \"history\" skipped") ==
	    0);
	CHECK(load_str("a=1\nsort=rtt\nb=2\nc=3\n", &s, warn, sizeof warn) ==
	    0);
	CHECK(strcmp(warn, "tcptoprc:1: unknown key \"a\" skipped (and 2 "
	    "more)") == 0);
	/* File bytes reach warn as printable ASCII only. */
	CHECK(load_str("\x1b[2J\xc3\xa9=1\n", &s, warn, sizeof warn) == 0);
	CHECK(strcmp(warn, "tcptoprc:1: unknown key \"?[2J??\" skipped") ==
	    0);
	/* No room for a warning is fine. */
	CHECK(load_str("zzz=1\n", &s, NULL, 0) == 0);
	CHECK(load_str("zzz=1\n", &s, warn, 1) == 0 && warn[0] == '\0');
	CHECK(load_str("sort=bad\n", &s, warn, 8) == -1 &&
	    strcmp(warn, "tcptopr") == 0);

	/* An empty file loads, with nothing set. */
	CHECK(load_str("", &s, warn, sizeof warn) == 0 && s.set == 0);

	/* No file: 1, nothing set, no warning. */
	memset(&s, 0xa5, sizeof s);
	strcpy(warn, "x");
	CHECK(settings_load(&s, tpath(p, sizeof p, "none"), warn,
	    sizeof warn) == 1);
	CHECK(all_zero(&s) && warn[0] == '\0');

	/* A directory or a FIFO is broken (and the FIFO must not hang). */
	mkdir(tpath(p, sizeof p, "adir"), 0700);
	CHECK(settings_load(&s, p, warn, sizeof warn) == -1 && all_zero(&s));
	CHECK(strncmp(warn, "tcptoprc: ", 10) == 0);
	if (mkfifo(tpath(p, sizeof p, "fifo"), 0600) == 0) {
		CHECK(settings_load(&s, p, warn, sizeof warn) == -1);
		CHECK(strcmp(warn, "tcptoprc: not a regular file") == 0);
	}
	/* A path through a file. */
	put(tpath(p, sizeof p, "plain"), "x", 1);
	strcat(p, "/tcptoprc");
	CHECK(settings_load(&s, p, warn, sizeof warn) == -1);
}

static void
test_locale(void)
{
	static const char *names[] = { "de_DE.UTF-8", "de_DE.utf8",
	    "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8" };
	struct settings s, t;
	char warn[256], p[PATH_MAX], text[1024];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (setlocale(LC_NUMERIC, names[i]) != NULL)
			break;
	if (i == sizeof names / sizeof names[0]) {
		printf("no decimal-comma locale here: locale test skipped\n");
		return;
	}
	CHECK(load_str("delay=0.5\n", &s, warn, sizeof warn) == 0 &&
	    s.delay == 0.5);
	memset(&t, 0, sizeof t);
	t.set = SETTINGS_DELAY;
	t.delay = 1.5;
	CHECK(settings_save(&t, tpath(p, sizeof p, "loc/rc"), warn,
	    sizeof warn) == 0);
	CHECK(get(p, text, sizeof text) > 0 && strstr(text, "delay=1.5\n"));
	setlocale(LC_NUMERIC, "C");
}

static void
check_round_trip(const struct settings *in)
{
	struct settings out;
	char p[PATH_MAX], err[256];
	int k;

	tpath(p, sizeof p, "trip/tcptoprc");
	if (!CHECK(settings_save(in, p, err, sizeof err) == 0))
		fprintf(stderr, "  save: %s\n", err);
	CHECK(settings_load(&out, p, err, sizeof err) == 0);
	CHECK(err[0] == '\0');
	CHECK_EQ(out.set, in->set);
	if (in->set & SETTINGS_SORT)
		CHECK_EQ(out.sort_key, in->sort_key);
	if (in->set & SETTINGS_REVERSE)
		CHECK_EQ(out.sort_reverse, in->sort_reverse != 0);
	if ((in->set & SETTINGS_DELAY) && !CHECK(out.delay == in->delay))
		fprintf(stderr, "  delay %.17g came back %.17g\n", in->delay,
		    out.delay);
	if (in->set & SETTINGS_COLOR)
		CHECK_EQ(out.color, in->color != 0);
	if (in->set & SETTINGS_ASCII)
		CHECK_EQ(out.ascii, in->ascii != 0);
	if (in->set & SETTINGS_MOUSE)
		CHECK_EQ(out.mouse, in->mouse != 0);
	if (in->set & SETTINGS_RESOLVE_HOSTS)
		CHECK_EQ(out.resolve_hosts, in->resolve_hosts != 0);
	if (in->set & SETTINGS_RESOLVE_PORTS)
		CHECK_EQ(out.resolve_ports, in->resolve_ports != 0);
	if (in->set & SETTINGS_COLUMNS)
		CHECK(strcmp(out.columns, in->columns) == 0);
	CHECK_EQ(out.alert_set, in->alert_set);
	for (k = 0; k < ALERT_NKINDS; k++)
		if (in->alert_set & (1u << k))
			CHECK_EQ(out.alert[k], in->alert[k]);
}

static void
test_round_trip(void)
{
	static const double delays[] = { 0.1, 0.2, 0.25, 0.3, 0.5, 1, 1.5,
	    2, 2.75, 10, 59.999, 123.456789, 3599.999999, 3600 };
	struct settings s;
	char p[PATH_MAX], text[2048];
	size_t i;
	int k;

	memset(&s, 0, sizeof s);
	s.set = SETTINGS_SORT | SETTINGS_REVERSE | SETTINGS_DELAY |
	    SETTINGS_COLOR | SETTINGS_ASCII | SETTINGS_COLUMNS;
	s.sort_reverse = 1;
	s.color = 1;
	s.ascii = 0;
	strcpy(s.columns, "state,local,remote,rtt");
	for (i = 0; i < sizeof delays / sizeof delays[0]; i++) {
		s.delay = delays[i];
		s.sort_key = field_sort_key(i % field_nsort());
		check_round_trip(&s);
	}
	for (k = 0; k < (int)field_nsort(); k++) {
		s.sort_key = field_sort_key((size_t)k);
		s.sort_reverse = k & 1;
		s.color = (k >> 1) & 1;
		s.ascii = (k >> 2) & 1;
		check_round_trip(&s);
	}
	s.set |= SETTINGS_RESOLVE_HOSTS | SETTINGS_RESOLVE_PORTS;
	for (k = 0; k < 4; k++) {
		s.resolve_hosts = k & 1;
		s.resolve_ports = k >> 1;
		check_round_trip(&s);
	}
	s.set |= SETTINGS_MOUSE;
	for (k = 0; k < 2; k++) {
		s.mouse = k;
		check_round_trip(&s);
	}
	/* Any nonzero boolean is written as 1. */
	s.color = 7;
	s.mouse = 5;
	check_round_trip(&s);
	memset(s.columns, 'x', sizeof s.columns - 1);
	s.columns[sizeof s.columns - 1] = '\0';
	check_round_trip(&s);
	/* Every alert threshold, at its bounds. */
	for (k = 0; k < ALERT_NKINDS; k++)
		s.alert[k] = alert_kinds[k].min;
	s.alert_set = (1u << ALERT_NKINDS) - 1;
	check_round_trip(&s);
	for (k = 0; k < ALERT_NKINDS; k++)
		s.alert[k] = alert_kinds[k].max;
	check_round_trip(&s);
	s.alert_set = 1u << ALERT_ORPHANS;
	check_round_trip(&s);
	s.alert_set = 0;
	/* Only the fields in set are written. */
	s.set = SETTINGS_DELAY;
	s.delay = 0.75;
	check_round_trip(&s);
	s.set = 0;
	check_round_trip(&s);

	/* The header says the file is rewritten; no temporary is left. */
	CHECK(get(tpath(p, sizeof p, "trip/tcptoprc"), text,
	    sizeof text) > 0);
	CHECK(text[0] == '#' && strstr(text, "rewrites its keys") != NULL);
	CHECK(count_prefix(tpath(p, sizeof p, "trip"), ".tcptoprc.") == 0);
}

/* Values that settings_load would refuse are not written at all. */
static void
test_save_refuses(void)
{
	struct settings s;
	char p[PATH_MAX], err[256];
	struct stat st;

	tpath(p, sizeof p, "refuse/rc");
	memset(&s, 0, sizeof s);
	s.set = SETTINGS_DELAY;
	s.delay = 0.05;
	CHECK(settings_save(&s, p, err, sizeof err) == -1 && err[0] != '\0');
	s.delay = NAN;
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	s.delay = 3600.5;
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	s.set = SETTINGS_SORT;
	s.sort_key = FIELD_N;
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	s.sort_key = -1;
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	s.set = SETTINGS_COLUMNS;
	strcpy(s.columns, "state\nsort=rtt");
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	strcpy(s.columns, " state");
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	s.columns[0] = '\0';
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	memset(s.columns, 'x', sizeof s.columns);	/* no NUL */
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	s.set = 0;
	s.alert_set = 1u << ALERT_TIME_WAIT;
	s.alert[ALERT_TIME_WAIT] = 0;
	CHECK(settings_save(&s, p, err, sizeof err) == -1 &&
	    strstr(err, "alert_time_wait_pct") != NULL);
	s.alert[ALERT_TIME_WAIT] = 101;
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	s.alert_set = 0;
	CHECK(stat(p, &st) == -1 && errno == ENOENT);
	/* A path naming a directory. */
	s.set = 0;
	CHECK(settings_save(&s, tpath(p, sizeof p, "refuse/"), err,
	    sizeof err) == -1);
	CHECK(settings_save(&s, "", err, sizeof err) == -1);
}

static void
test_path(void)
{
	char buf[PATH_MAX], big[5000];

	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("HOME", "/home/u", 1);
	CHECK(settings_path(buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "/x/conf/tcptop/tcptoprc") == 0);

	setenv("XDG_CONFIG_HOME", "rel/conf", 1);	/* the spec: ignore */
	CHECK(settings_path(buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "/home/u/.config/tcptop/tcptoprc") == 0);
	setenv("XDG_CONFIG_HOME", "", 1);
	CHECK(settings_path(buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "/home/u/.config/tcptop/tcptoprc") == 0);
	unsetenv("XDG_CONFIG_HOME");
	CHECK(settings_path(buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "/home/u/.config/tcptop/tcptoprc") == 0);

	/* Exactly fits, one byte short. */
	CHECK(settings_path(buf, strlen("/home/u/.config/tcptop/tcptoprc") +
	    1) == 0);
	CHECK(settings_path(buf, strlen("/home/u/.config/tcptop/tcptoprc")) ==
	    -1 && buf[0] == '\0');

	unsetenv("HOME");
	CHECK(settings_path(buf, sizeof buf) == -1 && buf[0] == '\0');
	setenv("HOME", "", 1);
	CHECK(settings_path(buf, sizeof buf) == -1);
	setenv("HOME", "relhome", 1);
	CHECK(settings_path(buf, sizeof buf) == -1);
	setenv("XDG_CONFIG_HOME", "/only/xdg", 1);
	CHECK(settings_path(buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "/only/xdg/tcptop/tcptoprc") == 0);

	memset(big, 'a', sizeof big - 1);
	big[0] = '/';
	big[sizeof big - 1] = '\0';
	setenv("XDG_CONFIG_HOME", big, 1);
	CHECK(settings_path(buf, sizeof buf) == -1 && buf[0] == '\0');
	CHECK(settings_path(buf, 0) == -1);
}

/* Run save in a child that first calls how(); 0 when it failed with a
 * reason, 1 when it did not, 77 when how() could not set up. */
static int
save_in_child(const struct settings *s, const char *path, int (*how)(void))
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		char err[256];

		if (how() == -1)
			_exit(77);
		/* _exit: the parent owns tmpdir and its atexit cleanup. */
		if (settings_save(s, path, err, sizeof err) == -1 &&
		    err[0] != '\0' && strchr(err, '\n') == NULL) {
			printf("expected failure: %s\n", err);
			fflush(stdout);
			_exit(0);
		}
		_exit(1);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Root writes anywhere: become nobody to meet a read-only directory. */
static int
drop_root(void)
{
	if (geteuid() != 0)
		return 0;
	if (setgid(65534) == -1 || setuid(65534) == -1 || geteuid() == 0)
		return -1;
	return 0;
}

/* Files may be written up to 16 bytes: the write of the temporary fails. */
static int
small_fsize(void)
{
	struct rlimit rl = { 16, 16 };

	signal(SIGXFSZ, SIG_IGN);
	return setrlimit(RLIMIT_FSIZE, &rl);
}

static void
test_atomic(void)
{
	static const char old[] = "# the user's own file\nsort=rtt\n";
	struct settings s;
	char p[PATH_MAX], d[PATH_MAX], text[1024], err[256];
	struct stat st;
	int rc;

	memset(&s, 0, sizeof s);
	s.set = SETTINGS_DELAY | SETTINGS_COLUMNS;
	s.delay = 5;
	strcpy(s.columns, "state,remote");

	/* Directories are made 0700, parents too. */
	umask(022);
	CHECK(settings_save(&s, tpath(p, sizeof p, "new/a/b/tcptoprc"), err,
	    sizeof err) == 0);
	CHECK(stat(tpath(d, sizeof d, "new"), &st) == 0 &&
	    (st.st_mode & 07777) == 0700);
	CHECK(stat(tpath(d, sizeof d, "new/a/b"), &st) == 0 &&
	    (st.st_mode & 07777) == 0700);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(count_prefix(d, ".tcptoprc.") == 0);
	/* A doubled slash in the directory part. */
	CHECK(settings_save(&s, tpath(p, sizeof p, "new//c/tcptoprc"), err,
	    sizeof err) == 0);

	/* A replaced file keeps its mode. */
	tpath(p, sizeof p, "new/a/b/tcptoprc");
	chmod(p, 0644);
	CHECK(settings_save(&s, p, err, sizeof err) == 0);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0644);

	/* A symbolic link is never written through: refused, the link
	 * and its target as they were, said in one line. */
	put(tpath(d, sizeof d, "dotfiles-rc"), old, sizeof old - 1);
	CHECK(symlink(d, tpath(p, sizeof p, "link-rc")) == 0);
	CHECK(settings_check(p, err, sizeof err) == -1 &&
	    strstr(err, "symbolic link") != NULL);
	CHECK(settings_save(&s, p, err, sizeof err) == -1 &&
	    strstr(err, "symbolic link") != NULL &&
	    strchr(err, '\n') == NULL);
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(get(d, text, sizeof text) == (long)sizeof old - 1 &&
	    strcmp(text, old) == 0);
	CHECK(count_prefix(tmpdir, ".dotfiles-rc.") == 0);
	CHECK(count_prefix(tmpdir, ".link-rc.") == 0);
	/* A dangling link is not created through either. */
	CHECK(symlink(tpath(d, sizeof d, "nowhere"), tpath(p, sizeof p,
	    "dangling-rc")) == 0);
	CHECK(settings_save(&s, p, err, sizeof err) == -1);
	CHECK(access(d, F_OK) == -1 && errno == ENOENT);

	/* An unwritable directory: a reason, the old file intact. */
	mkdir(tpath(d, sizeof d, "ro"), 0755);
	put(tpath(p, sizeof p, "ro/tcptoprc"), old, sizeof old - 1);
	if (geteuid() == 0) {
		chmod(tmpdir, 0755);	/* let nobody in */
		rc = save_in_child(&s, p, drop_root);
		chmod(tmpdir, 0700);
	} else {
		chmod(d, 0555);
		rc = settings_save(&s, p, err, sizeof err) == -1 &&
		    err[0] != '\0' ? 0 : 1;
		chmod(d, 0755);
	}
	if (rc == 77)
		printf("cannot drop root: read-only directory test skipped\n");
	else
		CHECK(rc == 0);
	CHECK(get(p, text, sizeof text) == (long)sizeof old - 1 &&
	    strcmp(text, old) == 0);
	CHECK(count_prefix(d, ".tcptoprc.") == 0);

	/* The write itself fails (file size limit): old file intact, the
	 * temporary removed. */
	rc = save_in_child(&s, p, small_fsize);
	CHECK(rc == 0);
	CHECK(get(p, text, sizeof text) == (long)sizeof old - 1 &&
	    strcmp(text, old) == 0);
	CHECK(count_prefix(d, ".tcptoprc.") == 0);

	/* The rename fails (a directory in the way): the temporary goes. */
	mkdir(tpath(p, sizeof p, "ro/isdir"), 0700);
	put(tpath(p, sizeof p, "ro/isdir/keep"), "k", 1);
	CHECK(settings_save(&s, tpath(p, sizeof p, "ro/isdir"), err,
	    sizeof err) == -1);
	CHECK(strstr(err, "isdir") != NULL);
	CHECK(count_prefix(d, ".isdir.") == 0);
	CHECK(get(tpath(p, sizeof p, "ro/isdir/keep"), text,
	    sizeof text) == 1);

	/* A path through a regular file cannot become a directory. */
	CHECK(settings_save(&s, tpath(p, sizeof p, "ro/tcptoprc/x/rc"), err,
	    sizeof err) == -1 && err[0] != '\0');
	CHECK(get(tpath(p, sizeof p, "ro/tcptoprc"), text, sizeof text) ==
	    (long)sizeof old - 1);
}

/* Comments, blank lines, unknown keys and odd lines survive a save;
 * known keys change in place, unset ones go, new ones are appended. */
static void
test_keep_lines(void)
{
	static const char before[] = "# my own notes\n"
	    "\n"
	    "  # indented comment = with an equals sign\n"
	    "future_key = 1\n"
	    "Sort = rtt   \n"
	    "color=1\n"
	    "alert_retrans=7\n"
	    "another_future=\xe2\x80\xae spaces kept  \n"
	    "delay=2";
	static const char after[] = "# my own notes\n"
	    "\n"
	    "  # indented comment = with an equals sign\n"
	    "future_key = 1\n"
	    "sort=state\n"
	    "alert_retrans=9\n"
	    "another_future=\xe2\x80\xae spaces kept  \n"
	    "delay=0.5\n"
	    "columns=state,remote\n";
	struct settings s, back;
	char p[PATH_MAX], text[2048], err[256];
	struct stat st;

	mkdir(tpath(p, sizeof p, "keep"), 0700);
	put(tpath(p, sizeof p, "keep/tcptoprc"), before, sizeof before - 1);
	chmod(p, 0640);
	CHECK(settings_load(&s, p, err, sizeof err) == 0);
	CHECK(strstr(err, "future_key") != NULL);
	s.sort_key = FIELD_STATE;
	s.set &= ~(unsigned)SETTINGS_COLOR;
	s.set |= SETTINGS_COLUMNS;
	strcpy(s.columns, "state,remote");
	s.delay = 0.5;
	s.alert[ALERT_RETRANS_NO_PROGRESS] = 9;
	if (!CHECK(settings_save(&s, p, err, sizeof err) == 0))
		fprintf(stderr, "  save: %s\n", err);
	if (!CHECK(get(p, text, sizeof text) == (long)sizeof after - 1 &&
	    strcmp(text, after) == 0))
		fprintf(stderr, "  got:\n%s\n  wanted:\n%s\n", text, after);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(settings_load(&back, p, err, sizeof err) == 0);
	CHECK_EQ(back.set, s.set);
	CHECK_EQ(back.sort_key, FIELD_STATE);
	CHECK_EQ(back.alert[ALERT_RETRANS_NO_PROGRESS], 9);
	/* Saving again changes nothing. */
	CHECK(settings_save(&back, p, err, sizeof err) == 0);
	CHECK(get(p, text, sizeof text) > 0 && strcmp(text, after) == 0);
	/* A key given twice: both lines carry the new value. */
	put(p, "delay=1\n#x\ndelay=3\n", 18);
	CHECK(settings_load(&s, p, err, sizeof err) == 0);
	s.delay = 4;
	CHECK(settings_save(&s, p, err, sizeof err) == 0);
	CHECK(get(p, text, sizeof text) > 0 &&
	    strcmp(text, "delay=4\n#x\ndelay=4\n") == 0);
	/* A value grown far past its line, many times over, still fits. */
	{
		static char many[40 * 200 + 1];
		int i;

		for (i = 0; i < 200; i++)
			memcpy(many + i * 10, "columns=a\n", 10);
		put(p, many, 2000);
		memset(&s, 0, sizeof s);
		s.set = SETTINGS_COLUMNS;
		memset(s.columns, 'x', sizeof s.columns - 1);
		CHECK(settings_save(&s, p, err, sizeof err) == 0);
		CHECK(settings_load(&back, p, err, sizeof err) == 0 &&
		    strcmp(back.columns, s.columns) == 0);
	}
}

/* Become uid 65534 (nobody) for a child. */
static int
become_nobody(void)
{
	return setgid(65534) == -1 || setuid(65534) == -1 ? -1 : 0;
}

/* As root: another user's file, directory or link is never written, and
 * no directory is made inside another user's directory (root under sudo
 * -E with the user's HOME). */
static void
test_owners(void)
{
	static const char old[] = "# nobody's\ndelay=7\n";
	struct settings s;
	char p[PATH_MAX], d[PATH_MAX], text[256], err[256];
	struct stat st;

	if (geteuid() != 0) {
		printf("not root: the tests of other users' files skipped\n");
		return;
	}
	memset(&s, 0, sizeof s);
	s.set = SETTINGS_DELAY;
	s.delay = 2;

	/* The user's file, in root's own directory. */
	mkdir(tpath(d, sizeof d, "own"), 0700);
	put(tpath(p, sizeof p, "own/tcptoprc"), old, sizeof old - 1);
	CHECK(chown(p, 65534, 65534) == 0);
	CHECK(settings_check(p, err, sizeof err) == -1 &&
	    strstr(err, "owned by uid 65534") != NULL);
	CHECK(settings_save(&s, p, err, sizeof err) == -1 &&
	    strstr(err, "owned by uid 65534") != NULL);
	CHECK(get(p, text, sizeof text) == (long)sizeof old - 1 &&
	    strcmp(text, old) == 0);
	CHECK(stat(p, &st) == 0 && st.st_uid == 65534);
	CHECK(count_prefix(d, ".tcptoprc.") == 0);

	/* The user's directory, no file yet: nothing made in it. */
	mkdir(tpath(d, sizeof d, "home"), 0755);
	CHECK(chown(d, 65534, 65534) == 0);
	CHECK(settings_save(&s, tpath(p, sizeof p, "home/.config/tcptop/"
	    "tcptoprc"), err, sizeof err) == -1 &&
	    strstr(err, "will not make a directory") != NULL);
	CHECK(settings_check(p, err, sizeof err) == -1);
	CHECK(count_prefix(d, ".config") == 0);
	/* ... nor a file in it when the directory exists. */
	CHECK(settings_save(&s, tpath(p, sizeof p, "home/tcptoprc"), err,
	    sizeof err) == -1 && strstr(err, "directory") != NULL);
	CHECK(access(p, F_OK) == -1);

	/* A link on the way that the user owns, to root's directory. */
	mkdir(tpath(d, sizeof d, "rootdir"), 0700);
	CHECK(symlink(d, tpath(p, sizeof p, "home/cfg")) == 0);
	CHECK(lchown(p, 65534, 65534) == 0);
	CHECK(settings_save(&s, tpath(p, sizeof p, "home/cfg/tcptop/"
	    "tcptoprc"), err, sizeof err) == -1 &&
	    strstr(err, "symbolic link owned by uid 65534") != NULL);
	CHECK(count_prefix(d, "tcptop") == 0);
	/* The same link owned by root is followed. */
	CHECK(lchown(tpath(p, sizeof p, "home/cfg"), 0, 0) == 0);
	CHECK(settings_save(&s, tpath(p, sizeof p, "home/cfg/tcptop/"
	    "tcptoprc"), err, sizeof err) == 0);
	CHECK(stat(tpath(p, sizeof p, "rootdir/tcptop/tcptoprc"), &st) ==
	    0 && (st.st_mode & 07777) == 0600 && st.st_uid == 0);

	/* nobody, for its part, does not write root's file. */
	chmod(tmpdir, 0755);
	chmod(tpath(d, sizeof d, "own"), 0777);
	put(tpath(p, sizeof p, "own/rootrc"), old, sizeof old - 1);
	CHECK(save_in_child(&s, p, become_nobody) == 0);
	chmod(tmpdir, 0700);
	CHECK(get(p, text, sizeof text) == (long)sizeof old - 1 &&
	    strcmp(text, old) == 0);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || base[0] != '/')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/test-settings.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return 1;
	}
	atexit(rm_tmpdir);

	test_keys();
	test_broken();
	test_unknown_and_odd_files();
	test_locale();
	test_round_trip();
	test_save_refuses();
	test_path();
	test_atomic();
	test_keep_lines();
	test_owners();
	return check_done();
}
