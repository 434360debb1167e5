#!/bin/sh
# The VMX suite: the SVM suite's tests, run inside the emulated VMX host
# (Bochs, Intel corei7_skylake_x with EPT, one CPU).
# Not run here yet, each with its reason:
#  - two spinning VMs at once (also in the rmmod test): on the one-CPU
#    Bochs host the suite stalled there for more than 5 minutes; not yet
#    diagnosed (slowness or a VMX bug);
#  - the Linux guest: not yet verified on VMX.
V3_ARCH=vmx
V3_MULTI_VM=0
V3_LINUX=0
. /tests/l1/svm-suite.sh
