#!/usr/bin/env bash
# Smoke test of the binary: help and version, a one-line error and exit 2
# for every kind of bad input, replays of the recorded dumps (whose counts
# must equal what ss said when they were recorded), the user-space
# filters on a replay, a record/replay round trip, and a live dump.
set -u
shopt -s nullglob
TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/data}
tmp=$(mktemp -d /tmp/tcptop-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }

# Usage errors: exit 2, exactly one line on stderr naming the problem,
# nothing on stdout.
usage_error() {	# usage_error WORD ARGS...
	local word=$1
	shift
	"$TCPTOP" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ] &&
	    grep -q -- "$word" "$tmp/err"; then
		ok
	else
		bad "tcptop $*: rc=$rc, $lines stderr lines: $(head -c 300 "$tmp/err")"
	fi
}

"$TCPTOP" --help >"$tmp/out" 2>&1 && grep -q -- "--port" "$tmp/out" &&
    grep -q "bcc" "$tmp/out" && ok || bad "--help"
"$TCPTOP" --version | grep -q '^tcptop [0-9]' && ok || bad "--version"
# Read on an 80-column terminal over SSH: no help line wraps.
awk 'length > 79 { exit 1 }' "$tmp/out" && ok || bad "--help wider than 79"

usage_error "port 0" -b -p 0
usage_error "70000" -b -p 70000
usage_error "70000" -b -p 80,70000
usage_error "backwards" -b -p 90-80
usage_error "port" -b -p ''"abc"
usage_error "bogus" -b --state bogus
usage_error "state" -b --state ''
usage_error "\-d" -b -d -1
usage_error "\-d" -b -d abc
usage_error "\-d" -b -d nan
usage_error "\-n" -b -n 0
usage_error "\-n" -b -n -3
usage_error "unknown option" -b --frobnicate
usage_error "unknown option" -b -Z
usage_error "takes no value" --json=1
usage_error "takes no value" --batch=x
usage_error "needs a value" -b -p
usage_error "unexpected argument" -b extra
usage_error "sort" -b --sort nope
usage_error "exclude" --record "$tmp/x" --replay "$tmp/x"
usage_error "No such file" -b --replay "$tmp/does-not-exist"
printf 'garbage, not a recording\n' >"$tmp/garbage"
usage_error "not a tcptop recording" -b --replay "$tmp/garbage"
usage_error "record" -b -n 1 --record /nonexistent-dir/x

