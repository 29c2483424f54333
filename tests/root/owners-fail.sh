#!/bin/bash
#
# owners-fail: when tcptop cannot read /proc for want of descriptors
# (ulimit -n 12: EMFILE), the sockets it could not attribute are said to
# be unknown, with the reason, and not called another user's.
#
# In a private namespace (netns_lone), tests/helpers/sockhold holds a
# listener and a connection as root.  tcptop --json -b -n 1 first runs
# normally (sockhold owns them: the test can tell), then under ulimit -n
# 12: "owners.hidden" must be 0, "owners.failed" count the sockets with
# a file, "owners_failed" give that count and reason EMFILE, and no
# connection say "hidden".  The text report and the screen (tmux,
# 80x24: the header) say so too.
#
# The other way round, a holder that refuses to be read must not be
# called in flight: a second sockhold makes itself not dumpable
# (SOCKHOLD_NODUMP=1), and tcptop runs as root of a user namespace of
# its own (unshare -U -r), without CAP_SYS_PTRACE over the holder: it
# may list the holder's /proc/PID/fd but not read the links.  After
# five refreshes (two rescans decide "in flight") its three sockets are
# "hidden", none "in_flight", in JSON and in the text report.  Before
# the refused links were counted, they were "in flight".
#
# Environment: TCPTOP, NSHOLDER, SOCKHOLD.  Exit 0 pass, 1 fail, 77 skip.

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
SOCKHOLD=${SOCKHOLD:-./tests/helpers/sockhold}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require jq tmux unshare
require_bin TCPTOP SOCKHOLD
TCPTOP=$(abspath "$TCPTOP")

HOLD=

cleanup()
{
	tmux_stop
	stop_pids $HOLD
	netns_cleanup
}

test_tmpdir tcptop-owners-fail
tmux_init ownfail
netns_lone tcptop-ownfail

inS "$SOCKHOLD" holder 7301 >"$TMP/hold" 2>&1 &
HOLD=$!
await -t 20 "sockhold ready" grep -qs '^ready ' "$TMP/hold"
# $! may be the shell that ran inS: stop sockhold by its own pid too.
HOLD="$HOLD $(awk '/^ready /{ print $2 }' "$TMP/hold")"

# Normally: sockhold owns its three sockets.
inS "$TCPTOP" --json -b -n 1 >"$TMP/ok.json" || fail "tcptop (no limit)"
check "without a limit sockhold owns its 3 sockets" \
    [ "$(jq '[.connections[] | select(.comm == "holder")] | length' \
    "$TMP/ok.json")" -eq 3 ]
check "without a limit owners_failed is null" \
    [ "$(jq -c .owners_failed "$TMP/ok.json")" = null ]

# With 12 descriptors.
inS sh -c 'ulimit -n 12 && exec "$1" --json -b -n 1' sh "$TCPTOP" \
    >"$TMP/lim.json" 2>"$TMP/lim.err"
st=$?
check "tcptop ran under ulimit -n 12 (status $st)" [ "$st" -eq 0 ]
echo "owners: $(jq -c '[.owners, .owners_failed]' "$TMP/lim.json")"
withfile=$(jq '[.connections[] | select(.inode != 0)] | length' \
    "$TMP/lim.json")
check "none counted as hidden" [ "$(jq .owners.hidden "$TMP/lim.json")" -eq 0 ]
check "no connection says hidden" [ "$(jq \
    '[.connections[] | select(.owner == "hidden")] | length' \
    "$TMP/lim.json")" -eq 0 ]
check "the $withfile sockets with a file are in failed" \
    [ "$(jq .owners.failed "$TMP/lim.json")" -eq "$withfile" ]
check "owners_failed counts them" \
    [ "$(jq .owners_failed.count "$TMP/lim.json")" -eq "$withfile" ]
check "owners_failed says EMFILE" \
    jq -e '.owners_failed.reason | startswith("EMFILE: too many open files")' \
    "$TMP/lim.json" >/dev/null
check "the buckets add up to the total" [ "$(jq \
    '[.owners[]] | add' "$TMP/lim.json")" -eq "$(jq .total "$TMP/lim.json")" ]

inS sh -c 'ulimit -n 12 && exec "$1" -b -n 1' sh "$TCPTOP" \
    >"$TMP/lim.txt" 2>/dev/null
check "the text report says failed and why" \
    grep -q "hidden 0, .*failed $withfile (EMFILE: too many open files)" \
    "$TMP/lim.txt"

# The screen: the header says attribution failed, and why.
tmux_start 80 24 ip netns exec "$NS_S" sh -c \
    "ulimit -n 12 && exec '$TCPTOP' -d 1 --no-trace 2>/dev/null"
if wait_screen 'owners failed: EMFILE' 20; then
	ok "the header says owners failed: EMFILE"
else
	bad "the header says owners failed: EMFILE"
fi
check "the header does not call them hidden" \
    not grep -Eq "hidden [1-9]" "$SCREEN"
keys q

# A holder whose descriptors are refused: hidden, not in flight.
SOCKHOLD_NODUMP=1 inS "$SOCKHOLD" nodump 7302 >"$TMP/nodump" 2>&1 &
HOLD="$HOLD $!"
await -t 20 "the undumpable sockhold ready" grep -qs '^ready ' "$TMP/nodump"
HOLD="$HOLD $(awk '/^ready /{ print $2 }' "$TMP/nodump")"
inS unshare -U -r "$TCPTOP" --json -b -n 5 -d 0.2 >"$TMP/nodump.json" \
    2>"$TMP/nodump.err" || fail "tcptop in a user namespace:" \
    "$(head -c 300 "$TMP/nodump.err")"
last=$(tail -n 1 "$TMP/nodump.json")
port() { jq "[.connections[] | select(.local_port == 7302 or
    .remote_port == 7302)$1] | length" <<<"$last"; }
echo "nodump: $(jq -c .owners <<<"$last")"
check "its 3 sockets are hidden" [ "$(port ' | select(.owner == "hidden")')" -eq 3 ]
check "none of them is in flight" \
    [ "$(port ' | select(.owner == "in_flight")')" -eq 0 ]
check "the in_flight bucket is empty" [ "$(jq .owners.in_flight <<<"$last")" -eq 0 ]
inS unshare -U -r "$TCPTOP" -b -n 5 -d 0.2 >"$TMP/nodump.txt" 2>/dev/null
check "the text report has none in flight" \
    grep -q "in flight 0" "$TMP/nodump.txt"

summary owners-fail
