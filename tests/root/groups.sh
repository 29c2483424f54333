#!/bin/bash
# groups: the group views against the kernel's own answer (root).
#
# In private namespaces (tests/lib/lib-netns.sh) with two more addresses on
# the peer's veth, tests/helpers/grouphold holds connections from three IPv4
# peers and one IPv6 peer to two services, some in CLOSE_WAIT, and two
# outgoing ones.  Then:
#  - tcptop -b --json --group remote: per remote host, the count and the
#    count of each state equal what ss -tanH says in the namespace;
#  - --group service the same, with ss's rows put in groups by the rule
#    (a listened-on local port, else the remote port);
#  - unknown and unavailable kinds: one line, exit status 2;
#  - on screen at 80x24 (tmux): g shows the groups, > sorts them by
#    CLOSE_WAIT, Enter shows only that group's rows with its marker,
#    Esc returns to the groups with the same group selected.
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

netns_require tmux jq
require_bin TCPTOP GROUPHOLD
TCPTOP=$(abspath "$TCPTOP")

GH_PID=
TCPTOP_PID=

cleanup()
{
	tmux_stop
	[ -n "$TCPTOP_PID" ] &&
	    [ "$(cat "/proc/$TCPTOP_PID/comm" 2>/dev/null)" = tcptop ] &&
	    kill -KILL "$TCPTOP_PID" 2>/dev/null
	stop_pids $GH_PID
	netns_cleanup
}

test_tmpdir tcptop-groups
tmux_init groups

netns_setup tcptop-groups
# Two more peers on P's veth, with static neighbours in S.
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

# --- batch against ss ---------------------------------------------------

# ss's state names as tcptop spells them.
SS_STATES='BEGIN {
	n["ESTAB"] = "ESTABLISHED"; n["SYN-SENT"] = "SYN_SENT";
	n["SYN-RECV"] = "SYN_RECV"; n["FIN-WAIT-1"] = "FIN_WAIT1";
	n["FIN-WAIT-2"] = "FIN_WAIT2"; n["TIME-WAIT"] = "TIME_WAIT";
	n["UNCONN"] = "CLOSE"; n["CLOSE-WAIT"] = "CLOSE_WAIT";
	n["LAST-ACK"] = "LAST_ACK"; n["LISTEN"] = "LISTEN";
	n["CLOSING"] = "CLOSING";
}
function host(ep) { sub(/:[^:]*$/, "", ep); gsub(/[][]/, "", ep); return ep }
function port(ep) { sub(/.*:/, "", ep); return ep }'

# "KEY STATE COUNT" per group and state, sorted, from ss in S.
ss_remote()
{
	inS ss -tanH | awk "$SS_STATES"'
	    { c[host($5) " " n[$1]]++ }
	    END { for (k in c) print k, c[k] }' | sort
}

ss_service()
{
	inS ss -tanH | awk "$SS_STATES"'
	    { st[NR] = n[$1]; lp[NR] = port($4); rp[NR] = port($5)
	      if ($1 == "LISTEN") listening[port($4)] = 1 }
	    END {
		for (i = 1; i <= NR; i++) {
			k = (lp[i] in listening) ? ":" lp[i] : "->:" rp[i]
			c[k " " st[i]]++
		}
		for (k in c) print k, c[k]
	    }' | sort
}

# The same from one --json --group report.
tcptop_groups()
{
	inS "$TCPTOP" -b --json -n 1 --group "$1" >"$TMP/$1.json" ||
	    return 1
	jq -r '.groups[] | .key as $k | .states | to_entries[] |
	    "\($k) \(.key) \(.value)"' "$TMP/$1.json" | sort
}

# Each group's count is the sum of its states, and the groups add up.
consistent()
{
	jq -e '(.groups | map(.count) | add) == .grouped and
	    .grouped + .ungrouped == .total and
	    all(.groups[]; .count == (.states | to_entries |
	    map(.value) | add))' "$TMP/$1.json" >/dev/null
}

check_kind()
{
	local kind=$1 want=$2 got

	got=$(tcptop_groups "$kind") || { bad "--group $kind failed"; return; }
	if [ "$got" != "$want" ]; then
		bad "--group $kind differs from ss"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
		return
	fi
	consistent "$kind" || { bad "--group $kind: counts do not add up"
		return; }
	ok "--group $kind equals ss ($(echo "$got" | wc -l) groups x states)"
}

want=$(ss_remote)
# What grouphold holds, so an empty answer on both sides cannot pass.
for line in "10.77.0.3 CLOSE_WAIT 2" "10.77.0.3 ESTABLISHED 2" \
    "10.77.0.2 ESTABLISHED 4" "10.77.0.4 CLOSE_WAIT 1" \
    "fd00:77::2 CLOSE_WAIT 1" "0.0.0.0 LISTEN 2" ":: LISTEN 1"; do
	grep -qx -- "$line" <<<"$want" ||
	    fail "ss does not show '$line' in $NS_S: the set-up is wrong"
done
check_kind remote "$want"

