#!/bin/bash
#
# events-ui: the interactive view keeps its model from events between
# full dumps (issue 16), and says how on its status line.
#
# In a private namespace (netns_lone), tcptop runs on an 80x24 tmux
# screen with --full-every 3600, so after its first refresh no full dump
# comes: what it shows of sockets made later came from the tracepoint,
# the destroy notifications, the timewait timers and the dump of
# listeners and requests.
#
# 1. The status line says "events".  sockhold then makes a listener and
#    a connection to it on port 7400: the screen must list exactly what
#    ss lists on that port, and every refresh since the first must have
#    been one from events (the -v log).
# 2. sockhold exits: both ends close (one goes TIME_WAIT, the listener
#    goes); the screen must again list exactly what ss lists.
# 3. A sort by a field only a dump keeps fresh for every row (recvq,
#    three '>' from state... until "sort recvq"): the status line says
#    "full dumps: sorted by recvq"; back to the state sort, "events".
# 4. Not root (setpriv to nobody): no tracepoint, so every refresh
#    dumps, and the status line says why.
# 5. What the events missed is said.  With --trace-buffer 4 (a page per
#    CPU) tcptop is stopped (SIGSTOP, its reader thread too) while 150
#    connections to :7401 are made and kept (alertcause), so the
#    kernel's buffer overflows; on SIGCONT the loss brings a full dump
#    at once, which finds the sockets whose events were lost: the status
#    line says "full dump corrected N rows", N from 1 to the 301 sockets
#    made, and the screen counts on :7401 what ss counts.  A new port
#    filter forces a full dump with nothing to compare: no count then.
# 6. Request sockets a walk found are asked for one by one until the
#    next walk.  An nft rule in S drops the handshake's last ACK to
#    :7402, so three connects to a listener there (alertcause) leave
#    three SYN_RECV, which the walk a retransmitted SYN-ACK brings shows;
#    then ss -K kills the clients, whose RSTs end the requests: no event
#    names a request socket's end, and no SYN-ACK is retransmitted after
#    it, so no walk need come: the refreshes between walks ask for them
#    one by one (the -v log), and the screen must list what ss lists on
#    :7402, no SYN_RECV left, with no full dump.
#
# Environment: TCPTOP, SOCKHOLD, ALERTCAUSE.  Exit 0 pass, 1 fail, 77
# skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
SOCKHOLD=${SOCKHOLD:-./tests/helpers/sockhold}
ALERTCAUSE=${ALERTCAUSE:-./tests/helpers/alertcause}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require tmux setpriv
require_bin TCPTOP SOCKHOLD ALERTCAUSE
TCPTOP=$(abspath "$TCPTOP")
SOCKHOLD=$(abspath "$SOCKHOLD")
ALERTCAUSE=$(abspath "$ALERTCAUSE")

cleanup()
{
	tmux_stop
	netns_kill_all
	netns_cleanup
}

test_tmpdir events-ui
chmod 755 "$TMP"
XDG_SUFFIX=
mkdir -p "$TMP/xdg"
tmux_init events-ui
netns_lone tcptop-evui

# The rows on port PORT (7400), "local remote state" sorted, from the
# screen and from ss; WHY says how they differ.
WHY=$TMP/why
PORT=7400
rows_match()
{
	awk -v p=":$PORT" 'substr($1, length($1) - length(p) + 1) == p ||
	    substr($2, length($2) - length(p) + 1) == p { print $1, $2, $3 }' \
	    "$SCREEN" | sort >"$TMP/screen.rows"
	inS ss -tanH "( sport = :$PORT or dport = :$PORT )" |
	    awk '{ st = $1; sub(/-/, "_", st); sub(/-/, "", st)
		m["ESTAB"] = "ESTABLISHED"; m["TIME_WAIT"] = "TIME_WAIT"
		m["LISTEN"] = "LISTEN"; m["FIN_WAIT2"] = "FIN_WAIT2"
		m["FIN_WAIT1"] = "FIN_WAIT1"; m["CLOSE_WAIT"] = "CLOSE_WAIT"
		m["LAST_ACK"] = "LAST_ACK"; m["SYN_SENT"] = "SYN_SENT"
		m["SYN_RECV"] = "SYN_RECV"; m["CLOSING"] = "CLOSING"
		print $4, $5, (st in m ? m[st] : st) }' |
	    sort >"$TMP/ss.rows"
	diff "$TMP/ss.rows" "$TMP/screen.rows" >"$WHY" && [ -s "$TMP/ss.rows" ]
}

