#!/usr/bin/env bash
# Smoke test of the binary: help and version, a one-line error and exit 2
# for every kind of bad input, replays of the recorded dumps (whose counts
# must equal what ss said when they were recorded), the user-space
# filters on a replay, a record/replay round trip, and a live dump.
set -u
shopt -s nullglob
TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/../data}

. "$(dirname "$0")/../lib/lib-test.sh"

command -v jq >/dev/null || skip_anyway "jq missing"
require_bin TCPTOP
test_tmpdir tcptop-smoke

# Usage errors: exit 2, exactly one line on stderr naming the problem,
# nothing on stdout.
usage_error() {	# usage_error WORD ARGS...
	local word=$1
	shift
	# Bounded: an input wrongly taken runs on, and must fail, not hang.
	timeout 20 "$TCPTOP" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	local rc=$? lines
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$TMP/out" ] &&
	    grep -q -- "$word" "$TMP/err"; then
		:
	else
		bad "tcptop $*: rc=$rc, $lines stderr lines: $(head -c 300 "$TMP/err")"
		return
	fi
	# A pointer to --help comes once at most (main adds it to the
	# options' errors).
	[ "$(grep -o 'see [a-z]* *--help' "$TMP/err" | wc -l)" -le 1 ] && ok ||
	    bad "tcptop $*: more than one pointer to --help: $(cat "$TMP/err")"
}

"$TCPTOP" --help >"$TMP/out" 2>&1 && grep -q -- "--port" "$TMP/out" &&
    grep -q "bcc" "$TMP/out" && ok || bad "--help"
"$TCPTOP" --version | grep -q '^tcptop [0-9]' && ok || bad "--version"
# Read on an 80-column terminal over SSH: no help line wraps.
awk 'length > 79 { exit 1 }' "$TMP/out" && ok || bad "--help wider than 79"

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
usage_error "exclude" --record "$TMP/x" --replay "$TMP/x"
# Options that need or exclude others (every message: test-options).
usage_error "needs a filter" -b --kill --yes
usage_error "needs --kill" -b --kill-own-session -p 80
# --kill without --yes lists what would go and destroys nothing: exit 2,
# the list on stdout, one line on stderr naming --yes.  Port 1 on a
# live dump: what matches there is listed, nothing is touched.
"$TCPTOP" --kill -p 1 >"$TMP/out" 2>"$TMP/err" </dev/null
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q -- "--yes" "$TMP/err" &&
    grep -Eq "^[0-9]+ matched: [0-9]+ would be destroyed; nothing destroyed without --yes\$" \
    "$TMP/out" && ok ||
    bad "--kill without --yes: rc=$rc, $(cat "$TMP/out" "$TMP/err")"
usage_error "exclude" -N blue --all-netns
usage_error "reads the kernel" --all-netns --replay "$TMP/x"
usage_error "needs --all-netns" -b --group netns
usage_error "makes its own sockets" --lesson --record "$TMP/x"
usage_error "unknown kind" -b --group bogus
usage_error "columns" -b --columns state,bogus
usage_error "No such file" -b --replay "$TMP/does-not-exist"
printf 'garbage, not a recording\n' >"$TMP/garbage"
usage_error "not a tcptop recording" -b --replay "$TMP/garbage"
usage_error "record" -b -n 1 --record /nonexistent-dir/x
# Filter expressions: the reason and the column, after "-f: ".
usage_error "-f: expected a port after \"sport =\" at column 9" -b -f 'sport = '
usage_error "-f: port \"no-such-service\" at column 9 is no number and" \
    -b -f 'dport < no-such-service'
usage_error "-f: unknown word \"foo\" at column 1 before \"=\"" -b \
    -f 'foo = 1'
usage_error "-f: \"eq\" at column 1 is an operator" -b -f 'eq'
usage_error "-f: command name" -b -f 'comm averyveryverylongname'
usage_error "-f: unbalanced \")\" at column 10" -b -f 'sport = 1))'
usage_error "-f: unbalanced \"(\" at column 1" -b -f '(sport = 1'
usage_error "-f: port \"70000\" at column 8 is out of range 0-65535" -b \
    -f 'port = 70000'
usage_error "-f: bad address \"10.0.0.0/33\"" -b -f 'dst 10.0.0.0/33'
usage_error "-f: bad address" -b -f 'src fe80::1::2'
usage_error "-f: unknown state \"bogus\" at column 13" -b \
    -f 'state estab,bogus'
usage_error "-f: expected a term after \"and\"" -b -f 'sport = 1 and'
usage_error "-f: expression too long (64 terms)" -b \
    -f "$(printf 'port = 1 or %.0s' $(seq 20))port = 1"
usage_error "-f: " -b -f $'sport = 1\nsport = 2 \001'
usage_error "needs a value" -b -f
# --no-owners: what would show an owner is an error, not dashes.
usage_error "--no-owners excludes --group process" -b --no-owners \
    --group process
usage_error "--no-owners excludes -f's owner terms" -b --no-owners \
    -f 'comm sshd'
usage_error "--no-owners excludes --columns" -b --no-owners \
    --columns state,pid
