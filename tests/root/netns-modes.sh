#!/bin/bash
# netns-modes.sh: -N and --all-netns against ss, and the cgroup of a
# socket (root only).
#
# Three private namespaces, each with a listener pair (IPv4 and IPv6)
# and one established connection made by bench/populate on a port of its
# own:
#   A  named (ip netns add), populate run in it by ip netns exec;
#   B  unnamed, held by the populate process itself (unshare -n), which
#      first moves into a cgroup of its own, so its sockets carry it;
#   C  named, populate run in it too: reachable by name and by pid.
# -N NAME, -N /run/netns/NAME, -N PID must each show exactly what ss
# shows in that namespace; --all-netns their union, each row with the
# right namespace and no namespace twice; bad -N values exit 2 with one
# line, and without the privilege -N says so in one line.
set -u

. "$(dirname "$0")/../lib/lib-test.sh"

require_root "network namespaces"
require ip ss jq unshare nsenter setpriv findmnt
ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"
require_bin TCPTOP POPULATE
CGROOT=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
[ -n "$CGROOT" ] || skip "no cgroup2 mount"

NS_A=tcptop-nm-a-$$
NS_C=tcptop-nm-c-$$
CG=tcptop-test-$$
PIDS=()

cleanup()
{
	local p

	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
	# Empty once its only process is gone; a socket still charged to
	# it does not keep it.
	[ -d "$CGROOT/$CG" ] && rmdir "$CGROOT/$CG"
}
test_tmpdir tcptop-netns-modes

# wait_ready FILE: poll until populate printed "ready", 10 s at most.
wait_ready()
{
	wait_until -t 10 "populate" grep -qs '^ready' "$1" ||
	    fail "populate did not get ready: $(cat "$1")"
}

for ns in "$NS_A" "$NS_C"; do
	ip netns add "$ns" || fail "ip netns add $ns"
	ip -n "$ns" link set lo up || fail "lo up in $ns"
done
ip netns exec "$NS_A" "$POPULATE" -i 101 -e 1 -c 0 -t 0 >"$TMP/a" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_C" "$POPULATE" -i 103 -e 1 -c 0 -t 0 >"$TMP/c" 2>&1 &
PIDS+=($!)
mkdir "$CGROOT/$CG" || fail "mkdir $CGROOT/$CG"
# Into the cgroup before populate makes a socket: a socket keeps the
# cgroup of the process that made it.
unshare -n sh -c 'ip link set lo up && echo $$ >"$1/cgroup.procs" &&
    exec "$2" -i 102 -e 1 -c 0 -t 0' sh "$CGROOT/$CG" "$POPULATE" \
    >"$TMP/b" 2>&1 &
PID_B=$!
PIDS+=("$PID_B")
wait_ready "$TMP/a"
wait_ready "$TMP/b"
wait_ready "$TMP/c"
PID_C=$(ip netns pids "$NS_C" | sort -n | head -n 1)
[ -n "$PID_C" ] || fail "no process in $NS_C"

# What ss sees in a namespace, as "state local remote" lines.  ss names
# states its own way; tcptop's JSON uses the kernel's names.
ss_rows()
{
	"$@" ss -tanH | awk '{
	    s = $1
	    sub(/^ESTAB$/, "ESTABLISHED", s); gsub(/-/, "_", s)
	    sub(/^FIN_WAIT_/, "FIN_WAIT", s); sub(/^UNCONN$/, "CLOSE", s)
	    print s, $4, $5 }' | sort
}

# tcptop's rows as the same lines: jq on its JSON (connections).
json_rows()
{
	jq -r '.connections[] | [.state,
	    (if .family == "ipv6" then "[" + .local_addr + "]" else
	    .local_addr end) + ":" + (.local_port | tostring),
	    (if .family == "ipv6" then "[" + .remote_addr + "]" else
	    .remote_addr end) + ":" + (if .remote_port == 0 then "*" else
	    (.remote_port | tostring) end)] | join(" ")' "$1" | sort
}

ss_rows ip netns exec "$NS_A" >"$TMP/ss-a"
ss_rows nsenter -t "$PID_B" -n >"$TMP/ss-b"
ss_rows ip netns exec "$NS_C" >"$TMP/ss-c"
# 2 listeners, 2 ends of a connection.
[ "$(wc -l <"$TMP/ss-a")" -eq 4 ] || fail "ss in A: $(cat "$TMP/ss-a")"

