#!/bin/bash
# rows: the list's rows readable at 80x24, 120x40 and 40x12, against the
# kernel's own answer (root).
#
# In private namespaces (tests/lib/lib-netns.sh) with two more addresses on
# the peer's veth, tests/helpers/grouphold holds connections from three IPv4
# peers (10.77.0.2-4, told apart only by their last octet) and one IPv6
# peer to two services.  tcptop runs in S in tmux; the list is read back
# and compared with ss -tanH in S:
#  - 80x24: every endpoint whole (no ellipsis), the rows ss has, the
#    process (grouphold) on every row, the family column while both
#    families show and gone with -4; the histogram one or two lines of
#    the states with sockets, with ss's counts;
#  - 120x40: the full histogram (every state, zeros too), the family
#    column, every endpoint whole;
#  - 40x12: the histogram in two lines at most with ss's counts
#    (short names where the full ones do not fit); IPv6
#    remotes cut keeping their tail (-6); ">" on the titles, Right
#    scrolls the columns ("<") up to the process, Left back;
#  - a column asked for (--columns) that does not fit at 80 is reached by
#    Right.
#
# Environment: TCPTOP, NSHOLDER (for lib-netns.sh's checks), GROUPHOLD.
# Exit 0 pass, 1 fail, 77 skip (a failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
GROUPHOLD=${GROUPHOLD:-$(dirname "$NSHOLDER")/grouphold}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require tmux
require_bin TCPTOP GROUPHOLD
TCPTOP=$(abspath "$TCPTOP")

GH_PID=

cleanup()
{
	local pid

	for pid in $(pgrep -x tcptop 2>/dev/null); do
		# Only the ones in this test's namespace.
		[ "$(ip netns identify "$pid" 2>/dev/null)" = "$NS_S" ] &&
		    kill -KILL "$pid" 2>/dev/null
	done
	tmux_stop
	stop_pids $GH_PID
	netns_cleanup
}

test_tmpdir tcptop-rows
tmux_init rows

netns_setup tcptop-rows
mac_p=$(inP cat /sys/class/net/tt1/address) || fail "no veth in $NS_P"
for a in 10.77.0.3 10.77.0.4; do
	ip -n "$NS_P" addr add "$a/24" dev tt1 &&
	    ip -n "$NS_S" neigh replace "$a" lladdr "$mac_p" dev tt0 \
	    nud permanent || fail "could not add peer address $a"
done

coproc GH { exec "$GROUPHOLD" "$NS_S" "$NS_P"; }
GH_PID=$GH_PID
read -r -t 20 -u "${GH[0]}" line
rc=$?
[ $rc -gt 128 ] && fail "grouphold did not get ready within 20 s"
[ $rc -ne 0 ] && fail "grouphold exited before it was ready (see above)"
[ "$line" = ready ] || fail "grouphold said '$line', not 'ready'"

ELL=$(printf '\xe2\x80\xa6')
W=80
H=24

# run W H ARGS...: tcptop in S at W x H, up to its first full list.
run()
{
	W=$1
	H=$2
	shift 2
	tmux_stop
	tmux_start "$W" "$H" \
	    "$(printf '%q ' ip netns exec "$NS_S" env -i "PATH=$PATH" \
	    TERM=tmux-256color LANG=C.UTF-8 TZ=UTC \
	    "XDG_CONFIG_HOME=$TMP/cfg.$W.$H.$#" "HOME=$TMP" "$TCPTOP" \
	    -d 0.3 "$@")"
}

# The title line's number (the line with STATE in it), and the rows
# under it down to the first blank line (a quiet screen explains the
# owner buckets under the rows) or the status line.
titles_at() { awk 'NR > 1 && /^[ <][A-Z][A-Z]/ { print NR; exit }' "$SCREEN"; }
rows()
{
	local t

	t=$(titles_at)
	[ -n "$t" ] || return 0
	sed -n "$((t + 1)),$((H - 2))p" "$SCREEN" | awk '/^ *$/ { exit } 1'
}
# The lines above the titles, under the header (none while no titles
# are drawn).
hist()
{
	local t

	t=$(titles_at)
	[ -n "$t" ] && [ "$t" -gt 2 ] || return 0
	sed -n "2,$((t - 1))p" "$SCREEN"
}

