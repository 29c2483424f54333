/* diag_int: what the diag*.c files share.  Private to them: they are the
 * only files that speak netlink. */
#ifndef TCPTOP_DIAG_INT_H
#define TCPTOP_DIAG_INT_H

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libmnl/libmnl.h>

#include "tcptop/diag.h"
#include "tcptop/fexpr.h"
#include "tcptop/filter.h"

/* The kernel hands out dump chunks of at most about 32 KiB (netlink caps
 * its allocation at the size of our largest recvmsg, and that at 32 KiB),
 * so that is where the buffer starts.  A datagram that does not fit comes
 * back with MSG_TRUNC and its real length: the buffer grows to that and
 * the dump restarts.  Debian's libmnl 1.0.4 has no MNL_SOCKET_DUMP_SIZE. */
#define DIAG_BUF_INITIAL 32768
#define DIAG_BUF_MAX (1u << 24)
/* An answer to one exact request is one message: an inet_diag_msg and
 * the attributes tcptop asks for (tcp_info, congestion, memory, some
 * hundreds of bytes).  A buffer this large holds any without a peek. */
#define DIAG_ANSWER_MAX 16384
#define DIAG_MAX_RESTARTS 3

struct diag {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	char *buf;
	size_t bufsize;
	FILE *record;
	struct diag_stats stats;
	char err[160];
};

/* The program's length: "no" (16 bits) must reach 4 past its end, and the
 * attribute's length (16 bits) holds its header too. */
#define DIAG_BC_LIMIT (0xffff - 4)

/* The most the ports and an expression can take: 40 bytes per range, at
 * most 28 (an IPv6 host condition) per expression node plus a JMP. */
#define DIAG_BC_MAX (FILTER_MAX_RANGES * 40 + FEXPR_MAX_NODES * 32)

/* diag_msg.c: parse one datagram of a dump or of a lookup's answer. */

/* Check an inet_diag message and collect its attributes by type into tb
 * (DIAG_ATTR_MAX + 1 slots).  Returns the message, or NULL when it is
 * malformed. */
#define DIAG_ATTR_MAX INET_DIAG_MAX
const struct inet_diag_msg *diag_msg_check(const struct nlmsghdr *nlh,
    const struct nlattr **tb);

/* The socket cookie of m, 0 for none. */
uint64_t diag_msg_cookie(const struct inet_diag_msg *m);

/* Netlink framing that cannot be fooled by a huge length (libmnl 1.0.4's
 * mnl_nlmsg_ok reads 2^31 as negative). */
int diag_nlmsg_ok(const struct nlmsghdr *nlh, size_t left);
const struct nlmsghdr *diag_nlmsg_next(const struct nlmsghdr *nlh,
    size_t *left);

/* errno for a netlink error code (negative), never 0. */
int diag_errno(int code);

/* The first message in the len bytes of one datagram that answers
 * request seq from portid (0 checks neither): messages of other requests
 * and NOOPs are skipped.  NULL with errno EPROTO for broken framing, or
 * EAGAIN when the datagram held nothing of this request. */
const struct nlmsghdr *diag_answer_find(const void *buf, size_t len,
    unsigned seq, unsigned portid);

/* Parse one datagram of a dump, checking seq and portid (0: check
 * nothing, as for a replay); as diag_parse_datagram. */
int diag_parse(const void *buf, size_t len, unsigned seq, unsigned portid,
    const struct filter *f, const struct diag_sink *sink,
    struct diag_stats *st, int *intr, char *err, size_t errlen);

/* diag.c: a fresh socket after ENOBUFS. */
int diag_reopen(struct diag *d);

/* diag.c: the id of the one socket s names (4-tuple, bound device,
 * cookie), for a request that asks for it alone. */
void diag_sockid_fill(struct inet_diag_sockid *id,
    const struct conn_sample *s);

/* The parser of one datagram of an answer, as diag_lookup_parse: -1
 * with EAGAIN means "not yet, receive on". */
typedef int (*diag_answer_fn)(const void *buf, size_t len, unsigned seq,
    unsigned portid, void *arg);

/* diag.c: send the request req (its seq already set to d->seq) and
 * receive until fn finds its answer, for at most timeout_ms.  Whatever
 * else is queued (the rest of an abandoned dump, the answer to a request
 * that timed out) is read and dropped.  Returns what fn returns, or -1
 * with errno: ETIMEDOUT, or what sendto, poll or recvmsg said (ENOBUFS
 * when the socket overflowed and the answer may be lost). */
int diag_ask(struct diag *d, const struct nlmsghdr *req, int timeout_ms,
    diag_answer_fn fn, void *arg);

/* The same for len bytes of requests sent in one datagram, fn called
 * with seq (the first request's) for every datagram received. */
int diag_ask_many(struct diag *d, const void *req, size_t len,
    unsigned seq, int timeout_ms, diag_answer_fn fn, void *arg);

/* diag_lookup.c: the exact request for the one socket s names (no
 * NLM_F_DUMP: the kernel looks it up by id, inet_diag_find_one_icsk, and
 * answers with one message, or an error: ENOENT when the 4-tuple or the
 * cookie does not match), asking for the extensions ext, into nlh. */
void diag_exact_build(struct nlmsghdr *nlh, unsigned seq,
    const struct conn_sample *s, uint8_t ext);

/* diag_msg.c: an inet_diag message as a sample: 0, or -1 when it is
 * malformed. */
int diag_msg_sample(const struct nlmsghdr *nlh, struct conn_sample *s);

#endif
