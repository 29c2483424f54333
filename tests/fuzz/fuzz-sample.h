/* fuzz-sample.h: the sink the diag-msg and diag-file harnesses feed what
 * they parse into: every sample formatted as the views would, and kept in
 * a connection table as the collector keeps it. */
#ifndef TCPTOP_FUZZ_SAMPLE_H
#define TCPTOP_FUZZ_SAMPLE_H

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "tcptop/conn.h"
#include "tcptop/conntab.h"
#include "tcptop/diag.h"
#include "tcptop/tcpstate.h"

struct fuzz_sink {
	struct conntab_feed feed;
	int64_t mono_ns;
	unsigned long samples;		/* since the last begin */
};

static inline void
fuzz_sink_begin(void *arg)
{
	struct fuzz_sink *fs = arg;

	/* A dump restarted: the samples of the pass before are forgotten,
	 * as its counters are. */
	fs->samples = 0;
	conntab_feed_begin(&fs->feed);
}

static inline void
fuzz_sink_sample(void *arg, const struct conn_sample *s)
{
	struct fuzz_sink *fs = arg;
	char local[CONN_ENDPOINT_LEN], remote[CONN_ENDPOINT_LEN];
	char scope[CONN_SCOPE_LEN];

	conn_fmt_endpoint(s, 0, local, sizeof local);
	conn_fmt_endpoint(s, 1, remote, sizeof remote);
	FUZZ_ASSERT(fuzz_printable(local) && fuzz_printable(remote));
	if (conn_fmt_scope(s, scope, sizeof scope) != NULL)
		FUZZ_ASSERT(fuzz_printable(scope));
	FUZZ_ASSERT(conn_family_name(s->family) != NULL);
	FUZZ_ASSERT(conn_cc_name(s->cc) != NULL);
	FUZZ_ASSERT(tcpstate_name(s->state) != NULL);
	fs->samples++;
	conntab_feed_sample(&fs->feed, s);
}

/* A table that frees what is gone at once, so memory stays flat however
 * long the fuzzer runs. */
static inline void
fuzz_sink_init(struct fuzz_sink *fs, struct diag_sink *sink)
{
	static struct conntab *tab;
	static int64_t mono_ns;

	if (tab == NULL)
		tab = conntab_new(0);
	memset(fs, 0, sizeof *fs);
	mono_ns += 1000000000;		/* a refresh a second */
	fs->mono_ns = mono_ns;
	fs->feed.tab = tab;
	fs->feed.mono_ns = &fs->mono_ns;
	sink->begin = fuzz_sink_begin;
	sink->sample = fuzz_sink_sample;
	sink->arg = fs;
}

/* End the scan a begin started; each input is one scan. */
static inline void
fuzz_sink_done(struct fuzz_sink *fs)
{
	if (fs->feed.begun)
		conntab_end_scan(fs->feed.tab);
}

#endif
