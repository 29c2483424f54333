#!/bin/bash
#
# owners-async: the interactive view looks owners up apart from its
# refreshes (issue 16).
#
# 1. The first screen does not wait for the walk of /proc.  In a private
#    namespace (netns_lone) tests/helpers/ownmove holds three sockets;
#    tcptop runs on an 80x24 tmux screen with the walk paced by the test
#    aid TCPTOP_TEST_OWNER_PACE_MS (one process a slice, slices that far
#    apart, the pace chosen so the processes before ownmove's take 60 s
#    at least) until the test opens the gate, TCPTOP_TEST_OWNER_GATE (a
#    file it makes once its checks are done: the walk then goes at full
#    speed).  The screen must show the rows with "(pending)" owners
#    and "owners pending 3" on the status line before the walk ends (no
#    "proc: rescan" in the -v log yet), answer a key meanwhile (F6, the
#    sort menu, and Escape), then fill the owners in: each row's pid and
#    command as ss -tanp lists them, nothing pending left.
# 2. Under churn the walks take a bounded share of the time.  Six
#    processes hold 8000 descriptors each (/dev/null), so a walk reads
#    48,000 links; tcptop -d 0.2 runs on the screen for OWNERS_SECS
#    (default 6), and, for 2b, until it has walked three times (120 s
#    at most).  From the -v log:
#    a. tests/helpers/tcpcycle makes connections that live 40 ms: each
#       has an inode no walk looked for, closed before the next
#       refresh.  Over 25 s, two walks at most (a new row waits a
#       refresh before a walk looks for it; the old tcptop walked as
#       often as its share let it), and the listener shown owned by
#       tcpcycle.
#    b. a new tcpcycle every 100 ms holds a connection 1.5 s: the walks
#       find their owners (rows shown owned by tcpcycle), fewer walks
#       than half the refreshes, and the walks' work adds up to at most
#       a tenth of the time plus the last walk's (PROC_WALK_SHARE).
#
# Environment: TCPTOP, NSHOLDER, OWNMOVE, TCPCYCLE, OWNERS_SECS.
# Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
OWNMOVE=${OWNMOVE:-./tests/helpers/ownmove}
TCPCYCLE=${TCPCYCLE:-./tests/helpers/tcpcycle}
SECS=${OWNERS_SECS:-6}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require tmux perl
require_bin TCPTOP OWNMOVE TCPCYCLE
require_count OWNERS_SECS "$SECS"
TCPTOP=$(abspath "$TCPTOP")
OWNMOVE=$(abspath "$OWNMOVE")
TCPCYCLE=$(abspath "$TCPCYCLE")

cleanup()
{
	tmux_stop
	# Everything left in the namespace is this test's: ownmove, its
	# receiver, the descriptor holders, tcpcycle.
	netns_kill_all
	netns_cleanup
}

test_tmpdir owners-async
chmod 755 "$TMP"
mkdir -p "$TMP/xdg"
tmux_init owners-async
netns_lone tcptop-oas

# --- 1. The first screen before the walk ends --------------------------

mkfifo "$TMP/cmd" || fail "mkfifo"
inS "$OWNMOVE" om-async 7301 <"$TMP/cmd" >"$TMP/om" 2>&1 &
exec {CMD}>"$TMP/cmd"
await -t 20 "ownmove ready" grep -qs '^ready ' "$TMP/om"
OM=$(awk '/^ready /{print $2}' "$TMP/om")
# The processes the walk reads before ownmove's (it reads /proc in pid
# order): 60 s of them at least, longer than a loaded machine takes for
# the checks below; the gate then ends the pace.
before=0
for d in /proc/[0-9]*; do
	[ "${d#/proc/}" -lt "$OM" ] && before=$((before + 1))
done
PACE=$(( 60000 / (before > 0 ? before : 1) ))
[ "$PACE" -ge 50 ] || PACE=50
echo "# $before processes before ownmove's pid $OM: a slice every $PACE ms"

tcptop_screen first TCPTOP_TEST_OWNER_PACE_MS="$PACE" \
    TCPTOP_TEST_OWNER_GATE="$TMP/gate" -- -d 0.5 -p 7301 \
    --columns local,remote,pid,process -v "$TMP/log1"
