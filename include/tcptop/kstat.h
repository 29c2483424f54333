/* kstat: the kernel's own TCP counters, from /proc/net/snmp (Tcp) and
 * /proc/net/netstat (TcpExt), found by name, and their rates per second
 * between two reads. */
#ifndef TCPTOP_KSTAT_H
#define TCPTOP_KSTAT_H

#include <stddef.h>
#include <stdint.h>

enum kstat_id {
	KSTAT_ACTIVE_OPENS,
	KSTAT_PASSIVE_OPENS,
	KSTAT_ATTEMPT_FAILS,
	KSTAT_ESTAB_RESETS,
	KSTAT_OUT_RSTS,
	KSTAT_RETRANS_SEGS,
	KSTAT_IN_SEGS,
	KSTAT_OUT_SEGS,
	KSTAT_CURR_ESTAB,
	KSTAT_IN_ERRS,
	KSTAT_LISTEN_OVERFLOWS,
	KSTAT_LISTEN_DROPS,
	KSTAT_SYNCOOKIES_SENT,
	KSTAT_SYNCOOKIES_RECV,
	KSTAT_SYNCOOKIES_FAILED,
	KSTAT_ABORT_ON_TIMEOUT,
	KSTAT_ABORT_ON_CLOSE,
	KSTAT_ABORT_ON_DATA,
	KSTAT_ABORT_ON_MEMORY,
	KSTAT_TIMEOUTS,
	KSTAT_SYN_RETRANS,
	KSTAT_N
};

enum kstat_file {
	KSTAT_SNMP,		/* /proc/net/snmp */
	KSTAT_NETSTAT,		/* /proc/net/netstat */
	KSTAT_NFILES
};

struct kstat_counter {
	const char *name;	/* as the kernel spells it; the JSON key */
	const char *label;	/* short, for the header */
	uint8_t file;		/* enum kstat_file */
	const char *section;	/* "Tcp" or "TcpExt" */
	uint8_t gauge;		/* a level (CurrEstab), not a counter: it
				 * has no rate */
};

/* Indexed by enum kstat_id. */
extern const struct kstat_counter kstat_table[KSTAT_N];

/* The counters of one read: vals[id] is meaningful when have[id]. */
struct kstat_values {
	uint64_t vals[KSTAT_N];
	uint8_t have[KSTAT_N];
};

/* Parse the text of a file (len bytes, not NUL-terminated) for the
 * counters of kstat_table in that file and fill them in v (the others
 * are left alone).  Each section is a line of names followed by a line
 * of values with the same "Section:" prefix; names are matched, never
 * column positions.  A value that is not a plain decimal number, a line
 * cut short (the last one without its newline) and a names line without
 * its values leave the counter absent.  Returns how many were found. */
size_t kstat_parse(int file, const char *buf, size_t len,
    struct kstat_values *v);

struct kstat;

/* A reader with no files open yet (every counter unknown).  Never fails
 * (xmalloc). */
struct kstat *kstat_new(void);

/* Close the files and free k; NULL is fine. */
void kstat_free(struct kstat *k);

/* Open /proc/net/snmp and /proc/net/netstat, closing the files open
 * before and forgetting the baseline.  /proc/net follows the network
 * namespace of the calling thread at open time, so a caller that wants
 * another namespace's counters calls this while inside it; the files
 * keep that namespace afterwards.  Returns 0, or -1 with a one-line
 * reason in err (the counters of a file that failed stay unknown). */
int kstat_open(struct kstat *k, char *err, size_t errlen);

/* The same with other paths (tests: fixture files). */
int kstat_open_paths(struct kstat *k, const char *snmp, const char *netstat,
    char *err, size_t errlen);

/* Read both files again (pread from offset 0 into a buffer allocated
 * once) at monotonic time now_ms and update totals and rates: a rate is
 * the delta since the previous read over the time between them; the
 * first read after open, a read at the same time, and a counter that went
 * backwards (its namespace was recreated) give no rate, and set the
 * baseline afresh.  Returns 0, or -1 with errno when a file could not be
 * read (its counters are then unknown). */
int kstat_read(struct kstat *k, int64_t now_ms);

/* Whether the last read found counter id. */
int kstat_have(const struct kstat *k, int id);

/* Its value at the last read (0 when unknown). */
uint64_t kstat_total(const struct kstat *k, int id);

/* Its rate per second between the last two reads, or -1 when unknown
 * (see kstat_read; always for a gauge). */
double kstat_rate(const struct kstat *k, int id);

/* The TCP sockets the text of /proc/net/sockstat or sockstat6 (len
 * bytes, not NUL-terminated) counts: "TCP:" inuse plus tw, "TCP6:"
 * inuse; -1 when it has no such line.  Request sockets are not counted,
 * and a socket closed but not yet freed is: a hint, never a count. */
long kstat_sockstat_parse(const char *buf, size_t len);

/* The TCP sockets of the calling thread's network namespace, from
 * /proc/net/sockstat and sockstat6 (kstat_sockstat_parse), read through
 * k's buffer: what a first dump will about see, to size for it.  -1
 * when neither could be read. */
long kstat_sockets(struct kstat *k);

/* Rate r as the narrowest readable text into buf: "-" when unknown,
 * "0", "0.4", "12", "3.4k", "12k", "3.4M". */
void kstat_fmt_rate(double r, char *buf, size_t len);

#endif
