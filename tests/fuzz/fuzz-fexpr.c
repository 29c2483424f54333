/* fuzz-fexpr: a filter text through the three parsers of filter.c (-p
 * ports, --state names, -f's ss-like expression, fexpr.c), and every
 * expression they accept compiled to inet_diag bytecode (diag_bc.c).
 * Properties: a refusal leaves the filter as it was and says why in one
 * printable line; accepted bytecode passes the kernel's audit (the model
 * in tests/unit/kernel_bc.h; without CAP_NET_ADMIN exactly when there is
 * no mark term); and the kernel's verdict is a superset of filter_match
 * on a set of sockets, as diag.c relies on (the kernel may send more,
 * never less).  Seeds: expressions from the tests and docs.
 *
 * Host names are looked up as ss does (gethostbyname2), which would
 * send random names to DNS: this harness answers them itself from a
 * fixed table, so a run is the same on any machine, with or without a
 * network. */
#include <netdb.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "../unit/kernel_bc.h"
#include "tcptop/diag.h"
#include "tcptop/fexpr.h"
#include "tcptop/filter.h"
#include "tcptop/tcpstate.h"

/* Names resolve only to these, as if /etc/hosts held them alone. */
struct hostent *gethostbyname2(const char *name, int af);

struct hostent *
gethostbyname2(const char *name, int af)
{
	static unsigned char v4[4] = { 127, 0, 0, 1 };
	static unsigned char v6[16] = { [15] = 1 };
	static char *list4[] = { (char *)v4, NULL };
	static char *list6[] = { (char *)v6, NULL };
	static char *aliases[] = { NULL };
	static char host[] = "localhost";
	static struct hostent h;

	if (strcmp(name, "localhost") != 0 ||
	    (af != AF_INET && af != AF_INET6)) {
		h_errno = HOST_NOT_FOUND;
		return NULL;
	}
	h.h_name = host;
	h.h_aliases = aliases;
	h.h_addrtype = af;
	h.h_length = af == AF_INET ? 4 : 16;
	h.h_addr_list = af == AF_INET ? list4 : list6;
	return &h;
}

/* Sockets of each kind the terms can test. */
static void
samples_fill(struct conn_sample *s, size_t n)
{
	size_t i;

	memset(s, 0, n * sizeof *s);
	for (i = 0; i < n; i++) {
		s[i].cookie = i + 1;
		s[i].family = i % 2 ? AF_INET6 : AF_INET;
		s[i].state = (uint8_t)(1 + i % 11);
		s[i].lport = (uint16_t)(i * 7919 % 65536);
		s[i].rport = (uint16_t)(i % 3 == 0 ? 22 : 1024 + i * 131);
		s[i].ifindex = i % 4 == 0 ? 1 : 0;
		/* The kernel knows every full socket's mark; tcptop may not
		 * (0 here), and then lets the kernel decide: those are
		 * left out of the comparison below. */
		s[i].mark = i % 3 == 2 ? 0 : conn_mark_intern((uint32_t)i *
		    0x11);
	}
	/* 10.1.2.3:22 -> 192.168.0.9, ::1 -> 2001:db8::5, a v4-mapped one. */
	memcpy(s[0].local, (const uint8_t[]){ 10, 1, 2, 3 }, 4);
	s[0].lport = 22;
	memcpy(s[0].remote, (const uint8_t[]){ 192, 168, 0, 9 }, 4);
	s[1].local[15] = 1;
	memcpy(s[1].remote, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	s[1].remote[15] = 5;
	memcpy(s[3].local, (const uint8_t[]){ [10] = 0xff, 0xff, 127, 0, 0, 1 },
	    16);
	s[4].local[0] = 127;
	s[4].local[3] = 1;
	s[4].remote[0] = 127;
	s[4].remote[3] = 1;
}

/* Each of the parsers on text, on a copy of f kept only when it is
 * accepted. */
static void
parse_all(struct filter *f, const char *text)
{
	struct filter before = *f;
	char err[160];
	int rc;

	memset(err, 'x', sizeof err);
	rc = filter_parse_ports(f, text, err, sizeof err);
	FUZZ_ASSERT(rc == 0 || (memcmp(f, &before, sizeof *f) == 0 &&
	    memchr(err, '\0', sizeof err) != NULL && err[0] != '\0' &&
	    fuzz_printable(err)));
	before = *f;
	memset(err, 'x', sizeof err);
	rc = filter_parse_states(f, text, err, sizeof err);
	FUZZ_ASSERT(rc == 0 || (memcmp(f, &before, sizeof *f) == 0 &&
	    memchr(err, '\0', sizeof err) != NULL && err[0] != '\0' &&
	    fuzz_printable(err)));
	before = *f;
	memset(err, 'x', sizeof err);
	rc = filter_parse_expr(f, text, err, sizeof err);
	FUZZ_ASSERT(rc == 0 || (memcmp(f, &before, sizeof *f) == 0 &&
	    memchr(err, '\0', sizeof err) != NULL && err[0] != '\0' &&
	    fuzz_printable(err)));
}

/* Whether e has an autobound term. */
static int
has_auto(const struct fexpr *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->nodes[i].kind == FEXPR_AUTO)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t bc[65536];
	struct conn_sample s[12];
	struct filter f;
	char text[4096];
	uint32_t mask;
	size_t i;
	int len;

	if (size >= sizeof text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	filter_init(&f);
	parse_all(&f, text);
	len = diag_compile_filter(&f, bc, sizeof bc);
	FUZZ_ASSERT(len >= 0);
	if (len > 0) {
		FUZZ_ASSERT(kbc_audit_admin(bc, len, 1) == 0);
		FUZZ_ASSERT((kbc_audit(bc, len) == 0) ==
		    !fexpr_has_mark(&f.expr));
	}
	mask = tcpstate_kernel_mask(f.states & fexpr_states(&f.expr));
	samples_fill(s, sizeof s / sizeof s[0]);
	for (i = 0; i < sizeof s / sizeof s[0]; i++) {
		int kernel = len > 0 ? kbc_run_sample(bc, len, &s[i]) : 1;

		FUZZ_ASSERT(kernel == 0 || kernel == 1);
		kernel = kernel && (mask >> s[i].state & 1);
		if (s[i].mark == 0 && fexpr_has_mark(&f.expr))
			continue;
		/* autobound is two tests, as in ss: the port lock in the
		 * program, the ephemeral range here, each through the whole
		 * expression, so neither side need keep what the other
		 * keeps (filter-ss.sh checks it against ss). */
		if (filter_match(&f, &s[i]) && !has_auto(&f.expr))
			FUZZ_ASSERT(kernel);
	}
	return 0;
}
