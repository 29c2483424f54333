#!/bin/bash
#
# signals: every way a signal can end the interactive view gives the
# terminal back, with no root.
#
# Runs the real tcptop on --replay of tests/data/states.nlmsg in a tmux
# pane of its own, at 80x24, and ends it with each signal whose default
# action ends a process: those that ask it to stop (INT, TERM, HUP,
# QUIT, USR1, USR2, ALRM, PIPE, VTALRM, PROF, a real-time one) and the
# faults (SEGV, BUS, FPE, ILL, ABRT, TRAP, SYS, sent with kill).  After
# each: the exit status is 128 + N, stty in the pane shows icanon and
# echo, tmux says the alternate screen is left (#{alternate_on}) and the
# cursor shown (#{cursor_flag}); before it, tcptop had taken both.  Then
# TERM=dumb, an unknown TERM and no TERM: one line, exit status 2, the
# terminal never taken.
#
# The faults are sent, not caused: tcptop dies of the same signal once
# the terminal is back, so the shell sees 128 + N; core dumps are off in
# the pane (ulimit -c 0).
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

require tmux stty
require_bin TCPTOP
[ -r "$TESTDATA/states.nlmsg" ] || fail "no $TESTDATA/states.nlmsg"

TCPTOP=$(abspath "$TCPTOP")
TESTDATA=$(abspath "$TESTDATA")

cleanup() { screen_stop; }

test_tmpdir tcptop-signals
tmux_init signals
WHY=$TMP/why

# No core files from the faults.
PANE_WRAP=(sh -c 'ulimit -c 0 && exec "$@"' sh)
screen_init

# The pane's terminal as tmux sees it: "ALT CURSOR".
pane_modes() { "${T[@]}" display-message -p -t "$TMUX_SESSION" \
    '#{alternate_on} #{cursor_flag}'; }
modes_are()
{
	local got

	got=$(pane_modes)
	[ "$got" = "$1" ] && return 0
	echo "alternate_on cursor_flag: '$got', not '$1'" >>"$WHY"
	return 1
}

# check_signal SIG: tcptop on the screen, SIG sent, then 128 + N and the
# terminal back.
check_signal()
{
	local sig=$1 n

	n=$(kill -l "$sig") || return 1
	start -- -d 0.3 --replay "$TESTDATA/states.nlmsg" || return 1
	wait_screen 'replay ended' 15 || return 1
	# Taken: the alternate screen, no cursor.
	screen_until "tcptop to take the terminal" modes_are "1 0" ||
	    return 1
	kill -"$sig" "$PID" || return 1
	exited $((128 + n)) || return 1
	screen_until "the terminal to come back" modes_are "0 1"
}

# check_refused TERM=VALUE|"" WORDS: the interactive view refused in one
# line naming WORDS, status 2, nothing else on the screen and the
# terminal never taken.  "" runs it with no TERM at all.
check_refused()
{
	local -a cmd=(bash "$TMP/pane.sh" "$TMP/pid" env -i "PATH=$PATH"
	    "HOME=$TMP/home" "XDG_CONFIG_HOME=$TMP/cfg" LANG=C.UTF-8)

	[ -n "$1" ] && cmd+=("$1")
	mkdir -p "$TMP/home" "$TMP/cfg"
	"${T[@]}" respawn-pane -k -t "$TMUX_SESSION" "$(printf '%q ' \
	    "${cmd[@]}" "$TCPTOP" --replay "$TESTDATA/states.nlmsg")" ||
	    return 1
	exited 2 || return 1
	# Long lines joined, as the program wrote them.
	"${T[@]}" capture-pane -p -J -t "$TMUX_SESSION" | grep . >"$SCREEN"
	if ! sed -n 1p "$SCREEN" | grep -q \
	    "^tcptop: $2.*(use -b or --json for reports)\$"; then
		echo "    no one-line reason naming '$2' first"
		show_screen
		return 1
	fi
	if [ "$(wc -l <"$SCREEN")" -ne 3 ]; then
		echo "    more than the reason, the status and the modes"
		show_screen
		return 1
	fi
	modes_are "0 1" || { cat "$WHY"; return 1; }
}

T0=$(now_us)
for sig in INT TERM HUP QUIT USR1 USR2 ALRM PIPE VTALRM PROF RTMIN+3; do
	check "stop by SIG$sig: 128+N, icanon echo, main screen, cursor" \
	    check_signal "$sig"
done
for sig in SEGV BUS FPE ILL ABRT TRAP SYS; do
	check "fault SIG$sig: 128+N, icanon echo, main screen, cursor" \
	    check_signal "$sig"
done
check "TERM=dumb: refused, status 2, terminal untouched" \
    check_refused TERM=dumb "TERM=dumb cannot move the cursor"
check "unknown TERM: refused, status 2, terminal untouched" \
    check_refused TERM=no-such-term-$$ "TERM=no-such-term-$$: not a"
check "no TERM: refused, status 2, terminal untouched" \
    check_refused "" "TERM is not set"
echo "time: $((($(now_us) - T0) / 1000)) ms"
summary
