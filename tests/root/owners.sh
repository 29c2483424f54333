#!/bin/bash
#
# owners: a long-running tcptop's owners stay what ss -tanp says while
# the owners change under it.
#
# In a private namespace (netns_lone) one tcptop runs for the whole test,
# --json every 0.2 s, and tests/helpers/ownmove instances hold sockets
# and move them on command: a fork whose parent exits at once, a holder
# killed while the child it forked earlier keeps the sockets, a pass over
# SCM_RIGHTS received and then closed by the sender, a pass left in the
# unix socket's queue (in flight) and received later, and a connection
# left in a listener's accept queue, then accepted.  After each move the
# test waits (with a deadline, never a bare sleep) until tcptop's latest
# report gives every socket with a file the lowest pid and the name ss
# -tanp lists, and checks the case's own expectation: the new pid, the
# in-flight bucket and its count in JSON and text (and hidden to a
# tcptop in a PID namespace of its own, which cannot see the processes),
# the queued socket under its listener's process in JSON, text and on an
# 80x24 screen (tmux), as many as the listener's Recv-Q.  It reads
# nothing but its own namespace and /proc.
#
# Environment: TCPTOP, NSHOLDER, OWNMOVE.  Exit 0 pass, 1 fail, 77 skip.

set -u

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
OWNMOVE=${OWNMOVE:-./tests/helpers/ownmove}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"

netns_require jq perl
require_bin TCPTOP OWNMOVE
TCPTOP=$(abspath "$TCPTOP")
OWNMOVE=$(abspath "$OWNMOVE")

TOP_PID=
CMDFD=()

cleanup()
{
	local fd

	for fd in "${CMDFD[@]}"; do
		[ -n "$fd" ] && eval "exec $fd>&-"
	done
	# Everything left in the namespace is this test's: tcptop, the
	# ownmove instances, their receivers and kids.
	netns_kill_all
	stop_pids $TOP_PID
	tmux_stop
	netns_cleanup
}

test_tmpdir owners-test
chmod 755 "$TMP"
tmux_init owners
netns_lone tcptop-own

# start TAG PORT: an ownmove named om-TAG on PORT, its commands through
# a fifo (fd in CMD_TAG); sets PID_TAG and RCV_TAG from its ready line.
start()
{
	local tag=$1 port=$2 fd

	mkfifo "$TMP/cmd-$tag" || fail "mkfifo"
	ip netns exec "$NS_S" "$OWNMOVE" "om-$tag" "$port" \
	    <"$TMP/cmd-$tag" >"$TMP/out-$tag" 2>&1 &
	exec {fd}>"$TMP/cmd-$tag"
	CMDFD+=("$fd")
	eval "CMD_$tag=$fd"
	await -t 20 "ownmove $tag ready" grep -qs '^ready ' "$TMP/out-$tag"
	eval "PID_$tag=$(awk '/^ready /{print $2}' "$TMP/out-$tag")"
	eval "RCV_$tag=$(awk '/^ready /{print $3}' "$TMP/out-$tag")"
}

# cmd TAG WORD: send one command and wait until it is done.
cmd()
{
	local fd

	eval "fd=\$CMD_$1"
	echo "$2" >&"$fd"
	await -t 20 "ownmove $1 done $2" grep -qs "^done $2" "$TMP/out-$1"
}

# The latest complete report of the running tcptop, into $TMP/now.
latest()
{
	local n

	n=$(wc -l <"$TMP/stream")
	[ "$n" -gt 0 ] || return 1
	sed -n "${n}p" "$TMP/stream" >"$TMP/now"
}

# What ss -tanp says, "inode lowest-pid comm" for each socket with a file
# and a holder; the same from tcptop's latest report.
ss_owners()
{
	inS ss -tanpeH 2>/dev/null | perl -ne '
	    next unless /\bino:(\d+)/ && $1 != 0;
	    my $ino = $1; my %u;
	    while (/\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)/g) {
		$u{$2} = $1;
	    }
	    my @p = sort { $a <=> $b } keys %u;
	    print "$ino $p[0] $u{$p[0]}\n" if @p;' | sort
}

