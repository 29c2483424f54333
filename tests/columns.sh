#!/bin/bash
#
# columns: the tcp_info columns against the kernel's own answer, in a
# private network namespace, and the column chooser through tmux.
#
# tests/colsock holds, on the namespace's loopback: a connection over
# which a known byte count went (tcptop's bytes_acked and bytes_received
# must equal ss -tinH's for the same socket), a connection that keeps
# sending (throughput null on the first refresh, above 0 on the second)
# and a listener with listen(fd, 5) and 3 connections never accepted
# (accept_fill_pct equal to ss -ltnH's Recv-Q / Send-Q, 60%).  Then, in
# tmux at 80x24: F2 opens the chooser, showing cwnd puts CWND in the
# list's titles, and after q the tcptoprc of a private XDG_CONFIG_HOME
# holds it.
#
# Nothing waits by a bare sleep: each wait polls a condition against a
# deadline.  tcptop runs with --no-trace: the tracepoint other root tests
# use is left alone.  Environment: TCPTOP, COLSOCK.  Exit 0 pass, 1
# fail, 77 skip (a failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
COLSOCK=${COLSOCK:-$(dirname "$TCPTOP")/tests/colsock}

skip()
{
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI=true, would skip): $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root for a network namespace"
for cmd in ip ss jq tmux; do
	command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not installed"
done
for bin in "$TCPTOP" "$COLSOCK"; do
	[ -x "$bin" ] || fail "no $(basename "$bin") at $bin (set TCPTOP," \
	    "COLSOCK)"
done
abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
TCPTOP=$(abspath "$TCPTOP")
COLSOCK=$(abspath "$COLSOCK")

NS=
TMP=
PIDS=
T=(tmux -L "tcptop-cols-$$" -f /dev/null)
TMUX_UP=

