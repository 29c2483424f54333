#!/bin/bash
#
# kill: tcptop -b --kill destroys exactly the sockets its filter matches,
# as ss in the namespace confirms; without --yes it lists what would go
# and destroys nothing; nothing without a filter or without the
# privilege; and the operator's own SSH session is spared, and said to
# be, unless --kill-own-session asks for it.
#
# In the private namespaces of lib-netns.sh, nsholder holds NS_N sockets
# (default 2) of each TCP state per family, ESTABLISHED ones on port
# 9004; three more ESTABLISHED connections go from S to a tcpcycle server
# in P on port 9100, held by a shell's descriptors, and three from P to
# a server in S on port 22, the SSH sessions: tcptop runs with
# SSH_CONNECTION describing one of them, as sshd sets it, so the real
# matching (src/ssh.c) finds it.  Each step compares ss -tanH in S
# before and after.
#
# Environment: TCPTOP, NSHOLDER, TCPCYCLE, NS_N.  Exit 0 pass, 1 fail,
# 77 skip (a failure under CI=true).

set -u
export LC_ALL=C

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
TCPCYCLE=${TCPCYCLE:-$(dirname "$NSHOLDER")/tcpcycle}
N=${NS_N:-2}
PORT=9100	# the extra connections; nsholder uses 9001 to 9010
SSHD=22		# the SSH sessions' server in S
# Only the session a step describes: never the one running the test.
unset SSH_CONNECTION

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"

netns_require setpriv
require_bin TCPTOP TCPCYCLE


cleanup()
{
	netns_cleanup
}

test_tmpdir tcptop-kill

netns_setup tcptop-kill
netns_hold "$N"

netns_connect "$PORT"
netns_sessions "$SSHD"
OWN=$(echo $SESSION_PORTS | cut -d' ' -f1)
SSHC="$P_ADDR4 $OWN $S_ADDR4 $SSHD"
[ "$(netns_sockets | grep -c "^ESTAB .*:$PORT\$")" -eq 3 ] ||
    fail "the connections to :$PORT are not ESTABLISHED: $(netns_sockets)"
[ "$(netns_port_count 9004)" -eq $((2 * N)) ] ||
    fail "nsholder's ESTABLISHED on 9004: $(netns_port_count 9004)," \
    "not $((2 * N))"

netns_sockets >"$TMP/before"

# only_gone PORT WHAT: WHAT left no socket to PORT, and every other one
# in $TMP/before.
only_gone()
{
	netns_port_has "$1" 0 || fail "$2: still there: $(netns_sockets)"
	grep -v -- ":$1\$" "$TMP/before" >"$TMP/before.rest"
	netns_sockets >"$TMP/now"
	cmp -s "$TMP/before.rest" "$TMP/now" ||
	    fail "$2 touched other sockets:" \
	    "$(diff "$TMP/before.rest" "$TMP/now")"
}

# run EXPECTED_STATUS NAME CMD...: run in S, output in $TMP/NAME.
run()
{
	local want=$1 name=$2 rc

	shift 2
	inS "$@" >"$TMP/$name" 2>"$TMP/$name.err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$name: exit status $rc, not $want;" \
	    "stdout: $(cat "$TMP/$name"); stderr: $(cat "$TMP/$name.err")"
}

unchanged()
{
	netns_sockets >"$TMP/now"
	cmp -s "$TMP/before" "$TMP/now" ||
	    fail "$1 changed the sockets: $(diff "$TMP/before" "$TMP/now")"
}

# --- refused: nothing happens -------------------------------------------

# Without --yes: the list, as --yes would print it, with a count, and
# nothing destroyed; exit status 2 and one line naming --yes.
run 2 noyes "$TCPTOP" -b --kill -p "$PORT"
grep -q -- "--yes" "$TMP/noyes.err" ||
    fail "without --yes, no reason naming --yes: $(cat "$TMP/noyes.err")"
[ "$(wc -l <"$TMP/noyes.err")" -eq 1 ] || fail "not one line: noyes.err"
[ "$(grep -c "^ipv4 .* ESTABLISHED would be destroyed\$" "$TMP/noyes")" \
    -eq 3 ] || fail "without --yes, not three rows: $(cat "$TMP/noyes")"
awk '$1 == "ipv4" { print "ESTAB", $2, $3 }' "$TMP/noyes" | sort \
    >"$TMP/noyes.listed"
grep -- ":$PORT\$" "$TMP/before" >"$TMP/noyes.want"
cmp -s "$TMP/noyes.listed" "$TMP/noyes.want" ||
    fail "without --yes, other rows than ss has:" \
    "$(diff "$TMP/noyes.want" "$TMP/noyes.listed")"
