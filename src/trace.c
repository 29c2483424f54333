/* The sock:inet_sock_set_state tracepoint through a private tracefs
 * instance: set-up, per-CPU raw buffers drained by a reader thread as
 * soon as they hold anything, fields parsed by name, and the instance
 * removed on every way out. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tcptop/trace.h"

#ifdef HAVE_TRACEFS

#include <ctype.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <event-utils.h>
#include <kbuffer.h>
#include <tracefs.h>

#include "tcptop/log.h"

#include "tcptop/xmalloc.h"

/* libtraceevent, and libtracefs through it, print their warnings on
 * stderr unless the program provides this (a weak symbol there).  With
 * curses on the terminal nothing may go there: they go to the -v log. */
int
tep_vprint(const char *name, enum tep_loglevel level, bool print_err,
    const char *fmt, va_list ap)
{
	char buf[512];

	(void)level;
	(void)print_err;
	vsnprintf(buf, sizeof buf, fmt, ap);
	log_debug("%s: %s", name != NULL ? name : "libtraceevent", buf);
	return 0;
}

#define TRACE_SYSTEM "sock"
#define TRACE_EVENT "inet_sock_set_state"
#define TRACE_PREFIX "tcptop-"
/* Per CPU, in kernel memory.  One connection makes some ten state
 * changes of about 80 bytes, so 10,000 connects a second fill some 4 MB
 * a second across the CPUs: 4 MB per CPU holds well over a refresh of a
 * large table (when nothing drains it) at that rate on a small host.
 * The whole is capped at TRACE_BUFFER_TOTAL_KB for hosts with hundreds
 * of CPUs, and never below TRACE_BUFFER_MIN_KB a CPU. */
#define TRACE_BUFFER_MAX_KB 4096
#define TRACE_BUFFER_MIN_KB 256
#define TRACE_BUFFER_TOTAL_KB 65536
/* The reader drains the buffers at most this often.  Woken by every
 * event, it queued a 4 KB page for each 80-byte event and switched
 * context as often: 60 MB of pages at 2,000 connects a second.  The
 * kernel's buffers hold some 50,000 events a CPU, so waiting this long
 * loses nothing; it only fills the pages. */
#define TRACE_BATCH_MS 20
/* Pages kept for the reader to reuse once trace_read is done with them
 * (1 MB): no malloc in the reader at a steady rate. */
#define TRACE_POOL_MAX 256
/* The queue holds at most this many times the kernel's buffers.  Past
 * that (a refresh that never ends) the reader waits: the kernel's
 * buffers fill and count what they drop, and trace_lost says so, where
 * the queue would have grown without end. */
#define TRACE_QUEUE_BUFFERS 2

/* One sub-buffer as read from a CPU's trace_pipe_raw, queued for
 * trace_read. */
struct trace_page {
	struct trace_page *next;
	char data[];			/* pagesize bytes */
};

struct trace {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	struct kbuffer *kbuf;
	int id;				/* the event's type id */
	/* The fields, by name; NULL when this kernel has no such field. */
	struct tep_format_field *skaddr, *oldstate, *newstate, *sport, *dport;
	struct tep_format_field *family, *protocol, *saddr, *daddr;
	struct tep_format_field *saddr_v6, *daddr_v6;
	int check_protocol;		/* the kernel filter did not take */
	int *fds;			/* per CPU trace_pipe_raw */
	int *stats;			/* per CPU stats, or -1 */
	size_t nfds;
	char *page;
	size_t pagesize;
	unsigned long missed;		/* events sub-buffers said were
					 * missed */
	unsigned long dropped;		/* the stats files' overruns and
					 * drops, summed */
	unsigned buffer_kb;		/* per CPU, as the kernel set it */

	/* The reader thread: it drains the kernel's buffers into a queue
	 * of pages the moment they hold anything, so the kernel's buffers
	 * only have to hold what arrives while it is descheduled, not what
	 * arrives during a long refresh. */
	pthread_t reader;
	int reader_on;
	int stop[2];			/* a pipe: closing [1] stops it */
	struct pollfd *pfd;		/* nfds buffers, then stop[0] */
	pthread_mutex_t mu;		/* guards the rest */
	pthread_cond_t room;		/* queued fell below queue_max, or
					 * stopping */
	struct trace_page *head, **tail;
	size_t queued, queue_max;	/* pages in head..tail, and the
					 * most it may hold */
	struct trace_page *pool;	/* pages to reuse */
	size_t npool;
	int stopping;
	int reader_err;			/* errno of a failed read, or 0 */
};

