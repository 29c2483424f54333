#!/bin/bash
#
# names: host and service names (--resolve, keys r and R), with results
# known in advance.  In a private pair of namespaces (S and P,
# tests/lib/lib-netns.sh), S holds three connections to P's
# 10.77.0.2:8080 (http-alt in /etc/services) and three to P's
# [fd00:77::2]:7777 (no service).  `ip netns exec` bind-mounts the files
# of /etc/netns/$NS_S over /etc: a hosts file names 10.77.0.2
# "peer-p.names.test" and 10.77.0.1 a name with an escape sequence in
# it; fd00:77::2 has none; nsswitch.conf reads files, then DNS; and
# resolv.conf points DNS at 127.0.0.1, where nothing listens, so a name
# that is not in hosts fails at once.  Then:
#  - without --resolve the report is numeric, and the JSON has no
#    *_name member;
#  - with --resolve the text report shows peer-p.names.test:http-alt,
#    the IPv6 remote stays [fd00:77::2]:7777, the JSON has remote_name
#    (null for the IPv6 rows) beside the unchanged address and port, and
#    the escape sequence reaches neither;
#  - in tmux at 80x24, numbers first, r shows host names, R service
#    names, the detail view (Enter) names and numbers, r again numbers,
#    and tcptoprc keeps the choice;
#  - with DNS pointed at P's address, where an nft rule in S drops every
#    query (resolver timeout 10 s, 2 attempts), the screen still answers
#    a key at once while a query hangs (the rule's counter shows it was
#    sent), shows the names from hosts, and q quits at once.
# Nothing touches the host's network or its /etc beyond
# /etc/netns/$NS_S, which cleanup removes.
#
# Environment: TCPTOP (default ./tcptop), NSHOLDER (lib-netns.sh's check),
# TCPCYCLE (default ./tests/helpers/tcpcycle).  Exit 0 pass, 1 fail, 77
# skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
TCPCYCLE=${TCPCYCLE:-./tests/helpers/tcpcycle}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require jq tmux
require_bin TCPTOP TCPCYCLE

ETC=

cleanup()
{
	tmux_stop
	netns_cleanup
	[ -n "$ETC" ] && rm -rf "$ETC"
}

test_tmpdir names

netns_setup tcptop-names

ETC=/etc/netns/$NS_S
mkdir -p "$ETC" || fail "mkdir $ETC"
printf '127.0.0.1 localhost\n10.77.0.2 peer-p.names.test\n10.77.0.1 s\033[31mevil.names.test\n' \
    >"$ETC/hosts" || fail "write $ETC/hosts"
printf 'passwd: files\ngroup: files\nhosts: files dns\nservices: files\n' \
    >"$ETC/nsswitch.conf" || fail "write $ETC/nsswitch.conf"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
    >"$ETC/resolv.conf" || fail "write $ETC/resolv.conf"

netns_connect 8080
netns_pair six "$NS_P" "$P_ADDR6" "$NS_S" 7777
await -t 10 "three connections to :7777" netns_port_has 7777 3

report() { inS "$TCPTOP" -b -n 1 --no-trace --columns local,remote "$@"; }

# Numbers by default.
report -p 8080,7777 >"$TMP/num" || fail "tcptop -b failed"
check "numeric: 3 remotes 10.77.0.2:8080" \
    [ "$(grep -c ' 10\.77\.0\.2:8080$' "$TMP/num")" -eq 3 ]
check "numeric: 3 remotes [fd00:77::2]:7777" \
    [ "$(grep -c ' \[fd00:77::2\]:7777$' "$TMP/num")" -eq 3 ]
check "numeric: no host name" not grep -q 'names\.test' "$TMP/num"
inS "$TCPTOP" --json -n 1 --no-trace -p 8080 >"$TMP/num.json" ||
    fail "tcptop --json failed"
check "numeric JSON: no remote_name or local_name" [ "$(jq \
    '[.connections[] | has("remote_name") or has("local_name")] | any' \
    "$TMP/num.json")" = false ]

# With --resolve: names where hosts has one, the address where not.
report --resolve -p 8080,7777 >"$TMP/res" || fail "tcptop --resolve failed"
cat "$TMP/res"
check "--resolve: 3 remotes peer-p.names.test:http-alt" \
    [ "$(grep -c ' peer-p\.names\.test:http-alt$' "$TMP/res")" -eq 3 ]
check "--resolve: the IPv6 remote without a name stays numeric" \
    [ "$(grep -c ' \[fd00:77::2\]:7777$' "$TMP/res")" -eq 3 ]
check "--resolve: the local name, escape sequence cleaned" \
    [ "$(grep -c '^s?\[31mevil\.names\.test:[0-9]* ' "$TMP/res")" -eq 3 ]
check "--resolve: no escape byte in the report" \
    not grep -q $'\033' "$TMP/res"
inS "$TCPTOP" --json -n 1 --no-trace --resolve -p 8080,7777 \
    >"$TMP/res.json" || fail "tcptop --json --resolve failed"
