/* The command line: every option into its field, every usage error with
 * its exact one line, --help listing each visible option once within 79
 * columns, and --help and --version on stdout. */
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "tcptop/column.h"
#include "tcptop/group.h"
#include "tcptop/exporter.h"
#include "tcptop/options.h"
#include "tcptop/field.h"

#define ARGS_MAX	16
#define ARG_LEN		256

/* The argv of the last parse: o's strings point into it. */
static struct {
	char buf[ARGS_MAX][ARG_LEN];
	char *argv[ARGS_MAX + 1];
} args;
static char err[256];

/* Parse "tcptop" and the NULL-terminated words into o. */
static int
parse(struct options *o, ...)
{
	const char *w;
	va_list ap;
	int argc = 0;

	snprintf(args.buf[argc], ARG_LEN, "tcptop");
	args.argv[argc] = args.buf[argc];
	argc++;
	va_start(ap, o);
	while ((w = va_arg(ap, const char *)) != NULL && argc < ARGS_MAX) {
		snprintf(args.buf[argc], ARG_LEN, "%s", w);
		args.argv[argc] = args.buf[argc];
		argc++;
	}
	va_end(ap);
	args.argv[argc] = NULL;
	err[0] = '\0';
	return options_parse(o, argc, args.argv, err, sizeof err);
}

/* Read fp from the start into buf (NUL-terminated) and close it. */
static void
slurp(FILE *fp, char *buf, size_t len)
{
	size_t n;

	rewind(fp);
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* Parse the words with stdout going to buf. */
static int
parse_stdout(struct options *o, char *buf, size_t len, const char *w1)
{
	FILE *fp = tmpfile();
	int saved, rc;

	if (!CHECK(fp != NULL))
		return -2;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(fp), STDOUT_FILENO);
	rc = parse(o, w1, NULL);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	slurp(fp, buf, len);
	return rc;
}

/* Nothing given: the defaults. */
static void
test_defaults(void)
{
	struct options o;
	struct filter f;

	unsetenv("NO_COLOR");
	CHECK_EQ(parse(&o, NULL), OPTIONS_RUN);
	filter_init(&f);
	CHECK(memcmp(&o.filter, &f, sizeof f) == 0);
	CHECK(!o.batch && !o.json && o.iterations == 0);
	CHECK(o.delay == 1.0 && o.tombstone == 3.0);
	CHECK(o.sort_key == FIELD_STATE && !o.sort_reverse);
	CHECK(o.record == NULL && o.replay == NULL && o.expr == NULL &&
	    o.log == NULL && o.netns == NULL);
	CHECK(!o.no_color && !o.ascii && !o.diagram && !o.no_trace);
	CHECK(!o.no_mouse);
	CHECK(o.group == GROUP_NONE && !o.all_netns);
	CHECK(!o.lesson && !o.lesson_wait && !o.kill && !o.yes);
	CHECK_EQ(o.ncols, column_ndefault);
	CHECK(memcmp(o.cols, column_default, column_ndefault) == 0);
	CHECK_EQ(o.given, 0);

	/* https://no-color.org: set and not empty. */
	setenv("NO_COLOR", "1", 1);
	CHECK_EQ(parse(&o, NULL), OPTIONS_RUN);
	CHECK(o.no_color && o.given == 0);
	setenv("NO_COLOR", "", 1);
	CHECK_EQ(parse(&o, NULL), OPTIONS_RUN);
	CHECK(!o.no_color);
	unsetenv("NO_COLOR");
}

