#!/usr/bin/env bash
# prometheus: a real Prometheus scrapes tcptop --listen, and what it
# stored equals ss.
#
# nsholder holds every state in the subject namespace S.  In the peer
# namespace P, tcptop -N S serves /metrics on P's loopback and Prometheus
# (the Debian binary, its own config, a TSDB in the test's directory)
# scrapes it every second, with docs/prometheus-rules.yml loaded; so S
# holds only the held sockets, and the counts are exact.  The test asks
# Prometheus's query API for tcptop_sockets and compares each family and
# state with ss -tan in S; checks that the scrape is up (Prometheus asks
# for OpenMetrics, so its parser accepted that too) and that every rule
# evaluates; promtool checks the rules.  The same tcptop writes
# --prometheus-file: read 300 times while it is rewritten, it is always
# whole and its refresh count only grows, and it counts nsholder's
# CLOSE_WAIT sockets as ss -tanp does (owners are read although tcptop
# runs headless); a second tcptop pointed at a
# symbolic link says so once and leaves the link's target alone.
set -u
TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
RULES=$(dirname "$0")/../../docs/prometheus-rules.yml

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"

netns_require jq curl prometheus promtool
require_bin TCPTOP
"$TCPTOP" --listen 1 --kill -p 1 2>&1 </dev/null | grep -q "needs libmicrohttpd" &&
    skip "this tcptop was built without libmicrohttpd"

PIDS=()
cleanup() {
	stop_pids "${PIDS[@]}"
	netns_cleanup
}
test_tmpdir tcptop-prom
netns_setup prom
netns_hold 2

check "promtool check rules" promtool check rules "$RULES"

PORT=9977
# ip netns exec execs: $! is tcptop itself, to stop by its pid.
# No owner column: only the metrics need the owners.
ip netns exec "$NS_P" "$TCPTOP" -N "$NS_S" --listen "127.0.0.1:$PORT" -d 0.5 \
    --columns local,remote,state --prometheus-file "$TMP/tcptop.prom" >"$TMP/tcptop.out" \
    2>"$TMP/tcptop.err" </dev/null &
PIDS+=($!)
TPID=$!
# A first refresh can take long on a loaded host (/proc read whole).
await -t 120 "tcptop's first refresh" test -s "$TMP/tcptop.prom"

cp "$RULES" "$TMP/rules.yml"
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $TMP/rules.yml
scrape_configs:
  - job_name: tcptop
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
ip netns exec "$NS_P" prometheus --config.file="$TMP/prometheus.yml" \
    --storage.tsdb.path="$TMP/tsdb" --web.listen-address=127.0.0.1:9090 \
    >"$TMP/prometheus.log" 2>&1 </dev/null &
PIDS+=($!)

# Prometheus's answer to QUERY, as JSON.
query() {
	inP curl -s --max-time 5 -G http://127.0.0.1:9090/api/v1/query \
	    --data-urlencode "query=$1"
}
up() { [ "$(query 'up{job="tcptop"}' | jq -r '.data.result[0].value[1]')" = 1 ]; }
check "Prometheus scrapes tcptop (up == 1)" wait_until -t 90 "up" up ||
    { tail -n 20 "$TMP/prometheus.log"; fail "no scrape"; }

# ss in S per family and state, as "ipv4 ESTABLISHED 2" lines.
ss_counts() {
	local fam
	for fam in 4 6; do
		inS ss -"$fam" -tanH | awk -v f="ipv$fam" '
		BEGIN {
			m["ESTAB"] = "ESTABLISHED"; m["SYN-SENT"] = "SYN_SENT"
			m["SYN-RECV"] = "SYN_RECV"; m["FIN-WAIT-1"] = "FIN_WAIT1"
			m["FIN-WAIT-2"] = "FIN_WAIT2"; m["CLOSE-WAIT"] = "CLOSE_WAIT"
			m["LAST-ACK"] = "LAST_ACK"; m["TIME-WAIT"] = "TIME_WAIT"
			m["UNCONN"] = "CLOSE"
			split("LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT LAST_ACK CLOSING TIME_WAIT CLOSE", all, " ")
			for (i in all) n[all[i]] = 0
		}
		{ s = ($1 in m) ? m[$1] : $1; n[s]++ }
		END { for (s in n) print f, s, n[s] }'
	done | sort
}
prom_counts() {
	query tcptop_sockets | jq -r '.data.result[] |
	    "\(.metric.family) \(.metric.state) \(.value[1])"' | sort
}
same() { [ "$(ss_counts)" = "$(prom_counts)" ] && [ "$(prom_counts | wc -l)" -eq 22 ]; }
if wait_until -t 60 "Prometheus's tcptop_sockets to equal ss" same; then
	ok "tcptop_sockets in Prometheus = ss in the namespace, 22 series"
