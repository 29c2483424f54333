#!/bin/bash
#
# filter-ss: a filter expression that ss accepts keeps, in tcptop, the
# sockets ss lists for it: the same text to `tcptop -f` and to `ss -tan`,
# on the same sockets in a private namespace, and the two row sets must
# be equal (and hold the number of rows worked out by hand, so a test
# where both sides went wrong alike still fails).
#
# The sockets: nsholder's one of each holdable state per family (ports
# 9001-9010, tests/helpers/nsholder.c), and sockhold's listener on
# 127.0.0.1:22 (ssh in /etc/services) with a connection to it, both ends
# in S, and from the dev checks on a second one on 127.0.0.1:2222, its
# three sockets bound to lo.  Nothing touches the host's network: addresses, routes, sysctls
# and rules live in the namespaces.
#
# Environment: TCPTOP (default ./tcptop), NSHOLDER (default
# ./tests/helpers/nsholder), SOCKHOLD (default ./tests/helpers/sockhold).
# Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
SOCKHOLD=${SOCKHOLD:-./tests/helpers/sockhold}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"

netns_require jq
require_bin TCPTOP SOCKHOLD
[ "$(getent services ssh/tcp | awk '{ print $2 }')" = 22/tcp ] ||
    skip "no ssh 22/tcp in the services database"
[ "$(getent hosts localhost | awk '{ print $1; exit }')" = 127.0.0.1 ] ||
    skip "localhost is not 127.0.0.1 here"

HOLDS=
CGDIR=

cleanup()
{
	stop_pids $HOLDS
	netns_cleanup
	# The cgroup empties as its processes exit.
	if [ -n "$CGDIR" ] && [ -d "$CGDIR" ]; then
		wait_until -t 30 "$CGDIR to empty" \
		    not grep -qs . "$CGDIR/cgroup.procs" >/dev/null
		rmdir "$CGDIR" || echo "could not remove $CGDIR"
	fi
}

test_tmpdir filter-ss

netns_setup tcptop-filter
netns_hold 1

inS "$SOCKHOLD" filter-ssh 22 >"$TMP/sockhold" 2>&1 &
HOLDS=$!
wait_until -t 10 "sockhold" grep -qs '^ready ' "$TMP/sockhold" ||
    fail "sockhold did not get ready: $(cat "$TMP/sockhold")"
# $! may be the shell that ran inS: stop sockhold by its own pid too.
HOLDS="$HOLDS $(awk '/^ready /{ print $2 }' "$TMP/sockhold")"

# One row per socket, "LADDR LPORT RADDR RPORT STATE", from ss -tanH: the
# brackets of IPv6 and the %scope or %device go, a wildcard address is
# "*" whatever its family.  With -v extra=1, the sixth field follows.
ss_rows()
{
	awk -v extra="${1:-0}" '
	function ep(s, r,    p) {
		p = match(s, /:[^:]*$/)
		r[1] = substr(s, 1, p - 1); r[2] = substr(s, p + 1)
		sub(/%.*$/, "", r[1]); gsub(/^\[|\]$/, "", r[1])
		if (r[1] == "0.0.0.0" || r[1] == "::") r[1] = "*"
		if (r[2] == "*") r[2] = 0
	}
	BEGIN {
		m["ESTAB"] = "ESTABLISHED"; m["SYN-SENT"] = "SYN_SENT"
		m["SYN-RECV"] = "SYN_RECV"; m["FIN-WAIT-1"] = "FIN_WAIT1"
		m["FIN-WAIT-2"] = "FIN_WAIT2"; m["TIME-WAIT"] = "TIME_WAIT"
		m["CLOSE-WAIT"] = "CLOSE_WAIT"; m["LAST-ACK"] = "LAST_ACK"
		m["LISTEN"] = "LISTEN"; m["CLOSING"] = "CLOSING"
		m["UNCONN"] = "CLOSE"
	}
	NF >= 5 {
		ep($4, l); ep($5, r)
		print tolower(l[1]), l[2] + 0, tolower(r[1]), r[2] + 0, \
		    (($1 in m) ? m[$1] : "?" $1) (extra ? " " $6 : "")
	}' | sort
}