/* The flags, by long name, short letter and abbreviation. */
static void
test_flags(void)
{
	struct options o;

	CHECK(parse(&o, "-b", NULL) == OPTIONS_RUN && o.batch && !o.json);
	CHECK(parse(&o, "--batch", NULL) == OPTIONS_RUN && o.batch);
	CHECK(parse(&o, "--json", NULL) == OPTIONS_RUN && o.json && o.batch);
	CHECK(parse(&o, "-4", NULL) == OPTIONS_RUN &&
	    o.filter.families == FILTER_INET4);
	CHECK(parse(&o, "--ipv6", NULL) == OPTIONS_RUN &&
	    o.filter.families == FILTER_INET6);
	CHECK(parse(&o, "-4", "-6", NULL) == OPTIONS_RUN &&
	    o.filter.families == (FILTER_INET4 | FILTER_INET6));
	CHECK(parse(&o, "-r", NULL) == OPTIONS_RUN && o.sort_reverse &&
	    o.given == OPTIONS_GIVEN_REVERSE);
	CHECK(parse(&o, "--reverse", NULL) == OPTIONS_RUN && o.sort_reverse);
	CHECK(parse(&o, "--no-color", NULL) == OPTIONS_RUN && o.no_color &&
	    o.given == OPTIONS_GIVEN_COLOR);
	CHECK(parse(&o, "--no-colour", NULL) == OPTIONS_RUN && o.no_color &&
	    o.given == OPTIONS_GIVEN_COLOR);
	/* Both spellings are one option: the prefix is not ambiguous. */
	CHECK(parse(&o, "--no-col", NULL) == OPTIONS_RUN && o.no_color);
	CHECK(parse(&o, "--ascii", NULL) == OPTIONS_RUN && o.ascii &&
	    o.given == OPTIONS_GIVEN_ASCII);
	CHECK(parse(&o, "--no-mouse", NULL) == OPTIONS_RUN && o.no_mouse &&
	    o.given == OPTIONS_GIVEN_MOUSE);
	CHECK(parse(&o, "--diagram", NULL) == OPTIONS_RUN && o.diagram);
	CHECK(parse(&o, "--no-trace", NULL) == OPTIONS_RUN && o.no_trace);
	/* --no-owners: the default columns lose the owner's, asked-for
	 * owner columns are an error. */
	CHECK(parse(&o, "--no-owners", NULL) == OPTIONS_RUN && o.no_owners &&
	    memchr(o.cols, FIELD_PROCESS, o.ncols) == NULL &&
	    o.ncols == column_ndefault - 1);
	CHECK(parse(&o, "--no-owners", "--columns", "state,user", NULL) ==
	    OPTIONS_USAGE);
	CHECK(parse(&o, NULL) == OPTIONS_RUN && o.trace_buffer_kb == 0);
	CHECK(parse(&o, "--trace-buffer", "64", NULL) == OPTIONS_RUN &&
	    o.trace_buffer_kb == 64);
	CHECK(parse(&o, "--trace-buffer=4", NULL) == OPTIONS_RUN &&
	    o.trace_buffer_kb == 4);
	CHECK(parse(&o, NULL) == OPTIONS_RUN && o.model == OPT_MODEL_AUTO &&
	    o.reconcile == 0);
	CHECK(parse(&o, "--model", "events", NULL) == OPTIONS_RUN &&
	    o.model == OPT_MODEL_EVENTS);
	CHECK(parse(&o, "--model=dump", NULL) == OPTIONS_RUN &&
	    o.model == OPT_MODEL_DUMP);
	CHECK(parse(&o, "--full-every", "12.5", NULL) == OPTIONS_RUN &&
	    o.reconcile == 12.5);
	CHECK(parse(&o, "--lesson", NULL) == OPTIONS_RUN && o.lesson &&
	    !o.lesson_wait);
	CHECK(parse(&o, "--lesson-wait", NULL) == OPTIONS_RUN && o.lesson &&
	    o.lesson_wait);
	CHECK(parse(&o, "--yes", NULL) == OPTIONS_RUN && o.yes && !o.kill);
	CHECK(parse(&o, "-br6", NULL) == OPTIONS_RUN && o.batch &&
	    o.sort_reverse && o.filter.families == FILTER_INET6);
	/* --kill: one batch dump without the tracepoint. */
	CHECK(parse(&o, "--kill", "--yes", "-p", "80", NULL) == OPTIONS_RUN &&
	    o.kill && o.yes && o.batch && o.no_trace && o.iterations == 1 &&
	    !o.kill_own);
	/* Without --yes: the list of what would go (app.c), a batch too;
	 * --kill is a prefix of --kill-own-session, and still itself. */
	CHECK(parse(&o, "--kill", "-p", "80", NULL) == OPTIONS_RUN &&
	    o.kill && !o.yes && o.batch && o.iterations == 1 && !o.kill_own);
	CHECK(parse(&o, "--kill", "--kill-own-session", "--state=estab",
	    NULL) == OPTIONS_RUN && o.kill && o.kill_own && !o.yes);
}

