#!/bin/sh
# Focused suite for the issue #11 gaps: the guest's speculation controls
# (specctl and pmu guests, then guest_spec_ctrl=0 and spec_off=1) and the
# memory-cgroup charge of the per-vCPU pages (users-tests.sh).  Boot it
# with v3suite=gaps; the same tests run in svm-suite.sh.
. /tests/l1/tap.sh
. /tests/l1/v3.sh
. /tests/l1/ksft.sh
dmesg_mark
echo 2 >/proc/sys/kernel/printk
for arg in $(cat /proc/cmdline); do
	case $arg in v3arch=*) V3_ARCH=${arg#v3arch=} ;; esac
done
: "${V3_ARCH:=svm}"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "# cpu flags (speculation): $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2 | tr ' ' '\n' | grep -E -x 'ibrs|ibpb|stibp|ssbd|amd_ssbd|virt_ssbd' | tr '\n' ' ')"
# shellcheck source=tests/l1/spec-tests.sh
. /tests/l1/spec-tests.sh
t_cmd "insmod v3vmm.ko" 30 "$INSMOD" "$MOD"
dmesg_new | grep 'world-switch mitigations' | sed 's/^/# /'
spec_guest_tests
. /tests/l1/cpu-tests.sh
. /tests/l1/users-tests.sh
t_cmd "rmmod" 60 "$RMMOD" v3vmm
spec_guest_hidden_tests
dmesg_bad >/tmp/bad
result "dmesg has no BUG/WARNING/Oops" "$([ ! -s /tmp/bad ]; echo $?)" "$(head -n 3 /tmp/bad)"
finish
