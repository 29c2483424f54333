/* The signals that end tcptop: a flag for those that ask it to stop,
 * the terminal given back then death by the same signal for the
 * faults. */
#include <string.h>

#include "tcptop/sig.h"

volatile sig_atomic_t sig_caught;

/* What gives the terminal back in a fault's handler, or NULL. */
static void (*volatile sig_restore)(void);

enum sig_how {
	SIG_HOW_STOP,		/* set sig_caught; the loops end */
	SIG_HOW_FAULT,		/* restore the terminal, then die of it */
};

/* signal(7): every signal whose default action is Term or Core.  The
 * real-time signals (Term too) are added by sig_catch. */
static const struct {
	int sig;
	enum sig_how how;
} sig_table[] = {
	{ SIGHUP, SIG_HOW_STOP },
	{ SIGINT, SIG_HOW_STOP },
	{ SIGQUIT, SIG_HOW_STOP },
	{ SIGTERM, SIG_HOW_STOP },
	{ SIGUSR1, SIG_HOW_STOP },
	{ SIGUSR2, SIG_HOW_STOP },
	{ SIGALRM, SIG_HOW_STOP },
	{ SIGPIPE, SIG_HOW_STOP },
	{ SIGVTALRM, SIG_HOW_STOP },
	{ SIGPROF, SIG_HOW_STOP },
	{ SIGIO, SIG_HOW_STOP },
	{ SIGPWR, SIG_HOW_STOP },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, SIG_HOW_STOP },
#endif
	{ SIGXCPU, SIG_HOW_STOP },	/* the hard limit then kills */
	{ SIGXFSZ, SIG_HOW_STOP },	/* the write fails with EFBIG */
	{ SIGSEGV, SIG_HOW_FAULT },
	{ SIGBUS, SIG_HOW_FAULT },
	{ SIGFPE, SIG_HOW_FAULT },
	{ SIGILL, SIG_HOW_FAULT },
	{ SIGABRT, SIG_HOW_FAULT },
	{ SIGSYS, SIG_HOW_FAULT },
	{ SIGTRAP, SIG_HOW_FAULT },
};

static void
sig_on_stop(int sig)
{
	/* The first one says why. */
	if (sig_caught == 0)
		sig_caught = sig;
}

static void
sig_on_fault(int sig)
{
	void (*fn)(void) = sig_restore;
	struct sigaction sa;

	sig_restore = NULL;
	if (fn != NULL)
		fn();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	/* Pending until the handler returns (the signal is blocked in it);
	 * a fault that the kernel raised comes again on return anyway. */
	raise(sig);
}

static void
sig_install(int sig, enum sig_how how)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = how == SIG_HOW_FAULT ? sig_on_fault : sig_on_stop;
	sigemptyset(&sa.sa_mask);
	if (how == SIG_HOW_STOP && sigaction(sig, NULL, &old) == 0 &&
	    old.sa_handler == SIG_IGN)
		return;
	sigaction(sig, &sa, NULL);
}

void
sig_catch(void)
{
	size_t i;
	int sig;

	for (i = 0; i < sizeof sig_table / sizeof sig_table[0]; i++)
		sig_install(sig_table[i].sig, sig_table[i].how);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sig_install(sig, SIG_HOW_STOP);
}

void
sig_set_restore(void (*fn)(void))
{
	sig_restore = fn;
}

int
sig_status(int status)
{
	return sig_caught != 0 && status == 0 ? 128 + sig_caught : status;
}