/* Options with a value, in every spelling getopt_long takes. */
static void
test_values(void)
{
	struct options o;

	CHECK(parse(&o, "-n", "5", NULL) == OPTIONS_RUN && o.iterations == 5);
	CHECK(parse(&o, "-n7", NULL) == OPTIONS_RUN && o.iterations == 7);
	CHECK(parse(&o, "--iterations=9", NULL) == OPTIONS_RUN &&
	    o.iterations == 9);
	CHECK(parse(&o, "-d", "0.25", NULL) == OPTIONS_RUN &&
	    o.delay == 0.25 && o.given == OPTIONS_GIVEN_DELAY);
	CHECK(parse(&o, "--delay", "0", NULL) == OPTIONS_RUN && o.delay == 0);
	CHECK(parse(&o, "--tombstone", "7.5", NULL) == OPTIONS_RUN &&
	    o.tombstone == 7.5 && o.delay == 1.0 && o.given == 0);
	CHECK(parse(&o, "-p", "80,8000-8080", NULL) == OPTIONS_RUN &&
	    o.filter.nranges == 2 && o.filter.ranges[1].lo == 8000 &&
	    o.filter.ranges[1].hi == 8080);
	CHECK(parse(&o, "--port=443", NULL) == OPTIONS_RUN &&
	    o.filter.nranges == 1 && o.filter.ranges[0].lo == 443);
	CHECK(parse(&o, "--state", "estab,listen", NULL) == OPTIONS_RUN &&
	    o.filter.states == (1U << TCP_ESTABLISHED | 1U << TCP_LISTEN));
	CHECK(parse(&o, "-f", "dport = 443", NULL) == OPTIONS_RUN &&
	    o.expr != NULL && strcmp(o.expr, "dport = 443") == 0);
	CHECK(parse(&o, "--filter=sport = 1", NULL) == OPTIONS_RUN &&
	    o.expr != NULL && strcmp(o.expr, "sport = 1") == 0);
	CHECK(parse(&o, "--sort", "rtt", NULL) == OPTIONS_RUN &&
	    o.sort_key == field_sort_lookup("rtt") &&
	    o.given == OPTIONS_GIVEN_SORT);
	CHECK(parse(&o, "--columns", "state,local", NULL) == OPTIONS_RUN &&
	    o.ncols == 2 && o.cols[0] == column_lookup("state") &&
	    o.cols[1] == column_lookup("local") &&
	    o.given == OPTIONS_GIVEN_COLUMNS);
	CHECK(parse(&o, "--group", "remote", NULL) == OPTIONS_RUN &&
	    o.group == GROUP_REMOTE);
	CHECK(parse(&o, "--group", "SERVICE", NULL) == OPTIONS_RUN &&
	    o.group == GROUP_SERVICE);
	CHECK(parse(&o, "-N", "blue", NULL) == OPTIONS_RUN &&
	    o.netns != NULL && strcmp(o.netns, "blue") == 0);
	CHECK(parse(&o, "--netns=/proc/1/ns/net", NULL) == OPTIONS_RUN &&
	    o.netns != NULL && strcmp(o.netns, "/proc/1/ns/net") == 0);
	CHECK(parse(&o, "-v", "/tmp/log", NULL) == OPTIONS_RUN &&
	    o.log != NULL && strcmp(o.log, "/tmp/log") == 0);
	CHECK(parse(&o, "--log", "l", NULL) == OPTIONS_RUN &&
	    o.log != NULL && strcmp(o.log, "l") == 0);
	CHECK(parse(&o, "--record", "r.nlmsg", NULL) == OPTIONS_RUN &&
	    o.record != NULL && strcmp(o.record, "r.nlmsg") == 0);
	CHECK(parse(&o, "--rec", "a", NULL) == OPTIONS_RUN &&
	    o.record != NULL && strcmp(o.record, "a") == 0);
	CHECK(parse(&o, "--replay", "p.nlmsg", NULL) == OPTIONS_RUN &&
	    o.replay != NULL && strcmp(o.replay, "p.nlmsg") == 0);
	/* --all-netns puts the netns column first, unless --columns. */
	CHECK(parse(&o, "--all-netns", NULL) == OPTIONS_RUN && o.all_netns &&
	    o.ncols == column_ndefault + 1 && o.cols[0] == FIELD_NETNS);
	CHECK(parse(&o, "--all-netns", "--group", "netns", NULL) ==
	    OPTIONS_RUN && o.group == GROUP_NETNS);
	CHECK(parse(&o, "--all-netns", "--columns", "state", NULL) ==
	    OPTIONS_RUN && o.ncols == 1);
}

/* What argv gives: OPTIONS_USAGE and exactly that line. */
static void
usage(const char *want, const char *w1, const char *w2, const char *w3,
    const char *w4)
{
	struct options o;
	int rc = parse(&o, w1, w2, w3, w4, NULL);

	CHECK_EQ(rc, OPTIONS_USAGE);
	if (!CHECK(strcmp(err, want) == 0))
		fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", err, want);
}

