/* kernel_bc.h: a model of the kernel's inet_diag bytecode audit and
 * interpreter, so tests can run the programs diag sends without a kernel.
 *
 * It follows net/ipv4/inet_diag.c as of Linux 6.x (torvalds/linux):
 * kbc_audit() is inet_diag_bc_audit() with valid_cc(), valid_hostcond(),
 * valid_devcond(), valid_port_comparison(), valid_markcond() and
 * valid_cgroupcond(), for a caller without CAP_NET_ADMIN; kbc_run() is
 * inet_diag_bc_run() with bitstring_match(); kbc_run_sample() fills the
 * entry as inet_diag_bc_sk() does: sport is the local port (inet_num),
 * dport the remote one, the addresses are 16 bytes for an AF_INET6 socket
 * (v4-mapped ones included) and 4 for AF_INET.  Written from reading that
 * source, not copied; the port locks are zero here (AUTO always holds),
 * the mark is the sample's (conn_mark_value, 0 when unknown), the cgroup
 * id the sample's (cgroup_id, 0 for none, as the kernel's entry has for
 * request and timewait sockets), and the interface is the sample's
 * ifindex (sk_bound_dev_if, which idiag_if reports too).  The op codes
 * and structure layouts are the uapi's (linux/inet_diag.h), spelled out
 * because only diag.c includes that header. */
#ifndef TCPTOP_KERNEL_BC_H
#define TCPTOP_KERNEL_BC_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "tcptop/cgroup.h"
#include "tcptop/conn.h"

enum {
	KBC_NOP, KBC_JMP, KBC_S_GE, KBC_S_LE, KBC_D_GE, KBC_D_LE, KBC_AUTO,
	KBC_S_COND, KBC_D_COND, KBC_DEV_COND, KBC_MARK_COND, KBC_S_EQ,
	KBC_D_EQ, KBC_CGROUP_COND,
};

/* struct inet_diag_bc_op: u8 code, u8 yes, u16 no (host order). */
struct kbc_op {
	uint8_t code;
	uint8_t yes;
	uint16_t no;
};

/* struct inet_diag_hostcond: u8 family, u8 prefix_len, int port at 4,
 * then the address; 8 bytes before it. */
#define KBC_HOSTCOND_LEN	8

struct kbc_entry {
	int family;
	const uint8_t *saddr;	/* 4 or 16 bytes, network order */
	const uint8_t *daddr;
	unsigned sport, dport;
	uint32_t ifindex;	/* sk_bound_dev_if */
	uint32_t mark;		/* sk_mark (ir_mark, tw_mark) */
	uint64_t cgroup_id;	/* 0 but for full sockets */
};

static inline struct kbc_op
kbc_op_at(const uint8_t *bc)
{
	struct kbc_op op;

	memcpy(&op, bc, sizeof op);
	return op;
}

/* valid_cc: is cc bytes before the end an op boundary on the chain of
 * "yes" steps from the start? */
static inline int
kbc_valid_cc(const uint8_t *bc, int len, int cc)
{
	while (len >= 0) {
		struct kbc_op op;

		if (cc > len)
			return 0;
		if (cc == len)
			return 1;
		if (len < (int)sizeof op)
			return 0;	/* the kernel would read past the end */
		op = kbc_op_at(bc);
		if (op.yes < 4 || op.yes & 3)
			return 0;
		len -= op.yes;
		bc += op.yes;
	}
	return 0;
}

/* inet_diag_bc_audit: 0, or -1 where the kernel says EINVAL (or EPERM
 * for a mark condition from a caller without net_admin). */
static inline int
kbc_audit_admin(const uint8_t *bytecode, int bytecode_len, int net_admin)
{
	const uint8_t *bc = bytecode;
	int len = bytecode_len;

	if (len < (int)sizeof(struct kbc_op))
		return -1;
	while (len > 0) {
		int min_len = sizeof(struct kbc_op);
		struct kbc_op op;

		if (len < (int)sizeof op)
			return -1;
		op = kbc_op_at(bc);
		switch (op.code) {
		case KBC_S_COND:
		case KBC_D_COND: {
			int alen;

			min_len += KBC_HOSTCOND_LEN;
			if (len < min_len)
				return -1;
			switch (bc[4]) {
			case AF_UNSPEC:
				alen = 0;
				break;
			case AF_INET:
				alen = 4;
				break;
			case AF_INET6:
				alen = 16;
				break;
			default:
				return -1;
			}
			min_len += alen;
			if (len < min_len)
				return -1;
			if (bc[5] > 8 * alen)
				return -1;
			break;
		}
		case KBC_DEV_COND:
			min_len += 4;
			if (len < min_len)
				return -1;
			break;
		case KBC_S_EQ:
		case KBC_S_GE:
		case KBC_S_LE:
		case KBC_D_EQ:
		case KBC_D_GE:
		case KBC_D_LE:
			min_len += sizeof(struct kbc_op);
			if (len < min_len)
				return -1;
			break;
		case KBC_MARK_COND:
			if (!net_admin)
				return -1;	/* EPERM */
			min_len += 8;	/* struct inet_diag_markcond */
			if (len < min_len)
				return -1;
			break;
		case KBC_CGROUP_COND:
			min_len += 8;
			if (len < min_len)
				return -1;
			break;
		case KBC_AUTO:
		case KBC_JMP:
		case KBC_NOP:
			break;
		default:
			return -1;
		}
		if (op.code != KBC_NOP) {
			if (op.no < min_len || op.no > len + 4 || op.no & 3)
				return -1;
			if (op.no < len && !kbc_valid_cc(bytecode, bytecode_len,
			    len - op.no))
				return -1;
		}
		if (op.yes < min_len || op.yes > len + 4 || op.yes & 3)
			return -1;
		bc += op.yes;
		len -= op.yes;
	}
	return len == 0 ? 0 : -1;
}

