#!/bin/sh
# The life-cycle tests alone (tests/l1/lifecycle-tests.sh), for a short
# boot while working on module/hw.c: boot-qemu.sh lifecycle.  The SVM and
# VMX suites run the same tests.  At the end the kernel log goes to the
# console, so the serial log shows the reboot notifier's line at power-off.
. /tests/l1/tap.sh
. /tests/l1/v3.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
: "${V3_ARCH:=svm}"
grep -qw vmx /proc/cpuinfo && V3_ARCH=vmx
LINUX_VCPUS=' '	# the Linux tests' functions only
LINUX_TWO_VMS=0
: "${LINUX_BOOT_SECS:=240}"
t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
. /tests/l1/linux-tests.sh
. /tests/l1/lifecycle-tests.sh
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
[ -s /tmp/bad ] && dmesg_new | tail -n 40 | sed 's/^/#   /'
finish
# v3vmm stays loaded: power-off runs its reboot notifier (module/hw.c)
echo 7 >/proc/sys/kernel/printk
