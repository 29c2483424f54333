#!/bin/bash
#
# lesson: tcptop --lesson reaches every state it teaches, and the kernel
# shows it both to tcptop and to ss.
#
# Drives `tcptop --lesson --json` one step at a time (the hidden
# --lesson-wait takes a line on stdin per step) and, after each step,
# checks the step's expected states in tcptop's report and in ss run in
# the same place, and compares the two lists of the lesson's sockets.
#   root:        in the lesson's own namespace (nsenter by tcptop's pid:
#                it has no name); every step must hold its states and
#                all 11 states must be reached (CLOSE through the
#                engine's own TCP_INFO: no table shows it).  Then the
#                clean-up: the namespace gone (no process in it, no
#                mount of it, no /run/netns name), no nft table left,
#                after the end and after SIGINT, SIGTERM and SIGKILL in
#                the middle of the lesson.
#   unprivileged (as nobody under root, via setpriv): on the host's
#                loopback, the steps that need no drop rules.
# Environment: TCPTOP (default ./tcptop).  Exit 0 pass, 1 fail, 77 skip;
# under CI=true a skip is a failure.

set -u

TCPTOP=${TCPTOP:-./tcptop}

. "$(dirname "$0")/../lib/lib-test.sh"

require_bin TCPTOP
require jq ss

LPID=
cleanup() { stop_pids $LPID; }

test_tmpdir lesson

# ss -tanH on stdin to "STATE LPORT RPORT" lines, tcptop's state names.
ss_norm()
{
	awk '{
		s = $1
		if (s == "ESTAB") s = "ESTABLISHED"
		else if (s == "UNCONN") s = "CLOSE"
		else if (s == "FIN-WAIT-1") s = "FIN_WAIT1"
		else if (s == "FIN-WAIT-2") s = "FIN_WAIT2"
		else gsub(/-/, "_", s)
		l = $4; sub(/.*:/, "", l)
		r = $5; sub(/.*:/, "", r); if (r == "*") r = 0
		print s, l, r
	}'
}

# keep_ports PORTS: the lines of stdin with a local or remote port in
# PORTS (space-separated); all of them when PORTS is "all".
keep_ports()
{
	awk -v ports="$1" 'BEGIN { n = split(ports, p, " ")
		for (i = 1; i <= n; i++) want[p[i]] = 1 }
		ports == "all" || ($2 in want) || ($3 in want)'
}

# check_step NS: the step object in $TMP/step, the report in
# $TMP/report; NS is the namespace, "" for the host.  Adds the states it
# saw reached to REACHED.
check_step()
{
	local ns=$1 n held ports e state side port pat

	n=$(jq -r '.lesson.step' "$TMP/step")
	held=$(jq -r '.lesson.held' "$TMP/step")
	jq -r '.connections[] | "\(.state) \(.local_port) \(.remote_port)"' \
	    "$TMP/report" | sort >"$TMP/tcptop" || fail "step $n: bad report"
	if [ -n "$ns" ]; then
		ports=all
		nsenter --net="/proc/${ns#pid:}/ns/net" ss -tanH \
		    >"$TMP/ss.raw" ||
		    fail "step $n: ss in $ns"
	else
		ports="$PORTS $(jq -r '[.lesson.expect[].port] | join(" ")' \
		    "$TMP/step")"
		PORTS=$ports
		ss -tanH >"$TMP/ss.raw" || fail "step $n: ss"
	fi
	ss_norm <"$TMP/ss.raw" | keep_ports "$ports" | sort >"$TMP/ss"
	if ! cmp -s "$TMP/tcptop" "$TMP/ss"; then
		echo "tcptop:"; cat "$TMP/tcptop"
		echo "ss:"; cat "$TMP/ss"
		fail "step $n: tcptop and ss disagree"
	fi
	[ "$held" = true ] || return 0
	while read -r port side state seen; do
		if [ "$state" = CLOSE ]; then
			# Out of every table: the engine's descriptor says it.
			[ "$seen" = CLOSE ] || fail "step $n: the $side end of" \
			    "port $port is $seen, not CLOSE"
			REACHED="$REACHED CLOSE"
			continue
		fi
		if [ "$side" = server ]; then
			pat="^$state $port [0-9]*\$"
		else
			pat="^$state [0-9]* $port\$"
		fi
		grep -q "$pat" "$TMP/tcptop" || fail "step $n: tcptop shows no" \
		    "$side end of port $port in $state"
		grep -q "$pat" "$TMP/ss" || fail "step $n: ss shows no $side" \
		    "end of port $port in $state"
		REACHED="$REACHED $state"
	done < <(jq -r '.lesson.expect[] | "\(.port) \(.side) \(.state) \(.seen)"' \
	    "$TMP/step")
}

# The namespace's inode, and whether any process is still in it.
ns_inode() { stat -L -c %i "/proc/$1/ns/net" 2>/dev/null; }
ns_in_use()
{
	local f
	for f in /proc/[0-9]*/ns/net; do
		[ "$(stat -L -c %i "$f" 2>/dev/null)" = "$1" ] && return 0
	done
	return 1
}