# Every refresh after the first came from events: the -v log says
# "events: dump of" once for each.
only_events()
{
	local r e

	r=$(grep -c ' refresh [0-9]*: ' "$1")
	e=$(grep -c 'events: dump of' "$1")
	[ "$r" -ge 2 ] && [ "$e" -ge $((r - 1)) ]
}

# --- 1 and 2: sockets made and closed under the events -----------------

tcptop_screen ev -- -d 0.4 --full-every 3600 --tombstone 0 -p 7400 \
    --columns local,remote,state -v "$TMP/ev.log"
wait_screen 'events, full dump' 30 &&
    ok "status line: events" || bad "status line: no events"

ip netns exec "$NS_S" "$SOCKHOLD" evui 7400 >"$TMP/hold" 2>&1 &
HOLD=$!
await -t 20 "sockhold ready" grep -qs '^ready ' "$TMP/hold"
screen_until -t 30 "the screen to list what ss lists on 7400" rows_match &&
    ok "made: the screen lists what ss lists ($(wc -l <"$TMP/ss.rows") rows)" ||
    bad "made: the screen and ss differ"
only_events "$TMP/ev.log" && ok "made: every refresh since the first from events" ||
    bad "made: a full dump came ($(grep -c ' refresh [0-9]*: ' "$TMP/ev.log") refreshes)"

kill -TERM "$HOLD"
wait "$HOLD" 2>/dev/null
screen_until -t 30 "the screen to list what ss lists after the close" \
    rows_match &&
    ok "closed: the screen lists what ss lists ($(tr '\n' ' ' <"$TMP/ss.rows"))" ||
    bad "closed: the screen and ss differ"
only_events "$TMP/ev.log" && ok "closed: still no full dump" ||
    bad "closed: a full dump came"

# --- 3: a sort only dumps can serve ------------------------------------

# sort_to KEY NAME: press KEY until the message says "sorted by NAME".
sort_to()
{
	local i

	for i in $(seq 1 40); do
		keys "$1"
		wait_screen 'sorted by [a-z]' 10 >/dev/null || return 1
		if shows "sorted by $2"; then
			keys Down	# any key clears the message
			return 0
		fi
	done
	return 1
}
sort_to '>' recvq || bad "sort recvq: not reached with >"
wait_screen 'full dumps: sorted by recvq' 30 &&
    ok "sort recvq: full dumps, and why" ||
    bad "sort recvq: the status line does not say why it dumps"
sort_to '<' state || bad "sort state: not reached with <"
wait_screen 'sort state.*events, full dump' 30 &&
    ok "sort state: events again" || bad "sort state: no events again"
tcptop_quit ev
tmux_stop

# --- 4: not root ----------------------------------------------------------

mkdir -p "$TMP/xdg-user"
chown 65534:65534 "$TMP/xdg-user"
XDG_SUFFIX=-user
tcptop_screen user setpriv --reuid=65534 --regid=65534 --clear-groups -- -d 0.4
wait_screen 'full dumps: no tracepoint' 30 &&
    ok "not root: full dumps, and why" ||
    bad "not root: the status line does not say why it dumps"
tcptop_quit user
tmux_stop

# --- 5: what the events missed ---------------------------------------------

XDG_SUFFIX=
tcptop_screen lost -- -d 0.4 --trace-buffer 4 -p 7401
wait_screen 'events, full dump' 30 || fail "lost: no events"
TOP=
for p in $(pgrep -x tcptop); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
	    grep -q -- '--trace-buffer 4 -p 7401' && TOP=$p
