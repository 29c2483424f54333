#!/bin/bash
#
# json-strings: the strings of --json that come from outside are cleaned
# as docs/json.md says, not only escaped: a cgroup, a process name and a
# host name holding an OSC escape, BEL, a raw and a UTF-8 C1 CSI and
# U+202E RIGHT-TO-LEFT OVERRIDE come out with each of those bytes a '?',
# and UTF-8 text (é) kept.
#
# Makes a cgroup v2 child (tcptop-json-PID-...) in the cgroup2 mount, a
# network namespace (tcptop-json-PID), and in both a sockhold named with
# such bytes; then runs "tcptop --json -b -n 1 -N" on the namespace, in
# a UTS namespace whose host name holds them too.  Removes all of it, even
# on failure.
#
# Environment: TCPTOP, SOCKHOLD.  Exit 0 pass, 1 fail, 77 skip (root
# only; a failure under CI=true).

set -u
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
SOCKHOLD=${SOCKHOLD:-./tests/helpers/sockhold}

. "$(dirname "$0")/../lib/lib-test.sh"

require_root "cgroups and network namespaces"
require ip jq unshare findmnt
ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"
require_bin TCPTOP SOCKHOLD
CGROOT=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
[ -n "$CGROOT" ] || skip "no cgroup2 mount"

NS=tcptop-json-$$
# ESC ] 0 ; P W N BEL, raw 0x9b, UTF-8 C1 CSI, RLO, then "café".
HOSTILE=$'\e]0;PWN\a\x9b\xc2\x9b\xe2\x80\xaecaf\xc3\xa9'
CLEAN=$'?]0;PWN???????caf\xc3\xa9'
# comm holds 15 bytes: ESC ] 0 ; BEL, UTF-8 C1 CSI, RLO, x.
COMM=$'\e]0;\a\xc2\x9b\xe2\x80\xaex'
COMM_CLEAN='?]0;??????x'
CG=tcptop-json-$$-$HOSTILE
PORT=$((20000 + $$ % 20000))
HOLDER=

cleanup()
{
	[ -n "$HOLDER" ] && stop_pids "$HOLDER"
	ip netns del "$NS" 2>/dev/null
	[ -d "$CGROOT/$CG" ] && rmdir "$CGROOT/$CG"
}
test_tmpdir tcptop-json-strings

ip netns add "$NS" || fail "ip netns add $NS"
ip -n "$NS" link set lo up || fail "lo up in $NS"
mkdir "$CGROOT/$CG" || skip "cannot make a cgroup with such a name"
# Into the cgroup before sockhold makes a socket: a socket keeps the
# cgroup of the process that made it.  comm is cut to 15 bytes.
sh -c 'echo $$ >"$1/cgroup.procs" && exec ip netns exec "$2" "$3" "$4" "$5"' \
    sh "$CGROOT/$CG" "$NS" "$SOCKHOLD" "$COMM" "$PORT" \
    >"$TMP/hold" 2>&1 &
HOLDER=$!
wait_until -t 10 "sockhold ready" grep -qs '^ready' "$TMP/hold" ||
    fail "sockhold did not get ready: $(cat "$TMP/hold")"

# The host name too: in a UTS namespace of this test's own.  -N, not ip
# netns exec, whose new /sys hides the cgroup2 mount.
unshare -u sh -c 'printf %s "$1" >/proc/sys/kernel/hostname &&
    exec "$3" --json -b -n 1 -N "$2"' sh "$HOSTILE" "$NS" \
    "$TCPTOP" >"$TMP/json" 2>"$TMP/err" ||
    fail "tcptop --json: $(cat "$TMP/err")"

# jq decodes the escapes: what a consumer would print.
jq_is()
{
	local what=$1 want=$2 got

	got=$(jq -r "$what" "$TMP/json") || return 1
	[ "$got" = "$want" ] && return 0
	echo "    $what is not '$(printf %s "$want" | od -An -c | tr -s ' ')':"
	printf '%s' "$got" | od -c | head -n 6 | sed 's/^/    | /'
	return 1
}

check "3 sockets of the holder in the namespace" \
    jq_is "[.connections[] | select(.local_port == $PORT or .remote_port == $PORT)] | length" 3
check "their cgroup: the path, cleaned" \
    jq_is "[.connections[] | select(.local_port == $PORT) | .cgroup] | unique | join(\"|\")" \
    "/tcptop-json-$$-$CLEAN"
check "their process name (comm): cleaned" \
    jq_is "[.connections[] | select(.local_port == $PORT) | .comm] | unique | join(\"|\")" \
    "$COMM_CLEAN"
check "the host name: cleaned" jq_is .host "$CLEAN"
# No escape survives anywhere in the raw line either.
check "no \\u001b, \\u0007 or \\u009b and no raw C1 or RLO in the JSON" \
    not grep -aqP '\\u00(1b|07|9b)|\xc2[\x80-\x9f]|\xe2\x80\xae' "$TMP/json"
summary
