/* The metrics served and written: /metrics through libmicrohttpd, and
 * the textfile for node_exporter.
 *
 * Why libmicrohttpd's internal polling thread (MHD_USE_INTERNAL_POLLING_
 * THREAD) rather than its sockets in app.c's poll(): the refresh loop
 * has three different waits (the batch sleep, the interactive poll, the
 * lesson), and a scrape must be answered while any of them, or a slow
 * dump, runs.  One thread of MHD's own serves every connection without
 * blocking (a stalled client costs a slot until EXPORTER_TIMEOUT_S),
 * and all it touches of ours is one pointer under a mutex: each
 * refresh renders the text once per format into a new MHD response
 * (MHD copies it), swapped in under the lock; a scrape queues the
 * current one, which MHD reference-counts, so concurrent scrapers share
 * one rendering and the loop never waits for a client. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "tcptop/exporter.h"
#include "tcptop/fatal.h"
#include "tcptop/log.h"
#include "tcptop/metrics.h"
#include "tcptop/settings.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

/* tests/unit/test-exporter-off builds this file as if configure had
 * found no libmicrohttpd. */
#if defined(HAVE_MICROHTTPD) && !defined(EXPORTER_NO_MHD)
#define EXPORTER_MHD 1
#include <dlfcn.h>
#include <microhttpd.h>
#endif

#define EXPORTER_DEFAULT_ADDR	"127.0.0.1"

struct exporter {
	struct metrics *m;
	char *file;			/* --prometheus-file, or NULL */
	char error[320];		/* the file's last failure, or "" */
#ifdef EXPORTER_MHD
	struct MHD_Daemon *d;
	pthread_mutex_t lock;		/* guards cur */
	struct MHD_Response *cur[2];	/* [enum metrics_format], NULL
					 * before the first refresh */
	struct MHD_Response *r404, *r405, *r503;
#endif
};

/* "[ADDR]:PORT", "ADDR:PORT" or "PORT" split: the address into addr
 * ("" when omitted), the port into *port.  Returns 0 or -1. */
static int
exporter_split(const char *spec, char *addr, size_t len, unsigned *port)
{
	const char *colon, *p;
	char *end;
	unsigned long v;

	addr[0] = '\0';
	if (spec[0] == '[') {
		if ((colon = strstr(spec, "]:")) == NULL ||
		    (size_t)(colon - spec - 1) >= len)
			return -1;
		snprintf(addr, len, "%.*s", (int)(colon - spec - 1), spec + 1);
		p = colon + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if ((size_t)(colon - spec) >= len)
			return -1;
		snprintf(addr, len, "%.*s", (int)(colon - spec), spec);
		p = colon + 1;
	} else
		p = spec;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int
exporter_parse_listen(const char *spec, struct sockaddr_storage *sa,
    socklen_t *salen, char *err, size_t errlen)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	char addr[64], shown[TEXT_ARG_SIZE];
	unsigned port;

	text_arg(shown, sizeof shown, spec);
	if (!exporter_http_available()) {
		snprintf(err, errlen, "--listen needs libmicrohttpd, and this "
		    "tcptop was built without it (install libmicrohttpd-dev "
		    "and configure again); --prometheus-file works without");
		return -1;
	}
	memset(sa, 0, sizeof *sa);
	if (exporter_split(spec, addr, sizeof addr, &port) == -1) {
		snprintf(err, errlen, "--listen \"%s\": not [ADDR:]PORT with "
		    "PORT 1 to 65535 (e.g. 9977, 0.0.0.0:9977, [::1]:9977)",
		    shown);
		return -1;
	}
	if (spec[0] == '[') {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*salen = sizeof *s6;
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1)
			return 0;
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*salen = sizeof *s4;
		if (inet_pton(AF_INET, addr[0] != '\0' ? addr :
		    EXPORTER_DEFAULT_ADDR, &s4->sin_addr) == 1)
			return 0;
	}
	snprintf(err, errlen, "--listen \"%s\": the address is not a numeric "
	    "IPv4 address or a bracketed IPv6 one ([::1])", shown);
	return -1;
}

const char *
exporter_error(const struct exporter *e)
{
	return e->error;
}

/* The textfile: the 0.0.4 text, replaced atomically. */
static int
exporter_write_file(struct exporter *e)
{
	const char *text;
	char err[sizeof e->error - 32];
	size_t len;

	text = metrics_render(e->m, METRICS_PROMETHEUS, &len);
	if (settings_write_file(e->file, text, len, 0644, err, sizeof err) ==
	    0) {
		e->error[0] = '\0';
		return 0;
	}
	snprintf(e->error, sizeof e->error, "--prometheus-file: %s", err);
	log_debug("%s", e->error);
	return -1;
}

