/* tcpinfo: a socket's tcp_info as getsockopt(TCP_INFO) gives it, for
 * tests that include <netinet/tcp.h>: glibc's struct tcp_info ends at
 * tcpi_total_retrans, and <linux/tcp.h>, which has the rest, cannot be
 * included next to it. */
#ifndef TCPTOP_TEST_TCPINFO_H
#define TCPTOP_TEST_TCPINFO_H

#include <stddef.h>
#include <stdint.h>

struct tcpinfo {
	size_t len;		/* bytes the kernel wrote */
	uint64_t state;
	uint64_t snd_mss;
	uint64_t rcv_mss;
	uint64_t unacked;
	uint64_t total_retrans;
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint64_t segs_out;
	uint64_t segs_in;
	uint64_t notsent_bytes;
	uint64_t data_segs_in;
	uint64_t data_segs_out;
	uint64_t bytes_sent;
};

/* Fill ti from fd's TCP_INFO, read into a buffer larger than any kernel's
 * tcp_info so len says how much this kernel has.  Returns 0, or -1 with
 * errno from getsockopt. */
int tcpinfo_get(int fd, struct tcpinfo *ti);

#endif
