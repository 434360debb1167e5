#!/bin/sh
# The VMX suite: the SVM suite's tests, run inside the emulated VMX host
# (Bochs, Intel corei7_skylake_x with EPT).  Bochs is slow, so the Linux
# guest boots once, with 1 vCPU, and gets a generous bound.
V3_ARCH=vmx
LINUX_VCPUS=1
LINUX_TWO_VMS=0
LINUX_BOOT_SECS=1200
. /tests/l1/svm-suite.sh