#ifdef EXPORTER_MHD

/* libmicrohttpd is loaded when --listen asks for it, not linked: with
 * what it pulls in (GnuTLS, nettle, gmp, p11-kit...: ten libraries) it
 * cost every run, a one-shot too, some 6 ms and 130 page faults to load
 * and relocate.  Its functions are called through these. */
static struct {
	void *so;
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
} mhd;

/* Load MHD_SONAME and find each function.  Returns 0, or -1 with the
 * reason in err. */
static int
exporter_mhd_load(char *err, size_t errlen)
{
	const struct {
		const char *name;
		void *fn;	/* the address of mhd's pointer */
	} syms[] = {
		{ "MHD_start_daemon", &mhd.start_daemon },
		{ "MHD_stop_daemon", &mhd.stop_daemon },
		{ "MHD_create_response_from_buffer",
		    &mhd.response_from_buffer },
		{ "MHD_add_response_header", &mhd.add_response_header },
		{ "MHD_destroy_response", &mhd.destroy_response },
		{ "MHD_queue_response", &mhd.queue_response },
		{ "MHD_lookup_connection_value",
		    &mhd.lookup_connection_value },
	};
	char why[200];
	const char *de;
	void *so, *f;
	size_t i;

	if (mhd.so != NULL)
		return 0;
	if ((so = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		de = dlerror();
		text_clean(why, sizeof why, de != NULL ? de : "unknown",
		    sizeof why, 0);
		snprintf(err, errlen, "--listen: cannot load %s: %s",
		    MHD_SONAME, why);
		return -1;
	}
	for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		if ((f = dlsym(so, syms[i].name)) == NULL) {
			snprintf(err, errlen, "--listen: %s has no %s",
			    MHD_SONAME, syms[i].name);
			dlclose(so);
			return -1;
		}
		/* POSIX: a function's address comes back as a void *. */
		memcpy(syms[i].fn, &f, sizeof f);
	}
	mhd.so = so;
	return 0;
}

int
exporter_http_available(void)
{
	return 1;
}

/* MHD's messages go to the debug log: never to a terminal curses owns. */
static void __attribute__((format(printf, 2, 0)))
exporter_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	vsnprintf(buf, sizeof buf, fmt, ap);
	text_clean(buf, sizeof buf, buf, sizeof buf, 0);
	log_debug("http: %s", buf);
}

/* A fixed response with a short body (persistent) and its type. */
static struct MHD_Response *
exporter_fixed(const char *body)
{
	struct MHD_Response *r;

	union {
		const char *c;
		void *v;
	} u = { .c = body };	/* MHD takes void *, and never writes */

	r = mhd.response_from_buffer(strlen(body), u.v,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		fatalx("out of memory (an HTTP response)");
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	return r;
}

/* Which format the scraper asked for: OpenMetrics when its Accept
 * names it (Prometheus does), else the 0.0.4 text. */
static enum metrics_format
exporter_format(struct MHD_Connection *conn)
{
	const char *accept = mhd.lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT);

	return accept != NULL && strstr(accept,
	    "application/openmetrics-text") != NULL ? METRICS_OPENMETRICS :
	    METRICS_PROMETHEUS;
}

/* One request, answered once it is read whole (the last call, with no
 * more upload data): /metrics to GET and HEAD, 405 to another method
 * there, 404 elsewhere, 503 before the first refresh.  A body sent
 * along is read and dropped.  Answering at the first call, before the
 * request is whole, would make MHD close the connection after it, and
 * every scrape would then be a new socket for the refresh to find. */
