/* --kill: one dump with the filter, then each matching socket destroyed
 * once, and the outcome printed. */
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>

#include "tcptop/diag.h"
#include "tcptop/kill.h"
#include "tcptop/log.h"

#include "app_int.h"

/* Destroy item it once, recording the result.  Returns 1 when it went. */
static int
app_kill_one(struct app_src *a, struct kill_item *it)
{
	/* Through the socket of the row's own namespace (--all-netns). */
	it->err = diag_destroy(app_netns_diag(a, it->s.netns), &it->s) == 0 ?
	    0 : errno;
	log_debug("destroy cookie %llu: %s", (unsigned long long)it->s.cookie,
	    kill_result(it));
	return it->err == 0;
}

/* Destroy every pending item of k; results go into the items.  The
 * kernel finds a listener by its address, and among SO_REUSEPORT
 * listeners sharing one it always picks the same: the others look gone
 * (their cookie does not match) until that one went.  So listeners not
 * found are tried again as long as others go. */
void
app_kill_list(struct app_src *a, struct kill_list *k)
{
	size_t i;
	int progress = 0;

	for (i = 0; i < k->n; i++)
		if (k->items[i].err == KILL_PENDING)
			progress |= app_kill_one(a, &k->items[i]);
	while (progress && k->listeners > 0) {
		progress = 0;
		for (i = 0; i < k->n; i++)
			if (k->items[i].err == ENOENT &&
			    k->items[i].s.state == TCP_LISTEN)
				progress |= app_kill_one(a, &k->items[i]);
	}
}

int
app_run_kill(struct app_src *a, const struct options *o)
{
	struct kill_list k;
	struct view v;
	int status = 0;

	if (app_src_refresh(a, &o->filter) != APP_OK) {
		fprintf(stderr, "tcptop: %s\n", a->err);
		return 1;
	}
	view_init(&v);
	view_build(&v, a->tab, &o->filter, o->sort_key, o->sort_reverse, 0);
	kill_init(&k);
	kill_from_view(&k, &v);
	view_done(&v);
	app_kill_list(a, &k);
	if (kill_count_failed(&k) > 0)
		status = 1;
	errno = 0;
	if ((o->json ? output_kill_json(stdout, &a->r, &k) :
	    output_kill_text(stdout, &a->r, &k)) == -1 ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "tcptop: writing the report: %s\n",
		    strerror(errno != 0 ? errno : EIO));
		status = 1;
	}
	kill_done(&k);
	return status;
}
