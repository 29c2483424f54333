/* The command line: one table of long options, parsed into struct
 * options; errors are one line for main to print. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tcptop/group.h"
#include "tcptop/netns.h"
#include "tcptop/options.h"
#include "tcptop/field.h"

enum {
	OPT_JSON = 256,
	OPT_STATE,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_SORT,
	OPT_TOMBSTONE,
	OPT_NO_COLOR,
	OPT_ASCII,
	OPT_COLUMNS,
	OPT_DIAGRAM,
	OPT_LESSON,
	OPT_LESSON_WAIT,
	OPT_NO_TRACE,
	OPT_KILL,
	OPT_YES,
	OPT_GROUP,
	OPT_ALL_NETNS,
};

static const struct option options_long[] = {
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "port", required_argument, NULL, 'p' },
	{ "filter", required_argument, NULL, 'f' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "reverse", no_argument, NULL, 'r' },
	{ "tombstone", required_argument, NULL, OPT_TOMBSTONE },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "columns", required_argument, NULL, OPT_COLUMNS },
	{ "diagram", no_argument, NULL, OPT_DIAGRAM },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "no-trace", no_argument, NULL, OPT_NO_TRACE },
	{ "netns", required_argument, NULL, 'N' },
	{ "all-netns", no_argument, NULL, OPT_ALL_NETNS },
	{ "log", required_argument, NULL, 'v' },
	{ "lesson", no_argument, NULL, OPT_LESSON },
	{ "kill", no_argument, NULL, OPT_KILL },
	{ "yes", no_argument, NULL, OPT_YES },
	/* Not in --help: tests pace the lesson through a pipe. */
	{ "lesson-wait", no_argument, NULL, OPT_LESSON_WAIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};


/* A comma-separated list, broken after a comma so that no line passes
 * 79 columns; col is where the first word starts. */
static void
options_help_words(FILE *fp, const char *list, int col)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		int last = p[n] == '\0';

		if (col + (int)n + 3 > 79) {
			fputs("\n  ", fp);
			col = 2;
		}
		fprintf(fp, "%.*s%s", (int)n, p, last ? "" : ",");
		col += (int)n + !last;
		p += n + !last;
	}
}

/* One "  name      help" item of --help, the help wrapped at word
 * boundaries to 79 columns under itself. */
