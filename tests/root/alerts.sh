#!/bin/bash
#
# alerts: real causes in private namespaces must raise tcptop's alerts,
# with the numbers ss gives, and a quiet namespace must raise none.
#
# In a subject namespace S joined to a peer P (tests/lib/lib-netns.sh, whose
# drop rules are used: S drops everything but SYNs to 9001, P drops
# everything to 9002), tests/helpers/alertcause holds:
#
#	quiet		S serves :9300 with 4 ESTABLISHED connections from
#			P, and listens on :9100 (backlog 2) and :9001
#	close_wait_leak	P's clients go: S's server keeps the 4 sockets,
#			now CLOSE_WAIT, and never closes them
#	accept_queue	P connects 6 times to :9100, never accepted
#	syn_flood	P connects 12 times to :9001; the final ACKs die
#			in S, so the requests stay SYN_RECV
#	syn_sent_stuck	S connects 3 times to P:9002, SYNs dropped
#	retrans_no_progress
#			S sends a byte to P:9400 that P drops (a rule
#			for segments with PSH, so the handshake passes)
#	fin_wait2_orphans
#			S connects 10 times to P:9500, where P keeps
#			every connection, and closes each: orphaned
#			FIN_WAIT2 in S hold all 10 ports of S's narrowed
#			ip_local_port_range (P leaks CLOSE_WAIT)
#	time_wait	S connects 8 times to P:9600 and closes, P closes
#			after: 8 TIME_WAIT in S on 8 of those 10 ports
#	(FIN_WAIT2)	S connects 3 times to P:9700, where P keeps every
#			connection, and shuts each down for writing, held:
#			no alert, an age from tcp_info
#
# Alerts are about the box: a filter (-p 9300) shows the alerts of its
# sockets and counts the others, in JSON, text and at 80x24.
#
# Ages from the first refresh: one report (-n 1) gives the CLOSE_WAIT,
# request, TIME_WAIT and FIN_WAIT2 sockets an age at least what the
# kernel's timers and tcp_info imply (read with ss just before; for
# request sockets, from the expiry in the same report) and at most the
# time since the test made them.
#
# tcptop -b --json -n 2 runs inside S with a tcptoprc of small thresholds
# under a private XDG_CONFIG_HOME.  Then the interactive view, in a tmux
# server of its own: the alert line and the a window.
#
# Environment: TCPTOP, ALERTCAUSE, NSHOLDER (for lib-netns).
# Exit 0 pass, 1 fail, 77 skip (a failure under CI=true).

set -u

TCPTOP=${TCPTOP:-./tcptop}
ALERTCAUSE=${ALERTCAUSE:-./tests/helpers/alertcause}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require jq
require_bin TCPTOP ALERTCAUSE

PIDS=
TEST_KEEP_TMP=1		# the reports, when a check failed

cleanup()
{
	tmux_stop
	stop_pids $PIDS ${VIEW_PID:-}
	PIDS=
	netns_cleanup
}

test_tmpdir alerts
tmux_init alerts t

# cause NAME NS ARGS...: start alertcause in NS, wait for its "ready".
cause()
{
	local name=$1 ns=$2

	shift 2
	ip netns exec "$ns" "$ALERTCAUSE" "$@" >"$TMP/$name.out" \
	    2>"$TMP/$name.err" </dev/null &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
	wait_until -t 10 "alertcause $name" grep -qsx ready "$TMP/$name.out" ||
	    fail "alertcause $name: $(cat "$TMP/$name.err")"
}

# stop NAME: end one cause (its sockets close).
stop()
{
	local p

	eval "p=\$PID_$1"
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$p" | tr '\n' ' ')
}

# count_ss FILTER...: sockets ss shows in S for the filter.
count_ss() { inS ss -Htan "$@" | wc -l; }
has_count() { local n=$1; shift; [ "$(count_ss "$@")" -eq "$n" ]; }

# The thresholds: small, so a few sockets and seconds set them off.
mkdir -p "$TMP/cfg/tcptop" "$TMP/bad/tcptop"
cat >"$TMP/cfg/tcptop/tcptoprc" <<'EOF'
# alerts.sh
alert_syn_recv=5
alert_close_wait_age=1
alert_syn_sent_age=1
alert_accept_fill_pct=90
alert_retrans=3
EOF
printf 'alert_syn_recv=0\n' >"$TMP/bad/tcptop/tcptoprc"

