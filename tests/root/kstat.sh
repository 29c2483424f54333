#!/bin/bash
#
# kstat: the kernel's TCP counters and the operator's SSH session,
# against the kernel's own answers, in a private network namespace.
#
# The namespace has only its loopback and nothing runs in it but this
# test, so its counters move only by what the test does:
#  1. after N connect/close cycles and one refused connect, tcptop's
#     "kernel" totals equal /proc/net/snmp and /proc/net/netstat read in
#     the namespace right after, and the opens and failures are exactly
#     those made;
#  2. between two refreshes, the deltas are exactly the connections made
#     in between, the first refresh has no rates, the second's rate is
#     the delta over the time between the refreshes;
#  3. with SSH_CONNECTION naming a real connection (to a dual-stack
#     listener, so the kernel shows it with IPv4-mapped addresses),
#     exactly that row has "ssh": true, and the session's rtt equals
#     ss -ti's within rounding; filtered out it is not in view, and a
#     malformed value is ignored; with -N NS from outside, the counters
#     are NS's and the session (tcptop's own namespace's) is not in view;
#  4. on screen at 80x24 (tmux), the header's second line has the rates
#     and the session's rtt, and exactly that row is marked @; a
#     cookie rate that is not 0 (tcp_syncookies=2 in the namespace) is in
#     the warning colour; at 40x12 the line keeps the first rates and the
#     session.
#
# Environment: TCPTOP, TCPCYCLE.  Exit 0 pass, 1 fail, 77 skip (a
# failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
TCPCYCLE=${TCPCYCLE:-./tests/helpers/tcpcycle}
N=5		# cycles before the first report
M=3		# cycles between two refreshes
PORT_CYCLE=7101
PORT_REFUSED=7102
PORT_DELTA=7103
PORT_SSH=7122

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

require_root "network namespaces"
require ip ss jq tmux awk
ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"
require_bin TCPTOP TCPCYCLE
TCPTOP=$(abspath "$TCPTOP")
TCPCYCLE=$(abspath "$TCPCYCLE")

SRV_PID=
CLI_PID=
BG_PID=

cleanup()
{
	tmux_stop
	stop_pids $BG_PID $CLI_PID $SRV_PID
	netns_cleanup
}

test_tmpdir tcptop-kstat
tmux_init kstat k
netns_lone tcptop-kstat

# "Name value" for every counter of the Tcp and TcpExt sections of the
# namespace, found by name (a names line, then its values line).
proc_counters()
{
	inS cat /proc/net/snmp /proc/net/netstat | awk '
	$1 == prev && $2 ~ /^-?[0-9]/ {
		if (prev == "Tcp:" || prev == "TcpExt:")
			for (i = 2; i <= NF; i++)
				print name[i], $i
		prev = ""
		next
	}
	{
		prev = $1
		for (i = 2; i <= NF; i++)
			name[i] = $i
	}'
}

# "Name total" of tcptop's report (one JSON line on stdin).
json_totals() { jq -r '.kernel | to_entries[] | "\(.key) \(.value.total)"'; }

# --- 1. totals equal the kernel's, opens exactly those made ---------------

inS "$TCPCYCLE" cycle 127.0.0.1 "$PORT_CYCLE" "$N" 0 ||
    fail "tcpcycle cycle"
inS "$TCPCYCLE" refused 127.0.0.1 "$PORT_REFUSED" || fail "tcpcycle refused"
inS "$TCPTOP" --json -n 1 >"$TMP/j1" 2>"$TMP/err" ||
    fail "tcptop --json: $(cat "$TMP/err")"
proc_counters >"$TMP/proc1"
json_totals <"$TMP/j1" >"$TMP/tcptop1"
[ "$(wc -l <"$TMP/tcptop1")" -eq 21 ] && ok ||
    bad "21 counters in \"kernel\", not $(wc -l <"$TMP/tcptop1")"
