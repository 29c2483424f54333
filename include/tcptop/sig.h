/* sig: the signals that end tcptop.  Every signal whose default action
 * is to end the process is caught, so that the terminal always comes
 * back and the exit status says which signal it was (128 + N):
 *   - those sent to ask tcptop to stop (SIGINT, SIGTERM, SIGHUP,
 *     SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE, the real-time ones
 *     and the rest of signal(7)'s "Term") only set a flag, which the
 *     loops read (systat), so the way out is the ordinary one: the
 *     terminal restored by ui_close, the lesson's sockets closed, the
 *     settings saved;
 *   - the faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS,
 *     SIGTRAP), after which nothing can be trusted, give the terminal
 *     back at once through the restore hook (async-signal-safe), then
 *     die of the same signal, its default action restored (a core dump
 *     where that is allowed).
 * A stop signal ignored when tcptop started (nohup, a background job of
 * a script) stays ignored. */
#ifndef TCPTOP_SIG_H
#define TCPTOP_SIG_H

#include <signal.h>

/* The signal that asked to stop, 0 while none did. */
extern volatile sig_atomic_t sig_caught;

/* Catch them all (above), without SA_RESTART: a blocking poll or read
 * returns EINTR. */
void sig_catch(void);

/* What gives the terminal back from inside a fault's handler: only
 * async-signal-safe calls (write, tcsetattr).  ui_open registers it,
 * ui_close removes it (NULL). */
void sig_set_restore(void (*fn)(void));

/* The exit status for status when a signal ended the run: 128 + the
 * signal, unless status already says a failure. */
int sig_status(int status);

#endif