/* The one instance open, destroyed at exit if the program ends without
 * trace_close (fatal, an exit from deep down). */
static struct trace *trace_live;

static void
trace_atexit(void)
{
	trace_close(trace_live);
}

/* Instances of tcptops whose process is gone: collected while walking,
 * removed after. */
struct trace_stale {
	char **names;
	size_t n;
};

static int
trace_find_stale(const char *name, void *arg)
{
	struct trace_stale *st = arg;
	const char *p = name + strlen(TRACE_PREFIX);
	char *end;
	long pid;

	if (strncmp(name, TRACE_PREFIX, strlen(TRACE_PREFIX)) != 0 ||
	    !isdigit((unsigned char)*p))
		return 0;
	pid = strtol(p, &end, 10);
	if (*end != '\0' || pid <= 0 || pid == (long)getpid())
		return 0;
	/* Alive, or not ours to judge (EPERM): leave it.  A tcptop in
	 * another pid namespace can look dead from here: best effort. */
	if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	st->names = xreallocarray(st->names, st->n + 1, sizeof *st->names);
	st->names[st->n++] = strdup(name);
	return 0;
}

static void
trace_remove_stale(void)
{
	struct trace_stale st = { NULL, 0 };
	size_t i;

	tracefs_instances_walk(trace_find_stale, &st);
	for (i = 0; i < st.n; i++) {
		struct tracefs_instance *in;

		if (st.names[i] == NULL)
			continue;
		in = tracefs_instance_alloc(NULL, st.names[i]);
		if (in != NULL) {
			tracefs_event_disable(in, NULL, NULL);
			tracefs_instance_destroy(in);
			tracefs_instance_free(in);
		}
		free(st.names[i]);
	}
	free(st.names);
}