want=$(ss_service)
for line in ":7080 CLOSE_WAIT 3" ":7080 LISTEN 1" ":7443 LISTEN 2" \
    "->:7900 ESTABLISHED 2"; do
	grep -qx -- "$line" <<<"$want" ||
	    fail "ss does not show '$line' by service: the set-up is wrong"
done
check_kind service "$want"

# The biggest group first; a filter narrows what is grouped.
jq -e '.groups[0].key == "10.77.0.2" and .groups[0].count == 5' \
    "$TMP/remote.json" >/dev/null &&
    ok "groups sorted by count" || bad "groups not sorted by count"
got=$(inS "$TCPTOP" -b --json -n 1 --group remote --state close-wait |
    jq -r '[.groups[] | "\(.key)=\(.count)"] | join(" ")')
[ "$got" = "10.77.0.3=2 10.77.0.2=1 10.77.0.4=1 fd00:77::2=1" ] &&
    ok "--state close-wait: who holds the CLOSE_WAIT sockets" ||
    bad "--state close-wait by remote: '$got'"

for kind in bogus netns; do
	"$TCPTOP" -b -n 1 --group "$kind" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ] &&
	    [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	    grep -q -- "--group" "$TMP/err"; then
		ok "--group $kind refused: $(cat "$TMP/err")"
	else
		bad "--group $kind: exit $rc, stderr '$(cat "$TMP/err")'"
	fi
done

# --- on screen ----------------------------------------------------------

on_screen() { grep -Eq -- "$1" "$SCREEN"; }

# The rows of the list (below the title line that starts with " FM"),
# in the columns family, remote, state.
list_rows() { sed -n '/^ FM /,$p' "$SCREEN" | sed '1d' | head -n -2 |
    grep -E '^[ +-]v[46] '; }

# only_group ADDR: the group's marker, and only ADDR's rows, as many as
# ss has (they fit on screen).
only_group()
{
	local n want re=${1//./\\.}

	on_screen "^group: remote $re " || return 1
	want=$(inS ss -tanH dst "$1" | wc -l)
	n=$(list_rows | awk -v re="^$re:" '$2 ~ re' | wc -l)
	[ "$n" -eq "$want" ] && [ "$(list_rows | wc -l)" -eq "$want" ]
}

# The top group row under the titles is 10.77.0.3 with its CLOSE_WAIT
# count first.
cw_first()
{
	on_screen 'STATES by CLSWT' &&
	    sed -n '/REMOTE HOST/{n;p;}' "$SCREEN" |
	    grep -Eq '^ 10\.77\.0\.3 +4 +CLSWT 2 '
}

screen_test()
{
	tmux_start 80 24 \
	    "$(printf '%q ' ip netns exec "$NS_S" env -i "PATH=$PATH" \
	    TERM=tmux-256color LANG=C.UTF-8 TZ=UTC \
	    "XDG_CONFIG_HOME=$TMP/cfg" "HOME=$TMP" "$TCPTOP" -d 0.3 \
	    --columns family,remote,state)" ||
	    { bad "tmux new-session failed"; return; }
	screen_until "the connection list" on_screen '^ FM +REMOTE' ||
	    { bad "tcptop did not start"; return; }
	TCPTOP_PID=$(pgrep -n -x tcptop)
	keys g
	screen_until "groups by service" on_screen '^ SERVICE +COUNT' &&
	    on_screen '^ :7080 +7 ' &&
	    ok "g: groups by service" || bad "g: no service groups"
	keys g
	screen_until "groups by remote host" on_screen '^ REMOTE HOST +COUNT' &&
	    on_screen '^ 10\.77\.0\.2 +5 ' &&
	    ok "g again: groups by remote host" ||
	    bad "g again: no remote host groups"
	keys '>' '>' '>' '>' '>' '>' '>'
	screen_until "sorted by CLOSE_WAIT" cw_first &&
	    ok "> sorts by CLOSE_WAIT: 10.77.0.3 first" ||
	    bad "> did not sort by CLOSE_WAIT"
	# The selection followed its group, 10.77.0.2, down the list.
	keys Enter
	screen_until "10.77.0.2's rows only" only_group 10.77.0.2 &&
	    ok "Enter: only the selected 10.77.0.2's rows, marked" ||
	    bad "Enter did not show the selected group's rows"
	keys Escape
	screen_until "the groups back" on_screen '^ REMOTE HOST +COUNT' ||
	    { bad "Esc did not return to the groups"; return; }
	keys Enter
	screen_until "the same group again" only_group 10.77.0.2 &&
	    ok "Esc: back to the groups, 10.77.0.2 still selected" ||
	    bad "the selection was not kept"
	keys BSpace
	screen_until "the groups back" on_screen '^ REMOTE HOST +COUNT' &&
	    ok "Backspace: back to the groups" ||
	    bad "Backspace did not return"
	# The top one: the host holding the most CLOSE_WAIT sockets.
	keys Home Enter
	screen_until "10.77.0.3's rows only" only_group 10.77.0.3 &&
	    ok "Home Enter: only 10.77.0.3's rows" ||
	    bad "Home Enter did not show 10.77.0.3's rows"
	keys q
}
screen_test

summary
