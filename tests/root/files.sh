#!/bin/bash
#
# files: tcptoprc is never written through a link or into another
# user's file or directory (root under "sudo -E" with a user's HOME),
# a new one is 0600, and a save keeps the user's comments and unknown
# keys.
#
# Runs the real tcptop on --replay of tests/data/states.nlmsg in a tmux
# server of its own, as root, with XDG_CONFIG_HOME pointing at files
# this script makes (some owned by nobody, uid 65534), changes the sort
# with '>' and quits with q, which saves.  The refusals must be said on
# the status line at start (or, for a link put there while tcptop runs,
# in one line on stderr at quit), and the files must be as they were.
#
# Environment: TCPTOP, TESTDATA.  Exit 0 pass, 1 fail, 77 skip (root
# only; a failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/../data}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

require_root "chown to nobody and the saves of root"
require tmux unshare hostname stty
require_bin TCPTOP
[ -r "$TESTDATA/states.nlmsg" ] || fail "no $TESTDATA/states.nlmsg"
TCPTOP=$(abspath "$TCPTOP")
TESTDATA=$(abspath "$TESTDATA")
NOBODY=65534

cleanup() { screen_stop; }

test_tmpdir tcptop-files
tmux_init files
screen_host
screen_init

wait_frame() { wait_screen '[0-9]+ sockets?' "$@"; }

# run_and_quit CFG MSG [VAR=VALUE...]: tcptop on the replay with
# XDG_CONFIG_HOME=CFG; when MSG (an ERE) is not empty, the status line
# says it at start; then the sort changes with '>'.
run_and_quit()
{
	local cfg=$1 msg=$2

	shift 2
	size 80 24
	CFG=$TMP/unused start "XDG_CONFIG_HOME=$cfg" "$@" -- \
	    --replay "$TESTDATA/states.nlmsg" -d 0.3 || return 1
	wait_frame || return 1
	if [ -n "$msg" ]; then
		wait_screen "$msg" || return 1
	fi
	keys '>'
	wait_screen 'sorted by' || return 1
}

# The file $1 holds exactly what the copy $2 holds.
same_file()
{
	cmp -s "$1" "$2" && return 0
	echo "    $1 was changed:"
	diff "$2" "$1" | sed 's/^/    /'
	return 1
}

check_symlink()
{
	local d=$TMP/cfg-link

	mkdir -p "$d/tcptop"
	printf '# root'"'"'s own file\ndelay=7\n' >"$TMP/target"
	cp "$TMP/target" "$TMP/target.orig"
	ln -s "$TMP/target" "$d/tcptop/tcptoprc"
	run_and_quit "$d" 'not be saved: tcptoprc is a symbolic link' ||
	    return 1
	keys q
	exited 0 || return 1
	[ -L "$d/tcptop/tcptoprc" ] ||
	    { echo "    the link was replaced"; return 1; }
	same_file "$TMP/target" "$TMP/target.orig"
}

check_other_owner()
{
	local d=$TMP/cfg-other

	mkdir -p "$d/tcptop"
	printf 'delay=7\n' >"$d/tcptop/tcptoprc"
	chown "$NOBODY:$NOBODY" "$d/tcptop/tcptoprc"
	cp -p "$d/tcptop/tcptoprc" "$TMP/other.orig"
	run_and_quit "$d" 'tcptoprc is owned by uid 65534' || return 1
	keys q
	exited 0 || return 1
	same_file "$d/tcptop/tcptoprc" "$TMP/other.orig" || return 1
	[ "$(stat -c %u "$d/tcptop/tcptoprc")" = $NOBODY ] ||
	    { echo "    the file changed owner"; return 1; }
}