usage_error "--no-owners excludes --sort" -b --no-owners --sort user

# replay_f EXPR JQ-PREDICATE: on the replay $rec, -f EXPR keeps the
# connections of the last report ($all) that satisfy the predicate, and
# some.
replay_f() {
	local want got
	want=$(echo "$all" | jq -c "[.connections[] | select($2) | .cookie] |
	    sort")
	got=$("$TCPTOP" --replay "$rec" --json -f "$1" | tail -n 1 |
	    jq -c '[.connections[].cookie] | sort')
	[ "$got" = "$want" ] && [ "$want" != "[]" ] && ok ||
	    bad "replay $name -f '$1': $got != $want"
}

# Replays: counts per state and family equal ss's at recording time.
for rec in "$TESTDATA"/*.nlmsg; do
	name=$(basename "$rec" .nlmsg)
	[ -f "$TESTDATA/$name.ss" ] || continue
	"$TCPTOP" --replay "$rec" --json >"$TMP/$name.json" 2>"$TMP/err" ||
	    { bad "replay $name: $(cat "$TMP/err")"; continue; }
	# The last refresh of the recording is the one ss saw.
	got=$(tail -n 1 "$TMP/$name.json" | jq -r '.connections[] |
	    "\(.family) \(.state)"' | sort | uniq -c)
	# .ss lines: family laddr lport raddr rport STATE
	want=$(awk '{ print $1, $6 }' "$TESTDATA/$name.ss" | sort | uniq -c)
	[ "$got" = "$want" ] && ok || bad "replay $name: $got != $want"
	tail -n 1 "$TMP/$name.json" | jq -e '(.states | add) == .total and
	    (.connections | length) == .total and
	    (.families.ipv4 + .families.ipv6) == .total' >/dev/null &&
	    ok || bad "replay $name: totals do not add up"
	# Text mode: one line per socket under the header and the titles.
	"$TCPTOP" --replay "$rec" -b -n 1 >"$TMP/$name.txt" &&
	    [ "$(head -n 1 "$TMP/$name.json" | jq .total)" -eq \
	      "$(awk 'NR > 2 && NF' "$TMP/$name.txt" | wc -l)" ] &&
	    ok || bad "replay $name text"
	# User-space filters on a replay equal jq's on the full report.
	all=$(tail -n 1 "$TMP/$name.json")
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
	# Filter expressions on a replay (user space only) equal jq's.
	replay_f 'sport = 9001 or dport >= 9008' \
	    '.local_port == 9001 or .remote_port >= 9008'
	replay_f 'src 10.77.0.1 and not state listen' \
	    '.local_addr == "10.77.0.1" and .state != "LISTEN"'
	replay_f 'dst fd00:77::/64 && dport < :9005' \
	    '.family == "ipv6" and (.remote_addr | startswith("fd00:77:")) and
	    .remote_port < 9005'
	replay_f 'port != 9010 state time-wait,FIN_WAIT1' \
	    '.local_port != 9010 and .remote_port != 9010 and
	    (.state == "TIME_WAIT" or .state == "FIN_WAIT1")'
	replay_f 'dst 10.77.0.0/24:9005 || dst [fd00:77::2]:9006' \
	    '(.family == "ipv4" and (.remote_addr | startswith("10.77.0.")) and
	    .remote_port == 9005) or
	    (.remote_addr == "fd00:77::2" and .remote_port == 9006)'
	replay_f 'NOT (sport = 9001 OR dport gt 9005)' \
	    '(.local_port == 9001 or .remote_port > 9005) | not'
	# A blank expression keeps everything.
	replay_f ' ' 'true'
done

# A truncated recording: one line, exit 2, and the refreshes before the
# damage were still printed.
for rec in "$TESTDATA"/*.nlmsg; do
	size=$(stat -c %s "$rec")
	head -c $((size - 5)) "$rec" >"$TMP/trunc.nlmsg"
	"$TCPTOP" --replay "$TMP/trunc.nlmsg" --json >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	    grep -q truncated "$TMP/err" && ok ||
	    bad "truncated replay: rc=$rc $(cat "$TMP/err")"
	break
done

# Live: a record/replay round trip gives the same reports.
if "$TCPTOP" --record "$TMP/live.nlmsg" --json -n 3 -d 0.05 >"$TMP/live.json"
then
	"$TCPTOP" --replay "$TMP/live.nlmsg" --json >"$TMP/replayed.json"
	# The transitions are not in a recording: the live run may have
	# had the tracepoint, a replay only has the refreshes.  Nor are
	# cgroup paths (only a live run looks ids up in the mount) or
	# processes: a replay has no owners.  Nor are the kernel's counters
	# and the SSH session.
	# Nor are the timings and losses of a live run.
	strip='del(.source, .transitions, .events, .transitions_source,
	    .transitions_note, .transitions_lost, .notifications_lost,
	    .owners, .owners_note, .owners_checked_every, .kernel, .ssh,
	    .refresh_ms, .interval_ms, .delay_ms, .late_ms, .model) |
	    .connections |= map(del(.cgroup, .owner, .pid, .comm, .user,
	    .ssh))'
	if diff <(jq -c "$strip" "$TMP/live.json") \
	    <(jq -c "$strip" "$TMP/replayed.json") >/dev/null; then
		ok
	else
		bad "record/replay round trip differs"
	fi
	[ "$(wc -l <"$TMP/live.json")" -eq 3 ] && ok || bad "-n 3 lines"
	jq -e . "$TMP/live.json" >/dev/null && ok || bad "live JSON invalid"
else
	bad "live --record run failed"
fi

# Keeping time: every report says what its refresh cost and how late it
# came (whether it was is the machine's business, not checked): the
# first has no interval, later ones do, late_ms is what the interval
# exceeds the delay by, and the text report says "behind" exactly when
# it is late.  A replay runs at full speed: never late.
if "$TCPTOP" --json -n 4 -d 0.001 >"$TMP/late.json" 2>"$TMP/err"; then
	jq -s -e 'length == 4 and all(.[]; (.refresh_ms | type) == "number"
	    and .refresh_ms >= 0 and .delay_ms == 1) and
	    .[0].interval_ms == null and .[0].late_ms == 0 and
	    all(.[1:][]; (.interval_ms | type) == "number" and
	    .late_ms == ([.interval_ms - .delay_ms, 0] | max))' \
	    "$TMP/late.json" >/dev/null && ok ||
	    bad "late_ms: $(jq -c '{refresh_ms, interval_ms, delay_ms,
	    late_ms}' "$TMP/late.json" | tr '\n' ' ')"
	echo "# late by $(jq -r .late_ms "$TMP/late.json" | tr '\n' ' ')ms" \
	    "at -d 0.001"
else
	bad "live -d 0.001 run failed: $(cat "$TMP/err")"
fi
"$TCPTOP" -b -n 4 -d 0.001 >"$TMP/late.txt" 2>"$TMP/err" &&
    [ "$(grep -c 'sockets (ipv4' "$TMP/late.txt")" -eq 4 ] && ok ||
    bad "live -b -d 0.001: $(cat "$TMP/err")"
for rec in "$TESTDATA"/*.nlmsg; do
	"$TCPTOP" --replay "$rec" --json -d 0.001 | jq -s -e \
	    'all(.[]; .interval_ms == null and .late_ms == 0)' >/dev/null &&
	    ok || bad "$(basename "$rec"): a replay is never late"
done

# Live -f: where the kernel can test the whole expression it sends only
# the matching sockets (dumped == total); a state term under "or" makes
# it send more, and tcptop keeps the matching ones.
if "$TCPTOP" --json -n 1 -f 'dport = 0 or ( sport = 1 and dst 192.0.2.0/24 )' \
    >"$TMP/f1.json" 2>"$TMP/err" &&
    "$TCPTOP" --json -n 1 -f 'state listen or dport = 0' >"$TMP/f2.json" \
    2>>"$TMP/err"; then
	jq -e '.dumped == .total and
	    all(.connections[]; .remote_port == 0)' "$TMP/f1.json" \
	    >/dev/null && ok || bad "live -f: $(jq -c '{dumped, total}' \
	    "$TMP/f1.json")"
	jq -e '.dumped >= .total and all(.connections[];
	    .state == "LISTEN" or .remote_port == 0)' "$TMP/f2.json" \
	    >/dev/null && ok || bad "live -f with a state term"
else
	bad "live -f run failed: $(cat "$TMP/err")"
fi

# Output that cannot be written: exit 1 and one line saying so, for the
# report and for the recording.
"$TCPTOP" -b -n 1 >/dev/full 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q "writing the report" "$TMP/err" && ok ||
    bad "stdout on /dev/full: rc=$rc $(cat "$TMP/err")"
"$TCPTOP" -b -n 3 -d 0 --record /dev/full >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q "recording stopped" "$TMP/err" && ok ||
    bad "--record /dev/full: rc=$rc $(cat "$TMP/err")"

# Unprivileged: sock_diag needs no privilege for TCP.  The binary is
# copied where nobody can reach it, whatever the build directory's modes.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir "$TMP/pub"
	cp "$TCPTOP" "$TMP/pub/tcptop"
	chmod 755 "$TMP" "$TMP/pub" "$TMP/pub/tcptop"
	(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$TMP/pub/tcptop" --json -n 2 -d 0.1) >"$TMP/unpriv.json" \
	    2>"$TMP/err" &&
	    jq -e '.total >= 0 and .source == "kernel"' "$TMP/unpriv.json" \
	    >/dev/null && ok || bad "unprivileged run: $(cat "$TMP/err")"
	# No tracepoint without root: sampled, and the reason given (two
	# refreshes: one alone counts none, and sets up no tracepoint).
	jq -e '(.transitions_source | startswith("sampled every")) and
	    (.transitions_note | type) == "string"' "$TMP/unpriv.json" \
	    >/dev/null && ok || bad "unprivileged transitions: $(jq -c \
	    '{transitions_source, transitions_note}' "$TMP/unpriv.json")"
fi

summary smoke
