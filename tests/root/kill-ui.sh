#!/bin/bash
#
# kill-ui: k and K in the interactive view, driven through tmux at 80x24
# as a user would: the window lists exactly what will go, a key other
# than y destroys nothing, y destroys exactly what was listed, as ss in
# the namespace confirms; and the operator's own SSH session goes only
# after a second window that names it, and only on Y.
#
# In the private namespaces of lib-netns.sh, nsholder holds one socket
# of each TCP state per family; three ESTABLISHED connections go from S
# to a tcpcycle server in P on port 9100, and three from P to a server
# in S on port 22, the SSH sessions.  tcptop runs in S with
# SSH_CONNECTION naming one of them, as sshd sets it, so the real
# matching (src/ssh.c) finds it, and with filters set on screen.
#
# Nothing waits by a bare sleep: await polls against a deadline.
#
# Environment: TCPTOP, NSHOLDER, TCPCYCLE.  Exit 0 pass, 1 fail, 77 skip
# (a failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
TCPCYCLE=${TCPCYCLE:-$(dirname "$NSHOLDER")/tcpcycle}
PORT=9100
SSHD=22

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require tmux
require_bin TCPTOP TCPCYCLE
TCPTOP=$(abspath "$TCPTOP")

PID=

cleanup()
{
	tmux_stop
	if [ -n "$PID" ] && [ "$(cat "/proc/$PID/comm" 2>/dev/null)" = \
	    tcptop ]; then
		kill -KILL "$PID" 2>/dev/null
	fi
	netns_cleanup
}

test_tmpdir tcptop-kill-ui
tmux_init kill-ui

netns_setup tcptop-kui
netns_hold 1

netns_connect "$PORT"
netns_sessions "$SSHD"
OWN=$(echo $SESSION_PORTS | cut -d' ' -f1)
TOTAL=$(netns_sockets | wc -l)

# --- the screen -----------------------------------------------------------

# The window's rows: "STATE LOCAL REMOTE" as netns_sockets prints them.
window_rows()
{
	capture
	sed -n 's/^.│ ipv[46] \+\([^ ]\+\) \+\([^ ]\+\) \+\([A-Z_0-9]\+\).*/\3 \1 \2/p' \
	    "$SCREEN" | sed 's/^ESTABLISHED /ESTAB /' | sort
}

unchanged()
{
	netns_sockets >"$TMP/now"
	cmp -s "$TMP/before" "$TMP/now" ||
	    fail "$1 changed the sockets: $(diff "$TMP/before" "$TMP/now")"
}

# left_but ROWS_FILE: the sockets are those before, less those listed.
left_but()
{
	sort "$1" | comm -23 "$TMP/before" - >"$TMP/want"
	netns_sockets >"$TMP/now"
	cmp -s "$TMP/want" "$TMP/now" ||
	    fail "$2: not exactly the listed ones went:" \
	    "$(diff "$TMP/want" "$TMP/now")"
}

tmux_start 80 24 "exec sleep 600" ||
    fail "tmux new-session failed"
"${T[@]}" respawn-pane -k -t ui "$(printf '%q ' bash -c \
    'echo $$ >"$0"; exec "$@"' "$TMP/pid" ip netns exec "$NS_S" env -i \
    "PATH=$PATH" "HOME=$TMP" TERM=tmux-256color LANG=C.UTF-8 \
    "XDG_CONFIG_HOME=$TMP/cfg" \
    "SSH_CONNECTION=$P_ADDR4 $OWN $S_ADDR4 $SSHD" "$TCPTOP" --no-trace)" ||
    fail "tmux respawn-pane failed"
await -t 10 "tcptop started" test -s "$TMP/pid"
PID=$(cat "$TMP/pid")
await -t 10 "all $TOTAL sockets are shown" shows "^$TOTAL of $TOTAL shown"

# The port filter on screen: only the three.
keys p C-u
"${T[@]}" send-keys -t ui -l "$PORT"
keys Enter
await -t 10 "the filter shows the three" shows "^3 of 3 shown"

# k, then another key: nothing goes.
netns_sockets >"$TMP/before"
keys k
await -t 10 "the window opens on one socket" shows "Destroy 1 socket\\? "
window_rows >"$TMP/listed"
[ "$(wc -l <"$TMP/listed")" -eq 1 ] || fail "k lists $(cat "$TMP/listed")"
grep -q "^ESTAB 10.77.0.1:[0-9]* $P_ADDR4:$PORT\$" "$TMP/listed" ||
    fail "k lists $(cat "$TMP/listed"), not a connection to :$PORT"
keys n
await -t 10 "the window says it cancelled" \
    shows "kill cancelled: nothing destroyed"
unchanged "k then n"

# k, then y: exactly the listed one goes.
keys k
await -t 10 "the window opens again" shows "Destroy 1 socket\\? "
window_rows >"$TMP/listed"
grep -q "^ESTAB .*:$PORT\$" "$TMP/listed" || fail "k lists $(cat \
    "$TMP/listed")"
keys y
await -t 10 "the status line says it went" shows "^kill: 1 destroyed"
left_but "$TMP/listed" "k then y"
await -t 10 "two are left on screen" shows " 2 sockets: v4 2, v6 0 "

# K lists all the filter shows, q cancels it (and does not quit).
netns_sockets >"$TMP/before"
keys K
await -t 10 "the window opens on both" shows "Destroy all 2 sockets\\? "
window_rows >"$TMP/listed"
grep -- ":$PORT\$" "$TMP/before" >"$TMP/want"
cmp -s "$TMP/want" "$TMP/listed" ||
    fail "K lists other than the filter's: $(diff "$TMP/want" \
    "$TMP/listed")"