# same_totals TCPTOP PROC WHAT: every counter of the one as in the other.
same_totals()
{
	local name total want

	while read -r name total; do
		want=$(awk -v n="$name" '$1 == n { print $2 }' "$2")
		if [ "$total" = "$want" ]; then
			ok
		else
			bad "$3$name: tcptop $total, /proc/net says" \
			    "${want:-nothing}"
		fi
	done <"$1"
}
same_totals "$TMP/tcptop1" "$TMP/proc1" ""
total() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }
[ "$(total "$TMP/tcptop1" ActiveOpens)" -eq $((N + 1)) ] && ok ||
    bad "ActiveOpens $(total "$TMP/tcptop1" ActiveOpens), made $((N + 1))"
[ "$(total "$TMP/tcptop1" PassiveOpens)" -eq "$N" ] && ok ||
    bad "PassiveOpens $(total "$TMP/tcptop1" PassiveOpens), made $N"
[ "$(total "$TMP/tcptop1" AttemptFails)" -eq 1 ] && ok ||
    bad "AttemptFails $(total "$TMP/tcptop1" AttemptFails), made 1"
[ "$(total "$TMP/tcptop1" OutRsts)" -eq 1 ] && ok ||
    bad "OutRsts $(total "$TMP/tcptop1" OutRsts): one RST refused"
jq -e '[.kernel[].rate] | all(. == null)' "$TMP/j1" >/dev/null && ok ||
    bad "rates on the first refresh"

# --- 2. deltas between two refreshes --------------------------------------

lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
inS "$TCPTOP" --json -n 2 -d 3 >"$TMP/j2" 2>"$TMP/err2" &
BG_PID=$!
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }
wait_until -t 5 "the first refresh" has_lines "$TMP/j2" 1 ||
    fail "no first refresh within 5 s"
inS "$TCPCYCLE" cycle 127.0.0.1 "$PORT_DELTA" "$M" 0 || fail "tcpcycle cycle"
[ "$(lines "$TMP/j2")" -eq 1 ] ||
    fail "the cycles took longer than the delay: cannot tell the deltas"
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_until -t 10 "tcptop -n 2 to end" gone "$BG_PID" ||
    fail "tcptop -n 2 did not end"
wait "$BG_PID" || fail "tcptop -n 2: $(cat "$TMP/err2")"
BG_PID=
delta()
{
	jq -s -r --arg k "$1" '.[1].kernel[$k].total - .[0].kernel[$k].total' \
	    "$TMP/j2"
}
[ "$(delta ActiveOpens)" -eq "$M" ] && ok ||
    bad "ActiveOpens delta $(delta ActiveOpens), made $M"
[ "$(delta PassiveOpens)" -eq "$M" ] && ok ||
    bad "PassiveOpens delta $(delta PassiveOpens), made $M"
[ "$(delta AttemptFails)" -eq 0 ] && ok ||
    bad "AttemptFails delta $(delta AttemptFails), made 0"
[ "$(delta ListenOverflows)" -eq 0 ] && ok ||
    bad "ListenOverflows delta $(delta ListenOverflows)"
# The rate is the delta over the time between the dumps (the report's
# wall clock stands in for the monotonic one: a few ms apart at most).
jq -s -e --argjson m "$M" '(.[1].time - .[0].time) as $dt |
    (.[1].kernel.ActiveOpens.rate * $dt - $m) | fabs < 0.05' "$TMP/j2" \
    >/dev/null && ok ||
    bad "ActiveOpens rate $(jq -s '.[1].kernel.ActiveOpens.rate' \
    "$TMP/j2") is not $M over the refresh interval"
jq -s -e '.[1].kernel.CurrEstab.rate == null and
    .[1].kernel.PassiveOpens.rate > 0' "$TMP/j2" >/dev/null && ok ||
    bad "CurrEstab has a rate, or PassiveOpens none"

# --- 3. the SSH session ---------------------------------------------------

# A dual-stack listener: the IPv4 client's connection shows in the
# kernel as IPv6 with mapped addresses.  Its stdin, a FIFO it holds
# open for writing too, never ends nor has data: it serves until
# killed.  ip netns exec, bash and exec keep each one process, so the
# pids are theirs.
mkfifo "$TMP/fifo" || fail "mkfifo"
ip netns exec "$NS_S" "$TCPCYCLE" serve :: "$PORT_SSH" 0<>"$TMP/fifo" \
    >"$TMP/srv" &
SRV_PID=$!
said() { grep -qx "$2" "$1" 2>/dev/null; }
wait_until -t 5 "tcpcycle serve" said "$TMP/srv" ready ||
    fail "tcpcycle serve did not start"
