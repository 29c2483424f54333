#!/bin/bash
#
# proc: every socket's owner as ss -tanp sees it.
#
# In two private namespaces (tests/lib/lib-netns.sh), nsholder holds one
# socket of each holdable state per family in the subject S (its
# TIME_WAIT and request sockets have no file), and tests/helpers/sockhold
# holds a listener and a connection in S under chosen names: one shared
# with a forked child, one whose name carries an escape sequence, one run
# as nobody.  tcptop's JSON must give every socket with a file the lowest pid
# ss lists and its name, put the fileless ones in "none", and (run as
# nobody) root's sockets in "hidden", the buckets adding up to the total
# each time; names come out sanitized in JSON, text and on screen, the
# header counts the buckets (tmux, when installed) and says root would
# show the hidden owners, and a steady run reads /proc once.  Nothing
# touches the host's network.
#
# Environment: TCPTOP, NSHOLDER, SOCKHOLD.  Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
SOCKHOLD=${SOCKHOLD:-./tests/helpers/sockhold}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require jq perl setpriv
require_bin TCPTOP SOCKHOLD
TCPTOP=$(abspath "$TCPTOP")
id nobody >/dev/null 2>&1 || skip "no user nobody"

HOLDS=

cleanup()
{
	stop_pids $HOLDS
	tmux_stop
	netns_cleanup
}

test_tmpdir proc-test
chmod 755 "$TMP"
tmux_init proc

# hold TAG NAME PORT [share] [nobody]: start sockhold in S; sets HOLD_PID
# to the pid it reports.
hold()
{
	local tag=$1 name=$2 port=$3 share=${4:-} as=${5:-} out
	local -a cmd=("$SOCKHOLD" "$name" "$port")

	out=$TMP/hold-$tag
	[ -n "$share" ] && cmd+=(share)
	if [ -n "$as" ]; then
		inS setpriv --reuid="$(id -u "$as")" \
		    --regid="$(id -g "$as")" --clear-groups \
		    "${cmd[@]}" >"$out" 2>&1 &
	else
		inS "${cmd[@]}" >"$out" 2>&1 &
	fi
	HOLDS="$HOLDS $!"
	wait_until -t 10 "sockhold $tag" grep -qs '^ready ' "$out" ||
	    fail "sockhold $tag did not get ready: $(cat "$out")"
	HOLD_PID=$(awk '/^ready /{print $2}' "$out")
	# $! may be the subshell that ran inS, not sockhold: stop it by
	# the pid it reported too, or it outlives the test.
	HOLDS="$HOLDS $HOLD_PID"
}

netns_setup tcptop-proc
netns_hold 1

ESCNAME=$'esc\033[31mname'
hold shared web-srv 7001 share
SHARED_PID=$HOLD_PID
hold esc "$ESCNAME" 7002
hold nobody nobody-app 7003 "" nobody
NOBODY_PID=$HOLD_PID

# What ss -tanp says: "inode lowest-pid comm sharers" for each socket
# with a file, its comm with control characters as '?' (tcptop's
# sanitizer, for the ASCII names used here).
ss_owners()
{
	inS ss -tanpeH 2>/dev/null | perl -ne '
	    next unless /\bino:(\d+)/ && $1 != 0;
	    my $ino = $1; my %u;
	    while (/\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)/g) {
		$u{$2} = $1;
	    }
	    my @p = sort { $a <=> $b } keys %u;
	    next unless @p;
	    (my $c = $u{$p[0]}) =~ s/[\x00-\x1f\x7f]/?/g;
	    print "$ino $p[0] $c ", scalar(@p), "\n";' | sort
}

# The same from a tcptop JSON report.
json_owners()
{
	jq -r '.connections[] | select(.inode != 0 and .pid != null) |
	    "\(.inode) \(.pid) \(.comm)"' "$1" | sort
}

# Root: every socket with a file has the owner ss names.
inS "$TCPTOP" -b -n 1 --json >"$TMP/root.json" 2>"$TMP/err" ||
    fail "tcptop as root: $(cat "$TMP/err")"
ss_owners >"$TMP/ss"
cut -d' ' -f1-3 "$TMP/ss" >"$TMP/ss3"
json_owners "$TMP/root.json" >"$TMP/tcptop3"
if [ -s "$TMP/ss3" ] && diff "$TMP/ss3" "$TMP/tcptop3" >"$TMP/diff"; then
	ok
else
	bad "owners differ from ss -tanp (< ss, > tcptop):"
	cat "$TMP/diff"
