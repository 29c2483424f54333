#!/bin/bash
#
# ui: the interactive screen, driven through tmux as a user would drive it.
#
# Runs the real tcptop in a tmux server of its own, at 80x24 and 40x12,
# inside the private namespaces of lib-netns.sh, where nsholder holds
# NS_N sockets (default 3) of each TCP state per family.  It sends keys
# and signals and reads the screen back with capture-pane (-e for the
# attributes), and checks: the histogram against ss, the port filter,
# sorting, search, the filter prompt, help, resizing, pause, every way out
# (exit status, terminal modes restored), five terminal types,
# --no-color, NO_COLOR, --ascii, the settings file, the lesson, and the
# state diagram's edge counters moving live, and no bytes once it is
# idle; e explaining a state, and f following a connection from one
# state to the next.  The golden screens of a recorded replay need no
# namespace: tests/screen/replay.sh checks them without root.
#
# Nothing waits by a bare sleep: screen_until polls the screen against a
# deadline and, when it runs out, prints why and the screen.
#
# Environment: TCPTOP, NSHOLDER, POPULATE (bench/populate), NS_N.  Exit
# 0 pass, 1 fail, 77 skip (a failure under CI=true).

set -u
# The screen holds UTF-8 (arrows, bars, the ellipsis) that grep, sed and
# tmux itself must read as characters, whatever the caller's locale.
export LC_ALL=C.UTF-8

TCPTOP=${TCPTOP:-./tcptop}
NSHOLDER=${NSHOLDER:-./tests/helpers/nsholder}
POPULATE=${POPULATE:-$(dirname "$NSHOLDER")/../../bench/populate}
N=${NS_N:-3}

. "$(dirname "$0")/../lib/lib-test.sh"
. "$(dirname "$0")/../lib/lib-netns.sh"
. "$(dirname "$0")/../lib/lib-tmux.sh"
. "$(dirname "$0")/../lib/lib-screen.sh"

netns_require tmux unshare stty
require_bin TCPTOP POPULATE
require_count NS_N "$N"

# The pane starts elsewhere: every path it gets must be absolute.
TCPTOP=$(abspath "$TCPTOP")
POPULATE=$(abspath "$POPULATE")

POP_PID=

cleanup()
{
	screen_stop
	stop_pids $POP_PID
	netns_cleanup
}

test_tmpdir tcptop-ui
tmux_init ui
SCREEN_E=$TMP/screen.e	# the last capture, with its attributes
RUNS=$TMP/runs		# the attributes decoded: LINE TAB ATTRS TAB TEXT
WHY=$TMP/why		# what the last predicate found wrong

netns_setup tcptop-ui
netns_hold "$N"

# --- the pane -----------------------------------------------------------

# tcptop runs in S, its host name "host" (lib-screen.sh).
screen_host
PANE_WRAP+=(ip netns exec "$NS_S")
screen_init

# --- reading the screen -------------------------------------------------

# The attributes of every run of text: "LINE<TAB>ATTRS<TAB>TEXT", ATTRS
# a list such as "fg30 bg46 bold" or "-".  tmux sends each SGR change
# only, carried across lines, so the state is kept from line to line.
decode_runs()
{
	awk '
	function sgr(params,    n, p, i, v) {
		n = split(params, p, ";")
		if (n == 0) { n = 1; p[1] = 0 }
		for (i = 1; i <= n; i++) {
			v = p[i] + 0
			if (v == 0) { fg = bg = ""; bold = dim = ul = rev = 0 }
			else if (v == 1) bold = 1
			else if (v == 2) dim = 1
			else if (v == 4) ul = 1
			else if (v == 7) rev = 1
			else if (v == 22) bold = dim = 0
			else if (v == 24) ul = 0
			else if (v == 27) rev = 0
			else if (v == 39) fg = ""
			else if (v == 49) bg = ""
			else if (v == 38 || v == 48) {
				# 38;5;N or 38;2;R;G;B
				c = v ":" p[i + 1] ":" p[i + 2]
				i += p[i + 1] == 2 ? 4 : 2
				if (v == 38) fg = c; else bg = c
			} else if ((v >= 30 && v <= 37) || (v >= 90 && v <= 97))
				fg = v
			else if ((v >= 40 && v <= 47) || (v >= 100 && v <= 107))
				bg = v
		}
	}
	function attrs(    s) {
		s = ""
		if (fg != "") s = s " fg" fg
		if (bg != "") s = s " bg" bg
		if (bold) s = s " bold"
		if (dim) s = s " dim"
		if (ul) s = s " ul"
		if (rev) s = s " rev"
		return s == "" ? "-" : substr(s, 2)
	}
	function out(text) {
		if (text != "")
			printf "%d\t%s\t%s\n", NR, attrs(), text
	}
	{
		line = $0
		while ((i = index(line, "\033[")) > 0) {
			out(substr(line, 1, i - 1))
			line = substr(line, i + 2)
			match(line, /^[0-9;]*/)
			params = substr(line, 1, RLENGTH)
			final = substr(line, RLENGTH + 1, 1)
			if (final == "m")
				sgr(params)
			line = substr(line, RLENGTH + 2)
		}
		out(line)
	}'
}

# Both views of one capture: $SCREEN is the same moment without the
# attributes (and the trailing blanks that only carry a background).
capture_e()
{
	"${T[@]}" capture-pane -p -e -t ui >"$SCREEN_E" &&
	    decode_runs <"$SCREEN_E" >"$RUNS" &&
	    sed 's/\x1b\[[0-9;]*m//g; s/ *$//' "$SCREEN_E" >"$SCREEN"
}

# A connection row at 80 columns: the gutter mark, then family (both
# families are on screen), two endpoints, a state, age, those of the
# queues, RTT and retransmits that fit, and the process (or "-").
ROW80_RE="^[ +-]v[46] [^ ]+ +[^ ]+ +$STATE_RE +[0-9][^ ]*"
ROW80_RE+="( +[0-9]+){0,2}( +(-|[0-9.]+(us|ms|s)))?( +[0-9]+)? +[^ ]+$"
# At 40: the two endpoints and the state only.
ROW40_RE="^[ +-][^ ]+ +[^ ]+ +$STATE_RE$"