# The same rows from tcptop's JSON (the last report).
json_rows()
{
	tail -n 1 "$1" | jq -r '.connections[] | [.local_addr,
	    (.local_port | tostring), .remote_addr,
	    (.remote_port | tostring), .state] | join(" ")' |
	    awk '{ for (i = 1; i <= 3; i += 2) {
		sub(/%.*$/, "", $i); gsub(/^\[|\]$/, "", $i)
		if ($i == "0.0.0.0" || $i == "::") $i = "*"
		$i = tolower($i) }
		print }' | sort
}

# same NAME ROWS EXPR [TCPTOP-ARGS...]: tcptop -f EXPR (or TCPTOP-ARGS)
# keeps the rows ss -tan EXPR lists, ROWS of them; both run by INNS.
INNS=(ip netns exec "$NS_S")
same()
{
	local name=$1 want=$2 expr=$3 out=$TMP/$1
	local -a targs=(-f "$expr") tns=("${INNS[@]}")

	[ $# -gt 3 ] && targs=("${@:4}")
	# -N views the namespace from tcptop's own.
	[ "${targs[0]}" = -N ] && tns=()
	if ! timeout 30 "${tns[@]}" "$TCPTOP" -b -n 1 --json \
	    "${targs[@]}" >"$out.json" 2>"$out.err"; then
		bad "[$name] tcptop ${targs[*]} failed: $(head -c 300 \
		    "$out.err")"
		return
	fi
	if ! timeout 30 "${INNS[@]}" ss -tanH "$expr" \
	    >"$out.ss.raw" 2>"$out.ss.err"; then
		bad "[$name] ss -tan '$expr' failed: $(head -c 300 \
		    "$out.ss.err")"
		return
	fi
	ss_rows <"$out.ss.raw" >"$out.ss"
	json_rows "$out.json" >"$out.tcptop"
	if ! cmp -s "$out.ss" "$out.tcptop"; then
		bad "[$name] '$expr': rows differ (- ss, + tcptop):"
		diff -u "$out.ss" "$out.tcptop" | tail -n +3 |
		    grep '^[-+]' | head -n 30 | sed 's/^/    /'
		return
	fi
	if [ "$(wc -l <"$out.ss")" -ne "$want" ]; then
		bad "[$name] '$expr': ss and tcptop agree on" \
		    "$(wc -l <"$out.ss") rows, not the $want expected:"
		sed 's/^/    /' "$out.ss"
		return
	fi
	ok "[$name] ${targs[*]}: $want rows, as ss '$expr'"
}

# Precedence and associativity: ss reads and, or and adjacency alike, from
# left to right (ssfilter.y); only not and parentheses bind tighter.
same or-and 2 'dport = :9004 or dport = :9005 and src 10.77.0.1'
same and-or 3 'src 10.77.0.1 and dport = :9004 or dport = :9005'
same or-adjacent 2 'dport = :9006 or dport = :9007 dst 10.77.0.2'
same or-or-and 3 \
    'dport = :9004 or dport = :9005 or dport = :9006 and dst [fd00:77::2]'
same not-or-and 5 \
    'not dport = :9004 and dport < :9007 or sport = :9001 and src 10.77.0.1'
same parens 3 'dport = :9004 or ( dport = :9005 and src 10.77.0.1 )'
same not-parens 15 \
    'not ( dport = :9004 or dport = :9005 ) and not sport = :9001'

# dev: sockhold's second listener on 127.0.0.1:2222 and its connection,
# all three bound to lo; by name and by index, as ss takes both.
inS env SOCKHOLD_DEV=lo "$SOCKHOLD" filter-dev 2222 >"$TMP/sockhold-dev" \
    2>&1 &
HOLDS="$HOLDS $!"
wait_until -t 10 "sockhold on lo" grep -qs '^ready ' "$TMP/sockhold-dev" ||
    fail "sockhold on lo did not get ready: $(cat "$TMP/sockhold-dev")"
HOLDS="$HOLDS $(awk '/^ready /{ print $2 }' "$TMP/sockhold-dev")"
LO_INDEX=$(inS cat /sys/class/net/lo/ifindex) || fail "no lo in $NS_S"
same dev-name 3 'dev lo'
same dev-index 3 "dev $LO_INDEX"
same dev-not 13 'not dev lo and src 10.77.0.1 or dev = lo'
same dev-ne 23 'dev != lo'
# -N reads device names in the namespace it views, as ss run by ip netns
# exec: tt0 is there, not in tcptop's own.
same netns-dev 3 'dev tt0 or dev lo' -N "$NS_S" -f 'dev tt0 or dev lo'

# Ports as ss reads them: C's notation (strtol, base 0), service names,
# a port alone after src and dst, "*".
same port-hex 4 'sport = :0x16 or dport = :0x2331'
same port-octal 4 'sport = :021451'
same port-service 2 'sport = :ssh'
same port-service-cmp 6 'dport <= :ssh or sport le :ssh'
same dst-port-only 1 'dst :22'
same src-port-service 2 'src :ssh'
same src-star-port 1 'src *:ssh and dst 127.0.0.1'
same src-star 26 'src *'
same src-addr-service 2 'src 127.0.0.1:ssh'
same dst-prefix-port 2 'dst 10.77.0.0/24:0x232c or dst 127.0.0.0/8:ssh'
same src-addr-empty-port 10 'src 10.77.0.1:'
# Host names (one address: localhost is 127.0.0.1 in /etc/hosts).
same src-localhost 6 'src localhost'
same dst-localhost-port 1 'dst localhost:ssh'

# rtt_ms is null exactly where ss -i shows no rtt: (no tcp_info, or no
# RTT sample yet: a listener, a SYN_SENT), a number elsewhere.
rtt_same()
{
	local out=$TMP/rtt n

	if ! timeout 30 ip netns exec "$NS_S" "$TCPTOP" -b -n 1 --json \
	    >"$out.json" 2>"$out.err"; then
		bad "[rtt] tcptop failed: $(head -c 300 "$out.err")"
		return
	fi
	inS ss -tanHi | awk '
	    /^[^ \t]/ { if (row != "") print row, r; row = $0; r = "none" }
	    /^[ \t]/ { if ($0 ~ /(^|[ \t])rtt:/) r = "rtt" }
	    END { if (row != "") print row, r }' | ss_rows 1 >"$out.ss"
	tail -n 1 "$out.json" | jq -r '.connections[] | [.local_addr,
	    (.local_port | tostring), .remote_addr,
	    (.remote_port | tostring), .state,
	    (if .rtt_ms == null then "none" else "rtt" end)] | join(" ")' |
	    awk '{ for (i = 1; i <= 3; i += 2) {
		sub(/%.*$/, "", $i); gsub(/^\[|\]$/, "", $i)
		if ($i == "0.0.0.0" || $i == "::") $i = "*"
		$i = tolower($i) }
		print }' | sort >"$out.tcptop"
	n=$(grep -c ' rtt$' "$out.ss")
	if ! cmp -s "$out.ss" "$out.tcptop"; then
		bad "[rtt] rtt_ms null where ss shows no rtt: differs" \
		    "(- ss, + tcptop):"
		diff -u "$out.ss" "$out.tcptop" | tail -n +3 |
		    grep '^[-+]' | head -n 30 | sed 's/^/    /'
	elif [ "$n" -ne 16 ]; then
		bad "[rtt] $n sockets with an rtt, not the 16 expected"
	else
		ok "[rtt] rtt_ms null exactly where ss shows no rtt: ($n with)"
	fi
}
rtt_same