static enum MHD_Result
exporter_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req)
{
	static int seen;
	struct exporter *e = cls;
	struct MHD_Response *r;
	enum MHD_Result rc;
	unsigned status = MHD_HTTP_OK;

	if (*req == NULL) {
		*req = &seen;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return mhd.queue_response(conn, MHD_HTTP_NOT_FOUND, e->r404);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return mhd.queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    e->r405);
	pthread_mutex_lock(&e->lock);
	if ((r = e->cur[exporter_format(conn)]) == NULL) {
		r = e->r503;
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	/* MHD takes its own reference: the response outlives a swap. */
	rc = mhd.queue_response(conn, status, r);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* A listening socket on spec, bound here so its errors are ours to
 * name.  Returns it, or -1 with err. */
static int
exporter_socket(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	char shown[TEXT_ARG_SIZE];
	int fd, on = 1;

	if (exporter_parse_listen(spec, &sa, &salen, err, errlen) == -1)
		return -1;
	text_arg(shown, sizeof shown, spec);
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof on) == -1 || (sa.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == -1) ||
	    bind(fd, (struct sockaddr *)&sa, salen) == -1 ||
	    listen(fd, 64) == -1) {
		snprintf(err, errlen, "--listen %s: %s", shown,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* MHD's daemon on fd, its thread started with every signal blocked:
 * they are the loop's to take. */
static struct MHD_Daemon *
exporter_daemon(struct exporter *e, int fd)
{
	struct MHD_Daemon *d;
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	d = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, exporter_access, e,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)EXPORTER_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)EXPORTER_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)EXPORTER_TIMEOUT_S,
	    MHD_OPTION_EXTERNAL_LOGGER, exporter_log, (void *)NULL,
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

static int
exporter_http_open(struct exporter *e, const char *listen, char *err,
    size_t errlen)
{
	int fd;

	pthread_mutex_init(&e->lock, NULL);
	if (listen == NULL)
		return 0;
	if ((fd = exporter_socket(listen, err, errlen)) == -1 ||
	    exporter_mhd_load(err, errlen) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	e->r404 = exporter_fixed("Not found: the metrics are at /metrics\n");
	e->r405 = exporter_fixed("Method not allowed: GET or HEAD\n");
	mhd.add_response_header(e->r405, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	e->r503 = exporter_fixed("No refresh yet\n");
	if ((e->d = exporter_daemon(e, fd)) == NULL) {
		snprintf(err, errlen, "--listen: libmicrohttpd did not start: "
		    "%s", strerror(errno != 0 ? errno : EIO));
		close(fd);
		return -1;
	}
	return 0;
}

/* The new text of fmt as a response, swapped in under the lock. */
static void
exporter_swap(struct exporter *e, enum metrics_format fmt)
{
	struct MHD_Response *r, *old;
	size_t len;

	union {
		const char *c;
		void *v;
	} u;

	u.c = metrics_render(e->m, fmt, &len);
	/* MHD copies it now: metrics_render reuses its buffer. */
	r = mhd.response_from_buffer(len, u.v, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		fatalx("out of memory (an HTTP response)");
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    metrics_content_type(fmt));
	pthread_mutex_lock(&e->lock);
	old = e->cur[fmt];
	e->cur[fmt] = r;
	pthread_mutex_unlock(&e->lock);
	if (old != NULL)
		mhd.destroy_response(old);
}

static void
exporter_http_publish(struct exporter *e)
{
	if (e->d == NULL)
		return;
	exporter_swap(e, METRICS_PROMETHEUS);
	exporter_swap(e, METRICS_OPENMETRICS);
}

static void
exporter_http_close(struct exporter *e)
{
	int i;

	struct MHD_Response *fixed[] = { e->r404, e->r405, e->r503 };

	if (e->d != NULL)
		mhd.stop_daemon(e->d);
	for (i = 0; i < 2; i++)
		if (e->cur[i] != NULL)
			mhd.destroy_response(e->cur[i]);
	/* None without --listen: the library was not loaded. */
	for (i = 0; i < 3; i++)
		if (fixed[i] != NULL)
			mhd.destroy_response(fixed[i]);
	pthread_mutex_destroy(&e->lock);
}

#else /* !EXPORTER_MHD */

int
exporter_http_available(void)
{
	return 0;
}

static int
exporter_http_open(struct exporter *e, const char *listen, char *err,
    size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t salen;

	if (listen == NULL)
		return 0;
	return exporter_parse_listen(listen, &sa, &salen, err, errlen);
}

static void
exporter_http_publish(struct exporter *e)
{
}

static void
exporter_http_close(struct exporter *e)
{
}

#endif

struct exporter *
exporter_open(const char *listen, const char *file, char *err,
    size_t errlen)
{
	struct exporter *e = xcalloc(1, sizeof *e);

	e->m = metrics_new();
	if (file != NULL) {
		e->file = xmalloc(strlen(file) + 1);
		memcpy(e->file, file, strlen(file) + 1);
	}
	if (exporter_http_open(e, listen, err, errlen) == -1) {
		exporter_http_close(e);
		metrics_free(e->m);
		free(e->file);
		free(e);
		return NULL;
	}
	return e;
}

int
exporter_publish(struct exporter *e, const struct snapshot *snap,
    const struct filter *f)
{
	metrics_collect(e->m, snap, f);
	exporter_http_publish(e);
	return e->file != NULL ? exporter_write_file(e) : 0;
}

void
exporter_close(struct exporter *e)
{
	if (e == NULL)
		return;
	exporter_http_close(e);
	metrics_free(e->m);
	free(e->file);
	free(e);
}
