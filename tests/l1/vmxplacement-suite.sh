#!/bin/sh
# The VMX suite's placement section alone, on the emulated VMX host
# (boot-bochs.sh ... v3suite=vmxplacement).
SUITE_SECTIONS="placement rmmod"
# shellcheck source=tests/l1/vmx-suite.sh
. /tests/l1/vmx-suite.sh
