#!/bin/bash
#
# exits: every way out of the batch modes, with no root.
#
#   - -b and --json stopped by SIGINT, SIGTERM, SIGHUP, SIGQUIT or
#     SIGUSR1 before -n is done exit 128 + N, as the interactive view
#     and --lesson do; with -n done, 0.  A reader gone (| head) is 141
#     and no message, as SIGPIPE's default would be.
#   - Standard output closed (>&-): the report fails with a message and
#     status 1 rather than going into the netlink socket that took
#     descriptor 1; standard input or error closed changes nothing.
#   - --help and -V into /dev/full: a message and status 1.
#   - -4 -6 together keep both families, as ss -4 -6 does.
#
# The live reports dump this machine's own sockets (no root needed).
# Background jobs of a script start with SIGINT and SIGQUIT ignored,
# which tcptop keeps ignored (nohup's contract): env --default-signal
# gives them back to the job first.
#
# Environment: TCPTOP, TESTDATA.  Exit 0 pass, 1 fail, 77 skip.

# Runs beside the namespace tests (tests/lib/lock-run.sh):
# it reads the host's sockets, makes none, and checks only how
# tcptop exits.
# tests-lock: none
set -u

TCPTOP=${TCPTOP:-./tcptop}
TESTDATA=${TESTDATA:-$(dirname "$0")/../data}

. "$(dirname "$0")/../lib/lib-test.sh"

require_bin TCPTOP
require jq
env --default-signal=INT true 2>/dev/null ||
    skip "env --default-signal (coreutils 8.31) missing"

JOB=
cleanup() { [ -z "$JOB" ] || stop_pids "$JOB"; }
test_tmpdir tcptop-exits

# A report has come out: a line of text, or a whole JSON object.
reported() { [ -s "$TMP/out" ] && grep -q "$1" "$TMP/out"; }

# check_stop SIG ARGS...: tcptop ARGS reporting, SIG, then 128 + N and
# nothing on stderr.
check_stop()
{
	local sig=$1 n rc
	shift

	n=$(kill -l "$sig") || return 1
	: >"$TMP/out"
	env --default-signal=INT,QUIT "$TCPTOP" "$@" >"$TMP/out" \
	    2>"$TMP/err" &
	JOB=$!
	if ! wait_until -t 20 "a first report" reported "$REPORT_RE"; then
		stop_pids "$JOB"
		JOB=
		return 1
	fi
	kill -"$sig" "$JOB"
	wait "$JOB"
	rc=$?
	JOB=
	if [ "$rc" -ne $((128 + n)) ]; then
		echo "    SIG$sig: exit $rc, not $((128 + n))"
		return 1
	fi
	[ ! -s "$TMP/err" ] || { echo "    stderr: $(head -c 300 "$TMP/err")"
		return 1; }
}

REPORT_RE='sockets'
for sig in INT TERM HUP QUIT USR1; do
	check "-b stopped by SIG$sig exits 128+N" check_stop "$sig" -b -d 0.2
done
REPORT_RE='"connections"'
for sig in INT TERM HUP; do
	check "--json stopped by SIG$sig exits 128+N" check_stop "$sig" \
	    --json -d 0.2
done
REPORT_RE='sockets'
check "-b -n 1000 stopped by SIGTERM exits 143" check_stop TERM \
    -b -d 0.2 -n 1000

# -n done: 0.
"$TCPTOP" -b -d 0 -n 2 >/dev/null 2>"$TMP/err" && [ ! -s "$TMP/err" ] &&
    ok || bad "-b -n 2 does not exit 0 silently: $(head -c 300 "$TMP/err")"

# The reader gone: 141 as SIGPIPE's default, no message.
pipe_gone()
{
	local -a st

	"$TCPTOP" "$@" 2>"$TMP/err" | head -c 1 >/dev/null
	st=("${PIPESTATUS[@]}")
	[ "${st[0]}" -eq 141 ] && [ ! -s "$TMP/err" ] && return 0
	echo "    exit ${st[0]}, stderr: $(head -c 300 "$TMP/err")"
	return 1
}
check "-b | head: 141, no message" pipe_gone -b -d 0.05
check "--json | head: 141, no message" pipe_gone --json -d 0.05

# Standard output closed: an error, not a report into a socket.
stdout_closed()
{
	local rc

	"$TCPTOP" "$@" >&- 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	    grep -q 'Bad file descriptor' "$TMP/err" && return 0
	echo "    exit $rc, stderr: $(head -c 300 "$TMP/err")"
	return 1
}
check "-b -n 2 >&-: one line, status 1" stdout_closed -b -n 2 -d 0
check "--json -n 2 >&-: one line, status 1" stdout_closed --json -n 2 -d 0

"$TCPTOP" --json -n 1 <&- >"$TMP/out" 2>"$TMP/err" &&
    jq -e '.connections' "$TMP/out" >/dev/null && [ ! -s "$TMP/err" ] &&
    ok || bad "--json -n 1 <&-: no report"
"$TCPTOP" --json -n 1 2>&- >"$TMP/out" &&
    jq -e '.connections' "$TMP/out" >/dev/null &&
    ok || bad "--json -n 1 2>&-: no report"
"$TCPTOP" --no-such-option 2>&- >"$TMP/out"
rc=$?
[ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && ok ||
    bad "a usage error with stderr closed: exit $rc, stdout $(head -c 100 "$TMP/out")"

# What prints and exits, into a full device.
full()
{
	local rc

	[ -w /dev/full ] || { echo "    no /dev/full"; return 1; }
	"$TCPTOP" "$@" >/dev/full 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	    grep -q 'No space left on device' "$TMP/err" && return 0
	echo "    exit $rc, stderr: $(head -c 300 "$TMP/err")"
	return 1
}
check "--help >/dev/full: one line, status 1" full --help
check "-V >/dev/full: one line, status 1" full -V

# -4 -6: both families, as ss -4 -6 (ss.c filter_af_set ORs them).
count() { "$TCPTOP" --replay "$TESTDATA/states.nlmsg" --json "$@" |
    tail -n 1 | jq '.connections | length'; }
all=$(count)
both=$(count -4 -6)
v4=$(count -4)
v6=$(count -6)
[ "${v4:-0}" -gt 0 ] && [ "${v6:-0}" -gt 0 ] && [ "$both" = "$all" ] &&
    [ $((v4 + v6)) = "$all" ] && ok ||
    bad "-4 -6 on the replay: $both rows, $all without, $v4 + $v6 apart"

summary
