/* ss-like filter expressions: what parses into which tree, what is
 * refused with which message, what matches which socket; and, on random
 * expressions and sockets, that the bytecode diag compiles passes the
 * kernel's audit and keeps what filter_match keeps. */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "check.h"
#include "kernel_bc.h"
#include "tcptop/cgroup.h"
#include "tcptop/diag.h"
#include "tcptop/fexpr.h"
#include "tcptop/filter.h"
#include "tcptop/resolve.h"
#include "tcptop/tcpstate.h"

/* Write node i of e as a Lisp-like form, to compare trees as text. */
static void
show(const struct fexpr *e, int i, char *buf, size_t len)
{
	static const char *const kinds[] = { "?", "and", "or", "not",
	    "sport", "dport", "src", "dst", "state", "dev", "fwmark",
	    "cgroup" };
	static const char *const cmps[] = { "=", "!=", "<", "<=", ">", ">=" };
	const struct fexpr_node *n = &e->nodes[i];
	size_t off = strlen(buf);
	char addr[INET6_ADDRSTRLEN];

	if (off >= len)
		return;
	switch (n->kind) {
	case FEXPR_AND:
	case FEXPR_OR:
		snprintf(buf + off, len - off, "(%s ", kinds[n->kind]);
		show(e, n->a, buf, len);
		strncat(buf, " ", len - strlen(buf) - 1);
		show(e, n->b, buf, len);
		strncat(buf, ")", len - strlen(buf) - 1);
		break;
	case FEXPR_NOT:
		snprintf(buf + off, len - off, "(not ");
		show(e, n->a, buf, len);
		strncat(buf, ")", len - strlen(buf) - 1);
		break;
	case FEXPR_SPORT:
	case FEXPR_DPORT:
		snprintf(buf + off, len - off, "%s%s%u", kinds[n->kind],
		    cmps[n->cmp], n->port);
		break;
	case FEXPR_SRC:
	case FEXPR_DST:
		inet_ntop(n->family, n->addr, addr, sizeof addr);
		snprintf(buf + off, len - off, "%s %s/%u", kinds[n->kind],
		    addr, n->prefix);
		break;
	case FEXPR_STATE:
		snprintf(buf + off, len - off, "state %#x", n->states);
		break;
	case FEXPR_DEV:
		snprintf(buf + off, len - off, "dev %u", n->ifindex);
		break;
	case FEXPR_MARK:
		snprintf(buf + off, len - off, "fwmark %#x/%#x", n->mark,
		    n->mask);
		break;
	case FEXPR_CGROUP:
		snprintf(buf + off, len - off, "cgroup %llu",
		    (unsigned long long)n->cgroup_id);
		break;
	case FEXPR_AUTO:
		snprintf(buf + off, len - off, "auto %u-%u", n->port,
		    n->port_hi);
		break;
	default:
		snprintf(buf + off, len - off, "?");
		break;
	}
}

static const char *
tree(const struct fexpr *e)
{
	static char buf[2048];

	buf[0] = '\0';
	if (e->root < 0)
		return "(empty)";
	show(e, e->root, buf, sizeof buf);
	return buf;
}

#define B(s) (1U << (s))

