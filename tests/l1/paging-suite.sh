#!/bin/sh
# A focused suite for issue #12's paging tests (tests/l1/paging-tests.sh):
# module, the page-table edge-case guests, the Linux memory-checksum
# workload with mode flips, shadow-mode Linux boots.  Boot it with
# v3suite=paging; kernel command-line knobs: v3arch=vmx, v3paging=MODE
# (PAGING_MODE), v3pglinux=0|1 (PAGING_LINUX), v3pgflips=N, v3pgsecs=N,
# v3pgsecs0=N (PAGING_MEMCHK0_SECS), v3pgfv=N (PAGING_FLIP_VCPUS),
# v3pgflipson=own-vm|shadow-boot (PAGING_FLIPS_ON).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
for arg in $(cat /proc/cmdline); do
	case $arg in
	v3arch=*) V3_ARCH=${arg#v3arch=} ;;
	v3paging=*) PAGING_MODE=${arg#v3paging=} ;;
	v3pglinux=*) PAGING_LINUX=${arg#v3pglinux=} ;;
	v3pgflips=*) PAGING_FLIPS=${arg#v3pgflips=} ;;
	v3pgsecs=*) PAGING_MEMCHK_SECS=${arg#v3pgsecs=} ;;
	v3pgsecs0=*) PAGING_MEMCHK0_SECS=${arg#v3pgsecs0=} ;;
	v3pgfv=*) PAGING_FLIP_VCPUS=${arg#v3pgfv=} ;;
	v3pgflipson=*) PAGING_FLIPS_ON=${arg#v3pgflipson=} ;;
	esac
done
: "${V3_ARCH:=svm}"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
# linux-tests.sh's helpers without its tests: no vCPU counts (a blank, as
# its default applies to an empty value), no two-VM test
LINUX_VCPUS=" " LINUX_TWO_VMS=0
[ "$V3_ARCH" = vmx ] && LINUX_BOOT_SECS=600
# shellcheck source=tests/l1/linux-tests.sh
. /tests/l1/linux-tests.sh
PAGING_LINUX_VCPUS="1 4"
[ "$V3_ARCH" = vmx ] && PAGING_LINUX_VCPUS=1
# shellcheck source=tests/l1/paging-tests.sh
. /tests/l1/paging-tests.sh
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
finish
