/* The tcptoprc settings file: parse it, write it atomically. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcptop/alerts.h"
#include "tcptop/settings.h"
#include "tcptop/field.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

#define SETTINGS_SHOW_MAX 40	/* bytes of file text quoted in a warning */

struct settings_key {
	const char *name;
	unsigned bit;
	const char *expect;	/* what a good value looks like */
	int (*parse)(struct settings *, const char *);
};

static int settings_parse_sort(struct settings *, const char *);
static int settings_parse_reverse(struct settings *, const char *);
static int settings_parse_delay(struct settings *, const char *);
static int settings_parse_color(struct settings *, const char *);
static int settings_parse_ascii(struct settings *, const char *);
static int settings_parse_columns(struct settings *, const char *);
static int settings_parse_rhosts(struct settings *, const char *);
static int settings_parse_rports(struct settings *, const char *);

static const struct settings_key settings_keys[] = {
	{ "sort", SETTINGS_SORT, "a sort key (state, rtt, recvq...)",
	    settings_parse_sort },
	{ "reverse", SETTINGS_REVERSE, "0, 1, yes, no, true or false",
	    settings_parse_reverse },
	{ "delay", SETTINGS_DELAY, "seconds from 0.1 to 3600, like 2 or 0.5",
	    settings_parse_delay },
	{ "color", SETTINGS_COLOR, "0, 1, yes, no, true or false",
	    settings_parse_color },
	{ "ascii", SETTINGS_ASCII, "0, 1, yes, no, true or false",
	    settings_parse_ascii },
	{ "resolve_hosts", SETTINGS_RESOLVE_HOSTS, "0, 1, yes, no, true or "
	    "false", settings_parse_rhosts },
	{ "resolve_ports", SETTINGS_RESOLVE_PORTS, "0, 1, yes, no, true or "
	    "false", settings_parse_rports },
	{ "columns", SETTINGS_COLUMNS, "column names, comma-separated, at "
	    "most 255 bytes", settings_parse_columns },
};

/* snprintf into a caller's message buffer, which may be empty. */
static void __attribute__((format(printf, 3, 4)))
settings_msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Copy n bytes of file text at p into out for a message: printable ASCII
 * only (a warning may be drawn on the terminal), cut with "...". */
static void
settings_show(char *out, size_t outlen, const char *p, size_t n)
{
	size_t o;

	o = text_clean(out, outlen, p, n < SETTINGS_SHOW_MAX ? n :
	    SETTINGS_SHOW_MAX, TEXT_ASCII);
	if (o < n && o + 4 < outlen)
		memcpy(out + o, "...", 4);
}

static int
settings_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* A boolean: 0 1 yes no true false, any case.  Returns 0/1 or -1. */
static int
settings_bool(const char *v)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "false") == 0)
		return 0;
	return -1;
}

/* Seconds as DIGITS[.DIGITS], read by hand: strtod follows LC_NUMERIC,
 * and under a curses UI that is the user's locale, where "0.5" may stop
 * at the '.'.  Digits past the ninth decimal are dropped; m / scale is
 * then one correctly rounded division of two exact integers. */
static int
settings_seconds(const char *v, double *out)
{
	unsigned long long m = 0, scale = 1;
	const char *p = v;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		m = m * 10 + (unsigned long long)(*p - '0');
		if (m > 1000000)	/* far out of range already */
			return -1;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (scale < 1000000000ULL) {
				m = m * 10 + (unsigned long long)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (*p != '\0')
		return -1;
	*out = (double)m / (double)scale;
	return 0;
}

static int
settings_parse_sort(struct settings *s, const char *v)
{
	int k = field_sort_lookup(v);

	if (k < 0)
		return -1;
	s->sort_key = k;
	return 0;
}

/* Set *dst from a boolean value.  Returns 0 or -1. */
static int
settings_set_bool(int *dst, const char *v)
{
	int b = settings_bool(v);

	if (b == -1)
		return -1;
	*dst = b;
	return 0;
}

static int
settings_parse_reverse(struct settings *s, const char *v)
{
	return settings_set_bool(&s->sort_reverse, v);
}

static int
settings_parse_color(struct settings *s, const char *v)
{
	return settings_set_bool(&s->color, v);
}

static int
settings_parse_ascii(struct settings *s, const char *v)
{
	return settings_set_bool(&s->ascii, v);
}

static int
settings_parse_rhosts(struct settings *s, const char *v)
{
	return settings_set_bool(&s->resolve_hosts, v);
}

static int
settings_parse_rports(struct settings *s, const char *v)
{
	return settings_set_bool(&s->resolve_ports, v);
}

static int
settings_parse_delay(struct settings *s, const char *v)
{
	double d;

	if (settings_seconds(v, &d) == -1 || d < SETTINGS_DELAY_MIN ||
	    d > SETTINGS_DELAY_MAX)
		return -1;
	s->delay = d;
	return 0;
}

static int
settings_parse_columns(struct settings *s, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= sizeof s->columns)
		return -1;
	memcpy(s->columns, v, n + 1);
	return 0;
}

