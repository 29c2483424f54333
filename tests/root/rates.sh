#!/bin/bash
#
# rates: throughput averaged over 2, 10 and 40 s, against a known rate,
# in a private network namespace, and the header's totals through tmux.
#
# tests/helpers/pacesock sends on the namespace's loopback at steady
# rates: 200000 B/s on port 9201 and 60000 B/s on 9202, RATE/10 bytes
# every 100 ms.  After 13 refreshes a second apart, each connection's
# throughput_tx_* (the sender) and throughput_rx_* (the receiver) must
# be within 30% of its rate (the machine is loaded), and on every
# refresh the JSON totals must equal the sum of the rows.  Then in tmux
# at 80x24 the header shows the 10 s totals, within 30% of 260000 B/s,
# at 120x40 the three spans, and the detail view (Enter) sparklines of
# the selected connection's throughput and RTT.
#
# Nothing waits by a bare sleep.  Environment: TCPTOP, PACESOCK.  Exit 0
# pass, 1 fail, 77 skip (a failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
PACESOCK=${PACESOCK:-$(dirname "$TCPTOP")/tests/helpers/pacesock}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

require_root "a network namespace"
require ip jq tmux awk
require_bin TCPTOP PACESOCK
TCPTOP=$(abspath "$TCPTOP")
PACESOCK=$(abspath "$PACESOCK")

PIDS=

cleanup()
{
	tmux_stop
	stop_pids $PIDS
	netns_cleanup
}

test_tmpdir tcptop-rates
tmux_init rates rates
netns_lone tcptop-rates

ip netns exec "$NS_S" "$PACESOCK" 9201 200000 9202 60000 \
    >"$TMP/pace.out" 2>&1 &
PIDS="$PIDS $!"
wait_until -t 10 "pacesock" grep -qx ready "$TMP/pace.out" ||
    fail "pacesock not ready: $(cat "$TMP/pace.out")"

# near GOT WANT: GOT within 30% of WANT.
near()
{
	awk -v g="$1" -v w="$2" 'BEGIN { exit !(g != "" && g + 0 >= 0.7 * w &&
	    g + 0 <= 1.3 * w) }'
}

# 1. The rows' averages against the known rates; the totals against the
# rows, on every refresh.
inS "$TCPTOP" --no-trace --json -d 1 -n 13 >"$TMP/rates.json" ||
    fail "tcptop --json"
[ "$(wc -l <"$TMP/rates.json")" -eq 13 ] ||
    fail "want 13 refreshes, got $(wc -l <"$TMP/rates.json")"