# tcptop in S with a clean environment; CFG picks the config directory.
# --no-trace: alerts need no tracepoint, and other root tests read it.
run_top()
{
	local cfg=$1

	shift
	inS env -i PATH="$PATH" LANG=C.UTF-8 TZ=UTC \
	    XDG_CONFIG_HOME="$TMP/$cfg" "$TCPTOP" --no-trace "$@"
}

netns_setup tcptop-alerts

# Quiet: listeners and established connections only.
cause serve "$NS_S" serve 9300
cause backlog "$NS_S" listen 9100 2
cause synlisten "$NS_S" listen 9001 128
cause clients "$NS_P" connect "$S_ADDR4" 9300 4
wait_until -t 10 "4 ESTABLISHED on :9300" has_count 4 state established \
    sport = :9300 || fail "the quiet namespace did not settle"
if run_top cfg -b --json -n 2 -d 1.5 >"$TMP/quiet.json" 2>"$TMP/quiet.err"
then
	if [ "$(jq -c '.alerts' "$TMP/quiet.json" | sort -u)" = "[]" ]; then
		ok "quiet namespace: no alert"
	else
		bad "quiet namespace raised: $(jq -c .alerts "$TMP/quiet.json")"
	fi
	[ -s "$TMP/quiet.err" ] && bad "stderr: $(cat "$TMP/quiet.err")"
else
	bad "tcptop failed in the quiet namespace: $(cat "$TMP/quiet.err")"
fi

# The causes.  T_*: the test's clock (us) before each, so every age is
# at most the time since then.
T_CLOSE=$(now_us)
stop clients		# the peer closes; S's server never does
cause acc "$NS_P" connect "$S_ADDR4" 9100 6
T_FLOOD=$(now_us)
cause flood "$NS_P" connect "$S_ADDR4" 9001 12
cause stuck "$NS_S" connect "$P_ADDR4" 9002 3
inP nft add rule inet tcptop_test pre tcp dport 9400 \
    tcp flags \& psh == psh drop || fail "nft in P"
cause peer "$NS_P" serve 9400
cause talk "$NS_S" talk "$P_ADDR4" 9400
wait_until -t 10 "4 CLOSE_WAIT on :9300" has_count 4 state close-wait \
    sport = :9300 || fail "no CLOSE_WAIT"
wait_until -t 10 "12 SYN_RECV on :9001" has_count 12 state syn-recv \
    sport = :9001 || fail "no SYN_RECV"
wait_until -t 10 "3 SYN_SENT to :9002" has_count 3 state syn-sent \
    dport = :9002 || fail "no SYN_SENT"
accept_full()
{
	inS ss -Hltn sport = :9100 | awk '$2 > 0 && $2 >= $3 { f = 1 }
	    END { exit !f }'
}
wait_until -t 10 "a full accept queue on :9100" accept_full ||
    fail "the accept queue of :9100 did not fill"
# ss -i shows the RTO backoff of the connection whose byte P drops.
backoff() { inS ss -Htin dport = :9400 | grep -o 'backoff:[0-9]*' |
    cut -d: -f2; }
backoff_3() { [ "$(backoff)" -ge 3 ] 2>/dev/null; }
wait_until -t 15 "3 RTOs to :9400" backoff_3 || fail "no RTOs to :9400"