tcptop_owners()
{
	jq -r '.connections[] | select(.owner == "process") |
	    "\(.inode) \(.pid) \(.comm)"' "$TMP/now" | sort
}

# Whether the latest report agrees with ss now, ss asked twice around it
# so a socket moving meanwhile does not pass or fail by chance.
agree()
{
	ss_owners >"$TMP/ss1"
	latest || return 1
	tcptop_owners >"$TMP/top"
	ss_owners >"$TMP/ss2"
	cmp -s "$TMP/ss1" "$TMP/ss2" && cmp -s "$TMP/ss1" "$TMP/top"
}

# converge DESC: wait until tcptop agrees with ss.
converge()
{
	if wait_until -t 30 "$1: tcptop's owners as ss -tanp's" agree; then
		ok "$1: owners as ss -tanp"
	else
		bad "$1: owners differ (< ss, > tcptop):"
		diff "$TMP/ss1" "$TMP/top"
	fi
}

# jqcheck DESC FILTER ARGS...: the latest report passes FILTER.
jqcheck()
{
	local desc=$1 filter=$2

	shift 2
	latest
	if jq -e "$@" "$filter" "$TMP/now" >/dev/null; then
		ok "$desc"
	else
		bad "$desc: $(jq -c '{owners, total}' "$TMP/now")"
		jq -c '.connections[] | {state, local_port, remote_port,
		    inode, owner, pid, comm}' "$TMP/now"
	fi
}

# owned_by PORT PID: every socket with a file on PORT (either end) is
# PID's, and there are N of them.
owned_by()
{
	jq -e --argjson port "$1" --argjson pid "$2" --argjson n "$3" '
	    [.connections[] | select(.inode != 0 and (.local_port == $port or
	    .remote_port == $port))] | length == $n and
	    all(.owner == "process" and .pid == $pid)' "$TMP/now" >/dev/null
}
latest_owned_by() { latest && owned_by "$@"; }

# The sockets before tcptop starts, so its first rescan finds them all.
start fork 7101
start die 7102
start pass 7103
start fly 7104
start queue 7105
cmd die fork
KID_die=$(awk '/^done fork /{print $3}' "$TMP/out-die")

ip netns exec "$NS_S" "$TCPTOP" -b --json -d 0.2 -v "$TMP/log" \
    >"$TMP/stream" 2>"$TMP/err" &
TOP_PID=$!
await -t 20 "tcptop's first reports" sh -c \
    "[ \$(wc -l <'$TMP/stream') -ge 2 ]"
converge "start"
# Three sockets each with a file on each port, the die case's held by
# the parent (the lower pid), not the kid it forked.
latest
check "start: fork's owned by om-fork" owned_by 7101 "$PID_fork" 3
check "start: die's by its parent $PID_die, not kid $KID_die" \
    owned_by 7102 "$PID_die" 3
check "start: pass's by the sender" owned_by 7103 "$PID_pass" 3
jqcheck "start: nothing queued, in flight or hidden, owners checked" \
    '.owners.queued == 0 and .owners.in_flight == 0 and
    .owners.hidden == 0 and .owners_checked_every == 1'

# 1. A fork, and the parent exits at once: the child holds them.
cmd fork fork
KID_fork=$(awk '/^done fork /{print $3}' "$TMP/out-fork")
cmd fork exit
converge "fork+exit"
wait_until -t 30 "fork's kid owns them" latest_owned_by 7101 "$KID_fork" 3 &&
    ok "fork+exit: the kid $KID_fork owns them" ||
    bad "fork+exit: not the kid $KID_fork"

# 2. The holder is killed; the child it forked long ago keeps them.
kill -KILL "$PID_die"
converge "holder killed"
wait_until -t 30 "die's kid owns them" latest_owned_by 7102 "$KID_die" 3 &&
    ok "holder killed: the kid $KID_die owns them" ||
    bad "holder killed: not the kid $KID_die"

