/* conn: one TCP socket as the kernel reported it, and how to print it. */
#ifndef TCPTOP_CONN_H
#define TCPTOP_CONN_H

#include <stddef.h>
#include <stdint.h>

/* Bits of conn_sample.flags. */
#define CONN_HAS_INFO		0x01	/* info holds a tcp_info from the kernel */
#define CONN_HAS_SHUTDOWN	0x02	/* shutdown holds INET_DIAG_SHUTDOWN */
#define CONN_HAS_V6ONLY		0x04	/* the kernel sent INET_DIAG_SKV6ONLY
					 * (IPv6 LISTEN and CLOSE only) */
#define CONN_V6ONLY		0x08	/* and it said IPV6_V6ONLY is set */

/* The tcp_info fields tcptop keeps: a compact copy, so a 100k-socket
 * table stays small.  Fields a kernel did not send are zero.  Only what
 * a column, the JSON or the model reads is here: the detail view asks
 * the kernel for the whole tcp_info (diag_lookup). */
struct conn_tcpinfo {
	uint32_t rtt_us;
	uint32_t rttvar_us;
	uint32_t snd_cwnd;
	uint32_t snd_ssthresh;
	uint32_t snd_mss;
	uint32_t rcv_mss;
	uint32_t unacked;
	uint32_t lost;
	uint32_t retrans;	/* segments in flight retransmitted */
	uint32_t total_retrans;
	uint32_t rcv_space;	/* receive window tuning's estimate */
	uint32_t snd_wnd;	/* peer's advertised window, bytes */
	uint32_t pmtu;
	uint32_t last_data_recv_ms;
	uint32_t last_data_sent_ms;
	uint32_t last_ack_recv_ms;
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint64_t delivery_rate;	/* bytes per second */
	uint8_t ca_state;
	uint8_t retransmits;	/* consecutive RTO retransmits */
	uint8_t probes;
	uint8_t backoff;
	uint8_t options;	/* TCPI_OPT_* */
	uint8_t wscale;		/* snd << 4 | rcv */
};

/* A socket as one dump reported it.  Plain values only: nothing points
 * into a netlink buffer, so a receiver may keep a copy. */
struct conn_sample {
	uint64_t cookie;	/* kernel socket cookie, 0 if none */
	uint8_t local[16];	/* network order; IPv4 in the first 4 bytes */
	uint8_t remote[16];
	uint16_t lport;		/* host order */
	uint16_t rport;
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t state;		/* TCP_* from <netinet/tcp.h> */
	uint8_t timer;		/* idiag_timer: 0 off, 1 on, 2 keepalive,
				 * 3 timewait, 4 persist */
	uint8_t retrans;	/* idiag_retrans */
	uint8_t shutdown;	/* bit 0: rcv shut, bit 1: snd shut */
	uint8_t cc;		/* congestion control, conn_cc_name() index */
	uint8_t flags;		/* CONN_HAS_* */
	uint8_t mark;		/* SO_MARK, conn_mark_intern() index; 0
				 * unknown (INET_DIAG_MARK goes to
				 * CAP_NET_ADMIN only, for full sockets) */
	uint32_t expires_ms;	/* timer expiry, ms from the dump */
	uint32_t rqueue;	/* Recv-Q; for LISTEN the accept backlog */
	uint32_t wqueue;	/* Send-Q; for LISTEN the backlog limit */
	uint32_t uid;
	uint32_t inode;
	uint32_t ifindex;	/* device the socket is bound to, 0 none */
	uint16_t netns;		/* the app's namespace table index, 0 the
				 * viewed one (netns.h) */
	uint16_t cgroup;	/* cgroup_intern() index, 0 none (cgroup.h) */
	struct conn_tcpinfo info;
};

/* Buffer sizes for the formatters below, with the terminating NUL. */
#define CONN_ADDR_LEN	48	/* "ffff:...:ffff" or "255.255.255.255" */
#define CONN_ENDPOINT_LEN 72	/* "[v6addr]%ifname:65535" */
#define CONN_SCOPE_LEN	20	/* an interface name (15) or "if4294967295" */

/* Write the local or remote address of s as text into buf (len bytes,
 * at least CONN_ADDR_LEN).  Returns buf; never fails. */
char *conn_fmt_addr(const struct conn_sample *s, int remote, char *buf,
    size_t len);

/* Write "addr:port" into buf (CONN_ENDPOINT_LEN), as ss -n prints it:
 * "[addr]:port" for IPv6, the IPv6 any address as "*" unless the kernel
 * said the socket is v6only (a dual-stack socket takes IPv4 too), port 0
 * as "*", and the local end of a socket bound to a device (a link-local
 * scope, SO_BINDTODEVICE) as "addr%ifname:port" (conn_fmt_scope). */
char *conn_fmt_endpoint(const struct conn_sample *s, int remote, char *buf,
    size_t len);

/* The length of conn_fmt_endpoint's text for s without writing it: an
 * IPv4 endpoint with no device is counted from its numbers.  0 where it
 * would have to be formatted (IPv6, a device's name). */
size_t conn_endpoint_len(const struct conn_sample *s, int remote);

/* The name of the device the socket is bound to (its link-local scope)
 * into buf (len bytes, at least CONN_SCOPE_LEN), made safe to print
 * (text_clean).  The name is looked up in tcptop's own namespace; where
 * it cannot be known there (a socket of another namespace under
 * --all-netns, a device gone) it is "if" and the index, as ss writes it.
 * Returns buf, or NULL when the socket is bound to no device. */
char *conn_fmt_scope(const struct conn_sample *s, char *buf, size_t len);

/* "ipv4" or "ipv6" (or "?" for anything else). */
const char *conn_family_name(int family);

/* Intern a congestion-control name (at most 15 bytes are kept).  Returns an
 * index for conn_sample.cc; 0 stands for unknown, and also for names past
 * the table's 255 slots. */
uint8_t conn_cc_intern(const char *name, size_t len);

/* The name behind an index, "" for 0 or an unknown index. */
const char *conn_cc_name(uint8_t cc);

/* Intern a socket mark.  Returns an index for conn_sample.mark; 0 stands
 * for unknown, and also for marks past the table's 255 slots. */
uint8_t conn_mark_intern(uint32_t mark);

/* The mark behind index idx into *mark: 0, or -1 for 0 or an unknown
 * index. */
int conn_mark_value(uint8_t idx, uint32_t *mark);

#endif
