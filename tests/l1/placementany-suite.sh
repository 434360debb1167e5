#!/bin/sh
# The SVM suite's placement section alone (boot-qemu.sh placementany);
# the VMX suite's: boot-bochs.sh ... v3suite=vmxplacement.
SUITE_SECTIONS="placement rmmod"
# shellcheck source=tests/l1/svm-suite.sh
. /tests/l1/svm-suite.sh