# "STATE COUNT" for all eleven states in S.  Counted from the State
# column of one unfiltered listing, as netns-states.sh does: one snapshot
# for every state, and nothing rests on how ss's `state' filter treats
# timewait minisockets (an orphaned FIN_WAIT2 is one; the kernel filters
# it as TIME_WAIT).
ss_counts()
{
	inS ss -tanH "$@" | awk -v states="$STATES" '
	BEGIN {
		m["ESTAB"] = "ESTABLISHED"; m["SYN-SENT"] = "SYN_SENT"
		m["SYN-RECV"] = "SYN_RECV"; m["FIN-WAIT-1"] = "FIN_WAIT1"
		m["FIN-WAIT-2"] = "FIN_WAIT2"; m["TIME-WAIT"] = "TIME_WAIT"
		m["UNCONN"] = "CLOSE"; m["CLOSE"] = "CLOSE"
		m["CLOSE-WAIT"] = "CLOSE_WAIT"; m["LAST-ACK"] = "LAST_ACK"
		m["LISTEN"] = "LISTEN"; m["CLOSING"] = "CLOSING"
	}
	{ c[($1 in m) ? m[$1] : "UNKNOWN:" $1]++ }
	END {
		n = split(states, s, /[ \n]+/)
		for (i = 1; i <= n; i++)
			print s[i], c[s[i]] + 0
		for (k in c)
			if (k ~ /^UNKNOWN:/)
				print k, c[k]
	}'
}

# The header's numbers: "TOTAL V4 V6" (the per-family part may be gone
# on a narrow screen: then only TOTAL).
header_counts()
{
	line 1 | sed -nE \
	    's/.* ([0-9]+) sockets?(: v4 ([0-9]+), v6 ([0-9]+))?.*/\1 \3 \4/p'
}

# The selected row's line: the one list row drawn in reverse (no colour)
# or on the selection's cyan (colour).  Needs capture_e.
selected_lines()
{
	local t

	t=$(title_line)
	awk -F '\t' -v a="${t:-999}" -v b=$((HEIGHT - 2)) '
	$1 > a && $1 <= b && !($1 in seen) {
		seen[$1]
		if ($2 ~ /(^| )(rev|bg46)( |$)/)
			print $1
	}' "$RUNS"
}

# Runs drawn as a search match: black on yellow, or bold underline.
match_runs()
{
	awk -F '\t' '$2 ~ /bg43/ || ($2 ~ /bold/ && $2 ~ /(^| )ul( |$)/) {
	    print $1 "\t" $3 }' "$RUNS"
}

# screen_until DESC CMD... (lib-tmux.sh) captures the screen and runs
# CMD until it succeeds, for WAIT seconds at most (default 5).  CMD reads
# $SCREEN and may say in $WHY what it found wrong; on timeout that and
# the screen are printed and 1 is returned.  wait_screen PATTERN
# [TIMEOUT] and wait_gone PATTERN [TIMEOUT] wait for a line to match
# PATTERN (ERE), and for none to.

# still MS CMD...: CMD must hold on every capture for MS milliseconds.
still()
{
	local ms=$1 deadline
	shift
	deadline=$(($(now_us) + ms * 1000))
	while [ "$(now_us)" -lt "$deadline" ]; do
		: >"$WHY"
		capture
		if ! "$@"; then
			[ -s "$WHY" ] && sed 's/^/    /' "$WHY"
			show_screen
			return 1
		fi
		sleep 0.05
	done
}

# First frame: a header with the count.
wait_frame() { wait_screen '[0-9]+ sockets?' "$@"; }

# --- checks -------------------------------------------------------------

# The histogram and the header against ss, state by state.
hist_is_ss()
{
	local -A h=() s=()
	local st c total=0 sum=0 bad=0 hdr v4 v6

	while read -r st c; do h[$st]=$c; done < <(hist_counts)
	while read -r st c; do s[$st]=$c; total=$((total + c)); done \
	    < <(ss_counts)
	# The compact histogram (below 40 rows) leaves out the states
	# without sockets: missing reads 0, and the sum below still has to
	# be ss's total.
	for st in $STATES; do
		if [ "${h[$st]:-0}" != "${s[$st]}" ]; then
			echo "$st: histogram ${h[$st]:-none}, ss ${s[$st]}" \
			    >>"$WHY"
			bad=1
		fi
		sum=$((sum + ${h[$st]:-0}))
	done
	read -r hdr v4 v6 < <(header_counts)
	if [ "${hdr:-none}" != "$total" ] || [ "$sum" != "$total" ]; then
		echo "header total ${hdr:-none}, histogram sum $sum, ss" \
		    "$total" >>"$WHY"
		bad=1
	fi
	if [ "${v4:-none} ${v6:-none}" != \
	    "$(inS ss -tanH -4 | wc -l) $(inS ss -tanH -6 | wc -l)" ]; then
		echo "header v4 ${v4:-none} v6 ${v6:-none} differ from ss" \
		    >>"$WHY"
		bad=1
	fi
	return $bad
}

check_hist()
{
	local st c want

	# The set-up itself: 2N of each held state, or the rest means
	# little.
	while read -r st c; do
		case $st in
		CLOSE) want=0 ;;
		UNKNOWN:*) want=0 ;;
		*) want=$((2 * N)) ;;
		esac
		if [ "$c" != "$want" ]; then
			echo "    set-up: ss counts $c $st in S, not $want"
			return 1
		fi
	done < <(ss_counts)
	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	screen_until "the histogram and header to equal ss" hist_is_ss ||
	    return 1
	# At 80x24 the compact form: the ten states with sockets, CLOSE
	# (at 0) left out, in two lines under the header.
	[ "$(hist_counts | wc -l)" -eq 10 ] && ! hist_counts | grep -q CLOSE\ &&
	    [ "$(sed -n "2,$(($(title_line) - 1))p" "$SCREEN" |
	    grep -cE '^[A-Z_0-9]+ [0-9]+  ')" -le 2 ] || {
		echo "    the histogram shows $(hist_counts | wc -l) states," \
		    "not the 10 with sockets, or takes more than 2 lines"
		show_screen
		return 1
	}
}