/* Accepted text and the tree it must give. */
static const struct {
	const char *text;
	const char *tree;
} accepts[] = {
	{ "", "(empty)" },
	{ "   \t ", "(empty)" },
	{ "sport = 80", "sport=80" },
	{ "sport=80", "sport=80" },
	{ "sport == :80", "sport=80" },
	{ "SPORT EQ 80", "sport=80" },
	{ "sport 80", "sport=80" },
	{ "sport :0", "sport=0" },
	{ "dport != 22", "dport!=22" },
	{ "dport ne 22", "dport!=22" },
	{ "dport neq 22", "dport!=22" },
	{ "sport < 1024", "sport<1024" },
	{ "sport lt 1024", "sport<1024" },
	{ "sport <= 1024", "sport<=1024" },
	{ "sport le 1024", "sport<=1024" },
	{ "sport > 1024", "sport>1024" },
	{ "sport gt 1024", "sport>1024" },
	{ "sport >= :65535", "sport>=65535" },
	{ "sport ge 1024", "sport>=1024" },
	{ "fwmark = 0x1/0xff", "fwmark 0x1/0xff" },
	{ "FWMARK 7", "fwmark 0x7/0xffffffff" },
	{ "fwmark != 010/0", "(not fwmark 0x8/0)" },
	{ "fwmark eq 4294967295", "fwmark 0xffffffff/0xffffffff" },
	{ "state listen and fwmark 1 and state estab",
	    "(and (and state 0x400 fwmark 0x1/0xffffffff) state 0x2)" },
	{ "port = 443", "(or sport=443 dport=443)" },
	{ "port > 1024", "(or sport>1024 dport>1024)" },
	{ "port != 22", "(not (or sport=22 dport=22))" },
	{ "src 10.0.0.1", "src 10.0.0.1/32" },
	{ "src = 10.0.0.0/8", "src 10.0.0.0/8" },
	{ "dst eq 0.0.0.0/0", "dst 0.0.0.0/0" },
	{ "dst ::1", "dst ::1/128" },
	{ "dst [::1]", "dst ::1/128" },
	{ "dst fe80::/10", "dst fe80::/10" },
	{ "dst [fe80::/10]", "dst fe80::/10" },
	{ "dst [fe80::]/10", "dst fe80::/10" },
	{ "dst ::ffff:127.0.0.1", "dst ::ffff:127.0.0.1/128" },
	{ "src 127.0.0.1:8080", "(and src 127.0.0.1/32 sport=8080)" },
	{ "src 10.0.0.0/8:22", "(and src 10.0.0.0/8 sport=22)" },
	{ "dst [::1]:443", "(and dst ::1/128 dport=443)" },
	{ "dst [2001:db8::]/32:443", "(and dst 2001:db8::/32 dport=443)" },
	{ "dst [::1]:*", "dst ::1/128" },
	{ "dst *:443", "dport=443" },
	/* Ports as ss reads them: C's notation, service names, alone. */
	{ "sport = 0x16", "sport=22" },
	{ "sport = :026", "sport=22" },
	{ "sport = :0", "sport=0" },
	{ "dport < :0xffff", "dport<65535" },
	{ "sport = :ssh", "sport=22" },
	{ "port = ssh", "(or sport=22 dport=22)" },
	{ "dst :22", "dport=22" },
	{ "dst :ssh", "dport=22" },
	{ "src *:0x50", "sport=80" },
	{ "src *", "sport>=0" },
	{ "src *:*", "sport>=0" },
	{ "dst *", "dport>=0" },
	{ "src :", "sport>=0" },
	{ "src 1.2.3.4:", "src 1.2.3.4/32" },
	{ "dst 10.0.0.0/8:ssh", "(and dst 10.0.0.0/8 dport=22)" },
	{ "dst fe80::1/64:22", "(and dst fe80::1/64 dport=22)" },
	{ "dst [fe80::]/10:ssh", "(and dst fe80::/10 dport=22)" },
	/* Devices: a name in this namespace (lo is always 1), or a
	 * number as ss reads it. */
	{ "dev lo", "dev 1" },
	{ "dev = lo", "dev 1" },
	{ "dev 0x2", "dev 2" },
	{ "dev != 3", "(not dev 3)" },
	{ "dev lo or dev 7 and sport = 1", "(and (or dev 1 dev 7) sport=1)" },
	/* Host names with one address (/etc/hosts). */
	{ "src localhost", "src 127.0.0.1/32" },
	{ "src localhost:ssh", "(and src 127.0.0.1/32 sport=22)" },
	{ "src != 10.0.0.1", "(not src 10.0.0.1/32)" },
	{ "state established", "state 0x2" },
	{ "state ESTAB,listen", "state 0x402" },
	{ "state = time-wait", "state 0x40" },
	{ "state != listen", "(not state 0x400)" },
	{ "state connected", "state 0xb7e" },
	/* As ss (ssfilter.y): not binds tightest; and, or and adjacency
	 * bind alike, from left to right. */
	{ "sport = 1 or sport = 2 and sport = 3",
	    "(and (or sport=1 sport=2) sport=3)" },
	{ "sport = 1 and sport = 2 or sport = 3",
	    "(or (and sport=1 sport=2) sport=3)" },
	{ "sport = 1 sport = 2 || sport = 3",
	    "(or (and sport=1 sport=2) sport=3)" },
	{ "sport = 1 || sport = 2 sport = 3",
	    "(and (or sport=1 sport=2) sport=3)" },
	{ "sport = 1 or sport = 2 or sport = 3 and dport = 4",
	    "(and (or (or sport=1 sport=2) sport=3) dport=4)" },
	{ "sport = 1 or (sport = 2 and sport = 3)",
	    "(or sport=1 (and sport=2 sport=3))" },
	{ "not sport = 1 and sport = 2", "(and (not sport=1) sport=2)" },
	{ "not sport = 1 or sport = 2", "(or (not sport=1) sport=2)" },
	{ "!sport = 1 && !(sport = 2 | sport = 3)",
	    "(and (not sport=1) (not (or sport=2 sport=3)))" },
	{ "(sport = 1 or sport = 2) dport = 3",
	    "(and (or sport=1 sport=2) dport=3)" },
	{ "sport = 1 & dport = 2 & dport = 3",
	    "(and (and sport=1 dport=2) dport=3)" },
	{ "not not sport = 1", "(not (not sport=1))" },
	{ "((((sport = 1))))", "sport=1" },
	{ "NOT Src 10.0.0.1 AND dst 10.0.0.2 OR State LISTEN",
	    "(or (and (not src 10.0.0.1/32) dst 10.0.0.2/32) state 0x400)" },
	{ "State LISTEN or src 10.0.0.1 and dst 10.0.0.2",
	    "(and (or state 0x400 src 10.0.0.1/32) dst 10.0.0.2/32)" },
	{ "\tsport\n=\r80\v", "sport=80" },
};

