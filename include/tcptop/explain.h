/* explain: what each TCP state means, for the e key (pure data).  One
 * entry per state the kernel reports: the meaning, the segment or call
 * that moves it on, the trouble it points at when sockets pile up in
 * it, and what Linux does its own way. */
#ifndef TCPTOP_EXPLAIN_H
#define TCPTOP_EXPLAIN_H

struct explain {
	unsigned char state;	/* TCP_* */
	const char *meaning;
	const char *next;	/* what moves it on, and where to */
	const char *trouble;	/* what a pile-up here means */
	const char *linux_note;	/* how Linux does it */
};

/* The entry of state (TCP_ESTABLISHED .. TCP_CLOSING), or NULL. */
const struct explain *explain_state(int state);

#endif
