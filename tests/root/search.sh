#!/bin/bash
#
# search: search, filter words and owner terms, and sorting by any
# column, against real sockets and the processes that hold them.
#
# In a private namespace (netns_lone) two copies of tests/helpers/tcpcycle
# named alpha-srv and zulu-srv serve on 127.0.0.1:7101 and :7102, and a
# sleep holds one connection to the first and two to the second: eight
# sockets, five of them the servers'.  Each count below is checked
# against what ss -tanp says of the same sockets:
# - batch (-b --json): plain words as substrings of the row (a process
#   name in any case, an address:port), comm, pid and user terms, not,
#   and words joined to ss terms; a typo before an operator is refused;
# - with every owner hidden (tcptop in a PID namespace of its own), the
#   rows an owner term decides are left out and counted in
#   filter_untested, and what a port or word decides stays decided;
# - --sort process orders the rows by command name, -r the other way,
#   and a bad key names --help once;
# - on an 80x24 screen (tmux): / finds a row by its process whether or
#   not PROCESS is shown, and says "no match" for what no row shows; F4
#   takes a word joined to an ss term and shows exactly those rows.
#
# Environment: TCPTOP, NSHOLDER, TCPCYCLE.  Exit 0 pass, 1 fail, 77 skip.

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
TCPCYCLE=${TCPCYCLE:-./tests/helpers/tcpcycle}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

netns_require jq tmux unshare
require_bin TCPTOP TCPCYCLE
TCPTOP=$(abspath "$TCPTOP")
TCPCYCLE=$(abspath "$TCPCYCLE")

SERVERS=

cleanup()
{
	screen_stop
	# Everything left in the namespace is this test's.
	netns_kill_all
	stop_pids $SERVERS
	netns_cleanup
}

test_tmpdir tcptop-search
chmod 755 "$TMP"
tmux_init search
netns_lone tcptop-search

# serve NAME PORT: tcpcycle under the command name NAME on PORT.
serve()
{
	cp "$TCPCYCLE" "$TMP/$1" || fail "cp tcpcycle"
	mkfifo "$TMP/$1.in" || fail "mkfifo"
	exec {fd}<>"$TMP/$1.in"
	inS "$TMP/$1" serve 127.0.0.1 "$2" <"$TMP/$1.in" >/dev/null &
	SERVERS="$SERVERS $!"
	await -t 10 "$1 listens on :$2" \
	    sh -c "ip netns exec $NS_S ss -tlnH | grep -q ':$2 '"
}

serve alpha-srv 7101
serve zulu-srv 7102
inS bash -c 'exec 3<>/dev/tcp/127.0.0.1/7101 4<>/dev/tcp/127.0.0.1/7102 \
    5<>/dev/tcp/127.0.0.1/7102 && exec sleep 3600' </dev/null &
SERVERS="$SERVERS $!"

# ss -tanp's lines holding $1 (a process name in users:(...)).
ss_count() { inS ss -tanpH | grep -c -- "$1"; }
held() { [ "$(ss_count '"alpha-srv"')" -eq 2 ] &&
    [ "$(ss_count '"zulu-srv"')" -eq 3 ] && [ "$(ss_count '"sleep"')" -eq 3 ]; }
await -t 20 "the servers' and the sleep's sockets in ss -tanp" held
TOTAL=$(inS ss -tanH | wc -l)
[ "$TOTAL" -eq 8 ] || fail "8 sockets expected in $NS_S, ss has $TOTAL"
ZULU_PID=$(inS ss -tlnpH '( sport = :7102 )' |
    sed -nE 's/.*"zulu-srv",pid=([0-9]+).*/\1/p')
[ -n "$ZULU_PID" ] || fail "no pid for zulu-srv in ss -tlnp"

# --- batch --------------------------------------------------------------

# rows EXPR: the rows of one JSON report filtered by EXPR (owners are
# attributed before the first report).
rows() { inS "$TCPTOP" -b -n 1 --json -f "$1" | jq '.connections | length'; }

# expect EXPR N: the report has N rows.
expect()
{
	local got

	got=$(rows "$1")
	if [ "$got" = "$2" ]; then
		ok "-f '$1': $2 rows"
	else
		bad "-f '$1': $got rows, ss says $2"
	fi
}

expect 'alpha' "$(ss_count '"alpha-srv"')"
expect 'ZULU' "$(ss_count '"zulu-srv"')"
expect 'comm zulu-srv' "$(ss_count '"zulu-srv"')"
expect 'comm zulu' 0
expect 'not comm zulu-srv' $((TOTAL - $(ss_count '"zulu-srv"')))
expect "pid $ZULU_PID" "$(ss_count "pid=$ZULU_PID,")"
expect 'user root' "$(ss_count 'users:')"
expect 'sleep or alpha' $(($(ss_count '"sleep"') + $(ss_count '"alpha-srv"')))
expect 'zulu and sport = :7102' \
    "$(inS ss -tanpH '( sport = :7102 )' | grep -c '"zulu-srv"')"
