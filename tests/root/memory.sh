#!/bin/bash
#
# memory: tcptop gives memory back when the socket count falls.
#
# In a private namespace (netns_lone) with tcp_max_tw_buckets 0 there
# (closed sockets then skip TIME_WAIT and go at once), bench/populate
# workers hold MEM_PAIRS (default 6000) established pairs each, four
# workers (48,000 sockets), while tcptop --json -d 0.2 runs there.  Its
# resident anonymous memory (RssAnon: the heap and its mappings, what
# the table holds; not the shared libraries' file pages, which do not
# grow with sockets and which libmicrohttpd's TLS libraries add 2 MB
# to) is read once the reports count them all (the high-water mark),
# the workers exit, and once the reports count none and the tombstones
# have expired, it must have fallen to under half the high-water mark
# (from 32 MB to 14 MB here; VmRSS grew to 105 MB before tcptop gave
# memory back).
#
# The same sockets are another namespace's storm for a second tcptop,
# --json -d 0.2 --model events in a namespace Q of its own with no
# socket: the tracepoint has no namespace, so each of S's sockets made
# or closed is named to it, asked for in Q and not found.  Its RssAnon
# once S is empty again must be within QUIET_SLACK_KB (16 MB) of what it
# was before the storm: the arrays the storm grew are cut back and the
# C library asked to return their pages (it held 50 MB more after
# another namespace's 100k sockets came and went, bench/soak).
# Skipped in sanitizer builds.
#
# Environment: TCPTOP, POPULATE, NSHOLDER (for lib-netns), MEM_PAIRS.
# Exit 0 pass, 1 fail, 77 skip (a failure under CI=true).

set -u

TCPTOP=${TCPTOP:-./tcptop}
POPULATE=${POPULATE:-./bench/populate}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
PAIRS=${MEM_PAIRS:-6000}
WORKERS=4

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"

netns_require jq
require_bin TCPTOP POPULATE
require_count MEM_PAIRS "$PAIRS"
# ASan keeps freed memory in its quarantine (256 MB) and has its own
# heap: what the C library gives back cannot be seen there.
ldd "$TCPTOP" 2>/dev/null | grep -q libasan && skip_anyway "sanitizer build"

TOP_PID=
Q_PID=
NS_Q=
QUIET_SLACK_KB=16384
POP_PIDS=
TEST_KEEP_TMP=1

cleanup()
{
	stop_pids $POP_PIDS
	stop_pids $TOP_PID $Q_PID
	[ -z "$NS_Q" ] || ip netns delete "$NS_Q" 2>/dev/null
	netns_cleanup
}

test_tmpdir memory

# The reports' totals, one a line: each report is tens of MB at this
# size, so only its total is kept (grep -o, line by line; the kernel's
# counters have "total" keys too, the report's follows "late_ms").
total() { tail -n 1 "$TMP/totals" | awk '{ print $4 }'; }
total_at_least() { [ "$(total)" -ge "$1" ] 2>/dev/null; }
total_is() { [ "$(total)" = "$1" ]; }
reports() { wc -l <"$TMP/totals"; }
rss_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/${1:-$TOP_PID}/status"; }
alive() { kill -0 "$TOP_PID" 2>/dev/null || fail "tcptop exited: $(cat \
    "$TMP/out.err")"; }
ready() { grep -q '^ready' "$1"; }

netns_lone tcptop-mem
inS sh -c 'echo 2000 65535 >/proc/sys/net/ipv4/ip_local_port_range &&
    echo 0 >/proc/sys/net/ipv4/tcp_max_tw_buckets' ||
    fail "namespace sysctls"

# The quiet namespace's tcptop, from events, before the storm: its
# reports' modes.
NS_Q=tcptop-memq-$$-$RANDOM
ip netns add "$NS_Q" 2>/dev/null || { NS_Q=; fail "ip netns add"; }
ip -n "$NS_Q" link set lo up || fail "lo up in $NS_Q"
: >"$TMP/q"
ip netns exec "$NS_Q" "$TCPTOP" --json -d 0.2 --model events \
    > >(grep -o --line-buffered '"model": {"mode": "[a-z]*"' >"$TMP/q") \
    2>"$TMP/q.err" &
Q_PID=$!
q_reports() { wc -l <"$TMP/q"; }
await -t 30 "ten reports in Q" eval '[ "$(q_reports)" -ge 10 ]'
grep -q '"events"' "$TMP/q" ||
    skip_anyway "no events model in Q: $(head -c 200 "$TMP/q.err")"
q_before=$(rss_kb "$Q_PID")
echo "# Q before the storm: RssAnon $q_before KB"

# ip netns exec execs tcptop: $! is tcptop's pid (not the grep's).
: >"$TMP/totals"
ip netns exec "$NS_S" "$TCPTOP" --json -d 0.2 --tombstone 1 \
    > >(grep -o --line-buffered '"late_ms": [0-9]*, "total": [0-9]*' \
    >"$TMP/totals") \
    2>"$TMP/out.err" &
TOP_PID=$!
for i in $(seq 0 $((WORKERS - 1))); do
	# ip netns exec execs: $! is the worker's own pid.
	ip netns exec "$NS_S" "$POPULATE" -i "$i" -e "$PAIRS" -c 0 -t 0 \
	    >"$TMP/pop$i" &
	POP_PIDS="$POP_PIDS $!"
done
for i in $(seq 0 $((WORKERS - 1))); do
	await -t 120 "worker $i" ready "$TMP/pop$i"
done
want=$((WORKERS * 2 * PAIRS))
await -t 120 "$want sockets in the reports" total_at_least "$want"
alive
high=$(rss_kb)
echo "# $want sockets: RssAnon $high KB"
echo "# Q, $want sockets made elsewhere: RssAnon $(rss_kb "$Q_PID") KB"

stop_pids $POP_PIDS
POP_PIDS=
await -t 120 "the reports to count no socket" total_is 0
# Past the tombstone time, a few refreshes more.
n=$(reports)
await -t 60 "ten reports more" eval '[ "$(reports)" -ge $((n + 10)) ]'
alive
low=$(rss_kb)
echo "# 0 sockets: RssAnon $low KB"
[ "$low" -lt $((high / 2)) ] && ok "RssAnon fell from $high KB to $low KB" ||
    bad "RssAnon $low KB after the sockets went, high-water $high KB"

# Q, once S's storm is over: its RssAnon must come back (the storm's
# events may still be in its queue under load; a trim comes every
# eighth refresh).
kill -0 "$Q_PID" 2>/dev/null || fail "Q's tcptop exited: $(cat "$TMP/q.err")"
q_small() { [ "$(rss_kb "$Q_PID")" -le $((q_before + QUIET_SLACK_KB)) ]; }
wait_until -t 60 "Q's RssAnon back" q_small >/dev/null
q_after=$(rss_kb "$Q_PID")
echo "# Q after the storm: RssAnon $q_after KB"
[ "$q_after" -le $((q_before + QUIET_SLACK_KB)) ] &&
    ok "Q's RssAnon back to $q_after KB after another namespace's storm (before $q_before KB)" ||
    bad "Q's RssAnon $q_after KB after another namespace's storm, $q_before KB before"

summary memory