# Replays: counts per state and family equal ss's at recording time.
for rec in "$TESTDATA"/*.nlmsg; do
	name=$(basename "$rec" .nlmsg)
	[ -f "$TESTDATA/$name.ss" ] || continue
	"$TCPTOP" --replay "$rec" --json >"$tmp/$name.json" 2>"$tmp/err" ||
	    { bad "replay $name: $(cat "$tmp/err")"; continue; }
	# The last refresh of the recording is the one ss saw.
	got=$(tail -n 1 "$tmp/$name.json" | jq -r '.connections[] |
	    "\(.family) \(.state)"' | sort | uniq -c)
	# .ss lines: family laddr lport raddr rport STATE
	want=$(awk '{ print $1, $6 }' "$TESTDATA/$name.ss" | sort | uniq -c)
	[ "$got" = "$want" ] && ok || bad "replay $name: $got != $want"
	tail -n 1 "$tmp/$name.json" | jq -e '(.states | add) == .total and
	    (.connections | length) == .total and
	    (.families.ipv4 + .families.ipv6) == .total' >/dev/null &&
	    ok || bad "replay $name: totals do not add up"
	# Text mode: one line per socket under the header and the titles.
	"$TCPTOP" --replay "$rec" -b -n 1 >"$tmp/$name.txt" &&
	    [ "$(head -n 1 "$tmp/$name.json" | jq .total)" -eq \
	      "$(awk 'NR > 2 && NF' "$tmp/$name.txt" | wc -l)" ] &&
	    ok || bad "replay $name text"
	# User-space filters on a replay equal jq's on the full report.
	all=$(tail -n 1 "$tmp/$name.json")
	for spec in 9001 9002,9005-9007 1-1024; do
		lo_hi=$(echo "$spec" | tr ',' '\n' | awk -F- '{
		    hi = $2 == "" ? $1 : $2
		    printf("%s[%s,%s]", (NR > 1 ? "," : ""), $1, hi) }')
		want=$(echo "$all" | jq -c "[.connections[] | select(
		    . as \$c | [$lo_hi] | any(. as \$r |
		    (\$c.local_port >= \$r[0] and \$c.local_port <= \$r[1]) or
		    (\$c.remote_port >= \$r[0] and \$c.remote_port <= \$r[1])))
		    | .cookie] | sort")
		got=$("$TCPTOP" --replay "$rec" --json -p "$spec" | tail -n 1 |
		    jq -c '[.connections[].cookie] | sort')
		[ "$got" = "$want" ] && ok || bad "replay $name -p $spec"
	done
	want=$(echo "$all" | jq -c '[.connections[] | select(.state ==
	    "FIN_WAIT1" or .state == "CLOSE_WAIT" or .state == "TIME_WAIT")
	    | .cookie] | sort')
	got=$("$TCPTOP" --replay "$rec" --json --state \
	    fin-wait-1,CLOSE_WAIT,Time_Wait | tail -n 1 |
	    jq -c '[.connections[].cookie] | sort')
	[ "$got" = "$want" ] && ok || bad "replay $name --state"
	got=$("$TCPTOP" --replay "$rec" --json -6 | tail -n 1 |
	    jq '[.connections[] | select(.family != "ipv6")] | length')
	[ "$got" = 0 ] && ok || bad "replay $name -6"
done

# A truncated recording: one line, exit 2, and the refreshes before the
# damage were still printed.
for rec in "$TESTDATA"/*.nlmsg; do
	size=$(stat -c %s "$rec")
	head -c $((size - 5)) "$rec" >"$tmp/trunc.nlmsg"
	"$TCPTOP" --replay "$tmp/trunc.nlmsg" --json >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	    grep -q truncated "$tmp/err" && ok ||
	    bad "truncated replay: rc=$rc $(cat "$tmp/err")"
	break
done

# Live: a record/replay round trip gives the same reports.
if "$TCPTOP" --record "$tmp/live.nlmsg" --json -n 3 -d 0.05 >"$tmp/live.json"
then
	"$TCPTOP" --replay "$tmp/live.nlmsg" --json >"$tmp/replayed.json"
	if diff <(jq -c 'del(.source)' "$tmp/live.json") \
	    <(jq -c 'del(.source)' "$tmp/replayed.json") >/dev/null; then
		ok
	else
		bad "record/replay round trip differs"
	fi
	[ "$(wc -l <"$tmp/live.json")" -eq 3 ] && ok || bad "-n 3 lines"
	jq -e . "$tmp/live.json" >/dev/null && ok || bad "live JSON invalid"
else
	bad "live --record run failed"
fi

# Output that cannot be written: exit 1 and one line saying so, for the
# report and for the recording.
"$TCPTOP" -b -n 1 >/dev/full 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "writing the report" "$tmp/err" && ok ||
    bad "stdout on /dev/full: rc=$rc $(cat "$tmp/err")"
"$TCPTOP" -b -n 3 -d 0 --record /dev/full >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "recording stopped" "$tmp/err" && ok ||
    bad "--record /dev/full: rc=$rc $(cat "$tmp/err")"

# Unprivileged: sock_diag needs no privilege for TCP.  The binary is
# copied where nobody can reach it, whatever the build directory's modes.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir "$tmp/pub"
	cp "$TCPTOP" "$tmp/pub/tcptop"
	chmod 755 "$tmp" "$tmp/pub" "$tmp/pub/tcptop"
	(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$tmp/pub/tcptop" --json -n 1) >"$tmp/unpriv.json" 2>"$tmp/err" &&
	    jq -e '.total >= 0 and .source == "kernel"' "$tmp/unpriv.json" \
	    >/dev/null && ok || bad "unprivileged run: $(cat "$tmp/err")"
fi

echo "smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
