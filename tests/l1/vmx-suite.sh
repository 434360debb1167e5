#!/bin/sh
# The VMX suite: the SVM suite's tests, run inside the emulated VMX host
# (Bochs, Intel corei7_skylake_x with EPT, one CPU).
# Run by `make check-vmx`, not yet by `make check`: on the one-CPU Bochs
# host a spinning guest (forever.elf: the stop, destroy-while-running and
# rmmod tests) sometimes stalls the suite for many minutes; seen at
# different tests in different runs, not yet diagnosed (a VMX bug or the
# VMX-preemption-timer workaround for Bochs delivering no host interrupts
# as exits).  Also left out here: two VMs at once and the Linux guest
# (not yet verified on VMX).  The ioctl negative tests run last.
V3_ARCH=vmx
V3_IOCTL_NEG_LAST=1
V3_MULTI_VM=0
V3_LINUX=0
. /tests/l1/svm-suite.sh
