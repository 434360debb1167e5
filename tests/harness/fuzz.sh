#!/usr/bin/env bash
# make fuzz: build, then boot the emulated SVM host for the long fuzz run
# (tests/l1/fuzz-suite.sh: >= 1,000,000 random ioctls as root and uid
# 1000 while VMs come and go).  Prints the calls, VMs and leak figures and
# the results; exit status 0 when all passed.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness
t0=$(now)
"$H/deps.sh"
"$H/build.sh" || die "build failed"
"$H/mkinitrd.sh"
LOG=$BUILD/logs/fuzz.serial.log
"$H/boot-qemu.sh" fuzz --timeout "${V3_FUZZ_TIMEOUT:-3600}" || true
grep -a '^# v3fuzz:' "$LOG" || true
say "make fuzz: $(elapsed "$t0")s"
exec "$H/summary.sh" "$BUILD/build.tap" "fuzz=$LOG"
