/* Process attribution: socket inodes to the processes holding them,
 * found the way ss -p finds them (readlink of /proc/PID/fd/N), but
 * cached in the rows themselves, so a steady refresh only checks each
 * row's owner and inode, and a bounded slice of the cached owners
 * against /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcptop/clock.h"
#include "tcptop/log.h"
#include "tcptop/proc.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

/* Owners read again alone at one refresh, at most; past it, a walk. */
#define PROC_STALE_MAX 8

/* What tells that a cached owner still is what the rescan saw: the fd
 * that held one of its sockets, and how many files it had open then
 * (st_size of /proc/PID/fd, Linux 6.2 on; 0 before, when it tells
 * nothing; -1 for tcptop itself, whose count the walk changes).  fd -1:
 * not checked (a tombstone's copy of an exited process). */
struct proc_check {
	int fd;
	uint32_t ino;
	off_t nfds;
};

/* A user name looked up once. */
struct proc_user {
	uid_t uid;
	char name[PROC_USER_LEN];
};

/* An owner table: owner value v is tab[v - 1], with its check. */
struct proc_table {
	struct proc_owner *tab;
	struct proc_check *chk;	/* tab's checks, index for index */
	size_t n;
	size_t cap;
};

struct proc {
	/* During a walk only: every inode looked for, and its conn.owner
	 * value, an index in the next table or PROC_OWNER_HIDDEN.  Open
	 * addressing; key 0 is empty (inode 0 is never looked for).
	 * Mapped for the walk and unmapped after it, so the steady state
	 * keeps no memory per socket. */
	uint32_t *keys;
	uint16_t *vals;
	size_t cap;		/* a power of two */
	size_t maplen;
	unsigned bits;		/* log2(cap) */
	struct proc_table cur;	/* the rows' owner values index it */
	struct proc_table next;	/* the walk in progress fills it */
	size_t cursor;		/* the next owner of cur to check */
	int procfd;		/* /proc, opened on first use; -1 none */
	/* The walk: /proc read a slice at a time (proc_step), resumed
	 * where it stopped. */
	DIR *wdir;		/* /proc's entries; NULL: none to read */
	int walking;
	int begin;		/* async: a walk begins at the next step,
				 * not in the refresh: its begin is a pass
				 * over every row (85 ms at a million),
				 * which the screen need not wait for */
	int async;		/* proc_set_async: walks go in slices */
	int due;		/* a walk is wanted (a check missed, rows
				 * in flight to look for again) */
	int64_t work_ns;	/* the walk's slices so far */
	int64_t sample_ms;	/* the newest sample of a row the walk
				 * looked for (conn.sample_ms) */
	int64_t start_ns;	/* the next walk not before then */
	int64_t slice_at_ns;	/* the next slice not before then */
	unsigned pace_ms;	/* test aid: one process a slice, and
				 * slices this far apart */
	const char *pace_gate;	/* test aid: the pace ends once this
				 * file exists; NULL never */
	unsigned long denied;	/* during a walk: fd dirs refused us */
	size_t w_unread;	/* during a walk: processes not read for
				 * want of a resource */
	int w_errno;		/* and why */
	size_t unread;		/* the last walk's */
	int fail_errno;		/* and why, or 0 */
	int all_read;		/* the last walk read every process */
	int sees_all;		/* proc_sees_all() at proc_new */
	unsigned retry_in;	/* refreshes to the next rescan for rows
				 * in flight, 0 none due */
	unsigned retry_gap;	/* the gap before it */
	struct proc_user *users;
	size_t nusers;
	/* Owners whose check found their open files changed, the socket
	 * on their witness fd still theirs: read again alone
	 * (proc_reread), not every process. */
	uint16_t stale[PROC_STALE_MAX];
	size_t nstale;
	unsigned long rereads;
	unsigned long rescans;
	int full_logged;	/* the table ran out of indices once */
};

/* The initial PID namespace's inode (PROC_PID_INIT_INO in the kernel's
 * proc_ns.h, fixed since Linux 3.8). */
#define PROC_PID_INIT_INO	UINT64_C(0xeffffffc)

/* Whether /proc may miss processes: this process is in a child PID
 * namespace (a container), where the processes outside it hold sockets
 * unseen, or /proc is not its namespace's.  Its NSpid line cannot tell
 * once /proc is the child namespace's own mount. */
static int
proc_nested(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) == -1 ||
	    (uint64_t)st.st_ino != PROC_PID_INIT_INO;
}

int
proc_read_all(const struct proc *p)
{
	return p->all_read;
}

int
proc_sees_all(void)
{
	return proc_privileged() && !proc_nested();
}

struct proc *
proc_new(void)
{
	struct proc *p = xcalloc(1, sizeof(struct proc));
	const char *pace = getenv("TCPTOP_TEST_OWNER_PACE_MS");
	const char *gate = getenv("TCPTOP_TEST_OWNER_GATE");

	p->procfd = -1;
	p->sees_all = proc_sees_all();
	/* A test aid (docs/hacking.md): the walk read one process a
	 * slice, slices this many ms apart, so a test sees it under way;
	 * once the gate file exists, at full speed again, so that the
	 * test need not wait out the pace. */
	if (pace != NULL && *pace != '\0')
		p->pace_ms = (unsigned)strtoul(pace, NULL, 10);
	if (gate != NULL && *gate != '\0')
		p->pace_gate = gate;
	return p;
}

void
proc_free(struct proc *p)
{
	if (p == NULL)
		return;
	if (p->procfd != -1)
		close(p->procfd);
	if (p->wdir != NULL)
		closedir(p->wdir);
	if (p->keys != NULL)
		munmap(p->keys, p->maplen);
	free(p->cur.tab);
	free(p->cur.chk);
	free(p->next.tab);
	free(p->next.chk);
	free(p->users);
	free(p);
}

unsigned
proc_check_period(const struct proc *p)
{
	return p->cur.n <= PROC_CHECK_BUDGET ? 1 :
	    (unsigned)((p->cur.n + PROC_CHECK_BUDGET - 1) /
	    PROC_CHECK_BUDGET);
}

