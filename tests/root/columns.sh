#!/bin/bash
#
# columns: the tcp_info columns against the kernel's own answer, in a
# private network namespace, and the column chooser through tmux.
#
# tests/helpers/colsock holds, on the namespace's loopback: a connection over
# which a known byte count went (tcptop's bytes_acked and bytes_received
# must equal ss -tinH's for the same socket), a connection that keeps
# sending (throughput null on the first refresh, above 0 on the second)
# and a listener with listen(fd, 5) and 3 connections never accepted
# (accept_fill_pct equal to ss -ltnH's Recv-Q / Send-Q, 60%).  Then, in
# tmux at 80x24: F2 opens the chooser, showing cwnd puts CWND in the
# list's titles (past the right edge at 80 columns: Right reaches it),
# and after q the tcptoprc of a private XDG_CONFIG_HOME
# holds it.
#
# Nothing waits by a bare sleep: each wait polls a condition against a
# deadline.  tcptop runs with --no-trace: the tracepoint other root tests
# use is left alone.  Environment: TCPTOP, COLSOCK.  Exit 0 pass, 1
# fail, 77 skip (a failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
COLSOCK=${COLSOCK:-$(dirname "$TCPTOP")/tests/helpers/colsock}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

require_root "a network namespace"
require ip ss jq tmux
require_bin TCPTOP COLSOCK
TCPTOP=$(abspath "$TCPTOP")
COLSOCK=$(abspath "$COLSOCK")

PIDS=

cleanup()
{
	tmux_stop
	stop_pids $PIDS
	netns_cleanup
}

test_tmpdir tcptop-cols
tmux_init cols cols
netns_lone tcptop-cols

# sock NAME ARGS...: start colsock ARGS in the namespace and wait until
# it says ready.
sock()
{
	local name=$1
	shift
	: >"$TMP/$name.out"
	# Not through inS, a function: $! must be colsock itself.
	ip netns exec "$NS_S" "$COLSOCK" "$@" >"$TMP/$name.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_until -t 10 "colsock $name" grep -qx ready "$TMP/$name.out" ||
	    fail "colsock $* not ready: $(cat "$TMP/$name.out")"
}

# ss_field FILTER FIELD: FIELD's value in ss -tinH's line for FILTER.
ss_field()
{
	inS ss -tinH state established "$1" |
	    grep -oE "(^| )$2:[0-9]+" | head -n 1 | cut -d: -f2
}

json() { inS "$TCPTOP" --no-trace --json "$@"; }

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
wait_until -t 10 "the bytes on 9101" settled ||
    fail "ss never saw the $N bytes on port 9101"
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
queued() { [ "$(inS ss -ltnH '( sport = :9103 )' | awk '{print $2}')" = 3 ]; }
wait_until -t 10 "the queue on 9103" queued ||
    fail "ss never showed 3 connections queued on 9103"
read -r rq sq <<<"$(inS ss -ltnH '( sport = :9103 )' | awk '{print $2, $3}')"
want=$(awk -v r="$rq" -v s="$sq" 'BEGIN { printf "%.1f", 100 * r / s }')
got=$(json -n 1 -p 9103 | jq -r '.connections[] |
    select(.state == "LISTEN") | "\(.recv_q) \(.send_q) \(.accept_fill_pct)"')
read -r grq gsq gpct <<<"$got"
[ "$grq $gsq" = "$rq $sq" ] && [ "$want" = 60.0 ] &&
    awk -v g="$gpct" -v w="$want" 'BEGIN { exit !(g + 0 == w + 0) }' ||
    bad "accept queue: tcptop '$got', ss '$rq $sq' ($want%)"
echo "accept queue: $got (ss Recv-Q $rq, Send-Q $sq)"

# 4. The chooser in tmux at 80x24; the choice lands in tcptoprc.
CFG=$TMP/cfg
mkdir -p "$CFG" "$TMP/home"
tmux_start 80 24 "ip netns exec $NS_S env -i \
    PATH=$PATH HOME=$TMP/home XDG_CONFIG_HOME=$CFG TERM=tmux-256color \
    LANG=C.UTF-8 $TCPTOP --no-trace -d 0.3; echo EXIT=\$?; cat" ||
    fail "tmux new-session"
titles() { capture && grep -m1 'LOCAL.*REMOTE' "$SCREEN"; }

wait_screen '[0-9]+ sockets?' || fail "no frame"
titles | grep -q CWND && fail "CWND shown before it was chosen"
keys F2
wait_screen 'Columns:' || fail "F2 opened no chooser"
# The highlighted column's help stands alone under the list, after the
# box's border and a space; each Down is seen to move it before the next.
help_line() { grep -E -m1 '^. [[:alpha:]]' "$SCREEN"; }
moved() { capture && [ "$(help_line)" != "$prev" ]; }
capture
for ((i = 0; i < 40; i++)); do
	prev=$(help_line)
	[[ $prev == *"congestion window, segments"* ]] && break
	keys Down
	wait_until -t 2 "the highlight to move" moved >/dev/null || break
done
capture
help_line | grep -q "congestion window, segments" ||
    fail "Down never reached cwnd"
keys Space
keys Enter
closed() { capture && ! grep -q 'Columns:' "$SCREEN"; }
screen_until "the chooser to close" closed ||
    fail "Enter did not close the chooser"
# A column asked for that does not fit at 80 goes past the right edge
# (">" on the titles); Right scrolls the columns until it shows.  The
# titles' first columns scroll away: look for CWND anywhere on screen.
has_cwnd() { capture && grep -q 'CWND' "$SCREEN"; }
for ((i = 0; i < 12; i++)); do
	has_cwnd && break
	keys Right
	wait_until -t 3 "CWND after Right" has_cwnd >/dev/null && break
done
has_cwnd || fail "CWND not reached by Right after Space and Enter"
echo "CWND reached after $i presses of Right"
keys q
wait_screen '^EXIT=0' || fail "tcptop did not exit 0 on q"
grep -Eq '^columns=(.*,)?cwnd(,|$)' "$CFG/tcptop/tcptoprc" ||
    bad "tcptoprc lacks cwnd: $(grep columns "$CFG/tcptop/tcptoprc")"
echo "chooser: $(grep '^columns=' "$CFG/tcptop/tcptoprc")"

[ "$FAILED" -eq 0 ] || fail "$FAILED check(s) failed"
echo PASS
