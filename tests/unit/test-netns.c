/* Naming namespaces (-N), sanitized labels, and the cgroup helpers:
 * short names, the cgroup2 mount from mountinfo, ids to paths. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/cgroup.h"
#include "tcptop/netns.h"

static void
test_classify(void)
{
	char buf[64];

	CHECK_EQ(netns_classify("web"), NETNS_NAME);
	CHECK_EQ(netns_classify("ns-1.a"), NETNS_NAME);
	CHECK_EQ(netns_classify("1234x"), NETNS_NAME);
	CHECK_EQ(netns_classify("1234"), NETNS_PID);
	CHECK_EQ(netns_classify("/proc/1/ns/net"), NETNS_PATH);
	CHECK_EQ(netns_classify("./ns"), NETNS_PATH);
	CHECK_EQ(netns_classify("a/b"), NETNS_PATH);
	CHECK_EQ(netns_classify(""), NETNS_BAD);
	CHECK_EQ(netns_classify(NULL), NETNS_BAD);
	CHECK_EQ(netns_classify("0"), NETNS_BAD);
	CHECK_EQ(netns_classify("0000"), NETNS_BAD);
	CHECK_EQ(netns_classify("12345678901"), NETNS_BAD);	/* no int */
	CHECK_EQ(netns_classify("."), NETNS_BAD);
	CHECK_EQ(netns_classify(".."), NETNS_BAD);

	CHECK_EQ(netns_spec_path("web", buf, sizeof buf), 0);
	CHECK(strcmp(buf, "/run/netns/web") == 0);
	CHECK_EQ(netns_spec_path("42", buf, sizeof buf), 0);
	CHECK(strcmp(buf, "/proc/42/ns/net") == 0);
	CHECK_EQ(netns_spec_path("/x/y", buf, sizeof buf), 0);
	CHECK(strcmp(buf, "/x/y") == 0);
	CHECK_EQ(netns_spec_path("..", buf, sizeof buf), -1);
	CHECK_EQ(netns_spec_path("averylongnamethatdoesnotfit", buf, 16), -1);

	netns_sanitize("a\033[2Jb\tc\xc3\xa9", buf, sizeof buf);
	CHECK(strcmp(buf, "a?[2Jb?c??") == 0);
	netns_sanitize("abcdef", buf, 4);
	CHECK(strcmp(buf, "abc") == 0);
}

static void
test_open(void)
{
	char err[160];
	int usage, fd;

	fd = netns_open("/proc/self/ns/net", &usage, err, sizeof err);
	CHECK(fd >= 0);
	CHECK_EQ(usage, 0);
	/* -N naming our own namespace names home (the SSH session stays
	 * in view); another file does not. */
	CHECK_EQ(netns_is_home(fd), 1);
	CHECK_EQ(netns_is_home(-1), 1);
	CHECK_EQ(netns_init(), 0);
	CHECK_EQ(netns_is_home(fd), 1);
	if (fd >= 0)
		close(fd);
	fd = open("/proc/self/ns/uts", O_RDONLY);
	CHECK_EQ(netns_is_home(fd), 0);
	if (fd >= 0)
		close(fd);
	/* A namespace, but not a network one. */
	CHECK_EQ(netns_open("/proc/self/ns/uts", &usage, err, sizeof err), -1);
	CHECK_EQ(usage, 1);
	CHECK(strstr(err, "not a network namespace") != NULL);
	CHECK_EQ(netns_open("/dev/null", &usage, err, sizeof err), -1);
	CHECK_EQ(usage, 1);
	CHECK_EQ(netns_open("tcptop-no-such-ns", &usage, err, sizeof err),
	    -1);
	CHECK_EQ(usage, 1);
	CHECK(strstr(err, "no such network namespace") != NULL);
	CHECK(strchr(err, '\n') == NULL);
	CHECK_EQ(netns_open("999999999", &usage, err, sizeof err), -1);
	CHECK(strstr(err, "no such process") != NULL);
	/* Entering our own namespace needs no privilege we lack: -1. */
	CHECK_EQ(netns_enter(-1), 0);
}

static void
test_short(void)
{
	static const struct {
		const char *path, *want;
	} t[] = {
		{ "/", "/" },
		{ "", "/" },
		{ "/system.slice/nginx.service", "nginx.service" },
		{ "/system.slice/nginx.service/", "nginx.service" },
		{ "/user.slice/user-1000.slice/session-3.scope",
		    "session-3.scope" },
		{ "/system.slice/docker-0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef.scope",
		    "docker:0123456789ab" },
		{ "/kubepods.slice/kubepods-pod1.slice/cri-containerd-"
		    "fedcba9876543210fedcba9876543210fedcba9876543210fedcba"
		    "9876543210.scope", "cri-containerd:fedcba987654" },
		{ "/docker/0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef", "docker:0123456789ab" },
		/* 63 hex digits: not an id. */
		{ "/system.slice/docker-0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcde.scope",
		    "docker-0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcde.scope" },
		{ "/tcptop-test-1", "tcptop-test-1" },
		{ "/evil\033]0;x\007", "evil?]0;x?" },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cgroup_short(t[i].path, buf, sizeof buf);
		if (!CHECK(strcmp(buf, t[i].want) == 0))
			fprintf(stderr, "  %s -> %s, not %s\n", t[i].path, buf,
			    t[i].want);
	}
	cgroup_short("/a/nginx.service", buf, 6);
	CHECK(strcmp(buf, "nginx") == 0);
}