/* inet_diag_bc_audit for a caller without CAP_NET_ADMIN. */
static inline int
kbc_audit(const uint8_t *bytecode, int bytecode_len)
{
	return kbc_audit_admin(bytecode, bytecode_len, 0);
}

/* bitstring_match: the first bits of a1 and a2 agree, compared as the
 * kernel does, in whole 32-bit words and then a masked one. */
static inline int
kbc_bitstring_match(const uint8_t *a1, const uint8_t *a2, int bits)
{
	int words = bits >> 5;

	bits &= 0x1f;
	if (words && memcmp(a1, a2, (size_t)words << 2) != 0)
		return 0;
	if (bits) {
		uint32_t w1, w2, mask;

		memcpy(&w1, a1 + words * 4, 4);
		memcpy(&w2, a2 + words * 4, 4);
		mask = htonl(0xffffffffU << (32 - bits));
		if ((w1 ^ w2) & mask)
			return 0;
	}
	return 1;
}

/* inet_diag_bc_run on an audited program: 1 to dump the socket, 0 not to,
 * -1 for an op this model leaves out (a test bug). */
static inline int
kbc_run(const uint8_t *bc, int len, const struct kbc_entry *entry)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	while (len > 0) {
		struct kbc_op op = kbc_op_at(bc);
		int yes = 1;
		unsigned port = 0;

		/* Port comparisons keep the port in the next op's "no". */
		if ((op.code >= KBC_S_GE && op.code <= KBC_D_LE) ||
		    op.code == KBC_S_EQ || op.code == KBC_D_EQ)
			port = kbc_op_at(bc + 4).no;

		switch (op.code) {
		case KBC_NOP:
			break;
		case KBC_JMP:
			yes = 0;
			break;
		case KBC_S_EQ:
			yes = entry->sport == port;
			break;
		case KBC_S_GE:
			yes = entry->sport >= port;
			break;
		case KBC_S_LE:
			yes = entry->sport <= port;
			break;
		case KBC_D_EQ:
			yes = entry->dport == port;
			break;
		case KBC_D_GE:
			yes = entry->dport >= port;
			break;
		case KBC_D_LE:
			yes = entry->dport <= port;
			break;
		case KBC_AUTO:
			yes = 1;	/* userlocks 0: not bound by hand */
			break;
		case KBC_S_COND:
		case KBC_D_COND: {
			int cport, family = bc[4], prefix = bc[5];
			const uint8_t *caddr = bc + 4 + KBC_HOSTCOND_LEN;
			const uint8_t *addr;

			memcpy(&cport, bc + 8, sizeof cport);
			if (cport != -1 && cport != (int)(op.code ==
			    KBC_S_COND ? entry->sport : entry->dport)) {
				yes = 0;
				break;
			}
			addr = op.code == KBC_S_COND ? entry->saddr :
			    entry->daddr;
			if (family != AF_UNSPEC && family != entry->family) {
				if (entry->family == AF_INET6 &&
				    family == AF_INET &&
				    memcmp(addr, mapped, sizeof mapped) == 0 &&
				    kbc_bitstring_match(addr + 12, caddr,
				    prefix))
					break;
				yes = 0;
				break;
			}
			if (prefix == 0)
				break;
			if (kbc_bitstring_match(addr, caddr, prefix))
				break;
			yes = 0;
			break;
		}
		case KBC_DEV_COND: {
			uint32_t ifindex;

			memcpy(&ifindex, bc + 4, sizeof ifindex);
			yes = ifindex == entry->ifindex;
			break;
		}
		case KBC_MARK_COND: {
			uint32_t mark, mask;

			memcpy(&mark, bc + 4, 4);
			memcpy(&mask, bc + 8, 4);
			yes = (entry->mark & mask) == mark;
			break;
		}
		case KBC_CGROUP_COND: {
			uint64_t id;

			memcpy(&id, bc + 4, 8);
			yes = id == entry->cgroup_id;
			break;
		}
		default:
			return -1;
		}
		if (yes) {
			len -= op.yes;
			bc += op.yes;
		} else {
			len -= op.no;
			bc += op.no;
		}
	}
	return len == 0;
}

/* inet_diag_bc_sk for a socket as tcptop sees it. */
static inline int
kbc_run_sample(const uint8_t *bc, int len, const struct conn_sample *s)
{
	struct kbc_entry e;

	e.family = s->family;
	e.saddr = s->local;
	e.daddr = s->remote;
	e.sport = s->lport;
	e.dport = s->rport;
	e.ifindex = s->ifindex;
	if (conn_mark_value(s->mark, &e.mark) == -1)
		e.mark = 0;
	e.cgroup_id = cgroup_id(s->cgroup);
	return kbc_run(bc, len, &e);
}

#endif
