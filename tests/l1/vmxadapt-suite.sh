#!/bin/sh
# adapt-tests.sh on the emulated VMX host (Bochs, ~60x slower than QEMU
# TCG) with tiny workloads: 2 MiB TLB region (512 pages), 8 pages a churn
# round, long bounds.  Not part of make check (see svm-suite.sh's paging
# section): make check-vmx-adapt runs it.  Measured 2026-12-03: tlb and churn pass (tests 2-6) in ~17 min of Bochs (with
# the shadow prefetch, tlb alone in 8); the phased part did not finish
# inside a 1500 s bound, so AD_PARTS leaves it out.
AD_MIB=2 AD_PAGES=8 AD_PHASE_MS=8000 AD_SECS=90 AD_PARTS="${AD_PARTS:-tlb churn}"
. /tests/l1/adapt-suite.sh
