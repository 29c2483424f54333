/* sort: the sort columns, each with its comparison, and a stable sort
 * that is linear on the nearly sorted lists of consecutive refreshes. */
#ifndef TCPTOP_SORT_H
#define TCPTOP_SORT_H

#include <stddef.h>

#include "tcptop/conntab.h"

enum sort_key {
	SORT_STATE,
	SORT_FAMILY,
	SORT_LOCAL,
	SORT_REMOTE,
	SORT_LPORT,
	SORT_RPORT,
	SORT_RECVQ,
	SORT_SENDQ,
	SORT_AGE,
	SORT_RTT,
	SORT_RETRANS,
	SORT_UID,
	SORT_INODE,
	SORT_COOKIE,
	SORT_RTTVAR,
	SORT_CWND,
	SORT_SSTHRESH,
	SORT_LOST,
	SORT_ACKED,
	SORT_RECEIVED,
	SORT_DELIVERY,
	SORT_TX,
	SORT_RX,
	SORT_SNDWND,
	SORT_RCVSPACE,
	SORT_ACCEPTQ,
	SORT_NKEYS
};

struct sort_column {
	const char *name;	/* as given to --sort */
	const char *help;
	/* <0, 0, >0; ties broken by the caller on the cookie */
	int (*cmp)(const struct conn *, const struct conn *);
};

extern const struct sort_column sort_columns[SORT_NKEYS];

/* The key named name (case-insensitive), or -1. */
int sort_lookup(const char *name);

/* Scratch space for sort_conns, reused across refreshes. */
struct sort_buf {
	const struct conn **tmp;
	size_t cap;
	size_t *runs;		/* n + 1 run starts */
};

/* Sort v (n rows) by key, descending when reverse, ties by cookie
 * ascending whatever the direction, so equal rows never swap places
 * between refreshes.  A natural merge sort: O(n) when v is already
 * nearly in order.  buf grows as needed; free it with sort_buf_done. */
void sort_conns(const struct conn **v, size_t n, int key, int reverse,
    struct sort_buf *buf);
void sort_buf_done(struct sort_buf *buf);

#endif