# 3. Passed over SCM_RIGHTS and received (both hold them: the sender,
# the lower pid, still owns them), then the sender closes its copies.
cmd pass send
cmd pass recv
converge "passed and received"
latest
check "passed and received: still the sender's" owned_by 7103 \
    "$PID_pass" 3
cmd pass close
converge "sender closed"
wait_until -t 30 "the receiver owns them" latest_owned_by 7103 \
    "$RCV_pass" 3 && ok "sender closed: the receiver $RCV_pass owns them" ||
    bad "sender closed: not the receiver $RCV_pass"

# 4. Passed and closed before anyone receives: no process holds them (ss
# lists no process), tcptop says in flight, with the number, in JSON,
# the text report and no hidden; then received.  Where some process
# refuses even root its descriptors (pid 1 of some sandboxes: ls -l
# /proc/1/fd says "Permission denied"), that process could hold them:
# tcptop must say hidden instead, never in flight.
REFUSED=
for d in /proc/[0-9]*; do
	if ls -l "$d/fd/" 2>&1 | grep -q 'cannot read symbolic link.*Permission denied'; then
		REFUSED="${d#/proc/} ($(tr -d '\n' <"$d/comm" 2>/dev/null))"
		break
	fi
done
if [ -n "$REFUSED" ]; then
	FLY=hidden
	FLYTEXT='\? *\?'
	echo "# pid $REFUSED refuses root its descriptors: hidden, not in flight"
else
	FLY=in_flight
	FLYTEXT='- *\(in flight\)'
fi
cmd fly send
cmd fly close
inflight3()
{
	latest && jq -e --arg o "$FLY" '[.connections[] | select(.inode != 0
	    and (.local_port == 7104 or .remote_port == 7104))] | length == 3
	    and all(.owner == $o and .pid == null and .comm == null)' \
	    "$TMP/now" >/dev/null
}
wait_until -t 30 "$FLY" inflight3 && ok "in flight: the three are $FLY" ||
    bad "in flight: $(jq -c '[.connections[] | select(.local_port == 7104
    or .remote_port == 7104) | {state, inode, owner, pid}]' "$TMP/now")"
[ "$(inS ss -tanpH 'sport = :7104 or dport = :7104' | grep -c users:)" \
    -eq 0 ] && ok "in flight: ss lists no process" ||
    bad "in flight: ss lists a process"
if [ "$FLY" = in_flight ]; then
	jqcheck "in flight: counted, not hidden" \
	    '.owners.in_flight == 3 and .owners.hidden == 0 and
	    (.owners | add) == .total'
else
	jqcheck "in flight: hidden, none in flight" \
	    '.owners.in_flight == 0 and .owners.hidden == 3 and
	    (.owners | add) == .total'
fi
inS "$TCPTOP" -b -n 3 -d 0.2 --columns local,remote,pid,process >"$TMP/fly.txt" \
    2>&1
if [ "$FLY" = in_flight ]; then
	grep -q 'in flight [1-9]' "$TMP/fly.txt"
else
	grep -q 'hidden 3, queued 0, in flight 0' "$TMP/fly.txt"
fi && [ "$(grep -cE -- ":7104 .* $FLYTEXT\$" "$TMP/fly.txt")" -ge 3 ] &&
    ok "in flight: the text report says $FLY" ||
    bad "in flight: text: $(grep -E 'owners|7104' "$TMP/fly.txt")"
# A tcptop in a PID namespace of its own cannot see the holders outside
# it: hidden, never in flight.
if command -v unshare >/dev/null 2>&1; then
	inS unshare -p -f --mount-proc "$TCPTOP" -b -n 3 -d 0.2 --json \
	    >"$TMP/nested.json" 2>&1
	n=$(wc -l <"$TMP/nested.json")
	sed -n "${n}p" "$TMP/nested.json" | jq -e '.owners.in_flight == 0 and
	    .owners.hidden >= 3 and .owners.hidden == ([.connections[] |
	    select(.inode != 0)] | length)' >/dev/null &&
	    ok "in flight: hidden to a tcptop in a PID namespace" ||
	    bad "in flight: nested: $(head -c 300 "$TMP/nested.json")"