fi
# Every socket in S is ours: none hidden; the buckets add up.
jq -e '.owners.hidden == 0 and .owners.process + .owners.none +
    .owners.hidden == .total and .owners_note == null' \
    "$TMP/root.json" >/dev/null && ok ||
    bad "root buckets: $(jq -c '{owners, total, owners_note}' \
    "$TMP/root.json")"
# The ones without a file: TIME_WAIT and request sockets at least (one per
# family from nsholder), all "none" with no pid.
jq -e '[.connections[] | select(.inode == 0)] |
    length == ([.[] | select(.owner == "none" and .pid == null and
    .comm == null and .user == null)] | length) and
    ([.[] | select(.state == "TIME_WAIT")] | length) >= 2 and
    ([.[] | select(.state == "SYN_RECV")] | length) >= 2' \
    "$TMP/root.json" >/dev/null && ok || bad "inode 0 sockets not all none"
jq -e '.owners.none == ([.connections[] | select(.inode == 0)] | length) and
    ([.connections[] | select(.state == "TIME_WAIT" or
    .state == "SYN_RECV") | .owner] | unique) == ["none"]' \
    "$TMP/root.json" >/dev/null && ok || bad "none bucket != inode 0 rows"
# Shared sockets: ss lists both processes, tcptop the parent.
n=$(jq --argjson p "$SHARED_PID" '[.connections[] | select((.local_port ==
    7001 or .remote_port == 7001) and .pid == $p and .comm == "web-srv" and
    .user == "root")] | length' "$TMP/root.json")
[ "$n" -eq 3 ] && ok || bad "shared sockets: $n of 3 owned by $SHARED_PID"
[ "$(awk -v p="$SHARED_PID" '$2 == p && $4 >= 2' "$TMP/ss" | wc -l)" -eq 3 ] &&
    ok || bad "ss does not list two holders of the shared sockets"
# The escape sequence: sanitized in JSON and text, no ESC byte anywhere.
n=$(jq '[.connections[] | select(.local_port == 7002 or .remote_port ==
    7002) | select(.comm == "esc?[31mname")] | length' "$TMP/root.json")
[ "$n" -eq 3 ] && ok || bad "escaped name in JSON: $n of 3 sanitized"
inS "$TCPTOP" -b -n 1 >"$TMP/root.txt" 2>"$TMP/err" ||
    fail "tcptop text: $(cat "$TMP/err")"
grep -q $'\033' "$TMP/root.json" "$TMP/root.txt" && bad "ESC in the output"
grep -q $'\033' "$TMP/root.json" "$TMP/root.txt" || ok
[ "$(grep -c '127\.0\.0\.1:7002 .* esc?\[31mname$' "$TMP/root.txt")" -eq 3 ] &&
    ok || bad "escaped name in text: $(grep 7002 "$TMP/root.txt")"
grep -q "owners: process [0-9]*, none [0-9]*, hidden 0, queued [0-9]*, in flight 0$" \
    "$TMP/root.txt" && ok || bad "text header: $(head -n 1 "$TMP/root.txt")"

# --group process: each group is one process's sockets (comm/pid as
# the connections say) or the no-file bucket, and they add up.  The
# namespace is quiet, so the two runs see the same sockets.
inS "$TCPTOP" -b -n 1 --json --group process >"$TMP/groups.json" \
    2>"$TMP/err" || fail "tcptop --group process: $(cat "$TMP/err")"
jq -r '.connections[] | if .owner == "process" then "\(.comm)/\(.pid)"
    else "(no file: no process)" end' "$TMP/root.json" | sort | uniq -c |
    awk '{ n = $1; $1 = ""; print substr($0, 2) " " n }' >"$TMP/want-groups"
jq -r '.groups[] | "\(.key) \(.count)"' "$TMP/groups.json" | sort \
    >"$TMP/got-groups"
sort -o "$TMP/want-groups" "$TMP/want-groups"
cmp -s "$TMP/want-groups" "$TMP/got-groups" && ok ||
    bad "--group process: $(diff "$TMP/want-groups" "$TMP/got-groups")"
jq -e '.ungrouped == 0' "$TMP/groups.json" >/dev/null && ok ||
    bad "--group process: ungrouped $(jq .ungrouped "$TMP/groups.json")"

# A steady run reads /proc once.
inS "$TCPTOP" -b -n 4 -d 0.1 --json -v "$TMP/log" >/dev/null 2>&1
n=$(grep -c 'proc: rescan' "$TMP/log")
[ "$n" -eq 1 ] && ok || bad "$n rescans in 4 steady refreshes, not 1"

