#!/bin/bash
#
# trace-ro: a read-only tracefs is called read-only, not blamed on a
# missing root.  In a mount namespace of its own (private propagation),
# the tracefs mount is bind-remounted read-only: a per-mount flag, so the
# host's mount (and its superblock) stays read-write, which the test
# checks at the end.  Then tcptop --json -b -n 2 runs as root in that
# namespace (and in a fresh network namespace, so it reads no host
# socket) and its transitions_note must say read-only and not root.
#
# Then the check is the kernel's own: as nobody with CAP_DAC_OVERRIDE
# alone (setpriv, ambient, as a service unit would grant it) tcptop uses
# the tracepoint ("exact"), where access(), which checks the real ids
# without capabilities, refused it; as nobody without it, the
# transitions are sampled and the note says the tracepoint needs root.
#
# Environment: TCPTOP.  Exit 0 pass, 1 fail, 77 skip.

set -u
export LC_ALL=C.UTF-8
TCPTOP=${TCPTOP:-./tcptop}

. "$(dirname "$0")/../lib/lib-test.sh"

require_root "mount namespaces"
require unshare mount findmnt setpriv
require_bin TCPTOP
TCPTOP=$(abspath "$TCPTOP")

tdir=$(findmnt -n -t tracefs -o TARGET | head -n 1)
[ -n "$tdir" ] || skip "no tracefs mounted"
opts_before=$(findmnt -n -o OPTIONS --target "$tdir")

test_tmpdir tcptop-trace-ro

# Every tracefs mount of the new namespace read-only (libtracefs takes
# the first one it finds), then tcptop.  --propagation private: nothing
# done here reaches the host's mount namespace.
unshare -m --propagation private -n /bin/sh -c '
	set -e
	for m in $(findmnt -n -t tracefs -o TARGET); do
		mount -o remount,bind,ro "$m"
	done
	findmnt -n -o OPTIONS --target "$1" >"$2/opts"
	exec "$3" --json -b -n 2 -d 0.1 >"$2/out.json" 2>"$2/err"
' sh "$tdir" "$TMP" "$TCPTOP"
st=$?
check "tcptop ran (status $st)" [ "$st" -eq 0 ]
check "the namespace's tracefs was read-only ($(cat "$TMP/opts" 2>/dev/null))" \
    grep -q '^ro\b' "$TMP/opts"
note=$(grep -o '"transitions_note": "[^"]*"' "$TMP/out.json")
echo "note: $note"
check "the note says read-only" \
    grep -q '"transitions_note": "[^"]*read-only' "$TMP/out.json"
check "the note does not blame root" not grep -q \
    '"transitions_note": "[^"]*root' "$TMP/out.json"

# As nobody, with and without CAP_DAC_OVERRIDE: two refreshes (a run of
# one sets up no tracepoint), in a network namespace of its own.
as_nobody()
{
	unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups "$@" \
	    "$TCPTOP" --json -b -n 2 -d 0.2 2>/dev/null | tail -n 1
}
got=$(as_nobody --inh-caps=+dac_override --ambient-caps=+dac_override)
echo "nobody + CAP_DAC_OVERRIDE: $(grep -o '"transitions_source": "[^"]*"' <<<"$got")"
check "nobody with CAP_DAC_OVERRIDE gets the tracepoint" \
    grep -q '"transitions_source": "exact"' <<<"$got"
got=$(as_nobody)
echo "nobody: $(grep -o '"transitions_note": "[^"]*"' <<<"$got")"
check "nobody without it is sampled, and told why" \
    grep -q '"transitions_note": "[^"]*needs root' <<<"$got"

# The host's tracefs is untouched.
check "the host's tracefs is as it was ($opts_before)" \
    [ "$(findmnt -n -o OPTIONS --target "$tdir")" = "$opts_before" ]

summary trace-ro
