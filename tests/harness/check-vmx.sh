#!/usr/bin/env bash
# make check-vmx: the VMX suite alone (make check runs it too, next to
# the SVM suite): the guest suite on the emulated VMX host (Bochs,
# corei7_skylake_x with EPT).  Prints "N passed, N failed" like make check.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness

"$H/deps.sh"
"$H/build.sh" || say "build failed: going on with what was built"
"$H/mkinitrd.sh"
load_kernels
rm -f "$BUILD/logs/vmx.serial.log"
mkdir -p "$BUILD/logs"
say "VMX suite (Bochs, corei7_skylake_x with EPT; slow)"
vmx_suite "$BUILD/logs/vmx.serial.log" "${V3_VMX_TIMEOUT:-2700}" || true
exec "$H/summary.sh" /dev/null "vmx=$BUILD/logs/vmx.serial.log"