pending3()
{
	[ "$(grep -c '(pending) *$' "$SCREEN")" -eq 3 ] &&
	    grep -q 'owners pending 3' "$SCREEN"
}
if screen_until -t 30 "three rows pending" pending3; then
	ok "first screen: the three rows pending, said on the status line"
	grep -q 'proc: rescan' "$TMP/log1" &&
	    bad "first screen: the walk had ended" ||
	    ok "first screen: drawn while the walk is under way"
	keys F6
	wait_screen 'Sort by' 10 && ok "a key answered during the walk" ||
	    bad "F6 not answered during the walk"
	capture
	grep -q 'owners pending 3' "$SCREEN" &&
	    ok "the sort menu came while owners were pending" ||
	    bad "the walk ended before the key's answer: no proof"
	keys Escape
else
	bad "first screen: no pending rows"
fi
# ss -tanp's owner of each socket on 7301: "local remote pid comm".
ss_rows()
{
	inS ss -tanpH 'sport = :7301 or dport = :7301' | perl -ne '
	    my @f = split;
	    my %u;
	    while (/\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)/g) {
		$u{$2} = $1;
	    }
	    my @p = sort { $a <=> $b } keys %u;
	    print "$f[3] $f[4] $p[0] $u{$p[0]}\n" if @p;' | sort
}
screen_rows()
{
	grep -E ':7301 ' "$SCREEN" | awk 'NF == 4 { print $1, $2, $3, $4 }' |
	    sort
}
filled()
{
	ss_rows >"$TMP/ss"
	screen_rows >"$TMP/shown"
	[ "$(wc -l <"$TMP/ss")" -eq 3 ] && cmp -s "$TMP/ss" "$TMP/shown" &&
	    ! grep -q 'pending' "$SCREEN"
}
# The checks are done: the rest of the walk at full speed.
: >"$TMP/gate"
if screen_until -t 60 "owners as ss -tanp" filled; then
	ok "the walk ended: owners as ss -tanp, nothing pending"
else
	bad "owners (< ss, > screen):"
	diff "$TMP/ss" "$TMP/shown"
fi
grep -q 'proc: rescan 1:' "$TMP/log1" && ok "one walk logged" ||
    bad "no walk in the log"
tcptop_quit first
tmux_stop
exec {CMD}>&-

# --- 2. Under churn, the walks' share is bounded -----------------------

for i in 1 2 3 4 5 6; do
	inS perl -e '$| = 1; my @h; for (1 .. 8000) { open(my $f, "<", "/dev/null")
	    or die "open: $!"; push @h, $f } print "held\n"; sleep' \
	    >"$TMP/hold$i" 2>&1 &
done
for i in 1 2 3 4 5 6; do
	await -t 30 "holder $i" grep -qs '^held' "$TMP/hold$i"
done

# From the -v log $1: "refreshes walks span work lastw", the refreshes'
# span (monotonic ns of the first start and the last end), the walks'
# work (us) and the last walk's.
walk_share()
{
	awk '
/ refresh [0-9]+: .* dump [0-9]+\.\.[0-9]+ ns, done [0-9]+ ns/ {
	split($0, a, " dump "); split(a[2], b, "[. ]+")
	if (first == "") first = b[1]
	match($0, /done [0-9]+ ns/); last = substr($0, RSTART + 5, RLENGTH - 8)
	refreshes++
}
/ proc: rescan [0-9]+:/ {
	walks++; w = 0
	if (match($0, /[0-9]+ us of work/))
		w = substr($0, RSTART, RLENGTH - 11)
	work += w; lastw = w
}
END { printf "%d %d %.0f %.0f %.0f\n", refreshes, walks,
    (last - first) / 1000, work, lastw }' "$1"
}

