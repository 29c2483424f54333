/* lesson: a guided tour of TCP's states on real sockets (tcptop --lesson).
 *
 * The engine makes real connections and moves them one step at a time
 * through the state machine: handshake, data, active and passive close,
 * simultaneous close, reset, refused connect and a half-open connection.
 * Run as root, it works in a private network namespace of its own, with
 * nft drop rules on its loopback that hold the transient states
 * (SYN_SENT, SYN_RECV, FIN_WAIT1, LAST_ACK, CLOSING) as long as the
 * teacher talks; unprivileged it uses the host's loopback, where those
 * states pass in microseconds, and says so for the steps that need them.
 *
 * Both ends of every connection live in the one namespace, so the class
 * sees client and server side by side.  The engine checks each step with
 * getsockopt(TCP_INFO) on the sockets it owns, polling against a
 * deadline; what the kernel's tables hold (request and TIME_WAIT sockets
 * have no descriptor) is for the dump to show.  It draws and prints
 * nothing. */
#ifndef TCPTOP_LESSON_H
#define TCPTOP_LESSON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tcptop/filter.h"

struct lesson;

/* Which end of a step's connection an expectation is about: the server
 * end has the step's port as its local port, the client end as its
 * remote port. */
enum lesson_side {
	LESSON_SERVER,
	LESSON_CLIENT,
};

/* A socket a step expects afterwards. */
struct lesson_expect {
	uint16_t port;		/* the listener's port of that connection */
	int side;		/* enum lesson_side */
	int state;		/* TCP_* as in <netinet/tcp.h> */
	int seen;		/* the state getsockopt(TCP_INFO) found on our
				 * descriptor after the step, or 0 when no
				 * descriptor holds this socket (request and
				 * TIME_WAIT sockets) or the step has not run */
};

#define LESSON_MAX_EXPECT	4

/* One step as the teacher presents it.  Strings are static; the
 * expectations are valid until the next lesson_step or lesson_close. */
struct lesson_info {
	int n;			/* 1..nsteps; 0 before the first step */
	int nsteps;
	const char *part;	/* "Handshake", ... */
	const char *title;
	const char *text;	/* what to tell the class: plain sentences */
	int held;		/* 1: the expected states hold here; 0: this
				 * step needs drop rules the lesson could not
				 * set up, and the states went past */
	const char *note;	/* why not held, or "" */
	size_t nexpect;
	const struct lesson_expect *expect;
};

/* Set up the lesson.  As root (CAP_SYS_ADMIN and CAP_NET_ADMIN) it
 * creates the network namespace "tcptop-lesson-PID", named under
 * /run/netns so that `ip netns exec` reaches it, brings its loopback up,
 * sets its sysctls and installs the drop rules with nft(8), then moves
 * the calling process into it: sockets and netlink sockets opened after
 * lesson_open belong to the lesson's namespace, and the host's network is
 * never touched.  Namespaces left behind by a lesson process that no
 * longer runs (killed with SIGKILL) are removed first.  Without the
 * privilege, or when the namespace cannot be made, it falls back to the
 * host's loopback and lesson_note() says why; without nft(8) it uses the
 * namespace without drop rules.  stop, if not NULL, is polled while a
 * step waits: once it is nonzero lesson_step gives up with EINTR.
 * Returns the lesson, or NULL with errno set and a one-line reason in err
 * (errlen bytes). */
struct lesson *lesson_open(volatile sig_atomic_t *stop, char *err,
    size_t errlen);

/* Undo everything: reset every connection the lesson owns, move the
 * process back to the namespace it came from and delete the lesson's
 * namespace (its nft table and sysctls go with it).  NULL is allowed. */
void lesson_close(struct lesson *l);

/* Number of steps. */
int lesson_nsteps(void);

/* Perform the next step's socket operations and wait (5 s at most per
 * wait) until the sockets the engine owns reach the expected states.
 * Returns 1 when a step was performed, 0 when the lesson is over, -1 with
 * errno set and a reason in err when a socket operation failed or a state
 * was not reached in time (ETIMEDOUT), or EINTR when stop was set; the
 * lesson cannot go on after -1, only be closed. */
int lesson_step(struct lesson *l, char *err, size_t errlen);

/* The step performed last (n = 0 and an introduction before the first). */
void lesson_current(const struct lesson *l, struct lesson_info *out);

/* Restrict f to the lesson's sockets: its ports, and only those (f's
 * other fields are kept).  In the namespace every socket is the lesson's;
 * on the host's loopback the ports tell them apart. */
void lesson_filter(const struct lesson *l, struct filter *f);

/* The namespace's name (for `ip netns exec`), or NULL on the host's
 * loopback. */
const char *lesson_netns(const struct lesson *l);

/* A descriptor of the lesson's network namespace (for setns), or -1 on
 * the host's loopback.  The lesson owns it. */
int lesson_netns_fd(const struct lesson *l);

/* "" or why the lesson runs without namespace or drop rules, and which
 * steps it therefore cannot hold. */
const char *lesson_note(const struct lesson *l);

#endif
