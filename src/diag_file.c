/* Record and replay raw sock_diag streams (format in diag_file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcptop/diag_file.h"
#include "tcptop/xmalloc.h"

static const char diag_file_magic[8] = { 't', 'c', 'p', 't', 'o', 'p', 'n',
    'l' };

struct diag_replay {
	FILE *fp;
	char *path;
	unsigned long refresh;	/* refreshes read so far */
	unsigned char *buf;
	size_t cap;
	int have_begin;		/* a BEGIN frame was read ahead */
	int64_t begin_t[2];
};

int
diag_file_write_header(FILE *fp)
{
	unsigned char h[16];
	uint16_t ver = DIAG_FILE_VERSION, bom = 0x0102;

	memset(h, 0, sizeof h);
	memcpy(h, diag_file_magic, 8);
	memcpy(h + 8, &ver, 2);
	memcpy(h + 10, &bom, 2);
	if (fwrite(h, 1, sizeof h, fp) != sizeof h)
		return -1;
	return 0;
}

int
diag_file_write_frame(FILE *fp, uint32_t type, const void *buf, size_t len)
{
	static const unsigned char zero[8];
	uint32_t h[2] = { type, (uint32_t)len };
	size_t pad = (8 - len % 8) % 8;

	if (len > DIAG_FILE_MAX_FRAME) {
		errno = EFBIG;
		return -1;
	}
	if (fwrite(h, 1, sizeof h, fp) != sizeof h ||
	    fwrite(buf, 1, len, fp) != len ||
	    fwrite(zero, 1, pad, fp) != pad)
		return -1;
	return 0;
}

struct diag_replay *
diag_replay_open(const char *path, char *err, size_t errlen)
{
	struct diag_replay *r;
	unsigned char h[16];
	uint16_t ver, bom;
	FILE *fp;
	size_t n;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	n = fread(h, 1, sizeof h, fp);
	if (n != sizeof h || memcmp(h, diag_file_magic, 8) != 0) {
		snprintf(err, errlen, "%s: not a tcptop recording (bad "
		    "header)", path);
		fclose(fp);
		return NULL;
	}
	memcpy(&ver, h + 8, 2);
	memcpy(&bom, h + 10, 2);
	if (bom != 0x0102) {
		snprintf(err, errlen, "%s: recorded on a machine of the other "
		    "byte order", path);
		fclose(fp);
		return NULL;
	}
	if (ver != DIAG_FILE_VERSION) {
		snprintf(err, errlen, "%s: recording version %u, this tcptop "
		    "reads version %u", path, ver, DIAG_FILE_VERSION);
		fclose(fp);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->fp = fp;
	r->path = strdup(path);
	if (r->path == NULL) {
		fclose(fp);
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return r;
}

void
diag_replay_close(struct diag_replay *r)
{
	if (r == NULL)
		return;
	fclose(r->fp);
	free(r->buf);
	free(r->path);
	free(r);
}

/* Read one frame into r->buf.  Returns 1, 0 at a clean end of file, -1
 * with a reason in err. */
static int
diag_replay_frame(struct diag_replay *r, uint32_t *type, size_t *len,
    char *err, size_t errlen)
{
	uint32_t h[2];
	size_t n, pad;

	n = fread(h, 1, sizeof h, r->fp);
	if (n == 0 && feof(r->fp))
		return 0;
	if (n != sizeof h) {
		snprintf(err, errlen, "%s: truncated frame header in refresh "
		    "%lu", r->path, r->refresh + 1);
		return -1;
	}
	if (h[1] > DIAG_FILE_MAX_FRAME) {
		snprintf(err, errlen, "%s: corrupt frame length %u in refresh "
		    "%lu", r->path, h[1], r->refresh + 1);
		return -1;
	}
	pad = (8 - h[1] % 8) % 8;
	if (h[1] + pad > r->cap) {
		r->cap = h[1] + pad;
		r->buf = xreallocarray(r->buf, r->cap, 1);
	}
	if (fread(r->buf, 1, h[1] + pad, r->fp) != h[1] + pad) {
		snprintf(err, errlen, "%s: truncated frame (%u bytes "
		    "announced) in refresh %lu", r->path, h[1],
		    r->refresh + 1);
		return -1;
	}
	*type = h[0];
	*len = h[1];
	return 1;
}

int
diag_replay_next(struct diag_replay *r, const struct filter *f,
    const struct diag_sink *sink,
    int64_t *realtime_ns, int64_t *mono_ns, struct diag_stats *st,
    char *err, size_t errlen)
{
	int started = 0, done = 0;

	memset(st, 0, sizeof *st);
	for (;;) {
		uint32_t type;
		size_t len;
		int rc = diag_replay_frame(r, &type, &len, err, errlen);
		int intr = 0;
		char perr[160];

		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (!started)
				return 0;
			snprintf(err, errlen, "%s: refresh %lu ends before its "
			    "end mark (truncated file)", r->path,
			    r->refresh + 1);
			return -1;
		}
		switch (type) {
		case DIAG_FILE_BEGIN:
			if (len != 16) {
				snprintf(err, errlen, "%s: corrupt begin frame "
				    "in refresh %lu", r->path,
				    r->refresh + 1);
				return -1;
			}
			/* A second BEGIN without an END: the dump was
			 * restarted, exactly as it was live. */
			if (started) {
				st->restarts++;
				st->messages = st->skipped = 0;
			}
			memcpy(r->begin_t, r->buf, 16);
			*realtime_ns = st->realtime_ns = r->begin_t[0];
			*mono_ns = st->mono_ns = r->begin_t[1];
			started = 1;
			done = 0;
			sink->begin(sink->arg);
			break;
		case DIAG_FILE_DATA:
			if (!started) {
				snprintf(err, errlen, "%s: data before a begin "
				    "frame", r->path);
				return -1;
			}
			st->datagrams++;
			rc = diag_parse_datagram(r->buf, len, f, sink, st,
			    &intr, perr, sizeof perr);
			if (rc < 0) {
				snprintf(err, errlen, "%s: refresh %lu: %s",
				    r->path, r->refresh + 1, perr);
				return -1;
			}
			if (rc == 1)
				done++;
			break;
		case DIAG_FILE_END: {
			uint32_t flags = 0;

			if (!started || len < 4) {
				snprintf(err, errlen, "%s: corrupt end frame "
				    "in refresh %lu", r->path,
				    r->refresh + 1);
				return -1;
			}
			memcpy(&flags, r->buf, 4);
			st->inconsistent = (flags & 1) != 0;
			(void)done;
			r->refresh++;
			return 1;
		}
		default:
			/* A newer writer's frame: skip it. */
			break;
		}
	}
}