# check_gone PID NS INODE: nothing of lesson PID is left.
check_gone()
{
	kill -0 "$1" 2>/dev/null && fail "tcptop $1 still runs"
	# Its own only: other tcptops (older ones name theirs) may run.
	ip netns list 2>/dev/null | grep -q "lesson-$1\b" &&
	    fail "ip netns lists this lesson: $(ip netns list)"
	ns_in_use "$3" && fail "a process is still in $2's namespace"
	grep -q "net:\[$3\]" /proc/self/mountinfo &&
	    fail "$2's namespace is still mounted"
	nft list tables 2>/dev/null | grep -q tcptop_lesson &&
	    fail "an nft table tcptop_lesson is left on the host"
	return 0
}

# run_lesson MODE [STOP_AFTER SIGNAL]: drive a lesson; MODE is root,
# nobody (setpriv from root) or user (not root).  With STOP_AFTER, send SIGNAL after that many steps.
run_lesson()
{
	local mode=$1 stop=${2:-0} sig=${3:-} n=0 steps=0 ns= inode= rc
	local -a cmd=("$TCPTOP" --lesson --json --lesson-wait)

	[ "$mode" = nobody ] && cmd=(setpriv --reuid=65534 --regid=65534
	    --clear-groups "${cmd[@]}")
	REACHED= PORTS=
	# A coprocess starts with SIGINT ignored, which tcptop keeps
	# ignored (as for nohup): give it back.
	coproc LES { exec env --default-signal=INT,QUIT "${cmd[@]}" \
	    2>"$TMP/err"; }
	LPID=$LES_PID
	exec {out}<&"${LES[0]}" {in}>&"${LES[1]}"
	while :; do
		echo >&"$in"
		IFS= read -r -t 30 -u "$out" line || {
			cat "$TMP/err"
			fail "$mode: no step $((n + 1)) within 30 s"
		}
		printf '%s\n' "$line" >"$TMP/step"
		IFS= read -r -t 30 -u "$out" line ||
		    fail "$mode: no report for step $((n + 1))"
		printf '%s\n' "$line" >"$TMP/report"
		n=$(jq -r '.lesson.step' "$TMP/step") ||
		    fail "$mode: not a step object"
		steps=$(jq -r '.lesson.steps' "$TMP/step")
		if [ "$mode" = root ]; then
			ns=$(jq -r '.lesson.netns' "$TMP/step")
			[ "$ns" = "pid:$LPID" ] ||
			    fail "namespace '$ns', not pid:$LPID"
			[ "$(jq -r '.lesson.held' "$TMP/step")" = true ] ||
			    fail "step $n not held as root:" \
			    "$(jq -r .lesson.note "$TMP/step")"
			[ -n "$inode" ] || inode=$(ns_inode "$LPID")
		fi
		check_step "$ns"
		if [ "$stop" -gt 0 ] && [ "$n" -ge "$stop" ]; then
			# SIGTERM while the next step runs, SIGINT between
			# steps.
			[ "$sig" = TERM ] && echo >&"$in"
			kill -"$sig" "$LPID"
			break
		fi
		[ "$n" -lt "$steps" ] || break
	done
	# The lesson holds its sockets until a last line (or the end of
	# input); after a signal it may be gone, and a write would be
	# SIGPIPE.
	[ "$stop" -gt 0 ] || echo >&"$in"
	exec {in}>&- {out}<&-
	wait "$LPID"
	rc=$?
	LPID_DONE=$LPID
	LPID=
	if [ "$stop" -gt 0 ]; then
		[ "$rc" -eq $((128 + $(kill -l "$sig"))) ] ||
		    fail "$mode: exit $rc after SIG$sig"
	else
		[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "$mode: exit $rc"; }
	fi
	if [ "$mode" = root ]; then
		# SIGKILL too: nothing but tcptop held the namespace.
		check_gone "$LPID_DONE" "$ns" "$inode"
	fi
	echo "$mode: $n of $steps steps${sig:+, then SIG$sig}; reached:" \
	    "$(echo $REACHED | tr ' ' '\n' | sort -u | tr '\n' ' ')"
}

# every STATE...: each was reached.
every()
{
	local s
	for s in "$@"; do
		case " $REACHED " in
		*" $s "*) ;;
		*) fail "state $s never reached" ;;
		esac
	done
}

ran=0
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	run_lesson nobody
	ran=1
elif [ "$(id -u)" -ne 0 ]; then
	run_lesson user
	ran=1
fi
[ "$ran" -eq 1 ] && every LISTEN ESTABLISHED FIN_WAIT2 CLOSE_WAIT \
    TIME_WAIT CLOSE

[ "$(id -u)" -eq 0 ] || skip "the namespace part needs root (loopback" \
    "part passed)"
require ip nft nsenter
ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"

# A lesson killed outright leaves nothing either.
run_lesson root 2 KILL
run_lesson root
every LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT \
    LAST_ACK CLOSING TIME_WAIT CLOSE
run_lesson root 3 INT
run_lesson root 12 TERM
echo "PASS"
