#!/usr/bin/env bash
# tcptop under valgrind: no invalid access, no leak, on live dumps with
# kernel filters (ports, states, expressions), with the transition
# sources under churn, and on a replay.  Skipped in sanitizer builds (ASan and
# valgrind exclude each other) and where valgrind is missing.
set -u
TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/../data}

. "$(dirname "$0")/../lib/lib-test.sh"

command -v valgrind >/dev/null || skip_anyway "valgrind missing"
require_bin TCPTOP
ldd "$TCPTOP" 2>/dev/null | grep -q libasan && skip_anyway "sanitizer build"
test_tmpdir tcptop-valgrind
vg() {
	if ! valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
	    "$TCPTOP" "$@" >/dev/null 2>"$TMP/vg"; then
		bad "valgrind tcptop $*"
		cat "$TMP/vg"
	fi
}
vg --json -n 10 -d 0
# The transition sources (the tracepoint when root, destroy
# notifications), with connections coming and going: refused connects
# on loopback, each a few transitions and a notification.
( for i in $(seq 100); do
	bash -c 'exec 3<>/dev/tcp/127.0.0.1/1' 2>/dev/null
	sleep 0.02
  done ) &
churn=$!
vg --json -n 20 -d 0.1
vg --json -n 5 -d 0.1 --no-trace
kill "$churn" 2>/dev/null
wait "$churn" 2>/dev/null
vg -b -n 5 -d 0 -p 22,80,1000-65535 --state connected,listen
vg -b -n 3 -d 0 -6 --sort rtt -r
vg -b -n 3 -d 0 -f 'dport > 1024 or src 127.0.0.0/8 and not state listen'
vg -b -n 3 -d 0 -p 1-1024 -f '(state listen or dst ::/0) sport != 22'
for rec in "$TESTDATA"/*.nlmsg; do
	[ -e "$rec" ] && vg --replay "$rec" --json -p 9001-9010
done
[ "$FAILED" -eq 0 ] && echo "valgrind: clean"
[ "$FAILED" -eq 0 ]
