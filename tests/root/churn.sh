#!/bin/bash
#
# churn: the tracepoint's transitions stay exact under connection churn,
# and when the kernel loses events anyway tcptop says so, with the count.
#
# In a private namespace (tests/lib/lib-netns.sh, netns_lone),
# tests/helpers/tcpcycle churn makes connections at a steady rate, ten
# state changes each, while tcptop --json runs there:
# 1. CHURN_N (default 4000) connections at CHURN_RATE (default 1000) a
#    second with the default buffer: every edge counts exactly CHURN_N,
#    "transitions_lost" is 0 and the source is "exact".
# 2. With --trace-buffer 4 (a page per CPU) and tcptop stopped (SIGSTOP,
#    its reader thread too) while 2000 connections are made, the
#    kernel's buffer must overflow: "transitions_lost" is above 0 and the
#    source says "exact except N lost" with that count.
# 3. The same on the screen (tmux, 80x24, the diagram shown): tcptop -d
#    1 stopped for 3 s while connections are made, so that loss and
#    lateness are both certain: the status line says "behind: refresh
#    takes X s > delay 1.00 s" and "N transitions lost", the diagram's
#    title "exact except N lost".  Then a pause (Z) of 3 s: the refresh
#    after it is not "behind", the pause is the user's.
# 4. The reader thread's queue is bounded: with --trace-buffer 256 and
#    no TIME_WAIT (tcp_max_tw_buckets 0 in the namespace, so the rows
#    stay few), 2000 connections a second for CHURN_SECS (default 20)
#    must not grow tcptop's memory past its steady state, read 5 s in,
#    by more than 8 MB: the queue's bound (twice the kernel's buffers,
#    1 MB here) and its pool.  It grew by 40 MB when the reader queued
#    a page per event.  Skipped in sanitizer builds (ASan's own heap).
# 5. Events are batched: under 400 connections a second, tcptop's main
#    thread wakes from poll() 30 times a second at most (strace -c over
#    3 s), where it woke for each destroy notification.
#
# Environment: TCPTOP, TCPCYCLE, NSHOLDER (for lib-netns), CHURN_N,
# CHURN_RATE, CHURN_SECS.  Exit 0 pass, 1 fail, 77 skip (a failure under CI=true).

set -u

TCPTOP=${TCPTOP:-./tcptop}
TCPCYCLE=${TCPCYCLE:-./tests/helpers/tcpcycle}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
N=${CHURN_N:-4000}
RATE=${CHURN_RATE:-1000}
SECS=${CHURN_SECS:-20}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

# The screen holds UTF-8 that grep must read as characters.
export LC_ALL=C.UTF-8

netns_require jq tmux unshare
require_bin TCPTOP TCPCYCLE
require_count CHURN_N "$N"
require_count CHURN_RATE "$RATE"
require_count CHURN_SECS "$SECS"

TOP_PID=
TEST_KEEP_TMP=1		# the reports, when a check failed

cleanup()
{
	if [ -n "$TOP_PID" ]; then
		kill -CONT "$TOP_PID" 2>/dev/null
		kill -TERM "$TOP_PID" 2>/dev/null
		wait "$TOP_PID"
	fi
	[ -n "${PID:-}" ] && kill -CONT "$PID" 2>/dev/null
	[ -n "${CYCLE:-}" ] && kill "$CYCLE" 2>/dev/null
	screen_stop
	netns_cleanup
}

TCPTOP=$(abspath "$TCPTOP")
test_tmpdir churn

# start_top OUT ARGS...: tcptop --json in S, until its first report.
start_top()
{
	local out=$1
	shift
	# ip netns exec execs tcptop: $! is tcptop's pid.
	ip netns exec "$NS_S" "$TCPTOP" --json -d 0.5 "$@" >"$out" \
	    2>"$out.err" &
	TOP_PID=$!
	wait_until -t 20 "the first report" first_report "$out" >/dev/null ||
	    fail "tcptop gave no report in time: $(cat "$out.err")"
}

first_report()
{
	kill -0 "$TOP_PID" 2>/dev/null ||
	    fail "tcptop exited: $(cat "$1.err")"
	[ -n "$(whole_lines "$1")" ]
}

stop_top()
{
	kill -TERM "$TOP_PID"
	wait "$TOP_PID"
	TOP_PID=
}

