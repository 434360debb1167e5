#!/bin/sh
# The VMX suite: the SVM suite's tests, run inside the emulated VMX host
# (Bochs, Intel corei7_skylake_x with EPT, one CPU), by `make check` next
# to the SVM suite and by `make check-vmx` alone.
# Bochs' CPU is slow and single: the Linux guest boots with one vCPU (its
# bound generous) and two Linux VMs at once are left to the SVM suite.
# The ioctl negative tests run last; the hostile corpus runs reduced.
V3_ARCH=vmx
V3_IOCTL_NEG_LAST=1
LINUX_VCPUS=1
LINUX_TWO_VMS=0
LINUX_BOOT_SECS=600
# hostile-suite.sh: the reduced corpus, a shorter healthy workload, and no
# churn-then-Linux test (two 2-vCPU Linux boots would take Bochs too long)
HOSTILE_SET=reduced
HOSTILE_HEALTHY_SECS=2
HOSTILE_LINUX=0
. /tests/l1/svm-suite.sh