# "LOCAL REMOTE" of each row on screen, and of each socket ss shows.
screen_pairs()
{
	rows | awk '{ n = 0
		for (i = 1; i <= NF && n < 2; i++)
			if ($i ~ /:[0-9*]+$/) { e[n] = $i
				sub(/^[-+@]/, "", e[n++]) }
		print e[0], e[1] }' | sort
}
ss_pairs() { inS ss -tanH "$@" | awk '{ print $4, $5 }' | sort; }

# The rows on screen are ss's, every endpoint whole.
rows_are_ss()
{
	local want got

	want=$(ss_pairs "$@")
	got=$(screen_pairs)
	if [ "$want" != "$got" ]; then
		{ echo "ss has:"; echo "$want"; echo "the screen:"
		  echo "$got"; } >"$WHY"
		return 1
	fi
	! rows | grep -q "$ELL"
}

# ss's count of each state, as "NAME N" with tcptop's names.
ss_counts()
{
	inS ss -tanH | awk '
	BEGIN { n["ESTAB"] = "ESTABLISHED"; n["CLOSE-WAIT"] = "CLOSE_WAIT" }
	{ s = ($1 in n) ? n[$1] : $1; c[s]++ }
	END { for (s in c) print s, c[s] }'
}

# The compact histogram: each state ss has with its count, no other
# state, in at most two lines.
hist_compact()
{
	local s n

	[ "$(hist | grep -cE '^[A-Z_0-9]+ [0-9]+')" -le 2 ] ||
	    { echo "histogram too tall" >"$WHY"; return 1; }
	while read -r s n; do
		hist | grep -Eq "(^| )$s $n( |\$)" ||
		    { echo "no '$s $n' in the histogram" >"$WHY"; return 1; }
	done < <(ss_counts)
	! hist | grep -Eq '(SYN_SENT|SYN_RECV|FIN_WAIT|TIME_WAIT|LAST_ACK|CLOSING) '
}

WHY=$TMP/why

# --- 80x24 ----------------------------------------------------------------

run 80 24
screen_until -t 20 "the list at 80x24 with ss's rows" rows_are_ss &&
    ok "80x24: the rows ss has, every IPv4 and IPv6 endpoint whole" ||
    bad "80x24: rows or endpoints differ from ss"
title=$(sed -n "$(titles_at)p" "$SCREEN")
[[ $title == " FM "*PROCESS* ]] &&
    [ "$(rows | grep -c ' grouphold *$')" -eq "$(inS ss -tanH | wc -l)" ] &&
    ok "80x24: both families: FM; the process on every row" ||
    { bad "80x24: no FM or no process on each row"; show_screen; }
screen_until "the compact histogram" hist_compact &&
    ok "80x24: the histogram in a line or two, ss's counts" ||
    bad "80x24: the histogram is not compact or its counts differ"

run 80 24 -4
screen_until -t 20 "IPv4 only, ss's rows" rows_are_ss -4 &&
    ok "80x24 -4: the IPv4 rows, whole" || bad "80x24 -4: rows differ"
title=$(sed -n "$(titles_at)p" "$SCREEN")
[[ $title == " LOCAL "*PROCESS* ]] && ! rows | grep -q ' v4 ' &&
    ok "80x24 -4: one family: no family column, the process shown" ||
    { bad "80x24 -4: the family column stayed"; show_screen; }

# --- 120x40 ---------------------------------------------------------------

# Every state a line of its own, zeros too, with ss's counts.
hist_full()
{
	local s n

	hist | grep -Eq 'SYN_SENT +0 ' && hist | grep -Eq 'CLOSE +0' || {
	    echo "no zero states" >"$WHY"; return 1; }
	while read -r s n; do
		hist | grep -Eq "$s +$n " ||
		    { echo "no '$s $n'" >"$WHY"; return 1; }
	done < <(ss_counts)
}

run 120 40
screen_until -t 20 "the list at 120x40" rows_are_ss &&
    ok "120x40: the rows ss has, whole" || bad "120x40: rows differ"
