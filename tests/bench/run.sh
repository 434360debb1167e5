#!/usr/bin/env bash
# make bench: run the benchmark suite natively in the emulated host (L1),
# in an L2 Linux guest under v3vmm and in the same guest under KVM, over
# BENCH_BOOTS boots of L1 (default 3), and print a table of medians, ranges,
# ratios and the issue's targets; the same goes to build/bench/results.md.
#   BENCH_BOOTS=N      L1 boots (default 3)
#   BENCH_TIMEOUT=S    bound of one L1 boot in seconds (default 1200)
#   BENCH_PROFILE=0    skip the function profile of v3vmm's exit path
#                      (done in the first boot, right after the v3vmm way)
#   BENCH_ORDERS="native,v3vmm,kvm v3vmm,native,kvm"   way order per boot
#   BENCH_NOBUILD=1    reuse the built module, v3ctl and kernels as they are
#   BENCH_PARSE_ONLY=1 only rebuild the table from build/bench/logs/
#   V3_QEMU_PIN=0      let QEMU use every host CPU (lib.sh: qemu_pin)
#   BENCH_PAGING=0     skip the paging benchmark (tests/bench/paging.sh: one
#                      more L1 boot; nested, shadow and adaptive paging)
#   BENCH_SHARE=0      skip v3share's round time and bytes (tests/bench/share.sh)
#   BENCH_CONTENT=0    skip the content scanner's cost (tests/bench/content.sh:
#                      one more L1 boot)
#   BENCH_GEARS=0      skip GEARS' tracing and injection costs (tests/bench/gears.sh:
#                      one more L1 boot)
#   BENCH_PLACEMENT=0  skip the placement benchmark (tests/bench/placement.sh:
#                      one more L1 boot, 4 CPUs in 2 NUMA nodes)
# Benchmarks print numbers; they are not tests: the exit status is 0 when
# every boot produced its results, whether or not the targets are met.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/lib.sh
. "$HERE/../harness/lib.sh"

BOOTS=${BENCH_BOOTS:-3}
TIMEOUT=${BENCH_TIMEOUT:-1200}
PROFILE=${BENCH_PROFILE:-1}
OUT=$BUILD/bench
LOGS=$OUT/logs
RESULTS=$OUT/results.md
case $BOOTS in '' | *[!0-9]* | 0) die "BENCH_BOOTS must be a positive number" ;; esac

