/* tcpinfo: TCP_INFO through <linux/tcp.h>, for tests (see tcpinfo.h). */
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpinfo.h"

int
tcpinfo_get(int fd, struct tcpinfo *ti)
{
	union {
		struct tcp_info ti;
		unsigned char buf[1024];
	} u;
	socklen_t len = sizeof u;

	memset(&u, 0, sizeof u);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &u, &len) == -1)
		return -1;
	ti->len = len;
	ti->state = u.ti.tcpi_state;
	ti->snd_mss = u.ti.tcpi_snd_mss;
	ti->rcv_mss = u.ti.tcpi_rcv_mss;
	ti->unacked = u.ti.tcpi_unacked;
	ti->total_retrans = u.ti.tcpi_total_retrans;
	ti->bytes_acked = u.ti.tcpi_bytes_acked;
	ti->bytes_received = u.ti.tcpi_bytes_received;
	ti->segs_out = u.ti.tcpi_segs_out;
	ti->segs_in = u.ti.tcpi_segs_in;
	ti->notsent_bytes = u.ti.tcpi_notsent_bytes;
	ti->data_segs_in = u.ti.tcpi_data_segs_in;
	ti->data_segs_out = u.ti.tcpi_data_segs_out;
	ti->bytes_sent = u.ti.tcpi_bytes_sent;
	return 0;
}