grep -q "^3 matched: 3 would be destroyed; nothing destroyed without" \
    "$TMP/noyes" || fail "without --yes, no count: $(cat "$TMP/noyes")"
unchanged "--kill without --yes"
run 2 noyesjson "$TCPTOP" --json --kill -p "$PORT"
grep -q '"preview": true, ' "$TMP/noyesjson" &&
    [ "$(grep -o '"result": "would be destroyed"' "$TMP/noyesjson" |
    wc -l)" -eq 3 ] &&
    grep -q '"matched": 3, "destroyed": 0, "failed": 0, "spared": 0, "changed": 0, "peers_local": 0}' \
    "$TMP/noyesjson" || fail "JSON without --yes: $(cat "$TMP/noyesjson")"
unchanged "--json --kill without --yes"
run 2 ownalone "$TCPTOP" -b --kill-own-session -p "$SSHD"
grep -q -- "needs --kill" "$TMP/ownalone.err" ||
    fail "--kill-own-session alone: $(cat "$TMP/ownalone.err")"
unchanged "--kill-own-session without --kill"

run 2 nofilter "$TCPTOP" -b --kill --yes
grep -q "filter" "$TMP/nofilter.err" ||
    fail "without a filter, no reason: $(cat "$TMP/nofilter.err")"
unchanged "--kill without a filter"
run 2 nofilter46 "$TCPTOP" -b --kill --yes -4
unchanged "--kill with -4 only"

# --- unprivileged: the reason, status 1, nothing removed ----------------

run 1 nobody setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --inh-caps=-all --bounding-set=-all "$TCPTOP" -b --kill --yes \
    -p "$PORT"
[ "$(grep -c "ESTABLISHED needs CAP_NET_ADMIN: run as root\$" \
    "$TMP/nobody")" -eq 3 ] ||
    fail "unprivileged: not three permission reasons: $(cat "$TMP/nobody")"
grep -q "0 destroyed, 3 failed: needs CAP_NET_ADMIN" "$TMP/nobody" ||
    fail "unprivileged: no summary: $(cat "$TMP/nobody")"
unchanged "an unprivileged --kill"

# --- the filter's sockets go, the others stay ---------------------------

run 0 port "$TCPTOP" -b --kill --yes -p "$PORT"
[ "$(grep -c " ok\$" "$TMP/port")" -eq 3 ] ||
    fail "-p $PORT: not three ok lines: $(cat "$TMP/port")"
grep -q "^3 matched: 3 destroyed\$" "$TMP/port" ||
    fail "-p $PORT: no summary: $(cat "$TMP/port")"
# Exactly the three listed, as ss listed them.
awk '$1 == "ipv4" { print "ESTAB", $2, $3 }' "$TMP/port" | sort \
    >"$TMP/port.listed"
grep -- ":$PORT\$" "$TMP/before" >"$TMP/port.want"
cmp -s "$TMP/port.listed" "$TMP/port.want" ||
    fail "-p $PORT listed other sockets than ss had:" \
    "$(diff "$TMP/port.want" "$TMP/port.listed")"
only_gone "$PORT" "-p $PORT"

# Again: nothing matches any more, and that is no failure.
run 0 again "$TCPTOP" -b --kill --yes -p "$PORT"
grep -q "^0 matched: 0 destroyed\$" "$TMP/again" ||
    fail "second -p $PORT: $(cat "$TMP/again")"

# --- JSON, and a filter expression --------------------------------------

netns_sockets >"$TMP/before"
run 0 json "$TCPTOP" --json --kill --yes -f "dport = :9004"
[ "$(wc -l <"$TMP/json")" -eq 1 ] || fail "JSON: not one line"
[ "$(grep -o '"result": "ok"' "$TMP/json" | wc -l)" -eq $((2 * N)) ] ||
    fail "JSON: not $((2 * N)) ok results: $(cat "$TMP/json")"
grep -q "\"matched\": $((2 * N)), \"destroyed\": $((2 * N)), \"failed\": 0, \"spared\": 0, \"changed\": 0, \"peers_local\": 0}" "$TMP/json" ||
    fail "JSON: counts: $(cat "$TMP/json")"
grep -q '"remote_port": 9004, "state": "ESTABLISHED"' "$TMP/json" ||
    fail "JSON: no endpoints: $(cat "$TMP/json")"
only_gone 9004 "-f dport = :9004"

# --- your own SSH session: spared, and said to be ----------------------

