#!/bin/sh
# The VMX suite: the SVM suite's tests, run inside the emulated VMX host
# (Bochs, Intel corei7_skylake_x with EPT, one CPU), by `make check` next
# to the SVM suite and by `make check-vmx` alone.
# Bochs' CPU is slow and single: the Linux guest boots with one vCPU (its
# bound generous) and two Linux VMs at once are left to the SVM suite.
# The ioctl negative tests run last.  What only common code does (most of
# the hostile corpus, LAPIC timers, fault injection, the long fuzz run) is
# the SVM suite's.  Bochs is make check's pacer, so the suite is cut in two
# halves run by two Bochs hosts (this file: the first; vmx2-suite.sh: the
# second, started when the QEMU suites are done), and time-bound loads are
# short: Bochs emulates every port access and every busy L1 second costs
# many host seconds (tests/harness/check.sh).
V3_ARCH=vmx
V3_IOCTL_NEG_LAST=1
LINUX_VCPUS=1
LINUX_TWO_VMS=0
LINUX_BOOT_SECS=600
# no UART flood (an exit a byte: 1000 lines cost Bochs 6 minutes; the load
# is the SVM suite's check of QEMU's emulated VMRUN) and no pcdev (common
# device models, polled for seconds: the SVM suite runs both)
: "${LINUX_FLOOD_LINES:=0}" "${SKIP_PCDEV:=1}"
# hostile-suite.sh: the attacks on the backend's own code (HOSTILE_SET=arch),
# no churn-then-Linux test (two 2-vCPU Linux boots would take Bochs too long)
HOSTILE_SET=arch
HOSTILE_PARTS=corpus
# each busy L1 second of the healthy workload costs Bochs minutes: 0.4 s
# runs (Bochs' clock is its instruction count, so the timing stays steady)
HOSTILE_HEALTHY_MS=400
HOSTILE_LINUX=0
# paging-tests.sh: one Linux boot, in shadow mode (1 vCPU: ~2 min of
# Bochs), its Linux checks, then 10 flips between the modes during a short
# memchk on that VM (each guest second of memchk costs Bochs over a minute;
# the SVM suite runs the 1- and 4-vCPU boots, memchk alone and 200 flips)
: "${PAGING_LINUX:=1}"
: "${PAGING_FLIPS_ON:=shadow-boot}"
: "${PAGING_MEMCHK0_SECS:=0}"
: "${PAGING_FLIPS:=10}"
: "${PAGING_MEMCHK_SECS:=2}"
# 0.25 s between flips: the 10 flips fall inside memchk's 2 s (L1's clock
# is the guest's; a 10 s gap left memchk long done and cost ~10 min of
# Bochs in timer exits)
: "${PAGING_FLIP_GAP:=0.25}"
# placement-tests.sh: small memstir and healthy runs (every guest second
# costs Bochs about a minute)
: "${PLA_MIB:=4}" "${PLA_PASSES:=10}" "${PLA_ROUNDS:=20}"
# svm-suite.sh: a spinning guest runs 0.3 s before its VM is checked
: "${SPIN_SECS:=0.3}"
# lifecycle-tests.sh: guest time accounted over 1 s of a spinning vCPU
: "${LC_GT_SECS:=1}"
# users-tests.sh: a fuzz run long enough to create and destroy VMCSs
: "${V3FUZZ_SECONDS:=2}"
# ioperm-tests.sh: a second of port I/O beside the VM takes Bochs minutes
: "${IOPERM_SECS:=1}"
: "${SUITE_SECTIONS:=guests users multi linux paging}"
# shadow-tests.sh: the guests whose paging differs (each shadow-mode run of
# a device-heavy guest costs Bochs minutes; the SVM suite runs them all)
: "${SHADOW_GUESTS:=hello hello64 memory longmode exceptions crmem}"
. /tests/l1/svm-suite.sh
