#!/usr/bin/env bash
# The content scanner's benchmark of `make bench` (issue #14): one boot of
# the emulated SVM host running tests/l1/contentbench-suite.sh (the
# scanner's pages per second flat out and at the default knobs, its CPU
# time, and a memory workload's slowdown with its VM scanned), its table
# in build/bench/contentbench.md.  BENCH_NOBUILD=1 reuses what is built.
# Numbers, not tests: the exit status is 0 when the boot produced results.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/lib.sh
. "$HERE/../harness/lib.sh"
# shellcheck source=tests/bench/l1-table.sh
. "$HERE/l1-table.sh"
bench_l1_table contentbench \
	"Content scanner benchmark: QEMU TCG, the emulated host's 2 CPUs on one build-machine CPU" 2400
