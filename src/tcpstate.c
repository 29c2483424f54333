/* Names of the kernel's TCP states, in netstat and ss spellings. */
#include <netinet/tcp.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "tcptop/tcpstate.h"

static const struct {
	const char *name;	/* netstat */
	const char *ss;		/* iproute2 ss */
	const char *brief;	/* at most 5 cells, for narrow screens */
	uint8_t phase;		/* enum tcpstate_phase */
} tcpstate_names[TCPSTATE_MAX + 1] = {
	[TCP_ESTABLISHED] = { "ESTABLISHED", "estab", "ESTAB",
	    TCPSTATE_ESTABLISHED_PHASE },
	[TCP_SYN_SENT] = { "SYN_SENT", "syn-sent", "SYNSN", TCPSTATE_OPENING },
	[TCP_SYN_RECV] = { "SYN_RECV", "syn-recv", "SYNRC", TCPSTATE_OPENING },
	[TCP_FIN_WAIT1] = { "FIN_WAIT1", "fin-wait-1", "FINW1",
	    TCPSTATE_CLOSING_PHASE },
	[TCP_FIN_WAIT2] = { "FIN_WAIT2", "fin-wait-2", "FINW2",
	    TCPSTATE_CLOSING_PHASE },
	[TCP_TIME_WAIT] = { "TIME_WAIT", "time-wait", "TIMEW",
	    TCPSTATE_WAITING },
	[TCP_CLOSE] = { "CLOSE", "unconn", "CLOSE", TCPSTATE_WAITING },
	[TCP_CLOSE_WAIT] = { "CLOSE_WAIT", "close-wait", "CLSWT",
	    TCPSTATE_CLOSING_PHASE },
	[TCP_LAST_ACK] = { "LAST_ACK", "last-ack", "LSACK",
	    TCPSTATE_CLOSING_PHASE },
	[TCP_LISTEN] = { "LISTEN", "listen", "LISTN", TCPSTATE_OPENING },
	[TCP_CLOSING] = { "CLOSING", "closing", "CLSNG",
	    TCPSTATE_CLOSING_PHASE },
};

const char *
tcpstate_brief(int state)
{
	if (state < TCPSTATE_MIN || state > TCPSTATE_MAX)
		return "?";
	return tcpstate_names[state].brief;
}

int
tcpstate_phase(int state)
{
	if (state < TCPSTATE_MIN || state > TCPSTATE_MAX)
		return TCPSTATE_WAITING;
	return tcpstate_names[state].phase;
}

const uint8_t tcpstate_order[TCPSTATE_MAX] = {
	TCP_LISTEN, TCP_SYN_SENT, TCP_SYN_RECV, TCP_ESTABLISHED,
	TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_CLOSE_WAIT, TCP_LAST_ACK,
	TCP_CLOSING, TCP_TIME_WAIT, TCP_CLOSE,
};

#define B(s) (1U << (s))

/* The state groups ss accepts, with the same meaning. */
static const struct {
	const char *name;
	uint32_t mask;
} tcpstate_groups[] = {
	{ "all", TCPSTATE_ALL },
	{ "connected", TCPSTATE_ALL & ~(B(TCP_LISTEN) | B(TCP_CLOSE)) },
	{ "synchronized", TCPSTATE_ALL &
	    ~(B(TCP_LISTEN) | B(TCP_CLOSE) | B(TCP_SYN_SENT)) },
	{ "bucket", B(TCP_SYN_RECV) | B(TCP_TIME_WAIT) },
	{ "big", TCPSTATE_ALL & ~(B(TCP_SYN_RECV) | B(TCP_TIME_WAIT)) },
	/* Spellings people type that neither tool prints. */
	{ "established", B(TCP_ESTABLISHED) },
	{ "listening", B(TCP_LISTEN) },
	{ "closed", B(TCP_CLOSE) },
	{ "syn-received", B(TCP_SYN_RECV) },
};

const char *
tcpstate_name(int state)
{
	if (state < TCPSTATE_MIN || state > TCPSTATE_MAX)
		return "UNKNOWN";
	return tcpstate_names[state].name;
}

const char *
tcpstate_ss_name(int state)
{
	if (state < TCPSTATE_MIN || state > TCPSTATE_MAX)
		return "unknown";
	return tcpstate_names[state].ss;
}

/* Compare ignoring case and treating '-' and '_' alike, so FIN_WAIT1,
 * fin_wait1 and fin-wait1 all work; ss's fin-wait-1 is in the table. */
static int
tcpstate_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return *a == *b;
}

int
tcpstate_parse(const char *name, uint32_t *mask)
{
	size_t i;
	int st;

	for (st = TCPSTATE_MIN; st <= TCPSTATE_MAX; st++) {
		if (tcpstate_eq(name, tcpstate_names[st].name) ||
		    tcpstate_eq(name, tcpstate_names[st].ss)) {
			*mask |= B(st);
			return 0;
		}
	}
	for (i = 0; i < sizeof tcpstate_groups / sizeof tcpstate_groups[0];
	    i++) {
		if (tcpstate_eq(name, tcpstate_groups[i].name)) {
			*mask |= tcpstate_groups[i].mask;
			return 0;
		}
	}
	return -1;
}

const char *
tcpstate_word(size_t i)
{
	const size_t ngroups = sizeof tcpstate_groups /
	    sizeof tcpstate_groups[0];

	if (i < TCPSTATE_MAX)
		return tcpstate_names[tcpstate_order[i]].ss;
	i -= TCPSTATE_MAX;
	if (i < TCPSTATE_MAX)
		return tcpstate_names[tcpstate_order[i]].name;
	i -= TCPSTATE_MAX;
	return i < ngroups ? tcpstate_groups[i].name : NULL;
}

uint32_t
tcpstate_kernel_mask(uint32_t mask)
{
	if (mask & B(TCP_FIN_WAIT2))
		mask |= B(TCP_TIME_WAIT);
	return mask;
}
