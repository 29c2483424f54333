# lib-test.sh: what every shell test shares (sourced, not run).
#
# Exit statuses, for automake: 0 pass, 1 fail, 77 skip.  Under CI=true
# (CI runs as root and must run every test) a reason to skip is a
# failure of the set-up, so skip exits 1 there.
#
# The script sets -u, sources this file first and then, as it needs:
#   skip MSG / fail MSG       one line, then exit 77 (1 under CI=true) or
#                             1; fail runs fail_hook first when the
#                             script or lib-tmux.sh defines one.
#   skip_anyway MSG           exit 77 even under CI=true: the test does
#                             not apply here (valgrind in an ASan build).
#   require_root WHY          skip unless root.
#   require CMD...            skip unless every command is installed.
#   require_bin VAR...        fail unless the program named by $VAR runs.
#   require_count NAME VALUE  fail unless VALUE (of the environment
#                             variable NAME) is a positive number.
#   abspath PATH              PATH from /, for programs run elsewhere.
#   test_tmpdir NAME          TMP, a fresh directory removed at exit.
#   stop_pids PID...          SIGTERM each and reap it.
#   ok [MSG] / bad MSG        count a check passed or failed (ok prints
#                             a PASS line only when given a message);
#   check DESC CMD...         run CMD: ok DESC or bad DESC;
#   summary [NAME]            "NAME: P passed, F failed"; status 0 when
#                             none failed.
#   not CMD...                CMD's status inverted, for the waits.
#   now_us                    the clock, in microseconds.
#   wait_until [-t S] DESC CMD...  poll CMD against a deadline of S
#                             seconds (default $WAIT, or 5); on timeout
#                             say so and return 1.
#   await [-t S] DESC CMD...  the same, but fail on timeout.
#
# At exit (or on INT, TERM, HUP) the script's own cleanup function runs
# when it has one, then $TMP goes, unless TEST_KEEP_TMP=1 and a check
# failed: then it is kept and named.

PASSED=0
FAILED=0
TMP=
TEST_KEEP_TMP=

skip()
{
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI=true, would skip): $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

skip_anyway()
{
	echo "SKIP: $*"
	exit 77
}

fail()
{
	echo "FAIL: $*"
	declare -F fail_hook >/dev/null && fail_hook
	exit 1
}

require_root() { [ "$(id -u)" -eq 0 ] || skip "needs root for $*"; }

require()
{
	local cmd

	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not installed"
	done
}

# require_bin VAR...: "no tcptop at ./tcptop (set TCPTOP)" when $TCPTOP
# is not an executable.
require_bin()
{
	local var

	for var in "$@"; do
		[ -x "${!var:-}" ] || fail "no $(basename "${!var:-$var}") at" \
		    "'${!var:-}' (set $var)"
	done
}

require_count()
{
	case $2 in
	''|*[!0-9]*|0) fail "$1 must be a positive number, not '$2'" ;;
	esac
}

abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

test_tmpdir()
{
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || fail "mktemp"
}

stop_pids()
{
	local pid

	for pid in "$@"; do
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 0
}

test_exit()
{
	declare -F cleanup >/dev/null && cleanup
	[ -n "$TMP" ] || return
	if [ -n "$TEST_KEEP_TMP" ] && [ "$FAILED" -gt 0 ]; then
		echo "files kept in $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap test_exit EXIT
trap 'exit 1' INT TERM HUP

ok()
{
	PASSED=$((PASSED + 1))
	[ $# -eq 0 ] || echo "PASS: $*"
}

bad()
{
	FAILED=$((FAILED + 1))
	echo "FAIL: $*"
}

check()
{
	local desc=$1

	shift
	if "$@"; then
		ok "$desc"
	else
		bad "$desc"
	fi
}

summary()
{
	echo "${1:+$1: }$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

not() { ! "$@"; }
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }

wait_until()
{
	local secs=${WAIT:-5} desc deadline

	if [ "$1" = -t ]; then
		secs=$2
		shift 2
	fi
	desc=$1
	shift
	deadline=$(($(now_us) + secs * 1000000))
	until "$@"; do
		if [ "$(now_us)" -ge "$deadline" ]; then
			echo "timed out after $secs s waiting for $desc"
			return 1
		fi
		sleep 0.05
	done
}

await()
{
	local t=()

	if [ "$1" = -t ]; then
		t=(-t "$2")
		shift 2
	fi
	wait_until "${t[@]}" "$@" >/dev/null ||
	    fail "timed out after ${t[1]:-${WAIT:-5}} s waiting for $1"
}

# whole_lines OUT: OUT, a file another process is still writing, without
# a last line not yet whole.  OUT is read once and the test made on that
# copy: it may grow in between.
whole_lines()
{
	local snap

	snap=$(mktemp) || return 1
	cat "$1" >"$snap"
	if [ -z "$(tail -c 1 "$snap")" ]; then
		cat "$snap"
	else
		sed '$d' "$snap"
	fi
	rm -f "$snap"
}

# last_report OUT: the last whole line (report) of OUT.
last_report() { whole_lines "$1" | tail -n 1; }
