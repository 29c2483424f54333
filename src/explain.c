/* The e key's lesson: one entry per TCP state, in our own words. */
#include <netinet/tcp.h>
#include <stddef.h>

#include "tcptop/explain.h"

static const struct explain explain_table[] = {
	{ TCP_LISTEN,
	  "A server socket waiting for connections: listen() was called on "
	  "it. It never carries data; each handshake makes a new socket.",
	  "A SYN arrives: the kernel answers SYN+ACK and the new connection "
	  "goes to SYN_RECV. close() takes the listener back to CLOSED.",
	  "Recv-Q is the accept queue, Send-Q its limit. A full queue means "
	  "the application does not call accept() fast enough: new "
	  "handshakes are dropped (ListenOverflows in nstat).",
	  "The queue limit is the listen() backlog capped by "
	  "net.core.somaxconn; SYN_RECV entries live in a separate table "
	  "of request sockets." },
	{ TCP_SYN_SENT,
	  "connect() sent a SYN and waits for the peer's SYN+ACK.",
	  "SYN+ACK arrives: it sends the final ACK and goes to ESTABLISHED. "
	  "A bare SYN (both sides opening at once) leads to SYN_RECV. An RST, "
	  "or no answer at all, fails the connect back to CLOSED.",
	  "Sockets stuck here mean the SYNs go unanswered: the peer is down, "
	  "or a firewall silently drops them (a refused port answers RST "
	  "and fails at once instead).",
	  "The SYN is retried with doubling timeouts, "
	  "net.ipv4.tcp_syn_retries times (6: about 2 minutes) before "
	  "connect() gives up with ETIMEDOUT." },
	{ TCP_SYN_RECV,
	  "A SYN came in and was answered with SYN+ACK; the server waits for "
	  "the client's ACK, the last step of the three-way handshake.",
	  "That ACK arrives: the connection is ESTABLISHED and waits in the "
	  "listener's accept queue. An RST or the SYN+ACK retries running "
	  "out drops it.",
	  "Many of these: a SYN flood (spoofed SYNs never complete), or "
	  "clients whose final ACK is slow or lost. Syncookies let the "
	  "server answer without keeping state when the table is full.",
	  "Linux keeps a small request socket here, not a full one, in a "
	  "table bounded by tcp_max_syn_backlog; net.ipv4.tcp_syncookies=1 "
	  "turns cookies on under pressure; tcp_synack_retries sets the "
	  "retries." },
	{ TCP_ESTABLISHED,
	  "The handshake is done: data flows both ways. This is where a "
	  "healthy connection spends its life.",
	  "Our close() or shutdown() sends a FIN: FIN_WAIT1 (the active "
	  "close). The peer's FIN arrives: we ACK it and go to CLOSE_WAIT "
	  "(the passive close). An RST ends it at once.",
	  "Watch the queues: a growing Send-Q means the peer or the network "
	  "is slow, a growing Recv-Q means the application does not read. "
	  "Idle ones may be dead peers; keepalive finds them.",
	  "Keepalive is off until SO_KEEPALIVE; then tcp_keepalive_time, "
	  "_intvl and _probes apply. The detail view (Enter) shows the "
	  "socket's tcp_info." },
	{ TCP_FIN_WAIT1,
	  "We closed first: our FIN is sent, and we wait for the peer to "
	  "acknowledge it.",
	  "The ACK of our FIN: FIN_WAIT2. The peer's FIN first: CLOSING "
	  "(both closed at once). FIN and ACK together: straight to "
	  "TIME_WAIT.",
	  "Sockets stuck here: the peer is not acknowledging the FIN (gone, "
	  "or unreachable), or data is still queued behind it, perhaps to a "
	  "peer advertising a zero window.",
	  "An orphan (closed by the application) retries the FIN "
	  "tcp_orphan_retries times; net.ipv4.tcp_max_orphans bounds how "
	  "many may wait." },
	{ TCP_FIN_WAIT2,
	  "Our FIN was acknowledged; our direction is closed and we wait for "
	  "the peer's FIN. The peer may still send us data.",
	  "The peer's FIN: we ACK it and go to TIME_WAIT.",
	  "Many of these: the peers do not close their side, usually an "
	  "application on the other end that keeps sockets half open.",
	  "An orphaned FIN_WAIT2 does not wait forever: after "
	  "net.ipv4.tcp_fin_timeout (60 s) it is dropped. Linux turns it "
	  "into a timewait minisocket at once (when that timeout is at most "
	  "60 s), still reported as FIN_WAIT2." },
	{ TCP_TIME_WAIT,
	  "We closed first and both FINs are acknowledged. The socket waits "
	  "twice the maximum segment lifetime so that late segments of this "
	  "connection die out and our last ACK can be sent again.",
	  "The timer runs out: CLOSED. Nothing else moves it.",
	  "Thousands of these are normal on a busy client. Too many tie up "
	  "local ports: connect() fails with EADDRNOTAVAIL when the "
	  "ephemeral range (ip_local_port_range) runs out for one "
	  "destination.",
	  "Linux replaces the full socket by a small timewait minisocket "
	  "for a fixed 60 s; net.ipv4.tcp_max_tw_buckets caps how many, "
	  "tcp_tw_reuse lets new outgoing connections reuse them." },
	{ TCP_CLOSE,
	  "No connection. The box counts sockets that exist but are not "
	  "connected: created, bound, or closed and not yet freed.",
	  "listen() makes it LISTEN; connect() sends a SYN: SYN_SENT.",
	  "On the diagram the marks by each box count how connections "
	  "ended here early: resets and failed connects (x), and sockets "
	  "that left without a TIME_WAIT seen (o).",
	  "Linux reports CLOSE for the moment a socket leaves; the "
	  "tracepoint shows FIN_WAIT2 -> CLOSE where the textbook has "
	  "TIME_WAIT, because a minisocket takes over." },
	{ TCP_CLOSE_WAIT,
	  "The peer closed first: its FIN arrived and the kernel "
	  "acknowledged it. Data sent before the FIN may still wait unread "
	  "in Recv-Q; once the application reads to the end (read() returns "
	  "0) it should close(). Until then it may still send.",
	  "The application calls close(): our FIN goes out, LAST_ACK.",
	  "Piling up: the application is not closing its sockets (a leak, "
	  "a missing close() on an error path, a blocked worker). Only the "
	  "application can fix it.",
	  "Linux has no timer for CLOSE_WAIT (only keepalive, when on, or "
	  "a send that goes unanswered can end it). The owning process "
	  "(ss -tp) holds the descriptors; restarting it frees them." },
	{ TCP_LAST_ACK,
	  "The peer closed first and we have now closed too: our FIN is "
	  "sent, and we wait for its ACK.",
	  "The ACK of our FIN: CLOSED, the end of the passive close.",
	  "Stuck here: the peer is not acknowledging our FIN, it has gone "
	  "or the path to it is broken.",
	  "Linux retries the FIN like any segment and drops the socket when "
	  "the retries run out (tcp_orphan_retries for an orphan)." },
	{ TCP_CLOSING,
	  "Both sides closed at the same moment: we sent a FIN and received "
	  "the peer's before it acknowledged ours.",
	  "The ACK of our FIN: TIME_WAIT.",
	  "Rare; many of these mean lost ACKs on the path.",
	  "Linux reports CLOSING -> CLOSE as a timewait minisocket takes "
	  "the socket's place." },
};

const struct explain *
explain_state(int state)
{
	size_t i;

	for (i = 0; i < sizeof explain_table / sizeof *explain_table; i++)
		if (explain_table[i].state == state)
			return &explain_table[i];
	return NULL;
}
