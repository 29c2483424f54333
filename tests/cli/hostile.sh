#!/bin/bash
#
# hostile: every option given a hostile value (an OSC title escape, BEL,
# a raw C1 CSI byte and its UTF-8 form, U+202E RIGHT-TO-LEFT OVERRIDE,
# 5000 characters) fails with exit status 2 and one line on stderr that
# holds no control byte, no C1 control, no bidirectional override, and
# quotes at most 64 characters of the value.  No root.
#
# Environment: TCPTOP.  Exit 0 pass, 1 fail.

# Runs beside the namespace tests (tests/lib/lock-run.sh):
# options refused before any socket.
# tests-lock: none
set -u
export LC_ALL=C

TCPTOP=${TCPTOP:-./tcptop}

. "$(dirname "$0")/../lib/lib-test.sh"

require_bin TCPTOP
TCPTOP=$(abspath "$TCPTOP")
test_tmpdir tcptop-hostile
cd "$TMP" || fail "cd $TMP"

LONG=$(printf '%05000d' 0 | tr 0 x)
VALUES=(
	$'\e]0;PWN\a'		# sets the terminal title
	$'\e[2J\e[31mred'	# clears the screen
	$'x\x9b31m'		# C1 CSI, a raw byte
	$'x\xc2\x9b31m'		# C1 CSI in UTF-8
	$'a\xe2\x80\xaetxt.exe'	# RLO
	$'two\nlines'
	"$LONG"
)
NAMES=(osc csi c1-raw c1-utf8 rlo newline long)

# What stderr must not hold: C0 but the final newline, DEL, a raw C1
# byte where no UTF-8 lead is before it, UTF-8 C1 (C2 80-9F), the bidi
# controls and separators (E2 80 8E-8F, A8-AE; E2 81 A6-A9; D8 9C).
bad_bytes()
{
	LC_ALL=C grep -aqP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c|(?<![\xc0-\xff])[\x80-\x9f](?![\x80-\xbf])' "$1"
}

# tcptop ARGS...: exit 2, one clean line on stderr.
one_clean_line()
{
	local rc lines len

	"$TCPTOP" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	lines=$(wc -l <"$TMP/err")
	len=$(wc -c <"$TMP/err")
	if [ "$rc" != 2 ]; then
		echo "    exit status $rc, not 2"
	elif [ "$lines" != 1 ] || [ "$(tail -c 1 "$TMP/err" | od -An -c | tr -d ' ')" != '\n' ]; then
		echo "    $lines lines on stderr, not one"
	elif bad_bytes "$TMP/err"; then
		echo "    control or bidi bytes on stderr"
	elif [ "$len" -gt 400 ]; then
		echo "    $len bytes on stderr: the value was not cut"
	elif grep -q "$(printf '%065d' 0 | tr 0 x)" "$TMP/err"; then
		echo "    more than 64 characters of the value quoted"
	else
		return 0
	fi
	echo "    tcptop$(printf ' %q' "$@" | cut -c1-200)"
	od -c "$TMP/err" | head -n 8 | sed 's/^/    | /'
	return 1
}

# The options with a value, and where the value goes: options that open
# a file get it as a name in a directory that does not exist.
OPTS=(-p --state --columns --group -N -d -n --tombstone --sort -f
    --replay --record -v)
for opt in "${OPTS[@]}"; do
	for i in "${!VALUES[@]}"; do
		v=${VALUES[$i]}
		case $opt in
		--replay|--record|-v) v=$TMP/no/such/dir/$v ;;
		# Any text is a plain word to -f: hostile where a port
		# must be, it is refused and quoted.
		-f) v="dport = $v" ;;
		esac
		# -b -n 1: whatever gets past the parser ends fast.
		check "$opt ${NAMES[$i]}: exit 2, one clean line" \
		    one_clean_line "$opt" "$v" -b -n 1
	done
done
# The value glued to the option, and what getopt refuses whole.
for i in "${!VALUES[@]}"; do
	v=${VALUES[$i]}
	check "--sort=${NAMES[$i]}: exit 2, one clean line" \
	    one_clean_line "--sort=$v"
	check "unknown option ${NAMES[$i]}: exit 2, one clean line" \
	    one_clean_line "--$v"
	check "--json=${NAMES[$i]}: exit 2, one clean line" \
	    one_clean_line "--json=$v"
	check "a stray argument ${NAMES[$i]}: exit 2, one clean line" \
	    one_clean_line -b "$v"
	check "a cluster of letters -${NAMES[$i]}: exit 2, one clean line" \
	    one_clean_line "-$v"
done
summary
