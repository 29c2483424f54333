/* netns: network namespaces to view.  Name one (-N), enter it to open
 * sockets and files there and come back, or find every namespace on the
 * machine (--all-netns).  Sockets stay bound to the namespace they were
 * made in, so a netlink socket opened inside keeps dumping that
 * namespace after netns_leave; files under /proc/net and
 * /proc/sys/net are resolved at open time in the caller's namespace, so
 * they too must be opened inside. */
#ifndef TCPTOP_NETNS_H
#define TCPTOP_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What an -N value names: all digits a pid, with a '/' a path, else a
 * name under /run/netns. */
enum netns_kind {
	NETNS_BAD = -1,		/* empty, or a name that cannot be one */
	NETNS_NAME,
	NETNS_PATH,
	NETNS_PID,
};

#define NETNS_RUN_DIR	"/run/netns"

/* Classify spec strictly (see above).  A name must not be "." or "..";
 * a pid must fit an int and be positive.  Pure. */
enum netns_kind netns_classify(const char *spec);

/* The nsfs file spec stands for into buf: /run/netns/NAME,
 * /proc/PID/ns/net, or the path itself.  Returns 0, or -1 (NETNS_BAD,
 * or buf too small).  Pure. */
int netns_spec_path(const char *spec, char *buf, size_t len);

/* Open the namespace spec names, checked to be a network namespace
 * (NS_GET_NSTYPE, else the nsfs magic).  Returns a descriptor
 * (close-on-exec), or -1 with a one-line reason in err and *usage set
 * when the value itself is wrong (exit status 2: no such name, file or
 * process, not a network namespace) rather than the system (1). */
int netns_open(const char *spec, int *usage, char *err, size_t errlen);

/* Keep a descriptor on tcptop's own namespace, to come back to.  Called
 * once before the first netns_enter.  Returns 0, or -1 with errno. */
int netns_init(void);

/* Whether fd (-1: ours) is tcptop's own namespace, the one netns_init
 * saw (before netns_init: the one this thread is in): 1, or 0, also
 * when either cannot be looked at. */
int netns_is_home(int fd);

/* Move this thread into the namespace fd (setns; needs CAP_SYS_ADMIN).
 * fd -1 is our own namespace: nothing to do.  Returns 0, or -1 with
 * errno (EPERM without the privilege). */
int netns_enter(int fd);

/* Back to the namespace netns_init saw (nothing to do before
 * netns_init).  Failing that is fatal: every later socket would be made
 * in the wrong namespace. */
void netns_leave(void);

/* Run fn(arg) inside the namespace fd (-1: here) and come back.  Returns
 * what fn returned, or -1 with errno when entering failed; errno is
 * fn's.  Failing to come back is fatal (netns_leave). */
int netns_run(int fd, int (*fn)(void *), void *arg);

/* Every namespace on the machine, found from the files in /run/netns and
 * each process's /proc/PID/ns/net, one entry per (st_dev, st_ino).  Entries
 * keep their index for the life of the table (an index is what
 * conn_sample.netns holds); a namespace that vanished keeps its label,
 * for the rows that still show it, but its descriptor is closed so the
 * kernel may free it.  Index 0 is our own namespace, or the one given to
 * netns_tab_new. */
struct netns_ent {
	dev_t dev;
	ino_t ino;
	int fd;			/* -1 for our own, or once gone */
	int alive;		/* found by the last scan */
	int named;		/* label is a name, not a pid's */
	pid_t pid;		/* the lowest pid in it, 0 if none seen */
	char label[48];		/* the /run/netns name (sanitized),
				 * "pid:1234" or "net:[4026531840]" */
};

struct netns_tab;

/* A table whose entry 0 is the namespace of fd (-1: our own; the table
 * then takes no descriptor for it), labelled label (NULL: found as the
 * others are).  Never fails (xmalloc). */
struct netns_tab *netns_tab_new(int fd, const char *label);
void netns_tab_free(struct netns_tab *t);

/* Look for namespaces: new ones get an entry (and a descriptor), ones no
 * longer found are marked gone and their descriptor closed (entry 0 is
 * never dropped).  Returns the number of entries that changed (new or
 * gone), or -1 with errno when /proc could not be read.  Labels of
 * known entries are updated (a name added with ip netns add). */
int netns_tab_scan(struct netns_tab *t);

/* The entries, borrowed until the next netns_tab_scan. */
const struct netns_ent *netns_tab_ents(const struct netns_tab *t,
    size_t *n);

/* The label of entry i, "?" past the end.  NULL t: "". */
const char *netns_tab_label(const struct netns_tab *t, size_t i);

/* Write a printable copy of s into buf: bytes below 0x21, 0x7f and
 * above are replaced by '?', at most len - 1 kept.  Pure. */
void netns_sanitize(const char *s, char *buf, size_t len);

#endif
