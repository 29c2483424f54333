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
#include <time.h>
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
static int settings_parse_mouse(struct settings *, const char *);
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
	{ "mouse", SETTINGS_MOUSE, "0, 1, yes, no, true or false",
	    settings_parse_mouse },
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
settings_parse_mouse(struct settings *s, const char *v)
{
	return settings_set_bool(&s->mouse, v);
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


/* One known key's line as settings_save writes it. */
struct settings_line {
	const char *key;	/* settings_keys[].name or an alert key */
	char text[SETTINGS_MAX_LINE];	/* "key=value", no newline */
	int done;		/* written in place of a line of the file */
};

#define SETTINGS_NLINES	(sizeof settings_keys / sizeof settings_keys[0] + \
	ALERT_NKINDS)

/* Append "key=value" for key to lines. */
static void __attribute__((format(printf, 4, 5)))
settings_line_add(struct settings_line *lines, size_t *n, const char *key,
    const char *fmt, ...)
{
	struct settings_line *l = &lines[(*n)++];
	va_list ap;
	int w;

	l->key = key;
	l->done = 0;
	w = snprintf(l->text, sizeof l->text, "%s=", key);
	va_start(ap, fmt);
	vsnprintf(l->text + w, sizeof l->text - (size_t)w, fmt, ap);
	va_end(ap);
}

/* delay as a plain decimal, microseconds at most, without printf's %f,
 * which would follow LC_NUMERIC (see settings_seconds). */
static void
settings_delay_text(double delay, char *buf, size_t len)
{
	unsigned long long us = (unsigned long long)(delay * 1e6 + 0.5);
	unsigned long long frac = us % 1000000;
	int digits = 6, w;

	w = snprintf(buf, len, "%llu", us / 1000000);
	if (frac == 0)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf + w, len - (size_t)w, ".%0*llu", digits, frac);
}

/* The columns value, refused when the reader would not read it back:
 * empty, unterminated, control characters, or outer spaces. */
static int
settings_columns_ok(const struct settings *s, char *err, size_t errlen)
{
	size_t cl = strnlen(s->columns, sizeof s->columns), i;

	if (cl == 0 || cl == sizeof s->columns) {
		settings_msg(err, errlen, "columns empty or longer than %zu "
		    "bytes", sizeof s->columns - 1);
		return -1;
	}
	for (i = 0; i < cl; i++) {
		unsigned char c = (unsigned char)s->columns[i];

		if (c < 0x20 || c == 0x7f)
			break;
	}
	if (i < cl || settings_space(s->columns[0]) ||
	    settings_space(s->columns[cl - 1])) {
		settings_msg(err, errlen, "columns hold control characters or "
		    "outer spaces");
		return -1;
	}
	return 0;
}

/* The lines of the fields named in s->set and s->alert_set, in the
 * order a new file has them.  Returns their count, or -1 with the reason
 * when a field holds what settings_load would refuse. */
