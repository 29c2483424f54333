# shellcheck shell=bash disable=SC2154	# tmp, populate_bin: the caller's
#
# netns.sh: sourced by bench/refresh and bench/ui.  Makes a network
# namespace, fills it with bench/populate workers and tears it down.
#
# The caller sets tmp (a private directory), populate_bin (the built
# bench/populate) and say/die, and runs teardown from its EXIT trap.
# These set ns (the namespace, empty when there is none) and workers (the
# workers started in it).

# The split below keeps each worker under this many fds (hard limit
# 20000), and populate.c's listener ports under the ephemeral range.
FDS_PER_WORKER=9000
PORT_RANGE="2000 65535"
# populate.c's POPULATE_PORT_BASE: worker i listens on this + i.
# shellcheck disable=SC2034	# for the caller
POPULATE_PORT_BASE=1024
# How long the workers may take to be ready, and ss to count them: a
# million sockets take minutes (bench/scale raises them).
NS_READY_SECONDS=${NS_READY_SECONDS:-120}
NS_COUNT_SECONDS=${NS_COUNT_SECONDS:-30}

ns=
workers=0

in_ns() { ip netns exec "$ns" "$@"; }

# Stop the workers of namespace $ns (and whatever else runs in it) and
# delete it, with its sockets.
teardown()
{
	local pid

	[ -n "$ns" ] || return 0
	# Only our programs live in our namespace.
	for pid in $(ip netns pids "$ns" 2>/dev/null); do
		kill -TERM "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	exec 3>&-
	ip netns del "$ns" 2>/dev/null || true
	ns=
	workers=0
}

# Make namespace $1, empty but for lo.
ns_create()
{
	ns=$1
	workers=0
	ip netns add "$ns" || { ns=; die "ip netns add $1 failed"; }
	# The workers say "ready" or "exit" here.  Read-write, so opening
	# never blocks and the reader never sees EOF; a new one per
	# namespace, so no line of an earlier one is read.
	rm -f "$tmp/events"
	mkfifo "$tmp/events"
	exec 3<>"$tmp/events"
	ip -n "$ns" link set lo up
	# Per-namespace sysctls, set from inside: never the host's.
	in_ns sysctl -q -w \
		net.ipv4.ip_local_port_range="$PORT_RANGE" \
		net.core.somaxconn=65535 \
		net.ipv4.tcp_max_syn_backlog=65535 \
		net.ipv4.tcp_max_tw_buckets=1048576 \
		net.ipv4.tcp_tw_reuse=0 ||
		die "cannot set the namespace's sysctls"
}

# Start worker $workers in $ns with $1 ESTABLISHED pairs, $2 CLOSE_WAIT
# pairs and $3 TIME_WAIT sockets, and $4 (default 0) more TIME_WAIT a
# second once ready; it listens on POPULATE_PORT_BASE plus its index.
ns_worker()
{
	local i=$workers

	(
		in_ns "$populate_bin" -i "$i" -e "$1" -c "$2" -t "$3" \
			-T "${4:-0}"
		echo "exit $i $?"
	) >&3 &
	workers=$((workers + 1))
}

# Wait for $1 workers to say they are ready.
ns_wait_ready()
{
	local ready=0 deadline=$((SECONDS + NS_READY_SECONDS)) line

	while [ "$ready" -lt "$1" ]; do
		[ "$SECONDS" -lt "$deadline" ] ||
			die "workers not ready after $NS_READY_SECONDS s"
		read -r -t $((deadline - SECONDS)) -u 3 line ||
			die "workers not ready after $NS_READY_SECONDS s"
		case $line in
		ready\ *) ready=$((ready + 1)) ;;
		exit\ *) die "worker failed (${line#exit })" ;;
		esac
	done
}

# Wait for `ss -tanH` to count exactly $1 sockets in $ns.
ns_wait_count()
{
	local deadline=$((SECONDS + NS_COUNT_SECONDS)) count

	# Closes settle at once on loopback; the deadline only catches a
	# population that can never match.
	while count=$(in_ns ss -tanH | wc -l); [ "$count" -ne "$1" ]; do
		[ "$SECONDS" -lt "$deadline" ] || {
			in_ns ss -tanH | awk '{ print $1 }' | sort | uniq -c >&2
			die "namespace holds $count sockets, not $1"
		}
		sleep 0.1
	done
}

# Make namespace $1 and fill it with $2 sockets: about 70% ESTABLISHED,
# 10% CLOSE_WAIT, 10% FIN_WAIT2, 10% TIME_WAIT, two listeners per worker.
# With $3 = 0, no TIME_WAIT (they go after 60 s) but 80% ESTABLISHED.
populate()
{
	local n=$2 twpct=${3:-10} w l tw cw est estp i

	# Every socket but TIME_WAIT holds an fd: about 0.9 n in all, or n.
	w=$(( (n * (100 - twpct) / 100 + FDS_PER_WORKER - 1) / FDS_PER_WORKER ))
	[ "$w" -ge 1 ] || w=1
	l=$((2 * w))
	tw=$((n * twpct / 100))
	cw=$((n / 10))
	est=$((n - l - tw - 2 * cw))
	# Only TIME_WAIT comes one socket at a time.
	if [ $((est % 2)) -ne 0 ]; then
		[ "$twpct" -gt 0 ] || die "$n sockets without TIME_WAIT: the count must be even"
		tw=$((tw + 1))
		est=$((est - 1))
	fi
	estp=$((est / 2))
	say "$n sockets: $w worker(s), LISTEN $l, ESTABLISHED $est, CLOSE_WAIT $cw, FIN_WAIT2 $cw, TIME_WAIT $tw"

	ns_create "$1"
	for ((i = 0; i < w; i++)); do
		ns_worker $((estp / w + (i < estp % w))) \
			$((cw / w + (i < cw % w))) \
			$((tw / w + (i < tw % w)))
	done
	ns_wait_ready "$w"
	ns_wait_count "$n"
}