# Every list row has port $1 at one end; as many rows as ss counts with
# the filter $2 (all of them when they fit), and the status line says so.
rows_port_is_ss()
{
	local port=$1 want rows bad=0 shown
	shift
	want=$(inS ss -tanH "$@" | wc -l)
	[ "$want" -gt 0 ] || { echo "ss counts no socket for $*" >>"$WHY"
		return 1; }
	rows=$(list_rows | cut -f2- | awk -v p=":$port" '
	    { s = substr($0, 2); split(s, f, / +/)
	      if (substr(f[2], length(f[2]) - length(p) + 1) != p &&
		  substr(f[3], length(f[3]) - length(p) + 1) != p)
		      bad++
	      n++ }
	    END { print n + 0, bad + 0 }')
	set -- $rows
	shown=$(status_line | sed -nE 's/^([0-9]+) of ([0-9]+) shown.*/\1 \2/p')
	if [ "$2" -ne 0 ]; then
		echo "$2 of $1 rows have no port $port at either end" >>"$WHY"
		bad=1
	fi
	if [ "$1" -ne "$want" ] &&
	    [ "$1" -ne $((HEIGHT - 2 - $(title_line))) ]; then
		echo "$1 rows on screen, ss counts $want" >>"$WHY"
		bad=1
	fi
	if [ "$shown" != "$want $want" ]; then
		echo "status line says '${shown:-nothing}' shown, ss counts" \
		    "$want" >>"$WHY"
		bad=1
	fi
	return $bad
}

port_9004() { rows_port_is_ss 9004 '( sport = :9004 or dport = :9004 )'; }

check_port_option()
{
	size 80 24
	start -- -d 0.3 -p 9004 || return 1
	wait_frame || return 1
	screen_until "only port 9004, as many rows as ss" port_9004 || return 1
	status_line | grep -q 'port 9004' || {
		echo "    the status line does not name the port filter"
		show_screen
		return 1
	}
	# A few rows leave room to say what the owner buckets mean, the
	# five of them, under the rows.
	local n
	n=$(grep -cE '^ +(owned|none|hidden|queued|in flight) +[a-z]' "$SCREEN")
	grep -q '^ The header counts sockets by owner:' "$SCREEN" &&
	    [ "$n" -eq 5 ] || {
		echo "    no note on the owner buckets ($n of 5 lines)"
		show_screen
		return 1
	}
}

all_shown()
{
	local total shown

	total=$(inS ss -tanH | wc -l)
	shown=$(status_line | sed -nE 's/^([0-9]+) of ([0-9]+) shown.*/\1 \2/p')
	[ "$shown" = "$total $total" ] && ! status_line | grep -q 'port ' ||
	    { echo "status line: '$(status_line)', ss counts $total" >>"$WHY"
		return 1; }
}

check_port_key()
{
	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	keys p
	wait_screen '^Port filter' || return 1
	type_text 9004
	keys Enter
	screen_until "the port filter from the prompt" port_9004 || return 1
	keys p
	wait_screen '^Port filter.*: 9004' || return 1
	keys C-u
	wait_gone '^Port filter.*: 9004' || return 1
	keys Enter
	screen_until "every socket back, no port filter" all_shown
}

# The title line holds exactly one arrow ($1: ▲ or ▼), right after the
# title ($2, a regex).
arrow_on()
{
	local t tl

	t=$(title_line)
	tl=$(line "${t:-0}")
	if [ "$(grep -o '[▲▼]' <<<"$tl" | wc -l)" -ne 1 ] ||
	    ! grep -Eq "(^| )($2)$1" <<<"$tl"; then
		echo "title line '$tl': want one arrow, $2$1" >>"$WHY"
		return 1
	fi
}

# The ports of column $1 (2 local, 3 remote) of the rows on screen.
row_ports()
{
	list_rows | cut -f2- | awk -v c="$1" '{ s = substr($0, 2)
	    split(s, f, / +/); n = split(f[c], p, ":"); print p[n] + 0 }'
}

# Rows sorted by the port of column $1, "up" or "down", with at least $3
# different ports on screen (default 1; 2 makes the order something to
# see).
ports_sorted()
{
	local ports
	ports=$(row_ports "$1")
	if ! awk -v dir="$2" -v least="${3:-1}" 'NR > 1 &&
	    ((dir == "up" && $1 < last) || (dir == "down" && $1 > last)) {
		exit 1 }
	    { last = $1; seen[$1] } END { n = 0; for (k in seen) n++
	    exit n < least }' <<<"$ports"; then
		echo "ports not sorted $2: $(echo $ports)" >>"$WHY"
		return 1
	fi
}

at_end()
{
	local sel last

	capture_e
	sel=$(selected_lines)
	last=$(list_rows | tail -n 1 | cut -f1)
	[ -n "$sel" ] && [ "$sel" = "$last" ] ||
	    { echo "selected line '$(echo $sel)', last row on $last" >>"$WHY"
		return 1; }
}

# The selection on the first row, the list at its top: the status line
# says nothing is above.
at_top()
{
	local sel first

	capture_e
	sel=$(selected_lines)
	first=$(list_rows | head -n 1 | cut -f1)
	[ -n "$sel" ] && [ "$sel" = "$first" ] ||
	    { echo "selected line '$(echo $sel)', first row on $first" \
		>>"$WHY"; return 1; }
	! status_line | grep -q ' above' ||
	    { echo "status line: $(status_line)" >>"$WHY"; return 1; }
}

reversed()
{
	local n

	ports_sorted 2 down 2 || return 1
	# An alert line may come or go in between: compare as many rows as
	# both screens hold.
	n=$(row_ports 2 | wc -l)
	[ "$(wc -l <"$TMP/ascending")" -lt "$n" ] &&
	    n=$(wc -l <"$TMP/ascending")
	row_ports 2 | head -n "$n" |
	    cmp -s - <(tac "$TMP/ascending" | head -n "$n") ||
	    { echo "not the reverse of: $(echo $(cat "$TMP/ascending"))" \
		>>"$WHY"; return 1; }
}