last=$(tail -n 1 "$TMP/rates.json")
for p in 9201:200000 9202:60000; do
	port=${p%:*} want=${p#*:}
	for s in "" _10s _40s; do
		tx=$(jq -r --argjson p "$port" '.connections[] |
		    select(.remote_port == $p) | .throughput_tx'"$s" \
		    <<<"$last")
		rx=$(jq -r --argjson p "$port" '.connections[] |
		    select(.local_port == $p and .state == "ESTABLISHED") |
		    .throughput_rx'"$s" <<<"$last")
		near "$tx" "$want" ||
		    bad "port $port throughput_tx$s $tx, sent at $want B/s"
		near "$rx" "$want" ||
		    bad "port $port throughput_rx$s $rx, sent at $want B/s"
		echo "port $port at $want B/s: tx$s $tx, rx$s $rx"
	done
done
n=0
while read -r line; do
	n=$((n + 1))
	sums=$(jq -c '.connections as $c | [($c | map(.throughput_tx // 0) |
	    add), ($c | map(.throughput_rx // 0) | add),
	    ($c | map(.throughput_tx_10s // 0) | add),
	    ($c | map(.throughput_rx_10s // 0) | add),
	    ($c | map(.throughput_tx_40s // 0) | add),
	    ($c | map(.throughput_rx_40s // 0) | add),
	    ($c | map(select(.throughput_tx != null)) | length)]' <<<"$line")
	tot=$(jq -c '.throughput | [.tx_2s, .rx_2s, .tx_10s, .rx_10s,
	    .tx_40s, .rx_40s, .rows]' <<<"$line")
	[ "$sums" = "$tot" ] ||
	    bad "refresh $n: totals $tot, rows sum to $sums"
done <"$TMP/rates.json"
echo "totals of the last refresh: $(jq -c .throughput <<<"$last")"
near "$(jq .throughput.tx_10s <<<"$last")" 260000 ||
    bad "total tx_10s $(jq .throughput.tx_10s <<<"$last"), want 260000"

# 2. The header at 80x24: the 10 s totals; at 120x40: the three spans.
# rate_of TEXT: a rate as unit.c writes it (K = 1024) in B/s.
rate_of()
{
	awk -v t="$1" 'BEGIN { m = 1; u = substr(t, length(t) - 2, 1)
	    if (u == "K") m = 1024; else if (u == "M") m = 1048576
	    else if (u == "G") m = 1073741824
	    printf "%d", (t + 0) * m }'
}
tmux_start 80 24 "ip netns exec $NS_S env -i PATH=$PATH HOME=$TMP \
    XDG_CONFIG_HOME=$TMP/cfg TERM=tmux-256color LANG=C.UTF-8 \
    $TCPTOP --no-trace -d 0.5; echo EXIT=\$?; cat" ||
    fail "tmux new-session"
# The 10 s averages of a tcptop just started are the mean since it
# first saw the rows: near the rate from the second refresh on.
totals_near()
{
	local t r
	capture || return 1
	t=$(grep -oE -m1 '10s tx [0-9.]+[KMG]?B?/s' "$SCREEN" | awk '{print $3}')
	r=$(grep -oE -m1 '10s tx [^ ]+ rx [0-9.]+[KMG]?B?/s' "$SCREEN" |
	    awk '{print $5}')
	[ -n "$t" ] && [ -n "$r" ] &&
	    near "$(rate_of "$t")" 260000 && near "$(rate_of "$r")" 260000
}
screen_until -t 20 "the header's 10 s totals near 260000 B/s" totals_near ||
    bad "header totals at 80x24: $(grep -oE '10s tx .{0,30}' "$SCREEN")"
echo "80x24: $(grep -oE '10s tx [^ ]+ rx [^ ]+' "$SCREEN")"
"${T[@]}" resize-window -t "$TMUX_SESSION" -x 120 -y 40 ||
    fail "tmux resize-window"
wait_screen '2/10/40s tx [0-9.]+[KMG]?/s [0-9.]+[KMG]?/s [0-9.]+[KMG]?/s rx ' 10 ||
    bad "no 2/10/40 s totals at 120x40"
echo "120x40: $(grep -oE '2/10/40s tx .{0,50}' "$SCREEN")"

# 3. The detail view at 80x24: the selected connection's sparklines,
# block characters, a cell a refresh, its newest value and the largest.
"${T[@]}" resize-window -t "$TMUX_SESSION" -x 80 -y 24 ||
    fail "tmux resize-window"
wait_gone '2/10/40s' 10 || bad "the 120-column totals stayed at 80x24"
keys Enter
spark='[▁▂▃▄▅▆▇█]{3,}'
# The selected row sends or receives (its other way is 0, blank).
wait_screen "(Sent|Received) 2s +$spark  now [0-9.]+[KMG]?B?/s, max " 20 ||
    bad "no sparkline of the bytes sent or received in the detail view"
grep -Eq "^ Sent 2s .* now " "$SCREEN" &&
    grep -Eq "^ Received 2s .* now " "$SCREEN" ||
    bad "the detail view lacks the sent or the received line"
wait_screen "RTT +$spark  now [0-9.]+(us|ms), max " 10 ||
    bad "no RTT sparkline in the detail view"
grep -E '^ (Sent 2s|Received|RTT) ' "$SCREEN"
[ "$(wc -L <"$SCREEN")" -le 80 ] || bad "a line wider than 80"
keys Escape
wait_screen 'LOCAL.*REMOTE' 10 || bad "Esc did not go back to the list"
keys q
wait_screen '^EXIT=0' || bad "tcptop did not exit 0 on q"

[ "$FAILED" -eq 0 ] || fail "$FAILED check(s) failed"
echo PASS
