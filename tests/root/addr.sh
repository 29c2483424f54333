#!/bin/bash
#
# addr: addresses as ss prints them.  In a private pair of namespaces
# (S and P, tests/lib/lib-netns.sh) with the link-local addresses
# fe80::10 on S's tt0 and fe80::20 on P's tt1, tests/helpers/addrhold
# makes in S: a listener on [fe80::10%tt0]:7001, a dual-stack one on
# [::]:7002, a v6only one on [::]:7003 and a connection over link-local to
# P's [fe80::20%tt1]:7004; and in P: a connection to 7001 over
# link-local, two to 7002 (IPv6, and IPv4 through a v4-mapped address)
# and one to 7003.  Then:
#  - tcptop's text report (state, local, remote) must hold exactly the
#    rows `ss -tan` prints for those ports, "%scope" and "*" included,
#    and the number worked out by hand (so both going wrong alike fails);
#  - the JSON must say v6only true, false or null where the kernel says
#    it, and give the scope's interface name and index;
#  - on a tmux screen at 80x24, the list and the detail view (Enter) must
#    show the listeners as ss prints them.
# Nothing touches the host's network: addresses, neighbours and sockets
# live in the namespaces.
#
# Environment: TCPTOP (default ./tcptop), NSHOLDER (lib-netns.sh's
# check; default ./tests/helpers/nsholder), ADDRHOLD (default
# ./tests/helpers/addrhold).  Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
ADDRHOLD=${ADDRHOLD:-./tests/helpers/addrhold}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require jq tmux
require_bin TCPTOP ADDRHOLD

HOLDS=

cleanup()
{
	tmux_stop
	stop_pids $HOLDS
	netns_cleanup
}

test_tmpdir addr

netns_setup tcptop-addr

ip -n "$NS_S" addr add fe80::10/64 dev tt0 nodad ||
    fail "cannot add fe80::10 in $NS_S"
ip -n "$NS_P" addr add fe80::20/64 dev tt1 nodad ||
    fail "cannot add fe80::20 in $NS_P"
ip -n "$NS_S" neigh replace fe80::20 dev tt0 nud permanent \
    lladdr "$(inP cat /sys/class/net/tt1/address)" ||
    fail "cannot add the neighbour fe80::20"
ip -n "$NS_P" neigh replace fe80::10 dev tt1 nud permanent \
    lladdr "$(inS cat /sys/class/net/tt0/address)" ||
    fail "cannot add the neighbour fe80::10"
IFINDEX=$(inS cat /sys/class/net/tt0/ifindex) || fail "no tt0 in S"

# hold NS NAME SPEC...: start addrhold in NS, wait for "ready".
hold()
{
	local ns=$1 name=$2

	shift 2
	ip netns exec "$ns" "$ADDRHOLD" "$@" >"$TMP/$name" 2>&1 &
	HOLDS="$HOLDS $!"
	wait_until -t 20 "addrhold $name" grep -qs '^ready ' "$TMP/$name" ||
	    fail "addrhold $name did not get ready: $(cat "$TMP/$name")"
	# $! may be the shell that ran ip netns exec: its own pid too.
	HOLDS="$HOLDS $(awk '/^ready /{ print $2 }' "$TMP/$name")"
}

hold "$NS_P" p-listen l,fe80::20,7004,1,tt1
hold "$NS_S" s l,fe80::10,7001,1,tt0 l,::,7002,0 l,::,7003,1 \
    c,fe80::20,7004,0,tt0
hold "$NS_P" p-connect c,fe80::10,7001,0,tt1 c,fd00:77::1,7002,1 \
    c,::ffff:10.77.0.1,7002,0 c,fd00:77::1,7003,1

# "STATE LOCAL REMOTE" for the ports 7001-7004, from ss -tanH in S, with
# ss's state names turned into tcptop's.
ss_rows()
{
	inS ss -tanH | awk '
	BEGIN { m["ESTAB"] = "ESTABLISHED"; m["LISTEN"] = "LISTEN" }
	$4 ~ /:700[1-4]$/ || $5 ~ /:700[1-4]$/ {
		print (($1 in m) ? m[$1] : "?" $1), $4, $5
	}' | sort
}

tcptop_rows()
{
	inS "$TCPTOP" -b -n 1 --no-trace --columns state,local,remote \
	    -p 7001-7004 | awk 'NR > 2 && NF == 3 { print $1, $2, $3 }' | sort
}