else
	bad "tcptop_sockets differs from ss:"
	diff <(ss_counts) <(prom_counts)
fi
# Every held state is there, not only zeros.
held=$(prom_counts | awk '$3 > 0' | wc -l)
[ "$held" -ge 18 ] && ok "$held family/state pairs held and counted" ||
    bad "only $held nonzero pairs: $(prom_counts | tr '\n' ' ')"

# The services: nsholder listens on 9003 (SYN_RECV), whose half-open
# connections are there as ss counts them.
svc=$(query 'sum(tcptop_service_sockets{state="SYN_RECV"})' |
    jq -r '.data.result[0].value[1]')
want=$(inS ss -tanH state syn-recv | wc -l)
[ "$svc" = "$want" ] && ok "services' SYN_RECV $svc = ss" ||
    bad "services' SYN_RECV $svc, ss $want"

rules_ok() {
	local r
	r=$(inP curl -s --max-time 5 http://127.0.0.1:9090/api/v1/rules)
	[ "$(jq '[.data.groups[].rules[]] | length' <<<"$r")" -eq 5 ] &&
	    [ "$(jq '[.data.groups[].rules[] | select(.health == "ok")] | length' <<<"$r")" -eq 5 ]
}
check "the 5 alerting rules load and evaluate" wait_until -t 30 "rules" rules_ok

# The textfile, read while tcptop rewrites it: always whole, the
# refresh count never going back.
torn=0 back=0 last=0
for i in $(seq 300); do
	text=$(cat "$TMP/tcptop.prom")
	[ "$(tail -n 1 <<<"$text")" = "$(grep '^tcptop_build_info' <<<"$text")" ] &&
	    grep -q '^# HELP tcptop_sockets ' <<<"$text" || torn=$((torn + 1))
	r=$(awk '$1 == "tcptop_refreshes_total" { print $2 }' <<<"$text")
	[ "${r:-0}" -ge "$last" ] || back=$((back + 1))
	last=${r:-0}
done
[ "$torn" -eq 0 ] && [ "$back" -eq 0 ] && [ "$last" -gt 2 ] &&
    ok "300 reads of the textfile: all whole, refreshes up to $last" ||
    bad "textfile: $torn torn, $back went back, last $last"
# Headless (no terminal, no report) it still reads the owners the
# metrics need: CLOSE_WAIT by process, as ss -tanp counts it in S.
want=$(ip netns exec "$NS_S" ss -tanpH state close-wait |
    grep -c '(("nsholder"')
got=$(awk -F'[{}" ]+' '$1 == "tcptop_process_close_wait" &&
    $3 == "nsholder" { print $4 }' "$TMP/tcptop.prom")
[ "$want" -gt 0 ] && [ "${got:-absent}" = "$want" ] &&
    ok "CLOSE_WAIT of nsholder: $got, as ss -tanp" ||
    bad "tcptop_process_close_wait{process=\"nsholder\"} is ${got:-absent}, ss -tanp counts $want"
promtool check metrics <"$TMP/tcptop.prom" >"$TMP/lint" 2>&1 &&
    ok "promtool check metrics on the textfile" || bad "$(cat "$TMP/lint")"
[ ! -s "$TMP/tcptop.err" ] && ok "tcptop said nothing on stderr" ||
    bad "tcptop stderr: $(cat "$TMP/tcptop.err")"

# A symbolic link where the file goes: said once, its target untouched.
echo keep >"$TMP/target"
ln -s "$TMP/target" "$TMP/link.prom"
inP "$TCPTOP" -N "$NS_S" -d 0.2 -n 5 --prometheus-file "$TMP/link.prom" \
    >/dev/null 2>"$TMP/link.err" </dev/null
[ "$(cat "$TMP/target")" = keep ] && [ -L "$TMP/link.prom" ] &&
    [ "$(grep -c 'symbolic link' "$TMP/link.err")" -eq 1 ] &&
    [ "$(wc -l <"$TMP/link.err")" -eq 1 ] &&
    ok "a symbolic link refused, said once: $(cat "$TMP/link.err")" ||
    bad "symlink: target $(cat "$TMP/target"), err $(cat "$TMP/link.err")"

stop_pids "${PIDS[@]}"
PIDS=()
summary prometheus
