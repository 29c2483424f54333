#!/bin/bash
#
# mouse: clicks and the wheel on a real 80x24 screen (issue 13).
#
# tcptop runs in a tmux pane of its own, inside the private namespaces of
# lib-netns.sh where nsholder holds NS_N sockets (default 3) of each TCP
# state per family: more rows than the screen has.  The mouse is typed
# into the pane as the SGR reports an xterm sends (ESC [ < B ; X ; Y M for
# a press, m for a release; 1-based; the wheel is button 64 up, 65 down),
# with TERM=xterm-256color, whose terminfo tells ncurses to ask for them.
# It checks:
# - tcptop asks the terminal for mouse reports (tmux's pane flags), and
#   gives them back when it quits;
# - a click on the third row selects it: the highlight moves there, and
#   Enter shows that connection's details (its ports), not the first's;
# - a click on the RTT title sorts by rtt biggest first (status line and
#   arrow), a second click the other way;
# - the wheel moves the selection three rows a notch, and scrolls the
#   list once the selection leaves the screen;
# - a click on the key bar's "Help" opens the help;
# - --no-mouse, and mouse=0 in tcptoprc, leave the mouse to the terminal:
#   no reports asked for, so a click reaches tcptop as nothing at all
#   (the terminal selects text instead).  Typing a report into a pane
#   that did not ask for one would be no click but stray keys, so the
#   pane's modes are what is checked.
#
# Nothing waits by a bare sleep: screen_until polls against a deadline.
#
# Environment: TCPTOP, NSHOLDER, NS_N.  Exit 0 pass, 1 fail, 77 skip.

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
N=${NS_N:-3}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

netns_require tmux unshare stty
require_bin TCPTOP
require_count NS_N "$N"
TCPTOP=$(abspath "$TCPTOP")
WAIT=20

cleanup()
{
	screen_stop
	netns_cleanup
}

test_tmpdir tcptop-mouse
tmux_init mouse
SCREEN_E=$TMP/screen.e
WHY=$TMP/why

netns_setup tcptop-mouse
netns_hold "$N"
screen_host
PANE_WRAP+=(ip netns exec "$NS_S")
screen_init

# --- the mouse ----------------------------------------------------------

# click X Y: the left button pressed and let go at column X, line Y
# (1-based, as the terminal counts).
click()
{
	type_text $'\033'"[<0;$1;$2M" && type_text $'\033'"[<0;$1;$2m"
}

# wheel up|down X Y: one notch.
wheel()
{
	local b=64

	[ "$1" = down ] && b=65
	type_text $'\033'"[<$b;$2;$3M"
}

# The pane's mouse modes as tmux tracks them: "STANDARD SGR" flags.
mouse_flags()
{
	"${T[@]}" display-message -p -t "$TMUX_SESSION" \
	    '#{mouse_standard_flag} #{mouse_sgr_flag}'
}
mouse_is() { [ "$(mouse_flags)" = "$1" ]; }

# --- reading the screen -------------------------------------------------

# Capture with the attributes too; $SCREEN is the same moment without.
capture_both()
{
	"${T[@]}" capture-pane -p -e -t "$TMUX_SESSION" >"$SCREEN_E" &&
	    sed 's/\x1b\[[0-9;]*m//g' "$SCREEN_E" >"$SCREEN"
}

# The line of the selected row: the one list row drawn on cyan (the
# selection's colour; the sorted title and the key bar are outside the
# rows).
selected_line()
{
	local t

	t=$(title_line)
	[ -n "$t" ] || return 1
	awk -v a="$t" -v b=$((HEIGHT - 2)) \
	    'NR > a && NR <= b && /\033\[([0-9]+;)*46[;m]/ { print NR; exit }' \
	    "$SCREEN_E"
}

# selected_at Y: the highlight is on line Y.
selected_at()
{
	local got

	capture_both || return 1
	got=$(selected_line)
	[ "$got" = "$1" ] && return 0
	echo "highlight on line '${got}', not $1" >"$WHY"
	return 1
}

# The ports of line Y, one a line.
ports_of() { line "$1" | grep -oE ':[0-9]+' | tr -d :; }

# shows_ports PORT...: the screen shows each.
shows_ports()
{
	local p

	for p in "$@"; do
		grep -q ":$p\b" "$SCREEN" || {
			echo "port $p not on the screen" >>"$WHY"
			return 1
		}
	done
}

first_row() { list_rows | head -n 1 | cut -f2; }