# Ages from the first refresh.  ss first, then one report: the kernel's
# bounds only grow between the two.
# ss_ms TIMER: ss's timer text (print_ms_timer: "1.196ms" is 1196 ms,
# "400ms", "59sec" and "1min5sec" drop the milliseconds) as ms, the low
# end; HI=1 the high end.
ss_ms()
{
	awk -v t="$1" -v hi="${HI:-0}" 'BEGIN { m = s = ms = cut = 0
	    if (match(t, /^[0-9]+min/)) { m = substr(t, 1, RLENGTH - 3);
		t = substr(t, RLENGTH + 1); cut = 1 }
	    if (match(t, /^[0-9]+sec/)) { s = substr(t, 1, RLENGTH - 3);
		t = substr(t, RLENGTH + 1); cut = 1 }
	    else if (match(t, /^[0-9]+\./)) { s = substr(t, 1, RLENGTH - 1);
		t = substr(t, RLENGTH + 1) }
	    if (match(t, /^[0-9]+ms/)) ms = substr(t, 1, RLENGTH - 2)
	    print m * 60000 + s * 1000 + ms + (hi && cut ? 999 : 0) }'
}
# synack_bound E: what a request socket's SYN-ACK timer with E ms left
# implies of its age (1 s, doubling: the periods before the one that
# must be running, and the part of the first one gone).
synack_bound()
{
	awk -v e="$1" 'BEGIN { p = 1000; b = 0
	    while (p < e) { b += p; p *= 2 }
	    if (e < 1000) b += 1000 - e; print b }'
}
# lastack_all MIN: every CLOSE_WAIT of :9300 got its last ACK MIN ms ago
# or more, by tcp_info.
lastack_all()
{
	inS ss -Htin state close-wait sport = :9300 | grep -o 'lastack:[0-9]*' |
	    awk -F: -v min="$1" '{ n++; if ($2 < min) low = 1 }
	    END { exit !(n == 4 && !low) }'
}
wait_until -t 10 "the CLOSE_WAITs 1.5 s old by tcp_info" lastack_all 1500 ||
    fail "CLOSE_WAIT: $(inS ss -Htin state close-wait sport = :9300)"
# KEY LOWER_MS: per socket, the peer port and what the kernel implies.
inS ss -Htin state close-wait sport = :9300 | awk '
    /^[A-Z]/ || $1 ~ /^[0-9]/ { n = split($4, a, ":"); port = a[n] }
    /lastack:/ { match($0, /lastack:[0-9]+/);
	print port, substr($0, RSTART + 8, RLENGTH - 8) }' >"$TMP/cw.ss"
run_top cfg -b --json -n 1 >"$TMP/first.json" 2>"$TMP/first.err" ||
    bad "tcptop -n 1: $(cat "$TMP/first.err")"
T_END=$(now_us)
# age_check WHAT FILE STATE T0 [KEY [COND]]: every socket of STATE in
# the report (and jq COND), by its remote port (or KEY), against "PORT
# LOWER_MS" lines of FILE: the age is a
# lower bound (+), at least LOWER_MS less the 10 ms a jiffy may cost,
# and at most the time since T0.
age_check()
{
	local what=$1 file=$2 state=$3 t0=$4 key=${5:-remote_port}
	local cond=${6:-true} port low
	local got at n=0 bad_one=
	local max_ms=$(( (T_END - t0) / 1000 ))

	while read -r port low; do
		case $port in ''|*[!0-9]*) bad_one="$bad_one bad port '$port';"
			continue ;; esac
		read -r got at < <(jq -r --arg st "$state" --argjson p "$port" \
		    --arg k "$key" ".connections[] | select(.state == \$st and
		    .[\$k] == \$p and ($cond)) |"' "\(.state_age_s * 1000 | floor)
		    \(.state_age_at_least)"' "$TMP/first.json" | tr '\n' ' ')
		n=$((n + 1))
		if [ -z "$got" ] || [ "$at" != true ] ||
		    [ "$got" -lt $((low - 10)) ] || [ "$got" -gt "$max_ms" ]; then
			bad_one="$bad_one :$port age ${got:-none} ms (at least"
			bad_one="$bad_one ${at:-?}), kernel implies $low, made"
			bad_one="$bad_one $max_ms ms ago;"
		fi
	done <"$file"
	if [ $n -gt 0 ] && [ -z "$bad_one" ]; then
		ok "$what: $n ages from the kernel's bounds, within what the" \
		    "test knows"
	else
		bad "$what: $n sockets;$bad_one"
	fi
}
age_check "CLOSE_WAIT (last ACK received)" "$TMP/cw.ss" CLOSE_WAIT "$T_CLOSE"
# A request's bound is not monotonic in time (with under 1 s left the
# timer may be in any period), so what its timer implies is worked out
# from the expiry the kernel gave in the same dump.
jq -r '.connections[] | select(.state == "SYN_RECV" and .local_port == 9001)
    | "\(.remote_port) \(.timer_expires_ms)"' "$TMP/first.json" |
    while read -r port e; do
	echo "$port $(synack_bound "$e")"