ip netns exec "$NS_S" bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT_SSH"' &&
    echo connected && exec sleep 600' >"$TMP/cli" &
CLI_PID=$!
wait_until -t 5 "the client" said "$TMP/cli" connected ||
    fail "the client did not connect"
accepted()
{
	[ -n "$(inS ss -tnH state established "( sport = :$PORT_SSH )")" ]
}
wait_until -t 5 "the server end" accepted ||
    fail "the server end is not established"
CPORT=$(inS ss -tnH state established "( dport = :$PORT_SSH )" |
    awk '{ sub(/.*:/, "", $3); print $3 }')
[ -n "$CPORT" ] || fail "no client port"
SSH="127.0.0.1 $CPORT 127.0.0.1 $PORT_SSH"

SSH_CONNECTION=$SSH inS "$TCPTOP" --json -n 1 >"$TMP/j3" ||
    fail "tcptop with SSH_CONNECTION"
SS_RTT=$(inS ss -tiH state established "( sport = :$PORT_SSH )" |
    grep -o ' rtt:[0-9.]*' | cut -d: -f2)
jq -e --argjson s "$PORT_SSH" --argjson c "$CPORT" '
    [.connections[] | select(.ssh == true)] |
    length == 1 and .[0].local_port == $s and .[0].remote_port == $c and
    .[0].family == "ipv6" and .[0].local_addr == "::ffff:127.0.0.1"' \
    "$TMP/j3" >/dev/null && ok ||
    bad "not exactly the session's (mapped) row has \"ssh\": true:" \
    "$(jq -c '[.connections[] | select(.ssh) | [.local_port,
    .remote_port]]' "$TMP/j3")"
jq -e --arg l "127.0.0.1:$PORT_SSH" --arg r "127.0.0.1:$CPORT" '
    .ssh.in_view == true and .ssh.local == $l and .ssh.remote == $r and
    .ssh.retrans == 0' "$TMP/j3" >/dev/null && ok ||
    bad "ssh: $(jq -c .ssh "$TMP/j3")"
[ -n "$SS_RTT" ] || fail "ss -ti shows no rtt for the session"
jq -e --argjson ss "$SS_RTT" '(.ssh.rtt_ms - $ss) | fabs <= 0.0005' \
    "$TMP/j3" >/dev/null && ok ||
    bad "ssh rtt $(jq .ssh.rtt_ms "$TMP/j3") ms, ss says $SS_RTT ms"

# Filtered out: not in view; malformed: ignored.
SSH_CONNECTION=$SSH inS "$TCPTOP" --json -n 1 -p 1 >"$TMP/j4" ||
    fail "tcptop -p 1"
jq -e '.ssh.in_view == false and .ssh.rtt_ms == null and
    .ssh.retrans == null' "$TMP/j4" >/dev/null && ok ||
    bad "filtered out, ssh: $(jq -c .ssh "$TMP/j4")"
SSH_CONNECTION="127.0.0.1 $CPORT 127.0.0.1" inS "$TCPTOP" --json -n 1 \
    >"$TMP/j5" || fail "tcptop with a malformed SSH_CONNECTION"
jq -e '.ssh == null and ([.connections[] | select(.ssh)] | length == 0)' \
    "$TMP/j5" >/dev/null && ok || bad "a malformed SSH_CONNECTION was used"

# -N from tcptop's own namespace: the counters are the viewed
# namespace's, and the session (the 4-tuple is there) is not in view,
# as sshd's connection would be in the namespace tcptop started in.
SSH_CONNECTION=$SSH "$TCPTOP" -N "$NS_S" --json -n 1 >"$TMP/j6" ||
    fail "tcptop -N $NS_S"
proc_counters >"$TMP/proc6"
json_totals <"$TMP/j6" >"$TMP/tcptop6"
same_totals "$TMP/tcptop6" "$TMP/proc6" "-N: "
jq -e --argjson s "$PORT_SSH" '.ssh.in_view == false and
    ([.connections[] | select(.ssh)] | length == 0) and
    ([.connections[] | select(.local_port == $s and
    .state == "ESTABLISHED")] | length == 1)' "$TMP/j6" >/dev/null && ok ||
    bad "-N: the session's 4-tuple in another namespace was taken for it"

