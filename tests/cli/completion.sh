#!/usr/bin/env bash
# Shell completion (completion/tcptop for bash, completion/_tcptop for
# zsh) against what tcptop itself accepts.  bash: the completion
# function called as bash calls it (COMP_WORDS, COMP_CWORD) for each
# kind of word: every option --help lists and no hidden one, the states
# and groups --state takes, the sort keys and columns --help lists, the
# group kinds, each word offered accepted by its option, comma lists,
# --opt=value, files wherever --help says FILE or PATH, nothing for a
# number, and (as root) a namespace made here among -N's names.  zsh:
# both scripts parse (zsh -n), then an interactive zsh with compinit
# in tmux at 80x24 completes options, sort keys, lists, groups and files.
set -u
TCPTOP=${TCPTOP:-./tcptop}
here=$(cd "$(dirname "$0")" && pwd)
COMPLETION=${COMPLETION:-$here/../../completion}

. "$here/../lib/lib-test.sh"
. "$here/../lib/lib-tmux.sh"

require_bin TCPTOP
TCPTOP=$(abspath "$TCPTOP")
test_tmpdir tcptop-completion
NS=
cleanup()
{
	tmux_stop
	[ -z "$NS" ] || ip netns delete "$NS" 2>/dev/null
}

# comp WORD...: COMPREPLY, one a line, for the command line WORD...
# whose last word is being completed, the way bash calls _tcptop.
comp()
{
	bash -c '. "$1" || exit 1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	_tcptop tcptop "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
	[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' comp "$COMPLETION/tcptop" "$@"
}

# same DESC A B: files A and B hold the same lines, whatever the order.
same()
{
	if diff <(sort "$2") <(sort "$3") >"$TMP/diff"; then
		ok "$1"
	else
		bad "$1: $(tr '\n' ' ' <"$TMP/diff" | head -c 400)"
	fi
}

"$TCPTOP" --help >"$TMP/help" || fail "tcptop --help"

# The listing itself: a list it does not have is a usage error, one line.
"$TCPTOP" --complete bogus >"$TMP/out" 2>"$TMP/err"
rc=$?
check "--complete bogus: status 2, one line naming the lists, no output" \
    test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1 -a ! -s "$TMP/out"
check "--complete bogus names the lists" \
    grep -q 'unknown list "bogus" (options, states, sort-keys' "$TMP/err"
check "--complete is not in --help" not grep -q -- --complete "$TMP/help"

# Options: every spelling --help lists, nothing more (no --lesson-wait,
# no --complete).
sed -n 's/^  \(-[^-]\), \(--[a-z0-9-]*\).*/\1\n\2/p;
    s/^      \(--[a-z0-9-]*\).*/\1/p' "$TMP/help" >"$TMP/help-opts"
[ "$(wc -l <"$TMP/help-opts")" -gt 30 ] || fail "no options read from --help"
comp "$TCPTOP" - >"$TMP/got"
same "bash: '-' offers every option of --help" "$TMP/help-opts" "$TMP/got"
comp "$TCPTOP" --les >"$TMP/got"
check "bash: --les offers --lesson alone (--lesson-wait is hidden)" \
    test "$(cat "$TMP/got")" = --lesson
comp "$TCPTOP" -b "" >"$TMP/got"
check "bash: after a flag, the options again" \
    grep -qx -- --json "$TMP/got"

# A value each accepts (exit 0 at -V, which comes after it), or not.
accepts() { "$TCPTOP" "$1" "$2" -V >/dev/null 2>&1; }
all_accepted()	# all_accepted OPTION FILE: every word of FILE
{
	local w n=0

	while read -r w; do
		accepts "$1" "$w" || { bad "$1 refuses \"$w\", offered"; return; }
		n=$((n + 1))
	done <"$2"
	[ "$n" -gt 0 ] && ok "bash: $1 accepts the $n words offered" ||
	    bad "bash: nothing offered for $1"
}

# States: every state name ss prints, and the ss groups.
comp "$TCPTOP" --state "" >"$TMP/states"
all_accepted --state "$TMP/states"
for w in listen syn-sent syn-recv estab fin-wait-1 fin-wait-2 close-wait \
    last-ack closing time-wait all connected synchronized bucket big; do
	grep -qx -- "$w" "$TMP/states" || bad "--state: \"$w\" not offered"
done
check "bash: --state bogus is refused (the check can fail)" \
    not accepts --state bogus
comp "$TCPTOP" --state estab,fin >"$TMP/got"
printf 'estab,fin-wait-1\nestab,fin-wait-2\n' >"$TMP/want"
same "bash: --state estab,fin completes the last item" "$TMP/want" "$TMP/got"
comp "$TCPTOP" --state = TIME >"$TMP/got"
check "bash: --state=TIME completes to TIME_WAIT" \
    test "$(cat "$TMP/got")" = TIME_WAIT

# Sort keys and columns: the lists --help prints.
sed -n '/^Sort keys:/,/^$/s/^  \([a-z0-9]\{1,\}\) .*/\1/p' "$TMP/help" \
    >"$TMP/help-keys"
comp "$TCPTOP" --sort "" >"$TMP/got"
same "bash: --sort offers the sort keys of --help" "$TMP/help-keys" "$TMP/got"
all_accepted --sort "$TMP/got"
comp "$TCPTOP" --sort = rt >"$TMP/got"
printf 'rtt\nrttvar\n' >"$TMP/want"
same "bash: --sort=rt" "$TMP/want" "$TMP/got"
sed -n '/^Columns/,/^$/s/^  \([a-z0-9]\{1,\}\) .*/\1/p' "$TMP/help" \
    >"$TMP/help-cols"
comp "$TCPTOP" --columns "" >"$TMP/got"
same "bash: --columns offers the columns of --help" "$TMP/help-cols" "$TMP/got"
all_accepted --columns "$TMP/got"
comp "$TCPTOP" --columns state,loc >"$TMP/got"
check "bash: --columns state,loc" test "$(cat "$TMP/got")" = state,local

# Group kinds.
comp "$TCPTOP" --group "" >"$TMP/got"
printf 'service\nremote\nprocess\nnetns\n' >"$TMP/want"
same "bash: --group offers the kinds" "$TMP/want" "$TMP/got"
all_accepted --group "$TMP/got"

# Files, for every option whose value --help names FILE or PATH.
mkdir "$TMP/d"
: >"$TMP/d/rec.nlmsg"
: >"$TMP/d/report"
printf '%s\n' "$TMP/d/rec.nlmsg" "$TMP/d/report" >"$TMP/want"
sed -n 's/^  -., \(--[a-z-]*\) \(FILE\|PATH\)\( .*\)\{0,1\}$/\1/p;
    s/^      \(--[a-z-]*\) \(FILE\|PATH\)\( .*\)\{0,1\}$/\1/p' \
    "$TMP/help" >"$TMP/file-opts"
grep -qx -- --replay "$TMP/file-opts" || fail "no FILE options in --help"
while read -r o; do
	comp "$TCPTOP" "$o" "$TMP/d/re" >"$TMP/got"
	same "bash: $o completes files" "$TMP/want" "$TMP/got"
done <"$TMP/file-opts"
comp "$TCPTOP" -v "$TMP/d/rec" >"$TMP/got"
check "bash: -v completes a file" \
    test "$(cat "$TMP/got")" = "$TMP/d/rec.nlmsg"

# Nothing to offer for a number; a path for -N.
comp "$TCPTOP" -n "" >"$TMP/got"
check "bash: -n offers nothing" test ! -s "$TMP/got"
comp "$TCPTOP" -N "$TMP/d/rep" >"$TMP/got"
check "bash: -N completes a path" test "$(cat "$TMP/got")" = "$TMP/d/report"
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	NS=tcptop-comp-$$
	ip netns add "$NS" || fail "ip netns add $NS"
	comp "$TCPTOP" -N tcptop-comp- >"$TMP/got"
	check "bash: -N offers the namespace $NS" grep -qx -- "$NS" "$TMP/got"
	comp "$TCPTOP" --netns = "$NS" >"$TMP/got"
	check "bash: --netns=$NS" test "$(cat "$TMP/got")" = "$NS"
else
	echo "note: not root: -N's namespace names not checked"
fi

# zsh.
require zsh tmux
check "zsh -n completion/_tcptop" zsh -n "$COMPLETION/_tcptop"
check "bash -n completion/tcptop" bash -n "$COMPLETION/tcptop"

mkdir "$TMP/bin"
ln -s "$TCPTOP" "$TMP/bin/tcptop"
tmux_init completion zsh
tmux_start 80 24 env -i TERM=screen HOME="$TMP" LANG=C.UTF-8 \
    PATH="$TMP/bin:/usr/bin:/bin" zsh -f
keys "fpath=($COMPLETION \$fpath); autoload -Uz compinit; " \
    "compinit -u -D -d $TMP/zcompdump; cd $TMP; PS1='zsh> '; clear" Enter
wait_screen '^zsh> ?$' 20 || fail "no zsh prompt"

# ztab TEXT: a clean screen, then TEXT and Tab typed.
ztab()
{
	keys C-u clear Enter
	wait_screen '^zsh> ?$' 10 >/dev/null
	keys -l "$1"
	keys Tab
}
# zwords WORD...: each word is on the screen.
zwords()
{
	local w

	for w in "$@"; do
		grep -Eq "(^| )$w( |$)" "$SCREEN" || return 1
	done
}

ztab "tcptop --sor"
check "zsh: --sor completes to --sort=" wait_screen '^zsh> tcptop --sort=$'
ztab "tcptop --lesso"
check "zsh: --lesso completes to --lesson (--lesson-wait hidden)" \
    wait_screen '^zsh> tcptop --lesson *$'
ztab "tcptop --sort "
mapfile -t words <"$TMP/help-keys"
check "zsh: --sort lists every sort key" \
    screen_until "every sort key listed" zwords "${words[@]}"
ztab "tcptop --state estab,fin-"
check "zsh: --state estab,fin- completes the last item" \
    wait_screen '^zsh> tcptop --state estab,fin-wait-$'
ztab "tcptop --columns=state,rttv"
check "zsh: --columns=state,rttv" \
    wait_screen '^zsh> tcptop --columns=state,rttvar'
ztab "tcptop --group "
check "zsh: --group lists the kinds" \
    screen_until "every kind listed" zwords service remote process netns
ztab "tcptop --replay d/rec"
check "zsh: --replay completes a file" \
    wait_screen '^zsh> tcptop --replay d/rec\.nlmsg *$'

summary completion