# autobound: ss runs the kernel's half (INET_DIAG_BC_AUTO: the local
# port was not bound by hand; timewait, request and accepted sockets carry
# no lock) in the dump's program and its own half (the local port lies in
# the namespace's ephemeral range) on each row, through the same
# expression.  The 18 clients (8 states a family, 2 to 127.0.0.1) hold
# autobound ports; the 4 listeners are bound by hand; the accepted
# sockets on 22 and 2222 and the request sockets on 9001 have no lock
# but lie out of the range, so they are in neither answer.
same autobound 18 'autobound'
same not-autobound 4 'not autobound'
same autobound-or 20 'sport = :22 or autobound'
# The range widened over 9001: its listeners now lie in it but keep their
# lock, so they drop out of both answers, while its 2 request sockets
# join the autobound; and -N reads the range of the namespace it views.
range=$(inS sysctl -n net.ipv4.ip_local_port_range | tr -s '\t ' ' ')
inS sysctl -qw net.ipv4.ip_local_port_range="9000 60999" ||
    fail "could not set the namespace's ephemeral range"
same autobound-locked 20 'autobound'
same not-autobound-range 2 'not autobound'
same netns-range 2 'not autobound' -N "$NS_S" -f 'not autobound'
inS sysctl -qw net.ipv4.ip_local_port_range="$range" ||
    fail "could not put the namespace's ephemeral range back"

