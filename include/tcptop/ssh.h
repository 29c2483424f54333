/* ssh: the operator's own SSH session, from $SSH_CONNECTION, and which
 * connection it is; pure. */
#ifndef TCPTOP_SSH_H
#define TCPTOP_SSH_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/conn.h"
#include "tcptop/view.h"

/* The session's two ends.  An IPv4-mapped IPv6 address is kept as the
 * IPv4 address it maps, so both spellings match. */
struct ssh_session {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t client[16];	/* network order; IPv4 in the first 4 */
	uint8_t server[16];
	uint16_t cport;		/* host order */
	uint16_t sport;
	uint8_t elsewhere;	/* tcptop views another namespace (-N)
				 * than the session's: nothing matches */
};

/* Parse "client_ip client_port server_ip server_port" (sshd's
 * SSH_CONNECTION): exactly four fields, one space apart, addresses as
 * inet_pton reads them (both of one family once mapped ones are taken as
 * IPv4), ports 1..65535 in plain decimal.  Returns 0, or -1 for anything
 * else (s untouched). */
int ssh_parse(const char *text, struct ssh_session *s);

/* Whether c is the session: local end server, remote end client, in
 * either spelling of an IPv4 address, in tcptop's own namespace (index 0
 * of --all-netns; the same 4-tuple in another one is not the session). */
int ssh_match(const struct ssh_session *s, const struct conn_sample *c);

/* The session that connection c is, seen from its server (c's local
 * end): what sshd would have put in SSH_CONNECTION. */
void ssh_from_conn(struct ssh_session *s, const struct conn_sample *c);

/* The live row of v that is the session, or NULL (not in view: filtered
 * out, or in another namespace).  Borrowed like v's rows. */
const struct conn *ssh_find(const struct ssh_session *s,
    const struct view *v);

/* The session's ends as "addr:port" ("[addr]:port" for IPv6) into buf
 * (CONN_ENDPOINT_LEN). */
char *ssh_fmt_end(const struct ssh_session *s, int server, char *buf,
    size_t len);

#endif
