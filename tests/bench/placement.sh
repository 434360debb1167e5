#!/usr/bin/env bash
# The placement benchmark of `make bench` (issue #13): one boot of the
# emulated host with 4 CPUs in 2 NUMA nodes running tests/l1/placebench-suite.sh
# (vCPU move latency, guest RAM move throughput, how long the vCPUs are
# held per region, and a memory workload's slowdown while its RAM moves),
# then a table in build/bench/placement.md.  QEMU gives both nodes the
# same memory: no NUMA latency, so placement gains are not measured here.
#   BENCH_NOBUILD=1     reuse the built module, v3ctl and initramfs
# Numbers, not tests: the exit status is 0 when the boot produced results.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/lib.sh
. "$HERE/../harness/lib.sh"
OUT=$BUILD/bench
RESULTS=$OUT/placement.md
mkdir -p "$OUT"
if [ "${BENCH_NOBUILD:-0}" != 1 ]; then
	"$REPO/tests/harness/build.sh" || say "warning: build.sh reported failures"
	"$REPO/tests/harness/mkinitrd.sh"
fi
[ -f "$BUILD/l1.cpio.gz" ] || "$REPO/tests/harness/mkinitrd.sh"
"$REPO/tests/harness/boot-qemu.sh" placebench --smp 4 --numa 2 --timeout 1500 || true
LOG=$BUILD/logs/placebench.serial.log
{
	echo "# Placement benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), QEMU TCG, 4 CPUs in 2 NUMA nodes)"
	echo
	echo "| measure | value | unit |"
	echo "| --- | ---: | --- |"
	grep -a '^V3B-R placement' "$LOG" | awk '{ printf "| %s | %s | %s |\n", $3, $4, $5 }'
	echo
	grep -a '^V3B-E\|^# memstir\|^# [0-9]* moves' "$LOG" | sed 's/^/    /'
} >"$RESULTS"
cat "$RESULTS"
grep -aq '^V3B-DONE' "$LOG"
