/* test-kstat: the counters of /proc/net/snmp and /proc/net/netstat found
 * by name in fixture copies (normal, reordered, a counter missing, cut
 * short, garbage), the rates between reads, and $SSH_CONNECTION. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "tcptop/kstat.h"
#include "tcptop/ssh.h"

static const char *datadir;

/* The values the fixtures hold. */
static const uint64_t want[KSTAT_N] = {
	[KSTAT_ACTIVE_OPENS] = 3539,
	[KSTAT_PASSIVE_OPENS] = 1766,
	[KSTAT_ATTEMPT_FAILS] = 1742,
	[KSTAT_ESTAB_RESETS] = 130,
	[KSTAT_OUT_RSTS] = 1807,
	[KSTAT_RETRANS_SEGS] = 21,
	[KSTAT_IN_SEGS] = 22092,
	[KSTAT_OUT_SEGS] = 21734,
	[KSTAT_CURR_ESTAB] = 23,
	[KSTAT_IN_ERRS] = 22,
	[KSTAT_LISTEN_OVERFLOWS] = 11,
	[KSTAT_LISTEN_DROPS] = 12,
	[KSTAT_SYNCOOKIES_SENT] = 13,
	[KSTAT_SYNCOOKIES_RECV] = 14,
	[KSTAT_SYNCOOKIES_FAILED] = 15,
	[KSTAT_ABORT_ON_TIMEOUT] = 16,
	[KSTAT_ABORT_ON_CLOSE] = 17,
	[KSTAT_ABORT_ON_DATA] = 18,
	[KSTAT_ABORT_ON_MEMORY] = 19,
	[KSTAT_TIMEOUTS] = 20,
};

/* Parse fixture name as file; returns how many counters it gave. */
static size_t
parse_fixture(const char *name, int file, struct kstat_values *v)
{
	char path[4096], buf[65536];
	size_t n;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", datadir, name);
	fp = fopen(path, "r");
	if (!CHECK(fp != NULL)) {
		fprintf(stderr, "%s: cannot open\n", path);
		return 0;
	}
	n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	return kstat_parse(file, buf, n, v);
}

/* Every counter of file as the fixtures hold it, but skip. */
static void
check_file(const struct kstat_values *v, int file, int skip)
{
	int id;

	for (id = 0; id < KSTAT_N; id++) {
		if (kstat_table[id].file != file)
			continue;
		if (id == skip) {
			CHECK(!v->have[id]);
			continue;
		}
		if (!CHECK(v->have[id]))
			fprintf(stderr, "  %s missing\n", kstat_table[id].name);
		CHECK_EQ(v->vals[id], want[id]);
	}
}

