#!/bin/bash
#
# busy-keys: a key is answered on the screen before the next refresh,
# even when that refresh is overdue, with no root.
#
# At a million sockets a refresh takes longer than the delay, so the
# next one is always due; a key that came during a refresh used to wait
# for the next one too before its answer was drawn (seconds).  Here the
# slow refresh is a replay read from a FIFO the test feeds: tcptop
# --replay FIFO -d 0.2 gets the first refresh of tests/data/states.nlmsg
# and blocks in the second; F6 is typed; after half a second (so the
# second refresh ends overdue) the second refresh is fed and the third
# blocks at once.  The sort menu must show while tcptop waits in that
# third refresh.
#
# Environment: TCPTOP, TESTDATA.  Exit 0 pass, 1 fail, 77 skip (a
# failure under CI=true).

# Runs beside the namespace tests (tests/lib/lock-run.sh):
# a replay in a tmux server of its own.
# tests-lock: none
set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/../data}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

require tmux unshare hostname stty od mkfifo
require_bin TCPTOP
DATA=$TESTDATA/states.nlmsg
[ -r "$DATA" ] || fail "no $DATA"
TCPTOP=$(abspath "$TCPTOP")

FEED=
cleanup()
{
	[ -z "$FEED" ] || exec {FEED}>&-
	screen_stop
}

test_tmpdir tcptop-busy-keys
tmux_init busy-keys
WHY=$TMP/why
screen_host
screen_init

# The byte offsets where each refresh of the recording ends: a 16-byte
# header, then frames (type and length, 32 bits each, the payload padded
# to 8 bytes); type 3 ends a refresh (diag_file.h).
size=$(stat -c %s "$DATA")
off=16
ends=()
while [ "$off" -lt "$size" ]; do
	read -r type len <<<"$(od -An -t u4 -j "$off" -N 8 "$DATA")"
	off=$((off + 8 + len + (8 - len % 8) % 8))
	[ "$type" -ne 3 ] || ends+=("$off")
done
[ "${#ends[@]}" -ge 2 ] || fail "$DATA holds ${#ends[@]} refreshes, not 2"

# Read-write, so opening never blocks and tcptop never sees the end of
# the file while the test holds it.
mkfifo "$TMP/feed"
exec {FEED}<>"$TMP/feed"
head -c "${ends[0]}" "$DATA" >&"$FEED"

# Reading the FIFO: pipe_read, anon_pipe_read since Linux 6.14 or so.
blocked() { [[ $(cat "/proc/$PID/wchan" 2>/dev/null) == *pipe_read ]]; }

start -- --replay "$TMP/feed" -d 0.2 || fail "tcptop did not start"
wait_screen 'LOCAL.*REMOTE' || fail "no first screen"
await "tcptop waiting in its second refresh" blocked
t0=$(now_us)
keys F6
# The time is the condition: the second refresh must end past its
# deadline, so that the third is due at once.
overdue() { [ $(($(now_us) - t0)) -ge 500000 ]; }
await "half a second" overdue
check "tcptop still in its second refresh" blocked
tail -c +"$((ends[0] + 1))" "$DATA" | head -c "$((ends[1] - ends[0]))" >&"$FEED"
if wait_screen 'Sort by' 10; then
	ok "F6 answered before the overdue refresh"
else
	bad "F6 not answered while the third refresh waits"
fi
check "tcptop waiting in its third refresh" blocked

# The end of the recording, then out.
exec {FEED}>&-
FEED=
keys Escape q
check "tcptop ends with status 0" exited 0
summary