/* The errors getopt_long and the value checks give. */
static void
test_usage_values(void)
{
	usage("-n: \"x\" is not a positive count", "-n", "x", NULL, NULL);
	usage("--trace-buffer: \"4k\" is not a number of KB", "--trace-buffer",
	    "4k", NULL, NULL);
	usage("--trace-buffer: 3 out of range (4 to 262144 KB)",
	    "--trace-buffer", "3", NULL, NULL);
	usage("--trace-buffer: 262145 out of range (4 to 262144 KB)",
	    "--trace-buffer=262145", NULL, NULL, NULL);
	usage("--model: \"poll\" is not auto, events or dump", "--model",
	    "poll", NULL, NULL);
	usage("--full-every: -1 out of range (0 to one year)", "--full-every",
	    "-1", NULL, NULL);
	usage("-n: \"0\" is not a positive count", "-n", "0", NULL, NULL);
	usage("-n: \"-3\" is not a positive count", "-n", "-3", NULL, NULL);
	usage("-n: \"3x\" is not a positive count", "--iterations=3x", NULL,
	    NULL, NULL);
	usage("-d: \"abc\" is not a number of seconds", "-d", "abc", NULL,
	    NULL);
	usage("-d: \"nan\" is not a number of seconds", "-d", "nan", NULL,
	    NULL);
	usage("-d: -1 out of range (0 to one year)", "-d", "-1", NULL, NULL);
	usage("--tombstone: \"x\" is not a number of seconds", "--tombstone",
	    "x", NULL, NULL);
	usage("--tombstone: 1e9 out of range (0 to one year)", "--tombstone",
	    "1e9", NULL, NULL);
	usage("option --json takes no value", "--json=1", NULL, NULL, NULL);
	usage("option --batch takes no value", "--batch=x", NULL, NULL, NULL);
	usage("unknown option -z", "-z", NULL, NULL, NULL);
	usage("unknown option -Z", "-b", "-Z", NULL, NULL);
	usage("unknown option --frobnicate", "--frobnicate", NULL, NULL, NULL);
	usage("unknown option --frob=1", "--frob=1", NULL, NULL, NULL);
	/* Ambiguous: --no-color, --no-colour and --no-trace. */
	usage("unknown option --no", "--no", NULL, NULL, NULL);
	usage("option -p needs a value", "-p", NULL, NULL, NULL);
	usage("option --port needs a value", "--port", NULL, NULL, NULL);
	usage("option -bn needs a value", "-bn", NULL, NULL, NULL);
	usage("unexpected argument \"extra\"", "-b", "extra", NULL, NULL);
	usage("unexpected argument \"extra\"", "extra", "-b", NULL, NULL);
	usage("--sort: unknown key \"nope\"", "--sort", "nope", NULL, NULL);
	usage("--group: unknown kind \"bogus\" (service, remote, process, "
	    "netns)", "--group", "bogus", NULL, NULL);
	usage("-N: \"\" is not a namespace name, path or pid", "-N", "", NULL,
	    NULL);
	usage("-N: \"..\" is not a namespace name, path or pid", "--netns",
	    "..", NULL, NULL);
}

/* The parsers' own reasons, after the option's name. */
static void
test_usage_parsers(void)
{
	struct filter f;
	uint8_t ids[FIELD_N];
	size_t n;
	char reason[160], want[256];

	filter_init(&f);
	CHECK(filter_parse_ports(&f, "0", reason, sizeof reason) == -1);
	snprintf(want, sizeof want, "-p: %s", reason);
	usage(want, "-p", "0", NULL, NULL);
	usage(want, "--port", "0", NULL, NULL);
	CHECK(filter_parse_states(&f, "bogus", reason, sizeof reason) == -1);
	snprintf(want, sizeof want, "--state: %s", reason);
	usage(want, "--state", "bogus", NULL, NULL);
	CHECK(filter_parse_expr(&f, "foo = 1", reason, sizeof reason) == -1);
	snprintf(want, sizeof want, "-f: %s", reason);
	usage(want, "-f", "foo = 1", NULL, NULL);
	usage(want, "--filter", "foo = 1", NULL, NULL);
	CHECK(column_parse_list("state,bogus", ids, &n, FIELD_N, reason,
	    sizeof reason) == -1);
	snprintf(want, sizeof want, "--columns: %s", reason);
	usage(want, "--columns", "state,bogus", NULL, NULL);
}