# --- 4. on screen, 80x24 --------------------------------------------------

tmux_start 80 24 \
    "$(printf '%q ' ip netns exec "$NS_S" env -i "PATH=$PATH" \
    "HOME=$TMP" TERM=tmux-256color LANG=C.UTF-8 "XDG_CONFIG_HOME=$TMP" \
    "SSH_CONNECTION=$SSH" "$TCPTOP" -d 0.5); exec sleep 600" ||
    fail "tmux new-session failed"
# As the header writes it, in the unit of every time (unit.c): whole
# microseconds under 1 ms, then three significant digits of ms.
RTT1=$(awk -v r="$SS_RTT" 'function trim(s) {
	if (s ~ /\./) { sub(/0+$/, "", s); sub(/\.$/, "", s) }
	return s
}
BEGIN {
	us = int(r * 1000 + 0.5)
	if (us < 1000) printf "%dus", us
	else if (us < 10000) printf "%sms", trim(sprintf("%.2f", us / 1000))
	else if (us < 100000) printf "%sms", trim(sprintf("%.1f", us / 1000))
	else printf "%.0fms", us / 1000
}')
shown()
{
	"${T[@]}" capture-pane -p -t k >"$SCREEN" || return 1
	sed -n 2p "$SCREEN" | grep -q "^tcp/s act [0-9.]" &&
	    sed -n 2p "$SCREEN" | grep -q "ssh rtt ${RTT1} retr 0 *$" &&
	    grep -q "^@.*:$PORT_SSH .*:$CPORT .*ESTABLISHED" "$SCREEN"
}
if wait_until -t 5 "the screen" shown; then
	ok
else
	bad "the screen lacks the rates, the session's rtt (${RTT1}) or" \
	    "its marked row:"
	sed 's/^/    |/' "$SCREEN"
fi
[ "$(grep -c '^@' "$SCREEN")" -eq 1 ] && ok ||
    bad "$(grep -c '^@' "$SCREEN") rows marked @, not 1"
[ "$(wc -L <"$SCREEN")" -le 80 ] && ok || bad "a line wider than 80"

# A rate that should be 0 and is not takes the warning colour: with
# syncookies always on (a sysctl of the namespace), each connection to
# the listener sends one.  Connect until a refresh shows it, with the
# colour changing right at "cookie" (capture -e: an SGR sequence just
# before it).
warned()
{
	"${T[@]}" capture-pane -e -p -t k | sed -n 2p |
	    grep -q $'\e\\[[0-9;]*mcookie [0-9.]*[1-9]'
}
# At 80 columns a cookie rate of 0 may give way to the throughput.
plain()
{
	local l
	l=$("${T[@]}" capture-pane -e -p -t k | sed -n 2p)
	[[ $l == *" cookie 0 "* || $l != *cookie* ]]
}
cookie_warned()
{
	ip netns exec "$NS_S" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_SSH" &&
	    warned
}
plain && ok || bad "cookie not 0, or coloured, before any cookie"
inS sysctl -qw net.ipv4.tcp_syncookies=2 || fail "tcp_syncookies in $NS_S"
if wait_until -t 5 "the cookie rate" cookie_warned; then
	ok
else
	bad "syncookies sent, but no cookie rate in the warning colour:"
	"${T[@]}" capture-pane -e -p -t k | sed -n 2p | cat -v
fi

# At 40x12 the session's part stays, the rates that are 0 give way.
"${T[@]}" resize-window -t k -x 40 -y 12
narrow()
{
	"${T[@]}" capture-pane -p -t k >"$SCREEN" || return 1
	sed -n 2p "$SCREEN" | grep -q "^tcp/s act [0-9.]* .*ssh rtt ${RTT1}" &&
	    [ "$(wc -L <"$SCREEN")" -le 40 ] &&
	    [ "$(grep -c '^@' "$SCREEN")" -le 1 ]
}
if wait_until -t 5 "the narrow screen" narrow; then
	ok
else
	bad "at 40x12, no rates and session on line 2, or too wide:"
	sed 's/^/    |/' "$SCREEN"
fi

summary kstat
