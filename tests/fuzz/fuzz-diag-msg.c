/* fuzz-diag-msg: one sock_diag datagram, as recvmsg would return it,
 * through the parser (diag_msg.c), once unfiltered and once through a
 * filter that reads every field the expressions know; what it yields
 * goes into a connection table.  Properties: the parser returns -1, 0
 * or 1, counts no more messages than fit, and its one-line reasons are
 * printable.  Seeds: the datagrams of tests/data/states.nlmsg. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz-sample.h"
#include "tcptop/diag.h"
#include "tcptop/filter.h"

/* Terms of each kind the matcher has, so the filter reads each field. */
#define FUZZ_EXPR "( sport >= :1000 or dport = :22 ) and not " \
	"( dst 10.0.0.0/8 or src [::1] ) or state established or " \
	"dev = lo or cgroup = / or state time-wait"

static void
parse_once(const uint8_t *data, size_t size, const struct filter *f)
{
	struct fuzz_sink fs;
	struct diag_sink sink;
	struct diag_stats st;
	char err[160];
	int intr = 0, rc;

	fuzz_sink_init(&fs, &sink);
	memset(&st, 0, sizeof st);
	err[0] = '\0';
	fuzz_sink_begin(&fs);
	errno = 0;
	rc = diag_parse_datagram(data, size, f, &sink, &st, &intr, err,
	    sizeof err);
	FUZZ_ASSERT(rc == -1 || rc == 0 || rc == 1);
	FUZZ_ASSERT(rc != -1 || errno != 0);
	FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
	FUZZ_ASSERT(fuzz_printable(err));
	/* A netlink message has a 16-byte header at least. */
	FUZZ_ASSERT(st.messages + st.skipped <= size / 16);
	FUZZ_ASSERT(fs.samples <= st.messages);
	fuzz_sink_done(&fs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct filter f;
	static int ready;
	char err[160];

	if (!ready) {
		filter_init(&f);
		if (filter_parse_expr(&f, FUZZ_EXPR, err, sizeof err) == -1) {
			fprintf(stderr, "fuzz-diag-msg: %s\n", err);
			abort();
		}
		ready = 1;
	}
	parse_once(data, size, NULL);
	parse_once(data, size, &f);
	return 0;
}
