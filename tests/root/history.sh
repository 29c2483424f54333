#!/bin/bash
#
# history: what tcptop learned about a connection survives the
# operator's own filters.  A row that a port filter or a family key
# hides and brings back keeps its time in state: it never starts again
# from 0s.  Driven through tmux at 80x24 as a user would.
#
# In the private namespaces of lib-netns.sh, nsholder holds one socket
# of each TCP state per family (ESTABLISHED to :9004, CLOSE_WAIT from
# :9007).  tcptop runs in S with -p 9004.  Once the IPv4 ESTABLISHED
# row has been in its state for A0 seconds (seen at time T0), the port
# filter goes to 9007 and back, then the IPv4 rows go (key 6) and come
# back: each time the row must show at least A0 plus the time since T0,
# less 2 s of refresh and rounding.  A reset row shows at most the time
# since it came back, which is less.
#
# Nothing waits by a bare sleep: screen_until polls against a deadline.
#
# Environment: TCPTOP, NSHOLDER.  Exit 0 pass, 1 fail, 77 skip (a
# failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
A0_MIN=8		# seconds in state before the filters change

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

netns_require tmux
require_bin TCPTOP
TCPTOP=$(abspath "$TCPTOP")

PID=
PIDS=

cleanup()
{
	screen_stop
	netns_cleanup
}

test_tmpdir tcptop-history
tmux_init history
WHY=$TMP/why

netns_setup tcptop-hist
netns_hold 1

# Seconds in a time in state as the list shows it (12s+, 1m05s, 2h03m).
seconds()
{
	echo "$1" | awk '{
		t = $0; s = 0
		sub(/\+$/, "", t)
		while (match(t, /^[0-9]+[dhms]/)) {
			v = substr(t, 1, RLENGTH - 1)
			u = substr(t, RLENGTH, 1)
			f = u == "d" ? 86400 : u == "h" ? 3600 : u == "m" ? 60 : 1
			s += v * f
			t = substr(t, RLENGTH + 1)
		}
		if (t != "") {
			print -1
			exit
		}
		print s
	}'
}

# The IPv4 ESTABLISHED row to :9004: its time in state into AGE (the
# column after STATE).  Fails while it is not on the screen.
age_of_row()
{
	local a

	a=$(awk '$1 == "v4" && $3 ~ /:9004$/ && $4 == "ESTABLISHED" {
	    print $5; exit }' "$SCREEN")
	[ -n "$a" ] || { echo "no v4 ESTABLISHED row to :9004" >"$WHY"; \
	    return 1; }
	AGE=$(seconds "$a")
	[ "$AGE" -ge 0 ] || { echo "cannot read the time '$a'" >"$WHY"; \
	    return 1; }
}

aged() { age_of_row && [ "$AGE" -ge "$A0_MIN" ]; }

# The row is back and shows at least A0 + the time since T0 - 2.
kept()
{
	local want

	age_of_row || return 1
	want=$((A0 + ($(now_us) - T0) / 1000000 - 2))
	if [ "$AGE" -lt "$want" ]; then
		echo "$1: the row shows ${AGE}s in state, not at least" \
		    "${want}s: its history was lost"
		show_screen
		return 1
	fi
	ok "$1: the row kept its time in state (${AGE}s >= ${want}s)"
}

screen_init
PANE_WRAP=(ip netns exec "$NS_S")
start -- -d 0.5 -p 9004 --no-trace || fail "could not start tcptop"
screen_until -t 60 "the ESTABLISHED row in its state for ${A0_MIN}s" \
    aged || fail "the row never aged"
T0=$(now_us)
A0=$AGE

# The port filter away and back.
keys p C-u
type_text 9007
keys Enter
wait_screen ' CLOSE_WAIT ' 20 || fail "p 9007 shows no CLOSE_WAIT row"
wait_gone ':9004 ' 20 || fail "p 9007 still shows :9004"
keys p C-u
type_text 9004
keys Enter
screen_until -t 20 "the row back after p 9004" age_of_row ||
    fail "p 9004 does not show the row again"
kept "port filter 9007, then 9004" || bad "port filter"

# Shown never more than held.
counted() { status_line | grep -Eq '^[0-9]+ of [0-9]+ shown'; }
screen_until -t 20 "the count on the status line" counted ||
    fail "no count on the status line"
set -- $(status_line | sed -E 's/^([0-9]+) of ([0-9]+) shown.*/\1 \2/')
check "the status line shows $1 of $2" test "$1" -le "$2"

# The family away and back.
keys 6
wait_gone '^ *v4 ' 20 || fail "key 6 leaves IPv4 rows"
keys 6
screen_until -t 20 "the row back after 6 6" age_of_row ||
    fail "6 6 does not show the row again"
kept "IPv6 only, then both" || bad "family"

keys q
exited 0 || bad "tcptop did not quit cleanly"
summary history
