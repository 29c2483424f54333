/* ss-like filter expressions: what parses into which tree, what is
 * refused with which message, and what matches which socket. */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcptop/fexpr.h"
#include "tcptop/tcpstate.h"

/* Write node i of e as a Lisp-like form, to compare trees as text. */
static void
show(const struct fexpr *e, int i, char *buf, size_t len)
{
	static const char *const kinds[] = { "?", "and", "or", "not",
	    "sport", "dport", "src", "dst", "state" };
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
	{ "src != 10.0.0.1", "(not src 10.0.0.1/32)" },
	{ "state established", "state 0x2" },
	{ "state ESTAB,listen", "state 0x402" },
	{ "state = time-wait", "state 0x40" },
	{ "state != listen", "(not state 0x400)" },
	{ "state connected", "state 0xb7e" },
	/* Precedence: not > and > or; adjacency is and; left to right. */
	{ "sport = 1 or sport = 2 and sport = 3",
	    "(or sport=1 (and sport=2 sport=3))" },
	{ "sport = 1 and sport = 2 or sport = 3",
	    "(or (and sport=1 sport=2) sport=3)" },
	{ "sport = 1 sport = 2 || sport = 3",
	    "(or (and sport=1 sport=2) sport=3)" },
	{ "not sport = 1 and sport = 2", "(and (not sport=1) sport=2)" },
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
	{ "\tsport\n=\r80\v", "sport=80" },
};

/* Refused text and a piece of the message it must give. */
static const struct {
	const char *text;
	const char *msg;
} rejects[] = {
	{ "sport =", "expected a port after \"sport =\" at column 8" },
	{ "sport = foo", "expected a port after \"sport =\" at column 9, "
	    "not \"foo\"" },
	{ "sport", "expected a port after \"sport\" at column 6" },
	{ "sport = )", "expected a port after \"sport =\" at column 9, "
	    "not \")\"" },
	{ "sport = 70000", "port 70000 out of range 0-65535 at column 9" },
	{ "sport = 99999999999999999999999", "out of range" },
	{ "sport = -1", "expected a port" },
	{ "sport = 8o", "expected a port" },
	{ "sport = ::80", "expected a port" },
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
	{ "src foo", "bad address \"foo\" at column 5: not an IPv4 address" },
	{ "src 10.0.0.0/33", "prefix length above 32" },
	{ "src ::/129", "prefix length above 128" },
	{ "src 10.0.0.0/x", "bad prefix length" },
	{ "src 1.2.3.4:99999", "port out of range" },
	{ "src 1.2.3.4:", "bad port" },
	{ "src [::1", "no \"]\"" },
	{ "src [::1]x", "junk after" },
	{ "src [::1/8]/8", "two prefix lengths" },
	{ "src *", "\"*\" takes a port" },
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
	{ "sport = 1 \001", "at column 11, not control character 0x01" },
};

struct sample_spec {
	int family;
	const char *local;
	unsigned lport;
	const char *remote;
	unsigned rport;
	int state;
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
	return s;
}

static const struct sample_spec s4 = { AF_INET, "10.1.2.3", 22,
	"192.168.7.9", 50000, TCP_ESTABLISHED };
static const struct sample_spec s4l = { AF_INET, "0.0.0.0", 80,
	"0.0.0.0", 0, TCP_LISTEN };
static const struct sample_spec s6 = { AF_INET6, "2001:db8::1", 443,
	"fe80::2", 1234, TCP_TIME_WAIT };
static const struct sample_spec smap = { AF_INET6, "::ffff:10.1.2.3", 8080,
	"::ffff:127.0.0.1", 40000, TCP_CLOSE_WAIT };
static const struct sample_spec sany6 = { AF_INET6, "::", 22, "::", 0,
	TCP_LISTEN };

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
	{ "state estab", &s4, 1 },
	{ "state listen", &s4, 0 },
	{ "state time-wait", &s6, 1 },
	{ "state connected", &s4l, 0 },
	{ "state != listen", &s4l, 0 },
	{ "state !=listen", &s4, 1 },
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
	return check_done();
}
