#!/usr/bin/env bash
# The placement benchmark of `make bench` (issue #13): one boot of the
# emulated host with 4 CPUs in 2 NUMA nodes running tests/l1/placebench-suite.sh
# (vCPU move latency, guest RAM move throughput, how long the vCPUs are
# held per region, and a memory workload's slowdown while its RAM moves),
# then a table in build/bench/placebench.md.  QEMU gives both nodes the
# same memory: no NUMA latency, so placement gains are not measured here.
#   BENCH_NOBUILD=1     reuse the built module, v3ctl and initramfs
# Numbers, not tests: the exit status is 0 when the boot produced results.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/lib.sh
. "$HERE/../harness/lib.sh"
# shellcheck source=tests/bench/l1-table.sh
. "$HERE/l1-table.sh"
bench_l1_table placebench \
	"Placement benchmark: QEMU TCG, 4 CPUs in 2 NUMA nodes" 1500 --smp 4 --numa 2