/* An alert threshold: decimal digits only, in the kind's range. */
static int
settings_parse_alert(struct settings *s, int kind, const char *v)
{
	const struct alert_kind_info *k = &alert_kinds[kind];
	unsigned long long n = 0;
	const char *p;

	if (*v == '\0')
		return -1;
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned long long)(*p - '0');
		if (n > k->max)
			return -1;
	}
	if (n < k->min)
		return -1;
	s->alert[kind] = (uint32_t)n;
	s->alert_set |= 1u << kind;
	return 0;
}

static const struct settings_key *
settings_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof settings_keys / sizeof settings_keys[0]; i++)
		if (strcasecmp(settings_keys[i].name, name) == 0)
			return &settings_keys[i];
	return NULL;
}

/* Parse the file's n bytes at buf (buf[n] is writable) into s, which
 * starts zeroed.  Returns 0 (warn set for unknown keys) or -1. */
static int
settings_parse(struct settings *s, char *buf, size_t n, char *warn,
    size_t warnlen)
{
	char show[SETTINGS_SHOW_MAX + 8], first[SETTINGS_SHOW_MAX + 8];
	unsigned line = 0, first_line = 0, unknown = 0;
	char *p = buf, *nul;

	first[0] = '\0';
	if ((nul = memchr(buf, '\0', n)) != NULL) {
		for (p = buf; p < nul; p++)
			line += *p == '\n';
		settings_msg(warn, warnlen, "tcptoprc:%u: NUL byte (not a "
		    "text file?)", line + 1);
		return -1;
	}
	buf[n] = '\0';
	while (p < buf + n) {
		const struct settings_key *k;
		char *end = memchr(p, '\n', (size_t)(buf + n - p));
		int ak;
		char *key, *eq, *val, *e;

		if (end == NULL)
			end = buf + n;
		line++;
		if (end - p > SETTINGS_MAX_LINE) {
			settings_msg(warn, warnlen, "tcptoprc:%u: line longer "
			    "than %d bytes", line, SETTINGS_MAX_LINE);
			return -1;
		}
		*end = '\0';
		key = p;
		p = end + 1;

		while (settings_space(*key))
			key++;
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			settings_show(show, sizeof show, key, strlen(key));
			settings_msg(warn, warnlen, "tcptoprc:%u: expected "
			    "key=value, not \"%s\"", line, show);
			return -1;
		}
		for (e = eq; e > key && settings_space(e[-1]); e--)
			;
		*e = '\0';
		if (*key == '\0') {
			settings_msg(warn, warnlen, "tcptoprc:%u: no key before "
			    "'='", line);
			return -1;
		}
		val = eq + 1;
		while (settings_space(*val))
			val++;
		for (e = val + strlen(val); e > val && settings_space(e[-1]);
		    e--)
			;
		*e = '\0';

		if ((ak = alerts_key_lookup(key)) != -1) {
			if (settings_parse_alert(s, ak, val) == -1) {
				settings_show(show, sizeof show, val,
				    strlen(val));
				settings_msg(warn, warnlen, "tcptoprc:%u: bad "
				    "%s \"%s\": expected a whole number from "
				    "%u to %u", line, alert_kinds[ak].key, show,
				    alert_kinds[ak].min, alert_kinds[ak].max);
				return -1;
			}
			continue;
		}
		if ((k = settings_key_find(key)) == NULL) {
			/* A newer tcptop's key: skip it, say so once. */
			if (unknown++ == 0) {
				first_line = line;
				settings_show(first, sizeof first, key,
				    strlen(key));
			}
			continue;
		}
		if (k->parse(s, val) == -1) {
			settings_show(show, sizeof show, val, strlen(val));
			settings_msg(warn, warnlen, "tcptoprc:%u: bad %s \"%s\": "
			    "expected %s", line, k->name, show, k->expect);
			return -1;
		}
		s->set |= k->bit;
	}
	if (unknown == 1)
		settings_msg(warn, warnlen, "tcptoprc:%u: unknown key \"%s\" "
		    "skipped", first_line, first);
	else if (unknown > 1)
		settings_msg(warn, warnlen, "tcptoprc:%u: unknown key \"%s\" "
		    "skipped (and %u more)", first_line, first, unknown - 1);
	return 0;
}

int
settings_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/tcptop/tcptoprc", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, len, "%s/.config/tcptop/tcptoprc", home);
	else
		n = -1;
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