done >"$TMP/sr.ss"
[ "$(wc -l <"$TMP/sr.ss")" -eq "$(count_ss state syn-recv sport = :9001)" ] ||
    bad "SYN_RECV: $(wc -l <"$TMP/sr.ss") in the report, ss has" \
    "$(count_ss state syn-recv sport = :9001)"
age_check "SYN_RECV (the SYN-ACK timer)" "$TMP/sr.ss" SYN_RECV "$T_FLOOD"
# A leak is reported by the first report: the oldest of the four.
oldest=$(jq -r '.connections[] | select(.state == "CLOSE_WAIT" and
    .local_port == 9300) | .state_age_s | floor' "$TMP/first.json" |
    sort -n | tail -n 1)
holder=$(inS ss -Htanp state close-wait sport = :9300 |
    sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\),.*/\1\/\2/p' | sort -u)
got=$(jq -r '.alerts[] | select(.kind == "close_wait_leak") | .evidence' \
    "$TMP/first.json")
if [ "$got" = "4 CLOSE_WAIT older than 1s held by ${holder:-?} (oldest\
 ${oldest:-?}s+)" ]; then
	ok "close_wait_leak from the first report: $got"
else
	bad "close_wait_leak from the first report: '${got:-nothing}'"
fi

run_top cfg -b --json -n 2 -d 1.5 >"$TMP/causes.json" 2>"$TMP/causes.err" ||
    bad "tcptop failed: $(cat "$TMP/causes.err")"
last=$(tail -n 1 "$TMP/causes.json")
# evidence KIND: the evidence of KIND's alerts in the last report.
evidence() { jq -r --arg k "$1" '.alerts[] | select(.kind == $k) |
    .evidence' <<<"$last"; }
check_alert()
{
	local kind=$1 want=$2 got

	got=$(evidence "$kind")
	if grep -qxF -- "$want" <<<"$got"; then
		ok "$kind: $want"
	else
		bad "$kind: wanted '$want', got '${got:-nothing}'"
	fi
}

# rates NAME...: "; NAME N/s" for each kernel counter of the same report
# whose rate shows as more than 0/s, as the evidence adds them.
rates() { jq -r '[$ARGS.positional[] as $k | .kernel[$k].rate as $r |
    select($r != null and $r >= 0.5) | "; \($k) \($r | round)/s"] |
    join("")' --args "$@" <<<"$last"; }
n=$(count_ss state syn-recv sport = :9001)
check_alert syn_flood "$n SYN_RECV on :9001, backlog 128$(rates \
    ListenOverflows SyncookiesSent)"
read -r rq sq local < <(inS ss -Hltn sport = :9100 |
    awk '{ print $2, $3, $4 }')
check_alert accept_queue "accept queue of $local full: $rq waiting,\
 backlog $sq$(rates ListenOverflows ListenDrops)"
# The leak names the process holding the sockets, as ss -p does.
n=$(count_ss state close-wait sport = :9300)
holder=$(inS ss -Htanp state close-wait sport = :9300 |
    sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\),.*/\1\/\2/p' | sort -u)
oldest=$(evidence close_wait_leak | sed -n 's/.*(oldest \([0-9]*\)s+)$/\1/p')
check_alert close_wait_leak "$n CLOSE_WAIT older than 1s held by\
 ${holder:-?} (oldest ${oldest:-?}s+)"
n=$(count_ss state syn-sent dport = :9002)
oldest=$(evidence syn_sent_stuck | sed -n 's/.*(oldest \([0-9]*\)s+)$/\1/p')
check_alert syn_sent_stuck \
    "$n SYN_SENT to $P_ADDR4:9002 for over 1s (oldest ${oldest:-?}s+)"
rto=$(evidence retrans_no_progress | sed -n 's/.*: \([0-9]*\) RTOs .*/\1/p')
if [ "${rto:-0}" -ge 3 ] && [ "$rto" -le "$(backoff)" ]; then
	want="1 connection to $P_ADDR4:9400: $rto RTOs in a row,"
	want="$want nothing acknowledged since the last refresh"
	check_alert retrans_no_progress "$want"
else
	bad "retrans_no_progress: ${rto:-no} RTOs, ss says $(backoff)"
fi
# Every alert has its hint, and the critical ones come first.
if jq -e '(.alerts | length) == 5 and all(.alerts[]; .hint != "") and
    ([.alerts[].severity] == ["critical", "critical", "warning",
    "warning", "warning"])' <<<"$last" >/dev/null; then
	ok "five alerts, hints, critical first"
else
	bad "alerts: $(jq -c .alerts <<<"$last")"
fi
# Alerts are about the box: with -p 9300 the view has the leak alone,
# and the other four of the five above are counted outside the filter
# (the second refresh has the RTOs' and the SYN_SENTs', which the kernel
# gives no age; a filtered view dumps the whole box at most every 5 s, so
# the second refresh comes 5.5 s on).  The report as JSON and as text
# (checked below) come from two tcptops side by side, one wait for both.
run_top cfg -b -n 2 -d 5.5 -p 9300 >"$TMP/view.txt" 2>&1 &
VIEW_PID=$!
run_top cfg -b --json -n 2 -d 5.5 -p 9300 >"$TMP/view.json" \
    2>"$TMP/view.err" || bad "tcptop -p 9300: $(cat "$TMP/view.err")"
wait "$VIEW_PID"
VIEW_PID=
if jq -e '[.alerts[].kind] == ["close_wait_leak"] and
    .alerts_outside == 4' <<<"$(tail -n 1 "$TMP/view.json")" >/dev/null
then
	ok "-p 9300: the leak in view, 4 alerts outside the filter"
else
	bad "-p 9300: $(tail -n 1 "$TMP/view.json" | jq -c '{alerts,
	    alerts_outside}')"
