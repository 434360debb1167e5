#!/usr/bin/env bash
# v3share's host-side tests: no module, no emulator.  Builds v3share
# (mpicc) and the helpers (mkdump, brute), then on synthetic dumps of 1, 2
# and 4 nodes runs v3share under mpirun and compares every figure of its
# --json output, and its --held-elsewhere files, with brute force; runs 3
# rounds over changing dumps (%n); checks the refusal of bad files and
# bad usage; an ASan build's run; prints the round time and bytes for
# 4 ranks x 65536 entries.  TAP on stdout ("ok N - v3share: ..."), then
# "1..N" and "# v3share: P passed, F failed"; exit 1 on a failure.
#
# Every mpirun is bounded by `timeout`.  Open MPI needs no option on
# loopback here (its shared-memory transport carries the data); the runs
# keep whatever TCP it opens on lo anyway.  odls_base_sigkill_timeout 0:
# when a rank exits non-zero mpirun aborts the job and by default waits a
# second or two before it kills the other ranks, which are finishing
# anyway (the error cases would take half a minute).  V3SHARE_MPIRUN
# overrides the mpirun command line (word-split), V3SHARE_KEEP=1 keeps the
# work dir.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TOOL=$REPO/tools/v3share
V3SHARE=$TOOL/v3share
MKDUMP=$HERE/mkdump
BRUTE=$HERE/brute
FAKEDEV=$HERE/fakedev.so
# shellcheck disable=SC2206
MPIRUN=(${V3SHARE_MPIRUN:-mpirun --allow-run-as-root --oversubscribe \
	--mca btl_tcp_if_include lo --mca oob_tcp_if_include lo \
	--mca odls_base_sigkill_timeout 0})

