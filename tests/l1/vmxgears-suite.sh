#!/bin/sh
# GEARS (gears-tests.sh) on a 2-vCPU Linux guest on the emulated VMX host,
# with the refusals, in a Bochs host of its own: make check-vmx-gears
# (about 8 minutes, not in make check: the VMX suite runs GEARS on its
# linux section's 2-vCPU guest, the SVM suite on 1 and 2 vCPUs).  No reboot, no guest-kprobe tests (the SVM
# suite's: guest memory and the guest's ftrace, no backend code).
GEARS_VCPUS=2
GEARS_REBOOT=0
GEARS_FTRACE=0
LINUX_BOOT_SECS=900
# shellcheck source=tests/l1/gears-suite.sh
. /tests/l1/gears-suite.sh