keys q
await -t 10 "q cancelled" shows "kill cancelled: nothing destroyed"
unchanged "K then q"
kill -0 "$PID" 2>/dev/null || fail "q in the window quit tcptop"

# K, then y: exactly the filter's go, every other socket stays.
keys K
await -t 10 "the window opens on both again" shows "Destroy all 2 sockets\\? "
window_rows >"$TMP/listed"
keys y
await -t 10 "the status line says both went" shows "^kill: 2 destroyed"
left_but "$TMP/listed" "K then y"
netns_port_has "$PORT" 0 ||
    fail "connections to :$PORT left: $(netns_sockets)"

# --- your own SSH session -------------------------------------------------

# set_expr TEXT: the filter expression set on screen.
set_expr()
{
	keys F4 C-u
	"${T[@]}" send-keys -t ui -l "$1"
	keys Enter
}

keys p C-u Enter
set_expr "sport = :$SSHD and dport = :$OWN"
await -t 10 "only the session is shown" shows "^1 of [0-9]+ shown"
# (The family column shows only with both families on screen.)
shows "^@(v4 +)?$S_ADDR4:$SSHD +[^ ]+:$OWN +ESTABLISHED" ||
    fail "the session is not the @ row"

# k on it, y: nothing goes yet; a second window names it; y again (a
# second tap) cancels.
netns_sockets >"$TMP/before"
keys k
await -t 10 "the window opens on the session" shows "Destroy 1 socket\\? "
shows "ipv4 $S_ADDR4:$SSHD +$P_ADDR4:$OWN +ESTABLISHED +YOUR SSH SESSION" ||
    fail "the window does not mark the session"
shows "your own SSH session is listed: y asks about it first" ||
    fail "the window does not say y asks again"
keys y
await -t 10 "the second window names the session" \
    shows "here $S_ADDR4:$SSHD \\(ESTABLISHED\\)"
shows "Your own SSH session" && shows "from $P_ADDR4:$OWN" &&
    shows "Y  destroy it +│" && shows "Y Destroy it" ||
    fail "the second window does not name it, or Y"
unchanged "k, y on your own session"
keys y
await -t 10 "y there cancels" shows "kill cancelled: nothing destroyed"
unchanged "k, y, y on your own session"
kill -0 "$PID" 2>/dev/null || fail "tcptop is gone"

# K on the three sessions, y, s: the two others go, the session stays.
set_expr "sport = :$SSHD and state established"
await -t 10 "the three sessions are shown" shows "^3 of [0-9]+ shown"
keys K
await -t 10 "the window lists the three" shows "Destroy all 3 sockets\\? "
window_rows >"$TMP/listed"
grep -- " $S_ADDR4:$SSHD " "$TMP/before" | grep "^ESTAB " >"$TMP/want"
cmp -s "$TMP/want" "$TMP/listed" ||
    fail "K lists other than the sessions: $(diff "$TMP/want" \
    "$TMP/listed")"
keys y
await -t 10 "the second window" shows "s  spare it, destroy the 2 others"
unchanged "K, y with your own session"
keys s
await -t 10 "the status line says two went, one spared" \
    shows "^kill: 2 destroyed, 1 spared \\(your own SSH session\\)"
grep -v "$P_ADDR4:$OWN\$" "$TMP/listed" >"$TMP/others"
left_but "$TMP/others" "K, y, s"
inS ss -tnH state established "( sport = :$SSHD )" | grep -q ":$OWN\$" ||
    fail "the session went: $(netns_sockets)"

# k on it, y, Y: it goes.
set_expr "sport = :$SSHD and dport = :$OWN"
await -t 10 "the session alone is shown" shows "^1 of [0-9]+ shown"
netns_sockets >"$TMP/before"
keys k
await -t 10 "the window opens on it again" shows "Destroy 1 socket\\? "
keys y
await -t 10 "the second window again" shows "from $P_ADDR4:$OWN"
keys Y
await -t 10 "the status line says it went" shows "^kill: 1 destroyed"
echo "ESTAB $S_ADDR4:$SSHD $P_ADDR4:$OWN" >"$TMP/listed"
left_but "$TMP/listed" "k, y, Y"
keys F4 C-u Enter

# A long list scrolls; Esc cancels.
keys p C-u Enter
netns_sockets >"$TMP/before"
N=$(wc -l <"$TMP/before")
await -t 10 "all $N are shown" shows "^$N of $N shown"
keys K
await -t 10 "the window lists all $N" shows "Destroy all $N sockets\\? "
# The window has as many rows as the lines above it leave (the header,
# an alert line); its scroll mark says how many it shows.
capture
W=$(grep -o "1-[0-9]* of $N" "$SCREEN" | head -n 1 | sed 's/^1-//; s/ .*//')
[ -n "$W" ] || fail "no scroll mark at the bottom"
[ "$W" -ge 10 ] && [ "$W" -lt "$N" ] || fail "the window shows 1-$W of $N"
keys Down Down
await -t 10 "the list scrolled" shows "3-$((W + 2)) of $N"
window_rows >"$TMP/listed"
[ "$(wc -l <"$TMP/listed")" -eq "$W" ] || fail "$W rows not shown"
shows "listener: new connections will be refused|listeners: no new" ||
    fail "the window does not say a listener is among them"
keys Escape
await -t 10 "Esc cancelled" shows "kill cancelled: nothing destroyed"
unchanged "K then Esc"

keys q
await -t 10 "tcptop quit" sh -c "! kill -0 $PID 2>/dev/null"
PID=

echo "PASS: k and K destroy exactly what the window listed, after y only"
exit 0
