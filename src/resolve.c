/* Service names to ports and host names to addresses, as ss reads them. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/netns.h"
#include "tcptop/resolve.h"

/* Longer names are no names: RFC 1035's limit on a host name, and far
 * above any service name. */
#define RESOLVE_NAME_MAX	253

int
resolve_service(const char *name, size_t len, uint16_t *port)
{
	char buf[RESOLVE_NAME_MAX + 1];
	struct servent *se;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	se = getservbyname(buf, "tcp");
	if (se == NULL)
		return -1;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

int
resolve_port(const char *text, size_t len, uint16_t *port, const char **why)
{
	char buf[RESOLVE_NAME_MAX + 1], *end;
	long v;

	if (len == 0 || len >= sizeof buf) {
		*why = len == 0 ? "is no port" : "is too long for a port";
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	/* ss: get_integer(&port, text, 0), then the service. */
	errno = 0;
	v = strtol(buf, &end, 0);
	if (end != buf && *end == '\0') {
		if (errno != 0 || v < 0 || v > 65535) {
			*why = "is out of range 0-65535";
			return -1;
		}
		*port = (uint16_t)v;
		return 0;
	}
	if (resolve_service(buf, len, port) == -1) {
		*why = "is no number and no TCP service";
		return -1;
	}
	return 0;
}

/* Where device names and the ephemeral range are read (resolve_netns). */
static int resolve_nsfd = -1;

void
resolve_netns(int fd)
{
	resolve_nsfd = fd;
}

struct resolve_dev_arg {
	const char *name;
	unsigned index;
};

static int
resolve_dev_index(void *arg)
{
	struct resolve_dev_arg *a = arg;

	a->index = if_nametoindex(a->name);
	return 0;
}

int
resolve_dev(const char *name, size_t len, uint32_t *ifindex)
{
	char buf[IF_NAMESIZE + 16], *end;
	struct resolve_dev_arg a = { buf, 0 };
	unsigned long v;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (netns_run(resolve_nsfd, resolve_dev_index, &a) == 0 &&
	    a.index != 0) {
		*ifindex = a.index;
		return 0;
	}
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (end == buf || *end != '\0' || errno != 0 || v > UINT32_MAX ||
	    buf[0] == '-')
		return -1;
	*ifindex = (uint32_t)v;
	return 0;
}

static int
resolve_ephemeral_read(void *arg)
{
	int *range = arg;
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	int n = 0;

	if (fp != NULL) {
		n = fscanf(fp, "%d %d", &range[0], &range[1]);
		fclose(fp);
	}
	return n == 2 ? 0 : -1;
}

void
resolve_ephemeral(uint16_t *lo, uint16_t *hi)
{
	int range[2];

	if (netns_run(resolve_nsfd, resolve_ephemeral_read, range) == -1 ||
	    range[0] < 0 || range[1] > 65535 || range[0] > range[1]) {
		range[0] = 1024;
		range[1] = 4999;
	}
	*lo = (uint16_t)range[0];
	*hi = (uint16_t)range[1];
}

/* Append the addresses of h to out[*n..max), counting all of them. */
static void
resolve_take(const struct hostent *h, struct resolve_addr *out, size_t max,
    int *n)
{
	size_t alen = h->h_addrtype == AF_INET6 ? 16 : 4;
	char **a;

	if (h->h_addrtype != AF_INET && h->h_addrtype != AF_INET6)
		return;
	for (a = h->h_addr_list; *a != NULL; a++, (*n)++) {
		if ((size_t)*n >= max)
			continue;
		memset(&out[*n], 0, sizeof out[*n]);
		out[*n].family = (uint8_t)h->h_addrtype;
		memcpy(out[*n].addr, *a, alen);
	}
}

int
resolve_host(const char *name, size_t len, struct resolve_addr *out,
    size_t max)
{
	char buf[RESOLVE_NAME_MAX + 1];
	struct hostent *h;
	int n = 0;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	/* ss: get_dns_host with no family, IPv4 then IPv6. */
	h = gethostbyname2(buf, AF_INET);
	if (h != NULL)
		resolve_take(h, out, max, &n);
	h = gethostbyname2(buf, AF_INET6);
	if (h != NULL)
		resolve_take(h, out, max, &n);
	return n;
}