static void
test_mount(const char *dir)
{
	char path[4096], buf[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/mountinfo", dir);
	fp = fopen(path, "w");
	fputs("25 1 0:23 / /sys rw,nosuid - sysfs sysfs rw\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - "
	    "cgroup2 cgroup2 rw\n"
	    "42 31 0:39 / /a\\040b rw - cgroup2 none rw\n", fp);
	fclose(fp);
	CHECK_EQ(cgroup_find_mount(path, buf, sizeof buf), 0);
	CHECK(strcmp(buf, "/sys/fs/cgroup/unified") == 0);
	fp = fopen(path, "w");
	fputs("42 31 0:39 / /a\\040b rw - cgroup2 none rw\n", fp);
	fclose(fp);
	CHECK_EQ(cgroup_find_mount(path, buf, sizeof buf), 0);
	CHECK(strcmp(buf, "/a b") == 0);
	fp = fopen(path, "w");
	fputs("25 1 0:23 / /sys rw - sysfs sysfs rw\n"
	    "26 1 0:24 / /x rw - cgroup cgroup rw,cpu\n", fp);
	fclose(fp);
	CHECK_EQ(cgroup_find_mount(path, buf, sizeof buf), -1);
	unlink(path);
}

/* A directory tree stands in for the mount: ids are inode numbers. */
static void
test_map(const char *dir)
{
	char a[4096], b[4096];
	struct cgroup_map *m;
	struct stat st;
	uint16_t ia, ib, iroot, inone;

	snprintf(a, sizeof a, "%s/system.slice", dir);
	snprintf(b, sizeof b, "%s/system.slice/web.service", dir);
	CHECK(mkdir(a, 0700) == 0 && mkdir(b, 0700) == 0);
	m = cgroup_map_new(dir);
	stat(b, &st);
	ib = cgroup_intern(st.st_ino);
	stat(dir, &st);
	iroot = cgroup_intern(st.st_ino);
	inone = cgroup_intern(1);	/* in no directory of the tree */
	CHECK(ib != 0 && iroot != 0 && ib != iroot);
	CHECK_EQ(cgroup_intern(0), 0);
	CHECK_EQ(cgroup_map_update(m, 1000), 2);
	CHECK(cgroup_map_path(m, ib) != NULL &&
	    strcmp(cgroup_map_path(m, ib), "/system.slice/web.service") == 0);
	CHECK(cgroup_map_path(m, iroot) != NULL &&
	    strcmp(cgroup_map_path(m, iroot), "/") == 0);
	CHECK(cgroup_map_path(m, inone) == NULL);
	CHECK(cgroup_map_path(m, 0) == NULL);
	/* A new id: no walk before CGROUP_RESCAN_MS, one after. */
	stat(a, &st);
	ia = cgroup_intern(st.st_ino);
	CHECK_EQ(cgroup_map_update(m, 1000 + CGROUP_RESCAN_MS - 1), 0);
	CHECK(cgroup_map_path(m, ia) == NULL);
	CHECK_EQ(cgroup_map_update(m, 1000 + CGROUP_RESCAN_MS), 1);
	CHECK(cgroup_map_path(m, ia) != NULL &&
	    strcmp(cgroup_map_path(m, ia), "/system.slice") == 0);
	cgroup_map_free(m);
	CHECK(cgroup_map_path(NULL, ia) == NULL);
	rmdir(b);
	rmdir(a);
}

/* A cgroup named with an escape sequence, a raw and a UTF-8 C1 control
 * and a right-to-left override: its path comes out cleaned, UTF-8 text
 * kept. */
static void
test_map_hostile(const char *dir)
{
	char a[4096];
	struct cgroup_map *m;
	struct stat st;
	uint16_t ia;

	snprintf(a, sizeof a, "%s/x\033]0;PWN\007\x9b\xc2\x9b\xe2\x80\xae"
	    "caf\xc3\xa9", dir);
	CHECK(mkdir(a, 0700) == 0);
	m = cgroup_map_new(dir);
	stat(a, &st);
	ia = cgroup_intern(st.st_ino);
	/* The tree's root and this directory (maybe more: an inode of
	 * test_map's removed directories may come back). */
	CHECK(cgroup_map_update(m, 1000) >= 1);
	if (!CHECK(cgroup_map_path(m, ia) != NULL && strcmp(cgroup_map_path(m,
	    ia), "/x?]0;PWN???????caf\xc3\xa9") == 0))
		fprintf(stderr, "  got \"%s\"\n", cgroup_map_path(m, ia));
	cgroup_map_free(m);
	rmdir(a);
}

int
main(void)
{
	char dir[] = "/tmp/tcptop-test-netns-XXXXXX";

	test_classify();
	test_open();
	test_short();
	if (CHECK(mkdtemp(dir) != NULL)) {
		test_mount(dir);
		test_map(dir);
		test_map_hostile(dir);
		rmdir(dir);
	}
	return check_done();
}