# churn NAME WALKS: tcptop -d 0.2 on port 7302 for SECS seconds at least
# and, until WALKS walks are logged, 120 s at most; seen=1 when a row
# was shown owned by tcpcycle.
churn_screen()
{
	local t0
	tcptop_screen "$1" -- -d 0.2 -p 7302 --columns local,remote,pid,process \
	    -v "$TMP/log-$1"
	await -t 30 "tcptop's first refresh" grep -qs 'refresh 1:' "$TMP/log-$1"
	t0=$(now_us)
	seen=0
	elapsed() { echo $(( ($(now_us) - t0) / 1000000 )); }
	until [ "$(elapsed)" -ge 120 ] || { [ "$(elapsed)" -ge "$SECS" ] &&
	    [ "$(grep -c 'proc: rescan' "$TMP/log-$1")" -ge "$2" ]; }; do
		capture
		grep -Eq ':7302 .* tcpcycle *$' "$SCREEN" && seen=1
		sleep 0.2
	done
	tcptop_quit "$1"
	walk_share "$TMP/log-$1" >"$TMP/share-$1"
	read -r refreshes walks span work lastw <"$TMP/share-$1"
	echo "# $1: $refreshes refreshes over $((span / 1000)) ms, $walks" \
	    "walks, $((work / 1000)) ms of work, the last $((lastw / 1000)) ms"
	[ "$refreshes" -ge 10 ] || bad "$1: only $refreshes refreshes"
}

# 2a. Connections that live 40 ms (each has an inode no walk looked
# for): a row first seen by a refresh waits for the next before a walk
# looks for it, and by then it has closed (TIME_WAIT has no file).
# Over 25 s the old tcptop walked as often as its share allowed (every
# 7 s or so here, 4 walks); the new one once, at the start, twice at
# most on a loaded machine.
inS "$TCPCYCLE" cycle 127.0.0.1 7302 100000 20 >"$TMP/cycle" 2>&1 &
CYCLE=$!
SECS0=$SECS
SECS=$((SECS > 25 ? SECS : 25))
churn_screen short 1
SECS=$SECS0
[ "$seen" -eq 1 ] && ok "short: the listener shown owned by tcpcycle" ||
    bad "short: the listener never shown owned"
[ "$walks" -le 2 ] &&
    ok "short: $walks walks in $refreshes refreshes" ||
    bad "short: $walks walks in $refreshes refreshes"
# $! is the shell that runs inS: the tcpcycle in S is stopped by its
# name, and its listener gone before 2b listens on the port.
kill "$CYCLE" 2>/dev/null
wait "$CYCLE" 2>/dev/null
for pid in $(ip netns pids "$NS_S" 2>/dev/null); do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tcpcycle ] &&
	    kill -TERM "$pid" 2>/dev/null
done
unserved() { ! inS ss -Hltn 'sport = :7302' | grep -q .; }
await -t 20 "the short churn's end" unserved

# 2b. Connections that outlive several refreshes, each from a new
# process (one no walk has seen, so no process is read again alone in
# its place): the walks must find them, within their share of the time.
mkfifo "$TMP/serve" || fail "mkfifo"
inS "$TCPCYCLE" serve 127.0.0.1 7302 <"$TMP/serve" >"$TMP/served" 2>&1 &
exec {SERVE}>"$TMP/serve"
serving() { inS ss -Hltn 'sport = :7302' | grep -q .; }
await -t 20 "tcpcycle serves" serving
(
	while :; do
		inS "$TCPCYCLE" reset 127.0.0.1 7302 1500 >/dev/null 2>&1 &
		sleep 0.1
	done
) &
SPAWNER=$!
churn_screen long 3
kill "$SPAWNER" 2>/dev/null
wait "$SPAWNER" 2>/dev/null
[ "$seen" -eq 1 ] && ok "long: rows shown owned by tcpcycle" ||
    bad "long: no row ever shown owned"
[ "$walks" -ge 3 ] && [ $((walks * 2)) -lt "$refreshes" ] &&
    ok "long: $walks walks in $refreshes refreshes" ||
    bad "long: $walks walks in $refreshes refreshes"
[ $((work * 10)) -le $((span + 10 * lastw)) ] &&
    ok "long: walks took at most a tenth of the time" ||
    bad "long: walks took $work us of $span us"
exec {SERVE}>&-

summary owners-async
