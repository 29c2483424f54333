/* kstat: the kernel's TCP counters by name, read each refresh from files
 * kept open, and their rates. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/kstat.h"
#include "tcptop/xmalloc.h"

const struct kstat_counter kstat_table[KSTAT_N] = {
	[KSTAT_ACTIVE_OPENS] = { "ActiveOpens", "act", KSTAT_SNMP, "Tcp", 0 },
	[KSTAT_PASSIVE_OPENS] = { "PassiveOpens", "pas", KSTAT_SNMP, "Tcp",
	    0 },
	[KSTAT_ATTEMPT_FAILS] = { "AttemptFails", "fail", KSTAT_SNMP, "Tcp",
	    0 },
	[KSTAT_ESTAB_RESETS] = { "EstabResets", "rst", KSTAT_SNMP, "Tcp", 0 },
	[KSTAT_OUT_RSTS] = { "OutRsts", "orst", KSTAT_SNMP, "Tcp", 0 },
	[KSTAT_RETRANS_SEGS] = { "RetransSegs", "retr", KSTAT_SNMP, "Tcp",
	    0 },
	[KSTAT_IN_SEGS] = { "InSegs", "in", KSTAT_SNMP, "Tcp", 0 },
	[KSTAT_OUT_SEGS] = { "OutSegs", "out", KSTAT_SNMP, "Tcp", 0 },
	[KSTAT_CURR_ESTAB] = { "CurrEstab", "estab", KSTAT_SNMP, "Tcp", 1 },
	[KSTAT_IN_ERRS] = { "InErrs", "inerr", KSTAT_SNMP, "Tcp", 0 },
	[KSTAT_LISTEN_OVERFLOWS] = { "ListenOverflows", "ovfl",
	    KSTAT_NETSTAT, "TcpExt", 0 },
	[KSTAT_LISTEN_DROPS] = { "ListenDrops", "drop", KSTAT_NETSTAT,
	    "TcpExt", 0 },
	[KSTAT_SYNCOOKIES_SENT] = { "SyncookiesSent", "cookie",
	    KSTAT_NETSTAT, "TcpExt", 0 },
	[KSTAT_SYNCOOKIES_RECV] = { "SyncookiesRecv", "ckrecv",
	    KSTAT_NETSTAT, "TcpExt", 0 },
	[KSTAT_SYNCOOKIES_FAILED] = { "SyncookiesFailed", "ckfail",
	    KSTAT_NETSTAT, "TcpExt", 0 },
	[KSTAT_ABORT_ON_TIMEOUT] = { "TCPAbortOnTimeout", "abto",
	    KSTAT_NETSTAT, "TcpExt", 0 },
	[KSTAT_ABORT_ON_CLOSE] = { "TCPAbortOnClose", "abcl", KSTAT_NETSTAT,
	    "TcpExt", 0 },
	[KSTAT_ABORT_ON_DATA] = { "TCPAbortOnData", "abdata", KSTAT_NETSTAT,
	    "TcpExt", 0 },
	[KSTAT_ABORT_ON_MEMORY] = { "TCPAbortOnMemory", "abmem",
	    KSTAT_NETSTAT, "TcpExt", 0 },
	[KSTAT_TIMEOUTS] = { "TCPTimeouts", "rto", KSTAT_NETSTAT, "TcpExt",
	    0 },
	[KSTAT_SYN_RETRANS] = { "TCPSynRetrans", "synrt", KSTAT_NETSTAT,
	    "TcpExt", 0 },
};

static const char *const kstat_paths[KSTAT_NFILES] = {
	"/proc/net/snmp", "/proc/net/netstat",
};

/* /proc/net/netstat is about 4 KiB on 6.x kernels; room for growth. */
#define KSTAT_BUFSZ 65536

struct kstat {
	int fd[KSTAT_NFILES];
	char *buf;			/* KSTAT_BUFSZ, one for both files */
	struct kstat_values cur;
	uint64_t base[KSTAT_N];		/* the previous read's values */
	uint8_t base_ok[KSTAT_N];
	double rate[KSTAT_N];
	int64_t base_ms;
};

/* One line: [p, eol), and where the next one starts.  A line without
 * its newline is cut short and does not count. */
static int
kstat_line(const char **p, const char *end, const char **eol)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (nl == NULL)
		return 0;
	*eol = nl;
	return 1;
}

/* The length of the "Section:" prefix of [p, eol), with the colon, or
 * 0 when there is none. */
static size_t
kstat_prefix(const char *p, const char *eol)
{
	const char *c = memchr(p, ':', (size_t)(eol - p));

	return c == NULL || c == p ? 0 : (size_t)(c - p) + 1;
}

/* The next space-separated token of [*p, eol): sets *tok and *tlen,
 * returns 0 at the end. */