done
[ -n "$TOP" ] || fail "lost: tcptop's pid not found"
# alertcause prints "ready" once its sockets are made; run in S.
cause()
{
	ip netns exec "$NS_S" "$ALERTCAUSE" "$@" >"$TMP/$1.out" 2>&1 &
	await -t 20 "alertcause $1" grep -qsx ready "$TMP/$1.out"
}
kill -STOP "$TOP"
cause serve 7401
cause connect 127.0.0.1 7401 150
port_count() { inS ss -tanH '( sport = :7401 or dport = :7401 )' | wc -l; }
await -t 20 "301 sockets on 7401" eval '[ "$(port_count)" -eq 301 ]'
kill -CONT "$TOP"
corrected() { grep -Eo 'full dump corrected [0-9]+ rows?' "$SCREEN" |
    grep -Eo '[0-9]+'; }
screen_until -t 30 "the correction on the status line" \
    eval '[ -n "$(corrected)" ]' &&
    [ "$(corrected)" -ge 1 ] && [ "$(corrected)" -le 301 ] &&
    ok "lost: the status line says the full dump corrected $(corrected) rows" ||
    bad "lost: no correction on the status line"
screen_until -t 30 "the screen to count 301 on 7401" \
    grep -Eq '(^| )301 of 301 shown' "$SCREEN" &&
    ok "lost: the screen counts what ss counts (301)" ||
    bad "lost: the screen counts $(grep -Eo '[0-9]+ of [0-9]+ shown' "$SCREEN")"
# A new filter forces a full dump, which has no events to compare
# with: the count goes with it.
keys p C-u
keys 7 4 0 9
keys Enter
wait_screen 'port 7409' 20 && wait_gone 'full dump corrected' 20 &&
    ok "lost: a new filter's full dump says no count" ||
    bad "lost: the count stays after a new filter's full dump"
tcptop_quit lost
tmux_stop

# --- 6: request sockets between walks ----------------------------------------

inS nft -f - <<'NFT' || fail "nft in $NS_S"
table inet tcptop_evui {
	chain in {
		type filter hook input priority 0;
		tcp dport 7402 tcp flags & (fin | syn | rst | ack) == ack drop
	}
}
NFT
PORT=7402
tcptop_screen req -- -d 0.4 --full-every 3600 --tombstone 0 -p 7402 \
    --columns local,remote,state -v "$TMP/req.log"
wait_screen 'events, full dump' 30 || fail "req: no events"
cause listen 7402 128
cause connect 127.0.0.1 7402 3
syn_recv() { awk '$1 ~ /:/ && $3 == "SYN_RECV"' "$SCREEN" | wc -l; }
screen_until -t 30 "3 SYN_RECV on the screen" eval '[ "$(syn_recv)" -eq 3 ]' ||
    fail "req: the requests never showed"
rows_match && ok "req: the screen lists the 3 requests ss lists" ||
    bad "req: the screen and ss differ: $(cat "$WHY")"
# A refresh of listeners alone (no walk) asks for the 3 one by one.
one_by_one() { grep -Eq 'events: dump of [0-9]+ listeners [0-9.]+ ms, .*, 3 requests$' \
    "$TMP/req.log"; }
wait_until -t 20 "the requests asked for between walks" one_by_one &&
    ok "req: between walks, the 3 requests are asked for one by one" ||
    bad "req: no refresh between walks asked for the requests"
inS ss -K dst 127.0.0.1 dport = :7402 >/dev/null || fail "ss -K"
ss_syn_recv() { inS ss -tanH state syn-recv '( sport = :7402 )' | wc -l; }
await -t 20 "the requests completed" eval '[ "$(ss_syn_recv)" -eq 0 ]'
screen_until -t 20 "the screen to list what ss lists on 7402" rows_match &&
    ok "req: completed, the screen lists what ss lists ($(wc -l <"$TMP/ss.rows") rows, no SYN_RECV)" ||
    bad "req: the screen and ss differ: $(cat "$WHY")"
only_events "$TMP/req.log" && ok "req: no full dump" ||
    bad "req: a full dump came"
tcptop_quit req
tmux_stop

summary events-ui
