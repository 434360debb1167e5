#!/usr/bin/env bash
# check-ryzen.sh: the SVM suite on the second emulated AMD host alone
# (Bochs' ryzen model: NRIP save, flush-by-ASID; slow, one CPU).  Prints
# "N passed, N failed" like make check.  docs/emulated-hosts.md.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness

"$H/deps.sh"
"$H/build.sh" || say "build failed: going on with what was built"
"$H/mkinitrd.sh"
load_kernels
rm -f "$BUILD/logs/ryzen.serial.log"
mkdir -p "$BUILD/logs"
say "ryzen suite (Bochs, AMD ryzen with SVM; slow)"
ryzen_suite "$BUILD/logs/ryzen.serial.log" "${V3_RYZEN_TIMEOUT:-2700}" || true
exec "$H/summary.sh" /dev/null "ryzen=$BUILD/logs/ryzen.serial.log"
