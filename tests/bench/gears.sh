#!/usr/bin/env bash
# GEARS' benchmark of `make bench` (issue #15): one boot of the emulated
# SVM host running tests/l1/gearsbench-suite.sh (a system call's cost
# untraced, traced but not selected, traced and selected, GEARS' traps
# per traced call, and the latency of an injected system call and kernel
# function call), its table in build/bench/gearsbench.md; then the same
# on the emulated VMX host (Bochs: its clock counts instructions, so the
# traced-but-not-selected ratio is not lost in TCG's drift), its table in
# build/bench/vmxgearsbench.md (BENCH_GEARS_VMX=0 skips it: ~15 min).
# BENCH_NOBUILD=1 reuses what is built.
# Numbers, not tests: the exit status is 0 when the boot produced results.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/lib.sh
. "$HERE/../harness/lib.sh"
# shellcheck source=tests/bench/l1-table.sh
. "$HERE/l1-table.sh"
st=0
bench_l1_table gearsbench \
	"GEARS benchmark: QEMU TCG, the emulated host's 2 CPUs on one build-machine CPU, a 1-vCPU Linux guest" 2400 || st=1
if [ "${BENCH_GEARS_VMX:-1}" = 1 ]; then
	BENCH_NOBUILD=1 BENCH_L1_BOCHS=1 bench_l1_table vmxgearsbench \
		"GEARS benchmark: Bochs (VMX, corei7_skylake_x with EPT; its clock counts instructions), a 1-vCPU Linux guest, 200000 calls a round (20000 selected)" 2400 || st=1
fi
exit $st