/* Refused text and a piece of the message it must give. */
static const struct {
	const char *text;
	const char *msg;
} rejects[] = {
	{ "sport =", "expected a port after \"sport =\" at column 8" },
	{ "sport = foo", "port \"foo\" at column 9 is no number and no TCP "
	    "service" },
	{ "sport", "expected a port after \"sport\" at column 6" },
	{ "sport = )", "expected a port after \"sport =\" at column 9, "
	    "not \")\"" },
	{ "sport = 70000", "port \"70000\" at column 9 is out of range "
	    "0-65535" },
	{ "sport = 0x10000", "port \"0x10000\" at column 9 is out of range" },
	{ "sport = 99999999999999999999999", "out of range" },
	{ "sport = -1", "is out of range 0-65535" },
	{ "sport = 8o", "is no number and no TCP service" },
	{ "sport = 08", "port \"08\" at column 9 is no number" },
	{ "sport = 0x", "port \"0x\" at column 9 is no number" },
	{ "sport = ::80", "port \":80\" at column 9 is no number" },
	{ "foo", "unknown word \"foo\" at column 1" },
	{ "sport = 1 foo", "unknown word \"foo\" at column 11" },
	{ "sport = 1)", "unbalanced \")\" at column 10" },
	{ ")", "expected a term at column 1, not \")\"" },
	{ "(sport = 1", "unbalanced \"(\" at column 1" },
	{ "((sport = 1)", "unbalanced \"(\" at column 1" },
	{ "()", "expected a term after \"(\" at column 2, not \")\"" },
	{ "sport = 1 and", "expected a term after \"and\" at column 14" },
	{ "sport = 1 or or", "expected a term after \"or\" at column 14, "
	    "not \"or\"" },
	{ "and sport = 1", "expected a term at column 1, not \"and\"" },
	{ "not", "expected a term after \"not\" at column 4" },
	{ "sport = 1 = 2", "at column 11, not \"=\"" },
	{ "sport = 1 (sport = 2", "unbalanced \"(\" at column 11" },
	{ "(sport = 1 = 2)", "expected \")\" at column 12, not \"=\"" },
	{ "src", "expected an address after \"src\" at column 4" },
	{ "src no-such-host.invalid", "bad address \"no-such-host.invalid\" at "
	    "column 5: not an address or a known host name" },
	{ "src localhost/8", "not an IPv4 address" },
	{ "src 10.0.0.0/33", "prefix length above 32" },
	{ "src ::/129", "prefix length above 128" },
	{ "src 10.0.0.0/x", "bad prefix length" },
	{ "src 1.2.3.4:99999", "port \"99999\" is out of range 0-65535" },
	{ "src 1.2.3.4:foo", "port \"foo\" is no number and no TCP service" },
	{ "src [::1", "no \"]\"" },
	{ "src [::1]x", "junk after" },
	{ "src [::1/8]/8", "two prefix lengths" },
	{ "src 1:2:3", "not an IPv6 address" },
	{ "src < 10.0.0.1", "operator \"<\" does not apply to addresses at "
	    "column 5" },
	{ "dst ge 10.0.0.1", "operator \"ge\" does not apply to addresses" },
	{ "state", "expected a state name after \"state\" at column 6" },
	{ "state bogus", "unknown state \"bogus\" at column 7" },
	{ "state estab,bogus", "unknown state \"bogus\" at column 13" },
	{ "state estab,", "empty state name at column 13" },
	{ "state ,estab", "empty state name at column 7" },
	{ "state > listen", "operator \">\" does not apply to states" },
	{ "dev", "expected a device after \"dev\" at column 4" },
	{ "fwmark", "expected a mark after \"fwmark\" at column 7" },
	{ "fwmark = x1", "bad mark \"x1\" at column 10 (MARK or MARK/MASK, "
	    "32-bit numbers)" },
	{ "fwmark 0x100000000", "bad mark \"0x100000000\" at column 8" },
	{ "fwmark 1/", "bad mark \"1/\"" },
	{ "fwmark -1", "bad mark \"-1\"" },
	{ "fwmark 1/2/3", "bad mark \"1/2/3\"" },
	{ "fwmark > 1", "operator \">\" does not apply to marks at column 8" },
	{ "fwmark 1 or state listen", "fwmark with a state term under "
	    "\"or\" or \"not\" cannot be exact" },
	{ "not (fwmark 1 and state listen)", "cannot be exact" },
	{ "state != listen and fwmark 1", "cannot be exact" },
	{ "cgroup", "expected a cgroup path after \"cgroup\" at column 7" },
	{ "cgroup < /", "operator \"<\" does not apply to cgroups" },
	{ "not cgroup /no/such/tcptop-cgroup",
	    "cgroup \"/no/such/tcptop-cgroup\" at column 12: " },
	{ "cgroup /proc", "cgroup \"/proc\" at column 8: " },
	{ "dev no-such-dev0", "no device \"no-such-dev0\" at column 5 (in this "
	    "network namespace)" },
	{ "dev -1", "no device \"-1\"" },
	{ "dev 0x100000000", "no device" },
	{ "dev < lo", "operator \"<\" does not apply to devices" },
	{ "sport = 1 \001", "at column 11, not control character 0x01" },
};

struct sample_spec {
	int family;
	const char *local;
	unsigned lport;
	const char *remote;
	unsigned rport;
	int state;
	uint32_t mark;		/* SO_MARK, when has_mark */
	int has_mark;		/* 0: the kernel sent none (unknown) */
};

static struct conn_sample
make_sample(const struct sample_spec *sp)
{
	struct conn_sample s;

	memset(&s, 0, sizeof s);
	s.family = (uint8_t)sp->family;
	s.state = (uint8_t)sp->state;
	s.lport = (uint16_t)sp->lport;
	s.rport = (uint16_t)sp->rport;
	inet_pton(sp->family, sp->local, s.local);
	inet_pton(sp->family, sp->remote, s.remote);
	if (sp->has_mark)
		s.mark = conn_mark_intern(sp->mark);
	return s;
}

static const struct sample_spec s4 = { AF_INET, "10.1.2.3", 22,
	"192.168.7.9", 50000, TCP_ESTABLISHED, 0, 0 };
static const struct sample_spec s4l = { AF_INET, "0.0.0.0", 80,
	"0.0.0.0", 0, TCP_LISTEN, 0, 0 };
static const struct sample_spec s6 = { AF_INET6, "2001:db8::1", 443,
	"fe80::2", 1234, TCP_TIME_WAIT, 0, 0 };
static const struct sample_spec smap = { AF_INET6, "::ffff:10.1.2.3", 8080,
	"::ffff:127.0.0.1", 40000, TCP_CLOSE_WAIT, 0, 0 };
static const struct sample_spec smark = { AF_INET, "10.1.2.3", 22,
	"192.168.7.9", 50000, TCP_ESTABLISHED, 0x1234, 1 };
static const struct sample_spec smark0 = { AF_INET, "10.1.2.3", 22,
	"192.168.7.9", 50000, TCP_ESTABLISHED, 0, 1 };
static const struct sample_spec sany6 = { AF_INET6, "::", 22, "::", 0,
	TCP_LISTEN, 0, 0 };