# compare NAME EXPECTED JSON: tcptop's rows are ss's.
compare()
{
	json_rows "$3" >"$TMP/got"
	if cmp -s "$2" "$TMP/got"; then
		ok "$1"
	else
		bad "$1"
		diff "$2" "$TMP/got" | sed 's/^/    /'
	fi
}

# mode NAME EXPECTED LABEL -N VALUE: one refresh in that namespace.
mode()
{
	local name=$1 want=$2 label=$3 json="$TMP/json"

	shift 3
	if ! "$TCPTOP" --json -n 1 "$@" >"$json" 2>"$TMP/err"; then
		bad "$name: exit status (stderr: $(cat "$TMP/err"))"
		return
	fi
	compare "$name shows what ss shows" "$want" "$json"
	if [ "$(jq -r '[.connections[].netns] | unique | join(",")' \
	    "$json")" = "$label" ]; then
		ok "$name: netns is \"$label\""
	else
		bad "$name: netns $(jq -c '[.connections[].netns] |
		    unique' "$json"), not \"$label\""
	fi
}

mode "-N $NS_A" "$TMP/ss-a" "$NS_A" -N "$NS_A"
mode "-N /run/netns/$NS_A" "$TMP/ss-a" "$NS_A" -N "/run/netns/$NS_A"
mode "-N PID (unnamed)" "$TMP/ss-b" "pid:$PID_B" -N "$PID_B"
mode "-N /proc/PID/ns/net" "$TMP/ss-b" "/proc/$PID_B/ns/net" \
    -N "/proc/$PID_B/ns/net"
mode "-N PID (named)" "$TMP/ss-c" "pid:$PID_C" -N "$PID_C"

# --all-netns: the union, each row labelled with its namespace; C is
# reachable by name and by pid and must come once, by its name.
if "$TCPTOP" --json -n 1 --all-netns >"$TMP/all" 2>"$TMP/err"; then
	for x in "a $NS_A" "b pid:$PID_B" "c $NS_C"; do
		set -- $x
		jq --arg l "$2" '.connections |= map(select(.netns == $l))' \
		    "$TMP/all" >"$TMP/all-$1"
		compare "--all-netns: the rows of $2" "$TMP/ss-$1" \
		    "$TMP/all-$1"
	done
	n=$(jq --arg p "pid:$PID_C" '[.connections[] |
	    select(.netns == $p)] | length' "$TMP/all")
	[ "$n" -eq 0 ] && ok "--all-netns: a named namespace once" ||
	    bad "--all-netns: $NS_C also as pid:$PID_C ($n rows)"
	d=$(jq -r '.connections[].cookie' "$TMP/all" | sort | uniq -d)
	[ -z "$d" ] && ok "--all-netns: cookies unique across \
namespaces" || bad "--all-netns: repeated cookies: $d"
	n=$(jq '[.connections[] | select(.netns == null)] | length' \
	    "$TMP/all")
	[ "$n" -eq 0 ] && ok "--all-netns: every row has a netns" ||
	    bad "--all-netns: $n rows without netns"
	jq -e '.transitions_note | test("all-netns")' "$TMP/all" \
	    >/dev/null && ok "--all-netns: transitions note" ||
	    bad "--all-netns: transitions_note $(jq .transitions_note \
	    "$TMP/all")"
else
	bad "--all-netns: exit status (stderr: $(cat "$TMP/err"))"
fi

# --group netns: one group per namespace, its count what ss counts there.
if "$TCPTOP" --json -n 1 --all-netns --group netns >"$TMP/groups" \
    2>"$TMP/err"; then
	for x in "a $NS_A" "b pid:$PID_B" "c $NS_C"; do
		set -- $x
		want=$(wc -l <"$TMP/ss-$1")
		got=$(jq --arg l "$2" '[.groups[] | select(.key == $l) |
		    .count] | add // 0' "$TMP/groups")
		[ "$got" = "$want" ] && ok "--group netns: $2 holds \
$want" || bad "--group netns: $2 holds $got, ss says $want"
	done
