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
#
# Environment: TCPTOP, SOCKHOLD.  Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
SOCKHOLD=${SOCKHOLD:-./tests/helpers/sockhold}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require tmux setpriv
require_bin TCPTOP SOCKHOLD
TCPTOP=$(abspath "$TCPTOP")
SOCKHOLD=$(abspath "$SOCKHOLD")

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

# The rows on port 7400, "local remote state" sorted, from the screen
# and from ss; WHY says how they differ.
WHY=$TMP/why
rows_match()
{
	awk '$1 ~ /:7400$/ || $2 ~ /:7400$/ { print $1, $2, $3 }' \
	    "$SCREEN" | sort >"$TMP/screen.rows"
	inS ss -tanH '( sport = :7400 or dport = :7400 )' |
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

summary events-ui
