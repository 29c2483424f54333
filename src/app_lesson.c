/* --lesson: the lesson's namespace first, then the interactive view or
 * reports, one step at a time. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/log.h"

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
		if (app_signal)
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
app_run_lesson(struct app_src *a, const struct options *o, struct lesson *l,
    const struct filter *f)
{
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
	while (!app_signal) {
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
		rc = app_src_refresh(a, f);
		if (rc != APP_OK) {
			fprintf(stderr, "tcptop: %s\n", a->err);
			status = 1;
			break;
		}
		view_build(&v, a->tab, f, o->sort_key, o->sort_reverse, 0);
		lesson_current(l, &li);
		errno = 0;
		if ((o->json ? output_lesson_json(stdout, &li,
		    lesson_netns(l)) == -1 || output_json(stdout, &a->r,
		    &v) == -1 : output_lesson_text(stdout, &li,
		    lesson_netns(l)) == -1 || output_text(stdout, &a->r,
		    &v) == -1) || fflush(stdout) != 0) {
			fprintf(stderr, "tcptop: writing the report: %s\n",
			    strerror(errno != 0 ? errno : EIO));
			status = 1;
			break;
		}
	}
	view_done(&v);
	if (app_signal != 0 && status == 0)
		status = 128 + app_signal;
	return status;
}

/* --lesson: the lesson's namespace first, so that the netlink socket is
 * made inside it and dumps the lesson's sockets. */
int
app_lesson(const struct options *o, const char *host)
{
	struct app_src a;
	struct filter f = o->filter;
	struct lesson *l;
	char err[320];
	int status;

	l = lesson_open(&app_signal, err, sizeof err);
	if (l == NULL) {
		fprintf(stderr, "tcptop: lesson: %s\n", err);
		log_close();
		return 1;
	}
	lesson_filter(l, &f);
	status = app_src_open(&a, o, host);
	if (status == 0 && !o->batch && !o->lesson_wait &&
	    isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		/* On a terminal: the interactive view, on the lesson's
		 * sockets, with Space for the next step. */
		struct options lo = *o;

		lo.filter = f;
		status = app_run_ui(&a, &lo, l);
		status = app_src_close(&a, status);
	} else if (status == 0) {
		status = app_run_lesson(&a, o, l, &f);
		status = app_src_close(&a, status);
	}
	lesson_close(l);
	log_close();
	if (app_signal != 0 && status == 0)
		status = 128 + app_signal;
	return status;
}