/* /proc, kept open; -1 (logged) when it cannot be opened. */
static int
proc_dirfd(struct proc *p)
{
	if (p->procfd == -1 && (p->procfd = open("/proc",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		log_debug("proc: /proc: %s", strerror(errno));
	return p->procfd;
}

/* Room for one more owner in tab and chk. */
static void
proc_tab_grow(struct proc_table *t)
{
	if (t->n < t->cap)
		return;
	t->cap = t->cap ? 2 * t->cap : 64;
	t->tab = xreallocarray(t->tab, t->cap, sizeof *t->tab);
	t->chk = xreallocarray(t->chk, t->cap, sizeof *t->chk);
}

/* Whether owner value o is a queued row's, and whether it is a table
 * index: the values that stand for a socket with a file looked for. */
static int
proc_is_queued(uint16_t o)
{
	return (o & PROC_OWNER_QUEUED) && o < PROC_OWNER_INFLIGHT;
}

static int
proc_looked_for(uint16_t o)
{
	return o == PROC_OWNER_HIDDEN || o == PROC_OWNER_INFLIGHT ||
	    o == PROC_OWNER_FAILED ||
	    (o != PROC_OWNER_UNSET && o <= PROC_OWNER_MAX);
}

unsigned long
proc_rescans(const struct proc *p)
{
	return p->rescans;
}

unsigned long
proc_rereads(const struct proc *p)
{
	return p->rereads;
}

int
proc_privileged(void)
{
	return geteuid() == 0;
}

/* Fibonacci hashing: the top bits of the product are the well mixed
 * ones. */
static size_t
proc_slot(const struct proc *p, uint32_t ino)
{
	return (size_t)((ino * UINT32_C(2654435769)) >> (32 - p->bits));
}

/* The slot of ino, or of the empty slot where it would go. */
static size_t
proc_find(const struct proc *p, uint32_t ino)
{
	size_t i = proc_slot(p, ino);

	while (p->keys[i] != 0 && p->keys[i] != ino)
		i = (i + 1) & (p->cap - 1);
	return i;
}

/* Map an empty inode table for n inodes, at most three quarters full.
 * Returns 0, or -1 (errno) when there is no memory for it. */
static int
proc_scratch_map(struct proc *p, size_t n)
{
	size_t cap = 64;
	unsigned bits = 6;
	void *m;

	while (cap * 3 < n * 4 && bits < 31)
		cap <<= 1, bits++;
	p->maplen = cap * (sizeof *p->keys + sizeof *p->vals);
	m = mmap(NULL, p->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	p->keys = m;
	p->vals = (uint16_t *)(p->keys + cap);
	p->cap = cap;
	p->bits = bits;
	return 0;
}

static void
proc_scratch_unmap(struct proc *p)
{
	munmap(p->keys, p->maplen);
	p->keys = NULL;
	p->vals = NULL;
	p->cap = 0;
}

/* Map the scratch table for the inodes of t's live rows, each one's
 * value PROC_OWNER_UNSET (a walk: no holder found yet) or, with keep,
 * the row's own owner value (PENDING where none was looked for), and
 * note the newest sample among those rows.  Returns how many, or
 * SIZE_MAX (errno) when there is no memory for the table. */
static size_t
proc_scratch_rows(struct proc *p, struct conntab *t, int keep)
{
	enum { PROC_AHEAD = 8 };
	struct conn *const *rows;
	size_t n, i, want = 0;

	rows = conntab_rows(t, &n);
	/* Room for every live row (no pass to count those with a file),
	 * each slot fetched a few rows before it is written: at a million
	 * rows, a walk's begin is this loop. */
	if (proc_scratch_map(p, conntab_live(t)) == -1)
		return SIZE_MAX;
	p->sample_ms = INT64_MIN;
	for (i = 0; i < n; i++) {
		const struct conn *c = rows[i];
		size_t k;

		if (i + PROC_AHEAD < n) {
			k = proc_slot(p, rows[i + PROC_AHEAD]->s.inode);
			__builtin_prefetch(&p->keys[k], 1);
			__builtin_prefetch(&p->vals[k], 1);
		}
		if ((c->flags & CONN_GONE) || c->s.inode == 0)
			continue;
		k = proc_find(p, c->s.inode);
		want += p->keys[k] == 0;
		p->keys[k] = c->s.inode;
		p->vals[k] = !keep ? PROC_OWNER_UNSET :
		    proc_looked_for(c->owner) ? c->owner : PROC_OWNER_PENDING;
		if (c->sample_ms > p->sample_ms)
			p->sample_ms = c->sample_ms;
	}
	return want;
}

void
proc_sanitize(char *dst, size_t size, const char *src, size_t len)
{
	text_clean(dst, size, src, len, 0);
}

/* The name of uid from /etc/passwd into buf, or "" when it is not
 * there.  Read directly first: the first getpwuid_r costs about 150 KB
 * resident (NSS's set-up), 15 bytes a socket at 10k sockets. */
static void
proc_user_files(uid_t uid, char *buf, size_t len)
{
	char line[1024], *name, *end;
	unsigned long id;
	FILE *fp;

	buf[0] = '\0';
	if ((fp = fopen("/etc/passwd", "re")) == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL) {
		name = line;
		if ((end = strchr(name, ':')) == NULL ||
		    (end = strchr(end + 1, ':')) == NULL)
			continue;
		errno = 0;
		id = strtoul(end + 1, &end, 10);
		if (errno != 0 || *end != ':' || id != (unsigned long)uid)
			continue;
		*strchr(name, ':') = '\0';
		proc_sanitize(buf, len, name, strlen(name));
		break;
	}
	fclose(fp);
}

/* The user name of uid, sanitized, or the uid in decimal. */
static void
proc_user_name(struct proc *p, uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	struct proc_user *u;
	char tmp[1024];
	size_t i;

	for (i = 0; i < p->nusers; i++)
		if (p->users[i].uid == uid) {
			snprintf(buf, len, "%s", p->users[i].name);
			return;
		}
	p->users = xreallocarray(p->users, p->nusers + 1, sizeof *p->users);
	u = &p->users[p->nusers++];
	u->uid = uid;
	/* Then NSS (LDAP, systemd's dynamic users...), then the number. */
	proc_user_files(uid, u->name, sizeof u->name);
	if (u->name[0] == '\0' && getpwuid_r(uid, &pw, tmp, sizeof tmp,
	    &res) == 0 && res != NULL && pw.pw_name[0] != '\0')
		proc_sanitize(u->name, sizeof u->name, pw.pw_name,
		    strlen(pw.pw_name));
	if (u->name[0] == '\0')
		snprintf(u->name, sizeof u->name, "%lu", (unsigned long)uid);
	snprintf(buf, len, "%s", u->name);
}

/* Read a small file under /proc/PID into buf; returns its length or
 * -1. */
static ssize_t
proc_read(int procfd, pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%ld/%s", (long)pid, file);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Add the process pid to the table the walk fills.
 * Returns its owner value, or PROC_OWNER_HIDDEN when the table is
 * full. */
static uint16_t
proc_add(struct proc *p, int procfd, pid_t pid)
{
	struct proc_table *t = &p->next;
	struct proc_owner *o;
	char buf[2048];
	const char *uidl;
	unsigned long r, e;
	ssize_t n;

	if (t->n >= PROC_OWNER_MAX) {
		if (!p->full_logged)
			log_debug("proc: more than %d processes hold "
			    "sockets; the rest are counted as hidden",
			    PROC_OWNER_MAX);
		p->full_logged = 1;
		return PROC_OWNER_HIDDEN;
	}
	proc_tab_grow(t);
	o = &t->tab[t->n];
	memset(o, 0, sizeof *o);
	t->chk[t->n].fd = -1;
	o->pid = pid;
	n = proc_read(procfd, pid, "comm", buf, sizeof buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0)
		proc_sanitize(o->comm, sizeof o->comm, buf, (size_t)n);
	else
		snprintf(o->comm, sizeof o->comm, "?");
	/* The effective uid, as ps shows it: "Uid: real effective ...". */
	o->uid = (uid_t)-1;
	if (proc_read(procfd, pid, "status", buf, sizeof buf) > 0 &&
	    (uidl = strstr(buf, "\nUid:")) != NULL &&
	    sscanf(uidl + 5, "%lu %lu", &r, &e) == 2)
		o->uid = (uid_t)e;
	if (o->uid == (uid_t)-1)
		snprintf(o->user, sizeof o->user, "?");
	else
		proc_user_name(p, o->uid, o->user, sizeof o->user);
	return (uint16_t)++t->n;
}

/* The inode of the socket that descriptor name of the fd directory dirfd
 * is, or 0 when it is not a socket or cannot be read; *denied is set
 * when the kernel refused to say (EACCES, EPERM: a directory listed
 * whose links are not ours to read, as a sandbox's or an LSM's rules
 * make it even for root).  denied may be NULL. */
static uint32_t
proc_fd_inode(int dirfd, const char *name, int *denied)
{
	char link[64], *end;
	unsigned long ino;
	ssize_t n;

	n = readlinkat(dirfd, name, link, sizeof link - 1);
	if (n == -1 && (errno == EACCES || errno == EPERM) && denied != NULL)
		*denied = 1;
	if (n < 9 || memcmp(link, "socket:[", 8) != 0)
		return 0;
	link[n] = '\0';
	errno = 0;
	ino = strtoul(link + 8, &end, 10);
	if (errno != 0 || *end != ']' || ino > UINT32_MAX)
		return 0;
	return (uint32_t)ino;
}

/* A process (or /proc itself) that could not be read for a reason other
 * than a refusal: counted, and the reason kept. */
static void
proc_unread(struct proc *p, int err)
{
	p->w_unread++;
	p->w_errno = err;
	log_debug("proc: a process could not be read: %s", strerror(err));
}

static const struct {
	int err;
	const char *text;
} proc_errors[] = {
	{ EMFILE, "EMFILE: too many open files" },
	{ ENFILE, "ENFILE: too many open files in the system" },
	{ ENOMEM, "ENOMEM: out of memory" },
};

void
proc_failure_text(int err, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof proc_errors / sizeof proc_errors[0]; i++)
		if (proc_errors[i].err == err) {
			snprintf(buf, len, "%s", proc_errors[i].text);
			return;
		}
	snprintf(buf, len, "%s", strerror(err));
}

int
proc_failure(const struct proc *p, size_t *unread)
{
	if (unread != NULL)
		*unread = p->unread;
	return p->unread > 0 ? p->fail_errno : 0;
}

int
proc_fd_dir(int fd, DIR **dir)
{
	int err;

	if ((*dir = fdopendir(fd)) != NULL)
		return 0;
	/* Exited since the open: fdopendir's fstat of a dead process's fd
	 * directory fails with ENOENT (no task behind it). */
	err = errno;
	close(fd);
	errno = err;
	return err == ENOENT || err == ESRCH ? 1 : -1;
}

/* The next descriptor listed in dir (of the fd directory dirfd) that
 * holds a socket the scratch table looks for: its slot, its name in
 * *name; SIZE_MAX once dir has no more. */
static size_t
proc_next_shown(struct proc *p, DIR *dir, int dirfd, int *denied,
    const char **name)
{
	struct dirent *de;

	while ((de = readdir(dir)) != NULL) {
		uint32_t ino;
		size_t i;

		if (de->d_name[0] == '.' ||
		    (ino = proc_fd_inode(dirfd, de->d_name, denied)) == 0)
			continue;
		i = proc_find(p, ino);
		if (p->keys[i] != ino)
			continue;	/* not a socket we show */
		*name = de->d_name;
		return i;
	}
	return SIZE_MAX;
}

/* Every socket fd of one process: claim the inodes looked for that no
 * lower pid holds. */
static void
proc_scan_pid(struct proc *p, int procfd, pid_t pid)
{
	char path[64];
	const char *name;
	size_t i;
	struct stat st;
	uint16_t me = PROC_OWNER_UNSET;
	DIR *dir;
	int fd, denied = 0;

	snprintf(path, sizeof path, "%ld/fd", (long)pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		/* Another user's: what it holds is hidden.  Gone (ENOENT,
		 * ESRCH): it holds nothing.  Anything else (EMFILE...): it
		 * was not read, and what it holds is unknown. */
		if (errno == EACCES || errno == EPERM)
			p->denied++;
		else if (errno != ENOENT && errno != ESRCH)
			proc_unread(p, errno);
		return;
	}
	/* Its open files, before they are read: one opened meanwhile
	 * makes the next check miss, never a change pass unseen. */
	if (fstat(fd, &st) == -1)
		st.st_size = 0;
	switch (proc_fd_dir(fd, &dir)) {
	case 1:
		return;		/* gone: it holds nothing, as above */
	case -1:
		proc_unread(p, errno);
		return;
	}
	while ((i = proc_next_shown(p, dir, fd, &denied, &name)) !=
	    SIZE_MAX) {
		/* Shared by several processes: the lowest pid, whatever
		 * order /proc lists them in. */
		if (p->vals[i] != PROC_OWNER_UNSET &&
		    p->vals[i] != PROC_OWNER_HIDDEN &&
		    p->next.tab[p->vals[i] - 1].pid <= pid)
			continue;
		if (me == PROC_OWNER_UNSET) {
			me = proc_add(p, procfd, pid);
			if (me != PROC_OWNER_HIDDEN) {
				struct proc_check *ck = &p->next.chk[me - 1];

				ck->fd = atoi(name);
				ck->ino = p->keys[i];
				/* Ours counts the walk's own fds. */
				ck->nfds = pid == getpid() ? -1 :
				    st.st_size;
			}
		}
		p->vals[i] = me;
	}
	closedir(dir);
	/* Its sockets may be among the unheld: hidden, not in flight. */
	if (denied)
		p->denied++;
}

/* Give tombstone rows an owner in the new table: the same process if it
 * is still there, else a copy of the old entry, so a closed
 * connection's row still says who had it. */
static void
proc_keep_tombstones(struct proc_table *p, struct conn *const *rows,
    size_t n, const struct proc_owner *old, size_t nold)
{
	uint16_t *remap;
	size_t i, j;

	if (nold == 0)
		return;
	remap = xcalloc(nold, sizeof *remap);
	for (i = 0; i < n; i++) {
		struct conn *c = rows[i];
		uint16_t o = c->owner, q = 0;

		if (!(c->flags & CONN_GONE))
			continue;
		if (proc_is_queued(o)) {
			q = PROC_OWNER_QUEUED;
			o &= (uint16_t)~PROC_OWNER_QUEUED;
		}
		if (o == PROC_OWNER_UNSET || o > nold) {
			if (q != 0)
				c->owner = q;	/* its listener's unknown */
			continue;
		}
		if (remap[o - 1] == 0) {
			for (j = 0; j < p->n; j++)
				if (p->tab[j].pid == old[o - 1].pid &&
				    strcmp(p->tab[j].comm,
				    old[o - 1].comm) == 0)
					break;
			if (j == p->n && p->n < PROC_OWNER_MAX) {
				proc_tab_grow(p);
				p->chk[p->n].fd = -1;	/* gone anyway */
				p->tab[p->n++] = old[o - 1];
			}
			remap[o - 1] = j < p->n ? (uint16_t)(j + 1) :
			    PROC_OWNER_HIDDEN;
		}
		c->owner = remap[o - 1] == PROC_OWNER_HIDDEN ?
		    (q != 0 ? q : PROC_OWNER_HIDDEN) : (uint16_t)(remap[o - 1] | q);
	}
	free(remap);
}

/* Whether row c may wait in a listener's accept queue: a full socket
 * with no file yet.  An orphan (closed by its process) is past these
 * states: close() sends a FIN (FIN_WAIT1, LAST_ACK) or a reset. */
static int
proc_queue_candidate(const struct conn *c)
{
	if ((c->flags & CONN_GONE) || c->s.inode != 0)
		return 0;
	return c->s.state == TCP_ESTABLISHED || c->s.state == TCP_CLOSE_WAIT ||
	    (c->s.state == TCP_SYN_RECV && (c->s.flags & CONN_HAS_INFO));
}

/* The slot of a listener's (or a candidate's) port, family and
 * namespace in a table of 2^bits. */
static size_t
proc_queue_slot(const struct conn *c, unsigned bits)
{
	uint32_t k = (uint32_t)c->s.lport | (uint32_t)c->s.netns << 16;

	k ^= (uint32_t)c->s.family * UINT32_C(0x9e3779b9);
	return (size_t)((k * UINT32_C(2654435769)) >> (32 - bits));
}

/* Whether listener l's local address is the wildcard. */
static int
proc_queue_any(const struct conn *l)
{
	static const uint8_t zero[16];

	return memcmp(l->s.local, zero, l->s.family == AF_INET ? 4 : 16) == 0;
}

/* The owner value of candidate c: queued with the owner of the listener
 * on its address and port, or NOFILE when none listens there.  hash
 * holds 1 + the index in rows of every listener. */
static uint16_t
proc_queue_owner(struct conn *const *rows, const uint32_t *hash,
    unsigned bits, const struct conn *c)
{
	size_t i = proc_queue_slot(c, bits), mask = ((size_t)1 << bits) - 1;
	int best = 0, found = 0, rank;
	uint16_t o, owner = 0;

	for (; hash[i] != 0; i = (i + 1) & mask) {
		const struct conn *l = rows[hash[i] - 1];

		if (l->s.lport != c->s.lport || l->s.family != c->s.family ||
		    l->s.netns != c->s.netns)
			continue;
		rank = memcmp(l->s.local, c->s.local, sizeof c->s.local) == 0 ?
		    2 : proc_queue_any(l) ? 1 : 0;
		o = l->owner >= 1 && l->owner <= PROC_OWNER_MAX ? l->owner : 0;
		if (rank == 0 || rank < best)
			continue;
		if (rank > best)
			owner = o;
		else if (owner != o)
			owner = 0;	/* two owners: SO_REUSEPORT */
		best = rank;
		found = 1;
	}
	return found ? (uint16_t)(PROC_OWNER_QUEUED | owner) :
	    PROC_OWNER_NOFILE;
}

/* Give every live row with inode 0 its owner value: queued, or NOFILE.
 * Costs a pass over the rows only when some may be queued. */
static void
proc_queue(struct conn *const *rows, size_t n, size_t cand)
{
	size_t i, nl = 0, mask;
	unsigned bits = 4;
	uint32_t *hash;

	if (cand == 0)
		return;
	for (i = 0; i < n; i++)
		if (!(rows[i]->flags & CONN_GONE) &&
		    rows[i]->s.state == TCP_LISTEN)
			nl++;
	while (((size_t)1 << bits) < 2 * nl && bits < 31)
		bits++;
	mask = ((size_t)1 << bits) - 1;
	hash = xcalloc(mask + 1, sizeof *hash);
	for (i = 0; i < n && nl > 0; i++) {
		size_t k;

		if ((rows[i]->flags & CONN_GONE) ||
		    rows[i]->s.state != TCP_LISTEN)
			continue;
		for (k = proc_queue_slot(rows[i], bits); hash[k] != 0;
		    k = (k + 1) & mask)
			;
		hash[k] = (uint32_t)(i + 1);
	}
	for (i = 0; i < n; i++)
		if (proc_queue_candidate(rows[i]))
			rows[i]->owner = nl == 0 ? PROC_OWNER_NOFILE :
			    proc_queue_owner(rows, hash, bits, rows[i]);
	free(hash);
}

/* After a rescan: how many live rows no process held, and when to look
 * for them again.  A socket closed between the dump and the walk is not
 * held either, so a row is in flight only when two rescans running, with
 * every process read, found no holder; until then it is hidden, and
 * looked for again at the next refresh. */
static void
proc_settle(struct proc *p, struct conn *const *rows, size_t n)
{
	size_t i, unheld = 0;

	for (i = 0; i < n; i++) {
		struct conn *c = rows[i];

		if ((c->flags & CONN_GONE) || c->s.inode == 0 ||
		    (c->owner != PROC_OWNER_HIDDEN &&
		    c->owner != PROC_OWNER_INFLIGHT &&
		    c->owner != PROC_OWNER_FAILED))
			continue;
		/* A row the last scan did not sample (a model kept from
		 * events: as old as the last full dump) may be a socket
		 * closed since, whose event was missed: its inode says
		 * nothing, and walks cannot find its holder.  The next
		 * full dump samples it again; looked for then.  Every row
		 * of a full dump is the newest sample. */
		if (c->sample_ms < p->sample_ms)
			continue;
		/* Root looks again even when a process refused it its
		 * descriptors: what it could not place may be received
		 * by one it can read. */
		if (p->all_read || p->sees_all ||
		    c->owner == PROC_OWNER_FAILED)
			unheld++;
	}
	if (unheld == 0) {
		p->retry_in = p->retry_gap = 0;
		return;
	}
	p->retry_gap = p->retry_gap == 0 ? 1 : 2 * p->retry_gap;
	if (p->retry_gap > PROC_INFLIGHT_RETRY)
		p->retry_gap = PROC_INFLIGHT_RETRY;
	p->retry_in = p->retry_gap;
}

/* The time, for the walk's slices and its share. */
static int64_t
proc_now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Begin a walk of /proc for the inodes of t's live rows: the scratch
 * table of them, an empty next table, /proc's entries opened.  What
 * fails is counted as the walk's (a refusal, or unread), and leaves it
 * nothing to read.  Rows born after this wait for the next walk: the
 * processes already read may hold them. */
static void
proc_walk_begin(struct proc *p, struct conntab *t)
{
	size_t want;
	int procfd, fd;

	p->rescans++;
	p->walking = 1;
	p->begin = 0;
	p->due = 0;
	p->work_ns = 0;
	p->denied = 0;
	p->w_unread = 0;
	p->w_errno = 0;
	p->next.n = 0;
	p->wdir = NULL;
	if ((want = proc_scratch_rows(p, t, 0)) == SIZE_MAX) {
		/* Nothing looked for: every row is then failed. */
		log_debug("proc: rescan: %s", strerror(errno));
		proc_unread(p, errno);
		return;
	}
	if (want == 0)
		return;		/* nothing to look for */
	if ((procfd = proc_dirfd(p)) == -1 ||
	    (fd = openat(procfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		if (errno == EACCES || errno == EPERM)
			p->denied++;
		else
			proc_unread(p, errno);
		return;
	}
	if ((p->wdir = fdopendir(fd)) == NULL) {
		proc_unread(p, errno);
		close(fd);
	}
}

/* Read processes' fds until the deadline (monotonic ns; at least one
 * process).  Returns 1 when /proc has no more to read. */
static int
proc_walk_slice(struct proc *p, int64_t deadline)
{
	int64_t start = proc_now();
	struct dirent *de = NULL;

	if (p->pace_ms > 0 && p->pace_gate != NULL &&
	    access(p->pace_gate, F_OK) == 0)
		p->pace_ms = 0;	/* the test let the walk go */
	while (p->wdir != NULL && (de = readdir(p->wdir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || pid <= 0)
			continue;
		proc_scan_pid(p, p->procfd, (pid_t)pid);
		/* The pace (a test aid) reads one process a slice. */
		if (p->pace_ms > 0 || proc_now() >= deadline)
			break;
	}
	p->work_ns += proc_now() - start;
	p->slice_at_ns = p->pace_ms > 0 ? proc_now() +
	    (int64_t)p->pace_ms * 1000000 : 0;
	return p->wdir == NULL || de == NULL;
}

/* The walk is done: its table becomes the rows', each live row it
 * looked for gets its owner, the rows born since stay pending. */
static void
proc_walk_end(struct proc *p, struct conntab *t)
{
	struct conn *const *rows;
	struct proc_table old = p->cur;
	size_t n, i, cand = 0;

	if (p->wdir != NULL)
		closedir(p->wdir);
	p->wdir = NULL;
	p->walking = 0;
	p->unread = p->w_unread;
	p->fail_errno = p->w_errno;
	p->all_read = p->denied == 0 && p->unread == 0 && p->sees_all;
	rows = conntab_rows(t, &n);
	/* A new table: processes that exited, or no longer hold a socket
	 * we show, drop out. */
	p->cur = p->next;
	memset(&p->next, 0, sizeof p->next);
	p->cursor = 0;
	proc_keep_tombstones(&p->cur, rows, n, old.tab, old.n);
	free(old.tab);
	free(old.chk);
	for (i = 0; i < n; i++) {
		struct conn *c = rows[i];
		uint16_t v, was = c->owner;
		size_t k;

		if (c->flags & CONN_GONE)
			continue;
		if (c->s.inode == 0) {
			c->owner = PROC_OWNER_NOFILE;
			cand += proc_queue_candidate(c);
			continue;
		}
		if (p->keys == NULL ||
		    p->keys[k = proc_find(p, c->s.inode)] != c->s.inode) {
			/* Born after the walk began: the next one. */
			c->owner = p->keys == NULL ? PROC_OWNER_FAILED :
			    PROC_OWNER_PENDING;
			continue;
		}
		v = p->vals[k];
		/* Not found: in a process that could not be read, or
		 * another user's, or in flight. */
		if (v == PROC_OWNER_UNSET && p->unread > 0)
			v = PROC_OWNER_FAILED;
		else if (v == PROC_OWNER_UNSET)
			v = p->all_read && (was == PROC_OWNER_HIDDEN ||
			    was == PROC_OWNER_INFLIGHT) ?
			    PROC_OWNER_INFLIGHT : PROC_OWNER_HIDDEN;
		c->owner = v;
	}
	if (p->keys != NULL)
		proc_scratch_unmap(p);
	proc_settle(p, rows, n);
	proc_queue(rows, n, cand);
	/* Walks take at most 1 / PROC_WALK_SHARE of the time. */
	p->start_ns = proc_now() + (PROC_WALK_SHARE - 1) * p->work_ns;
	log_debug("proc: rescan %lu: %zu processes, %lld us of work%s",
	    p->rescans, p->cur.n, (long long)(p->work_ns / 1000),
	    p->all_read ? ", every one read" : "");
}

/* Walk to the end, in one go. */
static void
proc_walk_finish(struct proc *p, struct conntab *t)
{
	while (!proc_walk_slice(p, INT64_MAX))
		;
	proc_walk_end(p, t);
}

void
proc_rescan(struct proc *p, struct conntab *t)
{
	if (p->walking)
		proc_walk_finish(p, t);
	proc_walk_begin(p, t);
	proc_walk_finish(p, t);
}

/* Check up to PROC_CHECK_BUDGET cached owners, in turn: the pid still
 * holds the socket it held on its witness fd, with as many files open.
 * Returns 1 at the first that does not (logged), else 0. */
static int
proc_check_owners(struct proc *p)
{
	char path[64], link[64], want[32];
	size_t k, budget = p->cur.n < PROC_CHECK_BUDGET ? p->cur.n :
	    PROC_CHECK_BUDGET;
	struct stat st;
	int procfd;
	ssize_t len;

	if (budget == 0 || (procfd = proc_dirfd(p)) == -1)
		return 0;
	for (k = 0; k < budget; k++) {
		size_t i = p->cursor++ % p->cur.n;
		const struct proc_check *ck = &p->cur.chk[i];
		long pid = (long)p->cur.tab[i].pid;

		if (ck->fd < 0)
			continue;
		snprintf(path, sizeof path, "%ld/fd/%d", pid, ck->fd);
		snprintf(want, sizeof want, "socket:[%lu]",
		    (unsigned long)ck->ino);
		len = readlinkat(procfd, path, link, sizeof link - 1);
		if (len < 0 || (size_t)len != strlen(want) ||
		    memcmp(link, want, (size_t)len) != 0) {
			log_debug("proc: pid %ld no longer holds inode %lu on "
			    "fd %d", pid, (unsigned long)ck->ino, ck->fd);
			return 1;
		}
		snprintf(path, sizeof path, "%ld/fd", pid);
		if (ck->nfds != -1 && (fstatat(procfd, path, &st, 0) == -1 ||
		    st.st_size != ck->nfds)) {
			/* Still there, its witness still its own: read it
			 * again alone, unless too many are. */
			if (p->nstale == PROC_STALE_MAX) {
				log_debug("proc: pid %ld: its open files "
				    "changed, and %d others'", pid,
				    PROC_STALE_MAX);
				return 1;
			}
			p->stale[p->nstale++] = (uint16_t)(i + 1);
		}
	}
	p->cursor %= p->cur.n;
	return 0;
}

/* Whether pending row c calls for a walk at this refresh.  In async
 * mode, once a walk has been, not while it is new (first seen by the
 * last scan): a busy box's short connections are closed, or in
 * TIME_WAIT with no file, before the next refresh, and a walk for them
 * (every descriptor of every process) would find nothing to show.  One
 * still there at the next refresh is looked for then.  A batch report
 * attributes every row before it prints. */
static int
proc_walk_now(const struct proc *p, const struct conn *c)
{
	return !p->async || p->rescans == 0 || !(c->flags & CONN_NEW);
}

/* Read owner o's process again alone (its open files changed): the
 * rows not looked for yet that it holds become its own, and its check
 * is renewed.  Returns 0, or -1 when only a walk can tell (it exited,
 * refused us, or holds none of the sockets it had: they moved). */
static int
proc_reread_one(struct proc *p, int procfd, uint16_t o, uint8_t *held)
{
	struct proc_check *ck = &p->cur.chk[o - 1];
	pid_t pid = p->cur.tab[o - 1].pid;
	char path[64];
	const char *name;
	size_t i;
	struct stat st;
	DIR *dir;
	int fd, denied = 0, witness = 0;

	snprintf(path, sizeof path, "%ld/fd", (long)pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		st.st_size = 0;
	if (proc_fd_dir(fd, &dir) != 0)
		return -1;
	while ((i = proc_next_shown(p, dir, fd, &denied, &name)) !=
	    SIZE_MAX) {
		if (p->vals[i] == PROC_OWNER_PENDING ||
		    p->vals[i] == PROC_OWNER_UNSET)
			p->vals[i] = o;
		if (p->vals[i] != o)
			continue;	/* shared: the walk's owner stays */
		held[i] = 1;
		if (!witness) {
			ck->fd = atoi(name);
			ck->ino = p->keys[i];
			witness = 1;
		}
	}
	closedir(dir);
	if (denied || !witness)
		return -1;
	ck->nfds = st.st_size;
	return 0;
}

/* Read the stale owners again alone, instead of every process: a busy
 * box's churn changes a few processes' files a refresh, and a walk
 * reads every descriptor of every process (at 100k sockets, a third of
 * a second).  Rows not looked for that these hold get their owner; a
 * row of theirs they no longer hold, or a process that cannot be read
 * again, asks for a walk (p->due).  Returns whether rows are left that
 * no read looked for (a walk is needed for them). */
static int
proc_reread(struct proc *p, struct conntab *t)
{
	struct conn *const *rows;
	size_t n, i;
	uint8_t *held, *mine;
	int64_t start = proc_now(), end;
	int procfd, need = 0;

	rows = conntab_rows(t, &n);
	if ((procfd = proc_dirfd(p)) == -1 ||
	    proc_scratch_rows(p, t, 1) == SIZE_MAX) {
		p->due = 1;
		return 1;
	}
	held = xcalloc(p->cap, 1);
	mine = xcalloc(p->cur.n + 1, 1);
	for (i = 0; i < p->nstale && !p->due; i++) {
		mine[p->stale[i]] = 1;
		if (proc_reread_one(p, procfd, p->stale[i], held) == -1)
			p->due = 1;
	}
	for (i = 0; i < n && !p->due; i++) {
		struct conn *c = rows[i];
		size_t k;

		if ((c->flags & CONN_GONE) || c->s.inode == 0)
			continue;
		k = proc_find(p, c->s.inode);
		if (!proc_looked_for(c->owner)) {
			if (held[k])
				c->owner = p->vals[k];
			else if (proc_walk_now(p, c))
				need = 1;
		} else if (c->owner >= 1 && c->owner <= p->cur.n &&
		    mine[c->owner] && !held[k])
			p->due = 1;	/* it moved: who has it now? */
	}
	free(held);
	free(mine);
	proc_scratch_unmap(p);
	p->rereads++;
	/* Counted in the walks' share of the time. */
	end = proc_now();
	if (p->start_ns < end + (PROC_WALK_SHARE - 1) * (end - start))
		p->start_ns = end + (PROC_WALK_SHARE - 1) * (end - start);
	log_debug("proc: %zu of %zu processes read again, %lld us%s",
	    p->nstale, p->cur.n, (long long)((end - start) / 1000),
	    p->due ? ", a rescan is due" : "");
	p->nstale = 0;
	return need;
}

/* Whether the walk in progress looks for ino. */
static int
proc_walk_has(const struct proc *p, uint32_t ino)
{
	return p->walking && p->keys != NULL &&
	    p->keys[proc_find(p, ino)] == ino;
}

/* Mark the rows no walk looked for pending, and say whether one not in
 * the walk in progress needs the next; give rows with inode 0 theirs
 * (counting in *cand those that may be queued); and note in p->due the
 * rows no process held, to look for again. */
static int
proc_mark(struct proc *p, struct conn *const *rows, size_t n,
    size_t *cand)
{
	size_t i;
	int need = 0;
	int64_t newest = INT64_MIN, unheld = INT64_MIN;

	for (i = 0; i < n; i++) {
		struct conn *c = rows[i];

		if (c->flags & CONN_GONE)
			continue;
		if (c->sample_ms > newest)
			newest = c->sample_ms;
		/* Written only when it changes: a row written each refresh
		 * is a cache line to write back, every row every refresh. */
		if (c->s.inode == 0) {
			if (c->owner != PROC_OWNER_NOFILE)
				c->owner = PROC_OWNER_NOFILE;
			*cand += proc_queue_candidate(c);
			continue;
		}
		/* A new row, or one that gained a file (a connection
		 * accept()ed, a request socket become a full one): an
		 * inode no walk looked for.  A socket's inode never
		 * changes once it has one. */
		if (!proc_looked_for(c->owner)) {
			if (c->owner != PROC_OWNER_PENDING)
				c->owner = PROC_OWNER_PENDING;
			if (!need && proc_walk_now(p, c) &&
			    !proc_walk_has(p, c->s.inode))
				need = 1;
			continue;
		}
		if ((c->owner == PROC_OWNER_INFLIGHT ||
		    c->owner == PROC_OWNER_FAILED ||
		    (c->owner == PROC_OWNER_HIDDEN && p->sees_all)) &&
		    c->sample_ms > unheld)
			unheld = c->sample_ms;
	}
	/* Rows no process held: look for their receiver again, less
	 * often while they stay; only while the last scan sampled one
	 * (proc_settle), and from the next refresh on when one is
	 * sampled again after it was not. */
	if (unheld == INT64_MIN || unheld < newest)
		return need;
	if (p->retry_in == 0 && !p->due && !proc_pending(p))
		p->retry_in = p->retry_gap = 1;
	if (p->retry_in > 0 && --p->retry_in == 0)
		p->due = 1;
	return need;
}

void
proc_update(struct proc *p, struct conntab *t)
{
	struct conn *const *rows;
	size_t n, cand = 0;
	int need;

	rows = conntab_rows(t, &n);
	need = proc_mark(p, rows, n, &cand);
	p->nstale = 0;
	if (!proc_pending(p) && !p->due && proc_check_owners(p))
		p->due = 1;
	/* The processes whose files changed, read again alone first: what
	 * they hold needs no walk. */
	if (!proc_pending(p) && !p->due && p->nstale > 0 &&
	    (!p->async || proc_now() >= p->start_ns))
		need = proc_reread(p, t);
	p->nstale = 0;
	if (!p->async) {
		/* Every row attributed before the report. */
		if (p->walking && (need || p->due))
			proc_walk_finish(p, t);
		if (proc_pending(p) || need || p->due) {
			if (!p->walking)
				proc_walk_begin(p, t);
			proc_walk_finish(p, t);
			return;
		}
	} else if (!proc_pending(p) && (need || p->due) &&
	    proc_now() >= p->start_ns) {
		p->begin = 1;
		p->slice_at_ns = 0;
		/* Why, for whoever counts walks (a soak, a bench). */
		log_debug("proc: a walk is asked for: %s", need ? "a row with "
		    "a file no walk looked for" : "rows no process held, or "
		    "an owner's check");
	}
	proc_queue(rows, n, cand);
}

void
proc_set_async(struct proc *p, int on)
{
	p->async = on;
}

int
proc_step(struct proc *p, struct conntab *t, int64_t budget_ns)
{
	if (p->begin) {
		proc_walk_begin(p, t);
		return 0;
	}
	if (!p->walking || proc_now() < p->slice_at_ns)
		return 0;
	if (!proc_walk_slice(p, proc_now() + budget_ns))
		return 0;
	proc_walk_end(p, t);
	return 1;
}

int64_t
proc_step_at(const struct proc *p)
{
	return proc_pending(p) ? p->slice_at_ns : INT64_MAX;
}

int64_t
proc_walk_at(const struct proc *p)
{
	return p->start_ns;
}

int
proc_pending(const struct proc *p)
{
	return p->walking || p->begin;
}

const struct proc_owner *
proc_owner(const struct proc *p, const struct conn *c, int *bucket)
{
	int b;
	const struct proc_owner *o = NULL;
	uint16_t v = c->owner;

	if (p == NULL)
		b = PROC_OFF;
	else if (v == PROC_OWNER_NOFILE)
		b = PROC_NOFILE;
	else if (v == PROC_OWNER_INFLIGHT)
		b = PROC_INFLIGHT;
	else if (v == PROC_OWNER_FAILED)
		b = PROC_FAILED;
	else if (proc_is_queued(v)) {
		b = PROC_QUEUED;
		v &= (uint16_t)~PROC_OWNER_QUEUED;
		if (v >= 1 && v <= p->cur.n)
			o = &p->cur.tab[v - 1];
	} else if (v == PROC_OWNER_PENDING || v == PROC_OWNER_UNSET)
		b = PROC_PENDING;
	else if (v == PROC_OWNER_HIDDEN || v > p->cur.n)
		b = PROC_HIDDEN;
	else {
		b = PROC_OWNED;
		o = &p->cur.tab[v - 1];
	}
	if (bucket != NULL)
		*bucket = b;
	return o;
}

void
proc_count(const struct proc *p, const struct conn *const *rows, size_t n,
    size_t counts[PROC_NBUCKETS])
{
	size_t i;
	int b;

	memset(counts, 0, PROC_NBUCKETS * sizeof *counts);
	for (i = 0; i < n; i++) {
		if (rows[i]->flags & CONN_GONE)
			continue;
		proc_owner(p, rows[i], &b);
		if (b >= 0 && b < PROC_NBUCKETS)
			counts[b]++;
	}
}

const char *
proc_bucket_name(int bucket)
{
	static const char *const names[PROC_NBUCKETS] = { "process", "none",
	    "hidden", "queued", "in_flight", "failed", "pending" };

	return bucket >= 0 && bucket < PROC_NBUCKETS ? names[bucket] : "off";
}

/* The operator's SSH session without $SSH_CONNECTION ----------------------
 *
 * sudo drops $SSH_CONNECTION, and sudo is how --kill is usually run: the
 * session is then found by the process that holds it, an sshd above
 * tcptop. */

/* The parent of pid and its command (comm, sanitized), from
 * /proc/PID/stat: "pid (comm) state ppid ...", where comm may hold
 * spaces and parentheses and the last ')' ends it.  Returns the parent,
 * or -1. */
static long
proc_parent(long pid, char *comm, size_t len)
{
	char path[64], buf[512], *lp, *rp;
	ssize_t n;
	long ppid;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (lp == NULL || rp == NULL || rp < lp ||
	    sscanf(rp + 1, " %*c %ld", &ppid) != 1)
		return -1;
	proc_sanitize(comm, len, lp + 1, (size_t)(rp - lp - 1));
	return ppid;
}

struct proc_fd_sock {
	long fd;
	uint32_t inode;
};

static int
proc_fd_sock_cmp(const void *a, const void *b)
{
	const struct proc_fd_sock *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The socket inodes pid holds, by descriptor, into inodes (at most
 * max).  Returns how many. */
static size_t
proc_fd_sockets(long pid, uint32_t *inodes, size_t max)
{
	struct proc_fd_sock got[64];
	char path[64];
	struct dirent *de;
	size_t n = 0, i;
	DIR *dir;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/fd", pid);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(dir)) != NULL && n < 64) {
		uint32_t ino;
		char *end;
		long d;

		d = strtol(de->d_name, &end, 10);
		if (de->d_name[0] == '.' || *end != '\0' ||
		    (ino = proc_fd_inode(fd, de->d_name, NULL)) == 0)
			continue;
		got[n].fd = d;
		got[n++].inode = ino;
	}
	closedir(dir);
	qsort(got, n, sizeof got[0], proc_fd_sock_cmp);
	for (i = 0; i < n && i < max; i++)
		inodes[i] = got[i].inode;
	return i;
}

size_t
proc_ancestor_sockets(uint32_t *inodes, size_t max)
{
	char comm[64];
	long pid = (long)getppid(), ppid;
	int hops;

	for (hops = 0; hops < 64 && pid > 1; hops++, pid = ppid) {
		if ((ppid = proc_parent(pid, comm, sizeof comm)) < 0)
			return 0;
		if (strncmp(comm, "sshd", 4) == 0)
			return proc_fd_sockets(pid, inodes, max);
	}
	return 0;
}