screen_until "the full histogram" hist_full &&
    [[ $(sed -n "$(titles_at)p" "$SCREEN") == " FM "* ]] &&
    ok "120x40: the full histogram, every state; the family column" ||
    bad "120x40: not the full histogram"

# --- 40x12 ----------------------------------------------------------------

# Each IPv6 row's remote: the ellipsis then the tail of an ss remote,
# the peer's last address group kept with the port (":2]:PORT").
v6_tails()
{
	local r n=0 tail

	while read -r r; do
		tail=${r#"$ELL"}
		[ "$tail" != "$r" ] && [[ $tail == ?*"2]:"* ]] &&
		    ss_pairs -6 | awk '{ print $2 }' | grep -q -- "${tail//[/\\[}\$" ||
		    { echo "remote '$r' is not a tail of ss's" >"$WHY";
		      return 1; }
		n=$((n + 1))
	done < <(rows | awk '{ print $2 }' | grep '\]:[0-9]')
	[ "$n" -gt 0 ]
}

run 40 12 -6
screen_until -t 20 "IPv6 remotes cut to their tails" v6_tails &&
    ok "40x12 -6: IPv6 remotes keep their tail" ||
    bad "40x12 -6: IPv6 remotes not cut to the tail"

# At 40x12: at most two lines, each state ss has with ss's count, by
# its full name or, where the full ones do not fit, its short one.
compact40()
{
	local s n b

	[ "$(hist | grep -cE '^[A-Z_0-9]+ [0-9]+')" -le 2 ] ||
	    { echo "histogram too tall" >"$WHY"; return 1; }
	while read -r s n; do
		case $s in
		ESTABLISHED) b=ESTAB ;; CLOSE_WAIT) b=CLSWT ;;
		LISTEN) b=LISTN ;; *) b=$s ;;
		esac
		hist | grep -Eq "(^| )($s|$b) $n( |\$)" ||
		    { echo "no '$s $n' in the histogram" >"$WHY"; return 1; }
	done < <(ss_counts)
}
title_has() { capture && sed -n "$(titles_at)p" "$SCREEN" | grep -Eq -- "$1"; }

run 40 12
screen_until -t 20 "the 40x12 list" compact40 &&
    ok "40x12: the histogram in two lines, ss's counts" ||
    bad "40x12: the histogram"
screen_until "> on the titles" title_has '>$' &&
    ! title_has '^<' && ok "40x12: > says columns are off to the right" ||
    bad "40x12: no > marker"
keys Right
screen_until "< after Right" title_has '^<' && ! title_has 'LOCAL' &&
    ok "40x12: Right scrolls a column, < says so" || bad "40x12: Right"
n=0
while title_has '>$' && [ $n -lt 12 ]; do
	keys Right
	n=$((n + 1))
	wait_until -t 5 "a column more" not title_has "$(sed -n \
	    "$(titles_at)p" "$SCREEN" | sed 's/[][\.*^$]/\\&/g')" >/dev/null
done
title_has 'PROCESS' && rows | grep -q 'grouphold' &&
    ok "40x12: Right reaches the process column ($n more presses)" ||
    { bad "40x12: the process column not reached"; show_screen; }
keys Left Left Left Left Left Left Left Left Left Left Left Left
screen_until "back to the first columns" title_has '^ LOCAL' &&
    ! title_has '^<' && ok "40x12: Left back to the first column" ||
    bad "40x12: Left did not come back"

# --- a column asked for ---------------------------------------------------

run 80 24 --columns local,remote,state,age,recvq,sendq,rtt,retrans,process,cwnd,cc
screen_until -t 20 "the chosen columns" title_has 'STATE.*>$' &&
    ! title_has 'CWND' &&
    ok "80x24 --columns: CWND past the edge, > says so" ||
    bad "80x24 --columns: no > for CWND"
keys Right Right Right
screen_until "CWND reached" title_has 'CWND +CC' &&
    ok "80x24 --columns: Right reaches CWND and CC" ||
    bad "80x24 --columns: CWND not reached"

summary
