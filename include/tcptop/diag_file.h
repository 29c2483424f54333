/* diag_file: the record/replay file format for raw sock_diag streams.
 *
 * A file is a 16-byte header followed by frames.  Header: the magic
 * "tcptopnl", a u16 version (1), a u16 byte-order mark 0x0102 written in
 * host order, a u32 that is zero.  Frame: u32 type, u32 payload length,
 * payload, padded with zeros to a multiple of 8.  Types:
 *   1 BEGIN  one refresh starts: i64 unix time in ns, i64 monotonic ns
 *   2 DATA   one netlink datagram exactly as recvmsg returned it
 *   3 END    the refresh ended: u32 flags (1 = inconsistent snapshot)
 * Readers skip unknown frame types, so the format can grow. */
#ifndef TCPTOP_DIAG_FILE_H
#define TCPTOP_DIAG_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcptop/diag.h"

#define DIAG_FILE_VERSION 1
#define DIAG_FILE_BEGIN	1
#define DIAG_FILE_DATA	2
#define DIAG_FILE_END	3
#define DIAG_FILE_MAX_FRAME (16u << 20)	/* larger frames are corrupt */

/* Write the file header.  Returns 0 or -1 with errno. */
int diag_file_write_header(FILE *fp);

/* Write one frame.  Returns 0 or -1 with errno. */
int diag_file_write_frame(FILE *fp, uint32_t type, const void *buf,
    size_t len);

struct diag_replay;

/* Open a recording and check its header.  Returns NULL with a one-line
 * reason in err (errlen bytes). */
struct diag_replay *diag_replay_open(const char *path, char *err,
    size_t errlen);

void diag_replay_close(struct diag_replay *r);

/* Feed the sockets of the next recorded refresh that pass f (NULL: all)
 * to sink.  Returns 1 when a refresh was
 * replayed (its times in *realtime_ns and *mono_ns), 0 at the clean end
 * of the file, -1 with a one-line reason in err when the file is
 * truncated or corrupt.  st receives the parse statistics. */
int diag_replay_next(struct diag_replay *r, const struct filter *f,
    const struct diag_sink *sink,
    int64_t *realtime_ns, int64_t *mono_ns, struct diag_stats *st,
    char *err, size_t errlen);

#endif
