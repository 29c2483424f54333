/* lesson_int: what the lesson*.c files share: the lesson's state and
 * the helpers its steps use.  Private to them. */
#ifndef TCPTOP_LESSON_INT_H
#define TCPTOP_LESSON_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tcptop/lesson.h"

#define LESSON_NFT_TABLE	"inet tcptop_lesson"

/* Every step settles in microseconds, or within one retransmission once
 * a drop is lifted (at most tcp_rto_max_ms, 1 s, apart); the deadline
 * only turns a broken set-up into an error. */
#define LESSON_WAIT_MS		5000
#define LESSON_NAP_NS		1000000L

/* Retransmitting ends (SYN_SENT, FIN_WAIT1, LAST_ACK, CLOSING, the
 * half-open writer) would give up after tcp_retries2; a teacher may talk
 * longer than that. */
#define LESSON_USER_TIMEOUT_MS	(60U * 60 * 1000)

#define LESSON_BODY		1000	/* bytes of the data step */

/* The connections of the lesson, one port each.  In the namespace the
 * ports are fixed (the drop rules name them); on the host's loopback the
 * kernel picks free ones. */
enum {
	LP_OPEN,	/* handshake, data, active and passive close */
	LP_SIMUL,	/* simultaneous close */
	LP_RESET,	/* abortive close */
	LP_REFUSED,	/* no listener: connect is refused */
	LP_HALF,	/* half-open */
	LP_N
};

#define LESSON_PORT_BASE	7001

struct lesson {
	volatile sig_atomic_t *stop;
	int drops;		/* the nft table is in place */
	int host_fd;		/* the namespace we came from, or -1 */
	int ns_fd;		/* the lesson's namespace, or -1 */
	char nsname[64];	/* "pid:PID", "" on the host's loopback */
	char note[512];
	uint16_t port[LP_N];
	int lfd[LP_N];		/* listeners (bound at open, listening
				 * from their part on) */
	int cfd[LP_N];		/* client ends */
	int sfd[LP_N];		/* server ends (accepted) */
	int done;		/* steps performed */
	struct lesson_expect exp[LESSON_MAX_EXPECT];
	size_t nexp;
	char *err;		/* of the running step */
	size_t errlen;
};

/* lesson_sock.c: the steps' socket operations; each failure is said
 * once in the running step's error (lesson_fail). */
long long lesson_now_ms(void);
int lesson_fail(struct lesson *l, int errnum, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
int lesson_nap(struct lesson *l);
int lesson_state(int fd);
const char *lesson_side_name(int k);
int lesson_wait(struct lesson *l, int k, int side, int fd, int want);
int lesson_bind(struct lesson *l, uint16_t port, uint16_t *got);
int lesson_listen(struct lesson *l, int k);
int lesson_connect(struct lesson *l, int k);
int lesson_accept(struct lesson *l, int k);
int lesson_pair(struct lesson *l, int k);
int lesson_write(struct lesson *l, int fd, const void *buf, size_t len);
int lesson_read(struct lesson *l, int fd, size_t len);
int lesson_shutdown(struct lesson *l, int fd);
void lesson_abort(int *fd);
void lesson_close_fd(int *fd);

/* lesson_ns.c: the namespace, its sysctls and the nft drop rules. */
int lesson_drops(struct lesson *l, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));
int lesson_ns_create(struct lesson *l, char *why, size_t whylen);
int lesson_ns_setup(char *why, size_t whylen);

#endif
