/* The command line: one table with a row per option (its names, its
 * value, its help and what it sets), from which getopt_long's tables,
 * the dispatch and the options part of --help are made.  Errors are one
 * line for main to print. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tcptop/group.h"
#include "tcptop/netns.h"
#include "tcptop/resolve.h"
#include "tcptop/options.h"
#include "tcptop/exporter.h"
#include "tcptop/field.h"
#include "tcptop/tcpstate.h"
#include "tcptop/text.h"

#define OPTIONS_HELP_WIDTH	79	/* --help fits an 80-column terminal */
#define OPTIONS_HELP_COL	25	/* where an option's help starts */
#define OPTIONS_ITEM_COL	12	/* where a sort key's help starts */
#define OPTIONS_LONG_BASE	256	/* getopt_long's value for row 0 */

/* One parse: the options, what they add up to beyond their fields, and
 * where an error goes. */
struct options_parse {
	struct options	*o;
	int		 fam4;		/* -4 */
	int		 fam6;		/* -6 */
	int		 filtered;	/* -p, -f or --state: --kill may act */
	char		 shown[TEXT_ARG_SIZE];	/* the value as errors quote
					 * it (text_arg) */
	char		*err;
	size_t		 errlen;
};

struct options_row;

/* Apply row's option with its value (NULL for a flag).  Returns
 * OPTIONS_RUN, OPTIONS_EXIT, or OPTIONS_USAGE with the error in p. */
typedef int (*options_fn)(struct options_parse *p,
    const struct options_row *row, const char *arg);

/* What a row does with its value: most set one field of struct options;
 * OPTIONS_CALL leaves it all to the row's function. */
enum options_kind {
	OPTIONS_FLAG,		/* int field = 1 */
	OPTIONS_COUNT,		/* long field = a positive count */
	OPTIONS_SECONDS,	/* double field = seconds, 0 to a year */
	OPTIONS_STRING,		/* const char * field = the value */
	OPTIONS_CALL,		/* fn */
};

/* What a shell offers for an option's value (tcptop --complete options
 * names it): free text unless a row says otherwise.  The names of
 * options_values are also those of the lists --complete prints. */
enum options_value {
	OPTIONS_VALUE_TEXT,	/* anything: a number, an expression */
	OPTIONS_VALUE_FILE,	/* a file name */
	OPTIONS_VALUE_STATES,	/* a comma-separated list of states */
	OPTIONS_VALUE_SORT_KEY,	/* a sort key */
	OPTIONS_VALUE_COLUMNS,	/* a comma-separated list of columns */
	OPTIONS_VALUE_GROUP,	/* a group kind */
	OPTIONS_VALUE_NETNS,	/* a namespace name (ip netns), path or pid */
};

static const char *const options_values[] = {
	[OPTIONS_VALUE_TEXT] = "text",
	[OPTIONS_VALUE_FILE] = "file",
	[OPTIONS_VALUE_STATES] = "states",
	[OPTIONS_VALUE_SORT_KEY] = "sort-keys",
	[OPTIONS_VALUE_COLUMNS] = "columns",
	[OPTIONS_VALUE_GROUP] = "groups",
	[OPTIONS_VALUE_NETNS] = "netns",
};

struct options_row {
	const char	*name;		/* long option */
	const char	*alias;		/* another long name, not in --help */
	int		 letter;	/* short option, 0 none */
	const char	*arg;		/* the value's name; NULL: a flag */
	enum options_value value;	/* what completes arg */
	enum options_kind kind;
	size_t		 field;		/* offsetof(struct options, ...) */
	unsigned	 given;		/* OPTIONS_GIVEN_* bits it sets */
	options_fn	 fn;		/* OPTIONS_CALL */
	const char	*help;		/* NULL: not in --help */
};

/* The name an error gives the option: "-p" when it has a letter, else
 * "--state"; the same whichever spelling was typed. */
static void
options_label(const struct options_row *row, char *buf, size_t len)
{
	if (row->letter != 0)
		snprintf(buf, len, "-%c", row->letter);
	else
		snprintf(buf, len, "--%s", row->name);
}

/* Write "LABEL: " and the message into p's error. */
static int __attribute__((format(printf, 3, 4)))
options_error(struct options_parse *p, const struct options_row *row,
    const char *fmt, ...)
{
	char label[32];
	va_list ap;
	int n;

	options_label(row, label, sizeof label);
	n = snprintf(p->err, p->errlen, "%s: ", label);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return OPTIONS_USAGE;
}

/* -n: a positive count into *out. */
static int
options_count(struct options_parse *p, const struct options_row *row,
    const char *arg, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || v < 1)
		return options_error(p, row, "\"%s\" is not a positive count",
		    p->shown);
	*out = v;
	return OPTIONS_RUN;
}

/* The tracepoint's buffer, KB per CPU: a page to 256 MB. */
#define OPTIONS_TRACE_BUFFER_MIN 4
#define OPTIONS_TRACE_BUFFER_MAX 262144

