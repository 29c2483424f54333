/* sample: the IPv4 samples and the one-call scans the model tests build
 * their tables from. */
#ifndef TCPTOP_TEST_SAMPLE_H
#define TCPTOP_TEST_SAMPLE_H

#include <string.h>
#include <sys/socket.h>

#include "tcptop/conntab.h"

/* 10.0.0.0:lport -> 10.0.0.2:rport in state, with cookie. */
static inline struct conn_sample
mk(uint64_t cookie, int state, unsigned lport, unsigned rport)
{
	struct conn_sample s;

	memset(&s, 0, sizeof s);
	s.cookie = cookie;
	s.family = AF_INET;
	s.state = (uint8_t)state;
	s.lport = (uint16_t)lport;
	s.rport = (uint16_t)rport;
	s.local[0] = 10;
	s.remote[0] = 10;
	s.remote[3] = 2;
	return s;
}

/* One whole scan at now of the n samples s. */
static inline void
scan(struct conntab *t, int64_t now, const struct conn_sample *s, size_t n)
{
	size_t i;

	conntab_begin_scan(t, now);
	for (i = 0; i < n; i++)
		conntab_update(t, &s[i]);
	conntab_end_scan(t);
}

#endif
