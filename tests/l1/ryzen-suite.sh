#!/bin/sh
# The SVM suite on a second emulated AMD CPU: Bochs' ryzen model (one CPU),
# whose SVM has NRIP save, flush-by-ASID and (advertised, unmodelled) pause
# filter, paths QEMU's EPYC model leaves unexercised.  Bochs is slow and
# single-CPU like the VMX host: one-vCPU Linux guest with a generous bound,
# no two Linux VMs at once, ioctl negative tests last (as vmx-suite.sh).
# Booted by tests/harness/lib.sh ryzen_suite (docs/emulated-hosts.md).
V3_ARCH=svm
V3_IOCTL_NEG_LAST=1
LINUX_VCPUS=1
LINUX_TWO_VMS=0
LINUX_BOOT_SECS=600
# the hostile attacks on the backend's code only (as vmx-suite.sh)
HOSTILE_SET=arch
HOSTILE_PARTS=corpus
HOSTILE_LINUX=0
# Bochs 2.7 does not intercept a guest's triple fault (SHUTDOWN): it resets
# the whole emulated host (fixed in Bochs 2.8, commit f8c94e83f), so the
# triple-fault guest is skipped here (docs/emulated-hosts.md).
V3_NO_GUEST_TRIPLE_FAULT=1
echo "# ryzen host: svm features (CPUID 0x8000000a EDX):$(grep -m1 -o -w -E 'nrip_save|flushbyasid|pausefilter|pfthreshold|decodeassists|vmcb_clean|npt' /proc/cpuinfo | tr '\n' ' ')"
. /tests/l1/svm-suite.sh
