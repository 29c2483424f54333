/* The stop signals, caught into a flag. */
#include <string.h>

#include "tcptop/sig.h"

volatile sig_atomic_t sig_caught;

static void
sig_on(int sig)
{
	sig_caught = sig;
}

void
sig_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sig_on;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
sig_status(int status)
{
	return sig_caught != 0 && status == 0 ? 128 + sig_caught : status;
}