/* The checks across options, each alone and the first one winning. */
static void
test_usage_across(void)
{
	usage("--lesson makes its own sockets: no --record or --replay",
	    "--lesson", "--replay", "x", NULL);
	usage("--lesson makes its own sockets: no --record or --replay",
	    "--lesson", "--record", "x", "--kill");
	usage("--kill needs a filter (-p, -f or --state): it will not "
	    "destroy every socket", "--kill", "--yes", NULL, NULL);
	usage("--kill-own-session needs --kill", "--kill-own-session", "-p",
	    "80", NULL);
	usage("--kill acts on live sockets: no --replay or --lesson",
	    "--kill", "--yes", "--state=estab", "--lesson");
	usage("--kill acts on live sockets: no --replay or --lesson",
	    "--kill", "--yes", "-fsport = 1", "--replay=x");
	usage("-N and --all-netns exclude each other", "-N", "blue",
	    "--all-netns", NULL);
	usage("-N reads the kernel: no --replay or --lesson", "-N", "blue",
	    "--replay", "x");
	usage("--all-netns reads the kernel: no --replay or --lesson",
	    "--all-netns", "--lesson", NULL, NULL);
	usage("--group process needs live sockets: a recording has no "
	    "processes", "--group", "process", "--replay", "x");
	usage("--group netns needs --all-netns", "--group", "netns", NULL,
	    NULL);
	usage("--record and --replay exclude each other", "--record", "a",
	    "--replay", "b");
}

/* A parse that stopped inside a cluster of letters leaves nothing for
 * the next one: getopt_long starts afresh. */
static void
test_reset(void)
{
	struct options o;
	char out[64];

	CHECK_EQ(parse(&o, "-bZr", NULL), OPTIONS_USAGE);
	CHECK(strcmp(err, "unknown option -Z") == 0);
	CHECK(parse(&o, "-6", NULL) == OPTIONS_RUN && !o.batch &&
	    !o.sort_reverse && o.filter.families == FILTER_INET6);
	CHECK_EQ(parse_stdout(&o, out, sizeof out, "-Vr"), OPTIONS_EXIT);
	CHECK(parse(&o, "-4", NULL) == OPTIONS_RUN && !o.sort_reverse &&
	    o.filter.families == FILTER_INET4);
}

/* --listen and --prometheus-file: kept as given, checked now (with
 * libmicrohttpd; without it --listen is refused, tests/cli/metrics.sh
 * and test-exporter-off check that), never with --kill or --lesson. */
static void
test_export(void)
{
	struct options o;

	CHECK(parse(&o, "--prometheus-file", "/x/t.prom", NULL) ==
	    OPTIONS_RUN && strcmp(o.prom_file, "/x/t.prom") == 0 &&
	    o.listen == NULL);
	if (!exporter_http_available())
		return;
	CHECK(parse(&o, "--listen", "9977", NULL) == OPTIONS_RUN &&
	    strcmp(o.listen, "9977") == 0);
	CHECK(parse(&o, "--listen=[::1]:1", NULL) == OPTIONS_RUN);
	CHECK(parse(&o, "--listen", "0.0.0.0:65535", NULL) == OPTIONS_RUN);
	usage("--listen \"65536\": not [ADDR:]PORT with PORT 1 to 65535 "
	    "(e.g. 9977, 0.0.0.0:9977, [::1]:9977)", "--listen", "65536",
	    NULL, NULL);
	usage("--listen \"::1:80\": the address is not a numeric IPv4 "
	    "address or a bracketed IPv6 one ([::1])", "--listen", "::1:80",
	    NULL, NULL);
	usage("--listen exports every refresh: no --kill or --lesson",
	    "--listen", "1", "--lesson", NULL);
}

/* The long options --help lists, in order, with their short letters;
 * --no-colour and --lesson-wait are not listed. */
