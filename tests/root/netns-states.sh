#!/bin/bash
#
# netns-states: tcptop must count every TCP state exactly as ss does.
#
# Builds two private network namespaces joined by a veth pair, has
# nsholder put NS_N sockets (default 3) of each of the ten holdable states
# in the subject namespace, for IPv4 and IPv6, and compares tcptop's JSON
# with ss and with the expected counts: unfiltered, with a port filter,
# with a state filter and with filter expressions.  Nothing touches the
# host's network: addresses, routes, sysctls and nft rules all live inside
# the two namespaces.
#
# Environment: TCPTOP (default ./tcptop), NSHOLDER (default
# ./tests/helpers/nsholder), NS_N.  Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
N=${NS_N:-3}

# In display order, netstat spelling as in tcptop's JSON.
STATES="LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2
CLOSE_WAIT LAST_ACK CLOSING TIME_WAIT CLOSE"

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"

netns_require jq
require_bin TCPTOP
require_count NS_N "$N"

cleanup() { netns_cleanup; }

test_tmpdir netns-states

netns_setup tcptop

# --- the model kept from events: its runs start before the sockets -----

# events_start NAME ARGS...: tcptop --model events in the subject
# namespace, a JSON report every 0.2 s into $TMP/NAME.ev, with no full
# dump after its first (--full-every 3600): every socket made after
# that first report comes to it from the tracepoint, the destroy
# notifications, the timewait timers and the dump of listeners and
# requests, each checked by an exact request.
events_start()
{
	local name=$1
	shift
	ip netns exec "$NS_S" "$TCPTOP" -b --json --model events \
	    --full-every 3600 -d 0.2 "$@" >"$TMP/$name.ev" \
	    2>"$TMP/$name.ev.err" &
	NETNS_PIDS="$NETNS_PIDS $!"
}
events_start all
events_start ports -p 9001,9008-9010
events_start states --state fin-wait-1,CLOSE_WAIT,time-wait
events_start expr -f 'not ( dport = :9010 or sport = :9001 )'
for name in all ports states expr; do
	await -t 30 "the first report of --model events ($name)" \
	    test -s "$TMP/$name.ev"
done
EVENTS_T0=$(date +%s.%N)

netns_hold "$N"

# --- normalisation ------------------------------------------------------

# ss -tanH (one family, given as $1) to "family laddr lport raddr rport
# STATE", the form tcptop's JSON is turned into below.
ss_tuples()
{
	awk -v fam="$1" '
	function split_ep(ep, r,    p) {
		p = match(ep, /:[^:]*$/)
		r[1] = substr(ep, 1, p - 1)
		r[2] = substr(ep, p + 1)
		sub(/%.*$/, "", r[1])		# scope or bound device
		gsub(/^\[|\]$/, "", r[1])
		if (r[1] == "*")
			r[1] = fam == "ipv4" ? "0.0.0.0" : "::"
		if (r[2] == "*")
			r[2] = 0
	}
	BEGIN {
		m["ESTAB"] = "ESTABLISHED"; m["SYN-SENT"] = "SYN_SENT"
		m["SYN-RECV"] = "SYN_RECV"; m["FIN-WAIT-1"] = "FIN_WAIT1"
		m["FIN-WAIT-2"] = "FIN_WAIT2"; m["TIME-WAIT"] = "TIME_WAIT"
		m["UNCONN"] = "CLOSE"; m["CLOSE"] = "CLOSE"
		m["CLOSE-WAIT"] = "CLOSE_WAIT"; m["LAST-ACK"] = "LAST_ACK"
		m["LISTEN"] = "LISTEN"; m["CLOSING"] = "CLOSING"
	}
	# ss drops the State column when asked for a single state:
	# such lines are skipped, and show up as a mismatch.
	NF >= 5 {
		st = ($1 in m) ? m[$1] : "UNKNOWN:" $1
		split_ep($4, l); split_ep($5, r)
		print fam, tolower(l[1]), l[2] + 0, tolower(r[1]), r[2] + 0, st
	}'
}

# tcptop's JSON to the same form.
json_tuples()
{
	jq -r '.connections[] | [.family,
	    (.local_addr | ascii_downcase), (.local_port | tostring),
	    (.remote_addr | ascii_downcase), (.remote_port | tostring),
	    .state] | join(" ")' "$1" |
	awk '{ if ($4 == "*") $4 = $1 == "ipv4" ? "0.0.0.0" : "::"
	    sub(/^\[/, "", $2); sub(/\]$/, "", $2)
	    sub(/^\[/, "", $4); sub(/\]$/, "", $4)
	    $3 += 0; $5 += 0; print }'
}