/* What matches what. */
static const struct {
	const char *text;
	const struct sample_spec *s;
	int want;
} matches[] = {
	{ "", &s4, 1 },
	{ "sport = 22", &s4, 1 },
	{ "sport = 23", &s4, 0 },
	{ "dport = 22", &s4, 0 },
	{ "sport != 22", &s4, 0 },
	{ "sport < 22", &s4, 0 },
	{ "sport <= 22", &s4, 1 },
	{ "sport > 21", &s4, 1 },
	{ "sport >= 23", &s4, 0 },
	{ "dport > 49999", &s4, 1 },
	{ "port = 50000", &s4, 1 },
	{ "port = 22", &s4, 1 },
	{ "port = 23", &s4, 0 },
	{ "port != 22", &s4, 0 },
	{ "port != 23", &s4, 1 },
	{ "port < 23", &s4, 1 },
	{ "port > 60000", &s4, 0 },
	{ "dport = 0", &s4l, 1 },
	/* Addresses and prefixes, bit by bit. */
	{ "src 10.1.2.3", &s4, 1 },
	{ "src 10.1.2.4", &s4, 0 },
	{ "src 10.0.0.0/8", &s4, 1 },
	{ "src 10.1.2.0/31", &s4, 0 },
	{ "src 10.1.2.2/31", &s4, 1 },
	{ "src 11.0.0.0/7", &s4, 1 },
	{ "src 11.0.0.0/8", &s4, 0 },
	{ "src 0.0.0.0/0", &s4, 1 },
	{ "dst 192.168.0.0/16", &s4, 1 },
	{ "dst 192.168.0.0/24", &s4, 0 },
	{ "src 10.1.2.3:22", &s4, 1 },
	{ "src 10.1.2.3:23", &s4, 0 },
	{ "dst *:50000", &s4, 1 },
	{ "src != 10.1.2.3", &s4, 0 },
	/* Families: an IPv6 prefix never matches IPv4, even ::/0. */
	{ "src ::/0", &s4, 0 },
	{ "src ::/0", &s6, 1 },
	{ "src 0.0.0.0/0", &s6, 0 },
	{ "src 2001:db8::/32", &s6, 1 },
	{ "src 2001:db9::/32", &s6, 0 },
	{ "src 2001:db8::1/128", &s6, 1 },
	{ "dst fe80::/10", &s6, 1 },
	{ "dst [fe80::2]:1234", &s6, 1 },
	{ "dst [fe80::2]:1235", &s6, 0 },
	/* IPv4 conditions see through IPv4-mapped IPv6 addresses, as the
	 * kernel does; an IPv6 condition on the mapped form matches it too,
	 * and a mapped condition never matches a plain IPv4 socket. */
	{ "src 10.1.2.3", &smap, 1 },
	{ "src 10.0.0.0/8", &smap, 1 },
	{ "src 10.1.2.4", &smap, 0 },
	{ "src 0.0.0.0/0", &smap, 1 },
	{ "dst 127.0.0.1:40000", &smap, 1 },
	{ "src ::ffff:10.1.2.3", &smap, 1 },
	{ "src ::ffff:0:0/96", &smap, 1 },
	{ "src ::ffff:10.1.2.3", &s4, 0 },
	{ "src 0.0.0.0/0", &sany6, 0 },
	{ "src ::", &sany6, 1 },
	/* States. */
	/* Devices: these sockets are bound to none (ifindex 0). */
	{ "dev 0", &s4, 1 },
	{ "dev lo", &s4, 0 },
	{ "dev != lo", &s4, 1 },
	{ "state estab", &s4, 1 },
	{ "state listen", &s4, 0 },
	{ "state time-wait", &s6, 1 },
	{ "state connected", &s4l, 0 },
	{ "state != listen", &s4l, 0 },
	{ "state !=listen", &s4, 1 },
	/* Marks: (mark & mask) == value, as the kernel's MARK_COND. */
	{ "fwmark 0x1234", &smark, 1 },
	{ "fwmark = 0x34/0xff", &smark, 1 },
	{ "fwmark = 0x35/0xff", &smark, 0 },
	{ "fwmark != 0x1234", &smark, 0 },
	{ "fwmark 0x1234/0x0f00", &smark, 0 },
	{ "fwmark 0/0", &smark, 1 },
	{ "fwmark 0", &smark0, 1 },
	{ "fwmark 0", &smark, 0 },
	{ "fwmark 1 and sport = 22", &smark0, 0 },
	/* No mark reported (request and timewait sockets, or no
	 * CAP_NET_ADMIN): the kernel's MARK_COND decided; a known term
	 * still decides where it can. */
	{ "fwmark 1", &s4, 1 },
	{ "not fwmark 1", &s4, 1 },
	{ "fwmark 1 and sport = 23", &s4, 0 },
	{ "fwmark 1 or sport = 22", &s4, 1 },
	{ "not (fwmark 1 or sport = 22)", &s4, 0 },
	{ "state listen and fwmark 1", &s4, 0 },
	{ "state estab and not fwmark 1", &s4, 1 },
	/* Operators. */
	{ "sport = 22 and dport = 50000", &s4, 1 },
	{ "sport = 22 dport = 50001", &s4, 0 },
	{ "sport = 21 or dport = 50000", &s4, 1 },
	{ "sport = 21 || dport = 50001", &s4, 0 },
	{ "not sport = 21", &s4, 1 },
	{ "!(sport = 22 or sport = 80)", &s4l, 0 },
	{ "!(sport = 22 or sport = 80)", &s6, 1 },
	{ "state listen or src 10.0.0.0/8 and dport > 1024", &s4, 1 },
	{ "(state listen or src 10.0.0.0/8) and dport > 60000", &s4, 0 },
	/* Left to right, as ss: the "or" does not save a failed "and". */
	{ "sport = 22 or sport = 80 and dport = 1", &s4, 0 },
	{ "sport = 22 or (sport = 80 and dport = 1)", &s4, 1 },
	{ "sport = 80 and dport = 1 or sport = 22", &s4, 1 },
};

/* fexpr_states: a superset of the states that can match. */
static const struct {
	const char *text;
	uint32_t states;
} state_masks[] = {
	{ "", TCPSTATE_ALL },
	{ "sport = 22", TCPSTATE_ALL },
	{ "state listen", B(TCP_LISTEN) },
	{ "state listen,estab and sport = 1", B(TCP_LISTEN) |
	    B(TCP_ESTABLISHED) },
	{ "state listen,estab and state estab", B(TCP_ESTABLISHED) },
	{ "state listen and state estab", 0 },
	{ "state listen or state estab", B(TCP_LISTEN) | B(TCP_ESTABLISHED) },
	{ "state listen or sport = 1", TCPSTATE_ALL },
	{ "not state listen", TCPSTATE_ALL & ~B(TCP_LISTEN) },
	{ "state != listen", TCPSTATE_ALL & ~B(TCP_LISTEN) },
	{ "not (state listen and sport = 1)", TCPSTATE_ALL },
	{ "not (state listen or sport = 1)", TCPSTATE_ALL & ~B(TCP_LISTEN) },
	{ "not not state listen", B(TCP_LISTEN) },
	{ "(state listen or state estab) and not state estab",
	    B(TCP_LISTEN) },
};

