#!/bin/bash
#
# arch: two rules of the house style, checked on src/ and its objects.
#
# 1. No circles.  File A uses file B when A's object leaves undefined a
#    symbol that B's object defines (a function or data, such as a const
#    struct of function pointers: nm -u against nm --defined-only).  No
#    two files may use each other, directly or round a longer circle:
#    every strongly connected component of more than one file is
#    reported with its edges and the symbols behind them.  A file may
#    recurse within itself.
# 2. No function longer than ARCH_MAX_LINES (100) lines.  In style(9) a
#    body opens with "{" alone in column 0 and closes with "}" alone in
#    column 0, and the function's name starts the line holding the "("
#    above it; the length is the lines between the braces.
#
# What the tree breaks today is listed in arch-known.txt beside this
# script, one line for each edge on a circle ("circle A.c -> B.c") and
# each long function ("long FILE.c FUNCTION"): reported, and accepted.
# Anything else fails, and so does an entry that no longer occurs, so
# the list only shrinks.
#
# Only bash, nm, awk and the usual text tools (sort, comm, grep, sed):
# a fresh CI machine may have no python.  Runs from the build
# directory, where the objects are (src/NAME.o); the sources are under
# $srcdir (automake sets it; by hand, the tree this script is in).
# Environment: srcdir, ARCH_KNOWN (the list), ARCH_MAX_LINES.  Exit 0
# pass, 1 fail, 77 skip.

# Runs beside the namespace tests (tests/lib/lock-run.sh):
# the objects and sources only.
# tests-lock: none
set -u
export LC_ALL=C

TOP=${srcdir:-$(dirname "$0")/../..}
KNOWN=${ARCH_KNOWN:-$TOP/tests/unit/arch-known.txt}
MAX=${ARCH_MAX_LINES:-100}

. "$(dirname "$0")/../lib/lib-test.sh"

require nm awk sort
require_count ARCH_MAX_LINES "$MAX"
[ -r "$KNOWN" ] || fail "no list of known breaks at $KNOWN"
test_tmpdir tcptop-arch

# --- the files and their objects ----------------------------------------

NAMES=()
OBJS=()
for c in "$TOP"/src/*.c; do
	[ -e "$c" ] || fail "no src/*.c under $TOP (set srcdir)"
	n=$(basename "$c" .c)
	o=src/$n.o
	# Objects built with per-target flags are named src/TARGET-NAME.o.
	[ -f "$o" ] || for o in src/*-"$n".o; do break; done
	[ -f "$o" ] || fail "no object for src/$n.c in $(pwd)/src:" \
	    "build first, and run from the build directory"
	NAMES+=("$n.c")
	OBJS+=("$o")
done
NFILES=${#NAMES[@]}

# "D FILE SYMBOL" for each symbol a file defines (functions and data),
# "U FILE SYMBOL" for each it leaves undefined.
: >"$TMP/syms"
for ((i = 0; i < NFILES; i++)); do
	nm -P -g --defined-only "${OBJS[i]}" >"$TMP/nm.d" &&
	    nm -P -u "${OBJS[i]}" >"$TMP/nm.u" ||
	    fail "nm failed on ${OBJS[i]}"
	awk -v f="${NAMES[i]}" '{ print "D", f, $1 }' "$TMP/nm.d" \
	    >>"$TMP/syms"
	awk -v f="${NAMES[i]}" '{ print "U", f, $1 }' "$TMP/nm.u" \
	    >>"$TMP/syms"
done

# --- circles ------------------------------------------------------------

# In: "D FILE SYMBOL" and "U FILE SYMBOL".  Out, for each component of
# more than one file: "C FILE..." (sorted), then "E FROM TO SYMBOL..."
# for each edge inside it.
circles()
{
	awk '
	function sorted(s,    a, n, i, j, t, out) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		out = ""
		for (i = 1; i <= n; i++)
			out = out (i > 1 ? " " : "") a[i]
		return out
	}
	$1 == "D" { def[$3] = $2 }
	$1 == "D" || $1 == "U" {
		if (!($2 in id)) { id[$2] = ++n; file[n] = $2 }
	}
	$1 == "U" { nu++; ufile[nu] = $2; usym[nu] = $3 }
	END {
		for (u = 1; u <= nu; u++) {
			if (!(usym[u] in def) || def[usym[u]] == ufile[u])
				continue
			a = id[ufile[u]]; b = id[def[usym[u]]]
			if (!((a, b) in why))
				why[a, b] = usym[u]
			else
				why[a, b] = why[a, b] " " usym[u]
			reach[a, b] = 1
		}
		# Floyd-Warshall closure: a few dozen files.
		for (k = 1; k <= n; k++)
			for (i = 1; i <= n; i++) {
				if (!((i, k) in reach))
					continue
				for (j = 1; j <= n; j++)
					if ((k, j) in reach)
						reach[i, j] = 1
			}
		for (i = 1; i <= n; i++) {
			if (i in comp)
				continue
			members = file[i]
			comp[i] = i
			for (j = 1; j <= n; j++)
				if (j != i && ((i, j) in reach) &&
				    ((j, i) in reach)) {
					comp[j] = i
					members = members " " file[j]
				}
			if (members == file[i])
				continue
			print "C", sorted(members)
			# (Testing comp[a] would create it: "in" first.)
			for (a = 1; a <= n; a++)
				for (b = 1; b <= n; b++)
					if ((a, b) in why && (a in comp) &&
					    (b in comp) && comp[a] == i &&
					    comp[b] == i)
						print "E", file[a], file[b],
						    sorted(why[a, b])
		}
	}' "$TMP/syms"
}

# --- long functions -----------------------------------------------------

# Out: "LENGTH FILE NAME LINE" for each function over MAX lines; the
# last line is "N FUNCTIONS".
long_functions()
{
	awk -v max="$MAX" '
	FNR == 1 { name = ""; open = 0; f = FILENAME; sub(/.*\//, "", f) }
	!open && /^[A-Za-z_][A-Za-z0-9_]*\(/ {
		name = $0
		sub(/\(.*/, "", name)
	}
	# A declaration ends: the next body is not its.
	!open && /;[ \t]*$/ { name = "" }
	!open && /^\{$/ { open = FNR; nfun++; fn = name; next }
	open && /^\}$/ {
		len = FNR - open - 1
		if (len > max)
			print len, f, (fn == "" ? "?" : fn), open
		open = 0
		name = ""
	}
	END { print nfun + 0, "FUNCTIONS" }' "$TOP"/src/*.c
}

