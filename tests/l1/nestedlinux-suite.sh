#!/bin/sh
# The SVM suite's Linux section alone (nested paging: 1 and 4 vCPUs, the
# Linux checks), for changes to interrupt injection (module/irq.c) that
# every mode goes through.  Boot: boot-qemu.sh nestedlinux.
SUITE_SECTIONS="linux"
# shellcheck source=tests/l1/svm-suite.sh
. /tests/l1/svm-suite.sh
