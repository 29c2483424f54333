/* Every state has its lesson: meaning, what moves it on, trouble and
 * the Linux note, and the troubles the e key promises are there. */
#include <netinet/tcp.h>
#include <string.h>

#include "check.h"
#include "tcptop/explain.h"
#include "tcptop/tcpstate.h"

static int
says(int state, const char *what)
{
	const struct explain *e = explain_state(state);

	return e != NULL && (strstr(e->meaning, what) != NULL ||
	    strstr(e->next, what) != NULL || strstr(e->trouble, what) != NULL ||
	    strstr(e->linux_note, what) != NULL);
}

int
main(void)
{
	int st;

	for (st = TCPSTATE_MIN; st <= TCPSTATE_MAX; st++) {
		const struct explain *e = explain_state(st);

		if (!CHECK(e != NULL))
			continue;
		CHECK_EQ(e->state, st);
		CHECK(strlen(e->meaning) > 20);
		CHECK(strlen(e->next) > 10);
		CHECK(strlen(e->trouble) > 10);
		CHECK(strlen(e->linux_note) > 10);
	}
	CHECK(explain_state(0) == NULL);
	CHECK(explain_state(12) == NULL);
	CHECK(says(TCP_CLOSE_WAIT, "not closing"));
	/* RFC 9293 3.3.2: CLOSE-WAIT waits for our close, and the FIN
	 * comes after any data still unread: the application may not have
	 * read the end yet, and may still send. */
	CHECK(says(TCP_CLOSE_WAIT, "unread"));
	CHECK(says(TCP_CLOSE_WAIT, "may still send"));
	CHECK(!says(TCP_CLOSE_WAIT, "has read the end"));
	CHECK(says(TCP_SYN_RECV, "SYN flood"));
	CHECK(says(TCP_SYN_RECV, "yncookies"));
	CHECK(says(TCP_SYN_RECV, "request socket"));
	CHECK(says(TCP_TIME_WAIT, "ephemeral"));
	CHECK(says(TCP_TIME_WAIT, "minisocket"));
	CHECK(says(TCP_TIME_WAIT, "tcp_max_tw_buckets"));
	CHECK(says(TCP_FIN_WAIT2, "tcp_fin_timeout"));
	CHECK(says(TCP_SYN_SENT, "firewall"));
	CHECK(says(TCP_FIN_WAIT1, "not acknowledging"));
	CHECK(says(TCP_LAST_ACK, "not acknowledging"));
	return check_done();
}
