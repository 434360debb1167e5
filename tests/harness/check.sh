#!/usr/bin/env bash
# make check: every test.  Installs what it needs, builds, boots the
# emulated SVM host for the SVM suite and a host without SVM for the
# no-SVM suite, then prints every result and "N passed, N failed".
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness
t0=$(now)

say "1/5 dependencies"
"$H/deps.sh"
say "2/5 build"
"$H/build.sh" || say "build failed: going on with what was built"
say "3/5 initramfs"
"$H/mkinitrd.sh"
rm -f "$BUILD"/logs/svm.serial.log "$BUILD"/logs/nosvm.serial.log
say "4/5 SVM suite (QEMU TCG -cpu EPYC)"
"$H/boot-qemu.sh" svm --timeout "${V3_SVM_TIMEOUT:-600}" || true
say "5/5 no-SVM suite (QEMU TCG -cpu EPYC,-svm)"
"$H/boot-qemu.sh" nosvm --cpu EPYC,-svm --timeout 120 || true

say "results (logs in $BUILD/logs, $(elapsed "$t0")s in all)"
exec "$H/summary.sh" "$BUILD/build.tap" \
	"svm=$BUILD/logs/svm.serial.log" "nosvm=$BUILD/logs/nosvm.serial.log"
