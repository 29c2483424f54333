#!/bin/bash
#
# replay: the screens of a recorded replay against golden screens, with
# no root.
#
# Runs the real tcptop on --replay of tests/data/states.nlmsg in a tmux
# server of its own and checks its last frame against
# tests/golden/replay-80x24.txt and replay-40x12.txt, and the state
# diagram (t): its boxes count what the histogram counted, split over
# the list, then full screen, against diagram-WxH.txt and
# diagram-WxH-full.txt at 80x24 and 132x43.  GENERATE=1 writes the
# golden screens instead (then read the diff).
#
# The header shows the host name: each tcptop runs in a UTS namespace
# whose host name is "host" (unshare -u as root, unshare -r -u in a user
# namespace of its own without root), with a clean environment.
#
# Environment: TCPTOP, TESTDATA, GENERATE.  Exit 0 pass, 1 fail, 77 skip
# (a failure under CI=true).

# Runs beside the namespace tests (tests/lib/lock-run.sh):
# a replay in a tmux server of its own.
# tests-lock: none
set -u
# The screen holds UTF-8 (arrows, bars, the ellipsis) that grep, sed and
# tmux itself must read as characters, whatever the caller's locale.
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/../data}
GOLDEN=$(dirname "$0")/../golden

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

require tmux unshare hostname stty
require_bin TCPTOP
[ -r "$TESTDATA/states.nlmsg" ] || fail "no $TESTDATA/states.nlmsg"

# The pane starts elsewhere: every path it gets must be absolute.
TCPTOP=$(abspath "$TCPTOP")
TESTDATA=$(abspath "$TESTDATA")
GOLDEN=$(abspath "$GOLDEN")

cleanup() { screen_stop; }

test_tmpdir tcptop-replay
tmux_init replay
WHY=$TMP/why		# what the last predicate found wrong

screen_host
screen_init

# Two captures in a row alike: the terminal has taken the whole frame.
settled()
{
	cmp -s "$SCREEN" "$TMP/previous" && return 0
	cp "$SCREEN" "$TMP/previous"
	return 1
}

same_as()
{
	cmp -s "$SCREEN" "$1" && return 0
	echo "differs from $1 (- golden, + now):" >>"$WHY"
	diff -u "$1" "$SCREEN" | tail -n +3 >>"$WHY"
	return 1
}

# golden FILE: the screen settles on FILE (GENERATE=1: becomes FILE).
golden()
{
	local gold=$1

	if [ -n "${GENERATE:-}" ]; then
		: >"$TMP/previous"
		screen_until "the screen to settle" settled || return 1
		mkdir -p "$(dirname "$gold")" && cp "$SCREEN" "$gold" ||
		    return 1
		echo "    wrote $gold"
	elif [ ! -f "$gold" ]; then
		echo "    no $gold (GENERATE=1 $0 makes it)"
		return 1
	else
		screen_until "the screen of $gold" same_as "$gold" || return 1
	fi
}

# replay W H: the recording replayed at W x H, to its end.
replay()
{
	size "$1" "$2"
	start -- -d 0.3 --replay "$TESTDATA/states.nlmsg" || return 1
	wait_screen 'replay ended'
}

# The replay's last frame, compared with tests/golden/replay-WxH.txt.
check_golden()
{
	replay "$1" "$2" || return 1
	golden "$GOLDEN/replay-$1x$2.txt" || return 1
	keys q
	exited 0
}

# "STATE COUNT" for each box of the diagram: "[NAME  N]" or, framed,
# "│ NAME  N │"; CLOSED counts as CLOSE (the sink, "[CLOSED]" at the
# bottom, has no count).
diagram_counts()
{
	awk -v states="$STATES" '
	BEGIN { n = split(states, s, /[ \n]+/); for (i = 1; i <= n; i++) k[s[i]] }
	{
		line = $0
		while (match(line, /[[│] *[A-Z_0-9]+ +[0-9]+ *[]│]/)) {
			box = substr(line, RSTART + 1, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
			split(box, f, / +/)
			i = f[1] == "" ? 2 : 1
			if (f[i] == "CLOSED")
				f[i] = "CLOSE"
			if (f[i] in k)
				print f[i], f[i + 1]
		}
		if (pending && match($0, /│ *[0-9]+ *│/)) {
			v = substr($0, RSTART + 1, RLENGTH - 2)
			gsub(/[ │]/, "", v)
			print "CLOSE", v
		}
		pending = $0 ~ /│ *CLOSED *│/
	}' "$SCREEN"
}

# The boxes count what the histogram counted ($WANT).
boxes_are_want()
{
	local got

	got=$(diagram_counts | sort)
	[ "$got" = "$WANT" ] && return 0
	echo "boxes: $(echo $got); histogram: $(echo $WANT)" >>"$WHY"
	return 1
}

# At least $1 rows of the list under the diagram.
rows_under()
{
	local n

	n=$(list_rows | grep -cE "$STATE_RE")
	[ "$n" -ge "$1" ] && return 0
	echo "$n list rows under the diagram, wanted $1" >>"$WHY"
	return 1
}

# The replay's histogram, then its diagram at W x H, against the golden
# screen tests/golden/diagram-WxH.txt.
check_diagram_golden()
{
	local w=$1 h=$2

	replay "$w" "$h" || return 1
	WANT=$(hist_counts | sort)
	# The compact histogram (below 40 rows) leaves out CLOSE at 0; the
	# diagram's box counts it.
	echo "$WANT" | grep -q '^CLOSE ' ||
	    WANT=$(printf '%s\nCLOSE 0\n' "$WANT" | sort)
	[ "$(echo "$WANT" | wc -l)" -eq 11 ] ||
	    { echo "    the histogram shows $(echo "$WANT" | wc -l) states"
	    show_screen; return 1; }
	keys t
	wait_screen '^TCP states: sampled every 0.3 s' || return 1
	screen_until "the boxes to count what the histogram did" \
	    boxes_are_want || return 1
	golden "$GOLDEN/diagram-${w}x$h.txt" || return 1
	# Split: the connection list under the diagram, a few rows of it.
	screen_until "list rows under the diagram" rows_under 5 || return 1
	# t again: full screen, the edges listed under the diagram, and
	# no list.
	keys t
	wait_screen '^ EDGE +COUNT +RATE' || return 1
	screen_until "the boxes to count what the histogram did" \
	    boxes_are_want || return 1
	[ -z "$(title_line)" ] || { echo "    the list is still shown"
		show_screen; return 1; }
	golden "$GOLDEN/diagram-${w}x$h-full.txt" || return 1
	# t again: the histogram is back.
	keys t
	wait_gone '^TCP states:' || return 1
	wait_screen '^LISTEN +6 ' || return 1
	keys q
	exited 0
}

T0=$(now_us)
check "12 golden replay screen at 80x24" check_golden 80 24
check "12 golden replay screen at 40x12" check_golden 40 12
check "13 t: diagram over 5+ list rows, boxes count as the histogram; golden 80x24; t full; t hides" \
    check_diagram_golden 80 24
check "13 t: diagram over 5+ list rows, boxes count as the histogram; golden 132x43; t full; t hides" \
    check_diagram_golden 132 43
echo "time: $((($(now_us) - T0) / 1000)) ms"
summary