static int
kstat_token(const char **p, const char *eol, const char **tok, size_t *tlen)
{
	const char *s = *p;

	while (s < eol && *s == ' ')
		s++;
	if (s == eol)
		return 0;
	*tok = s;
	while (s < eol && *s != ' ')
		s++;
	*tlen = (size_t)(s - *tok);
	*p = s;
	return 1;
}

/* A plain decimal number that fits in 64 bits. */
static int
kstat_number(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

/* The counter of file in section (sec, slen with colon) named (name,
 * nlen), or -1. */
static int
kstat_find(int file, const char *sec, size_t slen, const char *name,
    size_t nlen)
{
	int id;

	for (id = 0; id < KSTAT_N; id++) {
		const struct kstat_counter *c = &kstat_table[id];

		if (c->file == file && strlen(c->section) + 1 == slen &&
		    memcmp(c->section, sec, slen - 1) == 0 &&
		    strlen(c->name) == nlen && memcmp(c->name, name, nlen) == 0)
			return id;
	}
	return -1;
}

/* Walk a names line and its values line side by side. */
static void
kstat_pair(int file, const char *names, const char *neol, const char *vals,
    const char *veol, size_t plen, struct kstat_values *v, uint32_t *seen)
{
	const char *np = names + plen, *vp = vals + plen, *nt, *vt;
	size_t nl, vl;
	uint64_t x;
	int id;

	while (kstat_token(&np, neol, &nt, &nl)) {
		if (!kstat_token(&vp, veol, &vt, &vl))
			break;		/* fewer values than names */
		id = kstat_find(file, names, plen, nt, nl);
		if (id < 0 || !kstat_number(vt, vl, &x))
			continue;
		v->vals[id] = x;
		v->have[id] = 1;
		*seen |= 1u << id;
	}
}

/* Whether [p, eol) after its prefix is a line of names: its first
 * token starts with a letter (a values line's with a digit or '-'). */
static int
kstat_is_names(const char *p, const char *eol, size_t plen)
{
	const char *q = p + plen, *tok;
	size_t tlen;

	if (!kstat_token(&q, eol, &tok, &tlen))
		return 0;
	return (*tok >= 'A' && *tok <= 'Z') || (*tok >= 'a' && *tok <= 'z');
}

size_t
kstat_parse(int file, const char *buf, size_t len, struct kstat_values *v)
{
	const char *p = buf, *end = buf + len, *eol, *prev = NULL;
	const char *peol = NULL;
	size_t found = 0, plen, pplen = 0;
	/* Counters, not lines: a section or a name given twice (the last
	 * value stays) is found once. */
	uint32_t seen = 0;
	int id;

	_Static_assert(KSTAT_N <= 32, "kstat_parse's seen mask");

	while (p < end && kstat_line(&p, end, &eol)) {
		plen = kstat_prefix(p, eol);
		/* Values: the line after a names line with its prefix.
		 * Anything else may be the names of the next pair. */
		if (prev != NULL && plen != 0 && plen == pplen &&
		    memcmp(prev, p, plen) == 0 && !kstat_is_names(p, eol, plen))
			kstat_pair(file, prev, peol, p, eol, plen, v, &seen);
		prev = NULL;
		if (plen != 0 && kstat_is_names(p, eol, plen)) {
			prev = p;
			peol = eol;
			pplen = plen;
		}
		p = eol + 1;
	}
	for (id = 0; id < KSTAT_N; id++)
		found += seen >> id & 1;
	return found;
}

struct kstat *
kstat_new(void)
{
	struct kstat *k = xcalloc(1, sizeof *k);
	int i;

	for (i = 0; i < KSTAT_NFILES; i++)
		k->fd[i] = -1;
	k->buf = xmalloc(KSTAT_BUFSZ);
	for (i = 0; i < KSTAT_N; i++)
		k->rate[i] = -1;
	return k;
}

static void
kstat_close_files(struct kstat *k)
{
	int i;

	for (i = 0; i < KSTAT_NFILES; i++) {
		if (k->fd[i] != -1)
			close(k->fd[i]);
		k->fd[i] = -1;
	}
	memset(&k->cur, 0, sizeof k->cur);
	memset(k->base_ok, 0, sizeof k->base_ok);
	for (i = 0; i < KSTAT_N; i++)
		k->rate[i] = -1;
}

void
kstat_free(struct kstat *k)
{
	if (k == NULL)
		return;
	kstat_close_files(k);
	free(k->buf);
	free(k);
}

int
kstat_open_paths(struct kstat *k, const char *snmp, const char *netstat,
    char *err, size_t errlen)
{
	const char *paths[KSTAT_NFILES] = { snmp, netstat };
	int i, rc = 0;

	kstat_close_files(k);
	err[0] = '\0';
	for (i = 0; i < KSTAT_NFILES; i++) {
		k->fd[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (k->fd[i] == -1 && rc == 0) {
			snprintf(err, errlen, "%s: %s", paths[i],
			    strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

int
kstat_open(struct kstat *k, char *err, size_t errlen)
{
	return kstat_open_paths(k, kstat_paths[KSTAT_SNMP],
	    kstat_paths[KSTAT_NETSTAT], err, errlen);
}

/* The whole file from offset 0 into k->buf; its length, or -1.  procfs
 * may hand a file out in several pieces. */
static ssize_t
kstat_slurp(struct kstat *k, int fd)
{
	size_t off = 0;
	ssize_t n;

	while (off < KSTAT_BUFSZ) {
		n = pread(fd, k->buf + off, KSTAT_BUFSZ - off, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	return (ssize_t)off;
}

/* The number after word (" inuse ", " tw ") in the line [p, eol), added
 * to *sum.  Returns 1 when found. */
static int
kstat_sockstat_field(const char *p, const char *eol, const char *word,
    unsigned long long *sum)
{
	size_t wl = strlen(word);
	unsigned long long v = 0;
	int digits = 0;

	for (; p + wl <= eol; p++)
		if (memcmp(p, word, wl) == 0)
			break;
	if (p + wl > eol)
		return 0;
	for (p += wl; p < eol && *p >= '0' && *p <= '9'; p++, digits++)
		if (v < (1ULL << 40))
			v = v * 10 + (unsigned long long)(*p - '0');
	if (digits == 0)
		return 0;
	*sum += v;
	return 1;
}

long
kstat_sockstat_parse(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol;
	unsigned long long sum = 0;
	int found = 0;

	while (kstat_line(&p, end, &eol)) {
		const char *line = p;

		p = eol + 1;
		if (eol - line > 5 && memcmp(line, "TCP: ", 5) == 0) {
			found |= kstat_sockstat_field(line, eol, " inuse ",
			    &sum);
			(void)kstat_sockstat_field(line, eol, " tw ", &sum);
		} else if (eol - line > 6 && memcmp(line, "TCP6: ", 6) == 0)
			found |= kstat_sockstat_field(line, eol, " inuse ",
			    &sum);
	}
	return found ? (long)sum : -1;
}

long
kstat_sockets(struct kstat *k)
{
	static const char *const paths[] = {
		"/proc/net/sockstat", "/proc/net/sockstat6"
	};
	long total = -1, n;
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		ssize_t len;

		if (fd == -1)
			continue;	/* no IPv6: no sockstat6 */
		len = kstat_slurp(k, fd);
		close(fd);
		if (len > 0 && (n = kstat_sockstat_parse(k->buf,
		    (size_t)len)) >= 0)
			total = total < 0 ? n : total + n;
	}
	return total;
}

/* Rates from the values just read against the baseline. */
static void
kstat_rates(struct kstat *k, int64_t now_ms)
{
	int64_t dt = now_ms - k->base_ms;
	int id;

	for (id = 0; id < KSTAT_N; id++) {
		uint64_t v = k->cur.vals[id];

		k->rate[id] = -1;
		if (!k->cur.have[id]) {
			k->base_ok[id] = 0;
			continue;
		}
		if (k->base_ok[id] && dt > 0 && v >= k->base[id] &&
		    !kstat_table[id].gauge)
			k->rate[id] = (double)(v - k->base[id]) * 1000.0 /
			    (double)dt;
		k->base[id] = v;
		k->base_ok[id] = 1;
	}
	k->base_ms = now_ms;
}

int
kstat_read(struct kstat *k, int64_t now_ms)
{
	int i, rc = 0, saved = 0;
	ssize_t n;

	memset(&k->cur, 0, sizeof k->cur);
	for (i = 0; i < KSTAT_NFILES; i++) {
		if (k->fd[i] == -1)
			continue;
		n = kstat_slurp(k, k->fd[i]);
		if (n == -1) {
			saved = errno;
			rc = -1;
			continue;
		}
		kstat_parse(i, k->buf, (size_t)n, &k->cur);
	}
	kstat_rates(k, now_ms);
	if (rc == -1)
		errno = saved;
	return rc;
}

int
kstat_have(const struct kstat *k, int id)
{
	return id >= 0 && id < KSTAT_N && k->cur.have[id];
}

uint64_t
kstat_total(const struct kstat *k, int id)
{
	return kstat_have(k, id) ? k->cur.vals[id] : 0;
}

double
kstat_rate(const struct kstat *k, int id)
{
	return id >= 0 && id < KSTAT_N ? k->rate[id] : -1;
}

void
kstat_fmt_rate(double r, char *buf, size_t len)
{
	if (r < 0)
		snprintf(buf, len, "-");
	else if (r == 0)
		snprintf(buf, len, "0");
	else if (r < 9.95)
		snprintf(buf, len, "%.1f", r);
	else if (r < 9999.5)
		snprintf(buf, len, "%.0f", r);
	else if (r < 99950)
		snprintf(buf, len, "%.1fk", r / 1000);
	else if (r < 999500)
		snprintf(buf, len, "%.0fk", r / 1000);
	else
		snprintf(buf, len, "%.1fM", r / 1000000);
}
