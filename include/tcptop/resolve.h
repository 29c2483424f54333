/* resolve: service names to ports and host names to addresses, as ss
 * reads them in a filter (misc/ss.c, parse_hostcond). */
#ifndef TCPTOP_RESOLVE_H
#define TCPTOP_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

/* The port of the TCP service called name[0..len) (getservbyname(3),
 * /etc/services).  Returns 0 with *port (host order), or -1 when there
 * is none. */
int resolve_service(const char *name, size_t len, uint16_t *port);

/* A port as ss reads it: a number in C's notation (22, 0x16, 026: strtol
 * with base 0) or else the name of a TCP service (getservbyname(3),
 * /etc/services).  text is text[0..len).  Returns 0 with *port (host
 * order), or -1 with a reason that fits after the quoted text ("out of
 * range 0-65535", "is no number and no TCP service") in *why, a static
 * string. */
int resolve_port(const char *text, size_t len, uint16_t *port,
    const char **why);

/* Read the names that belong to a network namespace (devices, the
 * ephemeral port range) in the namespace fd from now on, as ss run by
 * `ip netns exec` reads them; -1 (the start) is the calling thread's.
 * fd stays the caller's and must stay open until the next call. */
void resolve_netns(int fd);

/* The index of network device name[0..len) in resolve_netns's namespace
 * (if_nametoindex(3)), or else a number in C's notation, as ss reads a
 * device (parse_devcond).  Returns 0 with *ifindex, or -1. */
int resolve_dev(const char *name, size_t len, uint32_t *ifindex);

/* The ephemeral port range of resolve_netns's namespace
 * (net.ipv4.ip_local_port_range, which covers IPv6 too), or 1024-4999
 * when it cannot be read, as ss's is_ephemeral. */
void resolve_ephemeral(uint16_t *lo, uint16_t *hi);

/* One address of a host name. */
struct resolve_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
};

/* The addresses of host name name[0..len), looked up as ss looks them up
 * (gethostbyname2(3): IPv4 first, then IPv6; /etc/hosts, then DNS as
 * nsswitch.conf says, so this may block).  The first max go to out.
 * Returns how many there are (0: the name is unknown), -1 when name is
 * too long to be a host name. */
int resolve_host(const char *name, size_t len, struct resolve_addr *out,
    size_t max);

#endif