static void
test_fixtures(void)
{
	struct kstat_values v;
	int id;

	memset(&v, 0, sizeof v);
	CHECK_EQ(parse_fixture("kstat-snmp", KSTAT_SNMP, &v), 10);
	CHECK_EQ(parse_fixture("kstat-netstat", KSTAT_NETSTAT, &v), 11);
	check_file(&v, KSTAT_SNMP, -1);
	check_file(&v, KSTAT_NETSTAT, -1);

	/* Sections and names in another order. */
	memset(&v, 0, sizeof v);
	CHECK_EQ(parse_fixture("kstat-snmp-reordered", KSTAT_SNMP, &v), 10);
	CHECK_EQ(parse_fixture("kstat-netstat-reordered", KSTAT_NETSTAT, &v),
	    11);
	check_file(&v, KSTAT_SNMP, -1);
	check_file(&v, KSTAT_NETSTAT, -1);

	/* A kernel without ListenDrops: the rest still found. */
	memset(&v, 0, sizeof v);
	CHECK_EQ(parse_fixture("kstat-netstat-missing", KSTAT_NETSTAT, &v),
	    10);
	check_file(&v, KSTAT_NETSTAT, KSTAT_LISTEN_DROPS);

	/* Cut inside the Tcp values line: none of them. */
	memset(&v, 0, sizeof v);
	CHECK_EQ(parse_fixture("kstat-snmp-truncated", KSTAT_SNMP, &v), 0);
	for (id = 0; id < KSTAT_N; id++)
		CHECK(!v.have[id]);

	/* The wrong file's section is not read for the other's counters. */
	memset(&v, 0, sizeof v);
	CHECK_EQ(parse_fixture("kstat-netstat", KSTAT_SNMP, &v), 0);

	/* Garbage: bad names, values that are no numbers or overflow, a
	 * pair of two sections, lines without a colon; only the one sound
	 * pair at the end counts, and a names line without values gives
	 * nothing. */
	memset(&v, 0, sizeof v);
	CHECK_EQ(parse_fixture("kstat-garbage", KSTAT_SNMP, &v), 1);
	CHECK(v.have[KSTAT_OUT_SEGS]);
	CHECK_EQ(v.vals[KSTAT_OUT_SEGS], 42);
	CHECK(!v.have[KSTAT_ACTIVE_OPENS]);
	CHECK(!v.have[KSTAT_PASSIVE_OPENS]);
	CHECK(!v.have[KSTAT_IN_SEGS]);
	CHECK(!v.have[KSTAT_CURR_ESTAB]);

	/* Nothing at all. */
	memset(&v, 0, sizeof v);
	CHECK_EQ(kstat_parse(KSTAT_SNMP, "", 0, &v), 0);
	CHECK_EQ(kstat_parse(KSTAT_SNMP, "Tcp: ActiveOpens\nTcp: 5", 23, &v),
	    0);
	CHECK_EQ(kstat_parse(KSTAT_SNMP, "Tcp: ActiveOpens\nTcp: 5\n", 24, &v),
	    1);
	CHECK_EQ(v.vals[KSTAT_ACTIVE_OPENS], 5);
}

/* Write the two files the reader has open: rewritten in place, so the
 * descriptors see the new text as /proc's do. */
static void
write_files(const char *snmp, const char *netstat, unsigned long act,
    unsigned long estab, unsigned long ovfl)
{
	FILE *fp;

	fp = fopen(snmp, "w");
	if (fp == NULL)
		abort();
	fprintf(fp, "Ip: Forwarding\nIp: 1\n"
	    "Tcp: RtoAlgorithm MaxConn ActiveOpens CurrEstab\n"
	    "Tcp: 1 -1 %lu %lu\n", act, estab);
	fclose(fp);
	fp = fopen(netstat, "w");
	if (fp == NULL)
		abort();
	fprintf(fp, "TcpExt: SyncookiesSent ListenOverflows\n"
	    "TcpExt: 0 %lu\n", ovfl);
	fclose(fp);
}