# 3 listeners, the connection to P, and 4 accepted from P.
ss_complete() { [ "$(ss_rows | wc -l)" -eq 8 ]; }
await -t 20 "the 8 sockets in S" ss_complete

ss_rows >"$TMP/ss"
tcptop_rows >"$TMP/tcptop" || fail "tcptop -b failed"
echo "ss:"; cat "$TMP/ss"
if cmp -s "$TMP/ss" "$TMP/tcptop"; then
	ok "the text report has ss's rows"
else
	bad "the text report has ss's rows"
	diff "$TMP/ss" "$TMP/tcptop"
fi
check "8 rows" [ "$(wc -l <"$TMP/tcptop")" -eq 8 ]
has_row() { grep -qxF "$1" "$TMP/tcptop"; }
check "link-local listener with its scope" \
    has_row "LISTEN [fe80::10]%tt0:7001 [::]:*"
check "dual-stack listener as *" has_row "LISTEN *:7002 *:*"
check "v6only listener as [::]" has_row "LISTEN [::]:7003 [::]:*"
check "link-local connection with its scope" \
    grep -qE "^ESTABLISHED \[fe80::10\]%tt0:[0-9]+ \[fe80::20\]:7004$" \
    "$TMP/tcptop"
check "IPv4 on the dual-stack listener" \
    grep -qE "^ESTABLISHED \[::ffff:10.77.0.1\]:7002 \[::ffff:10.77.0.2\]:[0-9]+$" \
    "$TMP/tcptop"

inS "$TCPTOP" --json -n 1 --no-trace -p 7001-7004 >"$TMP/json" ||
    fail "tcptop --json failed"
# jq_is FILTER WANT: the connections' FILTER output, sorted, is WANT.
jq_is()
{
	local got

	got=$(jq -r ".connections[] | $1" "$TMP/json" | sort | paste -sd' ')
	[ "$got" = "$2" ] || { echo "jq '$1': '$got', want '$2'"; return 1; }
}
check "JSON v6only of the listeners" jq_is \
    'select(.state == "LISTEN") | "\(.local_port)=\(.v6only)"' \
    "7001=true 7002=false 7003=true"
check "JSON v6only null where the kernel does not say" jq_is \
    'select(.state != "LISTEN") | .v6only' "null null null null null"
check "JSON interface of the scoped sockets" jq_is \
    'select(.interface != null) | "\(.local_port)=\(.interface)/\(.ifindex)"' \
    "$(inS ss -tanH | awk -v i="$IFINDEX" '$4 ~ /%tt0:/ {
	    sub(/.*:/, "", $4); print $4 "=tt0/" i }' | sort | paste -sd' ')"
check "JSON interface null when unbound" jq_is \
    'select(.local_port == 7002 or .local_port == 7003) |
    "\(.interface)/\(.ifindex)"' "null/null null/null null/null null/null null/null"
check "JSON local_addr stays the address" jq_is \
    'select(.local_port == 7001 and .state == "LISTEN") | .local_addr' \
    "fe80::10"

# The screen at 80x24: the three listeners in the list as ss prints
# them (with room for the whole address: the default columns narrow it,
# with an ellipsis), and the selected one's endpoints in the detail view
# (Enter).
tmux_init addr
tmux_start 80 24 "ip netns exec $NS_S env -i PATH=$PATH HOME=$TMP \
    TERM=tmux-256color LANG=C.UTF-8 $TCPTOP --no-trace -d 0.5 \
    --columns local,remote,state --state LISTEN -p 7001-7003; \
    echo EXIT=\$?; cat" ||
    fail "tmux new-session"
check "the list shows the scope" wait_screen ' \[fe80::10\]%tt0:7001 +\[::\]:\* ' 20
check "the list shows a dual-stack listener as *" shows ' \*:7002 +\*:\* '
check "the list shows a v6only listener as [::]" \
    shows ' \[::\]:7003 +\[::\]:\* '
keys Enter
check "the detail view shows the endpoints as ss" wait_screen \
    'Connection +(\[fe80::10\]%tt0:7001 .*\[::\]:\*|\*:7002 .*\*:\*|\[::\]:7003 .*\[::\]:\*) +\(IPv6\)' 10
keys q
tmux_stop

summary addr