/* xorshift64*: the same expressions on every run unless FEXPR_SEED says
 * otherwise. */
static uint64_t rng = 0x746370746f70ULL;

static unsigned
pick(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545f4914f6cdd1dULL) >> 33) % n;
}

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

/* Addresses, prefixes and ports near each other, so that random terms and
 * random sockets meet often, at the edges of prefixes and ranges. */
static const char *const pool4[] = { "10.0.0.1", "10.0.0.2", "10.1.2.3",
	"127.0.0.1", "192.168.1.1", "0.0.0.0", "10.0.0.0", "128.0.0.0",
	"255.255.255.255" };
static const char *const pool6[] = { "::1", "::", "2001:db8::1",
	"2001:db8:1::5", "fe80::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
	"::ffff:192.168.1.1", "::ffff:0:0", "::fffe:a00:1", "8000::",
	"ffff::" };
static const unsigned prefixes4[] = { 0, 1, 7, 8, 9, 16, 24, 31, 32 };
static const unsigned prefixes6[] = { 0, 1, 10, 32, 64, 95, 96, 97, 104,
	120, 127, 128 };
static const unsigned ports[] = { 0, 1, 22, 80, 443, 1023, 1024, 8080,
	40000, 65534, 65535 };
static const char *const port_ops[] = { "", "=", "==", "eq", "!=", "ne",
	"<", "lt", "<=", "le", ">", "gt", ">=", "ge" };
static const char *const states[] = { "listen", "estab", "time-wait",
	"SYN_RECV", "fin-wait-2", "connected", "bucket", "close" };

static const uint32_t marks[] = { 0, 1, 2, 3, 0x10, 0xff, 0x100,
	0xffffffff };
static const char *const mark_masks[] = { "", "/0xff", "/0", "/1",
	"/0xffffffff", "/0x10" };
/* A cgroup that "cgroup /" names, when there is a cgroup2 mount. */
static uint64_t root_cgroup;

static unsigned
rand_port(void)
{
	return pick(4) ? ports[pick(NELEM(ports))] : pick(65536);
}

static size_t
cat(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static size_t
cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off + 1 < len) {
		va_start(ap, fmt);
		vsnprintf(buf + off, len - off, fmt, ap);
		va_end(ap);
	}
	return strlen(buf);
}

/* Append a random expression of at most depth levels. */
static void
gen(char *buf, size_t len, int depth)
{
	static const char *const ands[] = { " and ", " && ", " & ", " ",
	    " AND " };
	static const char *const ors[] = { " or ", " || ", " | ", " Or " };
	unsigned k = depth <= 0 ? pick(5) : pick(10);
	char port[16] = "";

	if (pick(3) == 0)
		snprintf(port, sizeof port, ":%u", rand_port());
	if (k <= 1 && pick(3) == 0) {
		if (root_cgroup != 0 && pick(3) == 0)
			cat(buf, len, "cgroup %s/", pick(3) ? "" : "!= ");
		else
			cat(buf, len, "fwmark %s%#x%s", pick(3) ? "" : "!= ",
			    marks[pick(NELEM(marks))],
			    mark_masks[pick(NELEM(mark_masks))]);
		return;
	}
	switch (k) {
	case 0:
	case 1:
		cat(buf, len, "%s %s %s%u", (const char *[]){ "sport",
		    "dport", "port" }[pick(3)], port_ops[pick(NELEM(port_ops))],
		    pick(2) ? ":" : "", rand_port());
		break;
	case 2:
		cat(buf, len, "%s %s%s/%u%s", pick(2) ? "src" : "dst",
		    (const char *[]){ "", "= ", "!= " }[pick(3)],
		    pool4[pick(NELEM(pool4))],
		    prefixes4[pick(NELEM(prefixes4))], port);
		break;
	case 3:
		if (pick(2))
			cat(buf, len, "%s [%s]/%u%s", pick(2) ? "src" : "dst",
			    pool6[pick(NELEM(pool6))],
			    prefixes6[pick(NELEM(prefixes6))], port);
		else
			cat(buf, len, "%s %s%s/%u", pick(2) ? "src" : "dst",
			    pick(4) ? "" : "!= ", pool6[pick(NELEM(pool6))],
			    prefixes6[pick(NELEM(prefixes6))]);
		break;
	case 4:
		if (pick(4) == 0) {
			cat(buf, len, "dev %s%u", pick(3) ? "" : "!= ",
			    pick(3));
			break;
		}
		if (pick(3) == 0)
			cat(buf, len, "%s *:%u", pick(2) ? "src" : "dst",
			    rand_port());
		else if (pick(2))
			cat(buf, len, "state %s%s", pick(4) ? "" : "!= ",
			    states[pick(NELEM(states))]);
		else
			cat(buf, len, "state %s,%s",
			    states[pick(NELEM(states))],
			    states[pick(NELEM(states))]);
		break;
	case 5:
	case 6:
		cat(buf, len, pick(2) ? "not " : "!");
		if (pick(2)) {
			cat(buf, len, "(");
			gen(buf, len, depth - 1);
			cat(buf, len, ")");
		} else
			gen(buf, len, depth - 1);
		break;
	case 7:
	case 8:
		cat(buf, len, "(");
		gen(buf, len, depth - 1);
		cat(buf, len, "%s", ands[pick(NELEM(ands))]);
		gen(buf, len, depth - 1);
		cat(buf, len, ")");
		break;
	default:
		/* Without parentheses: left to right decides the tree. */
		gen(buf, len, depth - 1);
		cat(buf, len, "%s", ors[pick(NELEM(ors))]);
		gen(buf, len, depth - 1);
		break;
	}
}

/* A socket of either family, its addresses from the pools, sometimes with
 * one bit flipped, sometimes IPv4-mapped. */