# "--kill --yes -p 22 --state estab" over SSH: the other sessions go, the
# operator's own stays; the report, the count and stderr name it.
OWNROW="ipv4 $S_ADDR4:$SSHD $P_ADDR4:$OWN ESTABLISHED"
netns_sockets >"$TMP/before"
run 2 ownpreview env SSH_CONNECTION="$SSHC" "$TCPTOP" -b --kill \
    -p "$SSHD" --state estab
grep -q "^$OWNROW spared: your own SSH session\$" "$TMP/ownpreview" &&
    [ "$(grep -c " would be destroyed\$" "$TMP/ownpreview")" -eq 2 ] &&
    grep -q "^3 matched: 2 would be destroyed, 1 spared (your own SSH" \
    "$TMP/ownpreview" ||
    fail "the preview over SSH: $(cat "$TMP/ownpreview")"
unchanged "the preview over SSH"

run 0 own env SSH_CONNECTION="$SSHC" "$TCPTOP" -b --kill --yes \
    -p "$SSHD" --state estab
grep -q "^$OWNROW spared: your own SSH session\$" "$TMP/own" ||
    fail "over SSH: the own session not spared: $(cat "$TMP/own")"
[ "$(grep -c "^ipv4 $S_ADDR4:$SSHD .* ESTABLISHED ok\$" "$TMP/own")" -eq 2 ] ||
    fail "over SSH: not two ok: $(cat "$TMP/own")"
grep -q "^3 matched: 2 destroyed, 1 spared (your own SSH session)\$" \
    "$TMP/own" || fail "over SSH: no summary: $(cat "$TMP/own")"
grep -q "your own SSH session ($S_ADDR4:$SSHD from $P_ADDR4:$OWN) is" \
    "$TMP/own.err" && [ "$(wc -l <"$TMP/own.err")" -eq 1 ] ||
    fail "over SSH: stderr does not name it: $(cat "$TMP/own.err")"
# ss: of the three sessions, exactly the own one is left.
grep -v "^ESTAB $S_ADDR4:$SSHD " "$TMP/before" >"$TMP/own.want"
echo "ESTAB $S_ADDR4:$SSHD $P_ADDR4:$OWN" >>"$TMP/own.want"
sort -o "$TMP/own.want" "$TMP/own.want"
netns_sockets >"$TMP/now"
cmp -s "$TMP/own.want" "$TMP/now" ||
    fail "over SSH, not exactly the others went:" \
    "$(diff "$TMP/own.want" "$TMP/now")"

# -N naming tcptop's own namespace is still its own: the session is
# found there and spared (a preview: nothing is tried either way).
run 2 ownnetns env SSH_CONNECTION="$SSHC" "$TCPTOP" -b --kill -N "$NS_S" \
    -p "$SSHD" --state estab
grep -q "^$OWNROW spared: your own SSH session\$" "$TMP/ownnetns" &&
    grep -q "^1 matched: 0 would be destroyed, 1 spared" "$TMP/ownnetns" ||
    fail "-N of its own namespace: $(cat "$TMP/ownnetns")"

# JSON says so too; again nothing goes.
netns_sockets >"$TMP/before"
run 0 ownjson env SSH_CONNECTION="$SSHC" "$TCPTOP" --json --kill --yes \
    -p "$SSHD" --state estab
grep -q "\"remote_port\": $OWN, \"state\": \"ESTABLISHED\", \"cookie\": \"[0-9]*\", \"own_session\": true, \"peer_local\": false, \"result\": \"spared: your own SSH session\"}" \
    "$TMP/ownjson" &&
    grep -q '"matched": 1, "destroyed": 0, "failed": 0, "spared": 1, "changed": 0, "peers_local": 0}' \
    "$TMP/ownjson" || fail "JSON over SSH: $(cat "$TMP/ownjson")"
unchanged "a second --kill over SSH"

# --kill-own-session asks for it: it goes.
run 0 ownkill env SSH_CONNECTION="$SSHC" "$TCPTOP" -b --kill --yes \
    --kill-own-session -p "$SSHD" --state estab
grep -q "^$OWNROW ok\$" "$TMP/ownkill" &&
    grep -q "^1 matched: 1 destroyed\$" "$TMP/ownkill" ||
    fail "--kill-own-session: $(cat "$TMP/ownkill")"
[ -s "$TMP/ownkill.err" ] && fail "--kill-own-session: stderr:" \
    "$(cat "$TMP/ownkill.err")"
