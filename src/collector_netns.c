/* The namespaces a live run looks at: the viewed one (-N), or every one
 * on the machine (--all-netns) with a sock_diag socket each, their dumps
 * merged into one scan of the model. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tcptop/clock.h"
#include "tcptop/log.h"
#include "tcptop/netns.h"
#include "tcptop/resolve.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

#include "collector_int.h"

/* How often --all-netns looks for new and vanished namespaces.  A scan
 * stats /proc/PID/ns/net of every process: 0.6 ms for 90 processes and
 * 6 ms for 1100 here.  At most once a second, so a fast refresh does
 * not pay it each time, and no more than 1% of the time on a machine
 * with very many processes. */
#define COLLECTOR_NETNS_RESCAN_MS	1000
#define COLLECTOR_NETNS_RESCAN_SHARE	100	/* interval >= this * scan
						 * time */

/* Passes of the merged dump redone when one namespace's dump restarted,
 * before the scan is taken as inconsistent. */
#define COLLECTOR_NETNS_TRIES 3

/* The -N value as a label: the name, "pid:N", or the path (its name
 * when it is under /run/netns). */
static void
collector_netns_label(const char *spec, char *buf, size_t len)
{
	const char *base = strrchr(spec, '/');

	switch (netns_classify(spec)) {
	case NETNS_PID:
		snprintf(buf, len, "pid:%s", spec);
		break;
	case NETNS_PATH:
		if (strncmp(spec, NETNS_RUN_DIR "/", sizeof NETNS_RUN_DIR) ==
		    0 && base[1] != '\0')
			spec = base + 1;
		/* FALLTHROUGH */
	default:
		snprintf(buf, len, "%s", spec);
		break;
	}
}

static int
collector_netns_open_diag(void *arg)
{
	struct diag **d = arg;

	*d = diag_open();
	return *d != NULL ? 0 : -1;
}

/* A diag socket for every namespace found, none for the gone ones.
 * Returns 0, or -1 with errno of the first namespace that could not be
 * entered when none could (EPERM: no privilege). */
static int
collector_netns_sync(struct collector *a)
{
	const struct netns_ent *e;
	size_t i, n;
	int opened = 0, failed = 0, first = 0;

	e = netns_tab_ents(a->nstab, &n);
	if (n > a->nnsd) {
		a->nsd = xreallocarray(a->nsd, n, sizeof *a->nsd);
		memset(a->nsd + a->nnsd, 0, (n - a->nnsd) * sizeof *a->nsd);
		a->nnsd = n;
	}
	for (i = 1; i < n; i++) {
		if (!e[i].alive || e[i].fd == -1) {
			if (a->nsd[i] != NULL)
				log_debug("netns %s: gone", e[i].label);
			diag_close(a->nsd[i]);
			a->nsd[i] = NULL;
			continue;
		}
		if (a->nsd[i] != NULL)
			continue;
		if (netns_run(e[i].fd, collector_netns_open_diag, &a->nsd[i]) ==
		    -1) {
			if (!failed++)
				first = errno;
			log_debug("netns %s: %s", e[i].label, strerror(errno));
			continue;
		}
		opened++;
		log_debug("netns %s: watched", e[i].label);
	}
	if (failed > 0 && opened == 0 && first == EPERM) {
		errno = first;
		return -1;
	}
	return 0;
}

/* Open the viewed namespace and the live source inside it.  Returns 0,
 * or the exit status after printing why. */
int
collector_netns_open(struct collector *a, const struct options *o)
{
	char err[256], label[48];
	int usage;

	a->nsfd = -1;
	if (o->netns == NULL && !o->all_netns)
		return 0;
	if (netns_init() == -1) {
		fprintf(stderr, "tcptop: /proc/self/ns/net: %s\n",
		    strerror(errno));
		return 1;
	}
	if (o->all_netns) {
		struct rlimit rl;

		/* Two descriptors a namespace (its file and its diag
		 * socket): a host with a thousand containers would pass
		 * the usual soft limit of 1024. */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		a->nstab = netns_tab_new(-1, NULL);
		if (netns_tab_scan(a->nstab) == -1 ||
		    collector_netns_sync(a) == -1) {
			fprintf(stderr, "tcptop: --all-netns: %s%s\n",
			    errno == EPERM ? "entering another network "
			    "namespace needs CAP_SYS_ADMIN: " : "",
			    strerror(errno));
			return 1;
		}
		a->nsscan_ms = clock_ns(CLOCK_MONOTONIC) / 1000000;
		return 0;
	}
	if ((a->nsfd = netns_open(o->netns, &usage, err, sizeof err)) ==
	    -1) {
		/* The reason quotes -N's value: one clean line. */
		text_clean(err, sizeof err, err, sizeof err, 0);
		fprintf(stderr, "tcptop: %s\n", err);
		return usage ? 2 : 1;
	}
	if (netns_enter(a->nsfd) == -1) {
		char shown[TEXT_ARG_SIZE];

		text_arg(shown, sizeof shown, o->netns);
		fprintf(stderr, "tcptop: -N %s: %s%s\n", shown,
		    errno == EPERM ? "entering a network namespace needs "
		    "CAP_SYS_ADMIN: " : "", strerror(errno));
		close(a->nsfd);
		a->nsfd = -1;
		return 1;
	}
	collector_netns_label(o->netns, label, sizeof label);
	a->nstab = netns_tab_new(a->nsfd, label);
	return 0;
}