static int
settings_lines(const struct settings *s, struct settings_line *lines,
    char *err, size_t errlen)
{
	char delay[32];
	size_t n = 0;
	int k;

	if (s->set & SETTINGS_SORT) {
		if (field_sort_index(s->sort_key) < 0) {
			settings_msg(err, errlen, "bad sort key %d",
			    s->sort_key);
			return -1;
		}
		settings_line_add(lines, &n, "sort", "%s",
		    field_table[s->sort_key].name);
	}
	if (s->set & SETTINGS_REVERSE)
		settings_line_add(lines, &n, "reverse", "%d",
		    s->sort_reverse != 0);
	if (s->set & SETTINGS_DELAY) {
		/* The negated test also refuses a NaN. */
		if (!(s->delay >= SETTINGS_DELAY_MIN &&
		    s->delay <= SETTINGS_DELAY_MAX)) {
			settings_msg(err, errlen, "delay out of range 0.1 to "
			    "3600 seconds");
			return -1;
		}
		settings_delay_text(s->delay, delay, sizeof delay);
		settings_line_add(lines, &n, "delay", "%s", delay);
	}
	if (s->set & SETTINGS_COLOR)
		settings_line_add(lines, &n, "color", "%d", s->color != 0);
	if (s->set & SETTINGS_ASCII)
		settings_line_add(lines, &n, "ascii", "%d", s->ascii != 0);
	if (s->set & SETTINGS_MOUSE)
		settings_line_add(lines, &n, "mouse", "%d", s->mouse != 0);
	if (s->set & SETTINGS_RESOLVE_HOSTS)
		settings_line_add(lines, &n, "resolve_hosts", "%d",
		    s->resolve_hosts != 0);
	if (s->set & SETTINGS_RESOLVE_PORTS)
		settings_line_add(lines, &n, "resolve_ports", "%d",
		    s->resolve_ports != 0);
	if (s->set & SETTINGS_COLUMNS) {
		if (settings_columns_ok(s, err, errlen) == -1)
			return -1;
		settings_line_add(lines, &n, "columns", "%.*s",
		    (int)sizeof s->columns - 1, s->columns);
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
		settings_line_add(lines, &n, alert_kinds[k].key, "%u",
		    s->alert[k]);
	}
	return (int)n;
}

/* The key of the file's line at p (n bytes, no newline) when it is a key
 * this tcptop knows: 1 with its line in *hit (NULL when s does not set
 * it), else 0 (a comment, a blank line, an unknown key, no '='). */
static int
settings_line_key(const char *p, size_t n, struct settings_line *lines,
    size_t nlines, struct settings_line **hit)
{
	char key[64];
	const char *e = p + n, *eq;
	size_t i, kl;

	while (p < e && settings_space(*p))
		p++;
	if (p == e || *p == '#' || (eq = memchr(p, '=', (size_t)(e - p))) ==
	    NULL)
		return 0;
	for (e = eq; e > p && settings_space(e[-1]); e--)
		;
	kl = (size_t)(e - p);
	if (kl == 0 || kl >= sizeof key)
		return 0;
	memcpy(key, p, kl);
	key[kl] = '\0';
	if (settings_key_find(key) == NULL && alerts_key_lookup(key) == -1)
		return 0;
	*hit = NULL;
	for (i = 0; i < nlines; i++)
		if (strcasecmp(lines[i].key, key) == 0)
			*hit = &lines[i];
	return 1;
}

/* A growing text buffer. */
struct settings_buf {
	char *p;
	size_t len, cap;
};

