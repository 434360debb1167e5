#!/bin/sh
# A focused suite for the guest CPU model: module, the cpuid/msr/pmu
# guests, the per-MSR statistics and (V3_CPU_LINUX=1 on the kernel command
# line as v3cpulinux=1) one Linux guest.  Boot it with v3suite=cpu; on the
# VMX host set V3_ARCH by v3arch=vmx.
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
for arg in $(cat /proc/cmdline); do
	case $arg in
	v3arch=*) V3_ARCH=${arg#v3arch=} ;;
	v3cpulinux=1) V3_CPU_LINUX=1 ;;
	esac
done
: "${V3_ARCH:=svm}"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
for g in cpuid msr; do
	if need_guest "guest $g" $g.elf; then
		v3ctl_run "g-$g" $g.elf 64M
		result "guest $g" "$([ "$RC" = 1 ] && ! grep -q 'not ok' "$OUT"; echo $?)" "exit $RC" \
			"$(grep -A1 'not ok' "$OUT" | head -n 6)"
		vm_gone "g-$g"
	fi
done
. /tests/l1/cpu-tests.sh
if [ "${V3_CPU_LINUX:-0}" = 1 ]; then
	LINUX_VCPUS=1 LINUX_TWO_VMS=0
	[ "$V3_ARCH" = vmx ] && LINUX_BOOT_SECS=600
	. /tests/l1/linux-tests.sh
fi
t_cmd "rmmod" 60 "$RMMOD" v3vmm
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops/general protection" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
finish