check_sort()
{
	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	screen_until "the arrow on STATE" arrow_on ▲ STATE || return 1
	keys '>'
	screen_until "the arrow on another title" \
	    not grep -q 'STATE▲' "$SCREEN" || return 1
	screen_until "one arrow, on the next column (family)" \
	    arrow_on ▲ 'FM|F' || return 1
	keys '<'
	screen_until "the arrow back on STATE" arrow_on ▲ STATE || return 1
	# state, family, local, remote, lport: LOCAL sorted by its port.
	# A column of numbers sorts biggest first when chosen, as htop.
	keys '>' '>' '>' '>'
	screen_until "sorted by local port, biggest first" arrow_on ▼ LOCAL ||
	    return 1
	screen_until "local ports descending" ports_sorted 2 down || return 1
	keys I
	screen_until "sorted by local port ascending" arrow_on ▲ LOCAL ||
	    return 1
	# The last rows, whose ports differ whatever NS_N is; the
	# selection on the last one follows it to the top once reversed.
	# The list stays at its top until the selection moves; End shows
	# how many rows are above.
	screen_until "the list at its top" at_top || return 1
	keys End
	screen_until "the selection on the last row" at_end || return 1
	screen_until "the rows above counted" \
	    eval 'status_line | grep -Eq "shown.*, [0-9]+ above"' || return 1
	screen_until "local ports ascending" ports_sorted 2 up 2 || return 1
	row_ports 2 >"$TMP/ascending"
	# A new order shows its top, as top does: the last rows first.
	keys I
	screen_until "the arrow turned down" arrow_on ▼ LOCAL || return 1
	screen_until "the same rows in reverse order" reversed || return 1
	screen_until "the top of the new order, selected" at_top || return 1
	keys I
	screen_until "the arrow back up" arrow_on ▲ LOCAL || return 1
	keys F6
	wait_screen 'Sort by' || return 1
	keys Down
	keys Enter
	wait_gone 'Sort by' || return 1
	screen_until "the menu's next key: remote port" arrow_on ▼ REMOTE ||
	    return 1
	screen_until "remote ports descending" ports_sorted 3 down
}

# The selected row contains $1 and shows it as a match; every match run
# is $1, on a row that holds it; list rows are well formed; $2 rows
# with $1 at least.
search_shown()
{
	local needle=$1 least=$2 sel bad=0 n
	capture_e
	sel=$(selected_lines)
	if [ "$(wc -w <<<"$sel")" -ne 1 ]; then
		echo "selected lines: '$(echo $sel)', want one" >>"$WHY"
		return 1
	fi
	line "$sel" | grep -q -- "$needle" ||
	    { echo "selected row $sel has no $needle" >>"$WHY"; bad=1; }
	match_runs | awk -F '\t' -v l="$sel" -v s="$needle" \
	    '$1 == l && $2 == s { f = 1 } END { exit !f }' ||
	    { echo "no highlighted $needle on row $sel" >>"$WHY"; bad=1; }
	if match_runs | awk -F '\t' -v s="$needle" '$2 != s { exit 1 }'; then
		:
	else
		echo "highlighted runs other than $needle:" \
		    "$(match_runs | tr '\t\n' ': ')" >>"$WHY"
		bad=1
	fi
	n=$(list_rows | cut -f2- | grep -c -- "$needle")
	[ "$n" -ge "$least" ] ||
	    { echo "$n rows with $needle, want $least" >>"$WHY"; bad=1; }
	if list_rows | cut -f2- | grep -Ev -- "$ROW80_RE" >"$TMP/badrows"
	then
		echo "rows out of shape:" >>"$WHY"
		cat "$TMP/badrows" >>"$WHY"
		bad=1
	fi
	return $bad
}

# search_all_shown NEEDLE N: search_shown with N rows, or as many as
# the list shows when it has fewer.
search_all_shown()
{
	local rows

	capture
	rows=$(list_rows | wc -l)
	search_shown "$1" $(($2 < rows ? $2 : rows))
}

no_search()
{
	capture_e
	! status_line | grep -Eq 'search "|^Search' &&
	    [ -z "$(match_runs)" ] ||
	    { echo "search still on: $(status_line)" >>"$WHY"; return 1; }
}

check_search()
{
	local i want

	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	keys /
	wait_screen '^Search:' || return 1
	type_text 9006
	screen_until "a selected row with 9006 highlighted" \
	    search_shown 9006 1 || return 1
	keys Enter
	wait_screen 'search "9006"' || return 1
	# On to the last FIN_WAIT2 (port 9006): all 2N on screen, or as
	# many as the list has rows (fewer under an alert line), the IPv6
	# ones with an elided address before the port.
	for ((i = 1; i < 2 * N; i++)); do keys n; done
	screen_until "all rows of port 9006 the list holds highlighted" \
	    search_all_shown 9006 $((2 * N)) || return 1
	keys Escape
	screen_until "Esc to clear the search" no_search || return 1
	keys /
	wait_screen '^Search:' || return 1
	type_text zzz
	wait_screen '^Search: zzz.* no match' || return 1
	keys Escape
	screen_until "Esc to close the prompt and the search" no_search
}

# The status line holds the prompt and an error drawn as one.
prompt_error()
{
	capture_e
	status_line | grep -q '^Filter' ||
	    { echo "the prompt closed" >>"$WHY"; return 1; }
	awk -F '\t' -v l=$((HEIGHT - 1)) '$1 == l && $2 ~ /bg41|rev/ &&
	    $3 ~ /[a-z]/ { f = 1 } END { exit !f }' "$RUNS" ||
	    { echo "no error on the status line" >>"$WHY"; return 1; }
}

dport_9004()
{
	rows_port_is_ss 9004 'dport = :9004' &&
	    list_rows | cut -f2- | awk '{ s = substr($0, 2); split(s, f, / +/)
		if (f[3] !~ /:9004$/) exit 1 }' ||
	    { echo "a row's remote port is not 9004" >>"$WHY"; return 1; }
}

header_moved() { [ "$(line 1)" != "$HEADER" ]; }

check_filter()
{
	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	keys F4
	wait_screen '^Filter \(e\.g\.' || return 1
	type_text 'sport = = 1'
	keys Enter
	screen_until "an error beside the prompt" prompt_error || return 1
	# Still running: refreshes keep coming under the open prompt.
	HEADER=$(line 1)
	screen_until "the header's clock to move" header_moved || return 1
	kill -0 "$PID" 2>/dev/null || { echo "    tcptop is gone"; return 1; }
	keys C-u
	type_text 'dport = :9004'
	keys Enter
	screen_until "rows to dport 9004 only" dport_9004 || return 1
	status_line | grep -q 'filter dport = :9004' ||
	    { echo "    no filter on the status line"; show_screen; return 1; }
	type_text '\'
	wait_screen '^Filter \(e\.g\..*: dport = :9004' || return 1
	type_text ' or sport = :1'
	keys Escape
	wait_gone '^Filter \(e\.g\.' || return 1
	screen_until "the old filter kept" dport_9004
}

back_to_list()
{
	grep -q 'LOCAL.*REMOTE' "$SCREEN" && ! grep -q 'port filter' "$SCREEN"
}