# -p keeps its list syntax and takes service names too.
same p-service 3 'sport = :ssh or dport = :ssh' -p ssh
same p-service-range 12 \
    '( sport >= :ssh and sport <= :9002 ) or ( dport >= :ssh and dport <= :9002 )' \
    -p ssh-9002

# start_hold NAME PORT [ENV...]: one more sockhold (three sockets on
# 127.0.0.1:PORT) in the namespace, with ENV, stopped by cleanup.
start_hold()
{
	local name=$1 port=$2 out=$TMP/sockhold-$1

	shift 2
	inS env "$@" "$SOCKHOLD" "filter-$name" "$port" >"$out" 2>&1 &
	HOLDS="$HOLDS $!"
	wait_until -t 10 "sockhold $name" grep -qs '^ready ' "$out" ||
	    fail "sockhold $name did not get ready: $(cat "$out")"
	HOLDS="$HOLDS $(awk '/^ready /{ print $2 }' "$out")"
}

# fwmark: sockhold's third pair on 2323 with SO_MARK 0x2a (the accepted
# socket inherits it); every other socket has mark 0, the timewait ones
# too, whose mark the kernel's bytecode sees and no attribute reports.
start_hold mark 2323 SOCKHOLD_MARK=0x2a
same fwmark 3 'fwmark = 0x2a'
same fwmark-mask 3 'fwmark = 0xa/0xf'
same fwmark-mask-none 0 'fwmark = 0x2a/0xf'
same fwmark-ne 26 'fwmark != 0x2a'
same fwmark-zero 26 'fwmark 0 and not dport = :9999'
same fwmark-or 7 'fwmark 0x2a or sport = :9001'

# Without CAP_NET_ADMIN the kernel takes no mark condition: one line
# that says so, no report.
out=$TMP/fwmark-noadmin
timeout 30 ip netns exec "$NS_S" setpriv --bounding-set=-net_admin \
    --inh-caps=-net_admin "$TCPTOP" -b -n 1 --json -f 'fwmark 0x2a' \
    >"$out.json" 2>"$out.err"
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$out.err")" -eq 1 ] &&
    [ ! -s "$out.json" ] &&
    grep -q 'fwmark needs root (CAP_NET_ADMIN)' "$out.err"; then
	ok "[fwmark-noadmin] without CAP_NET_ADMIN: exit $rc, one line"
else
	bad "[fwmark-noadmin] exit $rc: $(head -c 300 "$out.err")"
fi

# cgroup PATH: a fourth pair on 2424 made by a process moved first into
# a new cgroup below the cgroup2 mount (a socket keeps the cgroup of the
# process that made it); absolute and mount-relative paths, as ss.
# ip netns exec mounts a sysfs of its own, which hides a cgroup2 mount
# below /sys: tcptop and ss join only the network namespace here.
CGMNT=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
if [ -z "$CGMNT" ]; then
	echo "SKIP cgroup checks: no cgroup2 mount"
else
	CGNAME=tcptop-filter-$$
	mkdir "$CGMNT/$CGNAME" || fail "cannot make $CGMNT/$CGNAME"
	CGDIR=$CGMNT/$CGNAME
	INNS=(nsenter --net="/run/netns/$NS_S")
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh \
	    "$CGDIR" "${INNS[@]}" "$SOCKHOLD" filter-cgroup 2424 \
	    >"$TMP/sockhold-cg" 2>&1 &
	HOLDS="$HOLDS $!"
	wait_until -t 10 "sockhold in $CGNAME" grep -qs '^ready ' \
	    "$TMP/sockhold-cg" ||
	    fail "sockhold in $CGNAME did not get ready: $(cat \
	    "$TMP/sockhold-cg")"
	HOLDS="$HOLDS $(awk '/^ready /{ print $2 }' "$TMP/sockhold-cg")"
	same cgroup-abs 3 "cgroup $CGDIR"
	same cgroup-rel 3 "cgroup /$CGNAME"
	same cgroup-ne 29 "cgroup != /$CGNAME"
	same cgroup-or 7 "cgroup /$CGNAME or sport = :9001"
	same cgroup-and-mark 0 "cgroup /$CGNAME and fwmark 0x2a"
fi

summary filter-ss