fi
grep -qx 'ALERT +4 outside the filter: tcptop without -p, --state, -f, -4, -6 shows them' \
    "$TMP/view.txt" && ok "-p 9300: the text report says 4 outside" ||
    bad "-p 9300 text: $(grep ALERT "$TMP/view.txt")"
# Unfiltered, none is outside; a recording cannot tell.
if jq -e '.alerts_outside == 0' <<<"$last" >/dev/null &&
    run_top cfg -b --json -n 1 -p 9300 --record "$TMP/rec" \
    >"$TMP/rec.json" 2>&1 &&
    jq -e '.alerts_outside == null' "$TMP/rec.json" >/dev/null; then
	ok "alerts_outside: 0 unfiltered, null with --record"
else
	bad "alerts_outside: $(jq .alerts_outside <<<"$last")," \
	    "--record: $(cat "$TMP/rec.json")"
fi
# Filtered at 80x24: the alert line and the status line count the
# alerts outside the filter, and so does the a window.
if command -v tmux >/dev/null 2>&1; then
	screen() { capture && cat "$SCREEN"; }
	tmux_start 80 24 "ip netns exec $NS_S env -i PATH=$PATH TERM=xterm \
	    LANG=C.UTF-8 TZ=UTC XDG_CONFIG_HOME=$TMP/cfg $TCPTOP --no-trace \
	    -p 9300 -d 0.5" || fail "tmux did not start"
	if wait_until -t 20 "the count outside the filter" shows \
	    '^alert close_wait_leak: .*  \+4 outside the filter *$' &&
	    shows '^[0-9]+ of [0-9]+ shown, 4 alerts outside the filter \(a\)  sort'
	then
		ok "80x24 -p 9300: alert and status lines count 4 outside"
	else
		bad "80x24 -p 9300: $(screen)"
	fi
	keys a
	if wait_until -t 5 "the window" shows \
	    '4 more about sockets outside the filter'; then
		ok "80x24 -p 9300: the a window says so"
	else
		bad "80x24 -p 9300 a: $(screen)"
	fi
	keys Escape
	keys q
	tmux_stop
fi