/* Give up: why gets the message, and t goes.  Returns NULL. */
static struct trace *trace_fail(struct trace *t, char *why, size_t len,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct trace *
trace_fail(struct trace *t, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	trace_close(t);
	return NULL;
}

/* Find the event's fields by name.  Returns 0, or -1 with why.
 *
 * Only the one event's format is parsed.  tracefs_local_events_system()
 * would also load /proc/kallsyms and the printk formats, which the raw
 * fields read here never use: megabytes read and parsed at every start
 * (and, grown by realloc a page at a time, seconds under ASan). */
static int
trace_fields(struct trace *t, char *why, size_t len)
{
	struct tep_event *ev;
	char *fmt;
	int size = 0, rc;

	fmt = tracefs_event_file_read(NULL, TRACE_SYSTEM, TRACE_EVENT,
	    "format", &size);
	if (fmt == NULL || size <= 0) {
		free(fmt);
		snprintf(why, len, "no %s:%s tracepoint (Linux 4.16 or later)",
		    TRACE_SYSTEM, TRACE_EVENT);
		return -1;
	}
	t->tep = tep_alloc();
	if (t->tep != NULL) {
		tep_set_file_bigendian(t->tep, tep_is_bigendian() ?
		    TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
		tep_set_local_bigendian(t->tep, tep_is_bigendian() ?
		    TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
		tep_set_long_size(t->tep, (int)sizeof(long));
		tep_set_page_size(t->tep, (int)sysconf(_SC_PAGESIZE));
	}
	rc = t->tep == NULL ? -1 :
	    (int)tep_parse_event(t->tep, fmt, (unsigned long)size, TRACE_SYSTEM);
	free(fmt);
	ev = rc == 0 ? tep_find_event_by_name(t->tep, TRACE_SYSTEM,
	    TRACE_EVENT) : NULL;
	if (ev == NULL) {
		snprintf(why, len, "tracefs: cannot parse the format of %s:%s",
		    TRACE_SYSTEM, TRACE_EVENT);
		return -1;
	}
	t->id = ev->id;
	t->skaddr = tep_find_field(ev, "skaddr");
	t->oldstate = tep_find_field(ev, "oldstate");
	t->newstate = tep_find_field(ev, "newstate");
	t->sport = tep_find_field(ev, "sport");
	t->dport = tep_find_field(ev, "dport");
	t->family = tep_find_field(ev, "family");
	t->protocol = tep_find_field(ev, "protocol");
	t->saddr = tep_find_field(ev, "saddr");
	t->daddr = tep_find_field(ev, "daddr");
	t->saddr_v6 = tep_find_field(ev, "saddr_v6");
	t->daddr_v6 = tep_find_field(ev, "daddr_v6");
	if (t->skaddr == NULL || t->oldstate == NULL || t->newstate == NULL ||
	    t->sport == NULL || t->dport == NULL ||
	    ((t->saddr == NULL || t->daddr == NULL) &&
	    (t->saddr_v6 == NULL || t->daddr_v6 == NULL))) {
		snprintf(why, len, "%s:%s lacks a field tcptop needs",
		    TRACE_SYSTEM, TRACE_EVENT);
		return -1;
	}
	return 0;
}

/* The stats file of one CPU's buffer, where the kernel counts what it
 * lost: -1 when it cannot be opened (lost events are then known only
 * from the sub-buffers' missed-events flags). */
static int
trace_open_stats(struct trace *t, long cpu)
{
	char file[64], *path;
	int fd;

	snprintf(file, sizeof file, "per_cpu/cpu%ld/stats", cpu);
	path = tracefs_instance_get_file(t->inst, file);
	if (path == NULL)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	tracefs_put_tracing_file(path);
	return fd;
}

/* The number after key in a stats file's text, 0 when absent. */
static unsigned long
trace_stat(const char *text, const char *key)
{
	const char *p = text;
	size_t len = strlen(key);

	for (;;) {
		if (strncmp(p, key, len) == 0)
			return strtoul(p + len, NULL, 10);
		if ((p = strchr(p, '\n')) == NULL)
			return 0;
		p++;
	}
}

/* Sum what every CPU's buffer lost: overwritten unread ("overrun", the
 * default overwrite mode), not written for want of room ("dropped
 * events") or lost to nested writes ("commit overrun"). */
static void
trace_read_stats(struct trace *t)
{
	unsigned long sum = 0;
	size_t i;
	int have = 0;

	for (i = 0; i < t->nfds; i++) {
		char buf[1024];
		ssize_t n;

		if (t->stats[i] == -1)
			continue;
		n = pread(t->stats[i], buf, sizeof buf - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		sum += trace_stat(buf, "overrun:") +
		    trace_stat(buf, "commit overrun:") +
		    trace_stat(buf, "dropped events:");
		have = 1;
	}
	if (have)
		t->dropped = sum;
}

/* Per-CPU buffer size in KB: kb, or when 0 a share of the total. */
static unsigned
trace_buffer_want(unsigned kb)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (kb > 0)
		return kb;
	if (ncpu < 1)
		ncpu = 1;
	kb = (unsigned)(TRACE_BUFFER_TOTAL_KB / ncpu);
	if (kb > TRACE_BUFFER_MAX_KB)
		kb = TRACE_BUFFER_MAX_KB;
	return kb < TRACE_BUFFER_MIN_KB ? TRACE_BUFFER_MIN_KB : kb;
}

/* Size the buffers, and read back what the kernel made of it (it
 * rounds to pages, and may refuse). */
static void
trace_size(struct trace *t, unsigned kb)
{
	char *s;

	kb = trace_buffer_want(kb);
	if (tracefs_instance_set_buffer_size(t->inst, kb, -1) < 0)
		log_debug("tracefs: cannot size the buffers to %u KB: %s",
		    kb, strerror(errno));
	s = tracefs_instance_file_read(t->inst, "buffer_size_kb", NULL);
	t->buffer_kb = s != NULL ? (unsigned)strtoul(s, NULL, 10) : 0;
	free(s);
	log_debug("tracefs: %u KB per CPU (asked %u)", t->buffer_kb, kb);
}

/* Open the per-CPU buffers. */
static int
trace_open_cpus(struct trace *t)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF), cpu;
	char *s;

	if (ncpu < 1)
		ncpu = 1;
	t->fds = xcalloc((size_t)ncpu, sizeof *t->fds);
	t->stats = xcalloc((size_t)ncpu, sizeof *t->stats);
	for (cpu = 0; cpu < ncpu; cpu++) {
		char file[64];
		char *path;
		int fd;

		snprintf(file, sizeof file, "per_cpu/cpu%ld/trace_pipe_raw",
		    cpu);
		path = tracefs_instance_get_file(t->inst, file);
		if (path == NULL)
			return -1;
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		tracefs_put_tracing_file(path);
		if (fd == -1) {
			if (errno == ENOENT)
				continue;	/* not a possible CPU */
			return -1;
		}
		t->stats[t->nfds] = trace_open_stats(t, cpu);
		t->fds[t->nfds++] = fd;
	}
	/* A read takes a whole sub-buffer: a page, or what newer kernels
	 * were told in buffer_subbuf_size_kb. */
	t->pagesize = (size_t)getpagesize();
	s = tracefs_instance_file_read(t->inst, "buffer_subbuf_size_kb", NULL);
	if (s != NULL) {
		long kb = strtol(s, NULL, 10);

		if (kb > 0 && (size_t)kb * 1024 > t->pagesize)
			t->pagesize = (size_t)kb * 1024;
		free(s);
	}
	t->page = xmalloc(t->pagesize);
	return t->nfds > 0 ? 0 : -1;
}

/* Why tracefs refused with errno err, in words: the errno's meaning for
 * tracefs, not a guess that it is always privilege. */
static const struct {
	int err;
	const char *what;
} trace_errors[] = {
	{ EROFS, "EROFS: tracefs is mounted read-only" },
	{ EACCES, "EACCES: permission denied (the tracepoint needs root "
	    "or CAP_DAC_OVERRIDE)" },
	{ EPERM, "EPERM: not permitted (the tracepoint needs root or "
	    "CAP_SYS_ADMIN)" },
	{ ENOENT, "ENOENT: no tracefs instances, or no such event" },
	{ ENODEV, "ENODEV: tracefs is not available in this kernel" },
};

static void
trace_errno_why(char *why, size_t whylen, const char *doing, int err)
{
	size_t i;

	for (i = 0; i < sizeof trace_errors / sizeof trace_errors[0]; i++)
		if (trace_errors[i].err == err) {
			snprintf(why, whylen, "tracefs: %s%s", doing,
			    trace_errors[i].what);
			return;
		}
	snprintf(why, whylen, "tracefs: %s%s", doing, strerror(err));
}

/* A page to read into, once the queue has room: from the pool, or
 * new.  NULL when the reader is stopping. */
static struct trace_page *
trace_page_get(struct trace *t)
{
	struct trace_page *pg;

	pthread_mutex_lock(&t->mu);
	while (t->queued >= t->queue_max && !t->stopping)
		pthread_cond_wait(&t->room, &t->mu);
	pg = t->stopping ? NULL : t->pool;
	if (pg != NULL) {
		t->pool = pg->next;
		t->npool--;
	}
	pthread_mutex_unlock(&t->mu);
	if (pg == NULL && !t->stopping)
		pg = xmalloc(sizeof *pg + t->pagesize);
	return pg;
}

/* Give the pages of list back: to the pool up to TRACE_POOL_MAX, the
 * rest to the C library.  Either thread. */
static void
trace_page_put(struct trace *t, struct trace_page *list)
{
	struct trace_page *next;

	pthread_mutex_lock(&t->mu);
	for (; list != NULL && t->npool < TRACE_POOL_MAX; list = next) {
		next = list->next;
		list->next = t->pool;
		t->pool = list;
		t->npool++;
	}
	pthread_mutex_unlock(&t->mu);
	for (; list != NULL; list = next) {
		next = list->next;
		free(list);
	}
}

/* Read CPU buffer i until it is empty, each sub-buffer into a page
 * queued for trace_read.  Returns 0, or an errno. */
static int
trace_reader_drain(struct trace *t, size_t i)
{
	for (;;) {
		struct trace_page *pg = trace_page_get(t);
		ssize_t n;

		if (pg == NULL)
			return 0;
		pg->next = NULL;
		n = read(t->fds[i], pg->data, t->pagesize);
		if (n <= 0) {
			int e = n < 0 ? errno : 0;

			trace_page_put(t, pg);
			if (e == EINTR)
				continue;
			return e == EAGAIN ? 0 : e;
		}
		pthread_mutex_lock(&t->mu);
		*t->tail = pg;
		t->tail = &pg->next;
		t->queued++;
		pthread_mutex_unlock(&t->mu);
	}
}

/* The reader thread: wait until a buffer holds anything (buffer_percent
 * 0), drain it, let TRACE_BATCH_MS of events gather, until the stop
 * pipe closes. */
static void *
trace_reader(void *arg)
{
	struct trace *t = arg;
	size_t i;
	int e = 0;

	while (e == 0) {
		if (poll(t->pfd, t->nfds + 1, -1) == -1) {
			if (errno != EINTR)
				e = errno;
			continue;
		}
		if (t->pfd[t->nfds].revents != 0)
			break;
		for (i = 0; i < t->nfds && e == 0; i++)
			if (t->pfd[i].revents & (POLLERR | POLLNVAL))
				e = EIO;
			else if (t->pfd[i].revents != 0)
				e = trace_reader_drain(t, i);
		if (e == 0 && poll(&t->pfd[t->nfds], 1, TRACE_BATCH_MS) > 0)
			break;
	}
	if (e != 0) {
		pthread_mutex_lock(&t->mu);
		t->reader_err = e;
		pthread_mutex_unlock(&t->mu);
	}
	return NULL;
}

/* Start the reader, with every signal blocked in it: they stay the main
 * thread's, whose poll they interrupt.  Returns 0, or -1 with errno. */
static int
trace_reader_start(struct trace *t)
{
	sigset_t all, old;
	size_t i;
	int e;

	if (pipe2(t->stop, O_CLOEXEC) == -1)
		return -1;
	t->pfd = xcalloc(t->nfds + 1, sizeof *t->pfd);
	for (i = 0; i < t->nfds; i++) {
		t->pfd[i].fd = t->fds[i];
		t->pfd[i].events = POLLIN;
	}
	t->pfd[t->nfds].fd = t->stop[0];
	t->pfd[t->nfds].events = POLLIN;
	t->queue_max = TRACE_QUEUE_BUFFERS * t->nfds * t->buffer_kb * 1024 /
	    t->pagesize;
	if (t->queue_max < TRACE_POOL_MAX)
		t->queue_max = TRACE_POOL_MAX;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t->reader, NULL, trace_reader, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		return -1;
	}
	t->reader_on = 1;
	return 0;
}