/* --trace-buffer KB. */
static int
options_trace_buffer(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0)
		return options_error(p, row, "\"%s\" is not a number of KB",
		    arg);
	if (v < OPTIONS_TRACE_BUFFER_MIN || v > OPTIONS_TRACE_BUFFER_MAX)
		return options_error(p, row, "%s out of range (%d to %d KB)",
		    arg, OPTIONS_TRACE_BUFFER_MIN, OPTIONS_TRACE_BUFFER_MAX);
	p->o->trace_buffer_kb = (unsigned)v;
	return OPTIONS_RUN;
}

/* A non-negative number of seconds, fractions allowed, into *out. */
static int
options_seconds(struct options_parse *p, const struct options_row *row,
    const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v))
		return options_error(p, row,
		    "\"%s\" is not a number of seconds", p->shown);
	if (v < 0 || v > 86400.0 * 365)
		return options_error(p, row, "%s out of range (0 to one year)",
		    p->shown);
	*out = v;
	return OPTIONS_RUN;
}

/* --model auto|events|dump. */
static int
options_model(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	static const char *const names[] = { "auto", "events", "dump" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(arg, names[i]) == 0) {
			p->o->model = (int)i;
			return OPTIONS_RUN;
		}
	return options_error(p, row, "\"%s\" is not auto, events or dump",
	    p->shown);
}

/* --json: a batch that writes JSON. */
static int
options_json(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	p->o->json = p->o->batch = 1;
	return OPTIONS_RUN;
}

/* -p LIST: the port ranges of the filter. */
static int
options_port(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	char why[160];

	if (filter_parse_ports(&p->o->filter, arg, why, sizeof why) == -1)
		return options_error(p, row, "%s", why);
	p->filtered = 1;
	return OPTIONS_RUN;
}

/* --state LIST: the states of the filter. */
static int
options_state(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	char why[160];

	if (filter_parse_states(&p->o->filter, arg, why, sizeof why) == -1)
		return options_error(p, row, "%s", why);
	p->filtered = 1;
	return OPTIONS_RUN;
}

/* -f EXPR: its text, read by options_expr once -N is known. */
static int
options_filter(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	(void)row;
	p->o->expr = arg;
	p->filtered = 1;
	return OPTIONS_RUN;
}

static const struct options_row *options_row(int ch);

struct options_expr_arg {
	struct filter *f;
	const char *text;
	char why[160];
};

static int
options_expr_parse(void *arg)
{
	struct options_expr_arg *a = arg;

	return filter_parse_expr(a->f, a->text, a->why, sizeof a->why);
}

/* Read -f's expression.  The names in it that belong to a namespace
 * (devices, the ephemeral range) are -N's, as for ss run by `ip netns
 * exec`: read inside it when it can be entered (else here, and the
 * collector says why -N fails). */
static int
options_expr(struct options_parse *p)
{
	struct options_expr_arg a = { &p->o->filter, p->o->expr, "" };
	char err[256];
	int fd = -1, usage, rc;

	if (p->o->netns != NULL)
		fd = netns_open(p->o->netns, &usage, err, sizeof err);
	resolve_netns(fd);
	rc = netns_run(fd, options_expr_parse, &a);
	if (rc == -1 && fd != -1 && a.why[0] == '\0')
		rc = options_expr_parse(&a);	/* could not enter */
	resolve_netns(-1);
	if (fd != -1)
		close(fd);
	if (rc == -1)
		return options_error(p, options_row('f'), "%s", a.why);
	return OPTIONS_RUN;
}

/* -4: settled at the end, where -4 and -6 together mean both. */
static int
options_ipv4(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	p->fam4 = 1;
	return OPTIONS_RUN;
}

/* -6: as -4. */
static int
options_ipv6(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	p->fam6 = 1;
	return OPTIONS_RUN;
}

/* --sort KEY: a field that is a sort key. */
static int
options_sort(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	int key = field_sort_lookup(arg);

	if (key < 0)
		return options_error(p, row, "unknown key \"%s\"", p->shown);
	p->o->sort_key = key;
	return OPTIONS_RUN;
}

/* --columns LIST: the list's columns instead of the default. */
static int
options_columns(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	char why[160];

	if (column_parse_list(arg, p->o->cols, &p->o->ncols, FIELD_N, why,
	    sizeof why) == -1)
		return options_error(p, row, "%s", why);
	return OPTIONS_RUN;
}

/* --group KIND: a kind whose data source this build has. */
static int
options_group(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	char kinds[80] = "";
	int k;

	/* The kinds named in the error are the ones that work. */
	for (k = group_next(GROUP_NONE, NULL); k != GROUP_NONE;
	    k = group_next(k, NULL))
		snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds),
		    "%s%s", kinds[0] != '\0' ? ", " : "", group_kinds[k].name);
	k = group_lookup(arg);
	if (k == GROUP_NONE)
		return options_error(p, row, "unknown kind \"%s\" (%s)",
		    p->shown, kinds);
	if (!group_available(k, NULL))
		return options_error(p, row, "%s is not available: this build "
		    "has no %s data per socket", p->shown,
		    k == GROUP_PROCESS ? "process" : "namespace");
	p->o->group = k;
	return OPTIONS_RUN;
}