# The first report already has the ones that need no history: the
# leak's age comes from the kernel.
if jq -e '[.alerts[].kind] == ["syn_flood", "accept_queue",
    "close_wait_leak"]' <<<"$(head -n 1 "$TMP/causes.json")" >/dev/null; then
	ok "first report: syn_flood, accept_queue and close_wait_leak"
else
	bad "first report: $(head -n 1 "$TMP/causes.json" | jq -c .alerts)"
fi

# The text report lists them under its header line.
run_top cfg -b -n 1 >"$TMP/causes.txt" 2>&1
if sed -n 2p "$TMP/causes.txt" | grep -q '^ALERT syn_flood (critical): ' &&
    grep -q '^  next: ' "$TMP/causes.txt"; then
	ok "text report lists the alerts"
else
	bad "text report: $(head -n 5 "$TMP/causes.txt")"
fi

# The group reports carry them too.
run_top cfg -b --json -n 1 --group service >"$TMP/group.json" 2>&1
if jq -e '[.alerts[].kind] == ["syn_flood", "accept_queue",
    "close_wait_leak"] and (.groups | length) > 0' "$TMP/group.json" >/dev/null; then
	ok "--group report has the alerts"
else
	bad "--group report: $(cat "$TMP/group.json")"
fi

# --all-netns from P: S's alerts carry S's name; any other namespace on
# the machine may add its own.
inP env -i PATH="$PATH" XDG_CONFIG_HOME="$TMP/cfg" "$TCPTOP" --no-trace \
    --all-netns -b --json -n 1 >"$TMP/all.json" 2>"$TMP/all.err"
got=$(jq -r '.alerts[] | select(.kind == "syn_flood") | .evidence' \
    "$TMP/all.json" 2>/dev/null)
n=$(count_ss state syn-recv sport = :9001)
if grep -qxF "[$NS_S] $n SYN_RECV on :9001, backlog 128" <<<"$got"; then
	ok "--all-netns: S's syn_flood named by its namespace"
else
	bad "--all-netns: '$got' $(cat "$TMP/all.err")"
fi

# Defaults (syn_recv 100, close_wait 60 s): only the full accept queue.
run_top none -b --json -n 1 >"$TMP/defaults.json" 2>&1
if jq -e '[.alerts[].kind] == ["accept_queue"]' "$TMP/defaults.json" \
    >/dev/null; then
	ok "default thresholds"
else
	bad "default thresholds: $(cat "$TMP/defaults.json")"
fi
# A broken file: said once on stderr, the defaults used.
run_top bad -b --json -n 1 >"$TMP/bad.json" 2>"$TMP/bad.err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^tcptop: tcptoprc:1: bad alert_syn_recv "0"' \
    "$TMP/bad.err" && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] &&
    jq -e '[.alerts[].kind] == ["accept_queue"]' "$TMP/bad.json" \
    >/dev/null; then
	ok "broken tcptoprc: warning, defaults"
else
	bad "broken tcptoprc: rc $rc, $(cat "$TMP/bad.err")"
fi

