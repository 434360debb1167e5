#!/bin/sh
# The second half of the VMX suite (vmx-suite.sh has the first and the
# settings): placement (vCPU moves, guest RAM copied in place), the host's
# life cycle (KVM beside v3vmm), the hostile guests, rmmod and the ioctl
# negative tests, in a second Bochs host that make check starts once the
# SVM suite is done.
SUITE_SECTIONS="placement host hostile rmmod"
. /tests/l1/vmx-suite.sh