/* -N NS: something that can name a namespace; opened later. */
static int
options_netns(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	if (netns_classify(arg) == NETNS_BAD)
		return options_error(p, row, "\"%s\" is not a namespace "
		    "name, path or pid", p->shown);
	p->o->netns = arg;
	return OPTIONS_RUN;
}

/* --lesson-wait: the lesson, a line on stdin before each step. */
static int
options_lesson_wait(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	p->o->lesson = p->o->lesson_wait = 1;
	return OPTIONS_RUN;
}

/* --listen [ADDR:]PORT: checked now, bound when the run starts. */
static int
options_listen(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	struct sockaddr_storage sa;
	socklen_t salen;

	if (exporter_parse_listen(arg, &sa, &salen, p->err, p->errlen) == -1)
		return OPTIONS_USAGE;
	p->o->listen = arg;
	return OPTIONS_RUN;
}

/* -h: the help on stdout, and nothing else. */
static int
options_help(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	options_usage(stdout);
	return OPTIONS_EXIT;
}

/* -V: the version on stdout, and nothing else. */
static int
options_version(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	printf("tcptop %s\n", PACKAGE_VERSION);
	return OPTIONS_EXIT;
}

static int options_complete(struct options_parse *p,
    const struct options_row *row, const char *arg);

/* Every option, in --help's order. */
static const struct options_row options_table[] = {
	{ .name = "batch", .letter = 'b',
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, batch),
	  .help = "print a text report every delay, like top -b" },
	{ .name = "json",
	  .kind = OPTIONS_CALL, .fn = options_json,
	  .help = "print one JSON object per refresh (implies -b)" },
	{ .name = "iterations", .letter = 'n', .arg = "N",
	  .kind = OPTIONS_COUNT,
	  .field = offsetof(struct options, iterations),
	  .help = "exit after N refreshes (interactive too)" },
	{ .name = "delay", .letter = 'd', .arg = "SECONDS",
	  .kind = OPTIONS_SECONDS, .field = offsetof(struct options, delay),
	  .given = OPTIONS_GIVEN_DELAY,
	  .help = "time between refreshes (fractions allowed; 0 runs back "
	  "to back) [default 1]" },
	{ .name = "port", .letter = 'p', .arg = "LIST",
	  .kind = OPTIONS_CALL, .fn = options_port,
	  .help = "keep sockets whose local or remote port is in LIST: "
	  "PORT[,PORT|LO-HI...], PORT a number or a TCP service name, e.g. "
	  "-p 80,443,8000-8080 or -p ssh,http-alt.  (bcc's tcptop "
	  "takes a PID for -p; ours is a port)" },
	{ .name = "state", .arg = "LIST",
	  .value = OPTIONS_VALUE_STATES,
	  .kind = OPTIONS_CALL, .fn = options_state,
	  .help = "keep sockets in these states: netstat names (FIN_WAIT1) "
	  "or ss names (fin-wait-1, estab), and the ss groups all, "
	  "connected, synchronized, bucket, big; case-insensitive, "
	  "comma-separated" },
	{ .name = "filter", .letter = 'f', .arg = "EXPR",
	  .kind = OPTIONS_CALL, .fn = options_filter,
	  .help = "keep sockets that match EXPR, written as for ss: "
	  "sport|dport|port OP PORT (OP: = != < <= > >=; PORT: 22, 0x16, "
	  "ssh), src|dst ADDR[/LEN][:PORT], state LIST, dev DEV, fwmark "
	  "MARK[/MASK] (root), cgroup PATH, autobound; comm NAME, pid N, "
	  "user NAME|UID (the owning process); a plain WORD or \"TEXT\" "
	  "the row's text holds, any case; joined "
	  "with and, or (read left to right, as ss), not, ( ); "
	  "e.g. -f 'dport = 443 or dst 10.0.0.0/8', -f 'python and dport "
	  "= :443' (more in tcptop(1)).  "
	  "F4 in the interactive view takes the same syntax" },
	{ .name = "ipv4", .letter = '4',
	  .kind = OPTIONS_CALL, .fn = options_ipv4,
	  .help = "IPv4 sockets only" },
	{ .name = "ipv6", .letter = '6',
	  .kind = OPTIONS_CALL, .fn = options_ipv6,
	  .help = "IPv6 sockets only (with -4: both, as ss -4 -6)" },
	{ .name = "sort", .arg = "KEY",
	  .value = OPTIONS_VALUE_SORT_KEY,
	  .kind = OPTIONS_CALL, .fn = options_sort,
	  .given = OPTIONS_GIVEN_SORT,
	  .help = "sort rows by KEY (see below) [default state]" },
	{ .name = "reverse", .letter = 'r',
	  .kind = OPTIONS_FLAG,
	  .field = offsetof(struct options, sort_reverse),
	  .given = OPTIONS_GIVEN_REVERSE,
	  .help = "sort in descending order" },
	{ .name = "tombstone", .arg = "SECONDS",
	  .kind = OPTIONS_SECONDS,
	  .field = offsetof(struct options, tombstone),
	  .help = "keep gone connections this long [default 3]" },
	{ .name = "no-color", .alias = "no-colour",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, no_color),
	  .given = OPTIONS_GIVEN_COLOR,
	  .help = "no colours (also when NO_COLOR is set)" },
	{ .name = "ascii",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, ascii),
	  .given = OPTIONS_GIVEN_ASCII,
	  .help = "no UTF-8 or line drawing on the terminal" },
	{ .name = "no-mouse",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, no_mouse),
	  .given = OPTIONS_GIVEN_MOUSE,
	  .help = "leave the mouse to the terminal (by default a click "
	  "selects a row, sorts by a column title or acts as a key of the "
	  "bar, and the wheel scrolls; with it on, Shift selects text)" },
	{ .name = "resolve",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, resolve),
	  .given = OPTIONS_GIVEN_RESOLVE,
	  .help = "show host names (reverse DNS, looked up in the "
	  "background: the address until the name comes) and TCP service "
	  "names instead of numbers, as ss -r; keys r and R toggle them.  "
	  "Numbers by default.  (Our -r is --reverse)" },
	{ .name = "columns", .arg = "LIST",
	  .value = OPTIONS_VALUE_COLUMNS,
	  .kind = OPTIONS_CALL, .fn = options_columns,
	  .given = OPTIONS_GIVEN_COLUMNS,
	  .help = "the list's columns, comma-separated (see below)" },
	{ .name = "diagram",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, diagram),
	  .help = "start with the TCP state diagram shown (key t)" },
	{ .name = "group", .arg = "KIND",
	  .value = OPTIONS_VALUE_GROUP,
	  .kind = OPTIONS_CALL, .fn = options_group,
	  .help = "count sockets per group instead of listing them: service "
	  "(listened-on local port, else ->remote port), remote (host), "
	  "process (the owner) or netns (with --all-netns); interactive: "
	  "start there" },
	{ .name = "no-trace",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, no_trace),
	  .help = "count transitions from the refreshes only, not the "
	  "tracepoint (a test and diagnostic knob)" },
	{ .name = "no-owners",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, no_owners),
	  .help = "read no processes (/proc/PID/fd): no owner columns, "
	  "owners null in JSON, alerts name ports; a batch report reads "
	  "them only when it shows them (JSON does, text with its PID, "
	  "PROCESS or USER column) or -f or --group asks" },
	{ .name = "model", .arg = "HOW",
	  .kind = OPTIONS_CALL, .fn = options_model,
	  .help = "how the model is kept between full dumps: auto (from "
	  "the tracepoint and destroy events in the interactive view, "
	  "where root and tracefs allow), events (in batch reports too), "
	  "dump (every refresh dumps every socket) [default auto]" },
	{ .name = "full-every", .arg = "SECONDS",
	  .kind = OPTIONS_SECONDS,
	  .field = offsetof(struct options, reconcile),
	  .help = "kept from events, a full dump at least this often "
	  "[default 0: 200 times a full dump's cost, 10 to 30 s], and at "
	  "once after lost events" },
	{ .name = "trace-buffer", .arg = "KB",
	  .kind = OPTIONS_CALL, .fn = options_trace_buffer,
	  .help = "the tracepoint's kernel buffer per CPU, 4 to 262144 KB "
	  "[default 4096, less past 16 CPUs]; what overflows it is counted "
	  "as lost" },
	{ .name = "netns", .letter = 'N', .arg = "NS",
	  .value = OPTIONS_VALUE_NETNS,
	  .kind = OPTIONS_CALL, .fn = options_netns,
	  .help = "view the network namespace NS: a name (ip netns), a path "
	  "to a namespace file, or the pid of a process in it (a "
	  "container's); needs root" },
	{ .name = "all-netns",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, all_netns),
	  .help = "view every network namespace at once, with a netns "
	  "column; transitions are then sampled; needs root" },
	{ .name = "log", .letter = 'v', .arg = "FILE",
	  .value = OPTIONS_VALUE_FILE,
	  .kind = OPTIONS_STRING, .field = offsetof(struct options, log),
	  .help = "append debug messages to FILE" },
	{ .name = "record", .arg = "FILE",
	  .value = OPTIONS_VALUE_FILE,
	  .kind = OPTIONS_STRING, .field = offsetof(struct options, record),
	  .help = "also write the raw netlink stream to FILE" },
	{ .name = "replay", .arg = "FILE",
	  .value = OPTIONS_VALUE_FILE,
	  .kind = OPTIONS_STRING, .field = offsetof(struct options, replay),
	  .help = "read a recording instead of the kernel" },
	{ .name = "lesson",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, lesson),
	  .help = "teach TCP's states on real connections, step by step "
	  "(Space: next step); with -b or --json, all steps in a row.  As "
	  "root it works in a private network namespace with drop rules "
	  "(needs nft(8)) and holds every state; otherwise on loopback, "
	  "where some states pass too fast to be held" },
	/* No help: tests pace the lesson through a pipe. */
	{ .name = "lesson-wait",
	  .kind = OPTIONS_CALL, .fn = options_lesson_wait },
	/* No help: the completion scripts ask it for their words. */
	{ .name = "complete", .arg = "LIST",
	  .kind = OPTIONS_CALL, .fn = options_complete },
	{ .name = "kill",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, kill),
	  .help = "destroy every socket the filter (-p, -f or --state, "
	  "required) matches, once, with SOCK_DESTROY, and print each with "
	  "its result; needs --yes (without it: only list what would go, "
	  "exit status 2) and CAP_NET_ADMIN.  Spares your own SSH session "
	  "($SSH_CONNECTION) and says so" },
	{ .name = "yes",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, yes),
	  .help = "confirm --kill" },
	{ .name = "kill-own-session",
	  .kind = OPTIONS_FLAG, .field = offsetof(struct options, kill_own),
	  .help = "with --kill: destroy your own SSH session too, if the "
	  "filter matches it" },
	{ .name = "listen", .arg = "[ADDR:]PORT",
	  .kind = OPTIONS_CALL, .fn = options_listen,
	  .help = "serve Prometheus metrics at http://ADDR:PORT/metrics "
	  "(ADDR 127.0.0.1 unless given; [::1]:PORT for IPv6), from each "
	  "refresh; without a terminal, -b or --json it runs with no other "
	  "output.  Metrics: docs/metrics.md" },
	{ .name = "prometheus-file", .arg = "PATH",
	  .kind = OPTIONS_STRING, .value = OPTIONS_VALUE_FILE,
	  .field = offsetof(struct options, prom_file),
	  .help = "write the same metrics to PATH at each refresh, replaced "
	  "atomically (for node_exporter's textfile collector: a name "
	  "ending in .prom)" },
	{ .name = "help", .letter = 'h',
	  .kind = OPTIONS_CALL, .fn = options_help,
	  .help = "show this help" },
	{ .name = "version", .letter = 'V',
	  .kind = OPTIONS_CALL, .fn = options_version,
	  .help = "show the version" },
};
#define OPTIONS_NROWS	(sizeof options_table / sizeof options_table[0])

