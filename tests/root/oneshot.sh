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
# tracepoint works here.  A report that shows no owner reads no
# /proc/PID/fd: text without a PID, PROCESS or USER column, and
# --no-owners (JSON: owners null and the note says why), where the
# default text and JSON, as controls, read sockhold's and name it as ss
# -tanp does.  Nothing touches the host's network.
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

# traced OUT CMD...: CMD in S under strace, its file system calls
# (the tracefs instance is a mkdir; /proc/PID/fd an open or a readlink)
# into OUT.  LeakSanitizer cannot run under ptrace: a sanitizer build
# checks leaks in the other tests, not here.
traced()
{
	local out=$1

	shift
	inS env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -qq -o "$out" \
	    -e trace=mkdir,mkdirat,openat,open,readlinkat,readlink "$@"
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

# --- the owners -------------------------------------------------------------

# read_fds STRACE: whether the run read sockhold's descriptors.
read_fds() { grep -Eq "\"(/proc/)?$HOLD_PID/fd\"" "$1"; }
# ss's owner of the listener on 7101: "comm pid".
ss_owner() { inS ss -tlnpH 'sport = :7101' | grep -o '"[^"]*",pid=[0-9]*' |
    head -n 1 | sed 's/^"\([^"]*\)",pid=/\1 /'; }

traced "$TMP/text.strace" "$TCPTOP" -b -n 1 --columns state,local,remote \
    >"$TMP/text.txt" 2>"$TMP/err" || fail "tcptop text: $(cat "$TMP/err")"
check "text without owner columns: no /proc/$HOLD_PID/fd read" \
    not read_fds "$TMP/text.strace"
check "text without owner columns: no owner counts claimed" \
    not grep -q 'owners:' "$TMP/text.txt"
check "text without owner columns: the listener listed" \
    grep -q 'LISTEN.*127.0.0.1:7101' "$TMP/text.txt"

traced "$TMP/deftext.strace" "$TCPTOP" -b -n 1 >"$TMP/deftext.txt" \
    2>"$TMP/err" || fail "tcptop default text: $(cat "$TMP/err")"
check "default text (PROCESS column): /proc/$HOLD_PID/fd read" \
    read_fds "$TMP/deftext.strace"
check "default text: the owner shown" \
    grep -q '127.0.0.1:7101 .*LISTEN.*oneshot-hold' "$TMP/deftext.txt"

traced "$TMP/json.strace" "$TCPTOP" -b -n 1 --json >"$TMP/json.json" \
    2>"$TMP/err" || fail "tcptop json: $(cat "$TMP/err")"
check "JSON: /proc/$HOLD_PID/fd read" read_fds "$TMP/json.strace"
owner=$(jq -r '.connections[] | select(.state == "LISTEN" and
    .local_port == 7101) | "\(.comm) \(.pid)"' "$TMP/json.json")
check "JSON: the listener's owner as ss -tanp ($owner)" \
    [ "$owner" = "$(ss_owner)" ]

traced "$TMP/no.strace" "$TCPTOP" -b -n 1 --json --no-owners \
    >"$TMP/no.json" 2>"$TMP/err" || fail "tcptop --no-owners: $(cat "$TMP/err")"
check "--no-owners: no /proc/$HOLD_PID/fd read" not read_fds "$TMP/no.strace"
jq -e '.owners == null and .owners_checked_every == null and
    .owners_note == "--no-owners: processes not read" and
    ([.connections[] | select(.owner != null or .pid != null or
    .comm != null or .user != null)] | length) == 0 and
    .total == (.connections | length) and .total >= 3' "$TMP/no.json" \
    >/dev/null && ok "--no-owners: owners null, the note says why" ||
    bad "--no-owners: $(jq -c '{owners, owners_note, total}' "$TMP/no.json")"

summary oneshot