jq_is()
{
	local got

	got=$(jq -r ".connections[] | $1" "$TMP/res.json" | sort | uniq -c |
	    awk '{ $1 = $1; print }' | paste -sd' ')
	[ "$got" = "$2" ] || { echo "jq '$1': '$got', want '$2'"; return 1; }
}
check "JSON: remote_name, address and port unchanged" jq_is \
    'select(.remote_port == 8080) | "\(.remote_addr)/\(.remote_name)"' \
    "3 10.77.0.2/peer-p.names.test"
check "JSON: remote_name null without a name" jq_is \
    'select(.remote_port == 7777) | "\(.remote_addr)/\(.remote_name)"' \
    "3 fd00:77::2/null"
check "JSON: local_name cleaned" jq_is \
    'select(.remote_port == 8080) | .local_name' "3 s?[31mevil.names.test"
check "JSON: no escape byte" not grep -q $'\033' "$TMP/res.json"

# The screen at 80x24: numbers, then r and R.
tmux_init names
tmux_start 80 24 "ip netns exec $NS_S env -i PATH=$PATH HOME=$TMP \
    XDG_CONFIG_HOME=$TMP/cfg TERM=tmux-256color LANG=C.UTF-8 $TCPTOP \
    --no-trace -d 0.5 --columns remote,local,state -p 8080; \
    echo EXIT=\$?; cat" || fail "tmux new-session"
check "80x24: numbers by default" wait_screen '(^| )10\.77\.0\.2:8080 ' 20
check "80x24: no name by default" not shows 'peer-p'
keys r
check "80x24: r shows host names" wait_screen '(^| )peer-p\.names\.test:8080 ' 10
keys R
check "80x24: R shows service names" \
    wait_screen '(^| )peer-p\.names\.test:http-alt ' 10
check "80x24: no escape byte on the screen" not shows $'\033'
keys Enter
check "80x24: the detail view gives the numbers too" \
    wait_screen 'Numbers .*10\.77\.0\.2:8080' 10
check "80x24: the detail view names the remote" \
    shows 'Connection .*peer-p\.names\.test'
keys Escape
check "80x24: back to the list" wait_gone 'Numbers ' 10
keys r
check "80x24: r again shows addresses" wait_screen '(^| )10\.77\.0\.2:http-alt ' 10
keys q
check "80x24: q quits" wait_screen '^EXIT=0' 10
check "the choice is kept in tcptoprc" \
    grep -qx 'resolve_hosts=0' "$TMP/cfg/tcptop/tcptoprc"
check "the service names choice is kept in tcptoprc" \
    grep -qx 'resolve_ports=1' "$TMP/cfg/tcptop/tcptoprc"
tmux_stop

# A resolver that never answers: DNS at P's address, every query
# dropped in S.  The names in hosts come; the screen answers keys at
# once while the query for fd00:77::2 hangs.
printf 'nameserver %s\noptions timeout:10 attempts:2\n' "$P_ADDR4" \
    >"$ETC/resolv.conf" || fail "write $ETC/resolv.conf"
inS nft -f - <<'EOF' || fail "nft rules in $NS_S"
table inet tcptop_names {
	chain out {
		type filter hook output priority 0;
		udp dport 53 counter drop
		tcp dport 53 counter drop
	}
}
EOF
dns_sent()
{
	inS nft list chain inet tcptop_names out |
	    awk '/dport 53/ { for (i = 1; i < NF; i++) if ($i == "packets")
		n += $(i + 1) } END { exit !(n > 0) }'
}
tmux_init names-slow
tmux_start 80 24 "ip netns exec $NS_S env -i PATH=$PATH HOME=$TMP \
    XDG_CONFIG_HOME=$TMP/cfg2 TERM=tmux-256color LANG=C.UTF-8 $TCPTOP \
    --no-trace -d 0.5 --resolve --columns remote,local,state -p 8080,7777; \
    echo EXIT=\$?; cat" || fail "tmux new-session"
check "slow DNS: names from hosts shown" \
    wait_screen '(^| )peer-p\.names\.test:http-alt ' 20
check "slow DNS: the unnamed address shown meanwhile" \
    wait_screen '(^| )\[fd00:77::2\]:7777 ' 10
await -t 10 "a DNS query sent and dropped" dns_sent
t0=$(now_us)
keys h
check "slow DNS: a key answered at once (help shown, r and R in it)" \
    wait_screen 'host names \(reverse DNS' 3
t1=$(now_us)
echo "help shown after $(( (t1 - t0) / 1000 )) ms"
check "slow DNS: well within the resolver timeout (10 s)" \
    [ $(( (t1 - t0) / 1000 )) -lt 3000 ]
keys Escape
t0=$(now_us)
keys q
check "slow DNS: q quits at once" wait_screen '^EXIT=0' 3
t1=$(now_us)
echo "quit after $(( (t1 - t0) / 1000 )) ms"
tmux_stop

summary names