/* getopt_long's tables from options_table: a struct option for each
 * long name (an alias gets its row's value) and, after the ':' that
 * makes a missing value ':' rather than '?', each letter, with a ':'
 * when it takes a value.  longs has room for 2 * OPTIONS_NROWS + 1,
 * shorts for 2 * OPTIONS_NROWS + 2. */
static void
options_getopt(struct option *longs, char *shorts)
{
	size_t i, n = 0;
	char *s = shorts;

	*s++ = ':';
	for (i = 0; i < OPTIONS_NROWS; i++) {
		const struct options_row *row = &options_table[i];
		struct option lo = { row->name, row->arg != NULL ?
		    required_argument : no_argument, NULL,
		    OPTIONS_LONG_BASE + (int)i };

		longs[n++] = lo;
		if (row->alias != NULL) {
			lo.name = row->alias;
			longs[n++] = lo;
		}
		if (row->letter != 0) {
			*s++ = (char)row->letter;
			if (row->arg != NULL)
				*s++ = ':';
		}
	}
	memset(&longs[n], 0, sizeof longs[n]);
	*s = '\0';
}

/* The row getopt_long's ch stands for (a long option's value or a
 * letter), or NULL for '?' and anything else. */
static const struct options_row *
options_row(int ch)
{
	size_t i;

	if (ch >= OPTIONS_LONG_BASE &&
	    (size_t)(ch - OPTIONS_LONG_BASE) < OPTIONS_NROWS)
		return &options_table[ch - OPTIONS_LONG_BASE];
	for (i = 0; ch != 0 && i < OPTIONS_NROWS; i++)
		if (options_table[i].letter == ch)
			return &options_table[i];
	return NULL;
}

