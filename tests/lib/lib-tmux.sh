# lib-tmux.sh: drive tcptop on a tmux screen (sourced after lib-test.sh,
# not run).
#
# Each test has a tmux server of its own (tmux -L NAME -f /dev/null): no
# user configuration gets in, and killing it touches no other server.
#   tmux_init NAME [SESSION]  (after test_tmpdir) T, the tmux command of
#                             server tcptop-NAME-PID, $SCREEN in $TMP;
#                             SESSION (default ui) is the one keys and
#                             capture use (a test with several sets
#                             TMUX_SESSION for a call).
#   tmux_start W H CMD...     the session, a WxH window running CMD (a
#                             shell command, or the words of one).
#   tmux_stop                 kill the server, remove its socket (safe
#                             twice, and before tmux_start).
#   keys KEY...               send-keys to the session.
#   capture                   the screen as text into $SCREEN.
#   show_screen               $SCREEN, indented, for a failure's report.
#   shows ERE                 capture; a line matches ERE.
#   screen_until [-t S] DESC CMD...  capture, then CMD (which reads
#                             $SCREEN), until it succeeds, S seconds at
#                             most (default $WAIT or 5); on timeout the
#                             screen is shown, with what CMD wrote to
#                             $WHY when the script sets WHY, and 1
#                             returned.
#   wait_screen ERE [S]       screen_until a line matches ERE;
#   wait_gone ERE [S]         until none does.
# fail (lib-test.sh) shows the screen when there is one.

T=()
TMUX_SESSION=ui
TMUX_SOCKET=
SCREEN=
SCREEN_SHOWN=
WHY=

tmux_init()
{
	T=(tmux -L "tcptop-$1-$$" -f /dev/null)
	# Where tmux(1) puts the socket of -L NAME.
	TMUX_SOCKET=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/tcptop-$1-$$
	TMUX_SESSION=${2:-ui}
	SCREEN=$TMP/screen
}

tmux_start()
{
	"${T[@]}" new-session -d -s "$TMUX_SESSION" -x "$1" -y "$2" "${@:3}"
}

# The server leaves its socket behind, even when it exits with its last
# pane.
tmux_stop()
{
	[ ${#T[@]} -gt 0 ] || return 0
	"${T[@]}" kill-server 2>/dev/null
	rm -f "$TMUX_SOCKET"
}

keys() { "${T[@]}" send-keys -t "$TMUX_SESSION" "$@"; }
capture()
{
	SCREEN_SHOWN=
	"${T[@]}" capture-pane -p -t "$TMUX_SESSION" >"$SCREEN"
}
# fail need not show again a screen just shown.
show_screen() { sed 's/^/    | /' "$SCREEN"; SCREEN_SHOWN=1; }
shows() { capture && grep -Eq -- "$1" "$SCREEN"; }

screen_until()
{
	local t=() desc

	if [ "$1" = -t ]; then
		t=(-t "$2")
		shift 2
	fi
	desc=$1
	shift
	wait_until "${t[@]}" "$desc" screen_try "$@" && return 0
	[ -n "$WHY" ] && [ -s "$WHY" ] && sed 's/^/    /' "$WHY"
	echo "    the screen:"
	show_screen
	return 1
}

# One attempt of screen_until: a fresh $WHY, a fresh capture, CMD.
screen_try()
{
	[ -z "$WHY" ] || : >"$WHY"
	capture && "$@"
}

wait_screen()
{
	screen_until -t "${2:-${WAIT:-5}}" "/$1/ on the screen" \
	    grep -Eq -- "$1" "$SCREEN"
}

wait_gone()
{
	screen_until -t "${2:-${WAIT:-5}}" "/$1/ to go" \
	    not grep -Eq -- "$1" "$SCREEN"
}

# tcptop_screen NAME [VAR=VALUE...] [CMD...] -- ARGS...: tcptop on an
# 80x24 screen in namespace NS_S, run through CMD (setpriv, say) with a
# clean environment plus the VARs and the sanitizers' options, its
# settings under $TMP/xdg$XDG_SUFFIX, its stderr into $TMP/NAME.err and
# its exit status into $TMP/NAME.rc.
tcptop_screen()
{
	local name=$1 pre=() envs=() v

	shift
	while [ "$1" != -- ]; do
		if [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
			envs+=("$1")
		else
			pre+=("$1")
		fi
		shift
	done
	shift
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && envs+=("$v=${!v}")
	done
	tmux_start 80 24 sh -c '"$@" 2>"$0.err"; echo $? >"$0.rc"' \
	    "$TMP/$name" "$(command -v ip)" netns exec "$NS_S" "${pre[@]}" \
	    env -i TERM=xterm-256color LANG=C.UTF-8 TZ=UTC \
	    XDG_CONFIG_HOME="$TMP/xdg${XDG_SUFFIX:-}" "${envs[@]}" "$TCPTOP" \
	    "$@"
}

# tcptop_quit NAME: q, then tcptop_screen NAME's tcptop must end with
# status 0 and nothing on stderr (ok or bad).
tcptop_quit()
{
	keys q
	if wait_until -t 30 "tcptop to quit" test -s "$TMP/$1.rc" &&
	    [ "$(cat "$TMP/$1.rc")" = 0 ] && [ ! -s "$TMP/$1.err" ]; then
		ok "$1: quit with status 0, nothing on stderr"
	else
		bad "$1: status $(cat "$TMP/$1.rc" 2>/dev/null), stderr:"
		head -c 2000 "$TMP/$1.err" 2>/dev/null
	fi
}

fail_hook()
{
	[ -n "$SCREEN" ] && [ ${#T[@]} -gt 0 ] && [ -z "$SCREEN_SHOWN" ] ||
	    return 0
	capture 2>/dev/null || return 0
	echo "--- the screen:"
	cat "$SCREEN"
}