static void
options_help_item(FILE *fp, const char *name, const char *help)
{
	const int indent = 12, width = 79 - 12;
	const char *p = help;

	fprintf(fp, "  %-9s ", name);
	while (*p != '\0') {
		int n = (int)strlen(p), cut = n;

		if (n > width) {
			for (cut = width; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = width;
		}
		fprintf(fp, "%.*s\n", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		if (*p != '\0')
			fprintf(fp, "%*s", indent, "");
	}
	if (*help == '\0')
		fputc('\n', fp);
}

void
options_usage(FILE *fp)
{
	char defaults[160];
	int i;

	fputs(
"Usage: tcptop [OPTIONS]\n"
"Live view of the kernel's TCP sockets (sock_diag), like top.  On a\n"
"terminal it is interactive (press h for the keys); else, or with -b,\n"
"it prints reports.\n"
"\n"
"  -b, --batch            print a text report every delay, like top -b\n"
"      --json             print one JSON object per refresh (implies -b)\n"
"  -n, --iterations N     exit after N refreshes (interactive too)\n"
"  -d, --delay SECONDS    time between refreshes (fractions allowed; 0 runs\n"
"                         back to back) [default 1]\n"
"  -p, --port LIST        keep sockets whose local or remote port is in LIST:\n"
"                         PORT[,PORT|LO-HI...], e.g. -p 80,443,8000-8080.\n"
"                         (bcc's tcptop takes a PID for -p; ours is a port)\n"
"      --state LIST       keep sockets in these states: netstat names\n"
"                         (FIN_WAIT1) or ss names (fin-wait-1, estab), and\n"
"                         the ss groups all, connected, synchronized, bucket,\n"
"                         big; case-insensitive, comma-separated\n"
"  -f, --filter EXPR      keep sockets that match EXPR, written as for ss:\n"
"                         sport|dport|port OP PORT (OP: = != < <= > >=),\n"
"                         src|dst ADDR[/LEN][:PORT], state LIST, joined\n"
"                         with and, or, not, ( ); e.g. -f 'dport = 443 or\n"
"                         dst 10.0.0.0/8' (more in tcptop(1)).  F4 in the\n"
"                         interactive view takes the same syntax\n"
"  -4, --ipv4             IPv4 sockets only\n"
"  -6, --ipv6             IPv6 sockets only\n"
"      --sort KEY         sort rows by KEY (see below) [default state]\n"
"  -r, --reverse          sort in descending order\n"
"      --tombstone SECONDS\n"
"                         keep gone connections this long [default 3]\n"
"      --no-color         no colours (also when NO_COLOR is set)\n"
"      --ascii            no UTF-8 or line drawing on the terminal\n"
"      --columns LIST     the list's columns, comma-separated (see below)\n"
"      --diagram          start with the TCP state diagram shown (key t)\n"
"      --group KIND       count sockets per group instead of listing them:\n"
"                         service (listened-on local port, else ->remote\n"
"                         port), remote (host), process (the owner) or\n"
"                         netns (with --all-netns); interactive: start\n"
"                         there\n"
"      --no-trace         count transitions from the refreshes only, not\n"
"                         the tracepoint (a test and diagnostic knob)\n"
"  -N, --netns NS         view the network namespace NS: a name (ip netns),\n"
"                         a path to a namespace file, or the pid of a\n"
"                         process in it (a container's); needs root\n"
"      --all-netns        view every network namespace at once, with a\n"
"                         netns column; transitions are then sampled;\n"
"                         needs root\n"
"  -v, --log FILE         append debug messages to FILE\n"
"      --record FILE      also write the raw netlink stream to FILE\n"
"      --replay FILE      read a recording instead of the kernel\n"
"      --lesson           teach TCP's states on real connections, step by\n"
"                         step (Space: next step); with -b or --json, all\n"
"                         steps in a row.  As root it works in a private\n"
"                         network namespace with drop rules (needs nft(8))\n"
"                         and holds every state; otherwise on loopback,\n"
"                         where some states pass too fast to be held\n"
"      --kill             destroy every socket the filter (-p, -f or\n"
"                         --state, required) matches, once, with\n"
"                         SOCK_DESTROY, and print each with its result;\n"
"                         needs --yes and CAP_NET_ADMIN\n"
"      --yes              confirm --kill\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Sort keys:\n", fp);
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
	fputs("\nSettings (sort, delay, columns, colours, alert thresholds) are "
	    "kept in\n$XDG_CONFIG_HOME/tcptop/tcptoprc, written on quit.\n",
	    fp);
	fputs("\nFilters run in the kernel, so -p or -f on a busy box only "
	    "copies the\nmatching sockets (a state term under or/not is "
	    "checked after the copy).\nExit status: 0 ok, 1 runtime failure, "
	    "2 bad usage or a corrupt recording.\n", fp);
}

/* Parse a non-negative number of seconds, fractions allowed. */
static int
options_seconds(const char *arg, const char *what, double *out, char *err,
    size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v)) {
		snprintf(err, errlen, "%s: \"%s\" is not a number of seconds",
		    what, arg);
		return -1;
	}
	if (v < 0 || v > 86400.0 * 365) {
		snprintf(err, errlen, "%s: %s out of range (0 to one year)",
		    what, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* --group KIND: a kind whose data source this build has. */
static int
options_group(const char *arg, int *kind, char *err, size_t errlen)
{
	char kinds[80] = "";
	int k;

	/* The kinds named in the error are the ones that work. */
	for (k = group_next(GROUP_NONE, NULL); k != GROUP_NONE;
	    k = group_next(k, NULL))
		snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds),
		    "%s%s", kinds[0] != '\0' ? ", " : "", group_kinds[k].name);
	*kind = group_lookup(arg);
	if (*kind == GROUP_NONE) {
		snprintf(err, errlen, "--group: unknown kind \"%s\" (%s)", arg,
		    kinds);
		return -1;
	}
	if (!group_available(*kind, NULL)) {
		snprintf(err, errlen, "--group: %s is not available: this "
		    "build has no %s data per socket", arg,
		    *kind == GROUP_PROCESS ? "process" : "namespace");
		return -1;
	}
	return 0;
}

/* Say what was wrong with the argument getopt_long refused.  A long
 * option given a value it does not take ("--json=1") is refused with
 * optopt set to its value, which is no character to print. */
static void
options_unknown(const char *arg, int opt, char *err, size_t errlen)
{
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

/* --kill destroys: it must be aimed (a filter) and meant (--yes), and
 * it acts on live sockets once, as a batch. */
static int
options_kill(struct options *o, int filtered, char *err, size_t errlen)
{
	if (!filtered) {
		snprintf(err, errlen, "--kill needs a filter (-p, -f or "
		    "--state): it will not destroy every socket");
		return -1;
	}
	if (!o->yes) {
		snprintf(err, errlen, "--kill destroys sockets: add --yes to "
		    "confirm");
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
	return 0;
}

int
options_parse(struct options *o, int argc, char **argv, char *err,
    size_t errlen)
{
	int ch, fam4 = 0, fam6 = 0, filtered = 0;
	char *end;
	char perr[160];

	memset(o, 0, sizeof *o);
	o->delay = 1.0;
	o->tombstone = 3.0;
	o->sort_key = FIELD_STATE;
	filter_init(&o->filter);
	memcpy(o->cols, column_default, column_ndefault);
	o->ncols = column_ndefault;
	/* https://no-color.org: any non-empty value. */
	if (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0')
		o->no_color = 1;

	opterr = 0;
	/* 0, not 1: glibc and musl then also forget the cluster of letters
	 * the last parse stopped in ("-bZr"), which points into its argv. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, ":bn:d:p:f:46rhVv:N:", options_long,
	    NULL)) != -1) {
		switch (ch) {
		case 'b':
			o->batch = 1;
			break;
		case OPT_JSON:
			o->json = o->batch = 1;
			break;
		case 'n':
			errno = 0;
			o->iterations = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    o->iterations < 1) {
				snprintf(err, errlen, "-n: \"%s\" is not a "
				    "positive count", optarg);
				return OPTIONS_USAGE;
			}
			break;
		case 'd':
			if (options_seconds(optarg, "-d", &o->delay, err,
			    errlen) == -1)
				return OPTIONS_USAGE;
			o->given |= OPTIONS_GIVEN_DELAY;
			break;
		case OPT_TOMBSTONE:
			if (options_seconds(optarg, "--tombstone",
			    &o->tombstone, err, errlen) == -1)
				return OPTIONS_USAGE;
			break;
		case 'p':
			if (filter_parse_ports(&o->filter, optarg, perr,
			    sizeof perr) == -1) {
				snprintf(err, errlen, "-p: %s", perr);
				return OPTIONS_USAGE;
			}
			filtered = 1;
			break;
		case 'f':
			if (filter_parse_expr(&o->filter, optarg, perr,
			    sizeof perr) == -1) {
				snprintf(err, errlen, "-f: %s", perr);
				return OPTIONS_USAGE;
			}
			o->expr = optarg;
			filtered = 1;
			break;
		case OPT_STATE:
			if (filter_parse_states(&o->filter, optarg, perr,
			    sizeof perr) == -1) {
				snprintf(err, errlen, "--state: %s", perr);
				return OPTIONS_USAGE;
			}
			filtered = 1;
			break;
		case '4':
			fam4 = 1;
			break;
		case '6':
			fam6 = 1;
			break;
		case OPT_SORT:
			o->sort_key = field_sort_lookup(optarg);
			if (o->sort_key < 0) {
				snprintf(err, errlen, "--sort: unknown key "
				    "\"%s\" (see --help)", optarg);
				return OPTIONS_USAGE;
			}
			o->given |= OPTIONS_GIVEN_SORT;
			break;
		case 'r':
			o->sort_reverse = 1;
			o->given |= OPTIONS_GIVEN_REVERSE;
			break;
		case OPT_NO_COLOR:
			o->no_color = 1;
			o->given |= OPTIONS_GIVEN_COLOR;
			break;
		case OPT_DIAGRAM:
			o->diagram = 1;
			break;
		case OPT_GROUP:
			if (options_group(optarg, &o->group, err, errlen) ==
			    -1)
				return OPTIONS_USAGE;
			break;
		case OPT_ASCII:
			o->ascii = 1;
			o->given |= OPTIONS_GIVEN_ASCII;
			break;
		case OPT_COLUMNS:
			if (column_parse_list(optarg, o->cols, &o->ncols,
			    FIELD_N, perr, sizeof perr) == -1) {
				snprintf(err, errlen, "--columns: %s", perr);
				return OPTIONS_USAGE;
			}
			o->given |= OPTIONS_GIVEN_COLUMNS;
			break;
		case OPT_NO_TRACE:
			o->no_trace = 1;
			break;
		case 'N':
			if (netns_classify(optarg) == NETNS_BAD) {
				snprintf(err, errlen, "-N: \"%.64s\" is not a "
				    "namespace name, path or pid", optarg);
				return OPTIONS_USAGE;
			}
			o->netns = optarg;
			break;
		case OPT_ALL_NETNS:
			o->all_netns = 1;
			break;
		case 'v':
			o->log = optarg;
			break;
		case OPT_LESSON:
			o->lesson = 1;
			break;
		case OPT_LESSON_WAIT:
			o->lesson = o->lesson_wait = 1;
			break;
		case OPT_KILL:
			o->kill = 1;
			break;
		case OPT_YES:
			o->yes = 1;
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_REPLAY:
			o->replay = optarg;
			break;
		case 'h':
			options_usage(stdout);
			return OPTIONS_EXIT;
		case 'V':
			printf("tcptop %s\n", PACKAGE_VERSION);
			return OPTIONS_EXIT;
		case ':':
			snprintf(err, errlen, "option %s needs a value",
			    argv[optind - 1]);
			return OPTIONS_USAGE;
		default:
			options_unknown(argv[optind - 1], optopt, err, errlen);
			return OPTIONS_USAGE;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\"",
		    argv[optind]);
		return OPTIONS_USAGE;
	}
	if (fam4 != fam6)
		o->filter.families = fam4 ? FILTER_INET4 : FILTER_INET6;
	if (options_check(o, filtered, err, errlen) == -1)
		return OPTIONS_USAGE;
	/* Which namespace a row is in matters most when there are many. */
	if (o->all_netns && !(o->given & OPTIONS_GIVEN_COLUMNS))
		column_prepend(o->cols, &o->ncols, FIELD_N, FIELD_NETNS);
	return OPTIONS_RUN;
}
