/* Naming namespaces (-N), opening them, sanitized labels. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
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

int
main(void)
{
	test_classify();
	test_open();
	return check_done();
}