# "family STATE count" for every family and state, zeros included, from
# tuples on stdin.
tuple_counts()
{
	awk -v states="$STATES" '
	{ c[$1 " " $6]++ }
	END {
		n = split(states, s, /[ \n]+/)
		for (f = 1; f <= 2; f++)
			for (i = 1; i <= n; i++) {
				k = (f == 1 ? "ipv4" : "ipv6") " " s[i]
				print k, c[k] + 0
			}
	}'
}

# Expected counts: N for each state named in $1, 0 for the rest.
expected_counts()
{
	local f st want held
	held=" ${1//$'\n'/ } "
	for f in ipv4 ipv6; do
		for st in $STATES; do
			want=0
			case $held in *" $st "*) want=$N ;; esac
			echo "$f $st $want"
		done
	done
}

# --- one comparison -----------------------------------------------------

CHECKS=0
FAILED=0

# compare NAME "EXPECTED STATES" TCPTOP-ARGS... -- SS-ARGS... [-- SS6-ARGS...]
# SS6-ARGS, when given, replace SS-ARGS for ss -6: ss parses an address
# of the other family as a host name, and fails.
compare()
{
	local name=$1 expect=$2 json=$TMP/$1.json
	local -a targs=() sargs=() sargs6=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do targs+=("$1"); shift; done
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	if [ $# -gt 0 ]; then
		shift
		sargs6=("$@")
	else
		sargs6=("${sargs[@]}")
	fi
	CHECKS=$((CHECKS + 1))

	if [ -n "${EVENTS_OUT:-}" ]; then
		# The model kept from events: the last report of the run
		# started before the sockets were made.
		tail -n 1 "$EVENTS_OUT" >"$json"
	# A bound on every run: a hung tcptop fails the test, not the suite.
	elif ! timeout 20 ip netns exec "$NS_S" "$TCPTOP" -b -n 1 --json \
	    "${targs[@]}" >"$json" 2>"$TMP/$name.err"; then
		echo "FAIL [$name]: tcptop -b -n 1 --json ${targs[*]} failed" \
		    "or took over 20 s:"
		sed 's/^/    /' "$TMP/$name.err"
		FAILED=$((FAILED + 1))
		return
	fi
	# -n 1 means one sample: keep the last JSON line only.
	tail -n 1 "$json" >"$json.1" && mv "$json.1" "$json"
	if ! jq -e '.connections | type == "array"' "$json" >/dev/null \
	    2>&1; then
		echo "FAIL [$name]: tcptop printed no JSON with a" \
		    "connections array:"
		head -c 600 "$json" | sed 's/^/    /'
		FAILED=$((FAILED + 1))
		return
	fi

	if ! timeout 20 ip netns exec "$NS_S" ss -tanH -4 "${sargs[@]}" \
	    >"$TMP/$name.ss4" ||
	    ! timeout 20 ip netns exec "$NS_S" ss -tanH -6 "${sargs6[@]}" \
	    >"$TMP/$name.ss6"; then
		echo "FAIL [$name]: ss -tanH ${sargs[*]} (-6: ${sargs6[*]})" \
		    "failed"
		FAILED=$((FAILED + 1))
		return
	fi
	{
		ss_tuples ipv4 <"$TMP/$name.ss4"
		ss_tuples ipv6 <"$TMP/$name.ss6"
	} | sort >"$TMP/$name.ss"
	json_tuples "$json" | sort >"$TMP/$name.tcptop"

	tuple_counts <"$TMP/$name.ss" >"$TMP/$name.ss.counts"
	# Per family and state from the connections array, by jq group_by.
	jq -r --arg states "$STATES" '
	    [.connections | group_by([.family, .state])[] |
	     {key: (.[0].family + " " + .[0].state), value: length}] |
	    from_entries as $c |
	    ($states | split("\\s+"; null)) as $s |
	    ["ipv4", "ipv6"][] as $f | $s[] |
	    "\($f) \(.) \($c[$f + " " + .] // 0)"' "$json" \
	    >"$TMP/$name.tcptop.counts"
	expected_counts "$expect" >"$TMP/$name.want.counts"

	local bad=0
	if ! cmp -s "$TMP/$name.tcptop.counts" "$TMP/$name.ss.counts" ||
	    ! cmp -s "$TMP/$name.tcptop.counts" "$TMP/$name.want.counts"
	then
		echo "FAIL [$name]: counts per family and state differ"
		printf '    %-5s %-12s %8s %8s %8s\n' family state expected \
		    ss tcptop
		paste -d ' ' "$TMP/$name.want.counts" \
		    "$TMP/$name.ss.counts" "$TMP/$name.tcptop.counts" |
		    awk '{ mark = ($3 != $6 || $3 != $9) ? "  <--" : ""
			printf "    %-5s %-12s %8s %8s %8s%s\n",
			    $1, $2, $3, $6, $9, mark }'
		bad=1
	fi
	if ! cmp -s "$TMP/$name.ss" "$TMP/$name.tcptop"; then
		echo "FAIL [$name]: socket tuples differ (- ss, + tcptop):"
		diff -u "$TMP/$name.ss" "$TMP/$name.tcptop" | tail -n +3 |
		    grep '^[-+]' | head -n 40 | sed 's/^/    /'
		bad=1
	fi
	# The summary objects must agree with the connections listed.
	if ! jq -e --arg states "$STATES" '
	    . as $r | (.connections | length) as $n |
	    ($states | split("\\s+"; null)) as $s |
	    $r.total == $n and
	    ([$s[] | $r.states[.]] | add) == $n and
	    all($s[]; . as $st | $r.states[$st] ==
		([$r.connections[] | select(.state == $st)] | length)) and
	    $r.families.ipv4 == ([$r.connections[] |
		select(.family == "ipv4")] | length) and
	    $r.families.ipv6 == ([$r.connections[] |
		select(.family == "ipv6")] | length)' "$json" >/dev/null
	then
		echo "FAIL [$name]: total/states/families disagree with" \
		    "the connections array:"
		jq -c '{total, states, families,
		    listed: (.connections | length)}' "$json" |
		    sed 's/^/    /'
		bad=1
	fi
	if [ $bad -ne 0 ]; then
		FAILED=$((FAILED + 1))
		return
	fi
	printf 'ok [%s]: %d sockets, ipv4 %d, ipv6 %d\n' "$name" \
	    "$(wc -l <"$TMP/$name.ss")" \
	    "$(grep -c '^ipv4 ' "$TMP/$name.ss")" \
	    "$(grep -c '^ipv6 ' "$TMP/$name.ss")"
}