# page_up_to PATTERN: true when a line matches; else one PgUp, but only
# once the last one has been drawn (the screen changed), so no page is
# skipped.  For screen_until.
page_up_to()
{
	local sum

	grep -Eq -- "$1" "$SCREEN" && return 0
	sum=$(cksum <"$SCREEN")
	if [ "$sum" != "$PAGED" ]; then
		PAGED=$sum
		keys PPage
	fi
	return 1
}

check_help()
{
	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	keys h
	wait_screen 'port filter' || return 1
	grep -q 'this help' "$SCREEN" ||
	    { echo "    no 'this help'"; show_screen; return 1; }
	# The last keys are further down, above the column list that ends
	# the help: from the end, page up until they show.
	keys End
	wait_screen 'Running as root|unprivileged' || return 1
	PAGED=
	screen_until "/(^| )quit/ paging up from the end" page_up_to \
	    '(^| )quit' || return 1
	keys x
	screen_until "any key back to the list" back_to_list || return 1
	# q too, as in htop: back to the list, not out of tcptop.
	keys h
	wait_screen 'port filter' || return 1
	keys q
	screen_until "q back to the list" back_to_list || return 1
	kill -0 "$PID" 2>/dev/null || { echo "    q in the help quit"; \
	    return 1; }
}

# The bar at 80x24: every function key in order, F10Quit last; F5 and
# F9 as in htop (the groups, kill).
fkeys_bar()
{
	line "$HEIGHT" | grep -Eq '^F1Help F2Cols F3Search F4Filter F5Groups F6SortBy F9Kill .*F10Quit *$' ||
	    { echo "the bar is: $(line "$HEIGHT")" >>"$WHY"; return 1; }
}

check_fkeys()
{
	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	screen_until "the function keys on the bar" fkeys_bar || return 1
	keys F5
	wait_screen ' by service' || return 1
	keys F5
	screen_until "F5 back to the list" back_to_list || return 1
	keys F9
	wait_screen 'Destroy 1 socket\? ' || return 1
	keys n
	wait_screen 'kill cancelled: nothing destroyed'
}

# A 40x12 screen that reads: the header, a state with its count, the
# titles, rows of three well-formed columns, the key bar, nothing wider
# than the screen and no replacement characters.
readable40()
{
	local bad=0 t

	line 1 | grep -Eq '^host  [0-9:]{8}  every [0-9.]+s  [0-9]+ socket' ||
	    { echo "no header" >>"$WHY"; bad=1; }
	hist_counts | grep -q . ||
	    { echo "no state with a count" >>"$WHY"; bad=1; }
	t=$(title_line)
	[ -n "$t" ] && line "$t" | grep -q 'STATE' ||
	    { echo "no column titles with STATE" >>"$WHY"; bad=1; }
	[ "$(list_rows | wc -l)" -ge 1 ] ||
	    { echo "no connection rows" >>"$WHY"; bad=1; }
	if list_rows | cut -f2- | grep -Ev -- "$ROW40_RE" >"$TMP/badrows"
	then
		echo "rows out of shape:" >>"$WHY"
		cat "$TMP/badrows" >>"$WHY"
		bad=1
	fi
	line "$HEIGHT" | grep -q 'F1Help' ||
	    { echo "no key bar" >>"$WHY"; bad=1; }
	[ "$(LC_ALL=C.UTF-8 wc -L <"$SCREEN")" -le "$WIDTH" ] ||
	    { echo "a line wider than $WIDTH" >>"$WHY"; bad=1; }
	if LC_ALL=C grep -q "[[:cntrl:]]" "$SCREEN" ||
	    grep -q $'\xef\xbf\xbd' "$SCREEN"; then
		echo "control or replacement characters" >>"$WHY"
		bad=1
	fi
	return $bad
}

full80()
{
	[ "$(hist_counts | wc -l)" -eq 10 ] &&
	    line "$(title_line)" | grep -q 'FM LOCAL.*REMOTE.*STATE.*PROCESS' &&
	    line "$HEIGHT" | grep -q 'F10Quit' &&
	    line 1 | grep -q 'sockets: v4' ||
	    { echo "not the full 80x24 layout" >>"$WHY"; return 1; }
}

check_resize()
{
	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	size 40 12
	screen_until "a readable 40x12 screen" readable40 || return 1
	# Paused, the header still says so, with the count whole (the
	# frozen time gives way to the count of alerts, when there are).
	keys Z
	wait_screen '^host  ([0-9:]{8}  )?PAUSED  [0-9]+ sockets( |$)' ||
	    return 1
	keys Z
	wait_screen '^host  [0-9:]{8}  (every |[0-9]+ sockets  [0-9]+ alerts)' ||
	    return 1
	size 30 10
	wait_screen '^terminal too small' || return 1
	size 80 24
	screen_until "the full layout back at 80x24" full80
}

# The header and histogram lines, which must not move while paused.
top_lines() { sed -n "1,$(($(title_line) - 1))p" "$SCREEN"; }

same_top()
{
	top_lines | cmp -s - "$TMP/paused" ||
	    { echo "changed while paused:" >>"$WHY"
		diff "$TMP/paused" <(top_lines) >>"$WHY"; return 1; }
}

check_pause()
{
	local t0 before after

	size 80 24
	start -- -d 0.3 || return 1
	wait_frame || return 1
	screen_until "the histogram to equal ss" hist_is_ss || return 1
	keys Z
	wait_screen 'PAUSED' || return 1
	top_lines >"$TMP/paused"
	before=$(ss_counts | tr '\n' ' ')
	# New sockets in S: two listeners and two connected pairs on
	# loopback.
	ip netns exec "$NS_S" "$POPULATE" -i 0 -e 2 -c 0 -t 0 \
	    >"$TMP/populate" 2>&1 &
	POP_PID=$!
	t0=$(now_us)
	until grep -q '^ready' "$TMP/populate"; do
		if [ $(($(now_us) - t0)) -gt 5000000 ] ||
		    ! kill -0 "$POP_PID" 2>/dev/null; then
			echo "    populate did not get ready:"
			sed 's/^/    /' "$TMP/populate"
			return 1
		fi
		sleep 0.02
	done
	after=$(ss_counts | tr '\n' ' ')
	[ "$before" != "$after" ] ||
	    { echo "    ss saw no new socket"; return 1; }
	# Five refreshes' worth: any refresh would show the new sockets.
	still 1500 same_top || return 1
	# Space refreshes once, as top's does, and stays paused.
	keys Space
	screen_until "one refresh to catch up with ss" hist_is_ss || return 1
	shows PAUSED || { echo "    Space resumed refreshing"; return 1; }
	keys Z
	wait_gone 'PAUSED'
}

