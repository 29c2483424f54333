#!/bin/bash
#
# kill-race: a socket that changed state between the kill window's
# preview and y is not destroyed; and destroying one end of a same-host
# connection is said to reset the other.
#
# In a private namespace (netns_lone), tcpcycle serves 127.0.0.1:PORT and
# a bash /dev/tcp client connects: two ESTABLISHED ends of one loopback
# connection.  --kill -p PORT --state established (no --yes) must say on
# stderr and in JSON that each has its peer on this host.  Then tcptop at
# 80x24 in tmux, filtered to those two, opens K: the window says each
# peer is local and reset too.  Before y, the server closes its end: the
# client goes CLOSE_WAIT, the server's end FIN_WAIT2.  y must destroy
# neither (SOCK_DESTROY would, by cookie): the status line says they were
# skipped, having changed state since the preview, and ss still shows
# both.
#
# Environment: TCPTOP, NSHOLDER, TCPCYCLE.  Exit 0 pass, 1 fail, 77 skip.

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
TCPCYCLE=${TCPCYCLE:-$(dirname "$NSHOLDER")/tcpcycle}
PORT=9200

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require tmux jq bash
require_bin TCPTOP TCPCYCLE
TCPTOP=$(abspath "$TCPTOP")
TCPCYCLE=$(abspath "$TCPCYCLE")

SRV=
CLI=
SLEEPER=

cleanup()
{
	tmux_stop
	stop_pids $CLI $SRV $SLEEPER
	netns_cleanup
}

test_tmpdir tcptop-kill-race
tmux_init kill-race
netns_lone tcptop-krace

# ends STATE: how many of the connection's ends are in STATE (ss name).
ends()
{
	inS ss -Htn state "$1" "( sport = :$PORT or dport = :$PORT )" |
	    wc -l
}
ends_are() { [ "$(ends "$1")" -eq "$2" ]; }

# The server, on a stdin that never ends (a pipe whose only writer is
# a sleep: no other child holds it); SIGTERM ends it, and its exit
# closes its end.
exec 6< <(exec sleep 600)
SLEEPER=$!
# Not through inS: $! must be tcpcycle itself (ip netns exec execs it),
# for the SIGTERM below to close the server's end.
ip netns exec "$NS_S" "$TCPCYCLE" serve 127.0.0.1 "$PORT" <&6 &
SRV=$!
exec 6<&-
await -t 10 "the server listens" eval \
    '[ -n "$(inS ss -Htln "sport = :$PORT")" ]'
ip netns exec "$NS_S" bash -c \
    "exec 3<>/dev/tcp/127.0.0.1/$PORT && exec sleep 600" &
CLI=$!
await -t 10 "both ends ESTABLISHED" ends_are established 2

# --kill's preview: the same-host note, on stderr and in JSON.
inS "$TCPTOP" --kill -p "$PORT" --state established --json \
    >"$TMP/prev.json" 2>"$TMP/prev.err"
st=$?
check "the preview exits 2 (no --yes)" [ "$st" -eq 2 ]
check "the preview says each has its peer on this host" \
    grep -q "2 of the listed have a peer on this host: destroying one end resets the other too" \
    "$TMP/prev.err"
check "JSON marks both peer_local" [ "$(jq \
    '[.killed[] | select(.peer_local)] | length' "$TMP/prev.json")" -eq 2 ]
check "JSON counts peers_local" [ "$(jq .peers_local "$TMP/prev.json")" -eq 2 ]
check "the preview destroyed nothing" ends_are established 2

# The window.
tmux_start 80 24 "exec sleep 600" || fail "tmux new-session failed"
"${T[@]}" respawn-pane -k -t ui "$(printf '%q ' ip netns exec "$NS_S" \
    env -i "PATH=$PATH" "HOME=$TMP" TERM=tmux-256color LANG=C.UTF-8 \
    "XDG_CONFIG_HOME=$TMP/cfg" "$TCPTOP" --no-trace -p "$PORT" \
    --state established)" || fail "tmux respawn-pane failed"
await -t 15 "both ends are shown" shows "^2 of [0-9]+ shown"
keys K
await -t 10 "the window opens on both" shows "Destroy all 2 sockets\\? "
check "the window says each peer is on this host and reset too" \
    shows "each peer is a socket on this host: it is reset too"
check "each row notes its local peer" [ "$(grep -Ec \
    "ESTABLISHED +peer local: reset too" "$SCREEN")" -eq 2 ]

# The race: the server closes its end while the window is open.
kill -TERM "$SRV"
await -t 10 "the client is in CLOSE_WAIT" ends_are close-wait 1
await -t 10 "the server's end is in FIN_WAIT2" ends_are fin-wait-2 1

keys y
if wait_screen "kill: 0 destroyed, 2 skipped: changed state since the" 10
then
	ok "y: both skipped, having changed state since the preview"
else
	bad "y: both skipped, having changed state since the preview"
fi
check "the reason names the new state" \
    shows "\\(now [A-Z]"
check "the client is still in CLOSE_WAIT (not destroyed)" \
    ends_are close-wait 1
check "the server's end is still in FIN_WAIT2 (not destroyed)" \
    ends_are fin-wait-2 1
keys q

summary kill-race
