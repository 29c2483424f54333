/* tcpstate: names of the kernel's TCP states (pure data). */
#ifndef TCPTOP_TCPSTATE_H
#define TCPTOP_TCPSTATE_H

#include <stddef.h>
#include <stdint.h>

/* The kernel numbers TCP states 1 (ESTABLISHED) to 11 (CLOSING), as in
 * <netinet/tcp.h>; tcptop uses those numbers and no enum of its own. */
#define TCPSTATE_MIN	1
#define TCPSTATE_MAX	11
#define TCPSTATE_ALL	0x0ffeU		/* mask of bits 1..11 */

/* netstat-style name ("FIN_WAIT1"), or "UNKNOWN" outside 1..11. */
const char *tcpstate_name(int state);

/* ss-style name ("fin-wait-1"), or "unknown". */
const char *tcpstate_ss_name(int state);

/* At most 5 cells ("ESTAB", "TIMEW"), for narrow screens. */
const char *tcpstate_brief(int state);

/* The phase of a connection's life a state belongs to, for colours:
 * opening (LISTEN, SYN_*), established, closing (FIN_WAIT*, CLOSE_WAIT,
 * LAST_ACK, CLOSING), waiting (TIME_WAIT, CLOSE). */
enum tcpstate_phase {
	TCPSTATE_OPENING,
	TCPSTATE_ESTABLISHED_PHASE,
	TCPSTATE_CLOSING_PHASE,
	TCPSTATE_WAITING,
};
int tcpstate_phase(int state);

/* The states in display order (the order of the JSON "states" object):
 * LISTEN, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2,
 * CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT, CLOSE. */
extern const uint8_t tcpstate_order[TCPSTATE_MAX];

/* Parse one state name: netstat or ss spelling, case-insensitive, plus
 * the ss groups "all", "connected", "synchronized", "bucket", "big".
 * Adds bits (1 << state) to *mask.  Returns 0, or -1 if unknown. */
int tcpstate_parse(const char *name, uint32_t *mask);

/* The i-th word tcpstate_parse accepts, for completion: the ss names in
 * display order, then the netstat names, then the groups; NULL past the
 * last.  Static strings. */
const char *tcpstate_word(size_t i);

/* The idiag_states mask to send the kernel so that every socket whose
 * reported state is in mask comes back.  The kernel matches the mask
 * against sk_state, and an orphaned FIN_WAIT2 is a timewait socket
 * (sk_state TIME_WAIT, reported as FIN_WAIT2), so FIN_WAIT2 also asks for
 * TIME_WAIT; the user-space filter then drops what was not wanted. */
uint32_t tcpstate_kernel_mask(uint32_t mask);

#endif