else
	bad "--group netns: exit status (stderr: $(cat "$TMP/err"))"
fi
"$TCPTOP" --json -n 1 --group netns >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
    ok "--group netns without --all-netns: exit 2, one line" ||
    bad "--group netns without --all-netns: exit $rc: $(cat "$TMP/err")"

# A namespace that goes away leaves the view: the table drops it (and
# lets the kernel free it) at the next look for namespaces.  tcptop runs
# until a report without it comes (not -n: on a loaded machine the
# reports could all be out before the namespace is gone).
"$TCPTOP" --json -d 0.3 --all-netns >"$TMP/drop" 2>"$TMP/drop.err" &
TPID=$!
PIDS+=("$TPID")
# c_rows: the rows of NS_C in the last whole report.
c_rows() { last_report "$TMP/drop" | jq --arg l "$NS_C" '[.connections[] |
    select(.netns == $l)] | length'; }
has_report() { [ -n "$(last_report "$TMP/drop")" ]; }
await -t 10 "the first --all-netns report" has_report
n=$(c_rows)
[ "$n" = 4 ] || bad "--all-netns: $NS_C had $n rows at first"
kill "${PIDS[1]}" 2>/dev/null
wait "${PIDS[1]}" 2>/dev/null
ip netns del "$NS_C"
# Its TIME_WAIT sockets too: they go only when the namespace is freed,
# which our descriptor would prevent.
c_gone() { [ "$(c_rows)" = 0 ]; }
wait_until -t 15 "no rows of $NS_C" c_gone >/dev/null &&
    ok "--all-netns: a deleted namespace leaves" ||
    bad "--all-netns: $(c_rows) rows of deleted $NS_C in the last report"
kill "$TPID" 2>/dev/null
wait "$TPID"
rc=$?
[ "$rc" -eq 143 ] || bad "--all-netns: tcptop ended $rc: $(cat "$TMP/drop.err")"

# cgroup: B's full sockets carry the new cgroup, as ss --cgroup says.
"$TCPTOP" --json -n 1 -N "$PID_B" >"$TMP/cg" 2>"$TMP/err"
want=$(nsenter -t "$PID_B" -n ss -tanH --cgroup |
    grep -c "cgroup:/$CG\$")
got=$(jq --arg c "/$CG" '[.connections[] | select(.cgroup == $c)] |
    length' "$TMP/cg")
[ "$want" -eq 4 ] && [ "$got" = "$want" ] &&
    ok "cgroup: $got sockets in /$CG, as ss says" ||
    bad "cgroup: $got sockets in /$CG, ss says $want"
id=$(stat -c %i "$CGROOT/$CG")
jq -e --arg c "/$CG" --argjson id "$id" '[.connections[] |
    select(.cgroup == $c and .cgroup_id != $id)] | length == 0' \
    "$TMP/cg" >/dev/null && ok "cgroup: id is the directory's inode" ||
    bad "cgroup: cgroup_id is not $id"

# Bad values: exit status 2 and one line.
for bad in "" "no-such-ns-$$" "/etc/passwd" "/nonexistent/$$" "99999999" \
    "." "0"; do
	"$TCPTOP" --json -n 1 -N "$bad" >/dev/null 2>"$TMP/err"
	rc=$?
	lines=$(wc -l <"$TMP/err")
	[ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] &&
	    ok "-N '$bad': exit 2, one line" ||
	    bad "-N '$bad': exit $rc, $lines lines: $(cat "$TMP/err")"
done

# Without CAP_SYS_ADMIN: one line that says what is missing.
setpriv --reuid=65534 --regid=65534 --clear-groups "$TCPTOP" --json -n 1 \
    -N "$NS_A" >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q CAP_SYS_ADMIN "$TMP/err" &&
    ok "-N unprivileged: exit 1, one line naming CAP_SYS_ADMIN" ||
    bad "-N unprivileged: exit $rc: $(cat "$TMP/err")"

setpriv --reuid=65534 --regid=65534 --clear-groups "$TCPTOP" --json -n 1 \
    --all-netns >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q CAP_SYS_ADMIN "$TMP/err" &&
    ok "--all-netns unprivileged: exit 1, one line" ||
    bad "--all-netns unprivileged: exit $rc: $(cat "$TMP/err")"

summary