static void
rand_sample(struct conn_sample *s)
{
	int k;

	memset(s, 0, sizeof *s);
	s->family = pick(2) ? AF_INET : AF_INET6;
	s->state = (uint8_t)(TCPSTATE_MIN + pick(TCPSTATE_MAX));
	s->lport = (uint16_t)rand_port();
	s->rport = (uint16_t)rand_port();
	s->ifindex = pick(3);
	s->mark = conn_mark_intern(marks[pick(NELEM(marks))]);
	s->cgroup = pick(3) == 0 ? 0 : cgroup_intern(pick(2) ? root_cgroup :
	    root_cgroup + 1 + pick(2));
	for (k = 0; k < 2; k++) {
		uint8_t *a = k ? s->remote : s->local;
		size_t alen = s->family == AF_INET ? 4 : 16;

		if (s->family == AF_INET)
			inet_pton(AF_INET, pool4[pick(NELEM(pool4))], a);
		else if (pick(3) == 0) {
			a[10] = a[11] = 0xff;
			inet_pton(AF_INET, pool4[pick(NELEM(pool4))], a + 12);
		} else
			inet_pton(AF_INET6, pool6[pick(NELEM(pool6))], a);
		if (pick(2)) {
			unsigned bit = pick((unsigned)alen * 8);

			a[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
		}
	}
}

static int
has_state_term(const struct fexpr *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->nodes[i].kind == FEXPR_STATE)
			return 1;
	return 0;
}

/* Random expressions (and sometimes port ranges) against random sockets,
 * through the compiler and the model of the kernel (kernel_bc.h): the
 * program must (a) pass the audit, (b) keep exactly what filter_match
 * keeps when the expression has no state term, and (c) never drop a
 * socket filter_match keeps. */
static void
test_random(void)
{
	const int nexpr = 10000, nsamples = 64;
	unsigned long exact = 0, kept = 0, extra = 0, skipped = 0;
	unsigned long unknown = 0, withmark = 0;
	int i, bad = 0;
	const char *seed = getenv("FEXPR_SEED");
	const char *why;

	if (seed != NULL)
		rng = strtoull(seed, NULL, 0) | 1;
	if (cgroup_path_id("/", &root_cgroup, &why) == -1)
		printf("random: no cgroup terms (/: %s)\n", why);
	for (i = 0; i < nexpr && bad < 5; i++) {
		static struct filter f;
		uint8_t bc[8192];
		char text[4096] = "", err[160], ranges[64];
		uint32_t mask;
		int len, j, ex;

		gen(text, sizeof text, 1 + (int)pick(6));
		filter_init(&f);
		if (filter_parse_expr(&f, text, err, sizeof err) == -1) {
			/* Only a random tree too big may fail, or one that
			 * tests marks and, under or or not, states. */
			if (!CHECK(strstr(err, "too long") != NULL ||
			    strstr(err, "cannot be exact") != NULL)) {
				fprintf(stderr, "  \"%s\": %s\n", text, err);
				bad++;
			}
			skipped++;
			continue;
		}
		if (pick(3) == 0) {
			unsigned lo = 1 + pick(65535), hi;

			hi = lo + (pick(2) ? 0 : pick(65536 - lo));
			snprintf(ranges, sizeof ranges, "%u-%u,%u", lo, hi,
			    (unsigned)ports[1 + pick(NELEM(ports) - 1)]);
			CHECK(filter_parse_ports(&f, ranges, err, sizeof err) ==
			    0);
		}
		len = diag_compile_filter(&f, bc, sizeof bc);
		if (!CHECK(len >= 0) || (len > 0 &&
		    !CHECK(kbc_audit_admin(bc, len, 1) == 0)) || (len > 0 &&
		    !CHECK((kbc_audit(bc, len) == 0) ==
		    !fexpr_has_mark(&f.expr)))) {
			fprintf(stderr, "  \"%s\": bytecode %d bytes refused\n",
			    text, len);
			bad++;
			continue;
		}
		ex = !has_state_term(&f.expr);
		exact += (unsigned long)ex;
		withmark += (unsigned long)fexpr_has_mark(&f.expr);
		mask = tcpstate_kernel_mask(f.states & fexpr_states(&f.expr));
		for (j = 0; j < nsamples; j++) {
			struct conn_sample s;
			int user, kernel;

			rand_sample(&s);
			user = filter_match(&f, &s);
			kernel = len > 0 ? kbc_run_sample(bc, len, &s) : 1;
			if (kernel == -1) {
				CHECK(0);
				bad++;
				break;
			}
			kernel = kernel && (mask >> s.state & 1);
			if (pick(4) == 0) {
				/* No mark reported (a timewait or request
				 * socket): what the kernel keeps and the
				 * user-space check then keeps is still
				 * what the socket's true mark says. */
				struct conn_sample u = s;

				u.mark = 0;
				unknown++;
				if (CHECK((kernel && filter_match(&f, &u)) ==
				    user))
					continue;
				fprintf(stderr, "  \"%s\" without the mark: "
				    "kernel %d, filter_match %d, truth %d\n",
				    text, kernel, filter_match(&f, &u), user);
				bad++;
				break;
			}
			kept += (unsigned long)user;
			extra += (unsigned long)(kernel && !user);
			if ((user && !kernel) || (ex && kernel != user)) {
				char l[CONN_ENDPOINT_LEN], r[CONN_ENDPOINT_LEN];

				CHECK(0);
				fprintf(stderr, "  \"%s\"%s%s on %s %s -> %s: "
				    "kernel %d, filter_match %d\n", text,
				    f.nranges ? " -p " : "", f.nranges ?
				    ranges : "", tcpstate_name(s.state),
				    conn_fmt_endpoint(&s, 0, l, sizeof l),
				    conn_fmt_endpoint(&s, 1, r, sizeof r),
				    kernel, user);
				bad++;
				break;
			}
		}
	}
	printf("random: %d expressions (%lu without state terms, %lu with "
	    "marks, %lu refused), %lu of %lu sockets kept, %lu more by the "
	    "kernel, %lu without a mark\n", i, exact, withmark, skipped, kept,
	    (unsigned long)i * nsamples, extra, unknown);
	if (bad)
		fprintf(stderr, "  (FEXPR_SEED=%s to repeat)\n",
		    seed != NULL ? seed : "default");
	/* Not vacuous: both kinds were common, and sockets were kept. */
	CHECK(exact > (unsigned long)nexpr / 4);
	CHECK((unsigned long)i - skipped - exact > (unsigned long)nexpr / 10);
	CHECK(kept > (unsigned long)nexpr * nsamples / 20);
	CHECK(extra > 0);
	CHECK(withmark > (unsigned long)nexpr / 10);
	CHECK(unknown > (unsigned long)nexpr);
}