cleanup()
{
	local p

	[ -n "$TMUX_UP" ] && "${T[@]}" kill-server 2>/dev/null
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT

TMP=$(mktemp -d) || fail "mktemp"
NS=tcptop-cols-$$-$RANDOM
if ! ip netns add "$NS" 2>/dev/null; then
	NS=
	skip "cannot create network namespaces here"
fi
ip -n "$NS" link set lo up || fail "lo up in $NS"
inNS() { ip netns exec "$NS" "$@"; }

now_us() { echo "${EPOCHREALTIME/[.,]/}"; }

# poll SECONDS CMD...: until CMD succeeds, or fail after SECONDS.
poll()
{
	local deadline=$(($(now_us) + $1 * 1000000))
	shift
	until "$@"; do
		[ "$(now_us)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# sock NAME ARGS...: start colsock ARGS in the namespace and wait until
# it says ready.
sock()
{
	local name=$1
	shift
	: >"$TMP/$name.out"
	# Not through inNS, a function: $! must be colsock itself.
	ip netns exec "$NS" "$COLSOCK" "$@" >"$TMP/$name.out" 2>&1 &
	PIDS="$PIDS $!"
	poll 10 grep -qx ready "$TMP/$name.out" ||
	    fail "colsock $* not ready: $(cat "$TMP/$name.out")"
}

# ss_field FILTER FIELD: FIELD's value in ss -tinH's line for FILTER.
ss_field()
{
	inNS ss -tinH state established "$1" |
	    grep -oE "(^| )$2:[0-9]+" | head -n 1 | cut -d: -f2
}

json() { inNS "$TCPTOP" --no-trace --json "$@"; }

errors=0
bad() { echo "  FAIL: $*"; errors=$((errors + 1)); }

# 1. bytes_acked and bytes_received equal ss's for the same socket.
N=300007
sock hold hold 9101 "$N"
settled()
{
	local r a
	r=$(ss_field '( sport = :9101 )' bytes_received)
	a=$(ss_field '( dport = :9101 )' bytes_acked)
	[ -n "$r" ] && [ -n "$a" ] && [ "$r" -ge "$N" ] && [ "$a" -ge "$N" ]
}
poll 10 settled || fail "ss never saw the $N bytes on port 9101"
ss_rcvd=$(ss_field '( sport = :9101 )' bytes_received)
ss_acked=$(ss_field '( dport = :9101 )' bytes_acked)
line=$(json -n 1 -p 9101) || fail "tcptop --json -p 9101"
got_rcvd=$(jq -r '.connections[] | select(.local_port == 9101 and
    .state == "ESTABLISHED") | .bytes_received' <<<"$line")
got_acked=$(jq -r '.connections[] | select(.remote_port == 9101) |
    .bytes_acked' <<<"$line")
[ "$got_rcvd" = "$ss_rcvd" ] ||
    bad "bytes_received: tcptop '$got_rcvd', ss '$ss_rcvd'"
[ "$got_acked" = "$ss_acked" ] ||
    bad "bytes_acked: tcptop '$got_acked', ss '$ss_acked'"
echo "bytes: received $got_rcvd (ss $ss_rcvd), acked $got_acked" \
    "(ss $ss_acked), $N sent"

# 2. A sender that keeps sending: no rate on the first refresh, a rate
# above 0 on the second, on both ends.
sock stream stream 9102
json -n 2 -d 0.5 -p 9102 >"$TMP/stream.json" ||
    fail "tcptop --json -p 9102"
[ "$(wc -l <"$TMP/stream.json")" -eq 2 ] ||
    fail "want 2 refreshes: $(cat "$TMP/stream.json")"
first=$(sed -n 1p "$TMP/stream.json" | jq -c '[.connections[] |
    select(.state == "ESTABLISHED") | [.throughput_tx, .throughput_rx]]')
[ "$first" = '[[null,null],[null,null]]' ] ||
    bad "first refresh has rates: $first"
tx=$(sed -n 2p "$TMP/stream.json" | jq -r '.connections[] |
    select(.remote_port == 9102) | .throughput_tx')
rx=$(sed -n 2p "$TMP/stream.json" | jq -r '.connections[] |
    select(.local_port == 9102 and .state == "ESTABLISHED") |
    .throughput_rx')
[[ "$tx" =~ ^[0-9]+$ ]] && [ "$tx" -gt 0 ] ||
    bad "sender's throughput_tx '$tx' on the second refresh"
[[ "$rx" =~ ^[0-9]+$ ]] && [ "$rx" -gt 0 ] ||
    bad "receiver's throughput_rx '$rx' on the second refresh"
echo "throughput: tx $tx B/s, rx $rx B/s"

# 3. listen(fd, 5) with 3 connections never accepted: 60%, as ss says.
sock backlog backlog 9103 5 3
queued() { [ "$(inNS ss -ltnH '( sport = :9103 )' | awk '{print $2}')" = 3 ]; }
poll 10 queued || fail "ss never showed 3 connections queued on 9103"
read -r rq sq <<<"$(inNS ss -ltnH '( sport = :9103 )' | awk '{print $2, $3}')"
want=$(awk -v r="$rq" -v s="$sq" 'BEGIN { printf "%.1f", 100 * r / s }')
got=$(json -n 1 -p 9103 | jq -r '.connections[] |
    select(.state == "LISTEN") | "\(.recv_q) \(.send_q) \(.accept_fill_pct)"')
read -r grq gsq gpct <<<"$got"
[ "$grq $gsq" = "$rq $sq" ] && [ "$want" = 60.0 ] &&
    awk -v g="$gpct" -v w="$want" 'BEGIN { exit !(g + 0 == w + 0) }' ||
    bad "accept queue: tcptop '$got', ss '$rq $sq' ($want%)"
echo "accept queue: $got (ss Recv-Q $rq, Send-Q $sq)"

# 4. The chooser in tmux at 80x24; the choice lands in tcptoprc.
SCREEN=$TMP/screen
CFG=$TMP/cfg
mkdir -p "$CFG" "$TMP/home"
"${T[@]}" new-session -d -s cols -x 80 -y 24 "ip netns exec $NS env -i \
    PATH=$PATH HOME=$TMP/home XDG_CONFIG_HOME=$CFG TERM=tmux-256color \
    LANG=C.UTF-8 $TCPTOP --no-trace -d 0.3; echo EXIT=\$?; cat" ||
    fail "tmux new-session"
TMUX_UP=1
capture() { "${T[@]}" capture-pane -p -t cols >"$SCREEN"; }
shows() { capture && grep -Eq -- "$1" "$SCREEN"; }
titles() { capture && grep -m1 'LOCAL.*REMOTE' "$SCREEN"; }
keys() { "${T[@]}" send-keys -t cols "$@"; }
screen_fail()
{
	echo "  the screen:"
	sed 's/^/    | /' "$SCREEN"
	fail "$*"
}

poll 5 shows '[0-9]+ sockets?' || screen_fail "no frame"
titles | grep -q CWND && screen_fail "CWND shown before it was chosen"
keys F2
poll 5 shows 'Columns:' || screen_fail "F2 opened no chooser"
# The highlighted column's help stands alone under the list, after the
# box's border and a space; each Down is seen to move it before the next.
help_line() { grep -E -m1 '^. [[:alpha:]]' "$SCREEN"; }
moved() { capture && [ "$(help_line)" != "$prev" ]; }
capture
for ((i = 0; i < 40; i++)); do
	prev=$(help_line)
	[[ $prev == *"congestion window, segments"* ]] && break
	keys Down
	poll 2 moved || break
done
capture
help_line | grep -q "congestion window, segments" ||
    screen_fail "Down never reached cwnd"
keys Space
has_cwnd() { titles | grep -q CWND; }
poll 5 has_cwnd || screen_fail "CWND not in the titles after Space"
keys Enter
closed() { capture && ! grep -q 'Columns:' "$SCREEN"; }
poll 5 closed || screen_fail "Enter did not close the chooser"
has_cwnd || screen_fail "CWND gone from the titles after Enter"
keys q
poll 5 shows '^EXIT=0' || screen_fail "tcptop did not exit 0 on q"
grep -Eq '^columns=(.*,)?cwnd(,|$)' "$CFG/tcptop/tcptoprc" ||
    bad "tcptoprc lacks cwnd: $(grep columns "$CFG/tcptop/tcptoprc")"
echo "chooser: $(grep '^columns=' "$CFG/tcptop/tcptoprc")"

[ "$errors" -eq 0 ] || fail "$errors check(s) failed"
echo PASS