static void
test_rates(void)
{
	char snmp[] = "/tmp/test-kstat-snmp.XXXXXX";
	char netstat[] = "/tmp/test-kstat-netstat.XXXXXX";
	char err[256];
	struct kstat *k = kstat_new();
	int fd;

	/* Nothing open: nothing known. */
	CHECK_EQ(kstat_read(k, 0), 0);
	CHECK(!kstat_have(k, KSTAT_ACTIVE_OPENS));
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) < 0);

	fd = mkstemp(snmp);
	close(fd);
	fd = mkstemp(netstat);
	close(fd);
	write_files(snmp, netstat, 100, 5, 7);
	CHECK_EQ(kstat_open_paths(k, snmp, netstat, err, sizeof err), 0);

	/* The first read: totals, no rate. */
	CHECK_EQ(kstat_read(k, 1000), 0);
	CHECK(kstat_have(k, KSTAT_ACTIVE_OPENS));
	CHECK_EQ(kstat_total(k, KSTAT_ACTIVE_OPENS), 100);
	CHECK_EQ(kstat_total(k, KSTAT_LISTEN_OVERFLOWS), 7);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == -1);
	CHECK(kstat_rate(k, KSTAT_LISTEN_OVERFLOWS) == -1);
	CHECK(!kstat_have(k, KSTAT_PASSIVE_OPENS));
	CHECK(kstat_rate(k, KSTAT_PASSIVE_OPENS) == -1);

	/* Two seconds later, 10 more opens and 3 more overflows. */
	write_files(snmp, netstat, 110, 9, 10);
	CHECK_EQ(kstat_read(k, 3000), 0);
	CHECK_EQ(kstat_total(k, KSTAT_ACTIVE_OPENS), 110);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == 5.0);
	CHECK(kstat_rate(k, KSTAT_LISTEN_OVERFLOWS) == 1.5);
	CHECK(kstat_rate(k, KSTAT_SYNCOOKIES_SENT) == 0.0);
	/* A gauge has no rate. */
	CHECK_EQ(kstat_total(k, KSTAT_CURR_ESTAB), 9);
	CHECK(kstat_rate(k, KSTAT_CURR_ESTAB) == -1);

	/* Half a second, nothing new. */
	CHECK_EQ(kstat_read(k, 3500), 0);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == 0.0);
	/* The same instant again: no rate. */
	CHECK_EQ(kstat_read(k, 3500), 0);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == -1);

	/* Backwards (the namespace was made again): no rate, and the new
	 * value is the baseline. */
	write_files(snmp, netstat, 4, 0, 10);
	CHECK_EQ(kstat_read(k, 4500), 0);
	CHECK_EQ(kstat_total(k, KSTAT_ACTIVE_OPENS), 4);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == -1);
	CHECK(kstat_rate(k, KSTAT_LISTEN_OVERFLOWS) == 0.0);
	write_files(snmp, netstat, 6, 0, 10);
	CHECK_EQ(kstat_read(k, 5500), 0);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == 2.0);

	/* A counter that vanishes, then comes back: no rate on its
	 * return. */
	{
		FILE *fp = fopen(snmp, "w");

		if (fp == NULL)
			abort();
		fputs("Tcp: CurrEstab\nTcp: 1\n", fp);
		fclose(fp);
	}
	CHECK_EQ(kstat_read(k, 6500), 0);
	CHECK(!kstat_have(k, KSTAT_ACTIVE_OPENS));
	CHECK_EQ(kstat_total(k, KSTAT_ACTIVE_OPENS), 0);
	write_files(snmp, netstat, 8, 0, 10);
	CHECK_EQ(kstat_read(k, 7500), 0);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == -1);

	/* Opening again forgets the baseline. */
	CHECK_EQ(kstat_open_paths(k, snmp, netstat, err, sizeof err), 0);
	CHECK_EQ(kstat_read(k, 8500), 0);
	CHECK(kstat_rate(k, KSTAT_ACTIVE_OPENS) == -1);

	/* A file that cannot be opened: said, and its counters unknown. */
	CHECK_EQ(kstat_open_paths(k, "/nonexistent/snmp", netstat, err,
	    sizeof err), -1);
	CHECK(strstr(err, "/nonexistent/snmp") != NULL);
	CHECK_EQ(kstat_read(k, 9500), 0);
	CHECK(!kstat_have(k, KSTAT_ACTIVE_OPENS));
	CHECK(kstat_have(k, KSTAT_LISTEN_OVERFLOWS));

	kstat_free(k);
	kstat_free(NULL);
	unlink(snmp);
	unlink(netstat);
}

/* The live files of this namespace parse, whatever their order. */
static void
test_live(void)
{
	struct kstat *k = kstat_new();
	char err[256];

	if (kstat_open(k, err, sizeof err) == -1) {
		fprintf(stderr, "live: %s (skipped)\n", err);
		kstat_free(k);
		return;
	}
	CHECK_EQ(kstat_read(k, 1), 0);
	CHECK(kstat_have(k, KSTAT_ACTIVE_OPENS));
	CHECK(kstat_have(k, KSTAT_LISTEN_OVERFLOWS));
	CHECK(kstat_have(k, KSTAT_TIMEOUTS));
	/* Every Linux has /proc/net/sockstat with a TCP line. */
	CHECK(kstat_sockets(k) >= 0);
	kstat_free(k);
}

