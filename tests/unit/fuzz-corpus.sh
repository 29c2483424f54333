#!/usr/bin/env bash
# fuzz-corpus: every input of tests/fuzz/corpus/NAME once through its
# harness, tests/fuzz/fuzz-NAME: the seeds and the regressions fuzzing
# found, in every build (under the sanitizers too).  A plain build links
# the harnesses with tests/fuzz/replay.c, which says how many inputs it
# ran; a fuzzing build's libFuzzer replays them with -runs=0.
# Runs beside the namespace tests (tests/lib/lock-run.sh):
# the corpora only.
# tests-lock: none
set -u
. "$(dirname "$0")/../lib/lib-test.sh"

[ -n "${FUZZDIR:-}" ] && [ -n "${FUZZSRC:-}" ] ||
	fail "FUZZDIR and FUZZSRC unset: run me through make check"
for name in diag-msg diag-file fexpr settings kstat; do
	bin=$FUZZDIR/fuzz-$name
	corpus=$FUZZSRC/corpus/$name
	[ -x "$bin" ] || { bad "$bin not built"; continue; }
	n=$(find "$corpus" -type f 2>/dev/null | wc -l)
	[ "$n" -ge 3 ] || { bad "$corpus holds $n inputs, fewer than 3"; continue; }
	if [ "${FUZZING:-no}" = yes ]; then
		out=$("$bin" -runs=0 -error_exitcode=1 "$corpus" 2>&1)
	else
		out=$("$bin" "$corpus" 2>&1) &&
			printf '%s\n' "$out" | grep -q ": $n inputs replayed\$"
	fi
	if [ $? -eq 0 ]; then
		ok "fuzz-$name: its $n inputs"
	else
		printf '%s\n' "$out" | tail -n 30
		bad "fuzz-$name on its $n inputs"
	fi
done
summary fuzz-corpus