/* Apply one option given with arg (NULL for a flag): its kind sets its
 * field, or its function runs; once it succeeds, its given bits. */
static int
options_apply(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	void *field = (char *)p->o + row->field;
	int rc = OPTIONS_RUN;

	if (arg != NULL)
		text_arg(p->shown, sizeof p->shown, arg);

	switch (row->kind) {
	case OPTIONS_FLAG:
		*(int *)field = 1;
		break;
	case OPTIONS_COUNT:
		rc = options_count(p, row, arg, field);
		break;
	case OPTIONS_SECONDS:
		rc = options_seconds(p, row, arg, field);
		break;
	case OPTIONS_STRING:
		*(const char **)field = arg;
		break;
	case OPTIONS_CALL:
		rc = row->fn(p, row, arg);
		break;
	}
	if (rc == OPTIONS_RUN)
		p->o->given |= row->given;
	return rc;
}

/* A comma-separated list, broken after a comma so that no line passes
 * 79 columns; col is where the first word starts. */
static void
options_help_words(FILE *fp, const char *list, int col)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		int last = p[n] == '\0';

		if (col + (int)n + 3 > OPTIONS_HELP_WIDTH) {
			fputs("\n  ", fp);
			col = 2;
		}
		fprintf(fp, "%.*s%s", (int)n, p, last ? "" : ",");
		col += (int)n + !last;
		p += n + !last;
	}
}

