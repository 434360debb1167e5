#!/bin/sh
# The VMX suite: the SVM suite's tests, run inside the emulated VMX host
# (Bochs, Intel corei7_skylake_x with EPT, one CPU).  make check runs it at
# the quick depth on one Bochs host (tests/l1/quick.sh: the backend's own
# paths); make check-full and make check-vmx run it whole, cut in two
# halves on two Bochs hosts (this file: the first; vmx2-suite.sh: the
# second).
# Bochs' CPU is slow and single: one Linux guest, with two vCPUs (its
# bound generous; GEARS runs on it), and two Linux VMs at once are left to
# the SVM suite.  The ioctl negative tests run last.  What only common
# code does (most of the hostile corpus, LAPIC timers, fault injection,
# the long fuzz run) is the SVM suite's.  Time-bound loads are short:
# Bochs emulates every port access and every busy L1 second costs many
# host seconds (tests/harness/check.sh).
V3_ARCH=vmx
# make check's quick depth (V3_DEPTH=quick): its sections, knobs, V3_SKIP
# shellcheck source=tests/l1/quick.sh
. /tests/l1/quick.sh
V3_IOCTL_NEG_LAST=1
LINUX_VCPUS=2
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
# each busy L1 second of the healthy workload costs Bochs minutes: 0.1 s
# runs (Bochs' clock is its instruction count, so the timing stays steady:
# at 0.2 s every ratio was 0.99x-1.00x in make check; each benign baseline
# cost 2 minutes and the hostile section 9, which GEARS on 2 vCPUs, now
# in make check, needed)
HOSTILE_HEALTHY_MS=100
HOSTILE_LINUX=0
# one benign baseline for every hostile run (Bochs' clock is steady), and
# the responsiveness probe 50 ms into the healthy VM's 0.1 s (a second of
# L1 time beside a storming guest cost Bochs minutes)
HOSTILE_REBASE=0 HOSTILE_PROBE_SECS=0.05
# gears-tests.sh on the linux section's 2-vCPU guest (LINUX_GEARS=1): ps
# and sym, tracing, system-call, kernel-call, insmod and exec injection
# (about 5 minutes of Bochs); the SVM suite boots 1- and 2-vCPU guests of
# its own for them.  The kernel found again after the guest's reboot
# (LINUX_GEARS_REBOOT: 2 minutes of Bochs) and the refusals (an unknown
# symbol, a VM never launched, a bare-metal guest) are common code: the
# SVM suite's and make check-vmx-gears' (vmxgears-suite.sh)
: "${LINUX_GEARS:=1}" "${LINUX_GEARS_REBOOT:=0}"
# not the guest's own kprobe against GEARS (gi_ftrace_tests): guest
# memory and the guest's ftrace, no backend code; the SVM suite runs it
: "${GEARS_FTRACE:=0}"
# paging-tests.sh: no Linux boot (PAGING_LINUX=0): a shadow-mode Linux
# boot costs Bochs 4 minutes and memchk under flips 10 more; the SVM suite
# runs the 1- and 4-vCPU boots in shadow mode and memchk under 200 flips.
# VMX's shadow paging is the shadow section's (the bare-metal guests,
# 40 switches of a running guest, created/paused/stopped switches).
: "${PAGING_LINUX:=0}"
# placement-tests.sh: small memstir and healthy runs (every guest second
# costs Bochs about a minute)
: "${PLA_MIB:=4}" "${PLA_PASSES:=10}" "${PLA_ROUNDS:=20}"
# svm-suite.sh: a spinning guest runs 0.3 s before its VM is checked
: "${SPIN_SECS:=0.3}"
# lifecycle-tests.sh: guest time accounted over 1 s of a spinning vCPU
: "${LC_GT_SECS:=1}"
# the guest time test: a spinning L2 guest slows Bochs' clock so much that
# its 1.3 s of L1 time take 5 minutes (make check, 2026-12-04); the
# accounting is common code (vcpu.c, compat.h) the SVM suite checks
LC_GUEST_TIME=0
LC_GUEST_TIME_WHY="a spinning guest slows Bochs' clock 200x (5 minutes); the SVM suite runs it"
# users-tests.sh: a fuzz run long enough to create and destroy VMCSs
# (400000 calls made 1600 VMs and cost Bochs 3 min; 40000 do it in 20 s)
: "${V3FUZZ_SECONDS:=2}" "${V3FUZZ_CALLS:=40000}"
# ioperm-tests.sh: a second of port I/O beside the VM takes Bochs minutes
: "${IOPERM_SECS:=0.2}"
# adapt-tests.sh (paging section): tiny workloads, 10 ms periods and 100 ms
# trials, the VMs paused once decided (about 2 minutes of Bochs)
# shellcheck source=tests/l1/adapt-bochs.sh
. /tests/l1/adapt-bochs.sh
# (the host section, KVM beside v3vmm: vmx2-suite.sh's)
: "${SUITE_SECTIONS:=guests users multi linux paging}"
# shadow-tests.sh: the guests whose paging differs (each shadow-mode run of
# a device-heavy guest costs Bochs minutes; the SVM suite runs them all)
: "${SHADOW_GUESTS:=hello hello64 memory longmode exceptions crmem}"
. /tests/l1/svm-suite.sh