# Everything: N of each held state per family, no CLOSE.
compare all "LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2
CLOSE_WAIT LAST_ACK CLOSING TIME_WAIT" --

# Ports: 9001 is the local port of LISTEN and SYN_RECV, 9008-9010 the
# remote port of LAST_ACK, CLOSING and TIME_WAIT.
compare ports "LISTEN SYN_RECV LAST_ACK CLOSING TIME_WAIT" \
    -p 9001,9008-9010 -- \
    '( sport = :9001 or dport = :9001 or' \
    '( sport >= :9008 and sport <= :9010 ) or' \
    '( dport >= :9008 and dport <= :9010 ) )'

# States, in both spellings and mixed case.
compare states "FIN_WAIT1 CLOSE_WAIT TIME_WAIT" \
    --state fin-wait-1,CLOSE_WAIT,time-wait -- \
    state fin-wait-1 state close-wait state time-wait

# Filter expressions, the same text for tcptop -f and ss where ss can take
# it (ss reads "a or b and c" left to right: parentheses say which).
compare expr-ports "LISTEN SYN_RECV CLOSE_WAIT" \
    -f 'sport = :9001 or dport = :9007' -- \
    'sport = :9001 or dport = :9007'
e='( dport > :9007 and dport <= :9010 ) or ( dport < :9004 and dport > :0 )'
compare expr-cmp "SYN_SENT LAST_ACK CLOSING TIME_WAIT" -f "$e" -- "$e"
compare expr-not "SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT LAST_ACK
CLOSING" \
    -f 'not ( dport = :9010 or sport = :9001 )' -- \
    'not ( dport = :9010 or sport = :9001 )'
compare expr-dst "SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT
LAST_ACK CLOSING TIME_WAIT" \
    -f 'dst 10.77.0.0/24 or dst [fd00:77::/64]' -- \
    'dst 10.77.0.0/24' -- 'dst [fd00:77::/64]'
e='dport >= :9004 and dport <= :9006'
compare expr-src "ESTABLISHED FIN_WAIT1 FIN_WAIT2" \
    -f "( src $S_ADDR4 or src [$S_ADDR6] ) and $e" -- \
    "src $S_ADDR4 and $e" -- "src [$S_ADDR6] and $e"
compare expr-state "FIN_WAIT1 TIME_WAIT" \
    -f 'dport >= :9005 and state fin-wait-1,time-wait' -- \
    state fin-wait-1 state time-wait 'dport >= :9005'