# The screen: the first alert under the header, a lists them all.
if command -v tmux >/dev/null 2>&1; then
	screen() { capture && cat "$SCREEN"; }
	tmux_start 100 30 "ip netns exec $NS_S env -i PATH=$PATH TERM=xterm \
	    LANG=C.UTF-8 TZ=UTC XDG_CONFIG_HOME=$TMP/cfg $TCPTOP --no-trace -d 0.5" ||
	    fail "tmux did not start"
	if wait_until -t 10 "the alert line" shows \
	    '^ALERT syn_flood: 12 SYN_RECV on :9001, backlog 128.*  \+4 more \(a\)'
	then
		# Right under the header: line 2, or 3 under the kernel's
		# counters.
		screen | sed -n 2,3p | grep -q '^ALERT' &&
		    ok "alert line under the header" ||
		    bad "alert line not under the header: $(screen |
		    head -n 3)"
	else
		bad "no alert line: $(screen | head -n 4)"
	fi
	keys a
	if wait_until -t 5 "the alerts window" shows 'Alerts: 5 \(Esc closes\)'
	then
		s=$(screen)
		for k in syn_flood accept_queue close_wait_leak \
		    retrans_no_progress syn_sent_stuck; do
			grep -q "$k: " <<<"$s" || bad "window lacks $k"
		done
		grep -q 'next: ' <<<"$s" && ok "a: the alerts window" ||
		    bad "window without hints: $s"
	else
		bad "a did not open the window: $(screen)"
	fi
	keys Escape
	wait_until -t 5 "the window to close" not shows "Alerts: 5" &&
	    ok "Esc closes the window" || bad "Esc: $(screen)"
	# Narrower, the evidence is cut at a word (the rest of it ends
	# where a word of the full line ends), never the count.
	full=$(screen | grep -m 1 '^ALERT syn_flood: ' | sed 's/  +4 more (a) *$//')
	"${T[@]}" resize-window -t "$TMUX_SESSION" -x 60 -y 16
	if wait_until -t 10 "the alert line cut" shows \
	    '^ALERT syn_flood: .*…  \+4 more \(a\)$'; then
		cut=$(screen | grep -m 1 '^ALERT' | sed 's/…  +4 more (a)$//')
		rest=${full#"$cut"}
		if [ "$rest" != "$full" ] && [ -n "$rest" ] &&
		    [[ "$rest" =~ ^[\ ,:\;] ]]; then
			ok "60 columns: the alert cut at a word, the count kept"
		else
			bad "60 columns: '$cut' is not '$full' cut at a word"
		fi
	else
		bad "60 columns: $(screen | head -n 4)"
	fi
	# At 40x12 the alert line gives way; its count stays in the header.
	"${T[@]}" resize-window -t "$TMUX_SESSION" -x 40 -y 12
	if wait_until -t 10 "the header's alert count" shows \
	    '^[^ ].*  5 alerts \(a\) *$'; then
		screen | grep -q '^ALERT' &&
		    bad "40x12: both the alert line and the count" ||
		    ok "40x12: the header keeps the count of 5 alerts"
	else
		bad "40x12: no alert count: $(screen | head -n 3)"
	fi
	keys q
else
	echo "SKIP: tmux not installed: the screen is not checked"
fi

# Timewait sockets, named by state.  Ten ports for S's connects from now
# on: the orphans to :9500 hold them all, the TIME_WAITs to :9600 eight.
stop flood
stop acc
inS sysctl -qw net.ipv4.ip_local_port_range="40000 40009" ||
    fail "ip_local_port_range in S"
cause keeper "$NS_P" serve 9500
cause orphans "$NS_S" hangup "$P_ADDR4" 9500 10
cause closer "$NS_P" closer 9600
T_TW=$(now_us)
cause tw "$NS_S" hangup "$P_ADDR4" 9600 8
cause keeper2 "$NS_P" serve 9700
T_HC=$(now_us)
cause hc "$NS_S" halfclose "$P_ADDR4" 9700 3
wait_until -t 10 "3 FIN_WAIT2 to :9700" has_count 3 state fin-wait-2 \
    dport = :9700 || fail "no FIN_WAIT2 to :9700"
wait_until -t 10 "10 FIN_WAIT2 to :9500" has_count 10 state fin-wait-2 \
    dport = :9500 || fail "no orphaned FIN_WAIT2"
wait_until -t 10 "8 TIME_WAIT to :9600" has_count 8 state time-wait \
    dport = :9600 || fail "no TIME_WAIT: $(inS ss -Htanoe dport = :9600;
    cat "$TMP/tw.err" "$TMP/closer.err")"
# Orphaned: no process, a timewait timer.
if [ "$(inS ss -Htanoe state fin-wait-2 dport = :9500 |
    grep -c 'timer:(timewait')" -eq 10 ]; then
	ok "the 10 FIN_WAIT2 are orphaned timewait sockets, as ss shows"
else
	bad "FIN_WAIT2: $(inS ss -Htanoe state fin-wait-2 dport = :9500)"
fi
# Some seconds into TIME_WAIT, so the bound says more than 0.
tw_run() { inS ss -Htno state time-wait dport = :9600 |
    grep -o 'timewait,[0-9]*sec' | cut -d, -f2 | sed 's/sec//' |
    awk '{ n++; if ($1 > 56) y = 1 } END { exit !(n == 8 && !y) }'; }
