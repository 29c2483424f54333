# lib-netns.sh: the namespace set-up the root tests share (sourced, not
# run).
#
# Two private network namespaces, a subject S and a peer P, joined by a
# veth pair with static neighbours, no IPv6 DAD and nft rules that drop
# chosen segments in the receiving namespace; then tests/helpers/nsholder
# holds NS_N sockets of each of the ten holdable states in S, on ports
# 9001 to 9010 (the table at the top of nsholder.c).  Nothing touches the
# host's network: addresses, routes, sysctls and rules all live in the two
# namespaces.
#
# The caller sources lib-test.sh (skip and fail) first, then calls
# netns_require, netns_setup and netns_hold in that order, and
# netns_cleanup from its cleanup function (safe to call at any point,
# and twice).  Sets NS_S, NS_P, HOLDER_PID; reads NSHOLDER.  A test
# that needs one namespace and no peer calls netns_lone instead of
# netns_setup and netns_hold.  netns_sockets lists S's sockets, and
# netns_connect adds three connections from S to a server in P, and
# netns_sessions three from P to a server in S (SSH sessions, as sshd
# in S would see them).

# Must match nsholder.c.
S_ADDR4=10.77.0.1
P_ADDR4=10.77.0.2
S_ADDR6=fd00:77::1
P_ADDR6=fd00:77::2

NS_S=
NS_P=
HOLDER_PID=
NETNS_PIDS=
SESSION_PORTS=

inS() { ip netns exec "$NS_S" "$@"; }
inP() { ip netns exec "$NS_P" "$@"; }

