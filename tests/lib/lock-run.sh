#!/bin/sh
# lock-run.sh LOCK CMD... SCRIPT: make check's runner of one test script
# (SH_LOG_COMPILER).  Runs CMD... SCRIPT under flock -o LOCK, one test at
# a time, unless SCRIPT declares in its first 40 lines
#
#   # tests-lock: none
#
# which a test may say only when it neither makes sockets or namespaces
# nor reads the host's sockets, its namespaces or the tracepoint in a way
# that another test's would change: then it runs beside the locked ones
# under make -j (a replay, the options, the source tree), at nice 10:
# the locked test beside it may sample the kernel against a clock (the
# transitions' sampled part, the rates), and a busy core must not be
# this one's doing.  -o keeps the lock from the processes the test
# starts.
lock=$1
shift
for script; do :; done
if head -n 40 "$script" 2>/dev/null | grep -q '^# tests-lock: none$'; then
	exec nice -n 10 "$@"
fi
exec flock -o "$lock" "$@"
