#!/usr/bin/env bash
# make install DESTDIR=... prefix=/usr puts the binary, the manual, the
# bash and zsh completions and the exporter's example unit (its
# ExecStart naming the installed binary) where the build's Makefile says,
# the installed binary runs and its completion works, the unit passes
# systemd-analyze verify, and make uninstall removes every file again.
# Runs beside the namespace tests (tests/lib/lock-run.sh):
# a DESTDIR install, no network.
# tests-lock: none
set -u
TCPTOP=${TCPTOP:-./tcptop}
here=$(cd "$(dirname "$0")" && pwd)

. "$here/../lib/lib-test.sh"

require_bin TCPTOP
TCPTOP=$(abspath "$TCPTOP")
BUILDDIR=${BUILDDIR:-$(dirname "$TCPTOP")}
[ -f "$BUILDDIR/Makefile" ] || fail "no Makefile in $BUILDDIR (set BUILDDIR)"
test_tmpdir tcptop-install
ROOT=$TMP/root

# The make of a test is not the one running the tests: none of its flags,
# variables or job server.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILDDIR" "$@"; }
# var NAME: the Makefile's $(NAME) with prefix=/usr.
var()
{
	printf 'print-%%:\n\t@echo $($*)\n' |
	    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILDDIR" \
	    --no-print-directory -f Makefile -f - prefix=/usr "print-$1"
}

mk install DESTDIR="$ROOT" prefix=/usr >"$TMP/log" 2>&1 ||
    fail "make install: $(tail -5 "$TMP/log")"

bindir=$(var bindir) man1dir=$(var man1dir)
bashdir=$(var bashcompletiondir) zshdir=$(var zshcompletiondir)
exampledir=$(var exampledir)
check "bindir is /usr/bin" test "$bindir" = /usr/bin
check "man1dir is /usr/share/man/man1" test "$man1dir" = /usr/share/man/man1
check "exampledir is /usr/share/doc/tcptop/examples" \
    test "$exampledir" = /usr/share/doc/tcptop/examples
case $bashdir in
/usr/*) ok ;;
*) bad "bash completion dir $bashdir is outside the prefix" ;;
esac

check "the binary, executable" test -x "$ROOT$bindir/tcptop"
check "the installed binary runs (-V)" \
    sh -c "'$ROOT$bindir/tcptop' -V | grep -q '^tcptop [0-9]'"
check "the manual" cmp -s "$here/../../docs/tcptop.1" "$ROOT$man1dir/tcptop.1"
check "the bash completion, as tcptop" test -s "$ROOT$bashdir/tcptop"
check "the zsh completion, as _tcptop" \
    sh -c "head -1 '$ROOT$zshdir/_tcptop' | grep -qx '#compdef tcptop'"
# The installed completion, run as bash runs it, asks the installed
# binary.
got=$(bash -c '. "$1"; COMP_WORDS=("$2" --sort rt); COMP_CWORD=2; _tcptop
    printf "%s " "${COMPREPLY[@]}"' - "$ROOT$bashdir/tcptop" \
    "$ROOT$bindir/tcptop")
check "the installed completion completes --sort rt" \
    test "$got" = "rtt rttvar "
unit=$ROOT$exampledir/tcptop-exporter.service
check "the example unit" test -s "$unit"
check "its ExecStart names /usr/bin/tcptop" \
    grep -qx 'ExecStart=/usr/bin/tcptop --listen 127.0.0.1:9977' "$unit"
check "no @VARIABLE@ left in it" not grep -q '@[a-z]*@' "$unit"
for w in DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
    NoNewPrivileges=yes CapabilityBoundingSet= \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK' \
    SystemCallFilter=@system-service; do
	grep -qx -- "$w" "$unit" || bad "the unit lacks $w"
done
if command -v systemd-analyze >/dev/null; then
	# verify checks that ExecStart's binary exists: the staged one.
	sed "s|^ExecStart=/usr/bin/|ExecStart=$ROOT/usr/bin/|" "$unit" \
	    >"$TMP/tcptop-exporter.service"
	check "systemd-analyze verify passes the unit" \
	    systemd-analyze verify --man=no "$TMP/tcptop-exporter.service"
else
	echo "note: no systemd-analyze: the unit not verified"
fi
find "$ROOT" -type f | sort >"$TMP/installed"
n=$(wc -l <"$TMP/installed")
check "at least 9 files installed ($n)" test "$n" -ge 9

mk uninstall DESTDIR="$ROOT" prefix=/usr >"$TMP/log" 2>&1 ||
    bad "make uninstall: $(tail -5 "$TMP/log")"
find "$ROOT" -type f >"$TMP/left"
sed 's/^/    left: /' "$TMP/left"
check "make uninstall removes every file" test ! -s "$TMP/left"

summary install
