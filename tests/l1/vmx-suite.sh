#!/bin/sh
# The VMX suite: the SVM suite's tests, run inside the emulated VMX host
# (Bochs, Intel corei7_skylake_x with EPT, one CPU).
# Run by `make check-vmx`, not yet by `make check`: Bochs 2.7 freezes (its
# emulated time stops: no exits, no host interrupts, no log lines) after
# about 10 s of emulated time during which a guest ran nearly without
# pause, whether the guest exits by the VMX-preemption timer (IF=0) or by
# host interrupts (IF=1), with or without VPID; reproducible to the
# second.  The tests below run guests for a second or two with idle gaps,
# so the suite usually passes, but not always.  Also left out here: two
# VMs at once and the Linux guest (a Linux boot keeps a guest running far
# longer than 10 s).  The ioctl negative tests run last.
V3_ARCH=vmx
V3_IOCTL_NEG_LAST=1
V3_MULTI_VM=0
V3_LINUX=0
. /tests/l1/svm-suite.sh