# --- the known list -----------------------------------------------------

: >"$TMP/known-edges"
: >"$TMP/known-long"
lineno=0
while IFS= read -r l || [ -n "$l" ]; do
	lineno=$((lineno + 1))
	set -f
	set -- $l
	set +f
	case $# in 0) continue ;; esac
	case $1 in \#*) continue ;; esac
	if [ "$1" = circle ] && [ $# -eq 4 ] && [ "$3" = "->" ]; then
		echo "$2 -> $4" >>"$TMP/known-edges"
	elif [ "$1" = long ] && [ $# -eq 3 ]; then
		echo "$2 $3" >>"$TMP/known-long"
	else
		fail "$KNOWN:$lineno: neither 'circle A.c -> B.c' nor" \
		    "'long FILE.c FUNCTION': $l"
	fi
done <"$KNOWN"
sort -o "$TMP/known-edges" "$TMP/known-edges"
sort -o "$TMP/known-long" "$TMP/known-long"

# --- report -------------------------------------------------------------

circles >"$TMP/circles" || fail "awk failed on the symbols"
long_functions >"$TMP/long" || fail "awk failed on src/*.c"
NFUNCS=$(awk '$2 == "FUNCTIONS" { print $1 }' "$TMP/long")
sed -i '/ FUNCTIONS$/d' "$TMP/long"

awk '$1 == "E" { print $2, "->", $3 }' "$TMP/circles" | sort \
    >"$TMP/edges"
awk '{ print $2, $3 }' "$TMP/long" | sort >"$TMP/longs"

in_circles=$(awk '$1 == "C" { n += NF - 1 } END { print n + 0 }' \
    "$TMP/circles")
ncircles=$(grep -c '^C' "$TMP/circles")
nedges=$(wc -l <"$TMP/edges")
nlong=$(wc -l <"$TMP/longs")

echo "circles: $in_circles of $NFILES files in src/ are on a circle," \
    "in $ncircles components, by $nedges edges"
n=0
while read -r kind rest; do
	if [ "$kind" = C ]; then
		n=$((n + 1))
		set -- $rest
		echo "  circle $n ($# files): $rest"
		continue
	fi
	set -- $rest
	from=$1 to=$2
	shift 2
	syms="$*"
	[ $# -gt 4 ] && syms="$1 $2 $3 $4 +$(($# - 4)) more"
	if grep -qxF "$from -> $to" "$TMP/known-edges"; then
		mark=known
	else
		mark=NEW
	fi
	printf '    %-5s %s -> %s: %s\n' "$mark" "$from" "$to" "$syms"
done <"$TMP/circles"

echo "long functions: $nlong of $NFUNCS functions in src/ over $MAX lines"
sort -k1,1nr "$TMP/long" | while read -r len f name at; do
	if grep -qxF "$f $name" "$TMP/known-long"; then
		mark=known
	else
		mark=NEW
	fi
	printf '    %-5s %s:%s %s: %s lines\n' "$mark" "$f" "$at" "$name" "$len"
done

# Lines of $1 not in $2 (both sorted).
only_in() { comm -23 "$1" "$2"; }
count() { [ -z "$1" ] && echo 0 || echo "$1" | wc -l; }

new_edges=$(only_in "$TMP/edges" "$TMP/known-edges")
new_long=$(only_in "$TMP/longs" "$TMP/known-long")
gone=$( (only_in "$TMP/known-edges" "$TMP/edges" | sed 's/^/circle /'
	only_in "$TMP/known-long" "$TMP/longs" | sed 's/^/long /') )
echo "summary: $in_circles of $NFILES files in $ncircles circles" \
    "($nedges edges, $(count "$new_edges") not listed);" \
    "$nlong of $NFUNCS functions over $MAX lines" \
    "($(count "$new_long") not listed); $(count "$gone") listed breaks gone"

if [ -n "$new_edges" ]; then
	bad "edges on a circle that arch-known.txt does not list (break" \
	    "them; a new module should not need one):"
	echo "$new_edges" | sed 's/^/    /'
else
	ok "no edge on a circle but those arch-known.txt lists"
fi
if [ -n "$new_long" ]; then
	bad "functions over $MAX lines that arch-known.txt does not list" \
	    "(split them):"
	echo "$new_long" | sed 's/^/    /'
else
	ok "no function over $MAX lines but those arch-known.txt lists"
fi
if [ -n "$gone" ]; then
	bad "entries of arch-known.txt that no longer occur (remove them" \
	    "from the list):"
	echo "$gone" | sed 's/^/    /'
else
	ok "every entry of arch-known.txt still occurs"
fi
summary arch