# New rows are marked "+" (and bold), gone rows stay marked "-" (dim)
# for the tombstone time, then leave.
check_marks()
{
	local t0

	# The pause check's sockets go first.
	if [ -n "$POP_PID" ]; then
		kill -TERM "$POP_PID" 2>/dev/null
		wait "$POP_PID" 2>/dev/null
		POP_PID=
	fi
	size 80 24
	start -- -d 0.3 --tombstone 2 -f 'src 127.0.0.0/8 and not state time-wait' ||
	    return 1
	wait_screen 'no connections match' || return 1
	ip netns exec "$NS_S" "$POPULATE" -i 0 -e 2 -c 0 -t 0 \
	    >"$TMP/populate" 2>&1 &
	POP_PID=$!
	wait_screen '^\+ *(v4 +)?127\.[0-9.]+:[0-9]+ .* ESTABLISHED ' || return 1
	# The highlight lasts the tombstone time, then the mark goes.
	# (generous: a loaded machine may draw late)
	wait_gone '^\+' 15 || return 1
	kill -TERM "$POP_PID" 2>/dev/null
	wait "$POP_PID" 2>/dev/null
	POP_PID=
	wait_screen '^- *(v4 +)?127\.[0-9.]+:[0-9]+ .* ESTABLISHED ' || return 1
	wait_screen 'no connections match' || return 1
	keys q
	exited 0
}

# check_exit HOW WANT [TCPTOP-ARGS...]: end tcptop by HOW (a key, a
# signal name, or "self" for -n), then the status is WANT and the
# terminal restored.
check_exit()
{
	local how=$1 want=$2
	shift 2

	size 80 24
	start -- -d 0.3 "$@" || return 1
	case $how in
	self) ;;
	q|F10) wait_frame || return 1; keys "$how" ;;
	*) wait_frame || return 1; kill -"$how" "$PID" ;;
	esac
	exited "$want"
}

ascii_only()
{
	if LC_ALL=C grep -q $'[\x80-\xff]' "$SCREEN"; then
		echo "bytes above 0x7f on screen:" >>"$WHY"
		LC_ALL=C grep -n $'[\x80-\xff]' "$SCREEN" | head -n 3 >>"$WHY"
		return 1
	fi
}

# check_term TERM LANG: the header and LISTEN show; q quits cleanly.
check_term()
{
	size 80 24
	start "TERM=$1" "LANG=$2" -- -d 0.3 || return 1
	wait_frame || return 1
	wait_screen 'LISTEN' || return 1
	line 1 | grep -Eq '[0-9]+ sockets: v4 [0-9]+, v6 [0-9]+' ||
	    { echo "    no header"; show_screen; return 1; }
	if [ "$2" = C ]; then
		screen_until "ASCII only" ascii_only || return 1
	fi
	keys q
	exited 0
}

# No colour in any SGR, and the selected row in reverse video.
mono()
{
	local codes sel
	capture_e
	codes=$(grep -ao $'\e\\[[0-9;]*m' "$SCREEN_E" | tr -d '\033[m' |
	    tr ';' '\n' | grep -Ex '3[0-8]|4[0-8]|9[0-7]|10[0-7]' | sort -u)
	if [ -n "$codes" ]; then
		echo "colour SGR parameters: $(echo $codes)" >>"$WHY"
		return 1
	fi
	sel=$(selected_lines)
	[ "$(wc -w <<<"$sel")" -eq 1 ] &&
	    awk -F '\t' -v l="$sel" '$1 == l && $2 !~ /(^| )rev( |$)/ {
		exit 1 }' "$RUNS" ||
	    { echo "no single row in reverse video: '$(echo $sel)'" >>"$WHY"
		return 1; }
}

check_mono()	# check_mono VAR=VALUE|-- TCPTOP-ARGS...
{
	size 80 24
	start "$@" || return 1
	wait_frame || return 1
	screen_until "no colour, the selection in reverse" mono || return 1
	keys q
	exited 0
}

check_ascii()
{
	size 80 24
	start -- -d 0.3 --ascii || return 1
	wait_frame || return 1
	# The sort arrow is ^ here.
	wait_screen 'STATE\^' || return 1
	screen_until "ASCII only" ascii_only || return 1
	keys F6
	wait_screen 'Sort by' || return 1
	screen_until "ASCII only, with the sort menu open" ascii_only ||
	    return 1
	keys Escape
	wait_gone 'Sort by' || return 1
	keys q
	exited 0
}

check_settings_saved()
{
	local key rc=$TMP/cfg-saved/tcptop/tcptoprc

	size 80 24
	CFG=$TMP/cfg-saved start -- -d 0.3 || return 1
	wait_frame || return 1
	keys '>'
	wait_screen '^sorted by [a-z]+' || return 1
	key=$(status_line | sed -nE 's/^sorted by ([a-z]+).*/\1/p')
	keys q
	exited 0 || return 1
	grep -qx "sort=$key" "$rc" 2>/dev/null || {
		echo "    tcptoprc does not hold sort=$key:"
		sed 's/^/    | /' "$rc" 2>&1
		return 1
	}
}

# What the command line gave and the screen did not change is not a
# setting: the file keeps its own values.
check_settings_flags()
{
	local rc=$TMP/cfg-flags/tcptop/tcptoprc

	mkdir -p "$(dirname "$rc")"
	printf 'delay=2\nascii=0\n' >"$rc"
	size 80 24
	CFG=$TMP/cfg-flags start -- --ascii -d 0.3 || return 1
	wait_frame || return 1
	keys '>'
	wait_screen '^sorted by' || return 1
	keys q
	exited 0 || return 1
	grep -qx 'ascii=0' "$rc" && grep -qx 'delay=2' "$rc" &&
	    grep -q '^sort=' "$rc" || {
		echo "    tcptoprc took the command line's --ascii or -d:"
		sed 's/^/    | /' "$rc" 2>&1
		return 1
	}
}

