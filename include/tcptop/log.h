/* log: the debug log file behind -v.  Curses owns the terminal, so
 * nothing may go to stdout or stderr while it runs: debug lines go to a
 * file instead (tmux log.c).  The open file is the module's only state. */
#ifndef TCPTOP_LOG_H
#define TCPTOP_LOG_H

/* Open path for appending (created with mode 0600, close-on-exec) and
 * log to it from now on, line-buffered so each line is in the file as
 * soon as log_debug returns.  A log already open is closed, but only
 * once the new one is open.  Returns 0, or -1 with errno set and the
 * previous log, if any, still in use. */
int log_open(const char *path);

/* Close the log; log_debug does nothing from then on.  Safe to call
 * when no log is open. */
void log_close(void);

/* Append one line: a local wall-clock timestamp with milliseconds
 * ("2026-11-03 14:05:09.123 "), the printf-formatted message and a
 * newline.  Does nothing when no log is open.  Write errors are ignored:
 * debug output must never stop tcptop.  errno is left as it was, so
 * "log_debug(...strerror(errno))" and then a look at errno works. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 while a log is open, else 0: for a line whose figures cost something
 * to gather. */
int log_active(void);

#endif