int
settings_load(struct settings *s, const char *path, char *warn,
    size_t warnlen)
{
	struct settings tmp;
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t r;
	int fd, rc;

	memset(s, 0, sizeof *s);
	settings_msg(warn, warnlen, "%s", "");
	/* O_NONBLOCK: a FIFO put there must not hang the start. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		settings_msg(warn, warnlen, "tcptoprc: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		settings_msg(warn, warnlen, "tcptoprc: not a regular file");
		close(fd);
		return -1;
	}
	/* One byte more than allowed tells a full file from a long one. */
	buf = xmalloc(SETTINGS_MAX_FILE + 2);
	while (n <= SETTINGS_MAX_FILE) {
		r = read(fd, buf + n, SETTINGS_MAX_FILE + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			settings_msg(warn, warnlen, "tcptoprc: %s",
			    strerror(errno));
			close(fd);
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > SETTINGS_MAX_FILE) {
		settings_msg(warn, warnlen, "tcptoprc: larger than %d bytes",
		    SETTINGS_MAX_FILE);
		free(buf);
		return -1;
	}
	memset(&tmp, 0, sizeof tmp);
	rc = settings_parse(&tmp, buf, n, warn, warnlen);
	free(buf);
	if (rc == 0)
		*s = tmp;
	return rc;
}

/* Write s as the file's text into buf.  Returns its length, or -1 with
 * the reason when a field holds what settings_load would refuse. */
/* The names keys (r, R) of s into buf. */
static size_t
settings_format_names(const struct settings *s, char *buf, size_t len)
{
	int n = 0;

	if (s->set & SETTINGS_RESOLVE_HOSTS)
		n = snprintf(buf, len, "resolve_hosts=%d\n",
		    s->resolve_hosts != 0);
	if (s->set & SETTINGS_RESOLVE_PORTS)
		n += snprintf(buf + n, len - (size_t)n, "resolve_ports=%d\n",
		    s->resolve_ports != 0);
	return (size_t)n;
}

static int
settings_format(const struct settings *s, char *buf, size_t len, char *err,
    size_t errlen)
{
	size_t n;
	int w, k;

	w = snprintf(buf, len, "# tcptop settings.  tcptop rewrites this file "
	    "when it quits: edit it\n# while tcptop is not running.  Keys: "
	    "sort, reverse, delay, color,\n# ascii, resolve_hosts, "
	    "resolve_ports, columns, alert_*; see "
	    "tcptop(1)."
	    "\n");
	n = (size_t)w;
	if (s->set & SETTINGS_SORT) {
		if (field_sort_index(s->sort_key) < 0) {
			settings_msg(err, errlen, "bad sort key %d",
			    s->sort_key);
			return -1;
		}
		n += (size_t)snprintf(buf + n, len - n, "sort=%s\n",
		    field_table[s->sort_key].name);
	}
	if (s->set & SETTINGS_REVERSE)
		n += (size_t)snprintf(buf + n, len - n, "reverse=%d\n",
		    s->sort_reverse != 0);
	if (s->set & SETTINGS_DELAY) {
		unsigned long long us, frac;
		int digits = 6;

		/* The negated test also refuses a NaN. */
		if (!(s->delay >= SETTINGS_DELAY_MIN &&
		    s->delay <= SETTINGS_DELAY_MAX)) {
			settings_msg(err, errlen, "delay out of range 0.1 to "
			    "3600 seconds");
			return -1;
		}
		/* Microseconds, written without printf's %f, which would
		 * follow LC_NUMERIC (see settings_seconds). */
		us = (unsigned long long)(s->delay * 1e6 + 0.5);
		frac = us % 1000000;
		n += (size_t)snprintf(buf + n, len - n, "delay=%llu",
		    us / 1000000);
		if (frac != 0) {
			while (frac % 10 == 0) {
				frac /= 10;
				digits--;
			}
			n += (size_t)snprintf(buf + n, len - n, ".%0*llu",
			    digits, frac);
		}
		n += (size_t)snprintf(buf + n, len - n, "\n");
	}
	if (s->set & SETTINGS_COLOR)
		n += (size_t)snprintf(buf + n, len - n, "color=%d\n",
		    s->color != 0);
	if (s->set & SETTINGS_ASCII)
		n += (size_t)snprintf(buf + n, len - n, "ascii=%d\n",
		    s->ascii != 0);
	n += settings_format_names(s, buf + n, len - n);
	if (s->set & SETTINGS_COLUMNS) {
		size_t cl = strnlen(s->columns, sizeof s->columns), i;

		if (cl == 0 || cl == sizeof s->columns) {
			settings_msg(err, errlen, "columns empty or longer "
			    "than %zu bytes", sizeof s->columns - 1);
			return -1;
		}
		/* Anything the reader would trim or split on changes it. */
		for (i = 0; i < cl; i++) {
			unsigned char c = (unsigned char)s->columns[i];

			if (c < 0x20 || c == 0x7f)
				break;
		}
		if (i < cl || settings_space(s->columns[0]) ||
		    settings_space(s->columns[cl - 1])) {
			settings_msg(err, errlen, "columns hold control "
			    "characters or outer spaces");
			return -1;
		}
		n += (size_t)snprintf(buf + n, len - n, "columns=%.*s\n",
		    (int)cl, s->columns);
	}
	for (k = 0; k < ALERT_NKINDS; k++) {
		if (!(s->alert_set & (1u << k)))
			continue;
		if (s->alert[k] < alert_kinds[k].min ||
		    s->alert[k] > alert_kinds[k].max) {
			settings_msg(err, errlen, "%s out of range %u to %u",
			    alert_kinds[k].key, alert_kinds[k].min,
			    alert_kinds[k].max);
			return -1;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s=%u\n",
		    alert_kinds[k].key, s->alert[k]);
	}
	/* The fields are bounded, so buf is always large enough. */
	if (n >= len) {
		settings_msg(err, errlen, "settings text too long");
		return -1;
	}
	return (int)n;
}

/* mkdir -p dir, new directories 0700.  Returns 0, or -1 with the reason
 * in err. */
static int
settings_mkdirs(const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);
	struct stat st;

	if (n >= sizeof p) {
		settings_msg(err, errlen, "path too long");
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		if (p[i - 1] == '/')
			continue;	/* "//" */
		p[i] = '\0';
		/* An existing directory may still fail with EACCES or
		 * EROFS on some kernels; only a missing one matters. */
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			int saved = errno;

			if (stat(p, &st) == -1 || !S_ISDIR(st.st_mode)) {
				settings_msg(err, errlen, "cannot create "
				    "directory %s: %s", p, strerror(saved));
				return -1;
			}
		}
		p[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* Write n bytes, across short writes.  Returns 0 or -1 with errno. */
static int
settings_write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

int
settings_save(const struct settings *s, const char *path, char *err,
    size_t errlen)
{
	char text[1024], target[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX];
	const char *base, *slash;
	struct stat st;
	int len, fd, saved;

	settings_msg(err, errlen, "%s", "");
	if ((len = settings_format(s, text, sizeof text, err, errlen)) == -1)
		return -1;

	/* Replace what a symlink points to, not the link. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (realpath(path, target) == NULL) {
			settings_msg(err, errlen, "cannot follow symbolic link "
			    "%s: %s", path, strerror(errno));
			return -1;
		}
	} else if (snprintf(target, sizeof target, "%s", path) >=
	    (int)sizeof target || path[0] == '\0') {
		settings_msg(err, errlen, "bad or overlong path");
		return -1;
	}
	if ((slash = strrchr(target, '/')) == NULL) {
		strcpy(dir, ".");
		base = target;
	} else {
		/* target is shorter than PATH_MAX, so dir fits. */
		snprintf(dir, sizeof dir, "%.*s", slash == target ? 1 :
		    (int)(slash - target), target);
		base = slash + 1;
	}
	if (*base == '\0') {
		settings_msg(err, errlen, "%s names a directory", path);
		return -1;
	}
	if (settings_mkdirs(dir, err, errlen) == -1)
		return -1;
	if (snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, base) >=
	    (int)sizeof tmp) {
		settings_msg(err, errlen, "path too long");
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		settings_msg(err, errlen, "cannot create a file in %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	/* mkostemp gave 0600; keep the mode the user chose for the old
	 * file (best effort: it is not worth failing the save over). */
	if (stat(target, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(fd, st.st_mode & 07777);
	if (settings_write_all(fd, text, (size_t)len) == -1 ||
	    fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		settings_msg(err, errlen, "cannot write %s: %s", tmp,
		    strerror(saved));
		return -1;
	}
	if (close(fd) == -1) {
		saved = errno;
		unlink(tmp);
		settings_msg(err, errlen, "cannot write %s: %s", tmp,
		    strerror(saved));
		return -1;
	}
	if (rename(tmp, target) == -1) {
		saved = errno;
		unlink(tmp);
		settings_msg(err, errlen, "cannot replace %s: %s", target,
		    strerror(saved));
		return -1;
	}
	/* Make the rename itself durable.  Some file systems cannot sync
	 * a directory (EINVAL): the rename is as safe as they make it. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (fsync(fd) == -1 && errno != EINVAL)) {
		saved = errno;
		if (fd != -1)
			close(fd);
		settings_msg(err, errlen, "saved, but cannot sync directory "
		    "%s: %s", dir, strerror(saved));
		return -1;
	}
	close(fd);
	return 0;
}
