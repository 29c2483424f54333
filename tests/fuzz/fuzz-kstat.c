/* fuzz-kstat: the kernel counters' parser (kstat.c) on the text of
 * /proc/net/snmp or /proc/net/netstat, and the rate formatter on any
 * double.  The first byte picks the file (its low bit) and the next 8,
 * when there are, are a double for kstat_fmt_rate; the parser sees all
 * of the input after the first byte.  Properties: the parser finds no
 * more counters than the table has, sets only counters of the file it
 * read, and the rate's text is short and printable.  Seeds: the
 * tests/data/kstat-* fixtures. */
#include <string.h>

#include "fuzz.h"
#include "tcptop/kstat.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kstat_values v;
	char text[32];
	size_t found, i, have = 0;
	int file;

	if (size < 1)
		return 0;
	file = data[0] & 1 ? KSTAT_NETSTAT : KSTAT_SNMP;
	memset(&v, 0, sizeof v);
	found = kstat_parse(file, (const char *)data + 1, size - 1, &v);
	FUZZ_ASSERT(found <= KSTAT_N);
	for (i = 0; i < KSTAT_N; i++) {
		if (!v.have[i])
			continue;
		FUZZ_ASSERT(kstat_table[i].file == file);
		have++;
	}
	FUZZ_ASSERT(have <= found);
	if (size >= 9) {
		double r;

		memcpy(&r, data + 1, sizeof r);
		memset(text, 'x', sizeof text);
		kstat_fmt_rate(r, text, 8);
		FUZZ_ASSERT(memchr(text, '\0', 8) != NULL);
		FUZZ_ASSERT(fuzz_printable(text));
		kstat_fmt_rate(r, text, sizeof text);
		FUZZ_ASSERT(fuzz_printable(text));
	}
	return 0;
}