/* cgroup PATH: the id the kernel reports (the directory's inode number,
 * as cgroup.c's map reads it), found from an absolute path or one below
 * the mount, and matched on the interned id. */
static void
test_cgroup(void)
{
	char mnt[4096], text[4200], err[160], want[64];
	struct fexpr e;
	struct conn_sample s;
	struct stat st;
	uint64_t id, id2;
	const char *why = NULL;

	if (cgroup_find_mount("/proc/self/mountinfo", mnt, sizeof mnt) ==
	    -1) {
		printf("cgroup: no cgroup2 mount, skipped\n");
		return;
	}
	CHECK(cgroup_path_id("/", &id, &why) == 0);
	CHECK(stat(mnt, &st) == 0 && (uint64_t)st.st_ino == id);
	CHECK(cgroup_path_id(mnt, &id2, &why) == 0 && id2 == id);
	CHECK(cgroup_path_id("///", &id2, &why) == 0 && id2 == id);
	CHECK(cgroup_path_id("/proc", &id2, &why) == -1 && why != NULL);
	snprintf(text, sizeof text, "cgroup = %s", mnt);
	CHECK(fexpr_parse(&e, text, err, sizeof err) == 0);
	snprintf(want, sizeof want, "cgroup %llu", (unsigned long long)id);
	if (!CHECK(strcmp(tree(&e), want) == 0))
		fprintf(stderr, "  %s: %s, not %s\n", text, tree(&e), want);
	memset(&s, 0, sizeof s);
	s.cgroup = cgroup_intern(id);
	CHECK(fexpr_match(&e, &s) == 1);
	s.cgroup = 0;		/* request and timewait sockets */
	CHECK(fexpr_match(&e, &s) == 0);
	s.cgroup = cgroup_intern(id + 1);
	CHECK(fexpr_match(&e, &s) == 0);
	CHECK(fexpr_parse(&e, "cgroup != /", err, sizeof err) == 0);
	CHECK(fexpr_match(&e, &s) == 1);
}

/* Programs made by hand-picked expressions: what the kernel model says
 * of a few sockets, and the buffer limit. */
static void
test_bytecode(void)
{
	static struct filter f;
	static const struct {
		const char *text;
		const struct sample_spec *s;
		int kernel;	/* what the program alone says */
	} cases[] = {
		{ "src 10.1.2.3", &smap, 1 },
		{ "src 10.1.2.3", &s4, 1 },
		{ "src ::ffff:10.1.2.3", &s4, 0 },
		{ "src 0.0.0.0/0", &sany6, 0 },
		{ "dst [fe80::2]:1234", &s6, 1 },
		{ "port != 22", &s4, 0 },
		{ "port != 23", &s4, 1 },
		/* A state term is true for the program... */
		{ "state listen and sport = 22", &s4, 1 },
		{ "state listen or sport = 23", &s4, 1 },
		{ "not (state estab and sport = 22)", &s4, 1 },
		/* ...and an exact other side still filters. */
		{ "(state listen or sport = 23) and dport = 1", &s4, 0 },
	};
	uint8_t bc[8192];
	char err[160];
	size_t i;
	int len;

	for (i = 0; i < NELEM(cases); i++) {
		struct conn_sample s = make_sample(cases[i].s);

		filter_init(&f);
		CHECK(filter_parse_expr(&f, cases[i].text, err, sizeof err) ==
		    0);
		len = diag_compile_filter(&f, bc, sizeof bc);
		CHECK(len >= 0);
		if (len > 0)
			CHECK(kbc_audit(bc, len) == 0);
		if (!CHECK((len == 0 ? 1 : kbc_run_sample(bc, len, &s)) ==
		    cases[i].kernel))
			fprintf(stderr, "  \"%s\": the program should say "
			    "%d\n", cases[i].text, cases[i].kernel);
	}
	/* Nothing for the kernel to test: no program. */
	filter_init(&f);
	CHECK(diag_compile_filter(&f, bc, sizeof bc) == 0);
	CHECK(filter_parse_expr(&f, "state listen or not state estab", err,
	    sizeof err) == 0);
	CHECK(diag_compile_filter(&f, bc, sizeof bc) == 0);
	/* The biggest expression and all the ranges fit the request's
	 * buffer; a small buffer is refused. */
	{
		char text[4096] = "", ports_text[1024] = "";
		int k;

		for (k = 0; k < 32; k++)
			cat(text, sizeof text, "%sdst [2001:db8::%x]/%d",
			    k ? " or " : "", k, 64 + k);
		for (k = 0; k < FILTER_MAX_RANGES; k++)
			cat(ports_text, sizeof ports_text, "%s%d-%d",
			    k ? "," : "", 100 * k + 1, 100 * k + 50);
		CHECK(filter_parse_expr(&f, text, err, sizeof err) == 0);
		CHECK(filter_parse_ports(&f, ports_text, err, sizeof err) ==
		    0);
		len = diag_compile_filter(&f, bc, sizeof bc);
		CHECK(len > 0 && len <= FILTER_MAX_RANGES * 40 +
		    FEXPR_MAX_NODES * 32);
		CHECK(kbc_audit(bc, len) == 0);
		CHECK(diag_compile_filter(&f, bc, (size_t)len - 1) == -1);
		CHECK(diag_compile_filter(&f, bc, (size_t)len) == len);
	}
}

/* autobound: the kernel's half is one AUTO op in the program, ss's half
 * the local port in this namespace's ephemeral range, in fexpr_match;
 * "not autobound" negates each half on its own side. */
