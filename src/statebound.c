/* Lower bounds on the time in state from the kernel's timers and
 * tcp_info (the reasoning is in statebound.h). */
#include <netinet/tcp.h>

#include "tcptop/statebound.h"

/* The request socket's SYN-ACK timer with e ms left: the periods that
 * must have passed before the one running, and the part of the first
 * period that must have passed in the one running. */
static int64_t
statebound_synack(int64_t e)
{
	int64_t period = STATEBOUND_SYNACK_MS, passed = 0;

	while (period < e) {
		passed += period;
		period *= 2;
	}
	if (e < STATEBOUND_SYNACK_MS)
		passed += STATEBOUND_SYNACK_MS - e;
	return passed;
}

int64_t
statebound_age_ms(const struct conn_sample *s)
{
	int64_t b = 0;

	switch (s->state) {
	case TCP_TIME_WAIT:
		if (s->timer == 3 && s->expires_ms <= STATEBOUND_TIMEWAIT_MS)
			b = STATEBOUND_TIMEWAIT_MS - (int64_t)s->expires_ms;
		break;
	case TCP_SYN_RECV:
		/* A request socket has no tcp_info; a full socket in
		 * SYN_RECV (Fast Open) has another timer. */
		if (!(s->flags & CONN_HAS_INFO) && s->timer == 1)
			b = statebound_synack(s->expires_ms);
		break;
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
		if (s->flags & CONN_HAS_INFO)
			b = s->info.last_ack_recv_ms;
		break;
	default:
		break;
	}
	b -= STATEBOUND_SLACK_MS;
	return b > 0 ? b : 0;
}