# A state under "or": the kernel cannot test it and sends more.
compare expr-or-state "LISTEN ESTABLISHED" \
    -f 'state listen or dport = :9004' -- \
    '( sport = :9001 and dport = :0 ) or dport = :9004'

# compare_events NAME EXPECTED SS-ARGS...: as compare, of the last report
# of events_start NAME's run, once it has caught up (30 s at most: the
# timewait timers and the slow exact requests of a loaded machine); and
# that run's full dump is still its first, before the sockets were made.
compare_events()
{
	local name=$1 expect=$2 failed=$FAILED checks=$CHECKS deadline
	shift 2
	deadline=$((SECONDS + 30))
	while :; do
		FAILED=$failed CHECKS=$checks
		EVENTS_OUT=$TMP/$name.ev compare "events-$name" "$expect" \
		    -- "$@" >"$TMP/events-$name.out"
		if [ "$FAILED" -eq "$failed" ] || [ $SECONDS -ge $deadline ]
		then
			break
		fi
		sleep 0.3
	done
	cat "$TMP/events-$name.out"
	CHECKS=$((CHECKS + 1))
	if jq -e --argjson t0 "$EVENTS_T0" '.model.mode == "events" and
	    .model.full_dump_age_ms / 1000 > .time - $t0' \
	    "$TMP/events-$name.json" >/dev/null; then
		echo "ok [events-$name]: kept from events since before the" \
		    "sockets ($(jq -c .model "$TMP/events-$name.json"))"
	else
		echo "FAIL [events-$name]: not kept from events alone:" \
		    "$(jq -c '{time, model}' "$TMP/events-$name.json")," \
		    "sockets made after $EVENTS_T0"
		FAILED=$((FAILED + 1))
	fi
}

compare_events all "LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2
CLOSE_WAIT LAST_ACK CLOSING TIME_WAIT"
compare_events ports "LISTEN SYN_RECV LAST_ACK CLOSING TIME_WAIT" \
    '( sport = :9001 or dport = :9001 or' \
    '( sport >= :9008 and sport <= :9010 ) or' \
    '( dport >= :9008 and dport <= :9010 ) )'
compare_events states "FIN_WAIT1 CLOSE_WAIT TIME_WAIT" \
    state fin-wait-1 state close-wait state time-wait
compare_events expr "SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT
LAST_ACK CLOSING" 'not ( dport = :9010 or sport = :9001 )'

# Port, state and expression filters ran in the kernel (bytecode and
# idiag_states): the dump itself carried only the matching sockets.
for name in ports states expr-ports expr-cmp expr-not expr-dst expr-src \
    expr-state; do
	CHECKS=$((CHECKS + 1))
	if jq -e '.dumped == .total' "$TMP/$name.json" >/dev/null; then
		echo "ok [$name]: filtered in the kernel"
	else
		echo "FAIL [$name]: the kernel sent more than the filter kept:" \
		    "$(jq -c '{dumped, total}' "$TMP/$name.json")"
		FAILED=$((FAILED + 1))
	fi
done
CHECKS=$((CHECKS + 1))
if jq -e '.dumped > .total' "$TMP/expr-or-state.json" >/dev/null; then
	echo "ok [expr-or-state]: a superset from the kernel, made exact"
else
	echo "FAIL [expr-or-state]: the kernel should have sent more:" \
	    "$(jq -c '{dumped, total}' "$TMP/expr-or-state.json")"
	FAILED=$((FAILED + 1))
fi

# RECORD_DIR=tests/data regenerates the recorded dump the parser tests and
# smoke test replay, with what ss saw at the same moment.
if [ -n "${RECORD_DIR:-}" ]; then
	ip netns exec "$NS_S" "$TCPTOP" --record "$RECORD_DIR/states.nlmsg" \
	    --json -n 2 -d 0.2 >/dev/null || fail "recording failed"
	{
		ip netns exec "$NS_S" ss -tanH -4 | ss_tuples ipv4
		ip netns exec "$NS_S" ss -tanH -6 | ss_tuples ipv6
	} | sort >"$RECORD_DIR/states.ss"
	echo "recorded $RECORD_DIR/states.nlmsg and states.ss"
fi

# The holder must still be there: had it died, its sockets (and so the
# counts) would have gone with it.
kill -0 "$HOLDER_PID" 2>/dev/null || fail "nsholder exited early"

if [ $FAILED -ne 0 ]; then
	echo "FAIL: $FAILED of $CHECKS comparisons failed (N=$N)"
	exit 1
fi
echo "PASS: $CHECKS comparisons, $N sockets per state and family"
exit 0