expect 'zulu and not sport = :7102' 0
expect '127.0.0.1:7101' "$(inS ss -tanH '( sport = :7101 or dport = :7101 )' |
    wc -l)"
expect '"zulu-srv" dport = :7102' 0

# Where tcptop cannot read the processes (a PID namespace of its own),
# every owner is hidden: rows an owner term decides are left out and
# counted, never silently; a word or a port decides what it can, and
# every row kept is in the hidden bucket.
# untested EXPR ROWS UNTESTED
untested()
{
	local got

	got=$(inS unshare -p -f --mount-proc "$TCPTOP" -b -n 1 --json \
	    -f "$1" | jq -r '"\(.connections | length) \(.filter_untested) \(.owners.hidden)"')
	if [ "$got" = "$2 $3 $2" ]; then
		ok "owners hidden, -f '$1': $2 rows, $3 untested"
	else
		bad "owners hidden, -f '$1': rows, untested, hidden: $got," \
		    "not $2 $3 $2"
	fi
}
untested 'comm zulu-srv' 0 "$TOTAL"
untested 'comm zulu-srv and sport = :7101' 0 \
    "$(inS ss -tanH '( sport = :7101 )' | wc -l)"
untested 'not comm zulu-srv or 127.0.0.1:7101' \
    "$(inS ss -tanH '( sport = :7101 or dport = :7101 )' | wc -l)" \
    $((TOTAL - $(inS ss -tanH '( sport = :7101 or dport = :7101 )' |
    wc -l)))
untested 'zulu' 0 0

typo()
{
	local err want

	want='tcptop: -f: unknown word "dprot" at column 1 before "=" (a plain'
	want+=' word takes no operator) (see tcptop --help)'
	err=$(inS "$TCPTOP" -b -n 1 -f 'dprot = :7102' 2>&1 >/dev/null)
	[ $? -eq 2 ] && [ "$err" = "$want" ]
}
check "-f 'dprot = :7102' is refused, status 2, one line" typo

# The command names of a report sorted by $@, none (no owner) as "".
comms() { inS "$TCPTOP" -b -n 1 --json "$@" |
    jq -r '.connections[] | .comm // ""'; }
sorted()
{
	comms --sort process >"$TMP/up" &&
	    comms --sort process -r >"$TMP/down" &&
	    [ "$(wc -l <"$TMP/up")" -eq "$TOTAL" ] &&
	    [ "$(sort -u "$TMP/up" | tr '\n' ' ')" = "alpha-srv sleep zulu-srv " ] &&
	    LC_ALL=C sort -c "$TMP/up" && LC_ALL=C sort -r -c "$TMP/down"
}
check "--sort process orders rows by command name, -r the other way" \
    sorted
badkey()
{
	local err

	err=$("$TCPTOP" --sort nope 2>&1)
	[ $? -eq 2 ] &&
	    [ "$err" = 'tcptop: --sort: unknown key "nope" (see tcptop --help)' ]
}
check "--sort nope: one line naming --help once, status 2" badkey

# --- the screen at 80x24 ------------------------------------------------

screen_host
PANE_WRAP+=(ip netns exec "$NS_S")
screen_init

no_match() { status_line | grep -q 'no match'; }
rows_are()
{
	local n

	n=$(list_rows | grep -c ':710[12]')
	[ "$n" -eq "$1" ] || { echo "$n rows, not $1" >>"$WHY"; return 1; }
}

search_screen()
{
	size 80 24
	start -- -d 0.3 || return 1
	wait_screen 'LOCAL.*REMOTE' 10 || return 1
	screen_until -t 10 "all 8 rows" rows_are 8 || return 1
	keys /
	type_text 'zulu-s'
	wait_screen '^Search: zulu-s' || return 1
	! no_match || { echo "    /zulu-s: no match"; show_screen; return 1; }
	keys Enter
	wait_screen 'search "zulu-s"' || return 1
	keys /
	type_text 'nomatchzz'
	wait_screen '^Search: nomatchzz.* no match' || return 1
	keys Escape
}
check "80x24: / finds a row by its process; /nomatchzz: no match" \
    search_screen

filter_screen()
{
	keys F4
	wait_screen '^Filter \(e\.g\.' || return 1
	type_text 'zulu and sport = :7102'
	keys Enter
	screen_until -t 10 "the 3 rows of zulu-srv" rows_are 3 || return 1
	status_line | grep -q 'filter zulu and sport = :7102' ||
	    { echo "    no filter on the status line"; show_screen; return 1; }
	keys F4 C-u
	type_text 'sleep or alpha'
	keys Enter
	screen_until -t 10 "the 5 rows of sleep and alpha-srv" rows_are 5
}
check "80x24: F4 takes words joined to ss terms" filter_screen

summary search
