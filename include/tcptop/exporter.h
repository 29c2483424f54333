/* exporter: the metrics of each refresh (metrics.h) served over HTTP
 * (--listen, libmicrohttpd) and written to a file for node_exporter's
 * textfile collector (--prometheus-file).  The only module that speaks
 * libmicrohttpd. */
#ifndef TCPTOP_EXPORTER_H
#define TCPTOP_EXPORTER_H

#include <stddef.h>
#include <sys/socket.h>

#include "tcptop/filter.h"
#include "tcptop/snapshot.h"

/* HTTP limits: a slow or stalled client holds one connection at most
 * EXPORTER_TIMEOUT_S seconds, and no more than EXPORTER_CONNECTIONS are
 * open at once (EXPORTER_PER_IP from one address). */
#define EXPORTER_CONNECTIONS	32
#define EXPORTER_PER_IP		16
#define EXPORTER_TIMEOUT_S	10

/* Whether this tcptop was built with libmicrohttpd (--listen works). */
int exporter_http_available(void);

/* Parse --listen's "[ADDR:]PORT": PORT 1 to 65535, ADDR a numeric IPv4
 * address or a bracketed IPv6 one ("[::1]:9977"), 127.0.0.1 when
 * omitted; no host names.  Fills *sa (its length in *salen).  Returns
 * 0, or -1 with a one-line reason in err (errlen bytes; the value is
 * quoted cleaned), also when the build has no libmicrohttpd. */
int exporter_parse_listen(const char *spec, struct sockaddr_storage *sa,
    socklen_t *salen, char *err, size_t errlen);

struct exporter;

/* Start serving /metrics on listen ("[ADDR:]PORT", NULL: no HTTP) and
 * writing file (NULL: none).  The HTTP side runs in libmicrohttpd's own
 * polling thread, so a scrape never waits for the refresh loop and the
 * loop never waits for a scrape; until the first exporter_publish a
 * scrape gets 503.  Returns the exporter, or NULL with a one-line
 * reason in err (the address in use, say). */
struct exporter *exporter_open(const char *listen, const char *file,
    char *err, size_t errlen);

/* After each refresh: count snap (the live rows passing f), render the
 * exposition once per format, and make it what scrapes get (a swap
 * under a lock: a scrape in progress keeps the text it began with);
 * rewrite the file atomically.  Returns 0, or -1 when the file could not
 * be written, the reason then in exporter_error (the next publish tries
 * again). */
int exporter_publish(struct exporter *e, const struct snapshot *snap,
    const struct filter *f);

/* Why the last file write failed, or "". */
const char *exporter_error(const struct exporter *e);

/* Stop serving (waits for libmicrohttpd's thread) and free e. */
void exporter_close(struct exporter *e);

#endif
