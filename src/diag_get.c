/* Many sockets asked for by id at once: the incremental refresh's exact
 * requests (collector_events.c), a batch of them in one datagram. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>

#include "tcptop/diag.h"
#include "diag_int.h"

/* Requests sent together.  Each answer is an skb of about a kilobyte
 * queued on our socket before we read any: 32 stay well inside the
 * default receive buffer (212992 bytes). */
#define DIAG_GET_BATCH 32

/* How long a batch waits for its answers (the kernel answers while it
 * takes the datagram in, so they are queued before sendto returns). */
#define DIAG_GET_TIMEOUT_MS 1000

struct diag_get_batch {
	const struct conn_sample *keys;
	size_t n;		/* in this batch */
	unsigned seq;		/* the first request's */
	unsigned char answered[DIAG_GET_BATCH];
	size_t left;
	int err;		/* the first error other than ENOENT */
	diag_get_fn cb;
	void *arg;
	size_t base;		/* the batch's first key's index */
};

/* One message of an answer: request i's socket or its error. */
static void
diag_get_one(struct diag_get_batch *b, size_t i, const struct nlmsghdr *nlh)
{
	struct conn_sample s;
	int e = 0;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *ne = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof *ne))
			e = EPROTO;
		else if (ne->error == 0)
			return;		/* an acknowledgement: not asked for */
		else
			e = diag_errno(ne->error);
	} else if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    diag_msg_sample(nlh, &s) == -1)
		e = EPROTO;
	b->answered[i] = 1;
	b->left--;
	if (e == 0)
		b->cb(b->arg, b->base + i, &s);
	else if (e == ENOENT)
		b->cb(b->arg, b->base + i, NULL);
	else if (b->err == 0)
		b->err = e;
}

static int
diag_get_answer(const void *buf, size_t len, unsigned seq, unsigned portid,
    void *arg)
{
	struct diag_get_batch *b = arg;
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	while (left > 0) {
		size_t i = nlh->nlmsg_seq - seq;

		if (!diag_nlmsg_ok(nlh, left)) {
			errno = EPROTO;
			return -1;
		}
		/* Others are left from an earlier request or dump. */
		if (i < b->n && !b->answered[i] &&
		    mnl_nlmsg_portid_ok(nlh, portid))
			diag_get_one(b, i, nlh);
		nlh = diag_nlmsg_next(nlh, &left);
	}
	if (b->left > 0) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

/* The request for key into buf, with sequence number seq: tcp_info and
 * congestion, as a dump asks.  Returns its aligned length. */
static size_t
diag_get_build(void *buf, unsigned seq, const struct conn_sample *key)
{
	diag_exact_build(buf, seq, key, (uint8_t)(1U << (INET_DIAG_INFO - 1) |
	    1U << (INET_DIAG_CONG - 1)));
	return NLMSG_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len);
}

/* One batch of at most DIAG_GET_BATCH keys from index base. */
static int
diag_get_some(struct diag *d, struct diag_get_batch *b)
{
	union {
		struct nlmsghdr h;
		char buf[DIAG_GET_BATCH * (MNL_NLMSG_HDRLEN +
		    MNL_ALIGN(sizeof(struct inet_diag_req_v2)))];
	} req;
	size_t i, len = 0;

	b->seq = d->seq + 1;
	for (i = 0; i < b->n; i++)
		len += diag_get_build(req.buf + len, ++d->seq,
		    &b->keys[b->base + i]);
	memset(b->answered, 0, sizeof b->answered);
	b->left = b->n;
	return diag_ask_many(d, req.buf, len, b->seq, DIAG_GET_TIMEOUT_MS,
	    diag_get_answer, b);
}

int
diag_get(struct diag *d, const struct conn_sample *keys, size_t n,
    diag_get_fn cb, void *arg)
{
	struct diag_get_batch b;
	size_t i;

	memset(&b, 0, sizeof b);
	b.keys = keys;
	b.cb = cb;
	b.arg = arg;
	for (i = 0; i < n; i++)
		if (keys[i].family != AF_INET && keys[i].family != AF_INET6) {
			errno = EINVAL;
			return -1;
		}
	for (b.base = 0; b.base < n; b.base += b.n) {
		b.n = n - b.base < DIAG_GET_BATCH ? n - b.base :
		    DIAG_GET_BATCH;
		if (diag_get_some(d, &b) == -1) {
			/* A full socket lost answers: the rest of this
			 * batch on a fresh one, one at a time. */
			if (errno != ENOBUFS || diag_reopen(d) == -1)
				return -1;
			for (i = 0; i < b.n; i++)
				if (!b.answered[i]) {
					struct diag_get_batch one = b;

					one.base = b.base + i;
					one.n = 1;
					if (diag_get_some(d, &one) == -1)
						return -1;
					if (one.err != 0 && b.err == 0)
						b.err = one.err;
				}
		}
		if (b.err != 0) {
			errno = b.err;
			return -1;
		}
	}
	return 0;
}