# Unprivileged: root's sockets are hidden, nobody's own are attributed,
# the buckets still add up to the same total.
inS setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" \
    --clear-groups \
    "$TCPTOP" -b -n 1 --json >"$TMP/nobody.json" 2>"$TMP/err" ||
    fail "tcptop as nobody: $(cat "$TMP/err")"
jq -e --slurpfile r "$TMP/root.json" '.total == $r[0].total and
    .owners.process + .owners.none + .owners.hidden == .total and
    .owners.none == $r[0].owners.none and
    .owners.hidden == ([$r[0].connections[] | select(.user == "root")] |
    length) and .owners_note != null' "$TMP/nobody.json" >/dev/null && ok ||
    bad "nobody buckets: $(jq -c '{owners, total, owners_note}' \
    "$TMP/nobody.json"), root: $(jq -c '{owners, total}' "$TMP/root.json")"
n=$(jq --argjson p "$NOBODY_PID" '[.connections[] | select(.local_port ==
    7003 or .remote_port == 7003) | select(.owner == "process" and
    .pid == $p and .comm == "nobody-app" and .user == "nobody")] | length' \
    "$TMP/nobody.json")
[ "$n" -eq 3 ] && ok || bad "nobody's own sockets: $n of 3 attributed"
jq -e '[.connections[] | select(.inode != 0) | select(.local_port == 7001 or
    .local_port == 7002 or .remote_port == 7001 or .remote_port == 7002 or
    (.local_port >= 9001 and .local_port <= 9010) or
    (.remote_port >= 9001 and .remote_port <= 9010)) | .owner] |
    unique == ["hidden"]' "$TMP/nobody.json" >/dev/null && ok ||
    bad "root's sockets not hidden to nobody"

# On screen: run_ui NAME [USER] starts tcptop in S on a 200x60 tmux
# window (session NAME) with the owner columns, as USER when given;
# screen NAME prints it; wait_on NAME REGEX polls it for 10 s.
run_ui()
{
	local as=() cfg=$TMP/xdg-$1

	mkdir -p "$cfg"
	if [ -n "${2:-}" ]; then
		chown "$2" "$cfg"
		as=("$(command -v setpriv)" --reuid="$(id -u "$2")"
		    --regid="$(id -g "$2")" --clear-groups)
	fi
	TMUX_SESSION=$1 tmux_start 200 60 \
	    env -i TERM=xterm-256color LANG=C.UTF-8 TZ=UTC \
	    XDG_CONFIG_HOME="$cfg" "$(command -v ip)" netns exec "$NS_S" \
	    "${as[@]}" "$TCPTOP" --columns state,local,remote,pid,process,user
}
screen() { TMUX_SESSION=$1 capture && cat "$SCREEN"; }
wait_on() { TMUX_SESSION=$1 wait_screen "$2" 10; }

if command -v tmux >/dev/null 2>&1; then
	own=$(jq -r '"owned \(.owners.process), none \(.owners.none), hidden 0"' \
	    "$TMP/root.json")
	run_ui root
	wait_on root "  $own  " &&
	    screen root | head -n 1 | grep -q "  $own  *root\$" && ok ||
	    bad "root header: want '$own' and root"
	[ "$(screen root | grep -c '127\.0\.0\.1:7002 .* esc?\[31mname ')" \
	    -eq 3 ] && ok || bad "escaped name on screen: $(screen root |
	    grep 7002)"
	screen root | grep -Eq "7001 .* $SHARED_PID +web-srv +root *\$" && ok ||
	    bad "shared sockets on screen: $(screen root | grep 7001)"
	hid=$(jq .owners.hidden "$TMP/nobody.json")
	run_ui nobody nobody
	wait_on nobody "hidden $hid  +unprivileged: root would show the hidden owners\$" &&
	    ok || bad "nobody's header: want hidden $hid and the hint"
	screen nobody | grep -Eq "7003 .* $NOBODY_PID +nobody-app +nobody *\$" &&
	    ok || bad "nobody's own socket on screen: $(screen nobody |
	    grep 7003)"
	screen nobody | grep -Eq ' 7002 .* \? +\? +\? *$|:7002 .* \? +\? +\? *$' &&
	    ok || bad "root's socket not hidden on nobody's screen: $(
	    screen nobody | grep 7002)"
fi

summary