/* Text from column col on, wrapped at spaces to OPTIONS_HELP_WIDTH
 * columns, each further line indented to col. */
static void
options_help_wrap(FILE *fp, const char *text, int col)
{
	const int width = OPTIONS_HELP_WIDTH - col;
	const char *p = text;

	if (*p == '\0')
		fputc('\n', fp);
	while (*p != '\0') {
		int n = (int)strlen(p), cut = n, len;

		if (n > width) {
			for (cut = width; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = width;
		}
		/* The cut may fall between the two spaces after a
		 * sentence. */
		for (len = cut; len > 0 && p[len - 1] == ' '; len--)
			;
		fprintf(fp, "%.*s\n", len, p);
		p += cut;
		while (*p == ' ')
			p++;
		if (*p != '\0')
			fprintf(fp, "%*s", col, "");
	}
}

/* One "  name      help" item of a list in --help. */
static void
options_help_item(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "  %-9s ", name);
	options_help_wrap(fp, help, OPTIONS_ITEM_COL);
}

/* One option of --help: "  -p, --port LIST" or "      --json", then
 * its help from OPTIONS_HELP_COL, on a line of its own when the name
 * leaves no two spaces before that. */
static void
options_help_row(FILE *fp, const struct options_row *row)
{
	char head[64];

	if (row->letter != 0)
		snprintf(head, sizeof head, "  -%c, --%s%s%s", row->letter,
		    row->name, row->arg != NULL ? " " : "",
		    row->arg != NULL ? row->arg : "");
	else
		snprintf(head, sizeof head, "      --%s%s%s", row->name,
		    row->arg != NULL ? " " : "",
		    row->arg != NULL ? row->arg : "");
	if ((int)strlen(head) + 2 > OPTIONS_HELP_COL)
		fprintf(fp, "%s\n%*s", head, OPTIONS_HELP_COL, "");
	else
		fprintf(fp, "%-*s", OPTIONS_HELP_COL, head);
	options_help_wrap(fp, row->help, OPTIONS_HELP_COL);
}

/* The sort keys and the columns, from their own tables. */
static void
options_help_lists(FILE *fp)
{
	char defaults[160];
	int i;

	fputs("\nSort keys:\n", fp);
	for (i = 0; i < (int)field_nsort(); i++) {
		const struct field *f = &field_table[field_sort_key((size_t)i)];

		options_help_item(fp, f->name, f->help);
	}
	column_fmt_list(column_default, column_ndefault, defaults,
	    sizeof defaults);
	fputs("\nColumns (the default: ", fp);
	options_help_words(fp, defaults, 23);
	fputs("):\n", fp);
	for (i = 0; i < FIELD_N; i++)
		if (field_is_column(i))
			options_help_item(fp, field_table[i].name,
			    field_table[i].help);
}

void
options_usage(FILE *fp)
{
	size_t i;

	fputs("Usage: tcptop [OPTIONS]\n"
	    "Live view of the kernel's TCP sockets (sock_diag), like top.  "
	    "On a\nterminal it is interactive (press h for the keys); else, "
	    "or with -b,\nit prints reports.\n\n", fp);
	for (i = 0; i < OPTIONS_NROWS; i++)
		if (options_table[i].help != NULL)
			options_help_row(fp, &options_table[i]);
	options_help_lists(fp);
	fputs("\nSettings (sort, delay, columns, colours, alert thresholds) "
	    "are kept in\n$XDG_CONFIG_HOME/tcptop/tcptoprc, written on "
	    "quit, comments kept; never\nthrough a symbolic link or into "
	    "another user's file or directory.\n", fp);
	fputs("\nFilters run in the kernel, so -p or -f on a busy box only "
	    "copies the\nmatching sockets (a state term under or/not is "
	    "checked after the copy).\nExit status: 0 ok, 1 runtime failure, "
	    "2 bad usage or a corrupt recording.\n", fp);
}

/* --complete options: each spelling --help lists, the kind of its value
 * ("flag" when it takes none) and its help, tab-separated. */
static void
options_list_options(FILE *fp)
{
	size_t i;

	for (i = 0; i < OPTIONS_NROWS; i++) {
		const struct options_row *row = &options_table[i];
		const char *value = row->arg == NULL ? "flag" :
		    options_values[row->value];

		if (row->help == NULL)
			continue;
		fprintf(fp, "--%s\t%s\t%s\n", row->name, value, row->help);
		if (row->letter != 0)
			fprintf(fp, "-%c\t%s\t%s\n", row->letter, value,
			    row->help);
	}
}

