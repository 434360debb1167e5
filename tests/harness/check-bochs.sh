#!/usr/bin/env bash
# make check-vmx / make check-ryzen: the guest suite alone on one of the
# Bochs hosts (slow, one CPU).  Prints "N passed, N failed" like make check.
#   check-bochs.sh vmx     Intel corei7_skylake_x with EPT, both halves
#                          whole (make check runs it at its quick depth,
#                          make check-full whole, next to the SVM suite)
#   check-bochs.sh ryzen   AMD ryzen with SVM: NRIP save, flush-by-ASID,
#                          pause filter (not in make check; docs/emulated-hosts.md)
#   check-bochs.sh vmxadapt  adaptive paging moving on the VMX host alone
#                          (tests/l1/vmxadapt-suite.sh: ~4 min; the VMX
#                          suite in make check-full runs the same tests)
#   check-bochs.sh vmxgears  GEARS on a 2-vCPU Linux guest on the VMX
#                          host, refusals included (tests/l1/vmxgears-suite.sh:
#                          ~8 min; make check's VMX suite runs GEARS on its
#                          2-vCPU linux guest)
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness
HOST=${1:?usage: check-bochs.sh vmx|ryzen|vmxadapt|vmxgears}
case $HOST in
vmx) what="VMX suite (Bochs, corei7_skylake_x with EPT; slow)" timeout=${V3_VMX_TIMEOUT:-2700} ;;
ryzen) what="ryzen suite (Bochs, AMD ryzen with SVM; slow)" timeout=${V3_RYZEN_TIMEOUT:-2700} ;;
vmxadapt) what="adaptive paging on the VMX host (Bochs; slow)" timeout=${V3_VMX_TIMEOUT:-2400} ;;
vmxgears) what="GEARS on a 2-vCPU guest on the VMX host (Bochs; slow)" timeout=${V3_VMX_TIMEOUT:-3000} ;;
*) die "unknown Bochs host '$HOST' (vmx, ryzen, vmxadapt or vmxgears)" ;;
esac

"$H/deps.sh"
"$H/build.sh" || say "build failed: going on with what was built"
"$H/mkinitrd.sh"
load_kernels
rm -f "$BUILD/logs/$HOST.serial.log" "$BUILD/logs/vmx2.serial.log"
mkdir -p "$BUILD/logs"
say "$what"
bochs_suite "$HOST" "$BUILD/logs/$HOST.serial.log" "$timeout" || true
logs=("$HOST=$BUILD/logs/$HOST.serial.log")
if [ "$HOST" = vmx ]; then
	# the second half (tests/l1/vmx2-suite.sh), after the first here
	say "VMX suite, second half"
	bochs_suite vmx2 "$BUILD/logs/vmx2.serial.log" "$timeout" || true
	logs+=("vmx2=$BUILD/logs/vmx2.serial.log")
fi
exec "$H/summary.sh" /dev/null "${logs[@]}"
