/* fatal: the one way out on an unrecoverable error (out of memory, no
 * way back to our own network namespace).  It gives the terminal back
 * first, through the one hook the UI registers, then says why on stderr
 * and exits 1: never abort(), which would leave a raw terminal and skip
 * the atexit handlers that remove tcptop's tracefs instance and lesson
 * namespace.  Errors tcptop can go on after are not fatal: they are
 * returned and shown (hacking.md, "Errors"). */
#ifndef TCPTOP_FATAL_H
#define TCPTOP_FATAL_H

/* Register fn as what gives the terminal back (ui_open registers
 * ui_close; nothing else registers).  It replaces an earlier one; NULL
 * removes it.  fn must be safe to call when there is nothing to give
 * back, since a later fatal may come after its own close. */
void fatal_set_hook(void (*fn)(void));

/* End tcptop: run the hook (at most once per process), write
 * "fatal: MESSAGE" to the -v log if one is open, print "tcptop: MESSAGE"
 * on stderr and exit(1), so atexit handlers run.  fatal appends
 * ": strerror(errno)" (errno as it was at the call), fatalx nothing.
 * The message is cut at 1023 bytes.  A sanitizer build then prints a
 * stack trace as well.  A fatal from inside the hook or an atexit
 * handler prints its message and _exit(1)s: exit may not run twice.
 * Never returns. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