/* Stop the reader and free what it queued. */
static void
trace_reader_stop(struct trace *t)
{
	struct trace_page *pg, *next;

	if (t->reader_on) {
		pthread_mutex_lock(&t->mu);
		t->stopping = 1;
		pthread_cond_broadcast(&t->room);
		pthread_mutex_unlock(&t->mu);
		close(t->stop[1]);
		t->stop[1] = -1;
		pthread_join(t->reader, NULL);
		t->reader_on = 0;
	}
	if (t->stop[0] != -1)
		close(t->stop[0]);
	if (t->stop[1] != -1)
		close(t->stop[1]);
	t->stop[0] = t->stop[1] = -1;
	for (pg = t->head; pg != NULL; pg = next) {
		next = pg->next;
		free(pg);
	}
	for (pg = t->pool; pg != NULL; pg = next) {
		next = pg->next;
		free(pg);
	}
	t->head = t->pool = NULL;
	t->tail = &t->head;
	t->queued = t->npool = 0;
	free(t->pfd);
	t->pfd = NULL;
}

struct trace *
trace_open(unsigned buffer_kb, char *why, size_t whylen)
{
	struct trace *t;
	const char *dir;
	char name[32], path[4096];

	dir = tracefs_tracing_dir();
	if (dir == NULL) {
		snprintf(why, whylen, "no tracefs (not mounted, and it could "
		    "not be)");
		return NULL;
	}
	snprintf(path, sizeof path, "%s/instances", dir);
	/* As the kernel will check the mkdir: the effective ids and
	 * capabilities (a service given CAP_DAC_OVERRIDE), not the real
	 * ones access() uses. */
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == -1) {
		trace_errno_why(why, whylen, "", errno);
		return NULL;
	}
	trace_remove_stale();
	t = xcalloc(1, sizeof *t);
	t->stop[0] = t->stop[1] = -1;
	t->tail = &t->head;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->room, NULL);
	snprintf(name, sizeof name, TRACE_PREFIX "%ld", (long)getpid());
	t->inst = tracefs_instance_create(name);
	if (t->inst == NULL) {
		trace_errno_why(why, whylen, "cannot create the instance: ",
		    errno);
		trace_close(t);
		return NULL;
	}
	if (trace_live == NULL) {
		static int registered;

		if (!registered && atexit(trace_atexit) == 0)
			registered = 1;
	}
	trace_live = t;
	/* Times in CLOCK_MONOTONIC, the clock of the dumps. */
	if (tracefs_instance_file_write(t->inst, "trace_clock", "mono") < 0)
		return trace_fail(t, why, whylen, "tracefs: cannot set the "
		    "clock to %s", "mono");
	trace_size(t, buffer_kb);
	/* Wake the reader as soon as a buffer holds anything. */
	tracefs_instance_file_write(t->inst, "buffer_percent", "0");
	if (trace_fields(t, why, whylen) == -1) {
		trace_close(t);
		return NULL;
	}
	/* Other protocols share the event (SCTP, MPTCP): the kernel drops
	 * them where it can, and the reader checks again where it cannot. */
	if (t->protocol == NULL || tracefs_event_file_write(t->inst,
	    TRACE_SYSTEM, TRACE_EVENT, "filter", "protocol == 6") < 0)
		t->check_protocol = 1;
	t->kbuf = kbuffer_alloc(KBUFFER_LSIZE_SAME_AS_HOST,
	    KBUFFER_ENDIAN_SAME_AS_HOST);
	if (t->kbuf == NULL || trace_open_cpus(t) == -1)
		return trace_fail(t, why, whylen, "tracefs: cannot open the "
		    "buffers: %s", strerror(errno));
	if (trace_reader_start(t) == -1)
		return trace_fail(t, why, whylen, "tracefs: cannot start the "
		    "reader: %s", strerror(errno));
	if (tracefs_event_enable(t->inst, TRACE_SYSTEM, TRACE_EVENT) < 0)
		return trace_fail(t, why, whylen, "tracefs: cannot enable "
		    "%s", TRACE_SYSTEM ":" TRACE_EVENT);
	return t;
}