/* Append n bytes at data and, when nl, a newline. */
static void
settings_put(struct settings_buf *b, const char *data, size_t n, int nl)
{
	if (b->len + n + 2 > b->cap) {
		b->cap = (b->len + n + 2) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	if (nl)
		b->p[b->len++] = '\n';
}

/* The new file's text: old (n bytes; NULL for a new file) with each line
 * of a known key replaced by its line from lines or, when s does not set
 * it, dropped; comments, blank lines, unknown keys and lines the reader
 * would refuse stay as they were; the keys old did not have are appended.
 * A new file starts with a comment.  Returns it allocated, its length in
 * *len. */
static char *
settings_compose(const char *old, size_t n, struct settings_line *lines,
    size_t nlines, size_t *len)
{
	static const char header[] = "# tcptop settings.  tcptop rewrites "
	    "its keys in this file when it\n# quits (comments and other "
	    "lines are kept): edit it while tcptop\n# is not running.  Keys: "
	    "sort, reverse, delay, color, ascii, mouse,\n# "
	    "resolve_hosts, resolve_ports, columns, alert_*; see tcptop(1).\n";
	struct settings_buf b = { NULL, 0, 0 };
	const char *p = old, *end = old + n;
	struct settings_line *hit;
	size_t i;

	if (old == NULL)
		settings_put(&b, header, sizeof header - 1, 0);
	while (old != NULL && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((nl != NULL ? nl : end) - p);

		if (!settings_line_key(p, ll, lines, nlines, &hit))
			settings_put(&b, p, ll, 1);
		else if (hit != NULL) {
			settings_put(&b, hit->text, strlen(hit->text), 1);
			hit->done = 1;
		}
		p += ll + (nl != NULL);
	}
	for (i = 0; i < nlines; i++)
		if (!lines[i].done)
			settings_put(&b, lines[i].text, strlen(lines[i].text),
			    1);
	settings_put(&b, "", 0, 0);	/* never NULL */
	*len = b.len;
	return b.p;
}

/* Open the directory dir (O_PATH) to write in it, walking it from '/'
 * (or the working directory) one name at a time.  A symbolic link on the
 * way is followed only when root or the effective user owns it; a
 * missing directory is made (0700, no link followed) only inside one the
 * effective user owns, and only when create is set (else the walk stops
 * there: SETTINGS_WALK_NEW); the directory itself must be the user's.
 * Returns the descriptor, SETTINGS_WALK_NEW, or -1 with err. */
#define SETTINGS_WALK_NEW	(-2)
static int
settings_walk(const char *dir, int create, char *err, size_t errlen)
{
	const int flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	const uid_t me = geteuid();
	char name[NAME_MAX + 1];
	const char *p = dir, *e;
	struct stat st;
	int fd, next;

	memset(&st, 0, sizeof st);
	if ((fd = open(*p == '/' ? "/" : ".", flags)) == -1) {
		settings_msg(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (;; p = e) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = p + strcspn(p, "/");
		if ((size_t)(e - p) > NAME_MAX) {
			settings_msg(err, errlen, "%s: %s", dir,
			    strerror(ENAMETOOLONG));
			break;
		}
		memcpy(name, p, (size_t)(e - p));
		name[e - p] = '\0';
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT) {
				settings_msg(err, errlen, "%.*s: %s",
				    (int)(e - dir), dir, strerror(errno));
				break;
			}
			if (fstat(fd, &st) == -1 || st.st_uid != me) {
				settings_msg(err, errlen, "will not make a "
				    "directory in one owned by uid %u (%.*s)",
				    (unsigned)st.st_uid, (int)(p - dir), dir);
				break;
			}
			if (!create) {
				close(fd);
				return SETTINGS_WALK_NEW;
			}
			if (mkdirat(fd, name, 0700) == -1 && errno != EEXIST) {
				settings_msg(err, errlen, "cannot create "
				    "directory %.*s: %s", (int)(e - dir), dir,
				    strerror(errno));
				break;
			}
			next = openat(fd, name, flags | O_NOFOLLOW);
		} else if (S_ISLNK(st.st_mode)) {
			if (st.st_uid != 0 && st.st_uid != me) {
				settings_msg(err, errlen, "a symbolic link "
				    "owned by uid %u is not followed (%.*s)",
				    (unsigned)st.st_uid, (int)(e - dir), dir);
				break;
			}
			next = openat(fd, name, flags);
		} else
			next = openat(fd, name, flags | O_NOFOLLOW);
		if (next == -1) {
			settings_msg(err, errlen, "%.*s: %s", (int)(e - dir),
			    dir, strerror(errno));
			break;
		}
		close(fd);
		fd = next;
	}
	if (*p != '\0') {
		close(fd);
		return -1;
	}
	if (fstat(fd, &st) == -1 || st.st_uid != me) {
		settings_msg(err, errlen, "the directory is owned by uid %u, "
		    "not %u (%s)", (unsigned)st.st_uid, (unsigned)me, dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether the existing file base in dirfd may be replaced: not a
 * symbolic link, a regular file, the effective user's.  Returns 1 (it
 * may; its status in *st), 0 (there is none) or -1 with err. */
static int
settings_target(int dirfd, const char *base, const char *path,
    struct stat *st, char *err, size_t errlen)
{
	if (fstatat(dirfd, base, st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		settings_msg(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st->st_mode)) {
		settings_msg(err, errlen, "%s is a symbolic link: not written "
		    "through it", base);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		settings_msg(err, errlen, "%s is not a regular file: not "
		    "written", base);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		settings_msg(err, errlen, "%s is owned by uid %u, not %u: not "
		    "written", base, (unsigned)st->st_uid,
		    (unsigned)geteuid());
		return -1;
	}
	return 1;
}

/* Read the file base in dirfd, the one settings_target saw (st), into an
 * allocated buffer.  Returns it, its length in *n, or NULL with err. */
static char *
settings_read_old(int dirfd, const char *base, const char *path,
    const struct stat *st, size_t *n, char *err, size_t errlen)
{
	struct stat now;
	char *buf;
	ssize_t r;
	int fd;

	fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &now) == -1 || now.st_ino != st->st_ino ||
	    now.st_dev != st->st_dev) {
		settings_msg(err, errlen, "%s: %s", path, fd == -1 ?
		    strerror(errno) : "changed while being read");
		if (fd != -1)
			close(fd);
		return NULL;
	}
	buf = xmalloc(SETTINGS_MAX_FILE + 1);
	*n = 0;
	while (*n <= SETTINGS_MAX_FILE) {
		r = read(fd, buf + *n, SETTINGS_MAX_FILE + 1 - *n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*n += (size_t)r;
	}
	if (r == -1 || *n > SETTINGS_MAX_FILE || memchr(buf, '\0', *n)) {
		settings_msg(err, errlen, "%s: %s: not rewritten", path,
		    r == -1 ? strerror(errno) : *n > SETTINGS_MAX_FILE ?
		    "too large" : "not a text file");
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
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

/* Create a new temporary file ".BASE.XXXXXX" in dirfd, exclusively and
 * following no link, with mode.  Returns its descriptor (its name in
 * tmp) or -1 with errno. */
static int
settings_tmpfile(int dirfd, const char *base, mode_t mode, char *tmp,
    size_t len)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long counter;
	struct timespec ts;
	unsigned long long x;
	int tries, i, fd;

	for (tries = 0; tries < 100; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		x = (unsigned long long)ts.tv_nsec * 2654435761u ^
		    (unsigned long long)getpid() << 20 ^ ++counter * 40503u;
		i = snprintf(tmp, len, ".%s.", base);
		if (i < 0 || (size_t)i + 7 > len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		for (int k = 0; k < 6; k++, x /= 36)
			tmp[i + k] = digits[x % 36];
		tmp[i + 6] = '\0';
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Write text into a new temporary file in dirfd, sync it (when sync)
 * and rename it over base.  Returns 0 or -1 with err; the temporary never stays. */
static int
settings_replace(int dirfd, const char *base, const char *path,
    const char *text, size_t len, mode_t mode, int sync, char *err,
    size_t errlen)
{
	char tmp[NAME_MAX + 1];
	int fd, saved;

	if ((fd = settings_tmpfile(dirfd, base, 0600, tmp, sizeof tmp)) ==
	    -1) {
		settings_msg(err, errlen, "cannot create a file beside %s: %s",
		    path, strerror(errno));
		return -1;
	}
	/* A replaced file keeps the mode the user gave it (best effort). */
	if (mode != 0600)
		(void)fchmod(fd, mode);
	if (settings_write_all(fd, text, len) == -1 ||
	    (sync && fsync(fd) == -1) || close(fd) == -1) {
		saved = errno;
		close(fd);	/* EBADF when close failed: harmless */
		unlinkat(dirfd, tmp, 0);
		settings_msg(err, errlen, "cannot write beside %s: %s", path,
		    strerror(saved));
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, base) == -1) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		settings_msg(err, errlen, "cannot replace %s: %s", path,
		    strerror(saved));
		return -1;
	}
	return 0;
}

/* Split path into its directory (in dir, dirlen bytes) and last name.
 * Returns the name, or NULL with err. */
static const char *
settings_split(const char *path, char *dir, size_t dirlen, char *err,
    size_t errlen)
{
	const char *slash = strrchr(path, '/'), *base;

	base = slash != NULL ? slash + 1 : path;
	if (path[0] == '\0' || *base == '\0' || strlen(path) >= dirlen ||
	    strlen(base) > NAME_MAX - 8) {
		settings_msg(err, errlen, "%s: no file name, or too long",
		    path);
		return NULL;
	}
	if (slash == NULL)
		strcpy(dir, ".");
	else
		snprintf(dir, dirlen, "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	return base;
}

/* Put err through text_clean: it names paths from the environment. */
static int
settings_fail(char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		text_clean(err, errlen, err, errlen, 0);
	return -1;
}

int
settings_check(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st;
	int dirfd, rc;

	settings_msg(err, errlen, "%s", "");
	if ((base = settings_split(path, dir, sizeof dir, err, errlen)) ==
	    NULL)
		return settings_fail(err, errlen);
	if ((dirfd = settings_walk(dir, 0, err, errlen)) == SETTINGS_WALK_NEW)
		return 0;
	if (dirfd == -1)
		return settings_fail(err, errlen);
	rc = settings_target(dirfd, base, path, &st, err, errlen);
	close(dirfd);
	return rc == -1 ? settings_fail(err, errlen) : 0;
}

int
settings_save(const struct settings *s, const char *path, char *err,
    size_t errlen)
{
	struct settings_line lines[SETTINGS_NLINES];
	char dir[PATH_MAX], *old = NULL, *text;
	const char *base;
	struct stat st;
	size_t oldlen = 0, len;
	int nlines, dirfd, rc, fd = -1;

	settings_msg(err, errlen, "%s", "");
	if ((nlines = settings_lines(s, lines, err, errlen)) == -1 ||
	    (base = settings_split(path, dir, sizeof dir, err, errlen)) ==
	    NULL || (dirfd = settings_walk(dir, 1, err, errlen)) == -1)
		return settings_fail(err, errlen);
	rc = settings_target(dirfd, base, path, &st, err, errlen);
	if (rc == 1 && (old = settings_read_old(dirfd, base, path, &st,
	    &oldlen, err, errlen)) == NULL)
		rc = -1;
	if (rc == -1) {
		close(dirfd);
		return settings_fail(err, errlen);
	}
	text = settings_compose(old, oldlen, lines, (size_t)nlines, &len);
	rc = settings_replace(dirfd, base, path, text, len, rc == 1 ?
	    st.st_mode & 0777 : 0600, 1, err, errlen);
	free(text);
	free(old);
	/* Make the rename itself durable.  Some file systems cannot sync
	 * a directory (EINVAL): the rename is as safe as they make it. */
	if (rc == 0 && ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (fsync(fd) == -1 && errno != EINVAL))) {
		settings_msg(err, errlen, "saved, but cannot sync directory "
		    "%s: %s", dir, strerror(errno));
		rc = -1;
	}
	if (fd != -1)
		close(fd);
	close(dirfd);
	return rc == 0 ? 0 : settings_fail(err, errlen);
}

int
settings_write_file(const char *path, const char *text, size_t len,
    mode_t mode, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st;
	int dirfd, rc;

	settings_msg(err, errlen, "%s", "");
	if ((base = settings_split(path, dir, sizeof dir, err, errlen)) ==
	    NULL)
		return settings_fail(err, errlen);
	if ((dirfd = settings_walk(dir, 0, err, errlen)) == SETTINGS_WALK_NEW)
		settings_msg(err, errlen, "%s: no such directory", dir);
	if (dirfd < 0)
		return settings_fail(err, errlen);
	rc = settings_target(dirfd, base, path, &st, err, errlen);
	if (rc != -1)
		rc = settings_replace(dirfd, base, path, text, len, rc == 1 ?
		    st.st_mode & 0777 : mode, 0, err, errlen);
	close(dirfd);
	return rc == -1 ? settings_fail(err, errlen) : 0;
}