static const struct {
	const char *name;
	int letter;
} help_opts[] = {
	{ "batch", 'b' }, { "json", 0 }, { "iterations", 'n' },
	{ "delay", 'd' }, { "port", 'p' }, { "state", 0 },
	{ "filter", 'f' }, { "ipv4", '4' }, { "ipv6", '6' }, { "sort", 0 },
	{ "reverse", 'r' }, { "tombstone", 0 }, { "no-color", 0 },
	{ "ascii", 0 }, { "no-mouse", 0 }, { "resolve", 0 }, { "columns", 0 },
	{ "diagram", 0 }, { "group", 0 },
	{ "no-trace", 0 }, { "no-owners", 0 }, { "model", 0 },
	{ "full-every", 0 }, { "trace-buffer", 0 },
	{ "netns", 'N' },
	{ "all-netns", 0 },
	{ "log", 'v' }, { "record", 0 }, { "replay", 0 }, { "lesson", 0 },
	{ "kill", 0 }, { "yes", 0 }, { "kill-own-session", 0 },
	{ "listen", 0 }, { "prometheus-file", 0 },
	{ "help", 'h' }, { "version", 'V' },
};
#define HELP_NOPTS (sizeof help_opts / sizeof help_opts[0])

/* The option a --help line starts, or -1: "  -b, --batch ..." or
 * "      --json ..." (a wrapped line starts further in). */
static int
help_line_opt(const char *line)
{
	size_t i, n;
	int letter = 0;

	if (strncmp(line, "  -", 3) == 0 && line[3] != '-' &&
	    strncmp(line + 4, ", --", 4) == 0) {
		letter = line[3];
		line += 8;
	} else if (strncmp(line, "      --", 8) == 0)
		line += 8;
	else
		return -1;
	n = strcspn(line, " \n");
	for (i = 0; i < HELP_NOPTS; i++)
		if (strlen(help_opts[i].name) == n &&
		    strncmp(help_opts[i].name, line, n) == 0 &&
		    help_opts[i].letter == letter)
			return (int)i;
	return -2;
}

/* Each listed option once and in order, hidden ones nowhere, no line
 * wider than 79 columns or ending in a space. */
static void
check_help(const char *text)
{
	const char *line, *nl;
	size_t seen = 0;
	int i, len;

	CHECK(strncmp(text, "Usage: tcptop [OPTIONS]\n", 24) == 0);
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!CHECK(nl != NULL))
			break;
		len = (int)(nl - line);
		if (!CHECK(len <= 79) || !CHECK(len == 0 || nl[-1] != ' '))
			fprintf(stderr, "  \"%.*s\"\n", len, line);
		i = help_line_opt(line);
		if (i == -1)
			continue;
		if (!CHECK(i >= 0 && (size_t)i == seen))
			fprintf(stderr, "  \"%.*s\"\n", len, line);
		seen++;
	}
	CHECK_EQ(seen, HELP_NOPTS);
	CHECK(strstr(text, "lesson-wait") == NULL);
	CHECK(strstr(text, "no-colour") == NULL);
	/* The sections after the options, in order. */
	CHECK(strstr(text, "\nSort keys:\n") != NULL);
	CHECK(strstr(text, "\nSort keys:\n") < strstr(text, "\nColumns ("));
	CHECK(strstr(text, "\nColumns (") < strstr(text, "\nSettings ("));
	CHECK(strstr(text, "\nSettings (") < strstr(text, "\nExit status:"));
	CHECK(strstr(text, "  rtt       smoothed round-trip time\n") != NULL);
	CHECK(strstr(text, "[default 1]") != NULL);
	CHECK(strstr(text, "[default 3]") != NULL);
	CHECK(strstr(text, "[default state]") != NULL);
}

/* --help and --version: on stdout, OPTIONS_EXIT. */
static void
test_help(void)
{
	static char usage_text[16384], out[16384];
	struct options o;
	char want[64];
	FILE *fp = tmpfile();

	if (!CHECK(fp != NULL))
		return;
	options_usage(fp);
	slurp(fp, usage_text, sizeof usage_text);
	check_help(usage_text);
	CHECK_EQ(parse_stdout(&o, out, sizeof out, "--help"), OPTIONS_EXIT);
	CHECK(strcmp(out, usage_text) == 0);
	CHECK_EQ(parse_stdout(&o, out, sizeof out, "-h"), OPTIONS_EXIT);
	CHECK(strcmp(out, usage_text) == 0);
	snprintf(want, sizeof want, "tcptop %s\n", PACKAGE_VERSION);
	CHECK_EQ(parse_stdout(&o, out, sizeof out, "--version"), OPTIONS_EXIT);
	CHECK(strcmp(out, want) == 0);
	CHECK_EQ(parse_stdout(&o, out, sizeof out, "-V"), OPTIONS_EXIT);
	CHECK(strcmp(out, want) == 0);
}

int
main(void)
{
	test_defaults();
	test_flags();
	test_values();
	test_usage_values();
	test_usage_parsers();
	test_usage_across();
	test_reset();
	test_export();
	test_help();
	return check_done();
}
