#!/bin/sh
# GEARS (gears-tests.sh) on a 2-vCPU Linux guest on the emulated VMX host:
# make check-vmx-gears (12-18 minutes of Bochs, so not in make check:
# the VMX suite there runs GEARS on its 1-vCPU guest, the SVM suite on 1
# and 2 vCPUs).  No reboot, no guest-kprobe tests (the SVM suite's).
GEARS_VCPUS=2
GEARS_REBOOT=0
GEARS_FTRACE=0
LINUX_BOOT_SECS=900
# shellcheck source=tests/l1/gears-suite.sh
. /tests/l1/gears-suite.sh
