/* exporter built as without libmicrohttpd (EXPORTER_NO_MHD): --listen
 * refused in one sentence that says why, --prometheus-file still
 * written; and the textfile itself: replaced whole, its mode kept,
 * never through a symbolic link or onto another user's file. */
#include <errno.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sample.h"
#include "tcptop/exporter.h"

static char dir[] = "/tmp/tcptop-exporter-XXXXXX";

/* The whole file at path, or NULL. */
static char *
slurp(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd == -1)
		return NULL;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static void
test_listen_refused(void)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	char err[320];

	CHECK(exporter_http_available() == 0);
	CHECK(exporter_parse_listen("9977", &sa, &salen, err, sizeof err) ==
	    -1);
	CHECK(strstr(err, "--listen needs libmicrohttpd") != NULL);
	CHECK(strchr(err, '\n') == NULL);
	CHECK(exporter_open("9977", NULL, err, sizeof err) == NULL);
	CHECK(strstr(err, "libmicrohttpd") != NULL);
}

static void
test_file(void)
{
	struct conntab *t = conntab_new(0);
	struct conn_sample s = mk(1, TCP_LISTEN, 80, 0);
	struct snapshot snap;
	struct filter f;
	struct exporter *e;
	struct stat st;
	char path[256], link[256], victim[256], err[320], *text;
	int fd;

	scan(t, 1000, &s, 1);
	memset(&snap, 0, sizeof snap);
	snap.tab = t;
	snap.error = "";
	snap.trans_lost = snap.notify_lost = snap.alerts_outside = -1;
	filter_init(&f);
	snprintf(path, sizeof path, "%s/tcptop.prom", dir);
	e = exporter_open(NULL, path, err, sizeof err);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	CHECK(exporter_publish(e, &snap, &f) == 0);
	text = slurp(path);
	CHECK(text != NULL && strstr(text, "tcptop_sockets{family=\"ipv4\","
	    "state=\"LISTEN\"} 1\n") != NULL);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	/* A mode the operator chose stays. */
	CHECK(chmod(path, 0640) == 0);
	CHECK(exporter_publish(e, &snap, &f) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	exporter_close(e);

	/* A symbolic link where the file goes: refused, its target as it
	 * was, the reason said. */
	snprintf(victim, sizeof victim, "%s/victim", dir);
	snprintf(link, sizeof link, "%s/link.prom", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd != -1 && write(fd, "keep\n", 5) == 5);
	close(fd);
	CHECK(symlink(victim, link) == 0);
	e = exporter_open(NULL, link, err, sizeof err);
	CHECK(e != NULL);
	CHECK(exporter_publish(e, &snap, &f) == -1);
	CHECK(strstr(exporter_error(e), "symbolic link") != NULL);
	text = slurp(victim);
	CHECK(text != NULL && strcmp(text, "keep\n") == 0);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	exporter_close(e);
	unlink(link);

	/* As root: another user's file is not replaced. */
	if (geteuid() == 0) {
		CHECK(chown(victim, 65534, 65534) == 0);
		e = exporter_open(NULL, victim, err, sizeof err);
		CHECK(exporter_publish(e, &snap, &f) == -1);
		CHECK(strstr(exporter_error(e), "owned by uid 65534") != NULL);
		text = slurp(victim);
		CHECK(text != NULL && strcmp(text, "keep\n") == 0);
		exporter_close(e);
	}
	/* A missing directory: said, not made. */
	snprintf(path, sizeof path, "%s/no/such.prom", dir);
	e = exporter_open(NULL, path, err, sizeof err);
	CHECK(exporter_publish(e, &snap, &f) == -1);
	CHECK(strstr(exporter_error(e), "no such directory") != NULL);
	exporter_close(e);
	unlink(victim);
	snprintf(path, sizeof path, "%s/tcptop.prom", dir);
	unlink(path);
	conntab_free(t);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_listen_refused();
	test_file();
	if (rmdir(dir) == -1)
		CHECK(!"the test left files behind");
	return check_done();
}