wait_until -t 15 "the TIME_WAITs 3 s old by their timer" tw_run ||
    bad "TIME_WAIT timers: $(inS ss -Htno state time-wait dport = :9600)"
inS ss -Htno state time-wait dport = :9600 | awk '{ n = split($3, a, ":");
    match($0, /timer:\(timewait,[^,]*/); print a[n], substr($0,
    RSTART + 16, RLENGTH - 16) }' >"$TMP/tw.raw"
inS ss -Htin state fin-wait-2 dport = :9700 | awk '
    $1 ~ /^[0-9]/ { n = split($3, a, ":"); port = a[n] }
    /lastack:/ { match($0, /lastack:[0-9]+/);
	print port, substr($0, RSTART + 8, RLENGTH - 8) }' >"$TMP/fw2.ss"
run_top cfg -b --json -n 1 >"$TMP/first.json" 2>"$TMP/first.err" ||
    bad "tcptop -n 1: $(cat "$TMP/first.err")"
T_END=$(now_us)
# Their local ports are the orphans' too (10 ports): the peer's tells.
age_check "FIN_WAIT2 (last ACK received)" "$TMP/fw2.ss" FIN_WAIT2 "$T_HC" \
    local_port '.remote_port == 9700'
while read -r port e; do
	echo "$port $((60000 - $(HI=1 ss_ms "$e")))"
done <"$TMP/tw.raw" >"$TMP/tw.ss"
# The TIME_WAITs share P's port: S's tells them apart.
age_check "TIME_WAIT (the timewait timer)" "$TMP/tw.ss" TIME_WAIT "$T_TW" \
    local_port
kinds=$(jq -r '.alerts[] | select(.evidence | test(":9[56]00")) |
    "\(.kind) \(.severity) \(.evidence)"' "$TMP/first.json")
want="fin_wait2_orphans critical 10 orphaned FIN_WAIT2 from $S_ADDR4 to"
want="$want $P_ADDR4:9500: 100% of the 10 ephemeral ports"
grep -qxF "$want" <<<"$kinds" && ok "fin_wait2_orphans: named as such" ||
    bad "fin_wait2_orphans: wanted '$want', got '$kinds'"
want="time_wait warning 8 TIME_WAIT from $S_ADDR4 to $P_ADDR4:9600: 80%"
want="$want of the 10 ephemeral ports"
grep -qxF "$want" <<<"$kinds" && ok "time_wait: named as such" ||
    bad "time_wait: wanted '$want', got '$kinds'"
[ "$(wc -l <<<"$kinds")" -eq 2 ] || bad "timewait alerts: $kinds"
hint=$(jq -r '.alerts[] | select(.kind == "fin_wait2_orphans") | .hint' \
    "$TMP/first.json")
if grep -q CLOSE_WAIT <<<"$hint" && ! grep -q tw_reuse <<<"$hint"; then
	ok "fin_wait2_orphans: the hint points at the peer's CLOSE_WAIT"
else
	bad "fin_wait2_orphans hint: $hint"
fi

# At 80x24: the orphans are the first alert, and TIME_WAIT's time in
# state is a lower bound from the first frame.
if command -v tmux >/dev/null 2>&1; then
	tmux_stop
	tmux_start 80 24 "ip netns exec $NS_S env -i PATH=$PATH TERM=xterm \
	    LANG=C.UTF-8 TZ=UTC XDG_CONFIG_HOME=$TMP/cfg $TCPTOP --no-trace \
	    --state time-wait,fin-wait-2 --sort age -r -d 60" ||
	    fail "tmux did not start"
	if wait_until -t 10 "the orphans' alert line" shows \
	    '^ALERT fin_wait2_orphans: 10 orphaned'; then
		ok "80x24: the alert line names orphaned FIN_WAIT2"
	else
		bad "80x24 alert line: $(screen | head -n 4)"
	fi
	# Sorted by time in state, the oldest first: TIME_WAIT rows aged
	# from their timer (3 s at least by now), with the +.
	if shows 'TIME_WAIT +([3-9]|[1-5][0-9])s\+'; then
		ok "80x24: TIME_WAIT ages from the first frame, with +"
	else
		bad "80x24 ages: $(screen)"
	fi
	keys q
fi

summary alerts
