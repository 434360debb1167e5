# make check's depth (sourced by the suites; busybox sh).
#
# make check passes v3env=V3_DEPTH=quick on the L1 kernel command line
# (tests/harness/check.sh); make check-full, make check-vmx and a focused
# boot leave V3_DEPTH unset: the full depth, every part of every section.
#
# Why two depths: CI gives make check 90 minutes on a 2-core machine whose
# pace varies from run to run (every part took 40 minutes one morning
# here; the same tree was cut at 81 minutes in CI, some of it the lane
# pinning bug fixed on 2026-12-06, lib.sh bochs_pin).  Emulation is
# what costs: Bochs takes about 3 minutes to boot L1 (most of it the
# decompression of Debian's xz kernel under emulation) and 5 to boot a
# 2-vCPU Linux guest.  The quick depth keeps, on each emulated host, the
# tests of the code that host exercises, and leaves to check-full:
#  - on the VMX host (Bochs): what is common code, which the SVM suite
#    runs in the same make check (VM lifecycle, memory accounting, the
#    negative and ioctl tests, users, two VMs, paging policy, the
#    page-table guests, adaptive paging, the hostile corpus), the guest's
#    reboot and clock-rate check, and switches of created, paused and
#    stopped VMs; kept: the bare-metal guests (every exit the backend
#    decodes), triple fault, stop, HLT, ioperm beside a VM (VMX's TSS),
#    a 2-vCPU Linux guest with GEARS on it (its exception intercepts and
#    event injection), shadow paging and 40 switches of a running guest,
#    vCPU and memory moves, KVM beside v3vmm, rmmod with VMs alive;
#  - on the SVM host (QEMU): the 1-vCPU Linux boot (the 4-vCPU guest takes
#    the console, clock, UART and reboot tests; two 1-vCPU guests boot at
#    once), GEARS on a 1-vCPU guest (its 2-vCPU guest remains), the
#    4-vCPU shadow-mode boot (a 2-vCPU one remains), the Linux churn and
#    six of the sixteen hostile guests; the UART flood prints 200 lines,
#    not 1000;
#  - on the placement host: the Linux guest with two NUMA nodes.
# Each part left out prints one TAP skip that says so (part, tap.sh).
[ "${V3_DEPTH:-full}" = quick ] || return 0
: "${V3_SKIP_WHY:=make check-full runs it (make check runs the quick depth: tests/l1/quick.sh)}"
case ${V3_ARCH:-svm} in
vmx)
	: "${SUITE_SECTIONS:=guests users multi linux paging placement host hostile rmmod}"
	: "${V3_SKIP:=lifecycle memory-accounting negative ioctl-neg users two-vms linux-clock-rate linux-reboot-2 shadow-states paging-policy paging-guests adaptive-paging hostile}"
	# the heartbeat the injections go into: 10 s of guest time, not 20
	# (Bochs' clock is its instruction count: 20 s cost it 2 minutes)
	: "${GEARS_HEARTBEAT_SECS:=10}"
	;;
*)
	: "${V3_SKIP:=guest-numa}"
	: "${LINUX_VCPUS:=4}" "${LINUX_FLOOD_LINES:=200}"
	: "${GEARS_VCPUS:=2}" "${PAGING_LINUX_VCPUS:=2}"
	: "${HOSTILE_SET:=reduced}" "${HOSTILE_LINUX:=0}"
	;;
esac