static void
test_autobound(void)
{
	static struct filter f;
	struct conn_sample s;
	uint8_t bc[64];
	char err[160];
	uint16_t lo, hi;
	int len;

	resolve_ephemeral(&lo, &hi);
	CHECK(lo <= hi);
	filter_init(&f);
	if (!CHECK(filter_parse_expr(&f, "autobound", err, sizeof err) == 0))
		return;
	CHECK(f.expr.local);
	CHECK_EQ(f.expr.nodes[f.expr.root].kind, FEXPR_AUTO);
	len = diag_compile_filter(&f, bc, sizeof bc);
	CHECK_EQ(len, 4);
	CHECK_EQ(bc[0], KBC_AUTO);
	CHECK(kbc_audit(bc, len) == 0);
	memset(&s, 0, sizeof s);
	s.family = AF_INET;
	s.state = TCP_ESTABLISHED;
	s.lport = lo;
	CHECK(filter_match(&f, &s));
	s.lport = hi;
	CHECK(filter_match(&f, &s));
	if (lo > 0) {
		s.lport = (uint16_t)(lo - 1);
		CHECK(!filter_match(&f, &s));
	}
	CHECK(filter_parse_expr(&f, "not autobound", err, sizeof err) == 0);
	len = diag_compile_filter(&f, bc, sizeof bc);
	CHECK_EQ(len, 8);
	CHECK_EQ(bc[4], KBC_JMP);
	CHECK(filter_match(&f, &s) == (lo > 0));
	/* Without a namespace name in it, an expression is not local. */
	CHECK(filter_parse_expr(&f, "sport = 1", err, sizeof err) == 0);
	CHECK(!f.expr.local);
}

int
main(void)
{
	struct fexpr e, keep;
	char err[160];
	size_t i;

	fexpr_init(&e);
	CHECK(e.root == -1 && e.n == 0);
	for (i = 0; i < sizeof accepts / sizeof accepts[0]; i++) {
		err[0] = '\0';
		if (!CHECK(fexpr_parse(&e, accepts[i].text, err, sizeof err) ==
		    0)) {
			fprintf(stderr, "  refused \"%s\": %s\n",
			    accepts[i].text, err);
			continue;
		}
		if (!CHECK(strcmp(tree(&e), accepts[i].tree) == 0))
			fprintf(stderr, "  \"%s\" gave %s, not %s\n",
			    accepts[i].text, tree(&e), accepts[i].tree);
	}

	/* A refusal says why in one line and leaves e as it was. */
	CHECK(fexpr_parse(&keep, "sport = 7 or dst 10.0.0.0/8", err,
	    sizeof err) == 0);
	for (i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
		e = keep;
		err[0] = '\0';
		if (!CHECK(fexpr_parse(&e, rejects[i].text, err, sizeof err) ==
		    -1)) {
			fprintf(stderr, "  accepted \"%s\" as %s\n",
			    rejects[i].text, tree(&e));
			continue;
		}
		if (!CHECK(strstr(err, rejects[i].msg) != NULL))
			fprintf(stderr, "  \"%s\": \"%s\" lacks \"%s\"\n",
			    rejects[i].text, err, rejects[i].msg);
		CHECK(strchr(err, '\n') == NULL);
		CHECK(memcmp(&e, &keep, sizeof e) == 0);
	}
	/* A tiny buffer cuts the message and stays terminated. */
	CHECK(fexpr_parse(&e, "foo", err, 8) == -1);
	CHECK(strlen(err) == 7);

	/* Limits: 64 nodes and 64 levels of nesting. */
	{
		char text[4096] = "";
		int k;

		for (k = 0; k < 32; k++)
			strcat(text, k ? " or sport = 1" : "sport = 1");
		CHECK(fexpr_parse(&e, text, err, sizeof err) == 0);
		CHECK_EQ(e.n, 63);
		strcat(text, " or sport = 1");
		CHECK(fexpr_parse(&e, text, err, sizeof err) == -1);
		CHECK(strstr(err, "expression too long (64 terms)") != NULL);
		text[0] = '\0';
		for (k = 0; k < 63; k++)
			strcat(text, "(");
		strcat(text, "sport = 1");
		for (k = 0; k < 63; k++)
			strcat(text, ")");
		CHECK(fexpr_parse(&e, text, err, sizeof err) == 0);
		memmove(text + 1, text, strlen(text) + 1);
		text[0] = '(';
		strcat(text, ")");
		CHECK(fexpr_parse(&e, text, err, sizeof err) == -1);
		CHECK(strstr(err, "nested too deeply") != NULL);
		text[0] = '\0';
		for (k = 0; k < 1000; k++)
			strcat(text, "!");
		CHECK(fexpr_parse(&e, text, err, sizeof err) == -1);
	}

	for (i = 0; i < sizeof matches / sizeof matches[0]; i++) {
		struct conn_sample s = make_sample(matches[i].s);

		if (!CHECK(fexpr_parse(&e, matches[i].text, err, sizeof err) ==
		    0)) {
			fprintf(stderr, "  \"%s\": %s\n", matches[i].text, err);
			continue;
		}
		if (!CHECK(!fexpr_match(&e, &s) == !matches[i].want))
			fprintf(stderr, "  \"%s\" on %s:%u -> %s:%u should "
			    "%smatch\n", matches[i].text, matches[i].s->local,
			    matches[i].s->lport, matches[i].s->remote,
			    matches[i].s->rport, matches[i].want ? "" :
			    "not ");
	}

	for (i = 0; i < sizeof state_masks / sizeof state_masks[0]; i++) {
		CHECK(fexpr_parse(&e, state_masks[i].text, err, sizeof err) ==
		    0);
		if (!CHECK(fexpr_states(&e) == state_masks[i].states))
			fprintf(stderr, "  \"%s\": states %#x, not %#x\n",
			    state_masks[i].text, fexpr_states(&e),
			    state_masks[i].states);
	}
	test_bytecode();
	test_cgroup();
	test_autobound();
	test_random();
	return check_done();
}
