#!/bin/sh
# GEARS' benchmark (gearsbench-suite.sh) inside the emulated VMX host
# (Bochs; tests/bench/gears.sh boots it after the SVM one).  Bochs' clock
# is its instruction count, so a guest's ns a call are the instructions it
# ran, without the drift of QEMU's TCG that hides a 2 % difference (the
# SVM table's rounds of one way differ by 2x): the ratio of traced-but-
# not-selected to untraced shows here.  Fewer selected calls (each an
# exit, which costs Bochs much) and injections.
: "${GB_N:=200000}" "${GB_NS:=20000}" "${GB_RUNS:=3}" "${GB_INJ:=3}" "${LINUX_BOOT_SECS:=900}"
# shellcheck source=tests/l1/gearsbench-suite.sh
. /tests/l1/gearsbench-suite.sh