void
trace_close(struct trace *t)
{
	size_t i;

	if (t == NULL)
		return;
	if (t == trace_live)
		trace_live = NULL;
	/* Before the descriptors it polls close. */
	trace_reader_stop(t);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->room);
	for (i = 0; i < t->nfds; i++) {
		close(t->fds[i]);
		if (t->stats[i] != -1)
			close(t->stats[i]);
	}
	free(t->fds);
	free(t->stats);
	if (t->inst != NULL) {
		tracefs_event_disable(t->inst, NULL, NULL);
		tracefs_instance_destroy(t->inst);
		tracefs_instance_free(t->inst);
	}
	if (t->kbuf != NULL)
		kbuffer_free(t->kbuf);
	if (t->tep != NULL)
		tep_free(t->tep);
	free(t->page);
	free(t);
}

size_t
trace_pollfds(const struct trace *t, struct pollfd *pfd, size_t max)
{
	/* The reader thread polls the buffers: nothing for the caller. */
	(void)t;
	(void)pfd;
	(void)max;
	return 0;
}

unsigned long
trace_lost(const struct trace *t)
{
	/* The stats count every lost event; a sub-buffer's flag only says
	 * some were, or how many when the kernel had room to store it. */
	return t->dropped > t->missed ? t->dropped : t->missed;
}

