#!/bin/sh
# The second half of the VMX suite (vmx-suite.sh has the first and the
# settings): placement (vCPU moves, guest RAM copied in place), the
# hostile guests, rmmod and the ioctl negative tests, in a
# second Bochs host that make check starts once the QEMU suites are done.
SUITE_SECTIONS="placement hostile rmmod"
. /tests/l1/vmx-suite.sh
