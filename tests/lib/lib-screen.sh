# lib-screen.sh: tcptop's own screen in a tmux pane (sourced after
# lib-test.sh and lib-tmux.sh, not run).
#
# The script calls test_tmpdir and tmux_init, then screen_host (and may
# add words to PANE_WRAP: ip netns exec NS), then screen_init; its
# cleanup calls screen_stop.
#   screen_host             PANE_WRAP runs a command where the host name
#                           is "host", so the header is the same on every
#                           machine (at 40 columns a longer name would
#                           push the count off): unshare -u, or unshare
#                           -r -u (a user namespace of its own) without
#                           the privilege; skip when neither works.
#   screen_init             the pane's program in $TMP and an 80x24
#                           window, idle.
#   start [VAR=VALUE...] [-- TCPTOP-ARGS...]  tcptop in the pane under
#                           PANE_WRAP with a clean environment; sets PID.
#                           CFG names its XDG_CONFIG_HOME (default: a new
#                           one for each start).
#   screen_stop             tmux_stop, then kill every tcptop started
#                           that outlived the server.
#   size W H                resize the window (sets WIDTH and HEIGHT).
#   type_text TEXT          send TEXT as typed, not as key names.
#   exited WANT             tcptop ended with status WANT, and the
#                           terminal is back in canonical mode with echo.
# Reading the last capture ($SCREEN):
#   line N, status_line     line N, the status line;
#   title_line, title_shown the line number of the column titles;
#   list_rows               "LINENO<TAB>TEXT" of each connection row;
#   hist_counts             "STATE COUNT" of each state in the histogram;
#   STATES, STATE_RE        the states in the histogram's order.

# The histogram's order, netstat spelling as tcptop shows them.
STATES="LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2
CLOSE_WAIT LAST_ACK CLOSING TIME_WAIT CLOSE"
STATE_RE="(${STATES//[$'\n ']/|})"

PANE_WRAP=()
PID=
PIDS=			# every tcptop the test started
CFG=			# XDG_CONFIG_HOME of the next start: new when empty
STARTS=0
WIDTH=80
HEIGHT=24

screen_host()
{
	local u

	for u in "unshare -u" "unshare -r -u"; do
		PANE_WRAP=($u sh -c 'hostname host && exec "$@"' sh)
		[ "$("${PANE_WRAP[@]}" uname -n 2>/dev/null)" = host ] &&
		    return 0
	done
	PANE_WRAP=()
	skip "cannot set the host name in a UTS namespace (unshare -u," \
	    "unshare -r -u)"
}

# The pane's program: the command, then its exit status and whether the
# terminal is back in canonical mode with echo, then it idles so the
# screen can be read.  The subshell writes its pid and execs, so that pid
# is tcptop's itself (unshare, sh, ip netns exec and env exec too).
screen_init()
{
	cat >"$TMP/pane.sh" <<'EOF'
#!/bin/bash
pidfile=$1
shift
( echo "$BASHPID" >"$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile" &&
    exec "$@" )
echo "EXIT=$?"
stty -a | tr ' ;' '\n\n' | grep -E '^-?(icanon|echo)$' | tr '\n' ' '
echo
exec sleep 600
EOF
	WIDTH=80
	HEIGHT=24
	tmux_start $WIDTH $HEIGHT "exec sleep 600" ||
	    fail "tmux new-session failed"
}

screen_stop()
{
	local pid

	tmux_stop
	# kill-server hangs up on the panes; anything that outlived it
	# goes now.
	for pid in $PIDS; do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tcptop ] &&
		    kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

size()
{
	WIDTH=$1
	HEIGHT=$2
	"${T[@]}" resize-window -t "$TMUX_SESSION" -x "$1" -y "$2"
}

type_text() { "${T[@]}" send-keys -t "$TMUX_SESSION" -l "$1"; }

# The user's TERM, locale, NO_COLOR and settings never get in.
start()
{
	local -a envs=() cmd
	local t0 v cfg

	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	# tcptop saves its settings on the way out, killed by respawn-pane
	# too: unless a check names one, each run gets a new directory.
	STARTS=$((STARTS + 1))
	cfg=${CFG:-$TMP/cfg.$STARTS}
	mkdir -p "$TMP/home" "$cfg"
	cmd=(bash "$TMP/pane.sh" "$TMP/pid" "${PANE_WRAP[@]}" env -i
	    "PATH=$PATH" "HOME=$TMP/home" TERM=tmux-256color LANG=C.UTF-8
	    TZ=UTC "XDG_CONFIG_HOME=$cfg")
	# Sanitizer builds: keep their settings.
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && cmd+=("$v=${!v}")
	done
	cmd+=("${envs[@]}" "$TCPTOP" "$@")
	rm -f "$TMP/pid"
	"${T[@]}" respawn-pane -k -t "$TMUX_SESSION" \
	    "$(printf '%q ' "${cmd[@]}")" || return 1
	t0=$(now_us)
	while [ ! -s "$TMP/pid" ]; do
		if [ $(($(now_us) - t0)) -gt 5000000 ]; then
			echo "    the pane did not start tcptop within 5 s"
			return 1
		fi
		sleep 0.02
	done
	PID=$(cat "$TMP/pid")
	PIDS="$PIDS $PID"
}

EXIT_RE='^EXIT=([0-9]+)'
exited()
{
	local got modes

	wait_screen "$EXIT_RE" || return 1
	# stty runs after the status is printed.
	wait_screen '^-?icanon -?echo' || return 1
	got=$(sed -nE "s/$EXIT_RE.*/\1/p" "$SCREEN" | head -n 1)
	modes=$(grep -A1 -E "$EXIT_RE" "$SCREEN" | tail -n 1)
	if [ "$got" != "$1" ]; then
		echo "    exit status $got, not $1"
		show_screen
		return 1
	fi
	if ! [[ " $modes " == *" icanon "* && " $modes " == *" echo "* ]]
	then
		echo "    terminal not restored: stty says '$modes'"
		return 1
	fi
}

line() { sed -n "$1p" "$SCREEN"; }
status_line() { line $((HEIGHT - 1)); }

title_line() { grep -n -m1 'LOCAL.*REMOTE' "$SCREEN" | cut -d: -f1; }
title_shown() { [ -n "$(title_line)" ]; }

# Between the titles and the status line.
list_rows()
{
	local t

	t=$(title_line)
	[ -n "$t" ] || return 0
	# The rows end at the first blank line: what a quiet screen writes
	# under them (the owner buckets' note) is no row.
	awk -v a="$t" -v b=$((HEIGHT - 2)) \
	    'NR > a && NR <= b { if ($0 !~ /[^ ]/) exit; print NR "\t" $0 }' \
	    "$SCREEN"
}

# Every state name with a number after it in the histogram (the lines
# above the column titles, under the header).
hist_counts()
{
	local t

	t=$(title_line)
	[ -n "$t" ] || return 0
	# Narrow screens use the five-cell names (tcpstate.c), in the order
	# of STATES.
	sed -n "2,$((t - 1))p" "$SCREEN" | awk -v states="$STATES" \
	    -v briefs="LISTN SYNSN SYNRC ESTAB FINW1 FINW2 CLSWT LSACK CLSNG TIMEW CLOSE" '
	BEGIN {
		n = split(states, s, /[ \n]+/)
		split(briefs, b, / /)
		for (i = 1; i <= n; i++) {
			k[s[i]] = s[i]
			k[b[i]] = s[i]
		}
	}
	{
		for (i = 1; i < NF; i++)
			if (($i in k) && $(i + 1) ~ /^[0-9]+$/)
				print k[$i], $(i + 1)
	}'
}
