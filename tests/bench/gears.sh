#!/usr/bin/env bash
# GEARS' benchmark of `make bench` (issue #15): one boot of the emulated
# SVM host running tests/l1/gearsbench-suite.sh (a system call's cost
# untraced, traced but not selected, traced and selected, GEARS' traps
# per traced call, and the latency of an injected system call and kernel
# function call), its table in build/bench/gearsbench.md.
# BENCH_NOBUILD=1 reuses what is built.
# Numbers, not tests: the exit status is 0 when the boot produced results.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/lib.sh
. "$HERE/../harness/lib.sh"
# shellcheck source=tests/bench/l1-table.sh
. "$HERE/l1-table.sh"
bench_l1_table gearsbench \
	"GEARS benchmark: QEMU TCG, the emulated host's 2 CPUs on one build-machine CPU, a 1-vCPU Linux guest" 2400