# column_of Y TEXT: the 1-based column where TEXT starts on line Y, in
# characters (the titles hold a UTF-8 arrow), or 0.
column_of()
{
	local l pre

	l=$(line "$1")
	[[ $l == *"$2"* ]] || { echo 0; return; }
	pre=${l%%"$2"*}
	echo $((${#pre} + 1))
}

# --- the checks ---------------------------------------------------------

# The list, settled: rows and a selection.
start_list()
{
	start TERM=xterm-256color "$@" || return 1
	screen_until "the list with a selection" eval \
	    'capture_both && [ -n "$(selected_line)" ]'
}

check_flags()
{
	CFG=$TMP/cfg-on
	mkdir -p "$CFG"
	start_list -- -d 60 || return 1
	wait_until "mouse reports asked for" mouse_is "1 1" || {
		echo "    tmux says: $(mouse_flags)"
		return 1
	}
	keys q
	exited 0 || return 1
	wait_until "mouse reports given back" mouse_is "0 0" || {
		echo "    tmux says: $(mouse_flags) after quitting"
		return 1
	}
	# Kept in tcptoprc as the other choices are.
	grep -qx 'mouse=1' "$CFG/tcptop/tcptoprc" || {
		echo "    tcptoprc has no mouse=1:"
		cat "$CFG/tcptop/tcptoprc" 2>/dev/null
		return 1
	}
	CFG=
}

check_row()
{
	local t y1 y3 p1 p3

	# -d 60: one refresh, so rows stay where they were clicked; the
	# IPv4 established ones, each with a port of its own.
	start_list -- -d 60 -4 --state established || return 1
	t=$(title_line)
	y1=$((t + 1))
	y3=$((t + 3))
	screen_until "the first row selected" selected_at "$y1" || return 1
	p1=$(ports_of "$y1" | tr '\n' ' ')
	p3=$(ports_of "$y3" | tr '\n' ' ')
	if [ -z "$p3" ] || [ "$p1" = "$p3" ]; then
		echo "    rows 1 and 3 cannot be told apart: '$p1' '$p3'"
		show_screen
		return 1
	fi
	click 10 "$y3"
	screen_until "the third row selected" selected_at "$y3" || return 1
	keys Enter
	# shellcheck disable=SC2086
	screen_until "the detail of the third row (ports $p3)" \
	    shows_ports $p3 || return 1
	keys Escape
	wait_screen 'LOCAL.*REMOTE' || return 1
	screen_until "back on the third row" selected_at "$y3"
}

check_sort()
{
	local t x

	keys q
	exited 0 || return 1
	# RTT is among the first columns a full 80x24 screen drops.
	start_list -- -d 60 --columns local,remote,state,rtt || return 1
	t=$(title_line)
	x=$(column_of "$t" RTT)
	[ "$x" -gt 0 ] || { echo "    no RTT title"; show_screen; return 1; }
	click $((x + 1)) "$t"
	wait_screen '^sorted by rtt, biggest first' || return 1
	wait_screen 'RTT?▼' || return 1
	# The sort starts at the top again.
	screen_until "the first row selected" selected_at $((t + 1)) ||
	    return 1
	click "$x" "$t"
	wait_screen '^sorted by rtt($|[^,])' || return 1
	wait_screen 'RTT?▲'
}

check_wheel()
{
	local t first y

	capture_both || return 1
	t=$(title_line)
	first=$(first_row)
	selected_at $((t + 1)) || { cat "$WHY"; return 1; }
	wheel down 20 $((t + 2))
	screen_until "a notch down: three rows" selected_at $((t + 4)) ||
	    return 1
	wheel down 20 $((t + 2))
	screen_until "two notches down: six rows" selected_at $((t + 7)) ||
	    return 1
	wheel up 20 $((t + 2))
	screen_until "a notch up: three rows back" selected_at $((t + 4)) ||
	    return 1
	# Past the last row on screen: the list scrolls.
	for y in 1 2 3 4 5 6 7 8; do
		wheel down 20 $((t + 2))
	done
	screen_until "the list scrolled" eval \
	    '[ -n "$(first_row)" ] && [ "$(first_row)" != "$first" ]'
}

check_bar()
{
	local x

	capture_both || return 1
	x=$(column_of "$HEIGHT" Help)
	[ "$x" -gt 0 ] || { echo "    no Help on the bar"; return 1; }
	click "$x" "$HEIGHT"
	wait_screen 'tcptop keys' || return 1
	keys Escape
	wait_screen 'LOCAL.*REMOTE' || return 1
	keys q
	exited 0
}

# start_list ARGS: the list is up and no mouse reports are asked for;
# still none after a key went through (the help opens and closes).
check_off()
{
	start_list "$@" || return 1
	keys F1
	wait_screen 'tcptop keys' || return 1
	keys Escape
	wait_screen 'LOCAL.*REMOTE' || return 1
	mouse_is "0 0" || {
		echo "    tmux says: $(mouse_flags)"
		return 1
	}
	keys q
	exited 0
}

check_rc_off()
{
	CFG=$TMP/cfg-off
	mkdir -p "$CFG/tcptop"
	printf 'mouse=0\n' >"$CFG/tcptop/tcptoprc"
	check_off -- -d 60 || return 1
	grep -qx 'mouse=0' "$CFG/tcptop/tcptoprc" || {
		echo "    tcptoprc lost mouse=0:"
		cat "$CFG/tcptop/tcptoprc"
		return 1
	}
	CFG=
}

check "tcptop asks for mouse reports and gives them back on q" check_flags
check "a click on the third row selects it; Enter shows it" check_row
check "a click on RTT sorts biggest first, again the other way" check_sort
check "the wheel moves three rows a notch and scrolls" check_wheel
check "a click on Help in the key bar opens the help" check_bar
check "--no-mouse: no mouse reports asked for" \
    check_off -- -d 60 --no-mouse
check "mouse=0 in tcptoprc: the same, and the file keeps it" check_rc_off

summary mouse