# netns_require CMD...: skip without root, without the commands or
# without working network namespaces.
netns_require()
{
	local cmd

	[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
	for cmd in ip nft ss "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not installed"
	done
	ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"
	[ -x "${NSHOLDER:-}" ] || fail "no nsholder at '${NSHOLDER:-}'" \
	    "(set NSHOLDER)"
}

netns_topology()
{
	local ns mac_s mac_p

	ip netns add "$NS_P" || return 1
	for ns in "$NS_S" "$NS_P"; do
		# Before the veth exists, so its own settings inherit them.
		ip netns exec "$ns" sh -c '
		    echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad &&
		    echo 0 >/proc/sys/net/ipv6/conf/default/router_solicitations &&
		    echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad' ||
		    return 1
		ip -n "$ns" link set lo up || return 1
	done
	# Made inside S, peer moved straight to P: never on the host.
	ip -n "$NS_S" link add tt0 type veth peer name tt1 netns "$NS_P" ||
	    return 1
	ip -n "$NS_S" addr add "$S_ADDR4/24" dev tt0 || return 1
	ip -n "$NS_S" addr add "$S_ADDR6/64" dev tt0 nodad || return 1
	ip -n "$NS_P" addr add "$P_ADDR4/24" dev tt1 || return 1
	ip -n "$NS_P" addr add "$P_ADDR6/64" dev tt1 nodad || return 1
	ip -n "$NS_S" link set tt0 up || return 1
	ip -n "$NS_P" link set tt1 up || return 1

	mac_s=$(inS cat /sys/class/net/tt0/address) || return 1
	mac_p=$(inP cat /sys/class/net/tt1/address) || return 1
	ip -n "$NS_S" neigh replace "$P_ADDR4" lladdr "$mac_p" dev tt0 \
	    nud permanent || return 1
	ip -n "$NS_S" neigh replace "$P_ADDR6" lladdr "$mac_p" dev tt0 \
	    nud permanent || return 1
	ip -n "$NS_P" neigh replace "$S_ADDR4" lladdr "$mac_s" dev tt1 \
	    nud permanent || return 1
	ip -n "$NS_P" neigh replace "$S_ADDR6" lladdr "$mac_s" dev tt1 \
	    nud permanent || return 1

	# Drops happen in the receiving namespace, before anything else
	# sees the packet, so the sender just retransmits.  See nsholder.c
	# for the port of each state.
	inS nft -f - <<-'EOF' || return 1
	table inet tcptop_test {
		chain pre {
			type filter hook prerouting priority raw; policy accept;
			# SYN_RECV: P's handshake-completing ACK never arrives
			tcp dport 9001 tcp flags ! syn drop
		}
	}
	EOF
	inP nft -f - <<-'EOF' || return 1
	table inet tcptop_test {
		chain pre {
			type filter hook prerouting priority raw; policy accept;
			# SYN_SENT: S's SYNs go unanswered
			tcp dport 9002 drop
			# FIN_WAIT1, LAST_ACK, CLOSING: S's FIN never arrives
			tcp dport { 9005, 9008, 9009 } tcp flags & fin == fin drop
			# TIME_WAIT: S's last ACK never arrives, so P resends
			# its FIN and each one restarts S's timer
			tcp dport 9010 tcp flags == ack drop
		}
	}
	EOF
}

# netns_setup PREFIX: make the namespaces PREFIX-s-PID-RANDOM and
# PREFIX-p-PID-RANDOM and join them.  Skips where namespaces cannot be
# made (root without CAP_SYS_ADMIN, as in some containers); fails when
# the rest of the set-up does.
netns_setup()
{
	NS_S=$1-s-$$-$RANDOM
	NS_P=$1-p-$$-$RANDOM
	if ! ip netns add "$NS_S" 2>/dev/null; then
		NS_S=
		skip "cannot create network namespaces here (ip netns add" \
		    "failed)"
	fi
	netns_topology || fail "could not set up namespaces $NS_S and $NS_P"
}

# netns_hold N: start nsholder with N sockets per state and family and
# wait (20 s at most) until it says they are all in place.
netns_hold()
{
	local line= rc

	# A pipe on the holder's stdin: it lets go when we close it or
	# exit.
	coproc NSH { exec "$NSHOLDER" "$NS_S" "$NS_P" "$1"; }
	HOLDER_PID=$NSH_PID
	read -r -t 20 -u "${NSH[0]}" line
	rc=$?
	# read returns more than 128 on timeout, 1 on end of file.
	[ $rc -gt 128 ] && fail "nsholder did not get ready within 20 s"
	[ $rc -ne 0 ] && fail "nsholder exited before it was ready (see" \
	    "above)"
	[ "$line" = ready ] || fail "nsholder said '$line', not 'ready'"
}

# netns_lone PREFIX: one namespace PREFIX-PID-RANDOM, lo up, as NS_S;
# no peer, no veth, no rules.  Skips where namespaces cannot be made.
netns_lone()
{
	NS_S=$1-$$-$RANDOM
	if ! ip netns add "$NS_S" 2>/dev/null; then
		NS_S=
		skip "cannot create network namespaces here (ip netns add" \
		    "failed)"
	fi
	ip -n "$NS_S" link set lo up || fail "lo up in $NS_S"
}

# State, local and remote of every socket in S, sorted: queues and
# timers move, the sockets do not.
netns_sockets() { inS ss -tanH | awk '{ print $1, $4, $5 }' | sort; }
# netns_port_count PORT: how many of them have PORT at the remote end.
netns_port_count() { netns_sockets | grep -c -- ":$1\$"; }
netns_port_has() { [ "$(netns_port_count "$1")" -eq "$2" ]; }

# netns_pair NAME SERVER_NS SERVER_ADDR CLIENT_NS PORT: a tcpcycle
# server (TCPCYCLE) in SERVER_NS on SERVER_ADDR:PORT and three
# connections to it from CLIENT_NS, held by a shell's descriptors until
# netns_cleanup (their pids in NETNS_PIDS).  Uses $TMP (lib-test.sh).
netns_pair()
{
	local name=$1 sns=$2 addr=$3 cns=$4 port=$5 fd

	mkfifo "$TMP/$name.in" || fail "mkfifo"
	# Open at both ends: the server's stdin never ends while we run.
	exec {fd}<>"$TMP/$name.in"
	ip netns exec "$sns" "$TCPCYCLE" serve "$addr" "$port" \
	    <"$TMP/$name.in" >/dev/null &
	NETNS_PIDS="$NETNS_PIDS $!"
	await -t 10 "the server listens on :$port" \
	    ip netns exec "$sns" sh -c "ss -tlnH | grep -q ':$port '"
	# The shell's descriptors hold the connections; sleep inherits
	# them.
	ip netns exec "$cns" bash -c "
	    exec 3<>/dev/tcp/$addr/$port 4<>/dev/tcp/$addr/$port \
		5<>/dev/tcp/$addr/$port && exec sleep 3600" </dev/null &
	NETNS_PIDS="$NETNS_PIDS $!"
}

# netns_connect PORT: a server in P on PORT, and three ESTABLISHED
# connections to it from S.
netns_connect()
{
	netns_pair serve "$NS_P" "$P_ADDR4" "$NS_S" "$1"
	await -t 10 "three connections to :$1 are ESTABLISHED" \
	    netns_port_has "$1" 3
}

# netns_sessions PORT: a server in S on PORT, as sshd would listen, and
# three ESTABLISHED connections to it from P.  SESSION_PORTS: the
# clients' ports, sorted; a test describes one of them in
# SSH_CONNECTION ("$P_ADDR4 PORT_OF_CLIENT $S_ADDR4 PORT"), as sshd sets
# it for its session.
netns_sessions()
{
	netns_pair sshd "$NS_S" "$S_ADDR4" "$NS_P" "$1"
	await -t 10 "three sessions to :$1 are ESTABLISHED" \
	    netns_sessions_up "$1"
	SESSION_PORTS=$(inS ss -tnH state established "( sport = :$1 )" |
	    awk '{ n = split($4, a, ":"); print a[n] }' | sort -n)
	[ "$(echo "$SESSION_PORTS" | wc -w)" -eq 3 ] ||
	    fail "the sessions' ports: '$SESSION_PORTS'"
}

netns_sessions_up()
{
	[ "$(netns_sockets | grep -c "^ESTAB $S_ADDR4:$1 ")" -eq 3 ]
}

# netns_kill_all: SIGTERM to every process in S (a test's cleanup, when
# everything left there is its own).
netns_kill_all()
{
	local pid

	[ -n "$NS_S" ] || return 0
	for pid in $(ip netns pids "$NS_S" 2>/dev/null); do
		kill -TERM "$pid" 2>/dev/null
	done
}

# Stop the holder and delete both namespaces.
netns_cleanup()
{
	if [ -n "$HOLDER_PID" ]; then
		kill -TERM "$HOLDER_PID" 2>/dev/null
		wait "$HOLDER_PID" 2>/dev/null
		HOLDER_PID=
	fi
	stop_pids $NETNS_PIDS
	NETNS_PIDS=
	[ -n "$NS_S" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "$NS_P" ] && ip netns del "$NS_P" 2>/dev/null
	NS_S= NS_P=
}
