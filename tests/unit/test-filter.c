/* Port, state and expression filters: parsing, matching and bytecode. */
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "kernel_bc.h"
#include "tcptop/diag.h"
#include "tcptop/filter.h"
#include "tcptop/tcpstate.h"

static struct conn_sample
sample(int family, int state, unsigned lport, unsigned rport)
{
	struct conn_sample s;

	memset(&s, 0, sizeof s);
	s.family = (uint8_t)family;
	s.state = (uint8_t)state;
	s.lport = (uint16_t)lport;
	s.rport = (uint16_t)rport;
	return s;
}

int
main(void)
{
	struct filter f;
	char err[160];
	unsigned char bc[4096];
	int len;
	struct conn_sample s;

	filter_init(&f);
	CHECK(filter_parse_ports(&f, "9000", err, sizeof err) == 0);
	CHECK_EQ(f.nranges, 1);
	s = sample(AF_INET, TCP_ESTABLISHED, 9000, 40000);
	CHECK(filter_match(&f, &s));
	s = sample(AF_INET6, TCP_ESTABLISHED, 40000, 9000);
	CHECK(filter_match(&f, &s));
	s = sample(AF_INET, TCP_ESTABLISHED, 9001, 40000);
	CHECK(!filter_match(&f, &s));

	CHECK(filter_parse_ports(&f, "80, 443,8000-8080", err, sizeof err) ==
	    0);
	CHECK_EQ(f.nranges, 3);
	s = sample(AF_INET, TCP_LISTEN, 8080, 0);
	CHECK(filter_match(&f, &s));
	s = sample(AF_INET, TCP_LISTEN, 8081, 0);
	CHECK(!filter_match(&f, &s));
	filter_fmt_ports(&f, err, sizeof err);
	CHECK(strcmp(err, "80,443,8000-8080") == 0);

	/* Bad input leaves the filter as it was and says why. */
	CHECK(filter_parse_ports(&f, "0", err, sizeof err) == -1);
	CHECK(strstr(err, "port 0") != NULL);
	CHECK(filter_parse_ports(&f, "70000", err, sizeof err) == -1);
	CHECK(strstr(err, "70000") != NULL);
	CHECK(filter_parse_ports(&f, "99999999999999999999", err,
	    sizeof err) == -1);
	CHECK(filter_parse_ports(&f, "90-80", err, sizeof err) == -1);
	CHECK(filter_parse_ports(&f, "80,", err, sizeof err) == -1);
	CHECK(filter_parse_ports(&f, "80x", err, sizeof err) == -1);
	CHECK(filter_parse_ports(&f, "-5", err, sizeof err) == -1);
	CHECK(filter_parse_ports(&f, "no-such-service", err, sizeof err) ==
	    -1);
	CHECK(strstr(err, "\"no-such-service\" is no port number and no "
	    "TCP service") != NULL);
	CHECK(filter_parse_ports(&f, "ssh-", err, sizeof err) == -1);
	CHECK(filter_parse_ports(&f, "ssh-nope", err, sizeof err) == -1);
	CHECK(strstr(err, "\"nope\" is no port number") != NULL);
	CHECK_EQ(f.nranges, 3);
	CHECK(filter_parse_ports(&f, "", err, sizeof err) == 0);
	CHECK_EQ(f.nranges, 0);

	/* Service names (/etc/services), alone and in ranges, where a name
	 * with a "-" in it is the service when there is one. */
	if (getservbyname("ssh", "tcp") != NULL &&
	    getservbyname("http-alt", "tcp") != NULL) {
		CHECK(filter_parse_ports(&f, "ssh, http-alt,ssh-http,"
		    "telnet-8000,1-ssh", err, sizeof err) == 0);
		filter_fmt_ports(&f, err, sizeof err);
		CHECK(strcmp(err, "22,8080,22-80,23-8000,1-22") == 0);
		CHECK(filter_parse_ports(&f, "http-ssh", err, sizeof err) ==
		    -1);
		CHECK(strstr(err, "80-22 is backwards") != NULL);
	} else
		fprintf(stderr, "  no ssh or http-alt in /etc/services: "
		    "service names not tested\n");

	/* States: both spellings, any case, groups. */
	CHECK(filter_parse_states(&f, "FIN_WAIT1", err, sizeof err) == 0);
	CHECK_EQ(f.states, 1U << TCP_FIN_WAIT1);
	CHECK(filter_parse_states(&f, "fin-wait-1,estab,TIME-WAIT", err,
	    sizeof err) == 0);
	CHECK_EQ(f.states, (1U << TCP_FIN_WAIT1) | (1U << TCP_ESTABLISHED) |
	    (1U << TCP_TIME_WAIT));
	CHECK(filter_parse_states(&f, "Close_Wait", err, sizeof err) == 0);
	CHECK_EQ(f.states, 1U << TCP_CLOSE_WAIT);
	CHECK(filter_parse_states(&f, "syn-recv,SYN_SENT,listen,closing,"
	    "last-ack,fin-wait-2,close", err, sizeof err) == 0);
	CHECK(filter_parse_states(&f, "all", err, sizeof err) == 0);
	CHECK_EQ(f.states, TCPSTATE_ALL);
	CHECK(filter_parse_states(&f, "connected", err, sizeof err) == 0);
	CHECK(!(f.states & (1U << TCP_LISTEN)));
	CHECK(filter_parse_states(&f, "bogus", err, sizeof err) == -1);
	CHECK(strstr(err, "bogus") != NULL);
	CHECK(filter_parse_states(&f, "estab,,listen", err, sizeof err) ==
	    -1);
	CHECK(filter_parse_states(&f, "", err, sizeof err) == -1);
	s = sample(AF_INET, TCP_LISTEN, 1, 2);
	CHECK(!filter_match(&f, &s));	/* still "connected" */

	/* Families. */
	filter_init(&f);
	f.families = FILTER_INET6;
	s = sample(AF_INET, TCP_LISTEN, 1, 2);
	CHECK(!filter_match(&f, &s));
	s = sample(AF_INET6, TCP_LISTEN, 1, 2);
	CHECK(filter_match(&f, &s));

	/* An expression is one more condition, ANDed with the others. */
	filter_init(&f);
	CHECK(f.expr.root == -1);
	CHECK(filter_parse_expr(&f, "dst 10.0.0.0/8 or state listen", err,
	    sizeof err) == 0);
	s = sample(AF_INET, TCP_ESTABLISHED, 40000, 22);
	s.remote[0] = 10;
	CHECK(filter_match(&f, &s));
	s.remote[0] = 11;
	CHECK(!filter_match(&f, &s));
	s = sample(AF_INET6, TCP_LISTEN, 22, 0);
	CHECK(filter_match(&f, &s));
	f.families = FILTER_INET4;
	CHECK(!filter_match(&f, &s));
	f.families = FILTER_INET4 | FILTER_INET6;
	CHECK(filter_parse_states(&f, "estab", err, sizeof err) == 0);
	CHECK(!filter_match(&f, &s));
	filter_init(&f);
	CHECK(filter_parse_expr(&f, "dst 10.0.0.0/8 or state listen", err,
	    sizeof err) == 0);
	CHECK(filter_parse_ports(&f, "80", err, sizeof err) == 0);
	CHECK(!filter_match(&f, &s));
	s.lport = 80;
	CHECK(filter_match(&f, &s));
	/* A bad one leaves the filter as it was; an empty one clears it. */
	CHECK(filter_parse_expr(&f, "dst 10.0.0.0/33", err, sizeof err) ==
	    -1);
	CHECK(strstr(err, "prefix length") != NULL);
	CHECK(filter_match(&f, &s));
	CHECK(filter_parse_expr(&f, "sport = 81", err, sizeof err) == 0);
	CHECK(!filter_match(&f, &s));
	CHECK(filter_parse_expr(&f, " ", err, sizeof err) == 0);
	CHECK(filter_match(&f, &s));

	/* The kernel bytecode passes the kernel's audit and agrees with
	 * filter_match on every port pair around the range edges. */
	filter_init(&f);
	CHECK(diag_compile_filter(&f, bc, sizeof bc) == 0);
	CHECK(filter_parse_ports(&f, "22,8000-8080,65535", err, sizeof err) ==
	    0);
	len = diag_compile_filter(&f, bc, sizeof bc);
	CHECK(len > 0);
	CHECK(kbc_audit(bc, len) == 0);
	{
		static const unsigned ports[] = { 1, 21, 22, 23, 7999, 8000,
		    8040, 8080, 8081, 65534, 65535 };
		size_t i, j;
		int agree = 1;

		for (i = 0; i < sizeof ports / sizeof ports[0]; i++)
			for (j = 0; j < sizeof ports / sizeof ports[0]; j++) {
				s = sample(AF_INET, TCP_ESTABLISHED, ports[i],
				    ports[j]);
				if (kbc_run_sample(bc, len, &s) !=
				    filter_match(&f, &s))
					agree = 0;
			}
		CHECK(agree);
	}
	CHECK(diag_compile_filter(&f, bc, 10) == -1);
	return check_done();
}
