#!/bin/bash
#
# oneshot: a one-shot report (-b -n 1) does only what its output needs.
#
# In a private namespace tests/helpers/sockhold holds a listener and a
# connection under its own name.  A run of one refresh counts no
# transitions, so it must set up no tracepoint: its JSON says so
# (transitions_source "none: one refresh", the note, no losses counted,
# no events), its -v log says so, and strace sees no tracefs instance
# made, where a run of two refreshes, as control, makes one when the
# tracepoint works here.  Nothing touches the host's network.
#
# Environment: TCPTOP, NSHOLDER, SOCKHOLD.  Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
SOCKHOLD=${SOCKHOLD:-./tests/helpers/sockhold}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"

netns_require jq strace
require_bin TCPTOP SOCKHOLD
TCPTOP=$(abspath "$TCPTOP")

HOLDS=

cleanup()
{
	stop_pids $HOLDS
	netns_cleanup
}

test_tmpdir oneshot-test
netns_lone tcptop-oneshot

# sockhold: a LISTEN and two ESTABLISHED sockets on 127.0.0.1:7101.
inS "$SOCKHOLD" oneshot-hold 7101 >"$TMP/hold" 2>&1 &
HOLDS=$!
wait_until -t 20 "sockhold" grep -qs '^ready ' "$TMP/hold" ||
    fail "sockhold did not get ready: $(cat "$TMP/hold")"
HOLD_PID=$(awk '/^ready /{print $2}' "$TMP/hold")
# $! may be the shell that ran inS: stop sockhold by its own pid too.
HOLDS="$HOLDS $HOLD_PID"

# strace OUT CMD...: CMD in S under strace, its file system calls
# (the tracefs instance is a mkdir; /proc/PID/fd an open or a readlink)
# into OUT.
traced()
{
	local out=$1

	shift
	inS strace -f -qq -o "$out" -e trace=mkdir,mkdirat,openat,open,readlinkat,readlink \
	    "$@"
}

# --- the tracepoint ---------------------------------------------------------

traced "$TMP/one.strace" "$TCPTOP" -b -n 1 --json -v "$TMP/one.log" \
    >"$TMP/one.json" 2>"$TMP/err" || fail "tcptop -n 1: $(cat "$TMP/err")"
jq -e '.transitions_source == "none: one refresh" and
    (.transitions_note | test("one refresh")) and
    .transitions_lost == null and .notifications_lost == null and
    .events == [] and ([.transitions[].count] | add) == 0' \
    "$TMP/one.json" >/dev/null && ok "one refresh: JSON says none counted" ||
    bad "one refresh: $(jq -c '{transitions_source, transitions_note,
    transitions_lost, notifications_lost, events}' "$TMP/one.json")"
check "one refresh: the log says no tracepoint" \
    grep -q 'transitions: one refresh' "$TMP/one.log"
check "one refresh: no tracefs instance made" \
    not grep -q 'tracing/instances/tcptop' "$TMP/one.strace"
check "one refresh: still every socket ($(jq .total "$TMP/one.json"))" \
    [ "$(jq .total "$TMP/one.json")" -eq "$(inS ss -tanH | wc -l)" ]

# Control: two refreshes set the tracepoint up where it works.
traced "$TMP/two.strace" "$TCPTOP" -b -n 2 -d 0.1 --json \
    >"$TMP/two.json" 2>"$TMP/err" || fail "tcptop -n 2: $(cat "$TMP/err")"
src=$(last_report "$TMP/two.json" | jq -r .transitions_source)
if [ "$src" = exact ]; then
	check "two refreshes: a tracefs instance made (control)" \
	    grep -q 'tracing/instances/tcptop' "$TMP/two.strace"
else
	check "two refreshes: not the one-refresh source ($src)" \
	    [ "${src#none}" = "$src" ]
	echo "no tracepoint here ($src): the strace control is not run"
fi

summary oneshot