/* --complete states: what --state takes, tcpstate_parse's words. */
static void
options_list_states(FILE *fp)
{
	const char *w;
	size_t i;

	for (i = 0; (w = tcpstate_word(i)) != NULL; i++)
		fprintf(fp, "%s\n", w);
}

/* --complete sort-keys: what --sort takes. */
static void
options_list_sort_keys(FILE *fp)
{
	size_t i;

	for (i = 0; i < field_nsort(); i++)
		fprintf(fp, "%s\n", field_table[field_sort_key(i)].name);
}

/* --complete columns: what --columns takes. */
static void
options_list_columns(FILE *fp)
{
	int i;

	for (i = 0; i < FIELD_N; i++)
		if (field_is_column(i))
			fprintf(fp, "%s\n", field_table[i].name);
}

/* --complete groups: the kinds --group takes in this build. */
static void
options_list_groups(FILE *fp)
{
	int k;

	for (k = group_next(GROUP_NONE, NULL); k != GROUP_NONE;
	    k = group_next(k, NULL))
		fprintf(fp, "%s\n", group_kinds[k].name);
}

/* The lists --complete prints, by name; a value kind that names a list
 * has the list's name (options_values). */
static const struct {
	const char *name;
	void (*list)(FILE *fp);
} options_lists[] = {
	{ "options", options_list_options },
	{ "states", options_list_states },
	{ "sort-keys", options_list_sort_keys },
	{ "columns", options_list_columns },
	{ "groups", options_list_groups },
};

static int
options_complete(struct options_parse *p, const struct options_row *row,
    const char *arg)
{
	char names[80] = "";
	size_t i;

	for (i = 0; i < sizeof options_lists / sizeof options_lists[0]; i++) {
		if (strcmp(arg, options_lists[i].name) == 0) {
			options_lists[i].list(stdout);
			return OPTIONS_EXIT;
		}
		snprintf(names + strlen(names), sizeof names - strlen(names),
		    "%s%s", i > 0 ? ", " : "", options_lists[i].name);
	}
	return options_error(p, row, "unknown list \"%s\" (%s)", p->shown,
	    names);
}

/* Say what was wrong with the argument getopt_long refused.  A long
 * option given a value it does not take ("--json=1") is refused with
 * optopt set to its value, which is no character to print. */
static void
options_unknown(const char *raw, int opt, char *err, size_t errlen)
{
	char arg[TEXT_ARG_SIZE];

	text_arg(arg, sizeof arg, raw);
	if (strncmp(arg, "--", 2) == 0) {
		const char *eq = strchr(arg, '=');

		if (eq != NULL && opt != 0)
			snprintf(err, errlen, "option %.*s takes no value",
			    (int)(eq - arg), arg);
		else
			snprintf(err, errlen, "unknown option %s", arg);
	} else if (opt > 0 && opt < 128 && opt != '?')
		snprintf(err, errlen, "unknown option -%c", opt);
	else
		snprintf(err, errlen, "unknown option %s", arg);
}

/* --kill destroys: it must be aimed (a filter); without --yes it only
 * lists what would go (app.c); it acts on live sockets once, as a
 * batch. */
static int
options_kill(struct options *o, int filtered, char *err, size_t errlen)
{
	if (!filtered) {
		snprintf(err, errlen, "--kill needs a filter (-p, -f or "
		    "--state): it will not destroy every socket");
		return -1;
	}
	if (o->replay != NULL || o->lesson) {
		snprintf(err, errlen, "--kill acts on live sockets: no "
		    "--replay or --lesson");
		return -1;
	}
	/* One dump, no transitions to count. */
	o->batch = 1;
	o->no_trace = 1;
	o->iterations = 1;
	return 0;
}

/* --no-owners against what would show an owner: asked for, it is an
 * error, never a column of dashes; the default columns lose theirs. */
static int
options_check_owners(struct options *o, char *err, size_t errlen)
{
	const char *why = NULL;
	size_t i, n = 0;

	if (!o->no_owners)
		return 0;
	if (o->group == GROUP_PROCESS)
		why = "--group process";
	else if (fexpr_has_owner_terms(&o->filter.expr))
		why = "-f's owner terms (comm, pid, user)";
	else if ((o->given & OPTIONS_GIVEN_SORT) &&
	    (field_table[o->sort_key].flags & FIELD_F_OWNER))
		why = "--sort by the owner";
	for (i = 0; why == NULL && i < o->ncols; i++)
		if ((o->given & OPTIONS_GIVEN_COLUMNS) &&
		    (field_table[o->cols[i]].flags & FIELD_F_OWNER))
			why = "--columns with pid, process or user";
	if (why != NULL) {
		snprintf(err, errlen, "--no-owners excludes %s", why);
		return -1;
	}
	for (i = 0; i < o->ncols; i++)
		if (!(field_table[o->cols[i]].flags & FIELD_F_OWNER))
			o->cols[n++] = o->cols[i];
	o->ncols = n;
	return 0;
}

/* The options that need or exclude others, checked once all are in;
 * the first that fails is the error. */
