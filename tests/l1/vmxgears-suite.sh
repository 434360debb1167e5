#!/bin/sh
# GEARS (gears-tests.sh) on a 2-vCPU Linux guest on the emulated VMX host,
# a Bochs host of its own in make check (about 8 minutes) and alone in
# make check-vmx-gears; the VMX suite runs GEARS on its 1-vCPU guest, the
# SVM suite on 1 and 2 vCPUs.  No reboot, no guest-kprobe tests (the SVM
# suite's: guest memory and the guest's ftrace, no backend code).
GEARS_VCPUS=2
GEARS_REBOOT=0
GEARS_FTRACE=0
LINUX_BOOT_SECS=900
# shellcheck source=tests/l1/gears-suite.sh
. /tests/l1/gears-suite.sh
