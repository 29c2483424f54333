# lib-tmux.sh: drive tcptop on a tmux screen (sourced after lib-test.sh,
# not run).
#
# Each test has a tmux server of its own (tmux -L NAME -f /dev/null): no
# user configuration gets in, and killing it touches no other server.
#   tmux_init NAME [SESSION]  T, the tmux command of server
#                             tcptop-NAME-PID; SESSION (default ui) is
#                             the one keys and capture use.
#   tmux_start W H CMD        the session, a WxH window running CMD.
#   tmux_stop                 kill the server, remove its socket (safe
#                             twice, and before tmux_start).
#   keys KEY...               send-keys to the session.
#   capture                   the screen as text into $SCREEN.
#   show_screen               $SCREEN, indented, for a failure's report.
#   shows ERE                 capture; a line matches ERE.
#   wait_screen [-t S] ERE    until shows ERE, S seconds at most
#                             (default 5); on timeout the screen is shown
#                             and 1 returned.
# fail (lib-test.sh) shows the screen when there is one.

T=()
TMUX_SESSION=ui
TMUX_SOCKET=
SCREEN=

tmux_init()
{
	T=(tmux -L "tcptop-$1-$$" -f /dev/null)
	TMUX_SESSION=${2:-ui}
	SCREEN=$TMP/screen
}

tmux_start()
{
	"${T[@]}" new-session -d -s "$TMUX_SESSION" -x "$1" -y "$2" "$3" ||
	    return 1
	# The server leaves its socket behind: tmux_stop removes it.
	TMUX_SOCKET=$("${T[@]}" display-message -p '#{socket_path}')
}

tmux_stop()
{
	[ ${#T[@]} -gt 0 ] || return 0
	"${T[@]}" kill-server 2>/dev/null
	[ -n "$TMUX_SOCKET" ] && rm -f "$TMUX_SOCKET"
	TMUX_SOCKET=
}

keys() { "${T[@]}" send-keys -t "$TMUX_SESSION" "$@"; }
capture() { "${T[@]}" capture-pane -p -t "$TMUX_SESSION" >"$SCREEN"; }
show_screen() { sed 's/^/    | /' "$SCREEN"; }
shows() { capture && grep -Eq -- "$1" "$SCREEN"; }

wait_screen()
{
	local t=()

	if [ "$1" = -t ]; then
		t=(-t "$2")
		shift 2
	fi
	wait_until "${t[@]}" "/$1/ on the screen" shows "$1" && return 0
	echo "    the screen:"
	show_screen
	return 1
}

fail_hook()
{
	[ -n "$SCREEN" ] && [ ${#T[@]} -gt 0 ] || return 0
	capture 2>/dev/null || return 0
	echo "--- the screen:"
	cat "$SCREEN"
}