fi
cmd fly recv
converge "in flight, then received"
wait_until -t 30 "the receiver owns them" latest_owned_by 7104 \
    "$RCV_fly" 3 && ok "received: the receiver $RCV_fly owns them" ||
    bad "received: not the receiver $RCV_fly"

# 5. A connection left in the accept queue: its server end has no file;
# it is queued under the listener's process, as many as the listener's
# Recv-Q says; accepted, it is that process's own.
cmd queue queue
queued1()
{
	latest && jq -e --argjson p "$PID_queue" '[.connections[] |
	    select(.owner == "queued")] | length == 1 and
	    all(.inode == 0 and .local_port == 7105 and .pid == $p and
	    .comm == "om-queue" and .state == "ESTABLISHED")' \
	    "$TMP/now" >/dev/null
}
wait_until -t 30 "queued" queued1 && ok "queued: under om-queue" ||
    bad "queued: $(jq -c '[.connections[] | select(.local_port == 7105) |
    {state, inode, owner, pid}]' "$TMP/now")"
rq=$(inS ss -tanlH 'sport = :7105' | awk '{print $2}')
jqcheck "queued: as many as the listener's Recv-Q ($rq)" \
    '.owners.queued == $rq and ([.connections[] | select(.state ==
    "LISTEN" and .local_port == 7105)][0].recv_q == $rq)' \
    --argjson rq "${rq:-0}"
converge "queued"
inS "$TCPTOP" -b -n 1 --columns local,remote,pid,process >"$TMP/queue.txt" 2>&1
grep -q 'queued 1,' "$TMP/queue.txt" && grep -Eq \
    "127\.0\.0\.1:7105 +127\.0\.0\.1:[0-9]+ +$PID_queue +queued:om-queue\$" \
    "$TMP/queue.txt" && ok "queued: the text report" ||
    bad "queued: text: $(grep -E 'owners|7105' "$TMP/queue.txt")"
# On screen (tmux, when installed), 80x24 with the owner columns: the
# queued row under its listener's pid and name.
if command -v tmux >/dev/null 2>&1; then
	mkdir -p "$TMP/xdg"
	tmux_start 80 24 env -i TERM=xterm-256color LANG=C.UTF-8 TZ=UTC \
	    XDG_CONFIG_HOME="$TMP/xdg" "$(command -v ip)" netns exec "$NS_S" \
	    "$TCPTOP" -p 7105 --columns local,remote,pid,process
	wait_screen "127\.0\.0\.1:7105 +127\.0\.0\.1:[0-9]+ +$PID_queue +queued:om-queue *\$" 20 &&
	    ok "queued: on screen" || bad "queued: not on screen"
	tmux_stop
fi
cmd queue accept
converge "accepted"
latest_accepted()
{
	latest && jq -e '.owners.queued == 0' "$TMP/now" >/dev/null
}
wait_until -t 30 "nothing queued" latest_accepted &&
    ok "accepted: nothing queued" || bad "accepted: still queued"

# The whole run (tcptop stopped, so its last report is whole): the
# buckets always added up, and the owners were
# checked without a rescan on every refresh.
stop_pids $TOP_PID
TOP_PID=
jq -se 'all(.[]; (.owners | add) == .total)' "$TMP/stream" >/dev/null &&
    ok "every report's buckets add up" || bad "buckets do not add up"
r=$(grep -c 'proc: rescan' "$TMP/log")
n=$(wc -l <"$TMP/stream")
[ "$r" -lt "$n" ] && ok "$r rescans in $n refreshes" ||
    bad "$r rescans in $n refreshes: one each"
[ -s "$TMP/err" ] && bad "tcptop's stderr: $(head -c 300 "$TMP/err")"

summary owners
