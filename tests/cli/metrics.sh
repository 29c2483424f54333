#!/usr/bin/env bash
# The metrics without root: --listen's bad values in one line with exit
# status 2 (and, in a build without libmicrohttpd, the sentence that
# says so); --prometheus-file from a replay, its counts those ss gave
# when the dump was recorded and the JSON report's, accepted by
# `promtool check metrics`; and --listen on loopback over the host's
# own sockets: 404, 405, HEAD, keep-alive, OpenMetrics on request (and promtool on
# the 0.0.4 text), libmicrohttpd loaded for --listen only, concurrent
# scrapes, and a client that sends half a
# request and stalls: the refreshes (the JSON reports) go on, and so do
# the other scrapes.
set -u
TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/../data}

. "$(dirname "$0")/../lib/lib-test.sh"

command -v jq >/dev/null || skip_anyway "jq missing"
require_bin TCPTOP
test_tmpdir tcptop-metrics

PIDS=()
cleanup() {
	exec 3>&- 2>/dev/null
	stop_pids "${PIDS[@]}"
}

usage_error() {	# usage_error WORD ARGS...
	local word=$1 rc lines
	shift
	timeout 20 "$TCPTOP" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$TMP/out" ] &&
	    grep -q -- "$word" "$TMP/err"; then
		ok "tcptop $* refused: $(cat "$TMP/err")"
	else
		bad "tcptop $*: rc=$rc, $lines stderr lines: $(head -c 300 "$TMP/err")"
	fi
}

# promtool accepts FILE, when there is a promtool (CI installs it).
promtool_ok() {	# promtool_ok WHAT FILE
	if ! command -v promtool >/dev/null; then
		[ -z "${CI:-}" ] && { echo "SKIP: promtool missing: $1"; return; }
		bad "promtool missing under CI"
		return
	fi
	promtool check metrics <"$2" >"$TMP/lint" 2>&1 && ok "promtool: $1" ||
	    bad "promtool check metrics on $1: $(head -c 600 "$TMP/lint")"
}

# The value of one series in a 0.0.4 text FILE.
series() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }

# 1. Bad values.
"$TCPTOP" --listen 9977 --kill -p 1 >/dev/null 2>"$TMP/probe" </dev/null
if grep -q "needs libmicrohttpd" "$TMP/probe"; then
	HTTP=0
	usage_error "needs libmicrohttpd, and this tcptop was built without" \
	    --listen 9977
else
	HTTP=1
	usage_error "exports every refresh: no --kill" --listen 9977 --kill -p 1
	usage_error 'not \[ADDR:\]PORT' --listen abc
	usage_error 'not \[ADDR:\]PORT' --listen 0
	usage_error 'not \[ADDR:\]PORT' --listen 65536
	usage_error 'not \[ADDR:\]PORT' --listen '[::1]9977'
	usage_error 'not \[ADDR:\]PORT' --listen 127.0.0.1:
	usage_error 'not a numeric IPv4' --listen localhost:9977
	usage_error 'not a numeric IPv4' --listen '[1.2.3.4]:9977'
	usage_error 'not a numeric IPv4' --listen $'\e[31m:99'
	grep -q $'\e' "$TMP/err" && bad "an escape reached stderr" || ok
fi
usage_error "--prometheus-file exports every refresh" --prometheus-file \
    "$TMP/x.prom" --lesson
usage_error "needs a value" --prometheus-file

# A file that cannot be written (its directory is missing): said once,
# whatever the number of refreshes, and the exit status says so, as a
# report's failed write does: cron notices.
"$TCPTOP" --replay "$TESTDATA/states.nlmsg" -n 3 --prometheus-file \
    "$TMP/none/t.prom" >"$TMP/out" 2>"$TMP/err" </dev/null
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q "prometheus-file: .*none: no such directory" "$TMP/err" &&
    ok "unwritable file: exit 1, one line: $(cat "$TMP/err")" ||
    bad "unwritable file: rc=$rc, err $(cat "$TMP/err")"

# 2. The textfile from a replay: quiet (no terminal, no -b), its counts
# what ss said at the recording, promtool's blessing.
"$TCPTOP" --replay "$TESTDATA/states.nlmsg" -n 1 --prometheus-file \
    "$TMP/t.prom" >"$TMP/out" 2>"$TMP/err" </dev/null
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ] &&
    ok "headless replay: exit 0, nothing printed" ||
    bad "headless replay: rc=$rc, out $(head -c 200 "$TMP/out"), err $(cat "$TMP/err")"
