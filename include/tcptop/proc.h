/* proc: which process owns each socket, from /proc/PID/fd, cached
 * across refreshes. */
#ifndef TCPTOP_PROC_H
#define TCPTOP_PROC_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tcptop/conntab.h"

/* Reserved values of conn.owner; 1 to PROC_OWNER_MAX index the process
 * table (1 + its position). */
#define PROC_OWNER_UNSET	0	/* not looked up yet (a new row) */
#define PROC_OWNER_NOFILE	0xffff	/* inode 0: TIME_WAIT, request
					 * socket, orphan */
#define PROC_OWNER_HIDDEN	0xfffe	/* no process we can read holds it */
#define PROC_OWNER_INFLIGHT	0xfffd	/* a file no process holds, and every
					 * process was read: in flight in a
					 * unix socket's queue */
#define PROC_OWNER_FAILED	0x7fff	/* not found while some processes
					 * could not be read for want of a
					 * resource (EMFILE, ENFILE, ENOMEM):
					 * owner unknown, not hidden */
#define PROC_OWNER_PENDING	0x7ffe	/* a file no walk of /proc has looked
					 * for yet: the one under way, or the
					 * next (proc_set_async) */
#define PROC_OWNER_QUEUED	0x8000	/* bit: in a listener's accept queue
					 * (inode 0); the low bits are the
					 * listener's owner, 0 unknown */
#define PROC_OWNER_MAX		0x7ffc

/* The buckets every live row falls in; their counts add up to the rows
 * counted.  PROC_OFF: attribution is off (no struct proc). */
enum proc_bucket {
	PROC_OFF = -1,
	PROC_OWNED = 0,		/* "process" */
	PROC_NOFILE,		/* "none": the socket has no file */
	PROC_HIDDEN,		/* "hidden": another user's, or unreadable */
	PROC_QUEUED,		/* "queued": not yet accept()ed; the owner
				 * is the listener's */
	PROC_INFLIGHT,		/* "in_flight": a file in no process, every
				 * process read: passed over SCM_RIGHTS
				 * and not yet received */
	PROC_FAILED,		/* "failed": attribution failed (a process
				 * could not be read: EMFILE, ...) */
	PROC_PENDING,		/* "pending": not looked for yet; a walk
				 * of /proc under way or to come will */
	PROC_NBUCKETS
};

/* How many cached owners one refresh checks at most (proc_update). */
#define PROC_CHECK_BUDGET	512

/* Lengths with the NUL.  comm is the kernel's (15 bytes at most). */
#define PROC_COMM_LEN	16
#define PROC_USER_LEN	33

/* One process that holds sockets.  Strings are sanitized (printable
 * ASCII and well-formed UTF-8 only; anything else is '?'), safe for a
 * terminal and for JSON. */
struct proc_owner {
	pid_t pid;		/* the lowest pid holding the socket */
	uid_t uid;		/* effective uid */
	char comm[PROC_COMM_LEN];
	char user[PROC_USER_LEN];	/* name, or the uid in decimal */
};

struct proc;

/* A new, empty cache.  Never fails (xmalloc). */
struct proc *proc_new(void);
void proc_free(struct proc *p);

/* Attribute t's live rows after a refresh (conntab_end_scan).  Each
 * row keeps the owner the last rescan gave it, in conn.owner: the
 * steady state keeps no memory per socket.  A rescan is one walk of
 * /proc for every live row.  By default (synchronous) the walk is done
 * within this call, so no row is left pending; with proc_set_async it
 * is only begun here, read in slices by proc_step, the rows it has not
 * reached pending meanwhile, and begun at most when the walks so far
 * have taken no more than 1 / PROC_WALK_SHARE of the time (a row new
 * since then waits, pending).  A walk is needed when
 * - a row has a nonzero inode no rescan looked for (a new row, or one
 *   that just got a file: an accept()ed connection);
 * - a cached owner fails its check: its pid is gone, the fd that held
 *   one of its sockets no longer does, or its number of open files
 *   changed (a socket passed on and closed, a fork's parent exited).
 *   Up to PROC_CHECK_BUDGET owners are checked a refresh, in turn (one
 *   readlink and one stat each), so an owner shown is at most
 *   ceil(owners / PROC_CHECK_BUDGET) refreshes old (proc_check_period);
 * - rows no process held while every process may be read
 *   (proc_sees_all), even when one refused its descriptors: at the
 *   next refresh, then after 2, 4 and from then on every
 *   PROC_INFLIGHT_RETRY refreshes while some are, for their receiver.
 * What no readable process holds is then hidden; when every process and
 * every descriptor could be read (proc_read_all) and two rescans
 * running found no holder, in flight.
 * Processes that exited drop out.
 * A row with inode 0 in ESTABLISHED or CLOSE_WAIT (or a full SYN_RECV
 * socket, Fast Open's) waits in the accept queue of the listener on its
 * local address and port: it is queued, owned by that listener's
 * process (the listener bound to its exact address first, then a
 * wildcard one; unknown when two such listeners have different owners,
 * SO_REUSEPORT).  Tombstones keep the owner they had. */
void proc_update(struct proc *p, struct conntab *t);

/* Walks take at most one part in this of the time, in async mode: the
 * next one begins no sooner than (PROC_WALK_SHARE - 1) times the last
 * one's work after it ended.  So under churn the cost of /proc is
 * bounded, whatever the host's open files; short-lived sockets closed
 * before the next walk cost nothing. */
