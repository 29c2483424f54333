/* fuzz-diag-file: a whole --replay recording (diag_file.c) read to its
 * end or its first error, every refresh's sockets through the parser
 * into a connection table.  Properties: diag_replay_open and
 * diag_replay_next fail only with a printable one-line reason, and a
 * file of N bytes holds no more than N / 16 refreshes (a BEGIN frame is
 * 24 bytes).  Seeds: tests/data/states.nlmsg and cuts of it. */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz-sample.h"
#include "tcptop/diag_file.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_replay *r;
	char path[64], err[256];
	size_t refreshes = 0;
	int fd, rc;

	if ((fd = fuzz_memfile(data, size, path, sizeof path)) == -1)
		return 0;
	err[0] = '\0';
	r = diag_replay_open(path, err, sizeof err);
	if (r == NULL) {
		FUZZ_ASSERT(err[0] != '\0' && fuzz_printable(err));
		close(fd);
		return 0;
	}
	do {
		struct fuzz_sink fs;
		struct diag_sink sink;
		struct diag_stats st;
		int64_t real_ns = 0, mono_ns = 0;

		fuzz_sink_init(&fs, &sink);
		memset(&st, 0, sizeof st);
		err[0] = '\0';
		rc = diag_replay_next(r, NULL, &sink, &real_ns, &mono_ns, &st,
		    err, sizeof err);
		FUZZ_ASSERT(rc == -1 || rc == 0 || rc == 1);
		FUZZ_ASSERT(rc != -1 || err[0] != '\0');
		FUZZ_ASSERT(fuzz_printable(err));
		FUZZ_ASSERT(fs.samples <= st.messages);
		fuzz_sink_done(&fs);
		refreshes += rc == 1;
		FUZZ_ASSERT(refreshes <= size / 16 + 1);
	} while (rc == 1);
	diag_replay_close(r);
	close(fd);
	return 0;
}