unsigned
trace_buffer_kb(const struct trace *t)
{
	return t->buffer_kb;
}

/* A number field of the record, 0 when the field is absent or does not
 * fit in size bytes. */
static unsigned long long
trace_num(struct tep_format_field *f, const void *data, int size)
{
	unsigned long long v;

	if (f == NULL || f->offset < 0 || f->offset + f->size > size ||
	    tep_read_number_field(f, data, &v) != 0)
		return 0;
	return v;
}

/* Copy an address field of n bytes; 0 when it fits, else -1. */
static int
trace_addr(struct tep_format_field *f, const void *data, int size,
    uint8_t *out, int n)
{
	if (f == NULL || f->offset < 0 || f->size != n ||
	    f->offset + f->size > size)
		return -1;
	memcpy(out, (const char *)data + f->offset, (size_t)n);
	return 0;
}

static int
trace_v4mapped(const uint8_t *a)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return memcmp(a, pfx, sizeof pfx) == 0;
}

/* Turn one record into a trans_event; 0 when it is a TCP state change. */
static int
trace_parse(struct trace *t, void *data, int size, unsigned long long ts,
    int64_t rt_off, struct trans_event *e, uint64_t *skaddr)
{
	struct tep_record rec;
	unsigned long long from, to, fam;
	uint8_t s6[16], d6[16];
	int have6;

	memset(&rec, 0, sizeof rec);
	rec.data = data;
	rec.size = size;
	rec.ts = ts;
	if (tep_data_type(t->tep, &rec) != t->id)
		return -1;
	if (t->check_protocol && t->protocol != NULL &&
	    trace_num(t->protocol, data, size) != IPPROTO_TCP)
		return -1;
	from = trace_num(t->oldstate, data, size);
	to = trace_num(t->newstate, data, size);
	if (from < TCP_ESTABLISHED || from > TCP_CLOSING ||
	    to < TCP_ESTABLISHED || to > TCP_CLOSING)
		return -1;
	memset(e, 0, sizeof *e);
	e->t_ms = (int64_t)(ts / 1000000);
	e->realtime_ns = (int64_t)ts + rt_off;
	e->from = (uint8_t)from;
	e->to = (uint8_t)to;
	e->source = TRANS_SRC_TRACE;
	e->lport = (uint16_t)trace_num(t->sport, data, size);
	e->rport = (uint16_t)trace_num(t->dport, data, size);
	*skaddr = trace_num(t->skaddr, data, size);
	have6 = trace_addr(t->saddr_v6, data, size, s6, 16) == 0 &&
	    trace_addr(t->daddr_v6, data, size, d6, 16) == 0;
	if (t->family != NULL)
		fam = trace_num(t->family, data, size);
	else	/* before 4.16's family field: guess from the address */
		fam = have6 && !trace_v4mapped(s6) ? AF_INET6 : AF_INET;
	if (fam == AF_INET6 && have6) {
		memcpy(e->local, s6, 16);
		memcpy(e->remote, d6, 16);
	} else if (fam == AF_INET) {
		if (trace_addr(t->saddr, data, size, e->local, 4) == -1 ||
		    trace_addr(t->daddr, data, size, e->remote, 4) == -1) {
			if (!have6)
				return -1;
			memcpy(e->local, s6 + 12, 4);
			memcpy(e->remote, d6 + 12, 4);
		}
	} else
		return -1;
	e->family = (uint8_t)fam;
	return 0;
}