static void
test_fmt_rate(void)
{
	static const struct {
		double r;
		const char *text;
	} t[] = {
		{ -1, "-" }, { 0, "0" }, { 0.04, "0.0" }, { 0.5, "0.5" },
		{ 9.9, "9.9" }, { 9.96, "10" }, { 123.4, "123" },
		{ 9999, "9999" }, { 12345, "12.3k" }, { 123456, "123k" },
		{ 2500000, "2.5M" },
	};
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		kstat_fmt_rate(t[i].r, buf, sizeof buf);
		if (!CHECK(strcmp(buf, t[i].text) == 0))
			fprintf(stderr, "  %g: %s, not %s\n", t[i].r, buf,
			    t[i].text);
	}
}

static struct conn_sample
sample(int family, const char *local, int lport, const char *remote,
    int rport)
{
	struct conn_sample c;

	memset(&c, 0, sizeof c);
	c.family = (uint8_t)family;
	inet_pton(family, local, c.local);
	inet_pton(family, remote, c.remote);
	c.lport = (uint16_t)lport;
	c.rport = (uint16_t)rport;
	return c;
}

static void
test_ssh(void)
{
	static const char *const bad[] = {
		"", "10.0.0.2 51000 10.0.0.1", "10.0.0.2 51000 10.0.0.1 22 x",
		"10.0.0.2  51000 10.0.0.1 22", " 10.0.0.2 51000 10.0.0.1 22",
		"10.0.0.2 51000 10.0.0.1 22 ", "10.0.0.2 0 10.0.0.1 22",
		"10.0.0.2 65536 10.0.0.1 22", "10.0.0.2 051000 10.0.0.1 22",
		"10.0.0.2 +5100 10.0.0.1 22", "10.0.0.2 51000 10.0.0.1 2x",
		"10.0.0.256 51000 10.0.0.1 22", "host 51000 10.0.0.1 22",
		"10.0.0.2 51000 fd00::1 22", "fe80::1%eth0 51000 fe80::2 22",
		"10.0.0.2\t51000 10.0.0.1 22",
	};
	struct ssh_session s, keep;
	struct conn_sample c;
	char buf[CONN_ENDPOINT_LEN];
	size_t i;

	CHECK_EQ(ssh_parse("10.0.0.2 51000 10.0.0.1 22", &s), 0);
	CHECK_EQ(s.family, AF_INET);
	CHECK_EQ(s.cport, 51000);
	CHECK_EQ(s.sport, 22);
	CHECK(strcmp(ssh_fmt_end(&s, 1, buf, sizeof buf), "10.0.0.1:22") ==
	    0);
	CHECK(strcmp(ssh_fmt_end(&s, 0, buf, sizeof buf),
	    "10.0.0.2:51000") == 0);
	c = sample(AF_INET, "10.0.0.1", 22, "10.0.0.2", 51000);
	CHECK(ssh_match(&s, &c));
	/* The other direction, another port: not the session. */
	c = sample(AF_INET, "10.0.0.2", 51000, "10.0.0.1", 22);
	CHECK(!ssh_match(&s, &c));
	c = sample(AF_INET, "10.0.0.1", 22, "10.0.0.2", 51001);
	CHECK(!ssh_match(&s, &c));
	/* A dual-stack sshd's socket holds the mapped spelling. */
	c = sample(AF_INET6, "::ffff:10.0.0.1", 22, "::ffff:10.0.0.2", 51000);
	CHECK(ssh_match(&s, &c));
	c = sample(AF_INET6, "::ffff:10.0.0.1", 22, "::ffff:10.0.0.3", 51000);
	CHECK(!ssh_match(&s, &c));
	/* The same 4-tuple in another namespace of --all-netns. */
	c = sample(AF_INET, "10.0.0.1", 22, "10.0.0.2", 51000);
	c.netns = 2;
	CHECK(!ssh_match(&s, &c));
	/* -N views another namespace than the session's. */
	c.netns = 0;
	s.elsewhere = 1;
	CHECK(!ssh_match(&s, &c));
	s.elsewhere = 0;
	CHECK(ssh_match(&s, &c));
	/* Without SSH_CONNECTION: the session from its connection, as sshd
	 * would have described it; a mapped address as IPv4. */
	c = sample(AF_INET6, "::ffff:10.0.0.1", 22, "::ffff:10.0.0.2", 51000);
	ssh_from_conn(&keep, &c);
	CHECK(keep.family == AF_INET && keep.sport == 22 &&
	    keep.cport == 51000 && memcmp(keep.server, s.server, 16) == 0 &&
	    memcmp(keep.client, s.client, 16) == 0 && !keep.elsewhere);
	CHECK(ssh_match(&keep, &c));
	c = sample(AF_INET, "10.0.0.1", 22, "10.0.0.2", 51000);
	CHECK(ssh_match(&keep, &c));

	/* The mapped spelling in the variable is IPv4 too. */
	CHECK_EQ(ssh_parse("::ffff:10.0.0.2 51000 ::ffff:10.0.0.1 22", &s),
	    0);
	CHECK_EQ(s.family, AF_INET);
	c = sample(AF_INET, "10.0.0.1", 22, "10.0.0.2", 51000);
	CHECK(ssh_match(&s, &c));

	/* IPv6. */
	CHECK_EQ(ssh_parse("fd00::2 40000 fd00::1 2222", &s), 0);
	CHECK_EQ(s.family, AF_INET6);
	CHECK(strcmp(ssh_fmt_end(&s, 1, buf, sizeof buf), "[fd00::1]:2222") ==
	    0);
	c = sample(AF_INET6, "fd00::1", 2222, "fd00::2", 40000);
	CHECK(ssh_match(&s, &c));
	c = sample(AF_INET6, "fd00::1", 2222, "fd00::3", 40000);
	CHECK(!ssh_match(&s, &c));
	c = sample(AF_INET, "10.0.0.1", 2222, "10.0.0.2", 40000);
	CHECK(!ssh_match(&s, &c));

	/* Garbage leaves s alone. */
	keep = s;
	CHECK_EQ(ssh_parse(NULL, &s), -1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(ssh_parse(bad[i], &s) == -1))
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
	CHECK(memcmp(&s, &keep, sizeof s) == 0);
}