qemu_pin
T0=$(now)
if [ "${BENCH_PARSE_ONLY:-0}" != 1 ]; then
	if [ "${BENCH_NOBUILD:-0}" != 1 ]; then
		"$REPO/tests/harness/deps.sh"
		# build.sh builds for three kernels and fails if any of them fails;
		# the benchmark needs the 6.1 module and v3ctl only
		"$REPO/tests/harness/build.sh" || say "warning: build.sh reported failures (see build/build.tap); going on if the 6.1 module and v3ctl exist"
	fi
	load_kernels
	"$HERE/mkinitrd.sh"
	rm -rf "$LOGS"
	mkdir -p "$LOGS"

	# Way orders alternate over the boots.  KVM runs last: after kvm-amd
	# has run in an L1 boot, later v3vmm guests in that boot were seen to
	# hang or triple-fault (docs/performance.md), so v3vmm never follows
	# KVM by default.  BENCH_ORDERS="o1 o2 ..." (comma-separated ways, one
	# order per boot, cycled) overrides, e.g. to rotate KVM first again.
	read -r -a ORDERS <<<"${BENCH_ORDERS:-native,v3vmm,kvm v3vmm,native,kvm}"
	BOOT_BOUND=120	# L1 start to its /init
	SILENCE=420	# no console output for this long (l1-init bounds a step at 180 s and
			# prints a line per step): L1 is taken as hung
	for i in $(seq 1 "$BOOTS"); do
		order=${ORDERS[$(((i - 1) % ${#ORDERS[@]}))]}
		prof=0
		[ "$i" = 1 ] && [ "$PROFILE" = 1 ] && prof=1
		log=$LOGS/boot$i.serial.log
		for attempt in 1 2; do
			say "boot $i/$BOOTS (order $order${prof:+, profile $prof}), bound ${TIMEOUT}s, load $(cut -d' ' -f1-3 /proc/loadavg), log $log"
			: >"$log"
			pidf=$LOGS/boot$i.pid
			rm -f "$pidf"
			echo "V3B-HOST loadavg $(cut -d' ' -f1-3 /proc/loadavg) attempt $attempt" >"$LOGS/boot$i.host"
			tb=$(now)
			timeout -k 10 "$TIMEOUT" "${PIN[@]}" qemu-system-x86_64 -accel tcg -cpu EPYC -smp 2 -m 3072 \
				-nographic -no-reboot -monitor none -pidfile "$pidf" \
				-kernel "$VMLINUZ" -initrd "$OUT/l1.cpio.gz" \
				-append "console=ttyS0 quiet panic=-1 tsc=reliable v3bboot=$i v3border=$order v3bprofile=$prof" \
				</dev/null 2>"$LOGS/boot$i.qemu.log" | sed -u 's/\r//g' >"$log" &
			qpipe=$!
			waited=0 size=0 quiet_for=0 hung=0
			while kill -0 "$qpipe" 2>/dev/null; do
				sleep 1
				waited=$((waited + 1))
				if ! grep -aq V3B-START "$log"; then
					[ "$waited" -lt "$BOOT_BOUND" ] && continue
					hung=1
				else
					cur=$(stat -c %s "$log")
					if [ "$cur" != "$size" ]; then size=$cur quiet_for=0; continue; fi
					quiet_for=$((quiet_for + 1))
					[ "$quiet_for" -lt "$SILENCE" ] && continue
					say "boot $i: no console output for ${SILENCE}s: stopping it"
				fi
				[ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
				break
			done
			wait "$qpipe" || true
			echo "V3B-HOST seconds $(elapsed "$tb") loadavg-end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$LOGS/boot$i.host"
			grep -a '^V3B-\(WAY\|E\)' "$log" | sed 's/^/    /' || true
			if [ "$attempt" = 1 ] && ! grep -aq '^V3B-DONE' "$log"; then
				# keep the failed log: an L1 that died is worth a look
				cp "$log" "$LOGS/boot$i.attempt1.log"
				if [ "$hung" = 1 ]; then
					say "boot $i: L1 did not reach /init within ${BOOT_BOUND}s (an emulator boot hang): again"
				else
					say "boot $i: L1 ended before V3B-DONE (log kept as boot$i.attempt1.log): again"
				fi
				echo "V3B-HOST retried: first attempt ended before V3B-DONE after $(elapsed "$tb")s (boot$i.attempt1.log)" >>"$LOGS/boot$i.host.retry"
				continue
			fi
			break
		done
		if [ -f "$LOGS/boot$i.host.retry" ]; then cat "$LOGS/boot$i.host.retry" >>"$LOGS/boot$i.host"; rm -f "$LOGS/boot$i.host.retry"; fi
		grep -aq '^V3B-DONE' "$log" || say "boot $i: incomplete (no V3B-DONE); its results are partial"
		say "boot $i took $(elapsed "$tb")s"
	done
fi

mkdir -p "$OUT"
"$HERE/report.sh" "$LOGS" >"$RESULTS"
cat "$RESULTS"
say "table in $RESULTS; logs in $LOGS; total $(elapsed "$T0")s"
# the paging modes (issue #12): its own boot, its own table (paging.md)
if [ "${BENCH_PAGING:-1}" = 1 ]; then
	BENCH_NOBUILD=1 "$HERE/paging.sh" || say "paging benchmark: incomplete (see $OUT/paging.md)"
fi
# placement (issue #13): its own boot, its own table (placebench.md)
if [ "${BENCH_PLACEMENT:-1}" = 1 ]; then
	BENCH_NOBUILD=1 "$HERE/placement.sh" || say "placement benchmark: incomplete (see $OUT/placebench.md)"
fi
# the content scanner (issue #14): its own boot, its own table (contentbench.md)
if [ "${BENCH_CONTENT:-1}" = 1 ]; then
	BENCH_NOBUILD=1 "$HERE/content.sh" || say "content scanner benchmark: incomplete (see $OUT/contentbench.md)"
fi
# GEARS (issue #15): its own boot, its own table (gearsbench.md)
if [ "${BENCH_GEARS:-1}" = 1 ]; then
	BENCH_NOBUILD=1 "$HERE/gears.sh" || say "GEARS benchmark: incomplete (see $OUT/gearsbench.md)"
fi
# v3share (issue #14): MPI on this machine, synthetic dumps (share.md)
if [ "${BENCH_SHARE:-1}" = 1 ]; then
	"$HERE/share.sh" || say "v3share benchmark: incomplete (see $OUT/share.md)"
fi
complete=1
for f in "$LOGS"/boot*.serial.log; do grep -aq '^V3B-DONE' "$f" || complete=0; done
[ "$complete" = 1 ]
