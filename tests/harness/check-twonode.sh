#!/usr/bin/env bash
# make check-twonode: the two-node test alone (issue #14): v3share under
# mpirun across two emulated SVM hosts joined by a virtual Ethernet over
# 127.0.0.1 (boot-twonode.sh, tests/l1/twonode-tests.sh).  Builds, then
# prints every result and "N passed, N failed" like make check.
# V3_TWONODE_BUILD=0 skips deps.sh and build.sh (a tree built before).
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness
t0=$(now)
if [ "${V3_TWONODE_BUILD:-1}" = 1 ]; then
	"$H/deps.sh"
	"$H/build.sh" || say "build failed: going on with what was built"
fi
"$H/mkinitrd.sh"
"$H/boot-twonode.sh" || true
say "two-node test: $(elapsed "$t0")s in all"
exec "$H/summary.sh" /dev/null "twonode-a=$BUILD/logs/twonode-a.serial.log" \
	"twonode-b=$BUILD/logs/twonode-b.serial.log"