/* /proc/net/sockstat and sockstat6: TCP inuse and tw, TCP6 inuse. */
static void
test_sockstat(void)
{
	static const char v4[] = "sockets: used 9\n"
	    "TCP: inuse 10002 orphan 0 tw 37 alloc 10004 mem 319\n"
	    "UDP: inuse 3 mem 0\n";
	static const char v6[] = "TCP6: inuse 2000\nUDP6: inuse 0\n";
	static const char none[] = "UDP: inuse 3 mem 0\nTCP: inuse\n";
	static const char cut[] = "TCP: inuse 12 orphan 0 tw 4";

	CHECK_EQ(kstat_sockstat_parse(v4, strlen(v4)), 10039);
	CHECK_EQ(kstat_sockstat_parse(v6, strlen(v6)), 2000);
	CHECK(kstat_sockstat_parse(none, strlen(none)) == -1);
	CHECK(kstat_sockstat_parse(cut, strlen(cut)) == -1);
	CHECK(kstat_sockstat_parse("", 0) == -1);
}

int
main(int argc, char **argv)
{
	const char *data = getenv("TESTDATA");

	datadir = argc > 1 ? argv[1] : data != NULL ? data : "tests/data";
	test_fixtures();
	test_rates();
	test_live();
	test_fmt_rate();
	test_sockstat();
	test_ssh();
	return check_done();
}
