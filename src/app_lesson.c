/* --lesson: the lesson's namespace first, then the interactive view or
 * reports, one step at a time. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/log.h"
#include "tcptop/output.h"
#include "tcptop/sig.h"

#include "app_int.h"

/* Wait for a line on standard input, prompting on a terminal.  Returns 1
 * for a line, 0 at end of input, -1 on a signal or an error. */
static int
app_lesson_wait(int prompt)
{
	char c;
	ssize_t n;

	if (prompt) {
		fputs("-- Enter: next step, Ctrl-C: end --", stdout);
		fflush(stdout);
	}
	for (;;) {
		n = read(STDIN_FILENO, &c, 1);
		if (sig_caught)
			return -1;
		if (n == 0)
			return 0;
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n == 1 && c == '\n')
			return 1;
	}
}

/* The lesson as reports: each step, then the step's description and a
 * report of the lesson's sockets.  Paced by lines on standard input with
 * --lesson-wait or at a terminal, else straight through. */
static int
app_run_lesson(struct collector *c, const struct options *o,
    struct lesson *l, const struct filter *f)
{
	const struct snapshot *snap = collector_snapshot(c);
	struct lesson_info li;
	struct view v;
	char err[512];
	int status = 0, rc, pace, prompt;

	prompt = !o->batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	pace = o->lesson_wait || prompt;
	view_init(&v);
	lesson_current(l, &li);
	if (!o->json) {
		printf("tcptop lesson: %d steps, %s%s\n", li.nsteps,
		    lesson_netns(l) != NULL ? "in network namespace " :
		    "on the host's loopback", lesson_netns(l) != NULL ?
		    lesson_netns(l) : "");
		if (li.note[0] != '\0')
			printf("  (%s)\n", li.note);
	} else if (li.note[0] != '\0')
		fprintf(stderr, "tcptop: lesson: %s\n", li.note);
	while (!sig_caught) {
		/* After the last step too: the sockets stay until then. */
		if (pace && app_lesson_wait(prompt) != 1)
			break;
		rc = lesson_step(l, err, sizeof err);
		if (rc == 0)
			break;
		if (rc == -1) {
			if (errno != EINTR) {
				fprintf(stderr, "tcptop: lesson: %s\n", err);
				status = 1;
			}
			break;
		}
		rc = collector_refresh(c, f);
		if (rc != COLLECT_OK) {
			fprintf(stderr, "tcptop: %s\n", snap->error);
			status = 1;
			break;
		}
		view_build(&v, snap->tab, f, o->sort_key, o->sort_reverse, 0,
		    &snap->fields);
		lesson_current(l, &li);
		errno = 0;
		if ((o->json ? output_lesson_json(stdout, &li,
		    lesson_netns(l)) == -1 || output_json(stdout, snap,
		    &v) == -1 : output_lesson_text(stdout, &li,
		    lesson_netns(l)) == -1 || output_text(stdout, snap,
		    &v, o->cols, o->ncols) == -1) || fflush(stdout) != 0) {
			status = output_failed();
			break;
		}
	}
	view_done(&v);
	return sig_status(status);
}

/* --lesson: the lesson's namespace first, so that the netlink socket is
 * made inside it and dumps the lesson's sockets. */
int
app_lesson(const struct options *o, const char *host)
{
	struct collector *c;
	struct filter f = o->filter;
	struct lesson *l;
	char err[320];
	int status = 0;

	l = lesson_open(&sig_caught, err, sizeof err);
	if (l == NULL) {
		fprintf(stderr, "tcptop: lesson: %s\n", err);
		log_close();
		return 1;
	}
	lesson_filter(l, &f);
	c = collector_open(o, host, COLLECTOR_TRANSITIONS |
	    (o->no_owners ? 0 : COLLECTOR_OWNERS), &status);
	if (c != NULL && !o->batch && !o->lesson_wait &&
	    isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		/* On a terminal: the interactive view, on the lesson's
		 * sockets, with Space for the next step. */
		struct options lo = *o;

		lo.filter = f;
		status = collector_close(c, app_run_ui(c, &lo, l, NULL));
	} else if (c != NULL)
		status = collector_close(c, app_run_lesson(c, o, l, &f));
	lesson_close(l);
	log_close();
	return sig_status(status);
}