[ -s "$TMP/t.prom" ] || fail "no $TMP/t.prom"
promtool_ok "--prometheus-file" "$TMP/t.prom"
ls -a "$TMP" | grep -q '^\.t\.prom\.' && bad "a temporary file stayed" ||
    ok "no temporary file left"
for fam in ipv4 ipv6; do
	for st in LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 \
	    CLOSE_WAIT LAST_ACK CLOSING TIME_WAIT CLOSE; do
		want=$(awk -v f="$fam" -v s="$st" '$1 == f && $6 == s' \
		    "$TESTDATA/states.ss" | wc -l)
		got=$(series "$TMP/t.prom" \
		    "tcptop_sockets{family=\"$fam\",state=\"$st\"}")
		[ "$got" = "$want" ] || bad "$fam $st: metrics $got, ss $want"
	done
done
[ "$FAILED" -eq 0 ] && ok "tcptop_sockets: all 22 as ss counted them"
# The same refresh as JSON and as metrics: the same states.
"$TCPTOP" --replay "$TESTDATA/states.nlmsg" -n 1 --json --prometheus-file \
    "$TMP/j.prom" >"$TMP/j.json" 2>"$TMP/err" </dev/null ||
    bad "--json with --prometheus-file: $(cat "$TMP/err")"
mismatch=0
while read -r st n; do
	m=$(( $(series "$TMP/j.prom" "tcptop_sockets{family=\"ipv4\",state=\"$st\"}") +
	    $(series "$TMP/j.prom" "tcptop_sockets{family=\"ipv6\",state=\"$st\"}") ))
	[ "$m" -eq "$n" ] || { mismatch=1; bad "$st: JSON $n, metrics $m"; }
done < <(jq -r '.states | to_entries[] | "\(.key) \(.value)"' "$TMP/j.json")
[ "$mismatch" -eq 0 ] && ok "--json and the metrics of one refresh agree"
[ "$(series "$TMP/j.prom" tcptop_refreshes_total)" = 1 ] &&
    ok "tcptop_refreshes_total 1" || bad "tcptop_refreshes_total"

[ "$HTTP" -eq 1 ] || { summary metrics; exit; }

# 3. --listen on loopback, live: a free port found by trying.
start() {
	local port try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + RANDOM % 20000))
		"$TCPTOP" --listen "127.0.0.1:$port" --json -d 0.2 \
		    >"$TMP/live.json" 2>"$TMP/live.err" </dev/null &
		PID=$!
		if wait_until -t 20 "tcptop listening on $port" \
		    curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; then
			PORT=$port
			PIDS+=("$PID")
			return 0
		fi
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		grep -q "in use" "$TMP/live.err" ||
		    fail "tcptop --listen: $(cat "$TMP/live.err")"
	done
	fail "no free port in 10 tries"
}
start
URL=http://127.0.0.1:$PORT
# libmicrohttpd (and GnuTLS behind it) is loaded for --listen only: a
# one-shot does not pay for it.
grep -q libmicrohttpd "/proc/$PID/maps" &&
    ok "--listen loaded libmicrohttpd" || bad "--listen: no libmicrohttpd in its maps"
LD_DEBUG=files "$TCPTOP" --replay "$TESTDATA/states.nlmsg" -b -n 1 \
    >/dev/null 2>"$TMP/ld.err" </dev/null
if grep -q 'file=libc\.so' "$TMP/ld.err"; then
	grep -q microhttpd "$TMP/ld.err" &&
	    bad "a one-shot loaded libmicrohttpd" ||
	    ok "a one-shot does not load libmicrohttpd"
fi
code() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }
served() { [ "$(code "$URL/metrics")" = 200 ]; }
# A first refresh can take long on a loaded host (/proc read whole).
await -t 120 "a first refresh" served
check "/ is 404" test "$(code "$URL/")" = 404
check "/metrics/x is 404" test "$(code "$URL/metrics/x")" = 404
check "POST /metrics is 405" test "$(code -X POST -d x=1 "$URL/metrics")" = 405
check "DELETE /metrics is 405" test "$(code -X DELETE "$URL/metrics")" = 405
curl -s -D "$TMP/h" -o /dev/null -X PUT "$URL/metrics"
grep -qi '^Allow: GET, HEAD' "$TMP/h" && ok "405 says Allow: GET, HEAD" ||
    bad "405 without Allow: $(cat "$TMP/h")"
