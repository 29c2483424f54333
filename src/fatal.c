/* The one way out on an unrecoverable error: the terminal given back,
 * the message logged and printed, exit status 1. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcptop/fatal.h"
#include "tcptop/log.h"

/* A sanitizer build prints where the fatal came from (gcc says so with
 * __SANITIZE_ADDRESS__, clang with __has_feature).  Elsewhere a
 * debugger's "break fatal" does it. */
#if defined(__SANITIZE_ADDRESS__)
#define FATAL_BACKTRACE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FATAL_BACKTRACE 1
#endif
#endif
#ifdef FATAL_BACKTRACE
#include <sanitizer/common_interface_defs.h>
#endif

/* What gives the terminal back (ui_close), or NULL. */
static void (*fatal_hook)(void);
/* Set once a fatal has begun: a second one comes from the hook or an
 * atexit handler. */
static int fatal_busy;

void
fatal_set_hook(void (*fn)(void))
{
	fatal_hook = fn;
}

static void __attribute__((format(printf, 2, 0), noreturn))
fatal_exit(int with_errno, const char *fmt, va_list ap)
{
	char msg[1024];
	void (*hook)(void) = fatal_hook;
	int e = errno;
	size_t n;

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (with_errno) {
		n = strlen(msg);
		snprintf(msg + n, sizeof msg - n, ": %s", strerror(e));
	}
	if (fatal_busy) {
		/* Calling exit again is undefined: just leave. */
		fprintf(stderr, "tcptop: %s\n", msg);
		_exit(1);
	}
	fatal_busy = 1;
	/* Into the log first: it does not touch the terminal, so the
	 * message is kept even if giving the terminal back goes wrong. */
	log_debug("fatal: %s", msg);
	fatal_hook = NULL;
	if (hook != NULL)
		hook();
	fprintf(stderr, "tcptop: %s\n", msg);
#ifdef FATAL_BACKTRACE
	__sanitizer_print_stack_trace();
#endif
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_exit(1, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_exit(0, fmt, ap);
}