/* After the sockets of -N are open inside: back home, with the names a
 * filter reads (devices, the ephemeral range) still read there. */
void
collector_netns_opened(struct collector *a)
{
	if (a->nsfd != -1) {
		netns_leave();
		resolve_netns(a->nsfd);
	}
}

void
collector_netns_close(struct collector *a)
{
	size_t i;

	for (i = 1; i < a->nnsd; i++)
		diag_close(a->nsd[i]);
	free(a->nsd);
	netns_tab_free(a->nstab);
	if (a->nsfd != -1) {
		resolve_netns(-1);
		close(a->nsfd);
	}
}

struct diag *
collector_netns_diag(struct collector *a, uint16_t idx)
{
	if (idx == 0 || idx >= a->nnsd)
		return a->d;
	return a->nsd[idx];
}

/* Each namespace's dump through this sink: the rows get its index, and
 * only the pass's first begin (or a restart) reaches the model. */
struct collector_netns_feed {
	struct conntab_feed *feed;
	uint16_t idx;
	int fresh;		/* the pass has not begun the scan yet */
	int begins;		/* begin() calls in this namespace's dump */
	int restarted;		/* a dump restarted: the pass is spoiled */
};

static void
collector_netns_begin(void *arg)
{
	struct collector_netns_feed *f = arg;

	if (++f->begins > 1)
		f->restarted = 1;
	if (f->fresh || f->begins > 1)
		conntab_feed_begin(f->feed);
	f->fresh = 0;
}

static void
collector_netns_sample(void *arg, const struct conn_sample *s)
{
	struct collector_netns_feed *f = arg;
	struct conn_sample c = *s;

	c.netns = f->idx;
	conntab_feed_sample(f->feed, &c);
}

/* One dump of every namespace into the scan.  Returns what diag_dump
 * returns for our own namespace; another's failure is logged (it may
 * have gone meanwhile) and its rows stay out of this scan. */
static int
collector_netns_dump_all(struct collector *a, const struct diag_query *q,
    struct diag_stats *sum)
{
	struct collector_netns_feed f = { &a->feed, 0, 0, 0, 0 };
	struct diag_sink sink = { collector_netns_begin,
	    collector_netns_sample, &f };
	int tries;
	size_t i;

	for (tries = 0; tries < COLLECTOR_NETNS_TRIES; tries++) {
		memset(sum, 0, sizeof *sum);
		f.fresh = 1;
		f.restarted = 0;
		for (i = 0; i < a->nnsd; i++) {
			struct diag *d = collector_netns_diag(a, (uint16_t)i);
			const struct diag_stats *st;

			if (i > 0 && a->nsd[i] == NULL)
				continue;
			f.idx = (uint16_t)i;
			f.begins = 0;
			if (diag_dump(d, q, &sink) == -1) {
				if (i == 0)
					return -1;
				log_debug("netns %s: %s", netns_tab_label(
				    a->nstab, i), diag_last_error(d));
				continue;
			}
			st = diag_last_stats(d);
			sum->messages += st->messages;
			sum->restarts += st->restarts;
			sum->inconsistent |= st->inconsistent;
			sum->record_errno = st->record_errno;
			if (i == 0) {
				sum->realtime_ns = st->realtime_ns;
				sum->mono_ns = st->mono_ns;
			}
		}
		if (!f.restarted)
			return 0;
	}
	sum->inconsistent = 1;
	return 0;
}

int
collector_netns_dump(struct collector *a, const struct diag_query *q,
    const struct diag_sink *sink, struct diag_stats *st)
{
	int64_t now_ms;

	if (a->nstab == NULL || a->nsfd != -1) {
		int rc = diag_dump(a->d, q, sink);

		*st = *diag_last_stats(a->d);
		return rc;
	}
	now_ms = clock_ns(CLOCK_MONOTONIC) / 1000000;
	if (now_ms - a->nsscan_ms >= COLLECTOR_NETNS_RESCAN_MS &&
	    now_ms - a->nsscan_ms >= COLLECTOR_NETNS_RESCAN_SHARE *
	    a->nsscan_cost_ns / 1000000) {
		int64_t t0 = clock_ns(CLOCK_MONOTONIC);
		int changed = netns_tab_scan(a->nstab);

		if (changed > 0)
			collector_netns_sync(a);
		a->nsscan_cost_ns = clock_ns(CLOCK_MONOTONIC) - t0;
		log_debug("netns scan: %d changed, %.2f ms", changed,
		    (double)a->nsscan_cost_ns / 1e6);
		a->nsscan_ms = now_ms;
	}
	a->feed.mono_ns = &diag_last_stats(a->d)->mono_ns;
	return collector_netns_dump_all(a, q, st);
}
