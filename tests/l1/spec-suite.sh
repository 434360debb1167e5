#!/bin/sh
# Focused suite for the world-switch mitigations: reported set, guests
# still run, cost with and without (module parameter spec_off=1).
# shellcheck source=tests/l1/tap.sh
. /tests/l1/tap.sh
# shellcheck source=tests/l1/v3.sh
. /tests/l1/v3.sh
# shellcheck source=tests/l1/spec-tests.sh
. /tests/l1/spec-tests.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
: "${V3_ARCH:=svm}"
grep -qw vmx /proc/cpuinfo && V3_ARCH=vmx
# Bochs is ~100x slower per exit than QEMU TCG
[ "$V3_ARCH" = vmx ] && : "${SPEC_COST_N:=2000}"

t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
spec_tests
v3ctl_run g-cpuid cpuid.elf 64M
result "guest cpuid.elf passes" "$([ "$RC" = 1 ]; echo $?)" "exit $RC"
vm_gone g-cpuid
t_cmd "rmmod v3vmm" 30 "$RMMOD" v3vmm
# cost: alternate with and without, the emulator's speed drifts
for round in 1 2 3; do
	t_cmd "insmod v3vmm.ko ($round)" 30 "$INSMOD" "$MOD"
	spec_cost "mitigations on, round $round"
	t_cmd "rmmod v3vmm ($round)" 30 "$RMMOD" v3vmm
	t_cmd "insmod v3vmm.ko spec_off=1 ($round)" 30 "$INSMOD" "$MOD" spec_off=1
	sys=$(cat /sys/kernel/v3vmm/mitigations 2>/dev/null)
	result "spec_off=1: sysfs says none ($round)" "$([ "$sys" = none ]; echo $?)" "sysfs: '$sys'"
	spec_cost "spec_off=1, round $round"
	t_cmd "rmmod v3vmm spec_off=1 ($round)" 30 "$RMMOD" v3vmm
	[ "$V3_ARCH" = vmx ] && break
done
bad=$(dmesg_bad)
result "no BUG/WARNING in the host log" "$([ -z "$bad" ]; echo $?)" "$bad"
finish