check_settings_broken()
{
	local rc=$TMP/cfg-broken/tcptop/tcptoprc

	mkdir -p "$(dirname "$rc")"
	printf 'sort=rtt\ndelay=abc\n' >"$rc"
	cp "$rc" "$TMP/tcptoprc.orig"
	size 80 24
	CFG=$TMP/cfg-broken start || return 1
	wait_frame || return 1
	wait_screen '^tcptoprc.*delay' || return 1
	# The defaults: every second, by state; not the file's rtt.
	line 1 | grep -q 'every 1s' && grep -q 'STATE▲' "$SCREEN" ||
	    { echo "    not the defaults"; show_screen; return 1; }
	keys '>'
	wait_screen '^sorted by' || return 1
	keys q
	exited 0 || return 1
	cmp -s "$rc" "$TMP/tcptoprc.orig" || {
		echo "    the broken tcptoprc was changed:"
		diff "$TMP/tcptoprc.orig" "$rc" | sed 's/^/    /'
		return 1
	}
}

# --- the state diagram (t, --diagram) -----------------------------------

# Digits on the diagram outside the boxes and the title: the counters
# on the edges (and the stubs'), down to the list's titles if shown.
edge_labels()
{
	local end t top

	end=$((HEIGHT - 2))
	t=$(title_line)
	[ -n "$t" ] && end=$((t - 1))
	# Under the diagram's title, however tall the header is.
	top=$(grep -n -m1 '^TCP states' "$SCREEN" | cut -d: -f1)
	sed -n "$((${top:-2} + 1)),${end}p" "$SCREEN" |
	    sed -E 's/\[[^]]*\]//g; s/│ *[A-Z_]* *[0-9]* *│//g' |
	    grep -oE '[0-9]+'
}
labels_none() { [ -z "$(edge_labels)" ]; }
labels_some() { [ -n "$(edge_labels)" ]; }

# Bytes tcptop sent to the terminal so far (tmux pipe-pane).
term_bytes() { stat -c %s "$TMP/pipe" 2>/dev/null || echo 0; }

# Live: sockets that go move their edges' counters; the taken edges
# flash and fade on the animation's own timer, and once faded nothing is
# drawn until the next refresh (10 s away): no bytes to the terminal.
check_diagram_live()
{
	local b0 b1 b2 t0

	if [ -n "$POP_PID" ]; then
		kill -TERM "$POP_PID" 2>/dev/null
		wait "$POP_PID" 2>/dev/null
		POP_PID=
	fi
	size 80 24
	ip netns exec "$NS_S" "$POPULATE" -i 0 -e 1 -c 0 -t 0 \
	    >"$TMP/populate" 2>&1 &
	POP_PID=$!
	t0=$(now_us)
	until grep -q '^ready' "$TMP/populate"; do
		if [ $(($(now_us) - t0)) -gt 5000000 ] ||
		    ! kill -0 "$POP_PID" 2>/dev/null; then
			echo "    populate did not get ready:"
			sed 's/^/    /' "$TMP/populate"
			return 1
		fi
		sleep 0.02
	done
	start -- -d 10 --diagram -p 1024 || return 1
	wait_screen '\[LISTEN +2\]' || return 1
	# The first refresh knew the sockets already: no transitions.
	labels_none || { echo "    counters before anything happened:"
		edge_labels | sed 's/^/    /'; show_screen; return 1; }
	kill -TERM "$POP_PID" 2>/dev/null
	wait "$POP_PID" 2>/dev/null
	POP_PID=
	: >"$TMP/pipe"
	"${T[@]}" pipe-pane -o -t ui "cat >>'$TMP/pipe'"
	# Space: a refresh now, which sees them gone.
	keys Space
	wait_screen '\[LISTEN +0\]' || return 1
	screen_until "counters on the edges the sockets took" labels_some ||
	    return 1
	b0=$(term_bytes)
	# Fading: frames keep coming for about 1.5 s...
	sleep 1
	b1=$(term_bytes)
	[ "$b1" -gt "$b0" ] ||
	    { echo "    no frame while the edges faded ($b0 bytes)"; return 1; }
	# ...then nothing at all.
	sleep 1
	b1=$(term_bytes)
	sleep 3
	b2=$(term_bytes)
	"${T[@]}" pipe-pane -t ui
	if [ "$b2" -ne "$b1" ]; then
		echo "    $((b2 - b1)) bytes written in 3 s of an idle diagram"
		return 1
	fi
	keys q
	exited 0
}

# --- follow (f) and explain (e) ------------------------------------------

# box_attr STATE ATTR: the diagram's box of STATE is drawn with ATTR
# (an ERE over the decoded attributes, such as "bg46": the selection).
box_attr()
{
	capture_e
	awk -F '\t' -v st="$1" -v re="$2" -v end=16 '
	$1 <= end && index($3, st) && $2 ~ re { found = 1 }
	END { exit !found }' "$RUNS" && return 0
	echo "no run with $1 drawn as /$2/ in the diagram" >>"$WHY"
	grep -F "$1" "$RUNS" | head -5 >>"$WHY"
	return 1
}

