#!/usr/bin/env bash
# run.sh NAME.fuzz: make check's runner of one libFuzzer harness (a build
# configured with --enable-fuzzing), tests/fuzz/fuzz-NAME, for
# FUZZ_SECONDS (default 10).  NAME.fuzz holds the harness's libFuzzer
# options, one a line ('#' starts a comment); NAME.dict beside it, when
# there is one, is its dictionary.  The inputs it learns go to
# $FUZZDIR/NAME.corpus (kept between runs), the seeds are read from
# tests/fuzz/corpus/NAME.  Passes when libFuzzer ran the whole time
# with no crash, leak, timeout or sanitizer report; on a failure the
# input is saved as $FUZZDIR/NAME-crash-... (libFuzzer's artifact) and its
# name printed: commit it to tests/fuzz/corpus/NAME with the fix.
set -u

spec=$1
name=$(basename "$spec" .fuzz)
src=$(cd "$(dirname "$spec")" && pwd)
dir=${FUZZDIR:-$PWD/tests/fuzz}
bin=$dir/fuzz-$name
seconds=${FUZZ_SECONDS:-10}

[[ $seconds =~ ^[1-9][0-9]*$ ]] || {
	echo "run.sh: FUZZ_SECONDS wants a positive number, not '$seconds'"
	exit 99
}
[ -x "$bin" ] || { echo "run.sh: $bin not built"; exit 99; }

opts=()
while read -r line; do
	line=${line%%#*}
	for w in $line; do opts+=("$w"); done
done <"$spec"
[ -f "$src/$name.dict" ] && opts+=("-dict=$src/$name.dict")

work=$dir/$name.corpus
mkdir -p "$work"
log=$dir/$name.fuzzlog
# libFuzzer's own exit code for a crash is 77, which automake reads as
# SKIP: every failure exits 1 here.
"$bin" "${opts[@]}" -max_total_time="$seconds" -timeout=25 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$dir/$name-" "$work" "$src/corpus/$name" \
	>"$log" 2>&1
rc=$?
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log"
if [ "$rc" -ne 0 ] || grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|property failed' "$log"; then
	echo "FAIL: fuzz-$name (exit $rc); the end of $log:"
	tail -n 40 "$log"
	ls "$dir/$name"-* 2>/dev/null
	exit 1
fi
echo "fuzz-$name: ${seconds} s, no crash, no sanitizer report"