static int
options_check(struct options *o, int filtered, char *err, size_t errlen)
{
	if (o->lesson && (o->record != NULL || o->replay != NULL)) {
		snprintf(err, errlen, "--lesson makes its own sockets: no "
		    "--record or --replay");
		return -1;
	}
	if (o->kill && options_kill(o, filtered, err, errlen) == -1)
		return -1;
	if (o->kill_own && !o->kill) {
		snprintf(err, errlen, "--kill-own-session needs --kill");
		return -1;
	}
	if (o->netns != NULL && o->all_netns) {
		snprintf(err, errlen, "-N and --all-netns exclude each other");
		return -1;
	}
	if ((o->netns != NULL || o->all_netns) && (o->replay != NULL ||
	    o->lesson)) {
		snprintf(err, errlen, "%s reads the kernel: no --replay or "
		    "--lesson", o->netns != NULL ? "-N" : "--all-netns");
		return -1;
	}
	if (o->group == GROUP_PROCESS && o->replay != NULL) {
		snprintf(err, errlen, "--group process needs live sockets: a "
		    "recording has no processes");
		return -1;
	}
	if (o->group == GROUP_NETNS && !o->all_netns) {
		snprintf(err, errlen, "--group netns needs --all-netns");
		return -1;
	}
	if (o->record != NULL && o->replay != NULL) {
		snprintf(err, errlen, "--record and --replay exclude each "
		    "other");
		return -1;
	}
	if ((o->listen != NULL || o->prom_file != NULL) &&
	    (o->kill || o->lesson)) {
		snprintf(err, errlen, "%s exports every refresh: no --kill or "
		    "--lesson", o->listen != NULL ? "--listen" :
		    "--prometheus-file");
		return -1;
	}
	return options_check_owners(o, err, errlen);
}

/* Everything as if no option were given. */
static void
options_defaults(struct options *o)
{
	const char *no_color = getenv("NO_COLOR");

	memset(o, 0, sizeof *o);
	o->delay = 1.0;
	o->tombstone = 3.0;
	o->sort_key = FIELD_STATE;
	filter_init(&o->filter);
	memcpy(o->cols, column_default, column_ndefault);
	o->ncols = column_ndefault;
	/* https://no-color.org: any non-empty value. */
	if (no_color != NULL && *no_color != '\0')
		o->no_color = 1;
}

/* Once every option is in: what they add up to, and the checks across
 * them. */
static int
options_finish(struct options_parse *p)
{
	struct options *o = p->o;

	if (p->fam4 != p->fam6)
		o->filter.families = p->fam4 ? FILTER_INET4 : FILTER_INET6;
	if (o->expr != NULL && options_expr(p) != OPTIONS_RUN)
		return OPTIONS_USAGE;
	if (options_check(o, p->filtered, p->err, p->errlen) == -1)
		return OPTIONS_USAGE;
	/* Which namespace a row is in matters most when there are many. */
	if (o->all_netns && !(o->given & OPTIONS_GIVEN_COLUMNS))
		column_prepend(o->cols, &o->ncols, FIELD_N, FIELD_NETNS);
	return OPTIONS_RUN;
}

/* The options of argv, parsed; options_parse cleans the error. */
static int
options_parse_argv(struct options *o, int argc, char **argv, char *err,
    size_t errlen)
{
	struct option longs[2 * OPTIONS_NROWS + 1];
	char shorts[2 * OPTIONS_NROWS + 2];
	struct options_parse p = { .o = o, .err = err, .errlen = errlen };
	const struct options_row *row;
	int ch, rc;

	options_defaults(o);
	options_getopt(longs, shorts);
	opterr = 0;
	/* 0, not 1: glibc and musl then also forget the cluster of letters
	 * the last parse stopped in ("-bZr"), which points into its argv. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (ch == ':') {
			text_arg(p.shown, sizeof p.shown, argv[optind - 1]);
			snprintf(err, errlen, "option %s needs a value",
			    p.shown);
			return OPTIONS_USAGE;
		}
		if ((row = options_row(ch)) == NULL) {
			options_unknown(argv[optind - 1], optopt, err, errlen);
			return OPTIONS_USAGE;
		}
		if ((rc = options_apply(&p, row, optarg)) != OPTIONS_RUN)
			return rc;
	}
	if (optind < argc) {
		text_arg(p.shown, sizeof p.shown, argv[optind]);
		snprintf(err, errlen, "unexpected argument \"%s\"", p.shown);
		return OPTIONS_USAGE;
	}
	return options_finish(&p);
}

int
options_parse(struct options *o, int argc, char **argv, char *err,
    size_t errlen)
{
	int rc = options_parse_argv(o, argc, argv, err, errlen);

	/* Every value an error quotes went through text_arg; what the
	 * filter and column parsers quote of it is cleaned here, so no
	 * error reaches the terminal with a control byte or a second
	 * line. */
	if (rc == OPTIONS_USAGE && errlen > 0)
		text_clean(err, errlen, err, errlen, 0);
	return rc;
}
