# shellcheck shell=sh
# adapt-tests.sh's knobs for the emulated VMX host (Bochs, clock: sync=none: L1's
# time is emulated, 100 host seconds or more per second of a running
# ptload guest) with tiny workloads: 2 MiB TLB region (512 pages), 8 pages
# a churn round, and short emulated waits: sampler periods of 10 ms,
# trials of 100 ms every 100 ms (the knobs' least trial_interval_ms), the
# guest ready once its tables are built (no second to its first progress
# line), no pauses for the guest's rates, 20 ms polling, and each VM
# paused once its decisions are in (a paused vCPU costs Bochs nothing
# while they are read back).  The assertions are adapt-tests.sh's,
# unchanged.  Sourced by vmx-suite.sh (make check: the paging section of
# its first half) and vmxadapt-suite.sh (make check-vmx-adapt).  Measured 2026-12-04, twice: tlb in 32-35 s and churn in
# ~80 s (tests 2-6 in 113-114 s after insmod), ~230 s from boot to
# power-off.  The phased part is left out (AD_PARTS): not tried with these
# knobs.
: "${AD_KNOBS:=period_ms=10 trial_ms=100 min_dwell_ms=0 trial_interval_ms=100 threshold_pct=10 hysteresis_pct=5}"
AD_READY="ptload: mode=" AD_REC_SECS=0 AD_POLL_MS=20 AD_PAUSE=1
AD_MIB=2 AD_PAGES=8 AD_PHASE_MS=8000 AD_SECS=3 AD_PARTS="${AD_PARTS:-tlb churn}"