#define PROC_WALK_SHARE		10

/* Async (on) or synchronous (off, the default) walks, from the next
 * proc_update on.  The environment's TCPTOP_TEST_OWNER_PACE_MS (a test
 * aid, docs/hacking.md), read at proc_new, makes a slice read one
 * process and slices that many ms apart. */
void proc_set_async(struct proc *p, int on);

/* Read the walk under way for about budget_ns (one process at least),
 * unless its next slice is not due yet (proc_step_at).  Returns 1 when
 * it ended with this slice: t's rows have their owners (redraw), else
 * 0.  t is the table proc_update was given. */
int proc_step(struct proc *p, struct conntab *t, int64_t budget_ns);

/* When the next slice is due (monotonic ns; 0: now), INT64_MAX when no
 * walk is under way. */
int64_t proc_step_at(const struct proc *p);

/* In async mode, the time (monotonic ns) before which no walk begins:
 * the walks' share of the time (PROC_WALK_SHARE).  0 before the first. */
int64_t proc_walk_at(const struct proc *p);

/* Whether a walk is under way. */
int proc_pending(const struct proc *p);

/* The listing of one process's /proc/PID/fd, opened as fd (taken in
 * every case): 0 with *dir; 1 when the process has exited since the
 * open (it holds nothing); -1 with errno when it could not be read
 * (EMFILE...: what it holds is unknown). */
int proc_fd_dir(int fd, DIR **dir);

/* Refreshes between two rescans looking for in-flight sockets, at most. */
#define PROC_INFLIGHT_RETRY	8

/* The number of refreshes in which every cached owner is checked once:
 * 1 up to PROC_CHECK_BUDGET owners, more above. */
unsigned proc_check_period(const struct proc *p);

/* How many times processes whose open files changed were read again
 * alone, instead of a walk of every process: at a check, an owner's
 * count of open files differs while the socket on its witness fd is
 * still its own (up to 8 such owners a refresh).  The rows not looked
 * for yet that they hold get their owner; a socket they no longer hold
 * makes a walk due.  And in async mode a row first seen by the last
 * scan waits a refresh before a walk looks for it, once a walk has
 * been: short connections have closed by then. */
unsigned long proc_rereads(const struct proc *p);

/* Rescan /proc now, whatever the cache knows (for tests and the bench),
 * and attribute t's live rows. */
void proc_rescan(struct proc *p, struct conntab *t);

/* The owner of c, borrowed until the next proc_update, proc_rescan or
 * proc_step that returns 1, or NULL; *bucket (may be NULL) says which bucket c is in.  p may be
 * NULL (attribution off): NULL and PROC_OFF.  A row not yet looked up
 * is pending.  A queued row's owner is its listener's (NULL when
 * unknown). */
const struct proc_owner *proc_owner(const struct proc *p,
    const struct conn *c, int *bucket);

/* Count rows (skipping tombstones) per bucket into counts. */
void proc_count(const struct proc *p, const struct conn *const *rows,
    size_t n,
    size_t counts[PROC_NBUCKETS]);

/* The bucket's name in JSON: "process", "none", "hidden", "queued",
 * "in_flight", "failed" or "pending". */
const char *proc_bucket_name(int bucket);

/* Why the last rescan could not read every process it should have:
 * the errno of the last such failure that was not a refusal (EMFILE,
 * ENFILE, ENOMEM...; a refusal, EACCES, is another user's and hides),
 * or 0.  *unread (may be NULL): how many processes went unread.  The
 * rows it left without an owner are in PROC_FAILED. */
int proc_failure(const struct proc *p, size_t *unread);

/* errno err as "EMFILE: too many open files" into buf. */
void proc_failure_text(int err, char *buf, size_t len);

/* Rescans done so far. */
unsigned long proc_rescans(const struct proc *p);

/* Whether this process may read every process's fds (root or
 * CAP_SYS_PTRACE): if not, other users' sockets are hidden. */
int proc_privileged(void);

/* Whether a rescan may read every process that can hold a socket: root,
 * in the initial PID namespace (a container's /proc misses the
 * processes outside it).  Only then is a socket no process holds in
 * flight rather than hidden. */
int proc_sees_all(void);

/* Whether the last rescan read every process and every descriptor: no
 * process refused (as /proc/1/fd's links are refused even to root in
 * some sandboxes), none failed.  Only then can a socket be in flight. */
int proc_read_all(const struct proc *p);

/* The sockets of the nearest ancestor of this process whose command
 * starts with "sshd" (sshd, sshd-session): the operator's SSH session
 * when sudo has dropped $SSH_CONNECTION.  Their inodes into inodes (at
 * most max), in the order of their descriptors, the session's accepted
 * socket first as sshd opens it; returns how many (0: no such ancestor,
 * or its fds unreadable). */
size_t proc_ancestor_sockets(uint32_t *inodes, size_t max);

/* Copy src (len bytes) into dst (size bytes, NUL-terminated): printable
 * ASCII and well-formed UTF-8 sequences are kept (not C1 controls),
 * every other byte becomes '?', so escape sequences cannot reach a
 * terminal. */
void proc_sanitize(char *dst, size_t size, const char *src, size_t len);

#endif