# sudo -E: root with the user's HOME makes nothing in it.
check_user_home()
{
	local h=$TMP/user

	mkdir -p "$h"
	chown "$NOBODY:$NOBODY" "$h"
	run_and_quit "$h/.config" 'not be saved: will not make a directory' \
	    "HOME=$h" || return 1
	keys q
	exited 0 || return 1
	[ -z "$(ls -A "$h")" ] ||
	    { echo "    made in the user's home:"; ls -lAR "$h"; return 1; }
	# The user's own config directory: no file made in it either.
	mkdir -p "$h/.config/tcptop"
	chown -R "$NOBODY:$NOBODY" "$h/.config"
	run_and_quit "$h/.config" \
	    'not be saved: the directory is owned by uid 65534' "HOME=$h" ||
	    return 1
	keys q
	exited 0 || return 1
	[ -z "$(ls -A "$h/.config/tcptop")" ] ||
	    { echo "    made in the user's directory:"; ls -lA "$h/.config/tcptop"; return 1; }
}

check_new_file()
{
	local d=$TMP/cfg-new rc=$TMP/cfg-new/tcptop/tcptoprc mode key

	mkdir -p "$d"
	run_and_quit "$d" "" || return 1
	key=$(status_line | sed -nE 's/^sorted by ([a-z]+).*/\1/p')
	keys q
	exited 0 || return 1
	mode=$(stat -c %a "$rc" 2>/dev/null)
	[ "$mode" = 600 ] || { echo "    mode '$mode', not 600"; return 1; }
	[ "$(stat -c %a "$d/tcptop")" = 700 ] ||
	    { echo "    directory mode $(stat -c %a "$d/tcptop")"; return 1; }
	grep -qx "sort=$key" "$rc" ||
	    { echo "    no sort=$key:"; sed 's/^/    | /' "$rc"; return 1; }
}

# The user's comments, blank lines and a newer tcptop's keys survive a
# save that changes a value; the value changes in place.
check_keeps_lines()
{
	local d=$TMP/cfg-keep rc=$TMP/cfg-keep/tcptop/tcptoprc key

	mkdir -p "$d/tcptop"
	printf '# my notes about tcptop\n\nfuture_key = 1\nsort=rtt\n# end\n' \
	    >"$rc"
	run_and_quit "$d" "" || return 1
	key=$(status_line | sed -nE 's/^sorted by ([a-z]+).*/\1/p')
	keys q
	exited 0 || return 1
	[ -n "$key" ] && [ "$key" != rtt ] &&
	    [ "$(sed -n 1,3p "$rc")" = "$(printf '# my notes about tcptop\n\nfuture_key = 1')" ] &&
	    [ "$(sed -n 4p "$rc")" = "sort=$key" ] &&
	    [ "$(sed -n 5p "$rc")" = "# end" ] || {
		echo "    not kept in place (sorted by '$key'):"
		sed 's/^/    | /' "$rc"
		return 1
	}
}

# A link put there while tcptop runs: refused on quit, in one line.
check_link_at_quit()
{
	local d=$TMP/cfg-late rc=$TMP/cfg-late/tcptop/tcptoprc

	mkdir -p "$d/tcptop"
	printf 'delay=1\n' >"$rc"
	printf 'precious\n' >"$TMP/late-target"
	run_and_quit "$d" "" || return 1
	rm "$rc"
	ln -s "$TMP/late-target" "$rc"
	keys q
	exited 0 || return 1
	grep -q '^tcptop: settings not saved: tcptoprc is a symbolic link' \
	    "$SCREEN" || { echo "    no message:"; show_screen; return 1; }
	[ "$(cat "$TMP/late-target")" = precious ] && [ -L "$rc" ] ||
	    { echo "    written through the link"; return 1; }
}

check "a symlinked tcptoprc: its target untouched, said on screen" \
    check_symlink
check "another user's tcptoprc: untouched, said on screen" \
    check_other_owner
check "sudo -E: nothing made in the user's HOME, said on screen" \
    check_user_home
check "a new tcptoprc: mode 0600 in a 0700 directory, the sort kept" \
    check_new_file
check "a save keeps comments and unknown keys, the value in place" \
    check_keeps_lines
check "a link put there while running: refused on quit, one line" \
    check_link_at_quit
summary