# count OUT FROM TO: the last report's count on that pair, 0 if none.
count()
{
	last_report "$1" | jq -r --arg f "$2" --arg t "$3" \
	    '[.transitions[] | select(.from == $f and .to == $t) | .count] |
	    add // 0'
}

count_is() { [ "$(count "$1" "$2" "$3")" = "$4" ]; }
lost_some() { last_report "$1" | jq -e '.transitions_lost > 0' >/dev/null; }

netns_lone tcptop-churn

# --- 1. exact at a moderate rate ------------------------------------------

out=$TMP/exact.json
start_top "$out"
last_report "$out" | jq -e '.transitions_source == "exact"' >/dev/null ||
    skip "no tracepoint here: $(last_report "$out" | jq -r .transitions_note)"

made=$(inS "$TCPCYCLE" churn 127.0.0.1 7100 "$N" "$RATE") ||
    fail "tcpcycle churn"
echo "# $N connections made in ${made#* } s"
wait_until -t 60 "SYN_SENT -> ESTABLISHED to reach $N" \
    count_is "$out" SYN_SENT ESTABLISHED "$N" >/dev/null
# Two refreshes more, so that the tracepoint's last events are in.
sleep 1
for edge in "CLOSE SYN_SENT" "SYN_SENT ESTABLISHED" "LISTEN SYN_RECV" \
    "SYN_RECV ESTABLISHED" "ESTABLISHED FIN_WAIT1" "FIN_WAIT1 FIN_WAIT2" \
    "ESTABLISHED CLOSE_WAIT" "CLOSE_WAIT LAST_ACK" "LAST_ACK CLOSE"; do
	# shellcheck disable=SC2086
	got=$(count "$out" $edge)
	[ "$got" = "$N" ] && ok || bad "exact: $edge counted $got, not $N"
done
# Every client left FIN_WAIT2 once: into TIME_WAIT, or to CLOSE when no
# dump saw the minisocket.
fw2=$(( $(count "$out" FIN_WAIT2 TIME_WAIT) + $(count "$out" FIN_WAIT2 CLOSE) ))
[ "$fw2" = "$N" ] && ok || bad "exact: $fw2 left FIN_WAIT2, not $N"
last_report "$out" | jq -e '.transitions_lost == 0 and
    .transitions_source == "exact"' >/dev/null &&
    ok "exact: $N connections at $RATE/s, nothing lost" ||
    bad "exact: $(last_report "$out" | jq -c '{transitions_source,
    transitions_lost, notifications_lost}')"
stop_top

# --- 2. loss, counted and said ----------------------------------------------

out=$TMP/lossy.json
start_top "$out" --trace-buffer 4
kill -STOP "$TOP_PID"
inS "$TCPCYCLE" churn 127.0.0.1 7101 2000 2000 >/dev/null ||
    fail "tcpcycle churn"
kill -CONT "$TOP_PID"
wait_until -t 30 "a loss counted" lost_some "$out" >/dev/null
last_report "$out" | jq -e '(.transitions_lost | type == "number") and
    .transitions_lost > 0 and .transitions_source == "exact except " +
    ((.transitions_lost + .notifications_lost) | tostring) +
    (if .notifications_lost > 0 then "+" else "" end) + " lost"' \
    >/dev/null && ok "loss: $(last_report "$out" | jq -r .transitions_source)" ||
    bad "loss: $(last_report "$out" | jq -c '{transitions_source,
    transitions_lost, notifications_lost}')"
stop_top

# --- 3. on the screen ----------------------------------------------------------

tmux_init churn
screen_host
PANE_WRAP+=(ip netns exec "$NS_S")
screen_init
start -- -d 1 --diagram --trace-buffer 4 ||
    fail "tcptop did not start in tmux"
wait_screen 'TCP states: exact' 20 || fail "no diagram title"
kill -STOP "$PID"
inS "$TCPCYCLE" churn 127.0.0.1 7102 2000 2000 >/dev/null ||
    fail "tcpcycle churn"
sleep 3		# stopped: the refresh that follows is 3 s late
kill -CONT "$PID"
screen_until -t 20 "behind on the status line" grep -Eq \
    'behind: refresh takes [0-9.]+ s > delay 1\.00 s' "$SCREEN" &&
    ok "screen: behind: $(grep -Eo 'behind: [^>]+> delay [0-9.]+ s' \
    "$SCREEN")" || bad "screen: no \"behind\" on the status line"
