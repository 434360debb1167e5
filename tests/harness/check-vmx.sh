#!/usr/bin/env bash
# make check-vmx: the guest suite on the emulated VMX host (Bochs,
# corei7_skylake_x with EPT).  Not part of make check yet: Bochs freezes
# after ~10 s of emulated time with a guest running (see
# tests/l1/vmx-suite.sh), so the suite is run by hand.  Prints
# "N passed, N failed" like make check.
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
BOCHS_MEGS=2048 "$H/bochs/boot-bochs.sh" "$VMLINUZ" "$BUILD/l1.cpio.gz" \
	"console=ttyS0 quiet panic=-1 tsc=reliable v3suite=vmx" \
	"$BUILD/logs/vmx.serial.log" "${V3_VMX_TIMEOUT:-2700}" || true
exec "$H/summary.sh" /dev/null "vmx=$BUILD/logs/vmx.serial.log"
