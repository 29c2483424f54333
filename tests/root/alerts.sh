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
	stop_pids $PIDS
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

# The causes.
stop clients		# the peer closes; S's server never does
cause acc "$NS_P" connect "$S_ADDR4" 9100 6
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
oldest=$(evidence close_wait_leak | sed -n 's/.*(oldest \([0-9]*\)s)$/\1/p')
check_alert close_wait_leak "$n CLOSE_WAIT older than 1s held by\
 ${holder:-?} (oldest ${oldest:-?}s)"
n=$(count_ss state syn-sent dport = :9002)
oldest=$(evidence syn_sent_stuck | sed -n 's/.*(oldest \([0-9]*\)s)$/\1/p')
check_alert syn_sent_stuck \
    "$n SYN_SENT to $P_ADDR4:9002 for over 1s (oldest ${oldest:-?}s)"
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
# The first report already has the ones that need no age.
if jq -e '[.alerts[].kind] == ["syn_flood", "accept_queue"]' \
    <<<"$(head -n 1 "$TMP/causes.json")" >/dev/null; then
	ok "first report: syn_flood and accept_queue"
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
if jq -e '[.alerts[].kind] == ["syn_flood", "accept_queue"] and
    (.groups | length) > 0' "$TMP/group.json" >/dev/null; then
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
	keys q
else
	echo "SKIP: tmux not installed: the screen is not checked"
fi

summary alerts