curl -s -I "$URL/metrics" >"$TMP/h"
grep -q '^HTTP/1.1 200' "$TMP/h" && grep -qi 'text/plain; version=0.0.4' \
    "$TMP/h" && ok "HEAD: 200, the 0.0.4 type" || bad "HEAD: $(cat "$TMP/h")"
curl -s "$URL/metrics?x=1" >"$TMP/s.prom"
promtool_ok "--listen" "$TMP/s.prom"
grep -q '^# EOF' "$TMP/s.prom" && bad "# EOF in the 0.0.4 text" || ok
curl -s -D "$TMP/h" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' \
    "$URL/metrics" >"$TMP/om.txt"
grep -qi 'application/openmetrics-text; version=1.0.0' "$TMP/h" &&
    [ "$(tail -n 1 "$TMP/om.txt")" = "# EOF" ] &&
    grep -q '^# TYPE tcptop_transitions counter$' "$TMP/om.txt" &&
    grep -q '^tcptop_transitions_total{' "$TMP/om.txt" &&
    ok "OpenMetrics on request: its type, # EOF, counter families" ||
    bad "OpenMetrics: $(head -c 300 "$TMP/h")"

# Keep-alive: a second scrape on the same connection, so scrapes do
# not each leave a new socket for the refreshes to find.
curl -sv -o /dev/null -o /dev/null "$URL/metrics" "$URL/metrics" 2>"$TMP/v"
[ "$(grep -c '^< HTTP/1.1 200' "$TMP/v")" -eq 2 ] &&
    grep -q 'Re-using existing connection' "$TMP/v" &&
    ok "keep-alive: two scrapes on one connection" ||
    bad "keep-alive: $(grep -i 'connection' "$TMP/v" | head -5)"

# Ten scrapers at once: every one gets the whole text.
for i in 1 2 3 4 5 6 7 8 9 10; do
	curl -s -o "$TMP/c$i" -w '%{http_code}\n' "$URL/metrics" >"$TMP/code$i" &
done
wait_until -t 30 "ten scrapes" bash -c "cat $TMP/code* | grep -c 200 | grep -qx 10" &&
    ok "ten concurrent scrapes: 200" || bad "concurrent: $(cat "$TMP"/code*)"
for i in 1 2 3 4 5 6 7 8 9 10; do
	tail -n 1 "$TMP/c$i" | grep -q '^tcptop_build_info' || bad "scrape $i cut short"
done

# A stalled client: half a request, then nothing.  Refreshes go on
# (reports keep coming) and other scrapes are served.
exec 3<>"/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect"
printf 'GET /metr' >&3
n0=$(whole_lines "$TMP/live.json" | wc -l)
r0=$(series <(curl -s "$URL/metrics") tcptop_refreshes_total)
more_reports() { [ "$(whole_lines "$TMP/live.json" | wc -l)" -ge $((n0 + 5)) ]; }
check "reports go on while a client stalls" wait_until -t 30 "5 more reports" more_reports
r1=$(series <(curl -s "$URL/metrics") tcptop_refreshes_total)
[ "${r1:-0}" -gt "${r0:-0}" ] && ok "scrapes go on, refreshes $r0 -> $r1" ||
    bad "refreshes $r0 -> $r1 while a client stalls"
exec 3>&-

# The metrics count what the JSON counts, one refresh at a time: the
# refresh count ties a scrape to its report.
same_refresh() {
	local prom json r
	prom=$(curl -s "$URL/metrics")
	r=$(awk '$1 == "tcptop_refreshes_total" { print $2 }' <<<"$prom")
	json=$(whole_lines "$TMP/live.json" | sed -n "${r}p")
	[ -n "$json" ] || return 1
	[ "$(jq '.states.LISTEN' <<<"$json")" -eq \
	    "$(awk '$1 ~ /^tcptop_sockets\{.*state="LISTEN"/ { s += $2 } END { print s }' <<<"$prom")" ]
}
check "LISTEN in the metrics = LISTEN in the JSON of that refresh" \
    wait_until -t 30 "one refresh's metrics and report" same_refresh

stop_pids "$PID"
summary metrics
