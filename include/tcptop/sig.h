/* sig: the signals that ask tcptop to stop.  The handlers only set a
 * flag, which the loops read (systat). */
#ifndef TCPTOP_SIG_H
#define TCPTOP_SIG_H

#include <signal.h>

/* The signal that asked to stop, 0 while none did. */
extern volatile sig_atomic_t sig_caught;

/* Catch SIGINT, SIGTERM and SIGHUP into sig_caught, without SA_RESTART:
 * a blocking poll or read returns EINTR. */
void sig_catch(void);

/* The exit status for status when a signal ended the run: 128 + the
 * signal, unless status already says a failure. */
int sig_status(int status);

#endif