# Follow a connection made in the namespace: populate holds a FIN_WAIT2
# and CLOSE_WAIT pair; e on CLOSE_WAIT explains it; f on FIN_WAIT2 shows
# its box as the current one and a timeline; when populate exits the
# CLOSE_WAIT end closes, FIN_WAIT2 goes to TIME_WAIT, and the timeline,
# the boxes and e follow it; f again brings the list back.
check_follow()
{
	local t0

	if [ -n "$POP_PID" ]; then
		kill -TERM "$POP_PID" 2>/dev/null
		wait "$POP_PID" 2>/dev/null
		POP_PID=
	fi
	size 80 24
	ip netns exec "$NS_S" "$POPULATE" -i 1 -e 0 -c 1 -t 0 \
	    >"$TMP/populate" 2>&1 &
	POP_PID=$!
	t0=$(now_us)
	until grep -q '^ready' "$TMP/populate"; do
		if [ $(($(now_us) - t0)) -gt 5000000 ] ||
		    ! kill -0 "$POP_PID" 2>/dev/null; then
			echo "    populate did not get ready:"
			sed 's/^/    /' "$TMP/populate"
			return 1
		fi
		sleep 0.02
	done
	start -- -d 0.3 -p 1025 || return 1
	wait_screen '^ ?(v4 +)?127\..* CLOSE_WAIT ' || return 1
	# e: the selected connection's state explained; Esc closes.
	keys / && type_text CLOSE_WAIT && keys Enter
	keys e
	wait_screen 'CLOSE_WAIT: what it means' || return 1
	wait_screen 'application is not closing its sockets' || return 1
	keys Escape
	wait_gone 'what it means' || return 1
	# f: following shows the diagram, the box, the timeline.
	keys / && type_text FIN_WAIT2 && keys Enter
	keys f
	wait_screen '^TCP states:' || return 1
	wait_screen '^ Following v4 127\.' || return 1
	wait_screen '^ +\+0\.0s  [0-9:.]+  FIN_WAIT2 +first seen' || return 1
	screen_until "the FIN_WAIT2 box as the current state" \
	    box_attr FIN_WAIT2 'bg46' || return 1
	# The connection moves on: FIN_WAIT2 -> TIME_WAIT, on the
	# timeline with what moved it, the boxes and the edge marked.
	kill -TERM "$POP_PID" 2>/dev/null
	wait "$POP_PID" 2>/dev/null
	POP_PID=
	wait_screen '^ +\+[0-9]+\.[0-9]s  [0-9:.]+  TIME_WAIT +rcv FIN, snd ACK' ||
	    return 1
	screen_until "the TIME_WAIT box as the current state" \
	    box_attr TIME_WAIT 'bg46' || return 1
	screen_until "the FIN_WAIT2 box on the path" \
	    box_attr FIN_WAIT2 'bold.* ul' || return 1
	screen_until "the FIN_WAIT2 -> TIME_WAIT line on the path" \
	    box_attr '└──' 'bold.* ul' || return 1
	# e explains the followed state now.
	keys e
	wait_screen 'TIME_WAIT: what it means' || return 1
	wait_screen 'tcp_max_tw_buckets' || return 1
	keys Escape
	wait_gone 'what it means' || return 1
	# f again: the list is back.
	keys f
	wait_gone '^ Following' || return 1
	screen_until "the list back" title_shown || return 1
	keys q
	exited 0
}

T0=$(now_us)

# --lesson on screen: Space walks the steps, the lesson pane says which,
# the diagram's boxes and the list show what the kernel holds, and q
# removes the lesson's namespace.
check_lesson()
{
	size 80 24
	start -- --lesson -d 0.3 || return 1
	wait_screen 'Lesson: [0-9]+ steps' || return 1
	wait_screen 'Spc Next' || return 1
	keys Space
	wait_screen '^ Step 1/[0-9]+ ' || return 1
	wait_screen '\[LISTEN +1\]' || return 1
	wait_screen '^ (v4 +)?127\.0\.0\.1:7001 +0\.0\.0\.0:\* +LISTEN' || return 1
	keys Space
	wait_screen '^ Step 2/[0-9]+ ' || return 1
	wait_screen '\[SYN_SENT +1\]' || return 1
	keys Space
	wait_screen '^ Step 3/[0-9]+ ' || return 1
	wait_screen '\[SYN_RECV +1\]' || return 1
	wait_screen '\[ESTABLISHED +1\]' || return 1
	# Its own namespace, unnamed: not the one it was started in.
	local ino f
	ino=$(stat -L -c %i "/proc/$PID/ns/net")
	if [ -z "$ino" ] ||
	    [ "$ino" = "$(stat -L -c %i "/run/netns/$NS_S")" ]; then
		echo "    no namespace of its own during the lesson"
		return 1
	fi
	keys q
	exited 0 || return 1
	for f in /proc/[0-9]*/ns/net; do
		[ "$(stat -L -c %i "$f" 2>/dev/null)" = "$ino" ] || continue
		echo "    the lesson's namespace is still held by $f"
		return 1
	done
}

check "1 histogram and header equal ss in every state" check_hist
check "2 -p 9004: only port 9004, as many rows as ss; owners explained" \
    check_port_option
check "2 p 9004 Enter filters the same; p ^U Enter clears" check_port_key
check "3 < > move the arrow, I reverses and shows the top, F6 Down Enter picks" \
    check_sort
check "4 / selects and highlights 9006; /zzz: no match; Esc clears" \
    check_search
check "5 bad filter: error, still running; good one filters; Esc" \
    check_filter
check "6 h shows the keymap (port filter, quit); a key, q too, returns" \
    check_help
check "6 F5 groups and back, F9 kill (n cancels), the bar in F-key order" \
    check_fkeys
check "7 40x12 reads (paused too), 30x10 is too small, 80x24 is back" \
    check_resize
check "8 Z pauses: new sockets stay off screen; Space refreshes once" \
    check_pause
check "9 q exits 0, terminal restored" check_exit q 0
check "9 F10 exits 0, terminal restored" check_exit F10 0
check "9 SIGINT exits 130, terminal restored" check_exit INT 130
check "9 SIGTERM exits 143, terminal restored" check_exit TERM 143
check "9 SIGHUP exits 129, terminal restored" check_exit HUP 129
check "9 -n 3 exits 0 by itself, terminal restored" check_exit self 0 -n 3
for term in xterm-256color screen tmux-256color linux; do
	check "10 TERM=$term: header, LISTEN, clean quit" \
	    check_term "$term" C.UTF-8
done
check "10 TERM=vt100 LANG=C: ASCII, header, LISTEN, clean quit" \
    check_term vt100 C
check "10 --no-color: no colour, selection in reverse" \
    check_mono -- -d 0.3 --no-color
check "10 NO_COLOR=1: no colour, selection in reverse" \
    check_mono NO_COLOR=1 -- -d 0.3
check "10 --ascii: nothing above 0x7f, sort menu included" check_ascii
check "8 new rows marked +, gone rows kept marked - for the tombstone time" \
    check_marks
check "11 the sort chosen with > is saved in tcptoprc" check_settings_saved
check "11 --ascii and -d on the command line are not saved" \
    check_settings_flags
check "11 a broken tcptoprc: warning, defaults, left unchanged" \
    check_settings_broken
check "15 --lesson: Space walks the steps; boxes and list show the kernel; q cleans up" \
    check_lesson
check "13 live: gone sockets move edge counters; idle after the fade: 0 bytes" \
    check_diagram_live
check "14 e explains CLOSE_WAIT, Esc closes; f follows FIN_WAIT2 to TIME_WAIT: boxes, edge, timeline; f ends" \
    check_follow

# The holder must still be there: had it died, the counts checked above
# would have been of something else.
if ! kill -0 "$HOLDER_PID" 2>/dev/null; then
	FAILED=$((FAILED + 1))
	echo "FAIL: nsholder exited early"
fi
echo "time: $((($(now_us) - T0) / 1000)) ms"
summary
