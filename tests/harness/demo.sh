#!/usr/bin/env bash
# make demo: boot the emulated SVM host (QEMU TCG -cpu EPYC) and run the
# hello guest and a Linux guest through v3ctl inside it, streaming the L1
# console.
set -euo pipefail
# shellcheck source=tests/harness/lib.sh
. "$(dirname "$0")/lib.sh"
H=$REPO/tests/harness

"$H/deps.sh"
"$H/build.sh" || say "some builds failed (see above): the demo needs only the 6.1 module, v3ctl and the guests"
load_kernels
for f in "$BUILD/modules/$KVER_61/v3vmm.ko" "$REPO/tools/v3ctl/v3ctl" "$REPO/tests/guests/hello.elf"; do
	[ -f "$f" ] || die "the demo needs $f"
done
"$H/mkinitrd.sh"
"$H/boot-qemu.sh" demo --live --timeout 600