W=$(mktemp -d "${TMPDIR:-/tmp}/v3share-test.XXXXXX")
[ "${V3SHARE_KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
n=0
passed=0
failed=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - v3share: $1"; }
not_ok() { # description [diagnostic file]
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - v3share: $1"
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		head -n 15 "$2" | sed 's/^/# /'
	fi
}
check() { # description diagnostic-file command...
	local d=$1 f=$2
	shift 2
	if "$@" >>"$f" 2>&1; then ok "$d"; else not_ok "$d" "$f"; fi
}
finish() {
	echo "1..$n"
	echo "# v3share: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit $?
}

# share NP OUT ERR ARGS...: v3share on NP ranks (mpirun options MPIX
# too); sets rc
MPIX=()
share() {
	local np=$1 out=$2 err=$3
	shift 3
	timeout 60 "${MPIRUN[@]}" "${MPIX[@]}" -np "$np" "$V3SHARE" "$@" \
		>"$out" 2>"$err" </dev/null
	rc=$?
}

# the figures of round R of v3share's JSON, as brute prints them
figures() { # json round
	jq -S --argjson r "$2" '.rounds[$r - 1]
		| del(.round, .time_s, .exchange_s, .sent_bytes, .held_bytes)
		| .nodes |= map(del(.sent_bytes, .held_bytes))' "$1"
}

# same_figures JSON ROUND NP PATTERN [PREV]: v3share's figures = brute's
# (both through the jq filter $ALSO)
ALSO=.
same_figures() {
	local json=$1 round=$2 np=$3 pat=$4 prev=${5:-0} t=$W/cmp.$RANDOM
	"$BRUTE" --nodes "$np" --dump "$pat" --round "$round" \
		--prev-round "$prev" | jq -S "$ALSO" >"$t.brute" || return 1
	figures "$json" "$round" | jq -S "$ALSO" >"$t.share" || return 1
	diff "$t.brute" "$t.share"
}

same_held() { # NP PATTERN ROUND DIR
	local i d=$W/held-brute.$RANDOM
	mkdir -p "$d"
	"$BRUTE" --nodes "$1" --dump "$2" --round "$3" --held "$d" >/dev/null || return 1
	for ((i = 0; i < $1; i++)); do
		cmp "$d/held-elsewhere.$i.bin" "$4/held-elsewhere.$i.bin" || return 1
	done
}

jq_num() { jq -r "$2" "$1"; }

# --- build ----------------------------------------------------------------
log=$W/build.log
if ! command -v mpicc >/dev/null || ! command -v mpirun >/dev/null; then
	echo "no mpicc/mpirun: tests/harness/deps.sh installs openmpi-bin libopenmpi-dev" >"$log"
	not_ok "build (Open MPI)" "$log"
	finish
fi
if make -C "$TOOL" >"$log" 2>&1 && make -C "$HERE" >>"$log" 2>&1; then
	ok "build: v3share, mkdump, brute, fakedev.so (no warnings: -Werror)"
else
	not_ok "build: v3share, mkdump, brute, fakedev.so" "$log"
	finish
fi

# --- one round on 1, 2, 4 nodes ---------------------------------------------
for np in 1 2 4; do
	d=$W/np$np
	mkdir -p "$d"
	"$MKDUMP" --nodes "$np" --entries 3000 --seed $((np * 101)) --out "$d/node%r.dump"
	share "$np" "$d/out.json" "$d/err" --dump "$d/node%r.dump" --json \
		--held-elsewhere "$d/held"
	if [ "$rc" = 0 ] && jq -e '.rounds | length == 1' "$d/out.json" >/dev/null 2>&1; then
		ok "$np rank(s): --json runs (exit 0, one JSON object)"
	else
		echo "exit $rc" >>"$d/err"
		not_ok "$np rank(s): --json runs (exit 0, one JSON object)" "$d/err"
		continue
	fi
	check "$np rank(s): every figure matches brute force" "$d/diff" \
		same_figures "$d/out.json" 1 "$np" "$d/node%r.dump"
	check "$np rank(s): --held-elsewhere files match brute force" "$d/held.diff" \
		same_held "$np" "$d/node%r.dump" 1 "$d/held"
done

# the table: the same figures, readable
d=$W/np2
share 2 "$d/table" "$d/table.err" --dump "$d/node%r.dump"
pages=$(jq_num "$d/out.json" '.rounds[0].machine.pages')
if [ "$rc" = 0 ] && grep -q '^machine-wide' "$d/table" &&
	grep -Eq "^  guest pages +$pages " "$d/table" && grep -q '^per node' "$d/table"; then
	ok "2 ranks: the table shows the machine's and each node's figures"
else
	not_ok "2 ranks: the table shows the machine's and each node's figures" "$d/table"
fi

# a node with an empty table
d=$W/empty
mkdir -p "$d"
"$MKDUMP" --nodes 3 --entries 1000 --seed 8 --empty-node 1 --out "$d/n%r"
share 3 "$d/out.json" "$d/err" --dump "$d/n%r" --json --held-elsewhere "$d/held"
if [ "$rc" = 0 ] && same_figures "$d/out.json" 1 3 "$d/n%r" >"$d/diff" 2>&1 &&
	same_held 3 "$d/n%r" 1 "$d/held" >>"$d/diff" 2>&1; then
	ok "3 ranks, one with an empty table: figures and held-elsewhere files match"
else
	echo "exit $rc" >>"$d/diff"
	cat "$d/err" >>"$d/diff"
	not_ok "3 ranks, one with an empty table: figures and held-elsewhere files match" "$d/diff"
fi

# --- the module's table (V3_IOC_CONTENT_TABLE) through fakedev.so -----------
d=$W/module
mkdir -p "$d"
"$MKDUMP" --nodes 2 --entries 70000 --seed 4 --out "$d/n%r"
MPIX=(-x LD_PRELOAD="$FAKEDEV" -x FAKEDEV_DUMP="$d/n%r")
share 2 "$d/out.json" "$d/err" --device /dev/null --json
ALSO='del(.nodes[].node)'	# the module's node is uname's
if [ "$rc" = 0 ] && same_figures "$d/out.json" 1 2 "$d/n%r" >"$d/diff" 2>&1; then
	ok "from the module (fake V3_IOC_CONTENT_TABLE, 70000 entries a node: ENOSPC, grown): figures match"
else
	echo "exit $rc" >>"$d/diff"
	cat "$d/err" >>"$d/diff"
	not_ok "from the module (fake V3_IOC_CONTENT_TABLE, 70000 entries a node: ENOSPC, grown): figures match" "$d/diff"
fi
ALSO=.
"$MKDUMP" --nodes 2 --entries 500 --seed 4 --out "$d/u%r" --corrupt unsorted
MPIX=(-x LD_PRELOAD="$FAKEDEV" -x FAKEDEV_DUMP="$d/u%r")
share 2 "$d/u.out" "$d/u.err" --device /dev/null
MPIX=()
if [ "$rc" = 1 ] && grep -q '^v3share\[1\]: /dev/null: entry 2: .*not sorted' "$d/u.err"; then
	ok "from the module, an unsorted table: exit 1, \"$(grep '^v3share' "$d/u.err")\""
else
	not_ok "from the module, an unsorted table: exit 1, 'not sorted'" "$d/u.err"
fi

# --- rounds: changing dumps, deltas -----------------------------------------
d=$W/rounds
mkdir -p "$d"
for r in 1 2 3; do
	"$MKDUMP" --nodes 4 --entries 4000 --seed 77 --round $r --change 10 --out "$d/n%r.r%n"
done
share 4 "$d/out.json" "$d/err" --dump "$d/n%r.r%n" --rounds 3 --interval 0 \
	--json --held-elsewhere "$d/held"
if [ "$rc" = 0 ] && jq -e '.rounds | length == 3' "$d/out.json" >/dev/null 2>&1; then
	ok "4 ranks, 3 rounds over changing dumps (%n): exit 0, 3 rounds"
	for r in 1 2 3; do
		check "4 ranks, round $r: every figure (records too) matches brute force" \
			"$d/diff$r" same_figures "$d/out.json" $r 4 "$d/n%r.r%n" $((r - 1))
	done
	check "4 ranks, round 3: --held-elsewhere files match brute force" "$d/held.diff" \
		same_held 4 "$d/n%r.r%n" 3 "$d/held"
	b1=$(jq_num "$d/out.json" '.rounds[0].sent_bytes')
	b2=$(jq_num "$d/out.json" '.rounds[1].sent_bytes')
	b3=$(jq_num "$d/out.json" '.rounds[2].sent_bytes')
	echo "# rounds: bytes sent $b1, $b2, $b3 (1% of entries changed each round)"
	if [ "$b2" -gt 0 ] && [ $((b2 * 5)) -lt "$b1" ] && [ $((b3 * 5)) -lt "$b1" ]; then
		ok "round 2 sent $b2 bytes, round 1 $b1: only the changes"
	else
		not_ok "round 2 sent $b2 bytes, round 1 $b1: only the changes"
	fi
else
	echo "exit $rc" >>"$d/err"
	not_ok "4 ranks, 3 rounds over changing dumps (%n): exit 0, 3 rounds" "$d/err"
fi

# the same path reread each round: rewritten between rounds 1 and 2
d=$W/reread
mkdir -p "$d"
"$MKDUMP" --nodes 2 --entries 2000 --seed 5 --round 1 --out "$d/r%n.%r"
"$MKDUMP" --nodes 2 --entries 2000 --seed 5 --round 2 --change 50 --out "$d/r%n.%r"
cp "$d/r1.0" "$d/cur.0" && cp "$d/r1.1" "$d/cur.1"
(share 2 "$d/out.json" "$d/err" --dump "$d/cur.%r" --rounds 2 --interval 3 --json
 echo "$rc" >"$d/rc") &
bg=$!
for ((i = 0; i < 100; i++)); do	# round 1 printed (10 s at most)
	grep -q '"round": 1' "$d/out.json" 2>/dev/null && break
	sleep 0.1
done
for i in 0 1; do
	cp "$d/r2.$i" "$d/new.$i" && mv "$d/new.$i" "$d/cur.$i"
done
wait "$bg"
if [ "$(cat "$d/rc")" = 0 ] && same_figures "$d/out.json" 2 2 "$d/r%n.%r" 1 >"$d/diff" 2>&1 &&
	same_figures "$d/out.json" 1 2 "$d/r%n.%r" 0 >>"$d/diff" 2>&1; then
	ok "--rounds rereads a --dump file rewritten between rounds"
else
	not_ok "--rounds rereads a --dump file rewritten between rounds" "$d/diff"
fi

# --- bad files: exit 1, one line naming the file and the fault ----------------
d=$W/bad
mkdir -p "$d"
bad_file() { # mode what-the-message-says
	local f=$d/$1
	mkdir -p "$f"
	"$MKDUMP" --nodes 2 --entries 500 --seed 9 --out "$f/n%r" --corrupt "$1" --corrupt-node 1
	share 2 "$f/out" "$f/err" --dump "$f/n%r" --json
	if [ "$rc" = 1 ] && [ "$(grep -c '^v3share' "$f/err")" = 1 ] &&
		grep -q "^v3share.*$f/n1: .*$2" "$f/err"; then
		ok "bad file ($1): exit 1, \"$(grep '^v3share' "$f/err" | sed "s|$W/||")\""
	else
		echo "exit $rc" >>"$f/err"
		not_ok "bad file ($1): exit 1 and one line saying '$2'" "$f/err"
	fi
}
bad_file magic "bad magic"
bad_file truncate "truncated"
bad_file unsorted "not sorted"
bad_file duplicate "duplicate"
bad_file version "version 9"
bad_file entry-size "entry size 24"
bad_file short "too short"
bad_file count "truncated"
bad_file trailing "bytes after"
bad_file zero-copies "0 copies"
bad_file two-zero "both marked as the zero page"
share 2 "$d/missing.out" "$d/missing.err" --dump "$d/nothing.%r"
if [ "$rc" = 1 ] && grep -q "nothing.0: cannot open" "$d/missing.err"; then
	ok "a missing dump file: exit 1, 'cannot open'"
else
	not_ok "a missing dump file: exit 1, 'cannot open'" "$d/missing.err"
fi

# --- usage and environment: exit 2 -------------------------------------------
usage_case() { # description expected-status message-pattern args...
	local desc=$1 want=$2 pat=$3
	shift 3
	share 1 "$d/u.out" "$d/u.err" "$@"
	if [ "$rc" = "$want" ] && grep -Eq -e "$pat" "$d/u.err" "$d/u.out"; then
		ok "$desc"
	else
		echo "exit $rc" >>"$d/u.err"
		cat "$d/u.out" >>"$d/u.err"
		not_ok "$desc" "$d/u.err"
	fi
}
usage_case "--help: exit 0, the options" 0 "--held-elsewhere DIR" --help
usage_case "an unknown option: exit 2" 2 "unknown option --bogus" --bogus
usage_case "--rounds 0: exit 2" 2 "--rounds 0" --rounds 0
usage_case "--dump with %x: exit 2" 2 "only %r, %n" --dump "$d/x%x"
usage_case "no /dev/v3vmm: exit 2, needs ABI 1.5" 2 "no content tracking.*ABI 1.5" \
	--device "$d/no-such-device"
usage_case "a device without V3_IOC_CONTENT_TABLE (ENOTTY): exit 2, needs ABI 1.5" 2 \
	"V3_IOC_CONTENT_TABLE not known.*ABI 1.5" --device /dev/null

# --- ASan: memory errors and leaks of v3share's own allocations ----------------
d=$W/asan
mkdir -p "$d"
if make -C "$TOOL" asan >"$d/build.log" 2>&1; then
	"$MKDUMP" --nodes 2 --entries 3000 --seed 3 --round 1 --out "$d/n%r.%n"
	"$MKDUMP" --nodes 2 --entries 3000 --seed 3 --round 2 --out "$d/n%r.%n"
	timeout 60 "${MPIRUN[@]}" -np 2 "$TOOL/v3share-asan" --dump "$d/n%r.%n" --rounds 2 \
		--interval 0 --json --held-elsewhere "$d/held" >"$d/out.json" 2>"$d/err" </dev/null
	# Open MPI's own leaks are left out: a leak is ours when the
	# allocation's caller (frame #1) is in tools/v3share
	grep -A2 'leak of' "$d/err" | grep -E '#1 .*tools/v3share/[a-z]+\.c:' >"$d/ours"
	grep -E 'ERROR: AddressSanitizer|runtime error' "$d/err" >>"$d/ours"
	if [ ! -s "$d/ours" ] && same_figures "$d/out.json" 2 2 "$d/n%r.%n" 1 >>"$d/ours" 2>&1; then
		ok "ASan+UBSan build, 2 ranks, 2 rounds, --held-elsewhere: no error, no leak of its own"
	else
		not_ok "ASan+UBSan build, 2 ranks, 2 rounds, --held-elsewhere: no error, no leak of its own" "$d/ours"
	fi
else
	not_ok "ASan build" "$d/build.log"
fi

# --- a number: 4 ranks x 65536 entries ---------------------------------------
d=$W/bench
mkdir -p "$d"
for r in 1 2; do
	"$MKDUMP" --nodes 4 --entries 65536 --seed 1 --round $r --change 10 --out "$d/n%r.%n"
done
share 4 "$d/out.json" "$d/err" --dump "$d/n%r.%n" --rounds 2 --interval 0 --json
if [ "$rc" = 0 ]; then
	jq -r '.rounds[] | "# bench: 4 ranks x 65536 entries, round \(.round): \(.time_s) s (exchange \(.exchange_s) s), \(.records) records, bytes sent per node: \([.nodes[].sent_bytes] | map(tostring) | join(" "))"' "$d/out.json"
	ok "4 ranks x 65536 entries, 2 rounds"
else
	not_ok "4 ranks x 65536 entries, 2 rounds" "$d/err"
fi

finish