/* Hand the events of one sub-buffer to cb; returns how many. */
static long
trace_page_read(struct trace *t, void *page, int64_t rt_off, trace_cb *cb,
    void *arg)
{
	unsigned long long ts;
	void *data;
	long count = 0;
	int missed;

	if (kbuffer_load_subbuffer(t->kbuf, page) < 0)
		return 0;
	missed = kbuffer_missed_events(t->kbuf);
	if (missed != 0)
		t->missed += missed > 0 ? (unsigned long)missed : 1;
	for (data = kbuffer_read_event(t->kbuf, &ts); data != NULL;
	    data = kbuffer_next_event(t->kbuf, &ts)) {
		struct trans_event e;
		uint64_t sk;

		if (trace_parse(t, data, kbuffer_event_size(t->kbuf), ts,
		    rt_off, &e, &sk) == 0) {
			cb(arg, &e, sk);
			count++;
		}
	}
	return count;
}

long
trace_read(struct trace *t, trace_cb *cb, void *arg)
{
	struct timespec rt, mono;
	struct trace_page *pg, *list;
	int64_t rt_off;
	long count = 0;
	int e;

	/* The events carry CLOCK_MONOTONIC; JSON wants the wall clock. */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	rt_off = ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000 +
	    (rt.tv_nsec - mono.tv_nsec);
	pthread_mutex_lock(&t->mu);
	list = t->head;
	t->head = NULL;
	t->tail = &t->head;
	t->queued = 0;
	pthread_cond_signal(&t->room);
	e = t->reader_err;
	pthread_mutex_unlock(&t->mu);
	for (pg = list; pg != NULL; pg = pg->next)
		count += trace_page_read(t, pg->data, rt_off, cb, arg);
	trace_page_put(t, list);
	trace_read_stats(t);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return count;
}

#else /* !HAVE_TRACEFS */

struct trace {
	int unused;
};

struct trace *
trace_open(unsigned buffer_kb, char *why, size_t whylen)
{
	snprintf(why, whylen, "built without libtracefs");
	errno = ENOTSUP;
	return NULL;
}

void
trace_close(struct trace *t)
{
	(void)t;
}

size_t
trace_pollfds(const struct trace *t, struct pollfd *pfd, size_t max)
{
	(void)t;
	(void)pfd;
	(void)max;
	return 0;
}

long
trace_read(struct trace *t, trace_cb *cb, void *arg)
{
	(void)t;
	(void)cb;
	(void)arg;
	return 0;
}

unsigned long
trace_lost(const struct trace *t)
{
	(void)t;
	return 0;
}

unsigned
trace_buffer_kb(const struct trace *t)
{
	(void)t;
	return 0;
}

#endif