screen_until -t 20 "the loss on the status line and the diagram" \
    eval 'grep -Eq "[0-9]+\+? transitions? lost" "$SCREEN" &&
    grep -Eq "TCP states: exact except [0-9]+\+? lost" "$SCREEN"' &&
    ok "screen: $(grep -Eo 'exact except [0-9+]+ lost' "$SCREEN")" ||
    bad "screen: the loss is not on the status line and the diagram"
# The header's time of the data, HH:MM:SS.
shown_time() { sed -n 1p "$SCREEN" | grep -Eo '[0-9]{2}:[0-9]{2}:[0-9]{2}' |
    head -n 1; }
new_time() { [ "$(shown_time)" != "$1" ]; }
wait_gone 'behind:' 20 || bad "screen: \"behind\" stays on time"
keys Z
wait_screen PAUSED || fail "Z did not pause"
before=$(shown_time)
sleep 3		# the pause itself
keys Z
screen_until -t 20 "a refresh after the pause" new_time "$before" ||
    fail "no refresh after the pause"
grep -q 'behind:' "$SCREEN" &&
    bad "screen: \"behind\" after a pause: $(grep -o 'behind:[^>]*' "$SCREEN")" ||
    ok "screen: a pause is not lateness"
keys q
exited 0 || bad "tcptop did not quit cleanly"

# --- 4. the queue is bounded ----------------------------------------------------

# status_kb PID FIELD: a VmRSS-like line of /proc/PID/status, in kB.
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

if ldd "$TCPTOP" 2>/dev/null | grep -q libasan; then
	echo "# queue: skipped in a sanitizer build (ASan's own heap)"
else
	inS sysctl -q net.ipv4.tcp_max_tw_buckets=0 ||
	    fail "tcp_max_tw_buckets in the namespace"
	out=$TMP/queue.json
	start_top "$out" --trace-buffer 256
	inS "$TCPCYCLE" churn 127.0.0.1 7103 $((2000 * SECS)) 2000 \
	    >"$TMP/queue.made" &
	CYCLE=$!
	sleep 5		# the rows of 5 s of churn: the steady state
	steady=$(status_kb "$TOP_PID" VmRSS)
	wait "$CYCLE" || fail "tcpcycle churn"
	CYCLE=
	peak=$(status_kb "$TOP_PID" VmHWM)
	echo "# queue: $(cat "$TMP/queue.made") (connections, s);" \
	    "VmRSS ${steady} kB 5 s in, VmHWM ${peak} kB at the end;" \
	    "$(last_report "$out" | jq -r .transitions_source)"
	[ $((peak - steady)) -lt 8192 ] &&
	    ok "queue: memory grew $(((peak - steady) / 1024)) MB under churn" ||
	    bad "queue: memory grew $(((peak - steady) / 1024)) MB under" \
	    "churn (the queue is bounded at 1 MB)"
	stop_top
fi

# --- 5. a close storm does not wake the loop per close ------------------------

# tcptop's main thread (strace without -f: the pid's own thread) waits
# in poll() for the next refresh and the destroy notifications; after
# taking some it leaves them 50 ms to gather, then reads them without a
# poll while they keep coming.  Before, it woke for each close: 800 a
# second here.  Counted over 3 s of 400 connections a second (two
# closes each): 30 wake-ups a second at most (one a batch, the
# refreshes, a second one after a gap in the churn).
if command -v strace >/dev/null 2>&1; then
	out=$TMP/wake.json
	start_top "$out" -d 2
	inS "$TCPCYCLE" churn 127.0.0.1 7104 2400 400 >"$TMP/wake.made" &
	CYCLE=$!
	sleep 1		# the churn under way
	timeout -s INT 3 strace -qq -c -e trace=poll -o "$TMP/wake.strace" \
	    -p "$TOP_PID"
	wait "$CYCLE" || fail "tcpcycle churn"
	CYCLE=
	# % time, seconds, usecs/call, calls, [errors,] syscall
	polls=$(awk '$NF == "poll" { print $4 }' "$TMP/wake.strace")
	polls=${polls:-0}
	echo "# wake: $(cat "$TMP/wake.made") (connections, s); $polls polls" \
	    "by the main thread in 3 s"
	[ "$polls" -gt 0 ] && [ "$polls" -le 90 ] &&
	    ok "wake: $polls wake-ups in 3 s of 800 closes a second" ||
	    bad "wake: $polls wake-ups in 3 s of 800 closes a second"
	stop_top
else
	echo "# wake: skipped, no strace"
fi

summary churn
