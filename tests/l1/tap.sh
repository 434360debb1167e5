# TAP helpers for the L1 suites (busybox sh; sourced).
# Every command a test runs is bounded with timeout; results are printed as
#   ok N - name / not ok N - name  followed by "# ..." diagnostics.
T_N=0
T_FAIL=0
OUT=/tmp/t.out
ERR=/tmp/t.err
RC=0

# T_TODO: when set, results are TAP TODO items: a known gap, named by an
# open issue; a failure is printed and counted apart, not as a failure
# (summary.sh), and a pass shows the gap closed.
T_TODO=
pass() { T_N=$((T_N + 1)); echo "ok $T_N - $1${T_TODO:+ # TODO $T_TODO}"; }
fail() { # name diag...
	T_N=$((T_N + 1))
	if [ -n "$T_TODO" ]; then echo "not ok $T_N - $1 # TODO $T_TODO"; else
		T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $1"; fi
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
# listed WORD LIST: 0 when WORD is one of LIST's space-separated words
listed() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
# part NAME: 0 when the suite runs the part NAME; 1 when V3_SKIP names it
# (make check's quick depth, tests/l1/quick.sh), after one TAP skip that
# says who runs it instead (V3_SKIP_WHY)
part() {
	listed "$1" "${V3_SKIP:-}" || return 0
	pass "$1 # SKIP ${V3_SKIP_WHY:-left out here}"
	return 1
}
# result NAME COND-STATUS DIAG...: pass if status is 0
result() { n=$1; s=$2; shift 2; if [ "$s" = 0 ]; then pass "$n"; else fail "$n" "$@"; fi; }

# Show the tail of a file as diagnostics.
diag_file() { # label file [lines]
	[ -s "$2" ] || return 0
	echo "# $1:"
	tail -n "${3:-8}" "$2" | sed 's/^/#   /'
}

# run SECS CMD...: run bounded; stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	secs=$1; shift
	RC=0
	timeout -k 5 "$secs" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
	[ "$RC" = 143 ] && echo "timed out after ${secs}s: $*" >>"$ERR"
	return 0
}

# ok if the command succeeds within SECS
t_cmd() { # name secs cmd...
	n=$1; s=$2; shift 2
	run "$s" "$@"
	if [ "$RC" = 0 ]; then pass "$n"; else
		fail "$n" "'$*' exited $RC"; diag_file stderr "$ERR" 4; diag_file stdout "$OUT" 4
	fi
}

# The command failed by itself: exit status 1..123, not "not found" (127),
# "cannot execute" (126) or killed by timeout (124+).
failed_cleanly() { [ "$RC" -ge 1 ] && [ "$RC" -le 123 ]; }

# Kernel log since the suite began (the boot's own lines, e.g. the SRSO
# mitigation "WARNING", are not ours).
T_DMESG0=0
dmesg_mark() { T_DMESG0=$(dmesg | wc -l); }
dmesg_new() { dmesg | tail -n +$((T_DMESG0 + 1)); }
# Kernel log lines that mean trouble.
dmesg_bad() { dmesg_new | grep -E 'BUG|WARNING|Oops|general protection|Call Trace'; }

finish() {
	echo "1..$T_N"
	echo "# $T_FAIL of $T_N failed"
	echo V3-SUITE-DONE
}