grep -v "^ESTAB $S_ADDR4:$SSHD " "$TMP/before" >"$TMP/ownkill.want"
netns_sockets >"$TMP/now"
cmp -s "$TMP/ownkill.want" "$TMP/now" ||
    fail "--kill-own-session: $(diff "$TMP/ownkill.want" "$TMP/now")"

# --- under sudo: no SSH_CONNECTION, the session found by its sshd --------

# sudo drops SSH_CONNECTION: the session is then the connection an sshd
# above tcptop holds.  Here "sshd" is a copy of bash (its command name is
# sshd) holding one more connection to a server in P on $SUDOP, with
# tcptop its child: --kill --yes -p $SUDOP destroys the three others and
# spares the one its sshd holds.
SUDOP=9123
netns_pair sudo "$NS_P" "$P_ADDR4" "$NS_S" "$SUDOP"
await -t 10 "three connections to :$SUDOP" netns_port_has "$SUDOP" 3
cp "$(command -v bash)" "$TMP/sshd" || fail "cp bash"
# The trailing "exit" keeps bash from exec'ing tcptop in its place.
inS env -u SSH_CONNECTION "$TMP/sshd" -c '
    exec 3<>/dev/tcp/'"$P_ADDR4/$SUDOP"' || exit 9
    ss -tnpH state established "( dport = :'"$SUDOP"' )" |
	grep "pid=$$," | awk "{ print \$3 }" >"$0"
    "$1" -b --kill --yes -p '"$SUDOP"' --state estab
    exit $?' "$TMP/sudo.own" "$TCPTOP" >"$TMP/sudo" 2>"$TMP/sudo.err"
rc=$?
[ "$rc" -eq 0 ] || fail "under an sshd: exit $rc: $(cat "$TMP/sudo.err")"
SUDOOWN=$(cat "$TMP/sudo.own")
[ -n "$SUDOOWN" ] || fail "the sshd's own connection was not seen"
grep -q "^ipv4 $SUDOOWN $P_ADDR4:$SUDOP ESTABLISHED spared: your own SSH session\$" \
    "$TMP/sudo" &&
    grep -q "^4 matched: 3 destroyed, 1 spared (your own SSH session)\$" \
    "$TMP/sudo" || fail "under an sshd without SSH_CONNECTION: $(cat \
    "$TMP/sudo")"
ok "without SSH_CONNECTION, the connection its sshd holds is spared"
# The three others are gone; the sshd's own, closed when it exited, may
# linger in FIN-WAIT-2.
! netns_sockets | grep ":$SUDOP\$" | grep -v " $SUDOOWN " ||
    fail "under an sshd: left $(netns_sockets | grep ":$SUDOP\$")"

# --- minisockets and listeners: listed, each with its result -------------

# TIME_WAIT (9010) and request sockets (9001): this kernel destroys them,
# an older one says it cannot.  Never silent: one line each.
netns_sockets >"$TMP/before"
run_mini()
{
	inS "$TCPTOP" -b --kill --yes --state time-wait,syn-recv \
	    >"$TMP/mini" 2>"$TMP/mini.err"
}
run_mini
rc=$?
[ "$rc" -le 1 ] || fail "minisockets: exit status $rc: $(cat "$TMP/mini.err")"
[ "$(grep -cE "^ipv[46] .* (TIME_WAIT|SYN_RECV) " "$TMP/mini")" -eq \
    $((4 * N)) ] || fail "minisockets: not $((4 * N)) lines: $(cat "$TMP/mini")"
grep -E "^ipv[46] " "$TMP/mini" | grep -vE " (ok|this kernel cannot destroy.*)\$" &&
    fail "minisockets: unexpected results: $(cat "$TMP/mini")"
gone=$(grep -c " ok\$" "$TMP/mini")
left=$(netns_sockets | grep -cE "^(TIME-WAIT|SYN-RECV) ")
[ $((gone + left)) -eq $((4 * N)) ] ||
    fail "minisockets: $gone said ok but $left of $((4 * N)) remain"
[ "$rc" -eq $((gone == 4 * N ? 0 : 1)) ] ||
    fail "minisockets: exit status $rc with $gone of $((4 * N)) gone"

run 0 listen "$TCPTOP" -b --kill --yes --state listen -p 9001
[ "$(grep -c "^ipv[46] .* LISTEN .* ok\$" "$TMP/listen")" -eq $((2 * N)) ] ||
    fail "listeners: $(cat "$TMP/listen")"
[ "$(netns_sockets | grep "^LISTEN " | grep -vc " $S_ADDR4:$SSHD ")" -eq 0 ] ||
    fail "listeners still there: $(netns_sockets)"

echo "PASS: --kill removed exactly the matching sockets"
exit 0
